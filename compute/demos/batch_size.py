"""Mini-batch size: the same MLP trained on the 8x8 digits with batches of 8 to 512.

Small batches take many cheap, noisy steps per epoch; large ones few, smooth, expensive steps.
The noise is measured directly: the spread of the mini-batch loss over random batches at the
shared initial weights, which falls as 1/sqrt(batch size).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch
from pydantic import Field
from torch import Tensor, nn

from compute.catalog import Demo, DemoParams, DemoResult, MetricValue, ProgressFn
from compute.demos._digits import digits_split
from compute.demos._figures import new_figure, to_png
from compute.demos._plot import log_scale, style_panels

BATCH_SIZES = (8, 32, 128, 512)
COLORS = ("tab:red", "tab:orange", "tab:green", "tab:blue")
_NOISE_DRAWS = 64


class BatchSizeParams(DemoParams):
    """Same learning rate and epochs for every batch size, so only the batch size differs."""

    epochs: int = Field(default=8, ge=1, le=50, description="passes over the 1,437 images")
    lr: float = Field(default=0.05, gt=0.0, le=1.0, description="SGD learning rate")
    hidden: int = Field(default=32, ge=4, le=256, description="hidden units")


@dataclass(frozen=True)
class Curve:
    batch_size: int
    epoch_loss: list[float]
    step_loss: list[float]
    step_seconds: list[float]
    test_accuracy: float
    noise: float


def _model(hidden: int, seed: int) -> nn.Sequential:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(64, hidden), nn.ReLU(), nn.Linear(hidden, 10))


def train(batch_size: int, p: BatchSizeParams, data: tuple[Tensor, ...]) -> Curve:
    """Plain SGD from the same initial weights; the seed also fixes the shuffling. The loss
    noise is sampled before training, at those shared weights, so batch sizes compare fairly."""
    x, y, xt, yt = data
    model = _model(p.hidden, p.seed)
    optimizer = torch.optim.SGD(model.parameters(), lr=p.lr)
    loss_fn = nn.CrossEntropyLoss()
    generator = torch.Generator().manual_seed(p.seed)
    epoch_loss, step_loss, step_seconds = [], [], []
    with torch.no_grad():
        epoch_loss.append(float(loss_fn(model(x), y)))
        draws = [
            float(loss_fn(model(x[i]), y[i]))
            for i in (
                torch.randperm(len(x), generator=generator)[:batch_size]
                for _ in range(_NOISE_DRAWS)
            )
        ]
    started = time.perf_counter()
    for _ in range(p.epochs):
        order = torch.randperm(len(x), generator=generator)
        for start in range(0, len(x), batch_size):
            idx = order[start : start + batch_size]
            loss: Tensor = loss_fn(model(x[idx]), y[idx])
            optimizer.zero_grad()
            loss.backward()  # type: ignore[no-untyped-call]
            optimizer.step()
            step_loss.append(loss.item())
            step_seconds.append(time.perf_counter() - started)
        with torch.no_grad():
            epoch_loss.append(float(loss_fn(model(x), y)))
    with torch.no_grad():
        accuracy = float((model(xt).argmax(1) == yt).float().mean())
    return Curve(batch_size, epoch_loss, step_loss, step_seconds, accuracy, float(np.std(draws)))


def run(params: DemoParams, progress: ProgressFn) -> DemoResult:
    p = BatchSizeParams.model_validate(params.model_dump())
    data = digits_split().classifier_tensors()
    curves: list[Curve] = []
    for i, batch_size in enumerate(BATCH_SIZES):
        progress(0.8 * i / len(BATCH_SIZES), f"batch size {batch_size}")
        curves.append(train(batch_size, p, data))

    progress(0.85, "plotting")
    fig = new_figure(3, width=5.0, height=4.3)
    ax_e, ax_u, ax_t = fig.axes
    for curve, color in zip(curves, COLORS, strict=True):
        label = f"B={curve.batch_size}"
        ax_e.plot(
            range(len(curve.epoch_loss)),
            curve.epoch_loss,
            "o-",
            color=color,
            markersize=3,
            label=label,
        )
        steps = np.arange(1, len(curve.step_loss) + 1)
        ax_u.plot(steps, curve.step_loss, color=color, linewidth=0.7, alpha=0.8, label=label)
        ax_t.plot(
            curve.step_seconds, curve.step_loss, color=color, linewidth=0.7, alpha=0.8, label=label
        )
    ax_e.set_title("에폭별 전체 학습 손실 / full training loss per epoch")
    ax_e.set_xlabel("에폭 / epoch")
    ax_u.set_title("미니배치 손실 / mini-batch loss per update")
    ax_u.set_xlabel("업데이트 횟수 (로그) / updates (log)")
    log_scale(ax_u, "x")
    ax_t.set_title("시간에 따른 미니배치 손실 / mini-batch loss vs time")
    ax_t.set_xlabel("경과 시간 (초, 로그) / wall-clock seconds (log)")
    log_scale(ax_t, "x")
    style_panels(*fig.axes, ylabel="교차 엔트로피 / cross-entropy")
    image = to_png(fig)

    metrics: dict[str, MetricValue] = {}
    for curve in curves:
        b = curve.batch_size
        metrics[f"loss_noise_bs{b}"] = curve.noise
        metrics[f"final_train_loss_bs{b}"] = curve.epoch_loss[-1]
        metrics[f"test_accuracy_bs{b}"] = curve.test_accuracy
        metrics[f"updates_bs{b}"] = len(curve.step_loss)
        metrics[f"seconds_bs{b}"] = curve.step_seconds[-1]
    metrics["batch_sizes"] = list(BATCH_SIZES)
    progress(1.0, "done")
    small, large = curves[0], curves[-1]
    return DemoResult(
        images=[image],
        metrics=metrics,
        summary_ko=(
            f"같은 학습률 {p.lr:g}, {p.epochs} 에폭으로 배치 크기만 바꿨습니다. 배치 "
            f"{small.batch_size}은 {len(small.step_loss)}번, 배치 {large.batch_size}는 "
            f"{len(large.step_loss)}번 업데이트했고, 최종 학습 손실은 "
            f"{small.epoch_loss[-1]:.3f} 대 {large.epoch_loss[-1]:.3f}입니다. "
            "미니배치 손실의 흔들림(표준편차)은 "
            f"{small.noise:.3f}에서 {large.noise:.3f}로 줄어듭니다: 작은 배치는 싸고 시끄러운 "
            "걸음을 많이, 큰 배치는 비싸고 매끄러운 걸음을 적게 걷습니다."
        ),
        summary_en=(
            f"Same learning rate {p.lr:g} and {p.epochs} epochs; only the batch size changes. "
            f"Batch {small.batch_size} made {len(small.step_loss)} updates, batch "
            f"{large.batch_size} made {len(large.step_loss)}; final training loss "
            f"{small.epoch_loss[-1]:.3f} vs {large.epoch_loss[-1]:.3f}. The spread of the "
            f"mini-batch loss falls from {small.noise:.3f} to {large.noise:.3f}: small batches "
            "take many cheap, noisy steps, large ones few smooth, expensive ones."
        ),
    )


DEMO = Demo(
    name="batch-size",
    title_ko="배치 크기: 잡음, 업데이트 수, 시간",
    title_en="Batch size: noise, number of updates, time",
    description_ko=(
        "숫자 이미지(8x8)로 같은 MLP를 배치 크기 8, 32, 128, 512로 학습시켜 에폭별·업데이트별·"
        "시간별 손실 곡선과 미니배치 손실의 잡음을 비교합니다."
    ),
    description_en=(
        "Trains the same MLP on 8x8 digits with batch sizes 8, 32, 128 and 512, and compares "
        "loss per epoch, per update and per second, and the mini-batch loss noise."
    ),
    params=BatchSizeParams,
    run=run,
    expected_seconds=6.0,
    prompt_ids=("x10", "q02.4", "q03.1", "q09.1", "q09.2", "q13.1"),
)
