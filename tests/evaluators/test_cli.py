"""`quizmaster eval` on small jsonl fixtures: metrics, the JSON line, and clear data errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from content.bank import Bank
from evaluators.fitting.calibration_fit import as_team_would_hold
from evaluators.model_settings import ModelSettings
from tests.conftest import BUNDLED_MODEL
from tools.quality.cli import main

ROWS = [
    ("What does a stack push do?", "It adds an element on top of the stack.", 5),
    ("What does a stack push do?", "It inserts a new item at the top of the stack.", 5),
    ("What does a stack push do?", "It removes the bottom element.", 1),
    ("What does a stack push do?", "Something with memory.", 1),
    ("What is a leaf node?", "A node with no children.", 5),
    ("What is a leaf node?", "A tree node that has no child nodes.", 5),
    ("What is a leaf node?", "The root of the tree.", 0),
    ("What is a leaf node?", "A node that has two children and a parent.", 1),
]
REFERENCES = {
    "What does a stack push do?": "Push places a new element on the top of the stack.",
    "What is a leaf node?": "A leaf is a node that has no children.",
}


@pytest.fixture
def settings(tmp_path: Path) -> ModelSettings:
    return ModelSettings(model=BUNDLED_MODEL, device="cpu", cache_dir=tmp_path)


@pytest.fixture
def external_file(tmp_path: Path) -> Path:
    path = tmp_path / "external.jsonl"
    lines = [
        json.dumps(
            {"question": q, "answer": a, "score": s, "score_max": 5, "reference": REFERENCES[q]}
        )
        for q, a, s in ROWS
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_eval_prints_metrics_and_a_json_line(
    external_file: Path, settings: ModelSettings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(external_file), "--json"], settings) == 0
    out = capsys.readouterr().out.strip().splitlines()
    result = json.loads(out[-1])
    assert set(result) == {"n", "pearson", "spearman", "rmse", "bias", "ms_per_answer", "grader"}
    assert result["grader"]["model"] == "all-MiniLM-L6-v2 (bundled)"
    assert (result["grader"]["engine"], result["grader"]["device"]) == ("torch", "cpu")
    assert result["n"] == len(ROWS)
    assert result["pearson"] > 0.5
    assert "pearson=" in out[0]


@pytest.mark.parametrize(
    "kept",
    [
        pytest.param(ROWS[:2], id="every-score-the-same"),
        pytest.param(ROWS[:1], id="one-row"),
    ],
)
def test_eval_says_a_correlation_it_cannot_compute_is_undefined(
    tmp_path: Path,
    settings: ModelSettings,
    capsys: pytest.CaptureFixture[str],
    kept: list[tuple[str, str, int]],
) -> None:
    """Issue 83: with every human score equal, or fewer than two rows, eval printed a
    correlation of 0.000, a figure for a grader that ranks answers no better than chance."""
    path = tmp_path / "flat.jsonl"
    lines = [
        json.dumps(
            {"question": q, "answer": a, "score": s, "score_max": 5, "reference": REFERENCES[q]}
        )
        for q, a, s in kept
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main([str(path), "--json", "--by", "lang"], settings) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out[0].startswith(f"graded: n={len(kept)} pearson=undefined spearman=undefined rmse=")
    assert out[1].startswith("  lang=en: n=") and "pearson=undefined spearman=undefined" in out[1]
    result = json.loads(out[-1])
    assert result["pearson"] is None and result["spearman"] is None
    assert result["by_lang"]["en"]["pearson"] is None
    assert isinstance(result["rmse"], float)


def test_eval_cv_reports_cross_validated_numbers(
    external_file: Path, settings: ModelSettings, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [json.loads(line) for line in external_file.read_text().splitlines()]
    more = [dict(r, question=f"{r['question']} ({k})") for k in range(2) for r in rows]
    external_file.write_text("\n".join(json.dumps(r) for r in more) + "\n", encoding="utf-8")
    assert main([str(external_file), "--cv", "--json"], settings) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out[0].startswith("cross-validated by question")
    assert json.loads(out[-1])["n"] == len(more)


def test_unknown_question_is_an_error_naming_it(
    tmp_path: Path, settings: ModelSettings, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "unknown.jsonl"
    row = {"question": "Is this in the bank at all?", "answer": "no", "score": 0, "score_max": 5}
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    assert main([str(path)], settings) != 0
    assert "Is this in the bank at all?" in capsys.readouterr().err


def test_bad_row_is_reported_with_its_line(
    tmp_path: Path, settings: ModelSettings, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"question": "q", "answer": "a"}\n', encoding="utf-8")
    assert main([str(path)], settings) == 1
    assert "bad.jsonl:1" in capsys.readouterr().err


def test_usage_without_arguments(
    settings: ModelSettings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([], settings) == 2
    assert "quizmaster eval" in capsys.readouterr().out


def test_as_team_grades_the_banks_questions_with_drafted_or_no_key_concepts(
    tmp_path: Path, settings: ModelSettings, bank: Bank
) -> None:
    relu = bank.get("q01")
    path, out = tmp_path / "bank_rows.jsonl", tmp_path / "graded.jsonl"
    answers = [
        (
            "Sigmoid는 포화되어 기울기 소실이 생기고, ReLU는 양수 구간 기울기가 1이라 잘 전달돼요.",
            5,
        ),
        ("ReLU는 출력이 확률이라서 더 정확해요.", 0),
    ]
    lines = [
        json.dumps({"question": relu.text.ko, "answer": a, "score": s, "score_max": 5})
        for a, s in answers
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    drafted = as_team_would_hold(bank, "drafted").get("q01").concepts
    assert drafted and all(c.drafted for c in drafted)
    named = {c.id for c in relu.concepts}
    assert main([str(path), "--as-team", "drafted", "--rows", str(out)], settings) == 0
    graded = [json.loads(line) for line in out.read_text().splitlines()]
    # drafted concepts give credit, and none is told as missed until an admin reviews it
    covered = {i for row in graded for i in row["covered"]}
    assert covered and covered <= {c.id for c in drafted}
    assert all(row["missed"] == [] for row in graded)
    assert main([str(path), "--as-team", "model-answers", "--rows", str(out)], settings) == 0
    graded = [json.loads(line) for line in out.read_text().splitlines()]
    assert all(row["covered"] == row["missed"] == [] for row in graded)
    assert named - {c.id for c in drafted}, "the written concepts are not the drafted ones"


def test_as_team_needs_rows_that_ask_the_banks_questions(
    external_file: Path, settings: ModelSettings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(external_file), "--as-team", "drafted"], settings) != 0
    assert "--as-team grades rows that ask the bank's questions" in capsys.readouterr().err


RIGHT_ANSWERS = ("오토인코더는 입력을 저차원", "하이퍼파라미터 선택, 모델 선택, early stopping")
"""Two dev answers people gave 5 of 5 that name none of the key concepts drafted for their
question (everyday words of its prose model answer): the off-topic rule capped both at 15 while
it read unreviewed concepts as it reads written ones."""


def test_right_answers_naming_no_drafted_concept_are_not_capped(
    tmp_path: Path, settings: ModelSettings
) -> None:
    dev = Path(__file__).parents[2] / "evaluators" / "data" / "graded_dev.jsonl"
    picked = [
        line
        for line in dev.read_text(encoding="utf-8").splitlines()
        if json.loads(line)["answer"].startswith(RIGHT_ANSWERS)
    ]
    assert len(picked) == len(RIGHT_ANSWERS)
    path, out = tmp_path / "right.jsonl", tmp_path / "graded.jsonl"
    path.write_text("\n".join(picked) + "\n", encoding="utf-8")
    assert main([str(path), "--as-team", "drafted", "--rows", str(out)], settings) == 0
    for row in map(json.loads, out.read_text().splitlines()):
        assert row["flags"] == [], row["answer"][:30]
        assert row["predicted"] >= 0.8 * row["score_max"], row["answer"][:30]
