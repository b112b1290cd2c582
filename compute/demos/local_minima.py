"""Local minima: where gradient descent ends depends on where it starts, and what the loss of a
real network looks like along one line through its weights.

Left: random restarts on a bumpy 1-D loss, each rolling into the nearest valley. Right: a small
MLP trained on two moons, its loss along the straight line from the initial to the trained
weights, and along a random direction through the trained weights.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import torch
from pydantic import Field
from sklearn.datasets import make_moons
from torch import Tensor, nn
from torch.nn.utils import parameters_to_vector, vector_to_parameters

from compute.catalog import Demo, DemoParams, DemoResult, MetricValue, ProgressFn
from compute.demos._figures import new_figure, to_png
from compute.demos._plot import style_panels

Array = npt.NDArray[np.float64]
DOMAIN = (-6.0, 6.0)
"""Where restarts begin; descent itself may leave it (the 0.05 w^2 term keeps it bounded)."""


class LocalMinimaParams(DemoParams):
    """Restarts on f(w) = sin(3w) + 0.05 w^2 + 0.3 sin(w), then one small net's loss slices."""

    restarts: int = Field(default=12, ge=1, le=100, description="random starting points")
    lr: float = Field(default=0.02, gt=0.0, le=0.2, description="step size of the restarts")
    steps: int = Field(default=300, ge=10, le=5000, description="GD steps per restart")
    epochs: int = Field(default=300, ge=10, le=3000, description="full-batch Adam steps")
    hidden: int = Field(default=16, ge=2, le=128, description="hidden units of the net")


def bumpy(w: Array) -> Array:
    return np.sin(3 * w) + 0.05 * w**2 + 0.3 * np.sin(w)


def bumpy_slope(w: Array) -> Array:
    return 3 * np.cos(3 * w) + 0.1 * w + 0.3 * np.cos(w)


def restarts(p: LocalMinimaParams) -> tuple[Array, Array]:
    """All restarts at once: (starts, ends)."""
    rng = np.random.default_rng(p.seed)
    starts = rng.uniform(*DOMAIN, size=p.restarts)
    w = starts.copy()
    for _ in range(p.steps):
        w = w - p.lr * bumpy_slope(w)
    return starts, w


def distinct(values: Array, tolerance: float = 0.05) -> list[float]:
    """Cluster end points closer than `tolerance` into one minimum."""
    found: list[float] = []
    for v in np.sort(values):
        if not found or v - found[-1] > tolerance:
            found.append(float(v))
    return found


def _net(hidden: int, seed: int) -> nn.Sequential:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(2, hidden), nn.Tanh(), nn.Linear(hidden, 2))


def loss_slices(p: LocalMinimaParams, progress: ProgressFn) -> dict[str, Array]:
    """Train, then evaluate the loss along init->trained and along a random direction."""
    x_np, y_np = make_moons(n_samples=300, noise=0.2, random_state=p.seed)
    x = torch.tensor(x_np, dtype=torch.float32)
    y = torch.tensor(y_np, dtype=torch.int64)
    model = _net(p.hidden, p.seed)
    loss_fn = nn.CrossEntropyLoss()
    start = parameters_to_vector(model.parameters()).detach().clone()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.02)
    for epoch in range(p.epochs):
        loss: Tensor = loss_fn(model(x), y)
        optimizer.zero_grad()
        loss.backward()  # type: ignore[no-untyped-call]
        optimizer.step()
        if epoch % 50 == 0:
            progress(0.2 + 0.5 * epoch / p.epochs, f"training, epoch {epoch}")
    trained = parameters_to_vector(model.parameters()).detach().clone()
    generator = torch.Generator().manual_seed(p.seed)
    direction = torch.randn(trained.shape, generator=generator)
    direction *= (trained - start).norm() / direction.norm()

    def loss_at(vector: Tensor) -> float:
        vector_to_parameters(vector, model.parameters())
        with torch.no_grad():
            return float(loss_fn(model(x), y))

    alphas = np.linspace(-0.25, 1.25, 61)
    ts = np.linspace(-1.0, 1.0, 61)
    return {
        "alpha": alphas,
        "interpolation": np.array([loss_at(start + a * (trained - start)) for a in alphas]),
        "t": ts,
        "random": np.array([loss_at(trained + t * direction) for t in ts]),
    }


def run(params: DemoParams, progress: ProgressFn) -> DemoResult:
    p = LocalMinimaParams.model_validate(params.model_dump())
    starts, ends = restarts(p)
    minima = distinct(ends)
    grid = np.linspace(min(DOMAIN[0], ends.min()), max(DOMAIN[1], ends.max()), 800)
    global_w = float(grid[np.argmin(bumpy(grid))])
    at_global = float(np.mean(np.abs(ends - global_w) < 0.1))
    progress(0.2, "training the net")
    slices = loss_slices(p, progress)

    progress(0.8, "plotting")
    fig = new_figure(3, width=5.0, height=4.3)
    ax_r, ax_i, ax_d = fig.axes
    ax_r.plot(grid, bumpy(grid), color="black", linewidth=1.5, label="f(w)")
    ax_r.plot(starts, bumpy(starts), "o", mfc="none", color="tab:blue", label="시작 / starts")
    ax_r.plot(ends, bumpy(ends), "o", color="tab:red", label="도착 / ends")
    for s, e in zip(starts, ends, strict=True):
        ax_r.annotate(
            "",
            xy=(e, bumpy(np.array(e))),
            xytext=(s, bumpy(np.array(s))),
            arrowprops={"arrowstyle": "->", "color": "gray", "alpha": 0.5},
        )
    ax_r.plot(
        [global_w], [bumpy(np.array(global_w))], "k*", markersize=14, label="전역 최솟값 / global"
    )
    ax_r.set_title(f"무작위 재시작 {p.restarts}회 / {p.restarts} random restarts")
    ax_r.set_xlabel("파라미터 w / parameter w")
    ax_r.set_ylabel("손실 f(w) / loss f(w)")

    interp = slices["interpolation"]
    ax_i.plot(slices["alpha"], interp, color="tab:purple")
    ax_i.axvline(0.0, color="gray", linestyle=":", label="초기 / init (0)")
    ax_i.axvline(1.0, color="black", linestyle="--", label="학습 후 / trained (1)")
    ax_i.set_title("초기->학습 가중치 직선 위 손실 / init->trained")
    ax_i.set_xlabel("보간 계수 α / interpolation α")
    ax_i.set_ylabel("학습 손실 / training loss")

    random_slice = slices["random"]
    ax_d.plot(slices["t"], random_slice, color="tab:green")
    ax_d.axvline(0.0, color="black", linestyle="--", label="학습 후 / trained")
    ax_d.set_title("무작위 방향 단면 / random direction slice")
    ax_d.set_xlabel("이동 거리 t / step t along direction")
    ax_d.set_ylabel("학습 손실 / training loss")
    style_panels(*fig.axes)
    image = to_png(fig)

    alphas = slices["alpha"]
    inside = (alphas >= 0) & (alphas <= 1)
    chord = interp[inside][0] + (interp[inside][-1] - interp[inside][0]) * alphas[inside]
    centre = len(random_slice) // 2
    metrics: dict[str, MetricValue] = {
        "distinct_minima": len(minima),
        "minima_found": minima,
        "global_minimum_w": global_w,
        "fraction_at_global": at_global,
        "best_end_loss": float(bumpy(ends).min()),
        "worst_end_loss": float(bumpy(ends).max()),
        "loss_init": float(interp[np.argmin(np.abs(alphas))]),
        "loss_trained": float(random_slice[centre]),
        "interpolation_max_bump": float(np.max(interp[inside] - chord)),
        "random_slice_min_at_trained": bool(np.argmin(random_slice) == centre),
        "random_slice_rise": float(min(random_slice[0], random_slice[-1]) - random_slice[centre]),
    }
    progress(1.0, "done")
    return DemoResult(
        images=[image],
        metrics=metrics,
        summary_ko=(
            f"울퉁불퉁한 손실에서 경사 하강법을 {p.restarts}번 다른 곳에서 시작하니 서로 다른 "
            f"최솟값 {len(minima)}곳에 도착했고, 전역 최솟값에 닿은 비율은 {at_global:.0%}입니다: "
            "어디서 시작하느냐가 도착점을 정합니다. 작은 신경망은 손실을 "
            f"{metrics['loss_init']:.3f}에서 {metrics['loss_trained']:.3f}로 낮췄고, 초기→학습 "
            "직선과 무작위 방향 단면에서 학습된 점은 골짜기 바닥에 놓입니다."
        ),
        summary_en=(
            f"Gradient descent restarted from {p.restarts} random points on a bumpy loss ends in "
            f"{len(minima)} different minima; {at_global:.0%} of runs reach the global one: the "
            "start decides the end. A small net's loss falls from "
            f"{metrics['loss_init']:.3f} to {metrics['loss_trained']:.3f}; along the "
            "init-to-trained line and a random direction the trained point sits in a valley."
        ),
    )


DEMO = Demo(
    name="local-minima",
    title_ko="지역 최솟값과 손실 지형",
    title_en="Local minima and the loss landscape",
    description_ko=(
        "울퉁불퉁한 1차원 손실에서 무작위 재시작 경사 하강법이 찾는 최솟값들과, 작은 신경망의 "
        "손실을 초기→학습 가중치 직선과 무작위 방향으로 자른 단면을 보여 줍니다."
    ),
    description_en=(
        "Shows the minima that randomly restarted gradient descent finds on a bumpy 1-D loss, "
        "and slices of a small network's loss along init-to-trained and a random direction."
    ),
    params=LocalMinimaParams,
    run=run,
    expected_seconds=4.0,
    prompt_ids=("q02.3", "q03", "q03.1", "q03.2"),
)
