"""BCE vs MSE on a sigmoid output: why MSE learns slowly when the model is confidently wrong.

With p = sigmoid(z) and target 1, dBCE/dz = p - 1, which stays near -1 however wrong the model
is, while dMSE/dz = 2(p - 1) p (1 - p) carries the sigmoid's slope and vanishes as z goes to
minus infinity. The second half trains the same network both ways from a confidently wrong start
and also tracks MSE as a metric, which is how to "watch MSE while training with BCE" (q11.3).
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

_PROBE_LOGIT = -5.0


class LossesParams(DemoParams):
    """Odd-vs-even digits with a small MLP and plain SGD (Adam would rescale the gradients away)."""

    epochs: int = Field(default=40, ge=1, le=300, description="passes over 1,437 training images")
    batch_size: int = Field(default=64, ge=8, le=1024, description="mini-batch size")
    learning_rate: float = Field(default=0.1, gt=0.0, le=5.0, description="SGD learning rate")
    hidden: int = Field(default=32, ge=4, le=256, description="hidden units")
    init_bias: float = Field(
        default=-6.0,
        ge=-12.0,
        le=12.0,
        description="initial output bias; very negative = confidently predicting 'even' for all",
    )


def _logit_gradients(z: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """BCE and MSE losses and their gradients w.r.t. the logit, for target 1, via autograd."""
    z = z.clone().requires_grad_(True)
    p = torch.sigmoid(z)
    target = torch.ones_like(z)
    bce = nn.functional.binary_cross_entropy_with_logits(z, target, reduction="none")
    mse = (p - target) ** 2
    (grad_bce,) = torch.autograd.grad(bce.sum(), z)
    (grad_mse,) = torch.autograd.grad(mse.sum(), z)
    return bce.detach(), mse.detach(), grad_bce, grad_mse


def _train(
    loss_name: str,
    p: LossesParams,
    data: tuple[Tensor, Tensor, Tensor, Tensor],
    tick: ProgressFn,
) -> tuple[list[float], list[float], list[float]]:
    """Train with one loss; return test accuracy, test BCE and test MSE after every epoch."""
    x, y, xt, yt = data
    torch.manual_seed(p.seed)
    model = nn.Sequential(nn.Linear(64, p.hidden), nn.ReLU(), nn.Linear(p.hidden, 1))
    last = model[2]
    assert isinstance(last, nn.Linear)
    nn.init.constant_(last.bias, p.init_bias)
    optimizer = torch.optim.SGD(model.parameters(), lr=p.learning_rate)
    order = torch.Generator().manual_seed(p.seed)
    accuracy, test_bce, test_mse = [], [], []
    for epoch in range(p.epochs):
        for idx in torch.split(torch.randperm(len(x), generator=order), p.batch_size):
            logits: Tensor = model(x[idx]).squeeze(1)
            if loss_name == "BCE":
                loss = nn.functional.binary_cross_entropy_with_logits(logits, y[idx])
            else:
                loss = nn.functional.mse_loss(torch.sigmoid(logits), y[idx])
            optimizer.zero_grad()
            torch.autograd.backward(loss)
            optimizer.step()
        with torch.no_grad():
            test_logits: Tensor = model(xt).squeeze(1)
            probs = torch.sigmoid(test_logits)
            accuracy.append(float(((probs > 0.5).float() == yt).float().mean()))
            test_bce.append(float(nn.functional.binary_cross_entropy_with_logits(test_logits, yt)))
            test_mse.append(float(nn.functional.mse_loss(probs, yt)))
        tick((epoch + 1) / p.epochs, f"epoch {epoch + 1}")
    return accuracy, test_bce, test_mse


def _first_epoch_at(values: list[float], level: float) -> int | None:
    return next((i + 1 for i, v in enumerate(values) if v >= level), None)


def run(params: DemoParams, progress: ProgressFn) -> DemoResult:
    """Gradient curves first (exact), then the two training runs."""
    p = LossesParams.model_validate(params.model_dump())
    z = torch.linspace(-10, 10, 401)
    bce, mse, grad_bce, grad_mse = _logit_gradients(z)
    probe = _logit_gradients(torch.tensor([_PROBE_LOGIT]))
    probe_bce, probe_mse = float(probe[2][0]), float(probe[3][0])

    split = digits_split()
    data = (
        tensor(split.z_train),
        tensor(split.y_train % 2).float(),
        tensor(split.z_test),
        tensor(split.y_test % 2).float(),
    )
    runs = {}
    for i, name in enumerate(("BCE", "MSE")):

        def tick(fraction: float, message: str, i: int = i, name: str = name) -> None:
            progress(0.05 + (i + fraction) * 0.425, f"{name}: {message}")

        runs[name] = _train(name, p, data, tick)

    progress(0.95, "plotting")
    colors = {"BCE": "tab:blue", "MSE": "tab:red"}
    fig = new_figure(2, 2, width=5.5, height=4.0)
    ax_loss, ax_grad, ax_acc, ax_mse = fig.axes
    zs = z.numpy()
    ax_loss.plot(zs, bce.numpy(), color=colors["BCE"], label="BCE = -log σ(z)")
    ax_loss.plot(zs, mse.numpy(), color=colors["MSE"], label="MSE = (σ(z) - 1)²")
    ax_loss.set_title("타깃 1일 때 손실 / loss for target 1")
    ax_loss.set_ylabel("손실 / loss")
    ax_grad.plot(zs, grad_bce.abs().numpy(), color=colors["BCE"], label="|dBCE/dz| = 1 - σ(z)")
    ax_grad.plot(
        zs, grad_mse.abs().numpy(), color=colors["MSE"], label="|dMSE/dz| = 2(1 - σ)σ(1 - σ)"
    )
    for value, name in ((probe_bce, "BCE"), (probe_mse, "MSE")):
        ax_grad.plot([_PROBE_LOGIT], [abs(value)], "o", color=colors[name])
        ax_grad.annotate(
            f"{abs(value):.3f}",
            (_PROBE_LOGIT, abs(value)),
            xytext=(6, 4),
            textcoords="offset points",
        )
    ax_grad.set_title("로짓에 대한 기울기 크기 / gradient magnitude w.r.t. logit")
    ax_grad.set_ylabel("|dL/dz|")
    style_panels(
        ax_loss,
        ax_grad,
        xlabel="로짓 z (음수 = 확신을 갖고 틀림) / logit z (negative: confidently wrong)",
    )
    epochs = np.arange(1, p.epochs + 1)
    for name, (accuracy, _, test_mse) in runs.items():
        ax_acc.plot(
            epochs, accuracy, color=colors[name], label=f"{name}로 학습 / trained with {name}"
        )
        ax_mse.plot(
            epochs, test_mse, color=colors[name], label=f"{name}로 학습 / trained with {name}"
        )
    ax_acc.set_ylabel("테스트 정확도 / test accuracy")
    ax_acc.set_title(f"홀짝 분류, 초기 편향 {p.init_bias:g} / odd vs even, initial bias")
    ax_mse.set_ylabel("테스트 MSE (지표로 관찰) / test MSE as a metric")
    ax_mse.set_title("학습 손실과 무관하게 MSE 관찰 / MSE monitored")
    style_panels(ax_acc, ax_mse, xlabel="에폭 / epoch")
    image = to_png(fig)

    acc_bce, acc_mse = runs["BCE"][0][-1], runs["MSE"][0][-1]
    reach_bce = _first_epoch_at(runs["BCE"][0], 0.9)
    reach_mse = _first_epoch_at(runs["MSE"][0], 0.9)

    def epochs_said(reached: int | None, ko: bool) -> str:
        if reached is None:
            return f"{p.epochs}에폭 안에 도달 못 함" if ko else f"not within {p.epochs} epochs"
        return f"{reached}에폭" if ko else f"epoch {reached}"

    progress(1.0, "done")
    return DemoResult(
        images=[image],
        metrics={
            "grad_bce_at_minus5": abs(probe_bce),
            "grad_mse_at_minus5": abs(probe_mse),
            "test_acc_bce": acc_bce,
            "test_acc_mse": acc_mse,
            "test_mse_bce_trained": runs["BCE"][2][-1],
            "test_mse_mse_trained": runs["MSE"][2][-1],
            "epochs_to_90pct_bce": reach_bce if reach_bce is not None else p.epochs + 1,
            "epochs_to_90pct_mse": reach_mse if reach_mse is not None else p.epochs + 1,
        },
        summary_ko=(
            f"타깃이 1인데 로짓이 {_PROBE_LOGIT:g}(확신을 갖고 틀림)일 때 로짓에 대한 기울기 "
            f"크기는 BCE {abs(probe_bce):.3f}, MSE {abs(probe_mse):.4f}로 MSE는 시그모이드 "
            f"기울기에 눌려 사라집니다. 출력 편향 {p.init_bias:g}에서 SGD로 {p.epochs}에폭 "
            f"학습하면 테스트 정확도는 BCE {acc_bce:.1%}, MSE {acc_mse:.1%}이고 90% 도달은 "
            f"BCE {epochs_said(reach_bce, True)}, MSE {epochs_said(reach_mse, True)}입니다."
        ),
        summary_en=(
            f"With target 1 and logit {_PROBE_LOGIT:g} (confidently wrong) the gradient "
            f"magnitude w.r.t. the logit is {abs(probe_bce):.3f} for BCE but {abs(probe_mse):.4f} "
            f"for MSE, crushed by the sigmoid's slope. From output bias {p.init_bias:g}, "
            f"{p.epochs} epochs of SGD reach {acc_bce:.1%} test accuracy with BCE and "
            f"{acc_mse:.1%} with MSE; 90% is reached at {epochs_said(reach_bce, False)} (BCE) "
            f"and {epochs_said(reach_mse, False)} (MSE)."
        ),
    )


DEMO = Demo(
    name="losses",
    title_ko="BCE vs MSE: 시그모이드 출력의 기울기",
    title_en="BCE vs MSE: gradients through a sigmoid output",
    description_ko=(
        "시그모이드 출력에서 로짓에 대한 BCE와 MSE의 기울기를 비교하고(확신을 갖고 틀릴 때 MSE "
        "기울기 소실), 같은 신경망을 두 손실로 학습시켜 비교합니다."
    ),
    description_en=(
        "Gradients of BCE and MSE w.r.t. the logit of a sigmoid output (MSE's vanishes when "
        "confidently wrong), and the same network trained with each loss."
    ),
    params=LossesParams,
    run=run,
    expected_seconds=3.0,
    prompt_ids=("q11.3", "q11.2", "x04"),
)
