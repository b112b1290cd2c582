"""Twin of the activations demo: one backward pass through a deep Xavier-initialised MLP per
activation, measuring the gradient that reaches the first layer."""

from __future__ import annotations

import torch
from torch import nn

from compute.demos.activations import ActivationsParams


def train() -> dict[str, float]:
    p = ActivationsParams()
    first_layer = {}
    for name, act in (
        ("sigmoid", nn.Sigmoid),
        ("tanh", nn.Tanh),
        ("relu", nn.ReLU),
        ("leaky_relu", lambda: nn.LeakyReLU(0.1)),
    ):
        torch.manual_seed(p.seed)
        linears: list[nn.Linear] = []
        for _ in range(p.depth):  # each layer is re-initialised right away: same RNG order
            linears.append(nn.Linear(p.width, p.width))
            nn.init.xavier_normal_(linears[-1].weight)
            nn.init.zeros_(linears[-1].bias)
        layers = [layer for linear in linears for layer in (linear, act())]
        model = nn.Sequential(*layers, nn.Linear(p.width, 1))
        g = torch.Generator().manual_seed(p.seed + 1)
        x, y = torch.randn(p.batch, p.width, generator=g), torch.randn(p.batch, 1, generator=g)
        torch.autograd.backward(nn.functional.mse_loss(model(x), y))
        grad = linears[0].weight.grad
        assert grad is not None  # backward just filled it
        first_layer[name] = float(grad.norm())
    return {f"grad_norm_first_layer_{n}": first_layer[n] for n in ("sigmoid", "tanh", "relu")}
