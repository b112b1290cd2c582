"""Twin of the relu-approx demo: least-squares weights for k evenly placed ReLU kinks on sin(x)."""

from __future__ import annotations

import numpy as np

from compute.demos.relu_approx import ReluApproxParams


def train() -> dict[str, float]:
    p = ReluApproxParams()
    knots = np.linspace(-np.pi, np.pi, p.k + 1)[:-1]

    def design(x: np.ndarray) -> np.ndarray:
        return np.hstack([np.ones((len(x), 1)), np.maximum(0.0, x[:, None] - knots)])

    x = np.linspace(-np.pi, np.pi, p.points)
    weights = np.linalg.lstsq(design(x), np.sin(x), rcond=None)[0]
    dense = np.linspace(-np.pi, np.pi, 1000)
    error = design(dense) @ weights - np.sin(dense)
    return {"mse": float(np.mean(error**2)), "max_abs_error": float(np.max(np.abs(error)))}
