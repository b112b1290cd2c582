"""MLP vs a small CNN on 8x8 digits: parameter count against test accuracy.

A convolution reuses one small kernel at every position, so the CNN needs far fewer weights than
a fully connected layer over the same pixels; the question (q04.1, q11.1) is whether the MLP is
still good enough on such small images, and the answer is measured here.
"""

from __future__ import annotations

import numpy as np
import torch
from pydantic import Field
from torch import Tensor, nn

from compute.catalog import Demo, DemoParams, DemoResult, ProgressFn
from compute.demos._digits import digits_split, tensor
from compute.demos._figures import new_figure, to_png
from compute.demos._plot import style_panels


class MlpVsCnnParams(DemoParams):
    """Both models see the same standardised 8x8 images and the same batches."""

    epochs: int = Field(default=15, ge=1, le=100, description="passes over 1,437 training images")
    batch_size: int = Field(default=64, ge=8, le=512, description="mini-batch size")
    learning_rate: float = Field(default=3e-3, gt=0.0, le=0.1, description="Adam learning rate")
    mlp_hidden: int = Field(default=128, ge=8, le=1024, description="MLP units per hidden layer")
    cnn_channels: int = Field(
        default=16, ge=2, le=64, description="CNN channels in the first conv (doubled in the 2nd)"
    )


def _mlp(hidden: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(64, hidden),
        nn.ReLU(),
        nn.Linear(hidden, hidden),
        nn.ReLU(),
        nn.Linear(hidden, 10),
    )


def _cnn(channels: int) -> nn.Sequential:
    """Two 3x3 conv + 2x2 max-pool stages take 8x8 to 2x2, then one linear layer."""
    return nn.Sequential(
        nn.Conv2d(1, channels, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(channels, 2 * channels, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(2 * channels * 2 * 2, 10),
    )


def _parameters(model: nn.Module) -> int:
    return sum(w.numel() for w in model.parameters())


def _train(
    model: nn.Module,
    p: MlpVsCnnParams,
    data: tuple[Tensor, Tensor, Tensor, Tensor],
    tick: ProgressFn,
) -> list[float]:
    """Adam on shuffled mini-batches; returns test accuracy after every epoch."""
    x, y, xt, yt = data
    optimizer = torch.optim.Adam(model.parameters(), lr=p.learning_rate)
    loss_fn = nn.CrossEntropyLoss()
    order = torch.Generator().manual_seed(p.seed)
    accuracies = []
    for epoch in range(p.epochs):
        model.train()
        perm = torch.randperm(len(x), generator=order)
        for start in range(0, len(x), p.batch_size):
            idx = perm[start : start + p.batch_size]
            loss: Tensor = loss_fn(model(x[idx]), y[idx])
            optimizer.zero_grad()
            torch.autograd.backward(loss)
            optimizer.step()
        model.eval()
        with torch.no_grad():
            logits: Tensor = model(xt)
        accuracies.append(float((logits.argmax(1) == yt).float().mean()))
        tick((epoch + 1) / p.epochs, f"epoch {epoch + 1}")
    return accuracies


def run(params: DemoParams, progress: ProgressFn) -> DemoResult:
    """Train both models on the same data, then compare size and accuracy."""
    p = MlpVsCnnParams.model_validate(params.model_dump())
    split = digits_split()
    data = (
        tensor(split.z_train).reshape(-1, 1, 8, 8),
        tensor(split.y_train),
        tensor(split.z_test).reshape(-1, 1, 8, 8),
        tensor(split.y_test),
    )
    torch.manual_seed(p.seed)
    models = {"MLP": _mlp(p.mlp_hidden), "CNN": _cnn(p.cnn_channels)}
    params_count = {name: _parameters(m) for name, m in models.items()}
    curves: dict[str, list[float]] = {}
    for i, (name, model) in enumerate(models.items()):

        def tick(fraction: float, message: str, i: int = i, name: str = name) -> None:
            progress((i + fraction) * 0.45, f"{name}: {message}")

        curves[name] = _train(model, p, data, tick)

    progress(0.9, "plotting")
    acc = {name: c[-1] for name, c in curves.items()}
    colors = {"MLP": "tab:orange", "CNN": "tab:blue"}
    fig = new_figure(3, width=4.6, height=4.0)
    ax_params, ax_acc, ax_curve = fig.axes
    names = list(models)
    ax_params.bar(names, [params_count[n] for n in names], color=[colors[n] for n in names])
    for i, n in enumerate(names):
        ax_params.text(i, params_count[n], f"{params_count[n]:,}", ha="center", va="bottom")
    ax_params.set_ylabel("파라미터 수 / parameters")
    ax_params.set_title("파라미터 수 / parameter count")
    ax_acc.bar(names, [acc[n] for n in names], color=[colors[n] for n in names])
    for i, n in enumerate(names):
        ax_acc.text(i, acc[n], f"{acc[n]:.1%}", ha="center", va="bottom")
    ax_acc.set_ylim(0, 1.08)
    ax_acc.set_ylabel("테스트 정확도 / test accuracy")
    ax_acc.set_title("최종 테스트 정확도 / final test accuracy")
    for n in names:
        ax_curve.plot(np.arange(1, p.epochs + 1), curves[n], "o-", color=colors[n], label=n)
    ax_curve.set_xlabel("에폭 / epoch")
    ax_curve.set_ylabel("테스트 정확도 / test accuracy")
    ax_curve.set_title("학습 곡선 / learning curves")
    ax_curve.legend()
    style_panels(ax_curve)
    image = to_png(fig)

    ratio = params_count["MLP"] / params_count["CNN"]
    gap = acc["CNN"] - acc["MLP"]
    verdict_ko, verdict_en = (
        ("MLP와 비슷하거나 더 높습니다", "match or beat the MLP")
        if gap >= -0.01
        else (f"MLP보다 {-gap:.1%}p 낮습니다", f"trail it by {-gap:.1%} points")
    )
    progress(1.0, "done")
    return DemoResult(
        images=[image],
        metrics={
            "params_mlp": params_count["MLP"],
            "params_cnn": params_count["CNN"],
            "test_acc_mlp": acc["MLP"],
            "test_acc_cnn": acc["CNN"],
            "best_test_acc_mlp": max(curves["MLP"]),
            "best_test_acc_cnn": max(curves["CNN"]),
        },
        summary_ko=(
            f"8x8 숫자에서 {p.epochs}에폭 학습 후 MLP(파라미터 {params_count['MLP']:,}개)는 "
            f"테스트 정확도 {acc['MLP']:.1%}, CNN(파라미터 {params_count['CNN']:,}개, MLP의 "
            f"1/{ratio:.1f})은 {acc['CNN']:.1%}입니다. 합성곱은 같은 3x3 커널을 모든 위치에서 "
            f"재사용해 가중치가 훨씬 적고, 이번 실행에서 정확도는 {verdict_ko}."
        ),
        summary_en=(
            f"After {p.epochs} epochs on 8x8 digits the MLP ({params_count['MLP']:,} parameters) "
            f"reaches {acc['MLP']:.1%} test accuracy and the CNN ({params_count['CNN']:,} "
            f"parameters, 1/{ratio:.1f} of the MLP) {acc['CNN']:.1%}. Convolutions reuse one "
            f"3x3 kernel at every position, so with far fewer weights they {verdict_en}."
        ),
    )


DEMO = Demo(
    name="mlp-vs-cnn",
    title_ko="MLP vs CNN: 파라미터 수와 정확도",
    title_en="MLP vs CNN: parameter count and accuracy",
    description_ko=(
        "같은 8x8 숫자 데이터로 MLP와 작은 CNN을 학습시켜 파라미터 수, 테스트 정확도, 학습 "
        "곡선을 비교합니다."
    ),
    description_en=(
        "An MLP and a small CNN trained on the same 8x8 digits: parameter counts, test accuracy "
        "and learning curves."
    ),
    params=MlpVsCnnParams,
    run=run,
    expected_seconds=4.0,
    prompt_ids=("q04", "q04.1", "q04.2", "q11", "q11.1"),
)
