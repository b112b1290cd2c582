"""Twin of the local-minima demo: random-restart GD on a bumpy 1-D loss, then a small tanh MLP
trained on two moons with full-batch Adam."""

from __future__ import annotations

import numpy as np
import torch
from sklearn.datasets import make_moons
from torch import nn

from compute.demos.local_minima import LocalMinimaParams
from tools.bench.plain._training import step


def train() -> dict[str, float]:
    p = LocalMinimaParams()
    w = np.random.default_rng(p.seed).uniform(-6.0, 6.0, size=p.restarts)
    for _ in range(p.steps):
        w = w - p.lr * (3 * np.cos(3 * w) + 0.1 * w + 0.3 * np.cos(w))
    minima: list[float] = []
    for end in np.sort(w):  # ends within 0.05 of a cluster's first end are the same minimum
        if not minima or end - minima[-1] > 0.05:
            minima.append(end)

    x_np, y_np = make_moons(n_samples=300, noise=0.2, random_state=p.seed)
    x, y = torch.tensor(x_np, dtype=torch.float32), torch.tensor(y_np)
    torch.manual_seed(p.seed)
    net = nn.Sequential(nn.Linear(2, p.hidden), nn.Tanh(), nn.Linear(p.hidden, 2))
    optimizer = torch.optim.Adam(net.parameters(), lr=0.02)
    for _ in range(p.epochs):
        step(optimizer, nn.functional.cross_entropy(net(x), y))
    with torch.no_grad():
        trained_loss = float(nn.functional.cross_entropy(net(x), y))
    return {
        "distinct_minima": len(minima),
        "best_end_loss": float(np.min(np.sin(3 * w) + 0.05 * w**2 + 0.3 * np.sin(w))),
        "loss_trained": trained_loss,
    }
