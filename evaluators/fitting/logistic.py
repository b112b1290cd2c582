"""L2-regularised logistic regression on weighted rows, and folds that keep a group together:
the two pieces of the calibration fit, in numpy.

Not scikit-learn: importing it (with scipy) costs a process much memory, and a bot that grades
through an embeddings server fits its calibration in its own process on first start with a new
model. The objective and the fold assignment are scikit-learn's own, and
`tests/evaluators/test_logistic.py` holds both to scikit-learn's results.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]

MAX_NEWTON_STEPS = 100
TOLERANCE = 1e-10


def _objective(x: Array, y: Array, weight: Array, c: float, beta: Array) -> float:
    """C times the weighted log-loss, plus half the squared weights (the intercept, last, is
    not penalised): scikit-learn's objective for `penalty="l2"`."""
    margin = x @ beta
    # log(1 + e^m) - y m, stably
    loss = np.logaddexp(0.0, margin) - y * margin
    return float(c * (weight @ loss) + 0.5 * (beta[:-1] @ beta[:-1]))


def fit_logistic(x: Array, y: Array, weight: Array, *, c: float = 1.0) -> tuple[Array, float]:
    """(coefficients, intercept) minimising `_objective` by Newton's method with a halving line
    search. The objective is strictly convex in the coefficients and, with both labels present,
    in the intercept, so the minimum is unique and a few steps reach it."""
    rows = x.shape[0]
    design = np.hstack([x, np.ones((rows, 1))])
    penalty = np.ones(design.shape[1])
    penalty[-1] = 0.0
    beta = np.zeros(design.shape[1])
    current = _objective(design, y, weight, c, beta)
    for _ in range(MAX_NEWTON_STEPS):
        p = 0.5 * (1.0 + np.tanh(0.5 * (design @ beta)))  # the logistic function, stably
        gradient = c * design.T @ (weight * (p - y)) + penalty * beta
        curvature = c * (weight * p * (1.0 - p))
        hessian = design.T @ (design * curvature[:, None]) + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        size = 1.0
        candidate = beta - step
        value = _objective(design, y, weight, c, candidate)
        while value > current and size > 1e-8:
            size /= 2
            candidate = beta - size * step
            value = _objective(design, y, weight, c, candidate)
        if value > current:
            break  # no step lowers the objective: at the minimum to rounding
        beta, current = candidate, value
        if float(np.max(np.abs(size * step))) < TOLERANCE:
            break
    return beta[:-1], float(beta[-1])


def group_folds(groups: Sequence[str], n_splits: int) -> Iterator[NDArray[np.intp]]:
    """The held-out indices of each fold, every group wholly in one: groups from the largest
    down, each to the fold with the fewest rows so far (scikit-learn's GroupKFold without
    shuffling, the same folds)."""
    names, index_of_group = np.unique(np.asarray(groups), return_inverse=True)
    sizes = np.bincount(index_of_group)
    order = np.argsort(sizes, kind="stable")[::-1]
    fold_rows = np.zeros(n_splits)
    fold_of_group = np.zeros(len(names), dtype=np.intp)
    for group in order:
        lightest = int(np.argmin(fold_rows))
        fold_rows[lightest] += sizes[group]
        fold_of_group[group] = lightest
    fold_of_row = fold_of_group[index_of_group]
    for fold in range(n_splits):
        yield np.flatnonzero(fold_of_row == fold)
