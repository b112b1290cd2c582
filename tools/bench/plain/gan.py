"""Twin of the gan demo: a small generator and discriminator on a ring of 2-D Gaussians, one D
step and one non-saturating G step per iteration, Adam with beta1 = 0.5."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from compute.demos.gan import GanParams
from tools.bench.plain._training import step


def train() -> dict[str, float]:
    p = GanParams()
    torch.manual_seed(p.seed)
    rng = torch.Generator().manual_seed(p.seed)
    angles = torch.arange(p.modes, dtype=torch.float32) * 2 * np.pi / p.modes
    centers = 2.0 * torch.stack([angles.cos(), angles.sin()], dim=1)
    g = nn.Sequential(
        nn.Linear(p.noise_dim, p.hidden), nn.ReLU(),
        nn.Linear(p.hidden, p.hidden), nn.ReLU(),
        nn.Linear(p.hidden, 2),
    )  # fmt: skip
    d = nn.Sequential(
        nn.Linear(2, p.hidden), nn.LeakyReLU(0.2),
        nn.Linear(p.hidden, p.hidden), nn.LeakyReLU(0.2),
        nn.Linear(p.hidden, 1),
    )  # fmt: skip
    opt_g = torch.optim.Adam(g.parameters(), lr=p.learning_rate, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(d.parameters(), lr=p.learning_rate, betas=(0.5, 0.999))
    bce = nn.functional.binary_cross_entropy_with_logits
    real_label, fake_label = torch.ones(p.batch_size, 1), torch.zeros(p.batch_size, 1)
    eval_noise = torch.randn(2000, p.noise_dim, generator=rng)  # drawn first, as in the demo
    d_hist, g_hist = [], []
    for _ in range(p.steps):
        fake = g(torch.randn(p.batch_size, p.noise_dim, generator=rng))
        modes = torch.randint(0, p.modes, (p.batch_size,), generator=rng)
        real = centers[modes] + p.mode_std * torch.randn(p.batch_size, 2, generator=rng)
        d_loss = bce(d(real), real_label) + bce(d(fake.detach()), fake_label)
        step(opt_d, d_loss)
        g_loss = bce(d(fake), real_label)  # scored by the D just updated; only G steps on it
        step(opt_g, g_loss)
        d_hist.append(d_loss.item())
        g_hist.append(g_loss.item())
    with torch.no_grad():
        distance = torch.cdist(g(eval_noise), centers).min(dim=1).values
    tail = max(1, p.steps // 10)
    return {
        "near_mode_fraction": float((distance < 3 * p.mode_std).float().mean()),
        "d_loss_final": float(np.mean(d_hist[-tail:])),
        "g_loss_final": float(np.mean(g_hist[-tail:])),
    }
