"""Batch normalisation: faster training of a deep MLP, and the train-vs-eval-mode pitfall.

Two questions share one run: what BN does for training (q08), and why `model.eval()` matters at
inference (q08.2). In training mode BN normalises with the current batch's statistics, so a
prediction depends on which other images happen to share the batch; in eval mode it uses the
running averages gathered during training.
"""

from __future__ import annotations

import copy

import numpy as np
import torch
from pydantic import Field
from torch import Tensor, nn

from compute.catalog import Demo, DemoParams, DemoResult, ProgressFn
from compute.demos._digits import digits_split
from compute.demos._figures import new_figure, to_png
from compute.demos._plot import log_scale, style_panels


class BatchNormParams(DemoParams):
    """A deep, narrow ReLU MLP trained by plain SGD, where BN makes a visible difference."""

    depth: int = Field(default=5, ge=2, le=20, description="hidden layers")
    width: int = Field(default=64, ge=16, le=256, description="units per hidden layer")
    epochs: int = Field(default=10, ge=1, le=50, description="passes over 1,437 training images")
    batch_size: int = Field(default=64, ge=8, le=512, description="training mini-batch size")
    learning_rate: float = Field(default=0.05, gt=0.0, le=1.0, description="SGD learning rate")
    pitfall_batch: int = Field(
        default=32, ge=2, le=128, description="batch size for the single-class train-mode test"
    )


def _mlp(depth: int, width: int, batchnorm: bool) -> nn.Sequential:
    layers: list[nn.Module] = []
    fan_in = 64
    for _ in range(depth):
        layers.append(nn.Linear(fan_in, width))
        if batchnorm:
            layers.append(nn.BatchNorm1d(width))
        layers.append(nn.ReLU())
        fan_in = width
    layers.append(nn.Linear(fan_in, 10))
    return nn.Sequential(*layers)


def _accuracy(model: nn.Module, x: Tensor, y: Tensor, batch: int) -> float:
    """Accuracy over `x` fed `batch` images at a time, in whatever mode `model` is in."""
    correct = 0
    with torch.no_grad():
        for start in range(0, len(x), batch):
            logits: Tensor = model(x[start : start + batch])
            correct += int((logits.argmax(1) == y[start : start + batch]).sum())
    return correct / len(x)


def _train(
    p: BatchNormParams,
    batchnorm: bool,
    data: tuple[Tensor, Tensor, Tensor, Tensor],
    tick: ProgressFn,
) -> tuple[nn.Sequential, list[float], list[float]]:
    """Same seed for both variants: same initial Linear weights and the same batch order."""
    x, y, xt, yt = data
    torch.manual_seed(p.seed)
    model = _mlp(p.depth, p.width, batchnorm)
    optimizer = torch.optim.SGD(model.parameters(), lr=p.learning_rate)
    loss_fn = nn.CrossEntropyLoss()
    order = torch.Generator().manual_seed(p.seed)
    losses: list[float] = []
    test_acc: list[float] = []
    for epoch in range(p.epochs):
        model.train()
        perm = torch.randperm(len(x), generator=order)
        for start in range(0, len(x), p.batch_size):
            idx = perm[start : start + p.batch_size]
            if len(idx) < 2:  # BN cannot normalise a batch of one
                continue
            loss: Tensor = loss_fn(model(x[idx]), y[idx])
            optimizer.zero_grad()
            torch.autograd.backward(loss)
            optimizer.step()
            losses.append(loss.item())
        model.eval()
        test_acc.append(_accuracy(model, xt, yt, len(xt)))
        tick((epoch + 1) / p.epochs, f"epoch {epoch + 1}")
    return model, losses, test_acc


def _single_class_batches(model: nn.Module, x: Tensor, y: Tensor, batch: int) -> float:
    """Train-mode accuracy when every batch holds one class, i.e. a shifted batch distribution."""
    order = torch.argsort(y, stable=True)
    return _accuracy(model, x[order], y[order], batch)


def run(params: DemoParams, progress: ProgressFn) -> DemoResult:
    """Train with and without BN, then evaluate the BN model in both modes."""
    p = BatchNormParams.model_validate(params.model_dump())
    data = digits_split().classifier_tensors()
    runs = {}
    for i, batchnorm in enumerate((False, True)):

        def tick(fraction: float, message: str, i: int = i, bn: bool = batchnorm) -> None:
            progress((i + fraction) * 0.45, f"{'BN' if bn else 'plain'}: {message}")

        runs[batchnorm] = _train(p, batchnorm, data, tick)

    progress(0.9, "evaluating modes")
    model = runs[True][0]
    xt, yt = data[2], data[3]
    acc_eval = _accuracy(model.eval(), xt, yt, 1)
    # Train-mode forward passes overwrite the running statistics, so use throwaway copies.
    acc_train_sorted = _single_class_batches(copy.deepcopy(model).train(), xt, yt, p.pitfall_batch)
    acc_train_pairs = _accuracy(copy.deepcopy(model).train(), xt, yt, 2)

    fig = new_figure(3, width=5.0, height=4.2)
    ax_loss, ax_acc, ax_bar = fig.axes
    names = {False: "BN 없음 / no BN", True: "BN 사용 / with BN"}
    colors = {False: "tab:red", True: "tab:blue"}
    for bn, (_, losses, test_acc) in runs.items():
        steps = np.arange(1, len(losses) + 1)
        window = max(1, len(losses) // (4 * p.epochs))
        smooth = np.convolve(losses, np.ones(window) / window, mode="valid")
        ax_loss.plot(steps, losses, color=colors[bn], alpha=0.2)
        ax_loss.plot(steps[window - 1 :], smooth, color=colors[bn], label=names[bn])
        ax_acc.plot(np.arange(1, p.epochs + 1), test_acc, "o-", color=colors[bn], label=names[bn])
    log_scale(ax_loss)
    ax_loss.set_xlabel("스텝 / SGD step")
    ax_loss.set_ylabel("학습 손실 / training loss")
    ax_loss.set_title(f"깊이 {p.depth} MLP 학습 손실 / training loss")
    ax_acc.set_xlabel("에폭 / epoch")
    ax_acc.set_ylabel("테스트 정확도 / test accuracy")
    ax_acc.set_ylim(0, 1)
    ax_acc.set_title("테스트 정확도 / test accuracy (eval mode)")
    for ax in (ax_loss, ax_acc):
        ax.legend()
    style_panels(ax_loss, ax_acc)
    bars = {
        "model.eval()\n(batch 1)": acc_eval,
        f"model.train()\n같은 숫자끼리 {p.pitfall_batch}장\nsingle-class batches": acc_train_sorted,
        "model.train()\n(batch 2)": acc_train_pairs,
    }
    ax_bar.bar(range(3), list(bars.values()), color=["tab:blue", "tab:orange", "tab:orange"])
    ax_bar.set_xticks(range(3), list(bars.keys()), fontsize=8)
    for i, value in enumerate(bars.values()):
        ax_bar.text(i, value + 0.02, f"{value:.1%}", ha="center")
    ax_bar.axhline(0.1, color="gray", linestyle=":", label="찍기 / chance")
    ax_bar.set_ylim(0, 1.1)
    ax_bar.set_ylabel("테스트 정확도 / test accuracy")
    ax_bar.set_title("BN 모델 추론 모드 / inference mode")
    ax_bar.legend(loc="upper right")
    image = to_png(fig)

    plain_losses, bn_losses = runs[False][1], runs[True][1]
    tail = max(1, len(plain_losses) // p.epochs)
    loss_plain = float(np.mean(plain_losses[-tail:]))
    loss_bn = float(np.mean(bn_losses[-tail:]))
    acc_plain, acc_bn = runs[False][2][-1], runs[True][2][-1]
    progress(1.0, "done")
    return DemoResult(
        images=[image],
        metrics={
            "final_train_loss_plain": loss_plain,
            "final_train_loss_bn": loss_bn,
            "test_acc_plain": acc_plain,
            "test_acc_bn": acc_bn,
            "acc_eval_mode": acc_eval,
            "acc_train_mode_single_class_batches": acc_train_sorted,
            "acc_train_mode_batch2": acc_train_pairs,
            "eval_minus_train_mode_acc": acc_eval - acc_train_sorted,
        },
        summary_ko=(
            f"같은 초기값(PyTorch 기본 초기화)과 SGD로 {p.epochs}에폭 학습한 깊이 {p.depth} "
            f"MLP의 마지막 에폭 학습 손실은 BN 없이 {loss_plain:.3f}, BN과 함께 {loss_bn:.3f}이고 "
            f"테스트 정확도는 {acc_plain:.1%} 대 {acc_bn:.1%}입니다. 학습된 BN 모델을 "
            f"model.eval()로 한 장씩 추론하면 {acc_eval:.1%}지만, model.train() 상태로 같은 "
            f"숫자끼리 묶인 배치에 넣으면 {acc_train_sorted:.1%}, 두 장씩 넣으면 "
            f"{acc_train_pairs:.1%}로 떨어집니다. 배치 통계로 정규화하기 때문입니다."
        ),
        summary_en=(
            f"With the same initial weights (PyTorch defaults) and SGD for {p.epochs} epochs, the "
            f"depth-{p.depth} MLP ends at training loss {loss_plain:.3f} without BN vs "
            f"{loss_bn:.3f} with BN (test accuracy {acc_plain:.1%} vs {acc_bn:.1%}). The trained "
            f"BN model scores {acc_eval:.1%} in model.eval() one image at a time, but in "
            f"model.train() it drops to {acc_train_sorted:.1%} on single-class batches and "
            f"{acc_train_pairs:.1%} on batches of two, because it normalises with the batch's own "
            "statistics."
        ),
    )


DEMO = Demo(
    name="batchnorm",
    title_ko="배치 정규화: 학습 속도와 추론 모드 함정",
    title_en="Batch normalisation: training speed and the inference-mode pitfall",
    description_ko=(
        "깊은 MLP를 BN 없이/함께 학습해 손실 곡선을 비교하고, 학습된 BN 모델을 model.train()과 "
        "model.eval()로 추론했을 때의 정확도 차이를 보여 줍니다."
    ),
    description_en=(
        "A deep MLP trained with and without BN, and the accuracy of the trained BN model when "
        "run in model.train() (single-class or size-2 batches) versus model.eval()."
    ),
    params=BatchNormParams,
    run=run,
    expected_seconds=3.0,
    prompt_ids=("q08", "q08.2"),
)
