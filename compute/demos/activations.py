"""Sigmoid, tanh, ReLU and LeakyReLU: their shapes, their derivatives, and what the derivative
does to gradients flowing back through a deep network.

Sigmoid's derivative is at most 0.25, so each layer shrinks the backpropagated gradient and the
first layers of a deep sigmoid net barely learn (vanishing gradients); ReLU's is 1 where active.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import numpy as np
import torch
from pydantic import Field
from torch import Tensor, nn

from compute.catalog import Demo, DemoParams, DemoResult, MetricValue, ProgressFn
from compute.demos._figures import new_figure, to_png
from compute.demos._plot import log_scale, style_panels

ACTIVATIONS: dict[str, Callable[[], nn.Module]] = {
    "sigmoid": nn.Sigmoid,
    "tanh": nn.Tanh,
    "relu": nn.ReLU,
    "leaky_relu": lambda: nn.LeakyReLU(0.1),
}
COLORS = {"sigmoid": "tab:red", "tanh": "tab:orange", "relu": "tab:blue", "leaky_relu": "tab:green"}


class ActivationsParams(DemoParams):
    """A deep, narrow MLP at initialisation: one backward pass shows each layer's gradient."""

    depth: int = Field(default=10, ge=2, le=40, description="hidden layers")
    width: int = Field(default=64, ge=8, le=512, description="units per hidden layer")
    batch: int = Field(default=256, ge=8, le=4096, description="random inputs per pass")
    init: Literal["he", "xavier"] = Field(
        default="xavier", description="weight init shared by all four nets"
    )


def _mlp(activation: str, p: ActivationsParams) -> nn.Sequential:
    torch.manual_seed(p.seed)
    layers: list[nn.Module] = []
    width_in = p.width
    for _ in range(p.depth):
        linear = nn.Linear(width_in, p.width)
        if p.init == "he":
            nn.init.kaiming_normal_(linear.weight, nonlinearity="relu")
        else:
            nn.init.xavier_normal_(linear.weight)
        nn.init.zeros_(linear.bias)
        layers += [linear, ACTIVATIONS[activation]()]
    layers.append(nn.Linear(p.width, 1))
    return nn.Sequential(*layers)


def layer_gradient_norms(activation: str, p: ActivationsParams) -> list[float]:
    """L2 norm of dLoss/dW for each hidden layer, first to last, after one backward pass."""
    model = _mlp(activation, p)
    generator = torch.Generator().manual_seed(p.seed + 1)
    x = torch.randn(p.batch, p.width, generator=generator)
    y = torch.randn(p.batch, 1, generator=generator)
    loss: Tensor = nn.functional.mse_loss(model(x), y)
    loss.backward()  # type: ignore[no-untyped-call]
    linears = [m for m in model if isinstance(m, nn.Linear)][:-1]
    return [float(m.weight.grad.norm()) if m.weight.grad is not None else 0.0 for m in linears]


def run(params: DemoParams, progress: ProgressFn) -> DemoResult:
    p = ActivationsParams.model_validate(params.model_dump())
    x = torch.linspace(-5.0, 5.0, 401, requires_grad=True)
    curves: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for name, make in ACTIVATIONS.items():
        y = make()(x)
        (slope,) = torch.autograd.grad(y.sum(), x)
        curves[name] = (y.detach().numpy(), slope.numpy())
    norms: dict[str, list[float]] = {}
    for i, name in enumerate(ACTIVATIONS):
        progress(0.1 + 0.6 * i / len(ACTIVATIONS), f"backward through {name}")
        norms[name] = layer_gradient_norms(name, p)

    progress(0.75, "plotting")
    xs = x.detach().numpy()
    fig = new_figure(3, width=5.0, height=4.2)
    ax_f, ax_d, ax_g = fig.axes
    for name, (values, slopes) in curves.items():
        style = "--" if name == "leaky_relu" else "-"
        ax_f.plot(xs, values, style, color=COLORS[name], label=name)
        ax_d.plot(xs, slopes, style, color=COLORS[name], label=name)
    ax_f.set_ylim(-1.5, 3.0)
    ax_f.set_title("활성화 함수 / activation functions")
    ax_f.set_xlabel("입력 z / input z")
    ax_f.set_ylabel("출력 f(z) / output f(z)")
    ax_d.axhline(0.25, color="tab:red", linestyle=":", linewidth=1, label="sigmoid 최대 0.25")
    ax_d.set_title("도함수 / derivatives f'(z)")
    ax_d.set_xlabel("입력 z / input z")
    ax_d.set_ylabel("기울기 f'(z) / slope f'(z)")
    layers = np.arange(1, p.depth + 1)
    for name, per_layer in norms.items():
        ax_g.plot(
            layers, np.maximum(per_layer, 1e-30), "o-", color=COLORS[name], markersize=3, label=name
        )
    log_scale(ax_g)
    ax_g.set_title(f"층별 기울기 크기 / gradient norm per layer ({p.init} init)")
    ax_g.set_xlabel("층 (1 = 입력 쪽) / layer (1 = nearest the input)")
    ax_g.set_ylabel("||dL/dW|| (로그 / log)")
    style_panels(*fig.axes)
    image = to_png(fig)

    metrics: dict[str, MetricValue] = {}
    for name, per_layer in norms.items():
        metrics[f"grad_norm_first_layer_{name}"] = per_layer[0]
        metrics[f"grad_norm_last_layer_{name}"] = per_layer[-1]
        metrics[f"grad_norm_per_layer_{name}"] = per_layer
    metrics["max_derivative_sigmoid"] = float(curves["sigmoid"][1].max())
    ratio = norms["relu"][0] / max(norms["sigmoid"][0], 1e-30)
    metrics["first_layer_ratio_relu_to_sigmoid"] = ratio
    progress(1.0, "done")
    return DemoResult(
        images=[image],
        metrics=metrics,
        summary_ko=(
            f"{p.depth}층 MLP에서 한 번 역전파했을 때 첫 층의 기울기 크기는 sigmoid "
            f"{norms['sigmoid'][0]:.2g}, tanh {norms['tanh'][0]:.2g}, ReLU {norms['relu'][0]:.2g}, "
            f"LeakyReLU {norms['leaky_relu'][0]:.2g}입니다. sigmoid의 도함수는 최대 0.25라 층을 "
            f"지날 때마다 기울기가 줄어, 첫 층에서는 ReLU보다 {ratio:.2g}배 작습니다(기울기 소실)."
        ),
        summary_en=(
            f"One backward pass through a {p.depth}-layer MLP gives first-layer gradient norms of "
            f"sigmoid {norms['sigmoid'][0]:.2g}, tanh {norms['tanh'][0]:.2g}, ReLU "
            f"{norms['relu'][0]:.2g}, LeakyReLU {norms['leaky_relu'][0]:.2g}. Sigmoid's "
            "derivative is at most 0.25, so every layer shrinks the gradient: at the first layer "
            f"it is {ratio:.2g} times smaller than with ReLU (vanishing gradients)."
        ),
    )


DEMO = Demo(
    name="activations",
    title_ko="활성화 함수와 기울기 소실",
    title_en="Activation functions and vanishing gradients",
    description_ko=(
        "sigmoid, tanh, ReLU, LeakyReLU와 그 도함수를 그리고, 깊은 MLP에서 층마다 기울기 "
        "크기가 어떻게 변하는지 비교합니다."
    ),
    description_en=(
        "Plots sigmoid, tanh, ReLU and LeakyReLU with their derivatives, and compares the "
        "gradient norm at each layer of a deep MLP."
    ),
    params=ActivationsParams,
    run=run,
    expected_seconds=3.0,
    prompt_ids=("x02", "x04", "x08", "q01", "q01.1", "q01.2", "q01.3"),
)
