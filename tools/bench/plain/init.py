"""Twin of the init demo: one forward pass of deep tanh and ReLU stacks per weight init."""

from __future__ import annotations

import numpy as np

from compute.demos.init import InitParams


def train() -> dict[str, float]:
    p = InitParams()
    x = np.random.default_rng(p.seed).standard_normal((p.samples, p.width))
    stds = {
        "zero": 0.0,
        "small": p.small_std,
        "xavier": np.sqrt(2 / (2 * p.width)),
        "he": np.sqrt(2 / p.width),
    }
    last_std: dict[str, float] = {}
    for activation in ("tanh", "relu"):
        for k, (init, std) in enumerate(stds.items()):
            rng = np.random.default_rng(p.seed + 1 + k)
            h = x
            for _ in range(p.layers):
                w = rng.normal(0, std, (p.width, p.width)) if std else np.zeros((p.width,) * 2)
                h = np.tanh(h @ w) if activation == "tanh" else np.maximum(h @ w, 0.0)
            last_std[f"last_std_{init}_{activation}"] = float(h.std())
    return {
        k: last_std[k] for k in ("last_std_xavier_tanh", "last_std_xavier_relu", "last_std_he_relu")
    }
