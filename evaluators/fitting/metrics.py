"""Agreement of predicted scores with human ones: Pearson, Spearman and RMSE on the rows' own
scale, and the mean signed error in points of 100."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from evaluators.fitting.correlation import pearson, spearman
from evaluators.fitting.rows import Row


@dataclass(frozen=True)
class Metrics:
    """Agreement with human grades on the 0..score_max scale; `bias`, the mean of predicted minus
    human, in points of 100 whatever the scale, so that groups on different scales (Korean and
    English answers, a lockbox) compare: correlation says whether the grader ranks a group's
    answers right, bias whether it grades the group as a whole too high or too low."""

    n: int
    pearson: float
    spearman: float
    rmse: float
    bias: float
    ms_per_answer: float
    correlated: bool
    """Whether the correlations are defined: two rows or more, and neither the predicted nor
    the human scores all the same. Where not, `pearson` and `spearman` hold the 0.0 that
    `correlation` gives for the fits' sake, which `quizmaster eval` shows as undefined."""

    def as_dict(self) -> dict[str, float | int]:
        return {
            "n": self.n,
            "pearson": round(self.pearson, 4),
            "spearman": round(self.spearman, 4),
            "rmse": round(self.rmse, 4),
            "bias": round(self.bias, 2),
            "ms_per_answer": round(self.ms_per_answer, 2),
        }


def metrics(predicted: Sequence[float], rows: Sequence[Row], elapsed_s: float = 0.0) -> Metrics:
    """Pearson, Spearman and RMSE of predicted fractions against human scores (0..score_max),
    and the bias in points of 100."""
    pred = np.array([p * r.score_max for p, r in zip(predicted, rows, strict=True)])
    gold = np.array([r.score for r in rows])
    linear = pearson(pred, gold)
    ranked = spearman(pred, gold)
    rmse = float(math.sqrt(np.mean((pred - gold) ** 2)))
    bias = float(100.0 * np.mean((pred - gold) / np.array([r.score_max for r in rows])))
    ms = 1000.0 * elapsed_s / max(1, len(rows))
    correlated = len(rows) >= 2 and bool(np.ptp(pred) > 0 and np.ptp(gold) > 0)
    return Metrics(len(rows), linear, ranked, rmse, bias, ms, correlated)
