"""SGD, momentum, RMSprop and Adam on a two-parameter loss, using the real torch optimizers.

On a long narrow valley plain SGD zigzags across and crawls along it; momentum builds speed along
the valley; RMSprop and Adam rescale each coordinate by its recent gradient size.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import numpy as np
import torch
from pydantic import Field
from torch import Tensor

from compute.catalog import Demo, DemoParams, DemoResult, MetricValue, ProgressFn
from compute.demos._figures import new_figure, to_png
from compute.demos._plot import log_scale, style_panels

Surface = Literal["ravine", "rosenbrock"]
_DIVERGED = 1e12


def ravine(x: Tensor, y: Tensor) -> Tensor:
    """An ill-conditioned bowl (curvatures 0.02 and 4, condition number 200): minimum 0 at (0, 0).
    Plain SGD's step is capped by the steep direction (lr < 2/4), so along the shallow one it
    shrinks x by under 1% a step and is still far from the minimum after 150 steps."""
    return 0.01 * x**2 + 2.0 * y**2


def rosenbrock(x: Tensor, y: Tensor) -> Tensor:
    """A curved banana-shaped valley: minimum 0 at (1, 1)."""
    return (1 - x) ** 2 + 100.0 * (y - x**2) ** 2


SURFACES: dict[
    str, tuple[Callable[[Tensor, Tensor], Tensor], tuple[float, float], tuple[float, float]]
] = {
    "ravine": (ravine, (-9.0, 2.0), (0.0, 0.0)),
    "rosenbrock": (rosenbrock, (-1.5, 2.0), (1.0, 1.0)),
}
BASE_LR: dict[str, dict[str, float]] = {
    "ravine": {"sgd": 0.45, "momentum": 0.1, "rmsprop": 0.1, "adam": 0.3},
    "rosenbrock": {"sgd": 0.001, "momentum": 0.0005, "rmsprop": 0.005, "adam": 0.05},
}
COLORS = {"sgd": "tab:red", "momentum": "tab:orange", "rmsprop": "tab:green", "adam": "tab:blue"}


class OptimizersParams(DemoParams):
    """Each optimizer uses a learning rate tuned for the surface, times `lr_scale`."""

    surface: Surface = Field(default="ravine", description="ravine (bowl) or rosenbrock")
    steps: int = Field(default=150, ge=5, le=2000, description="optimizer steps")
    lr_scale: float = Field(default=1.0, gt=0.0, le=20.0, description="multiplies every lr")
    momentum: float = Field(default=0.9, ge=0.0, lt=1.0, description="momentum coefficient")


def _optimizer(name: str, point: Tensor, lr: float, momentum: float) -> torch.optim.Optimizer:
    if name == "sgd":
        return torch.optim.SGD([point], lr=lr)
    if name == "momentum":
        return torch.optim.SGD([point], lr=lr, momentum=momentum)
    if name == "rmsprop":
        return torch.optim.RMSprop([point], lr=lr, alpha=0.9)
    return torch.optim.Adam([point], lr=lr)


def trajectory(
    surface: Surface, name: str, p: OptimizersParams
) -> tuple[np.ndarray, list[float], bool]:
    """Points visited and losses; a run that blows up stops early and is flagged."""
    f, start, _ = SURFACES[surface]
    point = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    optimizer = _optimizer(name, point, BASE_LR[surface][name] * p.lr_scale, p.momentum)
    points, losses = [point.detach().clone().numpy()], []
    diverged = False
    for _ in range(p.steps):
        optimizer.zero_grad()
        loss = f(point[0], point[1])
        losses.append(loss.item())
        if not np.isfinite(losses[-1]) or losses[-1] > _DIVERGED:
            losses[-1] = _DIVERGED
            diverged = True
            break
        loss.backward()  # type: ignore[no-untyped-call]
        optimizer.step()
        points.append(point.detach().clone().numpy())
    if not diverged:
        final = f(point[0], point[1]).item()
        diverged = not np.isfinite(final) or final > _DIVERGED
        losses.append(min(final, _DIVERGED) if np.isfinite(final) else _DIVERGED)
    return np.array(points), losses, diverged


def run(params: DemoParams, progress: ProgressFn) -> DemoResult:
    p = OptimizersParams.model_validate(params.model_dump())
    f, start, minimum = SURFACES[p.surface]
    runs = {}
    for i, name in enumerate(COLORS):
        progress(0.6 * i / len(COLORS), name)
        runs[name] = trajectory(p.surface, name, p)

    progress(0.7, "plotting")
    fig = new_figure(2, width=6.2, height=4.8)
    ax_c, ax_l = fig.axes
    if p.surface == "ravine":
        xs, ys = np.linspace(-10, 10, 300), np.linspace(-3, 3, 200)
    else:
        xs, ys = np.linspace(-2, 2, 300), np.linspace(-1, 3, 200)
    gx, gy = np.meshgrid(xs, ys)
    gz = f(torch.from_numpy(gx), torch.from_numpy(gy)).numpy()
    levels = np.geomspace(max(gz.min(), 1e-3), gz.max(), 18)
    ax_c.contour(gx, gy, gz, levels=levels, colors="gray", linewidths=0.6, alpha=0.7)
    for name, (points, _, _) in runs.items():
        inside = points[(np.abs(points[:, 0]) < 1e3) & (np.abs(points[:, 1]) < 1e3)]
        ax_c.plot(
            inside[:, 0],
            inside[:, 1],
            ".-",
            color=COLORS[name],
            markersize=2,
            linewidth=1,
            label=name,
        )
    ax_c.plot(*start, "ko", markersize=6, label="시작 / start")
    ax_c.plot(*minimum, "k*", markersize=12, label="최솟값 / minimum")
    ax_c.set_xlim(xs[0], xs[-1])
    ax_c.set_ylim(ys[0], ys[-1])
    ax_c.set_title(f"등고선 위 경로 / paths on contours ({p.surface})")
    ax_c.set_xlabel("파라미터 w1 / parameter w1")
    ax_c.set_ylabel("파라미터 w2 / parameter w2")
    for name, (_, losses, diverged) in runs.items():
        label = name + (" (발산 / diverged)" if diverged else "")
        ax_l.plot(np.maximum(losses, 1e-16), color=COLORS[name], label=label)
    log_scale(ax_l)
    ax_l.set_title("손실 곡선 / loss curves")
    ax_l.set_xlabel("스텝 / step")
    ax_l.set_ylabel("손실 (로그) / loss (log)")
    style_panels(*fig.axes)
    image = to_png(fig)

    metrics: dict[str, MetricValue] = {}
    for name, (points, losses, diverged) in runs.items():
        metrics[f"final_loss_{name}"] = losses[-1]
        metrics[f"diverged_{name}"] = diverged
        distance = float(np.hypot(*(points[-1] - np.array(minimum))))
        metrics[f"final_distance_{name}"] = distance if np.isfinite(distance) else _DIVERGED
    best = min(runs, key=lambda n: runs[n][1][-1])
    metrics["best_optimizer"] = best
    progress(1.0, "done")
    finals = ", ".join(f"{n} {runs[n][1][-1]:.2g}" for n in runs)
    return DemoResult(
        images=[image],
        metrics=metrics,
        summary_ko=(
            f"{p.surface} 곡면에서 {p.steps} 스텝 후 최종 손실: {finals}. "
            f"가장 낮은 것은 {best}입니다. "
            "SGD는 가파른 방향으로 지그재그하며 완만한 방향으로는 느리게 가고, 모멘텀은 골짜기를 "
            "따라 속도를 붙이며, RMSprop과 Adam은 좌표마다 최근 기울기 크기로 나눠 보폭을 맞춥니다."
        ),
        summary_en=(
            f"After {p.steps} steps on the {p.surface} surface the final losses are: {finals}; "
            f"lowest: {best}. SGD zigzags across the steep direction and crawls along the "
            "shallow one, momentum builds speed along the valley, and RMSprop and Adam divide "
            "each coordinate's step by its recent gradient size."
        ),
    )


DEMO = Demo(
    name="optimizers",
    title_ko="옵티마이저 비교: SGD, 모멘텀, RMSprop, Adam",
    title_en="Optimizers compared: SGD, momentum, RMSprop, Adam",
    description_ko=(
        "좁고 긴 골짜기(또는 Rosenbrock) 손실 위에서 네 옵티마이저의 경로를 등고선에 그리고 "
        "손실 곡선을 비교합니다."
    ),
    description_en=(
        "Draws the paths of four optimizers over the contours of a narrow valley (or "
        "Rosenbrock) loss and compares their loss curves."
    ),
    params=OptimizersParams,
    run=run,
    expected_seconds=3.0,
    prompt_ids=("x10", "q02.4", "q03.1", "q09", "q09.3"),
)
