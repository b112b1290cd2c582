"""Twin of the normalization demo: full-batch GD on a linear regression, raw vs standardised,
on the demo's own houses."""

from __future__ import annotations

import numpy as np

from compute.demos.normalization import NormalizationParams, houses


def train() -> dict[str, float]:
    p = NormalizationParams()
    raw, price = houses(p)
    result: dict[str, float] = {}
    for name, features in (("raw", raw), ("standardized", (raw - raw.mean(0)) / raw.std(0))):
        xs = np.c_[features, np.ones(p.samples)]
        lr = 1 / np.linalg.eigvalsh(2 / p.samples * xs.T @ xs)[-1]  # largest stable step
        best_w = np.linalg.lstsq(xs, price, rcond=None)[0]
        threshold = np.mean((xs @ best_w - price) ** 2) * (1 + p.tolerance)
        w = np.zeros(3)
        reached = p.max_steps + 1  # what the demo reports for "never"
        for step in range(1, p.max_steps + 1):
            w = w - lr * 2 / p.samples * xs.T @ (xs @ w - price)
            if reached > p.max_steps and np.mean((xs @ w - price) ** 2) <= threshold:
                reached = step
        result[f"steps_to_threshold_{name}"] = reached
        if name == "raw":
            result["final_loss_raw"] = float(np.mean((xs @ w - price) ** 2))
    return result
