"""The arithmetic of the quality table: ranking (AUC), the verdict boundary (macro-F1), concept
credit (precision, recall, F1) and bootstrap intervals that resample questions, not answers.

Answers to one question share its wording, its model answer and its difficulty, so they are not
independent draws: an interval that resampled answers would be far too narrow. Each resample
draws whole questions with replacement and keeps all their answers."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from evaluators.fitting.correlation import average_ranks

RESAMPLES = 1000
SEED = 59
LEVEL = 0.95

Indices = NDArray[np.intp]
Statistic = Callable[[Indices], float]
"""A figure computed on the rows at these indices (a resample repeats some and drops others)."""


@dataclass(frozen=True)
class Estimate:
    """A figure and its bootstrap interval (None where no resample could compute it)."""

    value: float
    low: float | None
    high: float | None


def auc(scores: ArrayLike, positive: ArrayLike) -> float:
    """The chance that a positive row outranks a negative one, ties counting a half (the
    Mann-Whitney U over both counts); NaN when either class is absent."""
    s = np.asarray(scores, dtype=np.float64)
    p = np.asarray(positive, dtype=bool)
    n_pos = int(p.sum())
    n_neg = len(p) - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = average_ranks(s)
    return float((ranks[p].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def f1(true_positive: float, false_positive: float, false_negative: float) -> float:
    """2TP / (2TP + FP + FN); 0 where there is nothing to count."""
    denominator = 2 * true_positive + false_positive + false_negative
    return 2 * true_positive / denominator if denominator else 0.0


def macro_f1(predicted: ArrayLike, actual: ArrayLike) -> float:
    """The mean of the F1 of the positive class and of the negative class."""
    pred = np.asarray(predicted, dtype=bool)
    gold = np.asarray(actual, dtype=bool)
    tp = int(np.sum(pred & gold))
    tn = int(np.sum(~pred & ~gold))
    fp = int(np.sum(pred & ~gold))
    fn = int(np.sum(~pred & gold))
    return (f1(tp, fp, fn) + f1(tn, fn, fp)) / 2


def precision(true_positive: float, false_positive: float) -> float:
    claimed = true_positive + false_positive
    return true_positive / claimed if claimed else 0.0


def recall(true_positive: float, false_negative: float) -> float:
    actual = true_positive + false_negative
    return true_positive / actual if actual else 0.0


def share_among(marked: NDArray[np.bool_], among: NDArray[np.bool_]) -> Statistic:
    """The share of the rows `among` holds that are `marked` (a flag on the full-marks answers,
    say); nan for a resample that holds none of them."""

    def statistic(rows: Indices) -> float:
        picked = marked[rows][among[rows]]
        return float(picked.mean()) if len(picked) else float("nan")

    return statistic


def question_groups(keys: Sequence[Hashable]) -> list[Indices]:
    """The row indices of each question, in the order questions first appear."""
    members: dict[Hashable, list[int]] = {}
    for index, key in enumerate(keys):
        members.setdefault(key, []).append(index)
    return [np.array(rows, dtype=np.intp) for rows in members.values()]


def estimate(
    statistic: Statistic,
    groups: Sequence[Indices],
    *,
    resamples: int = RESAMPLES,
    seed: int = SEED,
) -> Estimate:
    """`statistic` on every row, and its percentile interval over `resamples` draws of whole
    groups (questions) with replacement, from a fixed seed so a rerun prints the same interval."""
    everything = np.concatenate(groups) if groups else np.array([], dtype=np.intp)
    value = statistic(everything)
    rng = np.random.default_rng(seed)
    draws = []
    for _ in range(resamples):
        picked = rng.integers(0, len(groups), size=len(groups))
        draws.append(statistic(np.concatenate([groups[g] for g in picked])))
    finite = np.array([d for d in draws if np.isfinite(d)], dtype=np.float64)
    if not len(finite):
        return Estimate(value, None, None)
    tail = 100 * (1 - LEVEL) / 2
    low, high = np.percentile(finite, [tail, 100 - tail])
    return Estimate(value, float(low), float(high))
