"""A curve as a weighted sum of k shifted ReLUs: the reason a one-hidden-layer ReLU net can fit
any continuous function on an interval, more closely as k grows.

The kinks sit at evenly spaced points and the output weights are fitted by least squares, so the
demo isolates "how many pieces" from "can gradient descent find them".
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt
from pydantic import Field

from compute.catalog import Demo, DemoParams, DemoResult, ProgressFn
from compute.demos._figures import new_figure, to_png
from compute.demos._plot import log_scale, style_panels

Array = npt.NDArray[np.float64]

TARGETS: dict[str, tuple[str, float, float]] = {
    "sin": ("sin(x)", -np.pi, np.pi),
    "square": ("x^2", -1.0, 1.0),
    "bump": ("exp(-4x^2)", -2.0, 2.0),
}


class ReluApproxParams(DemoParams):
    """k ReLU units; noise > 0 fits noisy samples (drawn with the seed) instead of the curve."""

    k: int = Field(default=6, ge=1, le=64, description="number of ReLU units")
    target: Literal["sin", "square", "bump"] = Field(default="sin", description="curve to fit")
    points: int = Field(default=200, ge=20, le=5000, description="training points")
    noise: float = Field(default=0.0, ge=0.0, le=1.0, description="std of noise on the targets")


def target_values(name: str, x: Array) -> Array:
    if name == "sin":
        return np.sin(x)
    if name == "square":
        return x**2
    return np.exp(-4.0 * x**2)


def relu_features(x: Array, knots: Array) -> Array:
    """Columns: a bias, then relu(x - b) for each knot b."""
    return np.column_stack([np.ones_like(x), *(np.maximum(0.0, x - b) for b in knots)])


def knots_for(k: int, lo: float, hi: float) -> Array:
    """The first kink at the left edge acts as the linear term; the rest split the interval."""
    return np.linspace(lo, hi, k + 1)[:-1]


def fit(x: Array, y: Array, k: int, lo: float, hi: float) -> tuple[Array, Array]:
    """(knots, weights) minimising the squared error of bias + sum w_i relu(x - b_i)."""
    knots = knots_for(k, lo, hi)
    weights, *_ = np.linalg.lstsq(relu_features(x, knots), y, rcond=None)
    return knots, np.asarray(weights, dtype=np.float64)


def run(params: DemoParams, progress: ProgressFn) -> DemoResult:
    p = ReluApproxParams.model_validate(params.model_dump())
    label, lo, hi = TARGETS[p.target]
    rng = np.random.default_rng(p.seed)
    x = np.linspace(lo, hi, p.points)
    clean = target_values(p.target, x)
    y = clean + rng.normal(0.0, p.noise, size=x.shape) if p.noise > 0 else clean
    knots, weights = fit(x, y, p.k, lo, hi)
    dense = np.linspace(lo, hi, 1000)
    fitted = relu_features(dense, knots) @ weights
    truth = target_values(p.target, dense)
    mse = float(np.mean((fitted - truth) ** 2))
    max_error = float(np.max(np.abs(fitted - truth)))
    progress(0.4, "sweeping k")
    ks = list(range(1, max(p.k, 16) + 1))
    mse_by_k = []
    for k in ks:
        kn, w = fit(x, y, k, lo, hi)
        mse_by_k.append(float(np.mean((relu_features(dense, kn) @ w - truth) ** 2)))

    progress(0.7, "plotting")
    fig = new_figure(3, width=5.2, height=4.3)
    ax_fit, ax_parts, ax_k = fig.axes
    ax_fit.plot(dense, truth, color="black", linewidth=2, label=f"목표 / target {label}")
    if p.noise > 0:
        ax_fit.plot(x, y, ".", color="gray", alpha=0.4, markersize=3, label="표본 / samples")
    ax_fit.plot(dense, fitted, color="tab:red", linewidth=1.5, label=f"ReLU {p.k}개 합 / sum")
    ax_fit.plot(knots, relu_features(knots, knots) @ weights, "o", color="tab:red", markersize=4)
    ax_fit.set_title(f"ReLU {p.k}개로 근사 / fit with {p.k} ReLUs (MSE {mse:.2g})")
    ax_fit.set_xlabel("입력 x / input x")
    ax_fit.set_ylabel("출력 y / output y")

    ax_parts.axhline(weights[0], color="gray", linestyle=":", label=f"편향 / bias {weights[0]:.2f}")
    for i, (b, w) in enumerate(zip(knots, weights[1:], strict=True)):
        ax_parts.plot(
            dense,
            w * np.maximum(0.0, dense - b),
            linewidth=1,
            label=f"{w:+.2f}·relu(x{-b:+.2f})" if i < 8 else None,
        )
    ax_parts.set_title("개별 조각 / individual pieces w·relu(x-b)")
    ax_parts.set_xlabel("입력 x / input x")
    ax_parts.set_ylabel("조각의 출력 / piece output")
    ax_parts.legend(fontsize=7, ncols=2)

    ax_k.plot(ks, np.maximum(mse_by_k, 1e-12), "o-", color="tab:blue", markersize=3)
    ax_k.plot([p.k], [max(mse, 1e-12)], "o", color="tab:red", markersize=8, label=f"k={p.k}")
    log_scale(ax_k)
    ax_k.set_title("ReLU 수에 따른 오차 / error vs number of ReLUs")
    ax_k.set_xlabel("ReLU 개수 k / number of ReLUs k")
    ax_k.set_ylabel("평균 제곱 오차 (로그) / MSE (log)")
    style_panels(*fig.axes)
    image = to_png(fig)
    progress(1.0, "done")
    return DemoResult(
        images=[image],
        metrics={
            "k": p.k,
            "mse": mse,
            "max_abs_error": max_error,
            "mse_by_k": mse_by_k,
        },
        summary_ko=(
            f"{label}을(를) ReLU {p.k}개의 가중합(꺾이는 점 {p.k}개인 꺾은선)으로 근사했습니다. "
            f"평균 제곱 오차는 {mse:.2g}, 최대 오차는 {max_error:.2g}입니다. ReLU를 늘리면 조각이 "
            f"많아져 오차가 줄어듭니다(k=1: {mse_by_k[0]:.2g}, k={ks[-1]}: {mse_by_k[-1]:.2g})."
        ),
        summary_en=(
            f"{label} approximated by a weighted sum of {p.k} ReLUs, a polyline with {p.k} "
            f"kinks: mean squared error {mse:.2g}, max error {max_error:.2g}. More ReLUs give "
            f"more pieces and a smaller error (k=1: {mse_by_k[0]:.2g}, k={ks[-1]}: "
            f"{mse_by_k[-1]:.2g})."
        ),
    )


DEMO = Demo(
    name="relu-approx",
    title_ko="ReLU 조각들의 합으로 곡선 근사",
    title_en="Approximating a curve with a sum of ReLUs",
    description_ko=(
        "k개의 ReLU(relu(x-b))에 가중치를 곱해 더하면 꺾은선이 됩니다. sin(x) 등을 근사하고 "
        "조각 하나하나와 k에 따른 오차를 보여 줍니다."
    ),
    description_en=(
        "A weighted sum of k shifted ReLUs is a polyline. Fits sin(x) (or x^2, a bump), shows "
        "each piece, and how the error falls as k grows."
    ),
    params=ReluApproxParams,
    run=run,
    expected_seconds=2.0,
    prompt_ids=("x08", "q01.1", "q01.2"),
)
