"""Pearson and Spearman correlation in numpy, for the agreement figures of `eval` and of the
calibration a bot fits on its first start with a new model.

Not scipy.stats: importing it costs a bot that grades through an embeddings server a large
share of its memory. Ties get average ranks, as in
scipy's `spearmanr`; `tests/evaluators/test_logistic.py` holds both to scipy's results.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


def pearson(x: ArrayLike, y: ArrayLike) -> float:
    """Pearson's r; 0.0 where either side is constant (no linear relation to measure)."""
    a = np.asarray(x, dtype=np.float64)
    b = np.asarray(y, dtype=np.float64)
    if np.ptp(a) == 0 or np.ptp(b) == 0:
        return 0.0
    a, b = a - a.mean(), b - b.mean()
    return float(np.clip((a @ b) / np.sqrt((a @ a) * (b @ b)), -1.0, 1.0))


def average_ranks(values: ArrayLike) -> NDArray[np.float64]:
    """Ranks from 1, tied values sharing the mean of the ranks they span."""
    v = np.asarray(values, dtype=np.float64)
    order = np.argsort(v, kind="stable")
    _, first, counts = np.unique(v[order], return_index=True, return_counts=True)
    ranks = np.empty(len(v))
    ranks[order] = np.repeat(first + (counts + 1) / 2, counts)
    return ranks


def spearman(x: ArrayLike, y: ArrayLike) -> float:
    """Spearman's rho: Pearson's r of the average ranks."""
    return pearson(average_ranks(x), average_ranks(y))
