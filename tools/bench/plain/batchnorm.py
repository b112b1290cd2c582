"""Twin of the batchnorm demo: a deep ReLU MLP trained by SGD without and with BatchNorm, then
the BN model's test accuracy in eval mode against train mode on single-class batches (the
inference-mode pitfall)."""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from compute.demos._digits import digits_split
from compute.demos.batchnorm import BatchNormParams
from tools.bench.plain._training import shuffled_batches, step


def train() -> dict[str, float]:
    p = BatchNormParams()
    data = digits_split()
    x, y = torch.tensor(data.z_train), torch.tensor(data.y_train)
    result = {}
    for tag, use_bn in (("plain", False), ("bn", True)):
        torch.manual_seed(p.seed)
        layers: list[nn.Module] = []
        for i in range(p.depth):
            layers.append(nn.Linear(64 if i == 0 else p.width, p.width))
            layers += [nn.BatchNorm1d(p.width), nn.ReLU()] if use_bn else [nn.ReLU()]
        model = nn.Sequential(*layers, nn.Linear(p.width, 10))
        optimizer = torch.optim.SGD(model.parameters(), lr=p.learning_rate)
        order = torch.Generator().manual_seed(p.seed)
        losses = []
        for idx in shuffled_batches(len(x), p.batch_size, p.epochs, order):
            loss = nn.functional.cross_entropy(model(x[idx]), y[idx])
            step(optimizer, loss)
            losses.append(loss.item())
        last_epoch = losses[-math.ceil(len(x) / p.batch_size) :]
        result[f"final_train_loss_{tag}"] = float(np.mean(last_epoch))

    # The BN model, trained last: in eval mode one image at a time, then in train mode on batches
    # that each hold one digit, where BN normalises with the batch's own statistics.
    def correct(x_eval: torch.Tensor, y_eval: torch.Tensor, batch: int) -> int:
        hits = 0
        with torch.no_grad():
            for start in range(0, len(y_eval), batch):
                logits = model(x_eval[start : start + batch])
                hits += int((logits.argmax(1) == y_eval[start : start + batch]).sum())
        return hits

    x_test, y_test = torch.tensor(data.z_test), torch.tensor(data.y_test)
    model.eval()
    acc_eval = correct(x_test, y_test, 1) / len(y_test)
    model.train()
    by_digit = torch.argsort(y_test, stable=True)
    acc_single_class = correct(x_test[by_digit], y_test[by_digit], p.pitfall_batch) / len(y_test)
    result["eval_minus_train_mode_acc"] = acc_eval - acc_single_class
    return result
