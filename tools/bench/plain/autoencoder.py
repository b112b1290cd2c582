"""Twin of the autoencoder demo: three MLP autoencoders on digits, with a 1-, 2- and 8-unit
bottleneck, trained with Adam on the MSE of the reconstruction."""

from __future__ import annotations

import torch
from torch import nn

from compute.demos._digits import digits_split
from compute.demos.autoencoder import AutoencoderParams
from tools.bench.plain._training import shuffled_batches, step


def train() -> dict[str, float]:
    p = AutoencoderParams()
    data = digits_split()
    x, x_test = torch.tensor(data.x_train), torch.tensor(data.x_test)
    h = p.hidden
    test_mse = {}
    for latent in (1, 2, 8):
        torch.manual_seed(p.seed)  # every bottleneck starts from the same seed and batch order
        model = nn.Sequential(
            nn.Linear(64, h), nn.ReLU(), nn.Linear(h, h), nn.ReLU(), nn.Linear(h, latent),
            nn.Linear(latent, h), nn.ReLU(), nn.Linear(h, h), nn.ReLU(), nn.Linear(h, 64),
            nn.Sigmoid(),
        )  # fmt: skip
        optimizer = torch.optim.Adam(model.parameters(), lr=p.learning_rate)
        order = torch.Generator().manual_seed(p.seed)
        for idx in shuffled_batches(len(x), p.batch_size, p.epochs, order):
            step(optimizer, nn.functional.mse_loss(model(x[idx]), x[idx]))
        with torch.no_grad():
            test_mse[f"recon_mse_dim{latent}"] = float(
                nn.functional.mse_loss(model(x_test), x_test)
            )
    return test_mse
