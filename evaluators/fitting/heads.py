"""Fitting one head of the calibration: training code, apart from the serving module that
reads the fitted numbers (`evaluators.calibration.Head`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from evaluators.calibration import Head, expand
from evaluators.fitting.logistic import fit_logistic

HINGE_QUANTILES = (0.25, 0.5, 0.75)


def fit_head(
    features: tuple[str, ...],
    rows: Sequence[Mapping[str, float]],
    targets: Sequence[float],
    *,
    c: float = 1.0,
) -> Head:
    """Logistic regression on soft targets in [0, 1]: each row enters twice, as a positive with
    weight y and a negative with weight 1 - y, which is cross-entropy on the fraction of marks."""
    raw = np.array([[row[name] for name in features] for row in rows], dtype=np.float64)
    knots = np.quantile(raw, HINGE_QUANTILES, axis=0).T  # one row of knots per feature
    xa = np.array([expand(list(r), knots.tolist()) for r in raw], dtype=np.float64)
    ya = np.clip(np.asarray(targets, dtype=np.float64), 0.0, 1.0)
    mean = xa.mean(axis=0)
    scale = xa.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = (xa - mean) / scale
    coef, intercept = fit_logistic(
        np.vstack([z, z]),
        np.concatenate([np.ones(len(z)), np.zeros(len(z))]),
        np.concatenate([ya, 1.0 - ya]) + 1e-6,
        c=c,
    )
    return Head(
        features=features,
        knots=tuple(tuple(float(k) for k in row) for row in knots),
        mean=tuple(float(v) for v in mean),
        scale=tuple(float(v) for v in scale),
        coef=tuple(float(v) for v in coef),
        intercept=intercept,
    )
