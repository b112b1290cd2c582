"""`quizmaster eval quality` on tiny files in the real data sets' formats, written here (no test
reads `../shared/data`), through the real grader on the bundled model: the figures of each data
set, the one line for a data set that is absent, and the gate against a baseline."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from evaluators.model_settings import ModelSettings
from tests.conftest import BUNDLED_MODEL
from tools.quality import quality_table
from tools.quality.cli import main
from tools.quality.quality_stats import Estimate
from tools.quality.quality_table import Figure, falls, markdown, merged

CIRCUITS = {
    "Why does bulb A stay lit when bulb B burns out?": (
        "Bulb A is still in a closed path with the battery.",
        "Bulb A remains in a closed path with the battery.",
        "Bulb A is no longer in a closed path with the battery.",
    ),
    "What does a voltage reading of 0 tell you?": (
        "The two terminals are connected, with no gap between them.",
        "There is no gap between the two terminals, they are connected.",
        "The two terminals are separated by a gap.",
    ),
    "Why is there no current in the circuit?": (
        "The switch is open, so there is a gap in the path.",
        "There is a gap in the path because the switch is open.",
        "The switch is closed, so the path is complete.",
    ),
}
UNRELATED = ("I like the colour of the wires.", "We did this lab on a Tuesday.")
VAGUE = (
    "It has to do with the battery.",
    "Something about the battery in the circuit.",
    "The battery is the reason.",
)
"""On-topic answers that say nothing: the teachers call them incorrect, which the grader alone
does not know and the team's grades of the first two teach it for the third."""
SPLITS = ("train", "test-unseen-answers")


def _semeval_rows() -> list[dict[str, Any]]:
    """Per question, train: the reference twice and its paraphrase (correct), a reversal of it
    (contradictory), two vague and two unrelated sentences (incorrect); test-unseen-answers: the
    reference and the reversal again, and two answers train does not have (the reference said
    the other way round, correct; the third vague one, incorrect)."""
    rows = []
    for number, (question, (reference, paraphrase, reversal)) in enumerate(CIRCUITS.items()):
        by_split = {
            "train": [
                (reference, "correct"),
                (reference, "correct"),
                (paraphrase, "correct"),
                (reversal, "contradictory"),
                *((text, "incorrect") for text in (*VAGUE[:2], *UNRELATED)),
            ],
            "test-unseen-answers": [
                (reference, "correct"),
                (reversal, "contradictory"),
                (f"{reference} That is why.", "correct"),
                (VAGUE[2], "incorrect"),
            ],
        }
        for split, answers in by_split.items():
            for index, (answer, label) in enumerate(answers):
                rows.append(
                    {
                        "id": f"{split}-{number}-{index}",
                        "corpus": "beetle",
                        "split": split,
                        "qid": f"Q{number}",
                        "question": question,
                        "reference": reference,
                        "answer": answer,
                        "label_2way": "correct" if label == "correct" else "incorrect",
                        "label_3way": label,
                        "score": float(label == "correct"),
                        "score_max": 1.0,
                    }
                )
    return rows


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("shared-data")
    lines = [json.dumps(row) for row in _semeval_rows()]
    (folder / "semeval2013_dev.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def settings(embedding_cache: Path) -> ModelSettings:
    """The bundled model on the session's cache, where the default bank's vectors already are
    when another test encoded them."""
    return ModelSettings(model=BUNDLED_MODEL, device="cpu", cache_dir=embedding_cache)


def _quality(
    args: list[str], settings: ModelSettings, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str]:
    code = main(["quality", *args], settings)
    return code, capsys.readouterr().out


def _empty_baseline(folder: Path) -> Path:
    """A baseline with no figure: the table is measured and nothing is gated."""
    path = folder / "empty-baseline.json"
    path.write_text(json.dumps({"figures": []}), encoding="utf-8")
    return path


def _report(path: Path) -> dict[str, dict[str, Any]]:
    return {f["key"]: f for f in json.loads(path.read_text(encoding="utf-8"))["figures"]}


def test_semeval_figures_per_corpus_and_split(
    data: Path, settings: ModelSettings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = tmp_path / "report.json"
    args = ["--only", "semeval", "--data", str(data), "--out", str(out_file)]
    args += ["--baseline", str(_empty_baseline(tmp_path))]
    code, out = _quality(args, settings, capsys)
    assert code == 0
    figures = _report(out_file)
    slugs = ["auc", "f1_50", "f1_65", "mean_correct", "mean_contradictory"]
    slugs += ["mean_incorrect", "reversed_correct", "reversed_contradictory", "cosine_auc"]
    taught = ["auc", "f1_50", "f1_65", "mean_correct", "mean_contradictory", "mean_incorrect"]
    taught += ["alone_auc", "alone_f1_50", "alone_f1_65"]
    groups = ["purity", "purity_2way", "grouped", "size", "mixed"]
    assert set(figures) == {
        *(f"semeval/beetle/{s}/{slug}" for s in SPLITS for slug in slugs),
        *(f"semeval/beetle/train/taught_5/{slug}" for slug in taught),
        *(f"semeval/beetle/test-unseen-answers/taught_train/{slug}" for slug in taught),
        *(f"semeval/beetle/train/groups/{slug}" for slug in groups),
    }
    train = {slug: figures[f"semeval/beetle/train/{slug}"] for slug in slugs}
    assert train["auc"]["n"] == 24 and train["auc"]["gated"]
    assert train["mean_correct"]["n"] == 9 and train["mean_contradictory"]["n"] == 3
    # The correct answers are the reference word for word (cosine 1) and its paraphrase: the
    # bare cosine ranks nearly all of them first.
    assert train["cosine_auc"]["value"] > 0.9
    assert train["mean_correct"]["value"] > train["mean_incorrect"]["value"]
    # The reference itself never reads as its own reversal; the reversals written above do.
    assert train["reversed_correct"]["value"] == 0.0
    assert train["reversed_contradictory"]["value"] > 0.5
    assert train["reversed_contradictory"]["n"] == 3
    for figure in figures.values():
        if figure["n"]:
            assert figure["low"] <= figure["value"] <= figure["high"]
    assert "| semeval | Beetle, train | AUC, grade vs 2-way label | 24 |" in out


def test_semeval_answers_graded_with_the_teachers_labels_as_team_grades(
    data: Path, settings: ModelSettings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = tmp_path / "report.json"
    args = ["--only", "semeval", "--data", str(data), "--out", str(out_file)]
    code, _ = _quality([*args, "--baseline", str(_empty_baseline(tmp_path))], settings, capsys)
    assert code == 0
    figures = _report(out_file)
    protocol = "semeval/beetle/train/taught_5"
    # 7 distinct answers a question, 5 graded: the other 2 of each of the 3 are measured.
    assert figures[f"{protocol}/auc"]["n"] == 6 and figures[f"{protocol}/auc"]["gated"]
    slugs = ["auc", "f1_50", "alone_auc", "alone_f1_50", "mean_incorrect", "mean_contradictory"]
    unseen = {
        slug: figures[f"semeval/beetle/test-unseen-answers/taught_train/{slug}"] for slug in slugs
    }
    # Only the two new answers a question count: the reference and the reversal are graded.
    assert unseen["auc"]["n"] == 6 and unseen["mean_incorrect"]["n"] == 3
    assert unseen["mean_contradictory"]["n"] == 0
    # Alone, the grader puts the vague answer at the verdict or above; the team's grades of the
    # two vague answers like it take it below.
    assert unseen["alone_f1_50"]["value"] < unseen["f1_50"]["value"]
    assert unseen["mean_incorrect"]["value"] < 50
    assert not unseen["alone_auc"]["gated"]


def test_an_absent_data_set_is_skipped_with_one_line(
    settings: ModelSettings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "no-data"
    empty.mkdir()
    code, out = _quality(
        ["--only", "semeval", "--data", str(empty), "--out", str(tmp_path / "r.json")],
        settings,
        capsys,
    )
    assert code == 0
    assert [line for line in out.splitlines() if "skipped" in line] == [
        f"semeval: skipped, semeval2013_dev.jsonl not in {empty}"
    ]
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["figures"] == []


def test_the_gate_fails_a_figure_below_its_baseline_interval(
    data: Path, settings: ModelSettings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    baseline = tmp_path / "quality.json"
    common = ["--only", "semeval", "--data", str(data), "--baseline", str(baseline)]
    common += ["--out", str(tmp_path / "report.json")]
    assert _quality([*common, "--save-baseline"], settings, capsys)[0] == 0
    code, out = _quality(common, settings, capsys)
    assert code == 0 and "no gated figure below" in out
    saved = json.loads(baseline.read_text(encoding="utf-8"))
    for figure in saved["figures"]:
        if figure["key"] == "semeval/beetle/train/auc":
            figure["low"] = figure["value"] + 0.01
    baseline.write_text(json.dumps(saved), encoding="utf-8")
    code, out = _quality(common, settings, capsys)
    assert code == 1
    assert "gate: 1 figure(s) below the baseline's interval:" in out
    below = [line for line in out.splitlines() if "is below the baseline" in line]
    assert len(below) == 1 and "Beetle, train · AUC, grade vs 2-way label" in below[0]


def _figure(key: str, value: float, low: float, high: float, *, gated: bool = True) -> Figure:
    data_set = key.split("/", maxsplit=1)[0]
    return Figure(key, data_set, "part", key, 10, Estimate(value, low, high), gated)


def test_falls_judge_gated_figures_against_the_lower_end_only() -> None:
    baseline = [_figure("a/x", 0.80, 0.75, 0.85), _figure("a/y", 0.5, 0.4, 0.6, gated=False)]
    now = [
        _figure("a/x", 0.76, 0.7, 0.8),  # lower, but inside the interval: holds
        _figure("a/y", 0.1, 0.0, 0.2, gated=False),  # shown, not gated
        _figure("a/z", 0.1, 0.0, 0.2),  # not in the baseline
    ]
    assert falls(now, baseline) == []
    fell = falls([_figure("a/x", 0.74, 0.7, 0.8)], baseline)
    assert [f.now.key for f in fell] == ["a/x"]
    assert "**below**" in markdown([_figure("a/x", 0.74, 0.7, 0.8)], baseline)


def test_a_baseline_refreshed_for_one_data_set_keeps_the_others() -> None:
    baseline = [_figure("a/x", 0.8, 0.7, 0.9), _figure("b/x", 0.5, 0.4, 0.6)]
    fresh = [_figure("a/x", 0.9, 0.8, 1.0)]
    assert merged(baseline, fresh) == [baseline[1], fresh[0]]


def test_a_figure_over_no_answer_reads_back_from_a_report(tmp_path: Path) -> None:
    """A mean over no answer (no answer with that label) is written as null and read back as
    nothing measured, not refused: a baseline holding one stays a baseline."""
    path = tmp_path / "report.json"
    empty = Figure("a/mean", "a", "part", "mean grade", 0, Estimate(float("nan"), None, None))
    quality_table.write_report(path, [empty, _figure("a/x", 0.8, 0.7, 0.9)], {"commit": "x"})
    read = quality_table.read_report(path)
    assert [f.key for f in read] == ["a/mean", "a/x"]
    assert math.isnan(read[0].value) and read[0].estimate.low is None
    assert read[1].value == 0.8
