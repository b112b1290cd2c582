"""`quizmaster eval heldout`: each held-out set's figures in one command. Run here on a folder
of answers written for this test (never the held-out files, which only the lead's checks read),
through the real grader on the bundled model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from content.bank import Bank
from evaluators.model_settings import ModelSettings
from tests.conftest import BUNDLED_MODEL
from tools.quality.cli import main
from tools.quality.heldout import HELD_OUT_SETS, held_out_path


def _row(question: str, answer: str, score: int, lang: str, **extra: object) -> str:
    fields = {"question": question, "answer": answer, "score": score, "score_max": 100}
    return json.dumps({**fields, "lang": lang, **extra}, ensure_ascii=False)


@pytest.fixture
def folder(tmp_path: Path, bank: Bank) -> Path:
    q01 = bank.get("q01")
    question = q01.text.ko
    reference_en = next(r.text for r in q01.references if r.lang == "en")
    reference_ko = next(r.text for r in q01.references if r.lang == "ko")
    files = {
        "non_answers": [_row(question, "hello", 0, "en"), _row(question, "ㅋㅋㅋㅋ", 0, "ko")],
        "wrong_claims": [
            _row(question, "ReLU saturates more than sigmoid, so gradients vanish.", 5, "en")
        ],
        "paraphrases": [
            _row(
                question,
                "It is a cheap computation, just a max with zero.",
                60,
                "en",
                stated=["cheap-computation"],
            )
        ],
        "natural": [
            _row(question, reference_en, 95, "en"),
            _row(question, reference_ko, 95, "ko"),
            _row(question, "Because it is newer.", 10, "en"),
            _row(question, "그냥 요즘 많이 써서요.", 5, "ko"),
        ],
        # Pair 1: the model answer against a greeting (told apart); pair 2: the model answer
        # twice (not apart).
        "twin_claims": [
            _row(question, reference_en, 90, "en", **{"class": "right", "pair": 1}),
            _row(question, "hello", 5, "en", **{"class": "reversed", "pair": 1}),
            _row(question, reference_ko, 90, "ko", **{"class": "right", "pair": 2}),
            _row(question, reference_ko, 5, "ko", **{"class": "reversed", "pair": 2}),
        ],
    }
    for name, lines in files.items():
        (tmp_path / f"{name}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tmp_path


def test_heldout_prints_one_line_per_set_and_the_json_of_all(
    folder: Path, tmp_path: Path, embedding_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = ModelSettings(model=BUNDLED_MODEL, device="cpu", cache_dir=embedding_cache)
    rows = tmp_path / "rows.jsonl"
    assert main(["heldout", "--dir", str(folder), "--rows", str(rows), "--json"], settings) == 0
    out = capsys.readouterr().out.strip().splitlines()
    figures = json.loads(out[-1])
    assert list(figures) == [*HELD_OUT_SETS, "grader"]
    assert figures["grader"]["model"] == "all-MiniLM-L6-v2 (bundled)"
    assert figures["grader"]["engine"] == "torch" and figures["grader"]["fallback"] is None
    assert all(any(line.startswith(f"{name}: ") for line in out) for name in HELD_OUT_SETS)
    assert figures["non_answers"]["n"] == 2
    assert figures["wrong_claims"]["n"] == 1
    # The paraphrase names its concept by its own wording, so the lexical match credits it.
    assert figures["paraphrases"]["all_stated"] == 1
    assert figures["paraphrases"]["all_credited"] == 1
    natural = figures["natural"]
    assert natural["en_n"] == natural["ko_n"] == 2 and natural["en_strong_n"] == 1
    # The model answers themselves rank above the two weak answers in each language.
    assert natural["en_spearman"] == natural["ko_spearman"] == 1.0
    twins = figures["twins"]
    assert twins["pairs"] == 2 and twins["apart_20"] == 1 and twins["apart_share"] == 0.5
    assert twins["reversed_mean"] < twins["right_mean"]
    assert len(rows.read_text(encoding="utf-8").splitlines()) == 12


def test_one_set_alone_and_an_unknown_set(
    folder: Path, embedding_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = ModelSettings(model=BUNDLED_MODEL, device="cpu", cache_dir=embedding_cache)
    assert main(["heldout", "non_answers", "--dir", str(folder), "--json"], settings) == 0
    assert list(json.loads(capsys.readouterr().out.strip().splitlines()[-1])) == [
        "non_answers",
        "grader",
    ]
    with pytest.raises(SystemExit):
        main(["heldout", "everything", "--dir", str(folder)], settings)
    assert "unknown held-out set 'everything'" in capsys.readouterr().err


def test_the_default_folder_holds_every_set() -> None:
    """`quizmaster eval heldout` with no --dir reads the files shipped in evaluators/data."""
    for name in HELD_OUT_SETS:
        assert held_out_path(name).is_file(), held_out_path(name)
