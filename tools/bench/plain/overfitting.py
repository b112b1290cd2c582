"""Twin of the overfitting demo: a wide MLP on the demo's class-balanced 100 digits, trained
full-batch with Adam three times from the same start (no regularisation, dropout, L2), watching
the validation loss."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from compute.demos._digits import digits_split, stratified_subset
from compute.demos.overfitting import OverfittingParams
from tools.bench.plain._training import step


def train() -> dict[str, float]:
    p = OverfittingParams()
    data = digits_split()
    dealt = stratified_subset(data.y_train, p.n_train, np.random.default_rng(p.seed))
    x, y = torch.tensor(data.z_train[dealt]), torch.tensor(data.y_train[dealt])
    x_val, y_val = torch.tensor(data.z_test), torch.tensor(data.y_test)
    val_losses: dict[str, list[float]] = {}
    for name, dropout, l2 in (("plain", 0.0, 0.0), ("dropout", p.dropout, 0.0), ("l2", 0.0, p.l2)):
        torch.manual_seed(p.seed)
        drop = [nn.Dropout(dropout)] if dropout else []
        model = nn.Sequential(
            nn.Linear(64, p.hidden), nn.ReLU(), *drop,
            nn.Linear(p.hidden, p.hidden), nn.ReLU(), *drop,
            nn.Linear(p.hidden, 10),
        )  # fmt: skip
        optimizer = torch.optim.Adam(model.parameters(), lr=p.learning_rate)
        weights = [m.weight for m in model if isinstance(m, nn.Linear)]
        val_losses[name] = []
        for _ in range(p.epochs):
            model.train()
            loss = nn.functional.cross_entropy(model(x), y)
            if l2:
                loss = loss + l2 * sum((w**2).sum() for w in weights)
            step(optimizer, loss)
            model.eval()
            with torch.no_grad():
                val_losses[name].append(float(nn.functional.cross_entropy(model(x_val), y_val)))
    plain = val_losses["plain"]
    return {
        "val_loss_rise_plain": plain[-1] - min(plain),
        "final_val_loss_dropout": val_losses["dropout"][-1],
        "final_val_loss_l2": val_losses["l2"][-1],
    }
