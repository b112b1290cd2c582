"""Input normalisation: gradient descent on raw vs standardised features.

A linear regression on two features of very different scale (area in m² and number of rooms) has
a long, narrow loss valley, so the largest stable learning rate is set by the steep direction and
progress along the flat one crawls. Standardising the features makes the contours nearly round and
the same problem converges in a handful of steps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from matplotlib.axes import Axes
from pydantic import Field

from compute.catalog import Demo, DemoParams, DemoResult, ProgressFn
from compute.demos._figures import new_figure, to_png
from compute.demos._plot import log_scale, style_panels

Array = npt.NDArray[np.float64]


class NormalizationParams(DemoParams):
    """House prices from area and rooms; `area_scale` controls how badly the scales differ."""

    samples: int = Field(default=200, ge=20, le=5000, description="houses in the data set")
    area_scale: float = Field(
        default=10.0,
        ge=1.0,
        le=100.0,
        description="standard deviation of the area feature (its mean is 3x this); rooms has 1",
    )
    max_steps: int = Field(default=5000, ge=10, le=50000, description="gradient-descent steps")
    tolerance: float = Field(
        default=0.05,
        gt=0.0,
        le=1.0,
        description="loss threshold: (1 + tolerance) x the minimum loss",
    )


@dataclass(frozen=True)
class _Run:
    design: Array  # features plus a column of ones
    learning_rate: float
    condition: float
    optimum: Array
    losses: list[float]
    path: Array  # (steps + 1, 3): w_area, w_rooms, bias
    steps_to_threshold: int | None


def houses(p: NormalizationParams) -> tuple[Array, Array]:
    """The data set, drawn from `p.seed`: (area and rooms per house, price)."""
    rng = np.random.default_rng(p.seed)
    area = rng.normal(3 * p.area_scale, p.area_scale, p.samples)
    rooms = rng.normal(3.0, 1.0, p.samples)
    # Area's effect on the price is the same whatever its units, so only the scaling varies.
    price = 20.0 * area / p.area_scale + 15.0 * rooms + 10.0 + rng.normal(0, 5, p.samples)
    return np.c_[area, rooms], price


def _mse(design: Array, target: Array, w: Array) -> float:
    return float(np.mean((design @ w - target) ** 2))


_LOSS_CHUNK = 1024


def _losses(design: Array, target: Array, weights: Array) -> Array:
    """The loss at every step, a chunk of steps per matrix product: per-step loss calls cost the
    demo as much as the descent itself (`quizmaster bench demos`)."""
    return np.concatenate(
        [
            np.mean((design @ chunk.T - target[:, None]) ** 2, axis=0)
            for chunk in np.array_split(weights, max(1, -(-len(weights) // _LOSS_CHUNK)))
        ]
    )


def _descend(
    features: Array, target: Array, p: NormalizationParams, progress: ProgressFn, base: float
) -> _Run:
    """Full-batch GD from zero with step 1/λ_max, the largest safe step for this loss surface."""
    design = np.c_[features, np.ones(len(features))]
    hessian = 2 / len(design) * design.T @ design
    eigenvalues = np.linalg.eigvalsh(hessian)
    lr = 1 / eigenvalues[-1]
    optimum = np.asarray(np.linalg.lstsq(design, target, rcond=None)[0], dtype=np.float64)
    best = _mse(design, target, optimum)
    w = np.zeros(3)
    path = [w]
    for step in range(1, p.max_steps + 1):
        w = w - lr * 2 / len(design) * design.T @ (design @ w - target)
        path.append(w)
        if step % 1000 == 0:
            progress(base + 0.4 * step / p.max_steps, f"step {step}")
    weights = np.array(path)
    losses = _losses(design, target, weights)
    below = np.flatnonzero(losses <= best * (1 + p.tolerance))
    reached = int(below[0]) if below.size else None
    return _Run(
        design=design,
        learning_rate=float(lr),
        condition=float(eigenvalues[-1] / eigenvalues[0]),
        optimum=optimum,
        losses=losses.tolist(),
        path=weights,
        steps_to_threshold=reached,
    )


def _contours(ax: Axes, run: _Run, target: Array, title: str) -> None:
    """Loss over (w_area, w_rooms) with the bias held at its optimum, plus the GD path."""
    center = run.optimum[:2]
    radius = 1.15 * float(np.abs(run.path[:, :2] - center).max())
    grid = np.linspace(-radius, radius, 120)
    w1, w2 = np.meshgrid(center[0] + grid, center[1] + grid)
    weights = np.stack([w1.ravel(), w2.ravel(), np.full(w1.size, run.optimum[2])])
    loss = np.mean((run.design @ weights - target[:, None]) ** 2, axis=0).reshape(w1.shape)
    levels = np.quantile(loss, np.linspace(0.0, 0.9, 12) ** 2 + 1e-9)
    ax.contour(w1, w2, loss, levels=np.unique(levels), cmap="viridis", linewidths=0.8)
    ax.plot(run.path[:, 0], run.path[:, 1], ".-", color="tab:red", markersize=3, linewidth=0.8)
    ax.plot(*center, "k*", markersize=12)
    ax.set_aspect("equal")
    ax.set_xlim(center[0] - radius, center[0] + radius)
    ax.set_ylim(center[1] - radius, center[1] + radius)
    ax.set_xlabel("w_면적 / w_area")
    ax.set_ylabel("w_방 / w_rooms")
    ax.set_title(title, fontsize=10)


def run(params: DemoParams, progress: ProgressFn) -> DemoResult:
    """Same data, same GD rule; only the feature scaling differs."""
    p = NormalizationParams.model_validate(params.model_dump())
    raw, target = houses(p)
    standardized = (raw - raw.mean(axis=0)) / raw.std(axis=0)
    runs = {
        "raw": _descend(raw, target, p, progress, 0.0),
        "standardized": _descend(standardized, target, p, progress, 0.4),
    }
    progress(0.85, "plotting")

    labels = {"raw": "원본 / raw", "standardized": "표준화 / standardized"}
    fig = new_figure(3, width=5.0, height=4.5)
    ax_loss, ax_raw, ax_std = fig.axes
    for (name, r), color in zip(runs.items(), ("tab:red", "tab:blue"), strict=True):
        ax_loss.plot(
            np.arange(1, len(r.losses) + 1),
            r.losses,
            color=color,
            label=f"{labels[name]} (lr={r.learning_rate:.2g})",
        )
        if r.steps_to_threshold is not None:
            ax_loss.axvline(r.steps_to_threshold + 1, color=color, linestyle=":")
    log_scale(ax_loss, "x")
    log_scale(ax_loss, "y")
    ax_loss.set_xlabel("GD 스텝 + 1 / step + 1")
    ax_loss.set_ylabel("MSE 손실 / loss")
    ax_loss.set_title("손실 곡선 (점선 = 임계값 도달) / loss curves")
    style_panels(ax_loss)
    _contours(ax_raw, runs["raw"], target, f"원본: 조건수 {runs['raw'].condition:.3g} / raw")
    _contours(
        ax_std,
        runs["standardized"],
        target,
        f"표준화: 조건수 {runs['standardized'].condition:.3g} / standardized",
    )
    image = to_png(fig)

    def steps(name: str) -> int:
        reached = runs[name].steps_to_threshold
        return p.max_steps + 1 if reached is None else reached

    def said(name: str, ko: bool) -> str:
        reached = runs[name].steps_to_threshold
        if reached is not None:
            return f"{reached}스텝" if ko else f"{reached} steps"
        return f"{p.max_steps}스텝 초과" if ko else f"more than {p.max_steps} steps"

    progress(1.0, "done")
    raw_run, std_run = runs["raw"], runs["standardized"]
    return DemoResult(
        images=[image],
        metrics={
            "steps_to_threshold_raw": steps("raw"),
            "steps_to_threshold_standardized": steps("standardized"),
            "reached_raw": raw_run.steps_to_threshold is not None,
            "reached_standardized": std_run.steps_to_threshold is not None,
            "condition_number_raw": raw_run.condition,
            "condition_number_standardized": std_run.condition,
            "learning_rate_raw": raw_run.learning_rate,
            "learning_rate_standardized": std_run.learning_rate,
            "final_loss_raw": raw_run.losses[-1],
            "final_loss_standardized": std_run.losses[-1],
        },
        summary_ko=(
            f"면적(표준편차 {p.area_scale:g})과 방 개수(표준편차 1)로 집값을 맞히는 선형 회귀를 "
            f"최대 안정 학습률(1/λ_max)의 경사 하강으로 풀면, 손실이 최솟값의 "
            f"{1 + p.tolerance:g}배 이하가 되기까지 걸린 스텝 수는 원본 특성(조건수 "
            f"{raw_run.condition:.3g}, 길쭉한 골짜기) {said('raw', True)}, 표준화 특성(조건수 "
            f"{std_run.condition:.3g}, 둥근 등고선) {said('standardized', True)}입니다. "
            "등고선은 편향을 최적값에 고정한 단면입니다."
        ),
        summary_en=(
            f"Linear regression of price on area (std {p.area_scale:g}) and rooms (std 1), solved "
            f"by gradient descent at the largest stable step (1/λ_max): getting within "
            f"{p.tolerance:.0%} of the minimum loss takes {said('raw', False)} with raw features "
            f"(condition number {raw_run.condition:.3g}, a long narrow valley) and "
            f"{said('standardized', False)} with standardised ones (condition number "
            f"{std_run.condition:.3g}, round contours). Contours are a slice with the bias at its "
            "optimum."
        ),
    )


DEMO = Demo(
    name="normalization",
    title_ko="데이터 정규화: 원본 vs 표준화 특성의 경사 하강",
    title_en="Data normalisation: gradient descent on raw vs standardised features",
    description_ko=(
        "크기가 매우 다른 두 특성으로 선형 회귀를 경사 하강으로 풀 때, 원본(길쭉한 등고선)과 "
        "표준화(둥근 등고선)의 손실 곡선과 수렴 스텝 수를 비교합니다."
    ),
    description_en=(
        "Gradient descent on a linear regression with two features of very different scales: "
        "loss curves, loss-surface contours and steps to a loss threshold, raw vs standardised."
    ),
    params=NormalizationParams,
    run=run,
    expected_seconds=2.0,
    prompt_ids=("x07", "q02"),
)
