"""Twin of the losses demo: odd-vs-even digits from a confidently wrong start (output bias -6),
one small MLP trained by SGD with BCE and one with MSE on the sigmoid output."""

from __future__ import annotations

import torch
from torch import nn

from compute.demos._digits import digits_split
from compute.demos.losses import LossesParams
from tools.bench.plain._training import shuffled_batches, step


def train() -> dict[str, float]:
    p = LossesParams()
    data = digits_split()
    x, y = torch.tensor(data.z_train), torch.tensor(data.y_train % 2).float()
    x_test, y_test = torch.tensor(data.z_test), torch.tensor(data.y_test % 2).float()
    result = {}
    for tag, criterion in (
        ("bce", nn.functional.binary_cross_entropy_with_logits),
        ("mse", lambda z, target: nn.functional.mse_loss(torch.sigmoid(z), target)),
    ):
        torch.manual_seed(p.seed)
        hidden, out = nn.Linear(64, p.hidden), nn.Linear(p.hidden, 1)
        nn.init.constant_(out.bias, p.init_bias)
        model = nn.Sequential(hidden, nn.ReLU(), out)
        optimizer = torch.optim.SGD(model.parameters(), lr=p.learning_rate)
        order = torch.Generator().manual_seed(p.seed)
        for idx in shuffled_batches(len(x), p.batch_size, p.epochs, order):
            step(optimizer, criterion(model(x[idx]).squeeze(1), y[idx]))
        with torch.no_grad():
            probs = torch.sigmoid(model(x_test).squeeze(1))
        result[f"test_acc_{tag}"] = float(((probs > 0.5).float() == y_test).float().mean())
        result[f"test_mse_{tag}_trained"] = float(nn.functional.mse_loss(probs, y_test))
    return {k: result[k] for k in ("test_acc_bce", "test_acc_mse", "test_mse_bce_trained")}
