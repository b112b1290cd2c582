"""Twin of the mlp-vs-cnn demo: a two-hidden-layer MLP and a two-conv CNN on the same digits,
the same batches and Adam, compared on test accuracy."""

from __future__ import annotations

import torch
from torch import nn

from compute.demos._digits import digits_split
from compute.demos.mlp_vs_cnn import MlpVsCnnParams
from tools.bench.plain._training import shuffled_batches, step


def train() -> dict[str, float]:
    p = MlpVsCnnParams()
    data = digits_split()
    x, y = torch.tensor(data.z_train).view(-1, 1, 8, 8), torch.tensor(data.y_train)
    x_test, y_test = torch.tensor(data.z_test).view(-1, 1, 8, 8), torch.tensor(data.y_test)
    h, c = p.mlp_hidden, p.cnn_channels
    torch.manual_seed(p.seed)  # once: the CNN's initial weights follow the MLP's in one stream
    models = {
        "mlp": nn.Sequential(
            nn.Flatten(),
            nn.Linear(64, h), nn.ReLU(), nn.Linear(h, h), nn.ReLU(), nn.Linear(h, 10),
        ),
        "cnn": nn.Sequential(
            nn.Conv2d(1, c, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(c, 2 * c, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(8 * c, 10),
        ),
    }  # fmt: skip
    accuracy = {}
    for name, model in models.items():
        optimizer = torch.optim.Adam(model.parameters(), lr=p.learning_rate)
        order = torch.Generator().manual_seed(p.seed)  # both models see the same batches
        for idx in shuffled_batches(len(x), p.batch_size, p.epochs, order):
            step(optimizer, nn.functional.cross_entropy(model(x[idx]), y[idx]))
        with torch.no_grad():
            accuracy[f"test_acc_{name}"] = float((model(x_test).argmax(1) == y_test).float().mean())
    return accuracy
