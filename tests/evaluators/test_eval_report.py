"""`quizmaster eval FILE --by lang|class --rows OUT.jsonl` as its own process: per-group figures
that follow from the rows it writes, with and without cross-validation, and clear errors."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

import pytest
from scipy.stats import pearsonr, spearmanr

from content.loader import load_bank
from evaluators.fitting.dev_set import DEV_SET_PATH, in_lockbox
from evaluators.model_settings import ModelSettings
from tests.cli_process import run_quizmaster
from tests.conftest import BUNDLED_MODEL
from tools.quality.cli import main

QUESTIONS = 4
FIELDS = {
    "question",
    "answer",
    "lang",
    "class",
    "score",
    "score_max",
    "predicted",
    "grade",
    "verdict",
    "covered",
    "missed",
    "flags",
    "feedback",
    "lockbox",
}


@pytest.fixture(scope="module")
def graded_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Answers to the dev set's first bank questions, Korean and English, each labelled with a
    class (here: its length) as a team would label its own kinds of answer."""
    rows = [json.loads(line) for line in DEV_SET_PATH.read_text(encoding="utf-8").splitlines()]
    questions = list(dict.fromkeys(row["question"] for row in rows))[:QUESTIONS]
    picked = [
        dict(row, **{"class": "long" if len(row["answer"]) > 40 else "short"})
        for row in rows
        if row["question"] in questions
    ]
    path = tmp_path_factory.mktemp("eval") / "graded.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in picked), "utf-8")
    return path


def run_eval(tmp_path: Path, cache_dir: Path, *args: str) -> tuple[str, dict[str, Any]]:
    env = {
        **os.environ,
        "QUIZMASTER_EMBEDDING_MODEL": BUNDLED_MODEL,
        "QUIZMASTER_EMBEDDING_DEVICE": "cpu",
        "QUIZMASTER_CACHE_DIR": str(cache_dir),
        "HF_HUB_OFFLINE": "1",
    }
    result = run_quizmaster(["eval", *args, "--json"], env=env, cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    return result.stdout, json.loads(lines[-1])


def read_rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def agreement(rows: list[dict[str, Any]]) -> tuple[float, float]:
    predicted = [r["predicted"] for r in rows]
    human = [r["score"] for r in rows]
    return float(pearsonr(predicted, human)[0]), float(spearmanr(predicted, human)[0])


def bias(rows: list[dict[str, Any]]) -> float:
    """Mean predicted minus human score, in points of 100."""
    return float(
        sum(100 * (r["predicted"] - r["score"]) / r["score_max"] for r in rows) / len(rows)
    )


def check_groups(summary: dict[str, Any], rows: list[dict[str, Any]], by: str) -> None:
    """Each group's printed figures are those of its rows in the rows file."""
    groups = summary[f"by_{by}"]
    assert sum(g["n"] for g in groups.values()) == len(rows)
    for name, figures in groups.items():
        members = [r for r in rows if r[by] == name]
        assert figures["n"] == len(members)
        pearson, spearman = agreement(members)
        assert figures["pearson"] == pytest.approx(pearson, abs=2e-3)
        assert figures["spearman"] == pytest.approx(spearman, abs=2e-3)
        assert figures["bias"] == pytest.approx(bias(members), abs=0.01)


@pytest.mark.heavy
def test_by_lang_and_class_match_the_rows_written(
    tmp_path: Path, graded_file: Path, warm_cache: Path
) -> None:
    out = tmp_path / "rows.jsonl"
    stdout, summary = run_eval(
        tmp_path, warm_cache, str(graded_file), "--by", "lang", "--by", "class", "--rows", str(out)
    )
    rows = read_rows(out)
    given = read_rows(graded_file)
    assert [(r["question"], r["answer"], r["score"]) for r in rows] == [
        (g["question"], g["answer"], g["score"]) for g in given
    ]
    assert all(set(r) == FIELDS for r in rows)
    assert set(summary) >= {"n", "pearson", "spearman", "rmse", "bias", "ms_per_answer"}
    assert summary["n"] == len(rows)
    assert summary["bias"] == pytest.approx(bias(rows), abs=0.01)
    pearson, spearman = agreement(rows)
    assert summary["pearson"] == pytest.approx(pearson, abs=2e-3)
    assert summary["spearman"] == pytest.approx(spearman, abs=2e-3)
    assert set(summary["by_lang"]) == {"ko", "en"}
    assert set(summary["by_class"]) == {"long", "short"}
    check_groups(summary, rows, "lang")
    check_groups(summary, rows, "class")
    assert f"lang=ko: n={summary['by_lang']['ko']['n']} " in stdout
    assert f"class=long: n={summary['by_class']['long']['n']} " in stdout
    # What a team reads to see where the grader disagrees: a grade, a verdict, the concepts.
    for row in rows:
        assert row["predicted"] == pytest.approx(row["grade"] / 100 * row["score_max"])
    assert {r["verdict"] for r in rows} >= {"correct", "incorrect"}
    assert any(r["covered"] for r in rows)
    assert any(r["missed"] for r in rows)
    idk = next(r for r in rows if r["answer"] == "모르겠어요")
    assert (idk["verdict"], idk["grade"], idk["covered"]) == ("no_answer", 0, [])


@pytest.mark.slow
def test_the_lockbox_is_reported_by_group_apart_from_the_tuning_part(
    tmp_path: Path, warm_cache: Path
) -> None:
    """A lockbox question's answers count only toward the lockbox, whose groups are printed
    beside the tuning part's: the lockbox's bias by language is a published figure."""
    bank = load_bank()
    rows = [json.loads(line) for line in DEV_SET_PATH.read_text(encoding="utf-8").splitlines()]
    prompts = {r["question"]: bank.find_by_text(r["question"]) for r in rows}
    boxed = [r for r in rows if (p := prompts[r["question"]]) is not None and in_lockbox(p)]
    first_boxed = list(dict.fromkeys(r["question"] for r in boxed))[:2]
    picked = [r for r in boxed if r["question"] in first_boxed]
    picked += [r for r in rows if r["question"] == rows[0]["question"]]
    graded = tmp_path / "graded.jsonl"
    graded.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in picked), "utf-8")
    out = tmp_path / "rows.jsonl"
    stdout, summary = run_eval(
        tmp_path, warm_cache, str(graded), "--by", "lang", "--rows", str(out)
    )
    written = read_rows(out)
    tuning = [r for r in written if not r["lockbox"]]
    lockbox = [r for r in written if r["lockbox"]]
    assert tuning and lockbox
    check_groups(summary, tuning, "lang")
    check_groups(summary["lockbox"], lockbox, "lang")
    assert summary["lockbox"]["bias"] == pytest.approx(bias(lockbox), abs=0.01)
    assert "  lockbox lang=" in stdout


@pytest.mark.slow
def test_cross_validated_rows_carry_the_cross_validated_predictions(
    tmp_path: Path, graded_file: Path, warm_cache: Path
) -> None:
    out = tmp_path / "cv-rows.jsonl"
    stdout, summary = run_eval(
        tmp_path, warm_cache, str(graded_file), "--cv", "--by", "lang", "--rows", str(out)
    )
    assert stdout.startswith("cross-validated by question")
    rows = read_rows(out)
    pearson, _ = agreement(rows)
    assert summary["pearson"] == pytest.approx(pearson, abs=2e-3)
    check_groups(summary, rows, "lang")
    assert "by_class" not in summary


def test_by_class_without_classes_is_an_error_naming_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "plain.jsonl"
    row = {"question": "q", "answer": "a", "score": 1, "score_max": 5, "reference": "r"}
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    settings = ModelSettings(model=BUNDLED_MODEL, device="cpu", cache_dir=tmp_path)
    assert main([str(path), "--by", "class"], settings) == 1
    assert '--by class needs rows with a "class" field' in capsys.readouterr().err


def test_a_rows_file_that_cannot_be_written_fails_before_grading(
    tmp_path: Path,
    graded_file: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The model named here does not exist: loading it would log a fallback warning, so its
    absence shows that nothing was loaded or graded."""
    caplog.set_level(logging.INFO, logger="quizmaster.evaluators")
    settings = ModelSettings(model="/no/such/model", device="cpu", cache_dir=tmp_path)
    out = tmp_path / "missing-folder" / "rows.jsonl"
    assert main([str(graded_file), "--rows", str(out)], settings) == 1
    assert f"{out}: cannot write" in capsys.readouterr().err
    assert not out.parent.exists()
    assert not caplog.records
