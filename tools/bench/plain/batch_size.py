"""Twin of the batch-size demo: the same small MLP trained by SGD with batches of 8, 32, 128 and
512, after measuring the spread of the mini-batch loss at the shared initial weights."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from compute.demos._digits import digits_split
from compute.demos.batch_size import BatchSizeParams
from tools.bench.plain._training import shuffled_batches, step


def train() -> dict[str, float]:
    p = BatchSizeParams()
    data = digits_split()
    x, y = torch.tensor(data.z_train), torch.tensor(data.y_train)
    result = {}
    for bs in (8, 32, 128, 512):
        torch.manual_seed(p.seed)
        model = nn.Sequential(nn.Linear(64, p.hidden), nn.ReLU(), nn.Linear(p.hidden, 10))
        optimizer = torch.optim.SGD(model.parameters(), lr=p.lr)
        order = torch.Generator().manual_seed(p.seed)  # draws the noise batches, then shuffles
        with torch.no_grad():
            noise = []
            for _ in range(64):
                idx = torch.randperm(len(x), generator=order)[:bs]
                noise.append(float(nn.functional.cross_entropy(model(x[idx]), y[idx])))
        for idx in shuffled_batches(len(x), bs, p.epochs, order):
            step(optimizer, nn.functional.cross_entropy(model(x[idx]), y[idx]))
        with torch.no_grad():
            result[f"final_train_loss_bs{bs}"] = float(nn.functional.cross_entropy(model(x), y))
        result[f"loss_noise_bs{bs}"] = float(np.std(noise))
    return {
        k: result[k] for k in ("loss_noise_bs8", "final_train_loss_bs8", "final_train_loss_bs512")
    }
