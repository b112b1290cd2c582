"""Twin of the optimizers demo: four torch optimizers descending the ravine 0.01 x^2 + 2 y^2."""

from __future__ import annotations

import torch

from compute.demos.optimizers import BASE_LR, OptimizersParams
from tools.bench.plain._training import step


def train() -> dict[str, float]:
    p = OptimizersParams()
    lrs = {name: lr * p.lr_scale for name, lr in BASE_LR[p.surface].items()}
    finals = {}
    for name, make in (
        ("sgd", lambda w: torch.optim.SGD([w], lr=lrs["sgd"])),
        ("momentum", lambda w: torch.optim.SGD([w], lr=lrs["momentum"], momentum=p.momentum)),
        ("rmsprop", lambda w: torch.optim.RMSprop([w], lr=lrs["rmsprop"], alpha=0.9)),
        ("adam", lambda w: torch.optim.Adam([w], lr=lrs["adam"])),
    ):
        w = torch.tensor([-9.0, 2.0], dtype=torch.float64, requires_grad=True)
        optimizer = make(w)
        for _ in range(p.steps):
            step(optimizer, 0.01 * w[0] ** 2 + 2.0 * w[1] ** 2)
        finals[f"final_loss_{name}"] = (0.01 * w[0] ** 2 + 2.0 * w[1] ** 2).item()
    return {k: finals[k] for k in ("final_loss_sgd", "final_loss_momentum", "final_loss_adam")}
