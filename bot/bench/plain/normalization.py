"""Twin of the normalization demo: full-batch GD on a linear regression, raw vs standardised."""

from __future__ import annotations

import numpy as np

from compute.demos.normalization import NormalizationParams


def train() -> dict[str, float]:
    p = NormalizationParams()
    rng = np.random.default_rng(p.seed)
    area = rng.normal(3 * p.area_scale, p.area_scale, p.samples)
    rooms = rng.normal(3.0, 1.0, p.samples)
    price = 20.0 * area / p.area_scale + 15.0 * rooms + 10.0 + rng.normal(0, 5, p.samples)
    raw = np.c_[area, rooms]
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
