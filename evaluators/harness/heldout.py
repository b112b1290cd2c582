"""The round-4 held-out figures (`evaluators/data/heldout/`), one command each: what the grader
does with answers that say nothing, answers that misuse the model answer's words, paraphrases of
key concepts and natural answers in two languages.

These files are measured, never fitted on: this module only grades them with the calibration
already in use and counts. A figure here that picks a threshold, a feature or a model stops being
held out."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import numpy as np

from evaluators.fitting.correlation import pearson, spearman
from evaluators.harness.report import RowResult

HELDOUT_DIR = Path(__file__).resolve().parents[1] / "data" / "heldout"
HeldOutSet = Literal["non_answers", "wrong_claims", "paraphrases", "natural"]
HELD_OUT_SETS: tuple[HeldOutSet, ...] = ("non_answers", "wrong_claims", "paraphrases", "natural")
NON_ANSWER_CEILING = 10
"""Issue 48: an answer that says nothing scores at most this."""
WRONG_CLAIM_CEILING = 20
STRONG = 90
"""Natural answers people scored at least this are compared across languages by their mean."""

Figures = dict[str, float | int | str]


def held_out_path(name: HeldOutSet, folder: Path = HELDOUT_DIR) -> Path:
    return folder / f"{name}.jsonl"


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


REPORTS = {
    "non_answers": non_answers,
    "wrong_claims": wrong_claims,
    "paraphrases": paraphrases,
    "natural": natural,
}
