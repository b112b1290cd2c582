"""The held-out figures (`evaluators/data/heldout/`), one command each: what the grader does with
answers that say nothing, answers that misuse the model answer's words, paraphrases of key
concepts, natural answers in two languages, and right answers beside their reversed twins.

These files are measured, never fitted on: this module only grades them with the calibration
already in use and counts. A figure here that picks a threshold, a feature or a model stops being
held out."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np

from content.loader import load_bank
from evaluators.fitting.correlation import pearson, spearman
from evaluators.fitting.rows import Row, read_jsonl, read_rows
from evaluators.service import EmbeddingGrader
from tools.quality.evaluation import evaluate
from tools.quality.report import RowResult
from tools.quality.team_banks import notes_bank

HELDOUT_DIR = Path(__file__).resolve().parents[2] / "evaluators" / "data" / "heldout"
HeldOutSet = Literal["non_answers", "wrong_claims", "paraphrases", "natural", "twins", "negations"]
HELD_OUT_SETS: tuple[HeldOutSet, ...] = (
    "non_answers",
    "wrong_claims",
    "paraphrases",
    "natural",
    "twins",
)
FILES: dict[HeldOutSet, str] = {"twins": "twin_claims.jsonl"}
"""Files not named after their set."""
ON_NOTES: frozenset[HeldOutSet] = frozenset({"twins"})
"""Sets with answers to the team notes' questions: graded with the notes imported beside the
seed bank, the others with the seed bank alone."""
NON_ANSWER_CEILING = 10
"""Issue 48: an answer that says nothing scores at most this."""
WRONG_CLAIM_CEILING = 20
STRONG = 90
"""Natural answers people scored at least this are compared across languages by their mean."""
APART = 20
"""A right answer and its reversed twin are told apart when the right one scores this many
points more."""

Figures = dict[str, float | int | str]


def held_out_path(name: HeldOutSet, folder: Path = HELDOUT_DIR) -> Path:
    return folder / FILES.get(name, f"{name}.jsonl")


def _pair(data: dict[str, Any], _line: str) -> int:
    return int(data["pair"])


def twin_pairs(path: Path) -> list[int]:
    """Each row's pair number, in file order."""
    return read_jsonl(path, _pair)


async def graded_sets(
    grader_for: Callable[[], EmbeddingGrader], by_set: Mapping[HeldOutSet, list[Row]]
) -> dict[HeldOutSet, list[RowResult]]:
    """Each set's rows graded live with the calibration in use: the sets on the team notes
    through the notes imported beside the seed bank, the others through the seed bank alone
    (`grader_for()` gives a fresh grader for each pass)."""
    graded: dict[HeldOutSet, list[RowResult]] = {}
    for on_notes in (False, True):
        names = [n for n in by_set if (n in ON_NOTES) == on_notes]
        if not names:
            continue
        rows = [row for name in names for row in by_set[name]]
        bank = notes_bank() if on_notes else load_bank()
        results = (await evaluate(grader_for(), rows, bank, cv=False)).results
        for name in names:
            graded[name], results = results[: len(by_set[name])], results[len(by_set[name]) :]
    return {name: graded[name] for name in by_set}


def read_sets(names: Sequence[HeldOutSet], folder: Path) -> dict[HeldOutSet, list[Row]]:
    return {name: read_rows(held_out_path(name, folder)) for name in names}


def _credited(result: RowResult) -> bool:
    return bool(result.grade.covered)


def _lang(result: RowResult) -> str:
    return result.row.lang or result.lang


def non_answers(results: Sequence[RowResult]) -> Figures:
    """Every one should score at most 10 and be credited with no concept."""
    scores = [r.grade.score for r in results]
    return {
        "n": len(results),
        "max": max(scores),
        "mean": round(float(np.mean(scores)), 1),
        "at_most_10": sum(s <= NON_ANSWER_CEILING for s in scores),
        "credited_a_concept": sum(_credited(r) for r in results),
    }


def wrong_claims(results: Sequence[RowResult]) -> Figures:
    """Right words, false claim: a mean of at most 20 and no concept credited."""
    scores = [r.grade.score for r in results]
    return {
        "n": len(results),
        "mean": round(float(np.mean(scores)), 1),
        "max": max(scores),
        "at_most_20": sum(s <= WRONG_CLAIM_CEILING for s in scores),
        "credited_a_concept": sum(_credited(r) for r in results),
    }


def paraphrases(results: Sequence[RowResult]) -> Figures:
    """The share of the concepts people say an answer states that the grader credits, overall
    and per language, with the mean score."""
    figures: Figures = {"n": len(results)}
    for lang in ("all", "en", "ko"):
        part = [r for r in results if lang == "all" or _lang(r) == lang]
        stated = sum(len(r.row.stated) for r in part)
        credited = sum(len(set(r.row.stated) & set(r.grade.covered)) for r in part)
        figures[f"{lang}_stated"] = stated
        figures[f"{lang}_credited"] = credited
        figures[f"{lang}_share"] = round(credited / stated, 3) if stated else 0.0
        if part:
            figures[f"{lang}_mean_score"] = round(float(np.mean([r.grade.score for r in part])), 1)
    return figures


def natural(results: Sequence[RowResult]) -> Figures:
    """Per language: agreement (Spearman, Pearson), the mean signed error, and the mean score of
    the answers people gave 90 or more (English should sit within 5 points of Korean)."""
    figures: Figures = {"n": len(results)}
    for lang in ("all", "en", "ko"):
        part = [r for r in results if lang == "all" or _lang(r) == lang]
        if len(part) < 2:
            continue
        predicted = np.array([r.grade.score for r in part], dtype=np.float64)
        people = np.array([100 * r.row.score / r.row.score_max for r in part])
        strong = predicted[people >= STRONG]
        figures[f"{lang}_n"] = len(part)
        figures[f"{lang}_spearman"] = round(spearman(predicted, people), 4)
        figures[f"{lang}_pearson"] = round(pearson(predicted, people), 4)
        figures[f"{lang}_bias"] = round(float(np.mean(predicted - people)), 1)
        figures[f"{lang}_strong_n"] = len(strong)
        if len(strong):
            figures[f"{lang}_strong_mean"] = round(float(strong.mean()), 1)
    return figures


def twins(results: Sequence[RowResult], pairs: Sequence[int]) -> Figures:
    """Right answers against their reversed twins: the mean of each, and how many pairs the
    grader tells apart (the right one 20 or more points above its twin)."""
    right = _by_pair(results, pairs, "right")
    reversed_ = _by_pair(results, pairs, "reversed")
    both = sorted(set(right) & set(reversed_))
    apart = sum(right[p] - reversed_[p] >= APART for p in both)
    return {
        "n": len(results),
        "pairs": len(both),
        "right_mean": round(float(np.mean(list(right.values()))), 1),
        "reversed_mean": round(float(np.mean(list(reversed_.values()))), 1),
        "apart_20": apart,
        "apart_share": round(apart / len(both), 3) if both else 0.0,
    }


def _by_pair(results: Sequence[RowResult], pairs: Sequence[int], which: str) -> dict[int, int]:
    return {
        pair: r.grade.score
        for r, pair in zip(results, pairs, strict=True)
        if r.row.answer_class == which
    }


def report(name: HeldOutSet, results: Sequence[RowResult], folder: Path) -> Figures:
    """The figures of one graded set (the twins' pairs read from their file)."""
    if name == "twins":
        return twins(results, twin_pairs(held_out_path(name, folder)))
    return REPORTS[name](results)


REPORTS = {
    "non_answers": non_answers,
    "wrong_claims": wrong_claims,
    "paraphrases": paraphrases,
    "natural": natural,
}
