"""Gradient descent on a one-parameter loss at a small, a good and a too-large learning rate.

Left panel: the U-shaped loss L(w) with parameter w on the horizontal axis and loss on the
vertical axis, the tangent at the start (its slope is the gradient), and each run's steps. Right
panel: the training curve (loss against iteration), the other graph people confuse it with.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pydantic import Field

from compute.catalog import Demo, DemoParams, DemoResult, MetricValue, ProgressFn
from compute.demos._figures import new_figure, to_png
from compute.demos._plot import log_scale, style_panels

MINIMUM_W = 1.0
_DIVERGED_LOSS = 1e6
"""Stop a run once its loss passes this: it is diverging, and larger numbers plot nothing new."""


class GradientDescentParams(DemoParams):
    """L(w) = (w - 1)^2, so GD multiplies the distance to the minimum by (1 - 2 lr) each step:
    it converges for lr < 1 and diverges beyond."""

    lr_small: float = Field(default=0.05, gt=0.0, le=5.0, description="a too-small learning rate")
    lr_good: float = Field(default=0.3, gt=0.0, le=5.0, description="a well-chosen learning rate")
    lr_large: float = Field(default=1.05, gt=0.0, le=5.0, description="a too-large learning rate")
    steps: int = Field(default=20, ge=1, le=200, description="gradient steps per run")
    w0: float = Field(default=-2.0, ge=-10.0, le=10.0, description="starting parameter value")


def loss(w: float) -> float:
    return (w - MINIMUM_W) ** 2


def gradient(w: float) -> float:
    return 2.0 * (w - MINIMUM_W)


@dataclass(frozen=True)
class Run:
    lr: float
    ws: list[float]
    losses: list[float]
    diverged: bool


def descend(lr: float, w0: float, steps: int) -> Run:
    """Plain GD; a run that ends with a higher loss than it started with has diverged."""
    ws, losses = [w0], [loss(w0)]
    for _ in range(steps):
        w = ws[-1] - lr * gradient(ws[-1])
        ws.append(w)
        losses.append(loss(w))
        if losses[-1] > _DIVERGED_LOSS:
            break
    diverged = losses[-1] > losses[0]
    return Run(lr, ws, losses, diverged)


def run(params: DemoParams, progress: ProgressFn) -> DemoResult:
    p = GradientDescentParams.model_validate(params.model_dump())
    runs = {
        "small": descend(p.lr_small, p.w0, p.steps),
        "good": descend(p.lr_good, p.w0, p.steps),
        "large": descend(p.lr_large, p.w0, p.steps),
    }
    progress(0.3, "plotting")
    labels = {"small": "작은 / small", "good": "적당한 / good", "large": "큰 / large"}
    colors = {"small": "tab:blue", "good": "tab:green", "large": "tab:red"}

    fig = new_figure(2, width=6.5, height=4.8)
    ax_w, ax_t = fig.axes
    reach = max(abs(p.w0 - MINIMUM_W) * 1.5, 1.5)
    top = reach**2 * 1.05
    grid = np.linspace(MINIMUM_W - reach, MINIMUM_W + reach, 400)
    ax_w.plot(grid, (grid - MINIMUM_W) ** 2, color="black", linewidth=1.5, label="L(w) = (w-1)^2")
    slope = gradient(p.w0)
    tangent = np.linspace(p.w0 - reach / 3, p.w0 + reach / 3, 20)
    ax_w.plot(
        tangent,
        loss(p.w0) + slope * (tangent - p.w0),
        color="gray",
        linestyle="--",
        label=f"접선 기울기 = gradient = {slope:g} / tangent slope",
    )
    for key, r in runs.items():
        ax_w.plot(
            r.ws,
            r.losses,
            "o-",
            color=colors[key],
            markersize=4,
            alpha=0.8,
            linewidth=1,
            label=f"{labels[key]} lr={r.lr:g}",
        )
    ax_w.plot([MINIMUM_W], [0.0], "k*", markersize=12, label="최솟값 / minimum")
    ax_w.set_xlim(MINIMUM_W - reach, MINIMUM_W + reach)
    ax_w.set_ylim(-0.05 * top, top)
    ax_w.set_xlabel("파라미터 w (가중치) / parameter w (weight)")
    ax_w.set_ylabel("손실 L(w) / loss L(w)")
    ax_w.set_title("손실 곡선: 가로축 = 파라미터, 세로축 = 손실")
    ax_w.legend(fontsize=8, loc="upper center")
    style_panels(ax_w)

    for key, r in runs.items():
        suffix = " (발산 / diverged)" if r.diverged else ""
        ax_t.plot(
            range(len(r.losses)),
            np.maximum(r.losses, 1e-12),
            "o-",
            color=colors[key],
            markersize=3,
            label=f"{labels[key]} lr={r.lr:g}{suffix}",
        )
    log_scale(ax_t)
    ax_t.set_xlabel("반복 횟수 / iteration")
    ax_t.set_ylabel("손실 (로그 축) / loss (log scale)")
    ax_t.set_title("학습 곡선: 가로축 = 반복, 세로축 = 손실")
    style_panels(ax_t)
    image = to_png(fig)

    metrics: dict[str, MetricValue] = {"critical_lr": 1.0, "initial_loss": loss(p.w0)}
    for key, r in runs.items():
        metrics[f"lr_{key}"] = r.lr
        metrics[f"final_loss_{key}"] = r.losses[-1]
        metrics[f"final_w_{key}"] = r.ws[-1]
        metrics[f"diverged_{key}"] = r.diverged
    progress(1.0, "done")
    small, good, large = runs["small"], runs["good"], runs["large"]
    return DemoResult(
        images=[image],
        metrics=metrics,
        summary_ko=(
            f"L(w)=(w-1)²에서 w={p.w0:g}부터 {p.steps}번 내려갑니다. 왼쪽 그림의 가로축은 "
            "파라미터 w, 세로축은 그 w에서의 손실이고, 접선의 기울기가 gradient입니다. "
            f"lr={small.lr:g}는 느리게(최종 손실 {small.losses[-1]:.3g}), lr={good.lr:g}는 빠르게"
            f"({good.losses[-1]:.3g}) 수렴하고, lr={large.lr:g}는 "
            + ("최솟값을 건너뛰며 발산합니다" if large.diverged else "진동하며 수렴합니다")
            + f"({large.losses[-1]:.3g}). 이 손실에서는 lr이 1을 넘으면 발산합니다."
        ),
        summary_en=(
            f"Gradient descent on L(w)=(w-1)² from w={p.w0:g} for {p.steps} steps. In the left "
            "plot the horizontal axis is the parameter w and the vertical axis the loss at that "
            "w; the tangent's slope is the gradient. "
            f"lr={small.lr:g} converges slowly (final loss {small.losses[-1]:.3g}), "
            f"lr={good.lr:g} quickly ({good.losses[-1]:.3g}), and lr={large.lr:g} "
            + ("overshoots and diverges" if large.diverged else "oscillates but converges")
            + f" ({large.losses[-1]:.3g}). On this loss any lr above 1 diverges."
        ),
    )


DEMO = Demo(
    name="gradient-descent",
    title_ko="경사 하강법과 학습률",
    title_en="Gradient descent and the learning rate",
    description_ko=(
        "U자 손실 L(w) 위에서 작은/적당한/큰 학습률로 경사 하강법을 실행합니다. 가로축은 "
        "파라미터 w, 세로축은 손실이며, 반복에 따른 손실 곡선도 함께 그립니다."
    ),
    description_en=(
        "Runs gradient descent on a U-shaped loss L(w) with a small, a good and a too-large "
        "learning rate: parameter w on the horizontal axis, loss on the vertical, plus the "
        "loss-versus-iteration curve."
    ),
    params=GradientDescentParams,
    run=run,
    expected_seconds=2.0,
    prompt_ids=("q02", "q02.1", "q02.2", "q02.3", "q02.4", "q02.5", "q02.6", "q03", "q09", "q09.1"),
)
