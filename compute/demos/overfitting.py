"""Overfitting on a tiny training set, and what dropout, L2 and early stopping do about it.

A wide MLP memorises 100 digits: its training loss goes to zero while the validation loss turns
back up. That rise is the measurable signature of overfitting the interview questions ask about.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from pydantic import Field
from torch import Tensor, nn

from compute.catalog import Demo, DemoParams, DemoResult, ProgressFn
from compute.demos._digits import digits_split, stratified_subset, tensor
from compute.demos._figures import new_figure, to_png
from compute.demos._plot import log_scale, style_panels


class OverfittingParams(DemoParams):
    """Small data and a big network, so that overfitting shows within 150 epochs."""

    n_train: int = Field(default=100, ge=30, le=1000, description="training images (of 1,437)")
    hidden: int = Field(default=256, ge=16, le=1024, description="units in each of 2 hidden layers")
    epochs: int = Field(default=150, ge=10, le=2000, description="full-batch Adam steps")
    learning_rate: float = Field(default=3e-3, gt=0.0, le=0.1, description="Adam learning rate")
    dropout: float = Field(default=0.5, ge=0.05, le=0.9, description="dropout rate (variant 2)")
    l2: float = Field(default=1e-3, gt=0.0, le=1.0, description="L2 penalty weight (variant 3)")
    patience: int = Field(default=20, ge=1, le=500, description="early-stopping patience, epochs")


@dataclass(frozen=True)
class _Curves:
    train_loss: list[float]
    val_loss: list[float]
    val_acc: list[float]


def _mlp(hidden: int, dropout: float) -> nn.Sequential:
    layers: list[nn.Module] = [nn.Linear(64, hidden), nn.ReLU()]
    if dropout > 0:
        layers.append(nn.Dropout(dropout))
    layers += [nn.Linear(hidden, hidden), nn.ReLU()]
    if dropout > 0:
        layers.append(nn.Dropout(dropout))
    layers.append(nn.Linear(hidden, 10))
    return nn.Sequential(*layers)


def _train(
    p: OverfittingParams,
    data: tuple[Tensor, Tensor, Tensor, Tensor],
    dropout: float,
    l2: float,
    on_epoch: ProgressFn,
) -> _Curves:
    """Full-batch training; the same seed gives every variant the same initial weights."""
    x, y, xv, yv = data
    torch.manual_seed(p.seed)
    model = _mlp(p.hidden, dropout)
    optimizer = torch.optim.Adam(model.parameters(), lr=p.learning_rate)
    loss_fn = nn.CrossEntropyLoss()
    weights = [m.weight for m in model.modules() if isinstance(m, nn.Linear)]
    curves = _Curves([], [], [])
    for epoch in range(p.epochs):
        model.train()
        data_loss: Tensor = loss_fn(model(x), y)
        penalty = sum((w.pow(2).sum() for w in weights), torch.zeros(()))
        optimizer.zero_grad()
        torch.autograd.backward(data_loss + l2 * penalty)
        optimizer.step()
        model.eval()
        with torch.no_grad():
            logits: Tensor = model(xv)
            curves.train_loss.append(data_loss.item())
            curves.val_loss.append(float(loss_fn(logits, yv)))
            curves.val_acc.append(float((logits.argmax(1) == yv).float().mean()))
        if epoch % 25 == 0:
            on_epoch(epoch / p.epochs, f"epoch {epoch}")
    return curves


def _early_stop(val_loss: list[float], patience: int) -> tuple[int, int]:
    """(epoch where training would stop, best epoch restored); 0-based."""
    best = 0
    for epoch, loss in enumerate(val_loss):
        if loss < val_loss[best]:
            best = epoch
        elif epoch - best >= patience:
            return epoch, best
    return len(val_loss) - 1, best


def run(params: DemoParams, progress: ProgressFn) -> DemoResult:
    """Train three variants from the same start and compare their validation curves."""
    p = OverfittingParams.model_validate(params.model_dump())
    split = digits_split()
    idx = stratified_subset(split.y_train, p.n_train, np.random.default_rng(p.seed))
    data = (
        tensor(split.z_train[idx]),
        tensor(split.y_train[idx]),
        tensor(split.z_test),
        tensor(split.y_test),
    )
    variants = {
        "plain": (0.0, 0.0),
        "dropout": (p.dropout, 0.0),
        "l2": (0.0, p.l2),
    }
    curves: dict[str, _Curves] = {}
    for i, (name, (dropout, l2)) in enumerate(variants.items()):

        def on_epoch(fraction: float, message: str, i: int = i, name: str = name) -> None:
            progress((i + fraction) / len(variants) * 0.9, f"{name}: {message}")

        curves[name] = _train(p, data, dropout, l2, on_epoch)

    progress(0.9, "plotting")
    plain = curves["plain"]
    stop_epoch, best_epoch = _early_stop(plain.val_loss, p.patience)
    rise = plain.val_loss[-1] - min(plain.val_loss)
    labels = {
        "plain": "규제 없음 / none",
        "dropout": f"드롭아웃 / dropout {p.dropout:g}",
        "l2": f"L2 {p.l2:g}",
    }
    colors = {"plain": "tab:red", "dropout": "tab:blue", "l2": "tab:green"}

    fig = new_figure(2, width=6.5, height=4.5)
    ax_loss, ax_acc = fig.axes
    epochs = np.arange(1, p.epochs + 1)
    for name, c in curves.items():
        ax_loss.plot(epochs, c.train_loss, "--", color=colors[name], alpha=0.6)
        ax_loss.plot(epochs, c.val_loss, color=colors[name], label=f"{labels[name]} (val)")
        ax_acc.plot(epochs, c.val_acc, color=colors[name], label=labels[name])
    for ax in (ax_loss, ax_acc):
        ax.axvline(stop_epoch + 1, color="gray", linestyle=":", label="조기 종료 / early stop")
    ax_loss.plot([best_epoch + 1], [plain.val_loss[best_epoch]], "k*", markersize=12)
    log_scale(ax_loss)
    ax_loss.set_ylabel("교차 엔트로피 / cross-entropy (점선=train)")
    ax_loss.set_title(f"손실: 학습(점선) vs 검증 / loss, n_train={p.n_train}")
    ax_acc.set_ylabel("검증 정확도 / validation accuracy")
    ax_acc.set_title("검증 정확도 / validation accuracy")
    ax_acc.legend(fontsize=8, loc="lower right")
    style_panels(ax_loss, ax_acc, xlabel="에폭 / epoch")
    image = to_png(fig)

    best_acc = {name: max(c.val_acc) for name, c in curves.items()}
    final_acc = {name: c.val_acc[-1] for name, c in curves.items()}
    final_loss = {name: c.val_loss[-1] for name, c in curves.items()}
    early_acc = plain.val_acc[best_epoch]
    metrics: dict[str, float | int] = {
        "val_loss_rise_plain": rise,
        "min_val_loss_plain": min(plain.val_loss),
        "final_val_loss_plain": plain.val_loss[-1],
        "final_train_loss_plain": plain.train_loss[-1],
        "final_val_loss_dropout": curves["dropout"].val_loss[-1],
        "final_val_loss_l2": curves["l2"].val_loss[-1],
        "early_stop_epoch": stop_epoch + 1,
        "early_stop_best_epoch": best_epoch + 1,
        "early_stop_val_acc": early_acc,
    }
    for name in curves:
        metrics[f"best_val_acc_{name}"] = best_acc[name]
        metrics[f"final_val_acc_{name}"] = final_acc[name]
    progress(1.0, "done")
    return DemoResult(
        images=[image],
        metrics=dict(metrics),
        summary_ko=(
            f"학습 이미지 {p.n_train}장으로 규제 없이 학습하면 학습 손실은 "
            f"{plain.train_loss[-1]:.1e}까지 내려가지만 검증 손실은 최저 "
            f"{min(plain.val_loss):.3f}(에폭 {best_epoch + 1})에서 {plain.val_loss[-1]:.3f}로 "
            f"{rise:.3f} 올라갑니다(과적합). 마지막 검증 손실은 드롭아웃 "
            f"{final_loss['dropout']:.3f}, L2 {final_loss['l2']:.3f}이고, 최고 검증 정확도는 "
            f"규제 없음 {best_acc['plain']:.1%}, "
            f"드롭아웃 {best_acc['dropout']:.1%}, L2 {best_acc['l2']:.1%}입니다. 조기 종료(인내 "
            f"{p.patience})는 에폭 {stop_epoch + 1}에서 멈춰 정확도 {early_acc:.1%}의 모델을 "
            "남깁니다."
        ),
        summary_en=(
            f"Trained on {p.n_train} images without regularisation, the training loss falls to "
            f"{plain.train_loss[-1]:.1e} while the validation loss rises by {rise:.3f} from its "
            f"minimum {min(plain.val_loss):.3f} (epoch {best_epoch + 1}) to "
            f"{plain.val_loss[-1]:.3f}: overfitting. The final validation loss is "
            f"{final_loss['dropout']:.3f} with dropout and {final_loss['l2']:.3f} with L2; best "
            f"validation accuracy: none {best_acc['plain']:.1%}, dropout "
            f"{best_acc['dropout']:.1%}, L2 {best_acc['l2']:.1%}. Early stopping (patience "
            f"{p.patience}) halts at epoch {stop_epoch + 1} and keeps a model with "
            f"{early_acc:.1%}."
        ),
    )


DEMO = Demo(
    name="overfitting",
    title_ko="과적합과 규제: 드롭아웃, L2, 조기 종료",
    title_en="Overfitting and regularisation: dropout, L2, early stopping",
    description_ko=(
        "작은 데이터(숫자 100장)에 큰 MLP를 학습시켜 학습/검증 손실 곡선을 비교합니다. "
        "규제 없음, 드롭아웃, L2, 조기 종료 지점을 함께 보여 줍니다."
    ),
    description_en=(
        "A wide MLP on 100 digits: training vs validation curves without regularisation, with "
        "dropout, with L2, and where early stopping would stop."
    ),
    params=OverfittingParams,
    run=run,
    expected_seconds=4.0,
    prompt_ids=("q07", "q07.1", "q07.3", "q08.1", "x09"),
)
