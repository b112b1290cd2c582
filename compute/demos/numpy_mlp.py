"""An MLP digit classifier in pure numpy, with the size of its own source as a metric.

The interview question (q10) is "how many lines is an MNIST MLP in numpy?". The answer here is
measured, not claimed: the demo trains with `_numpy_mlp_core` and counts that module's code lines
(not blank, not comments, not docstrings) from its source.
"""

from __future__ import annotations

import ast
import inspect
import io
import tokenize
from collections.abc import Callable

import numpy as np
from pydantic import Field

from compute.catalog import Demo, DemoParams, DemoResult, ProgressFn
from compute.demos import _numpy_mlp_core as core
from compute.demos._digits import digits_split
from compute.demos._figures import new_figure, to_png
from compute.demos._plot import style_panels

_NOT_CODE = {
    tokenize.COMMENT,
    tokenize.NL,
    tokenize.NEWLINE,
    tokenize.INDENT,
    tokenize.DEDENT,
    tokenize.ENDMARKER,
}


class NumpyMlpParams(DemoParams):
    """One hidden ReLU layer, softmax output, mini-batch SGD."""

    hidden: int = Field(default=64, ge=4, le=512, description="hidden units")
    epochs: int = Field(default=30, ge=1, le=200, description="passes over 1,437 training images")
    learning_rate: float = Field(default=0.1, gt=0.0, le=2.0, description="SGD learning rate")
    batch_size: int = Field(default=32, ge=1, le=512, description="mini-batch size")


def code_lines(source: str) -> set[int]:
    """Line numbers (1-based) that hold code: not blank, not only a comment, not a docstring."""
    docstrings: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            first = node.body[0] if node.body else None
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                docstrings.update(range(first.lineno, (first.end_lineno or first.lineno) + 1))
    lines: set[int] = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type not in _NOT_CODE:
            lines.update(range(token.start[0], token.end[0] + 1))
    return lines - docstrings


def train_at(p: NumpyMlpParams, on_epoch: Callable[[int, float, float], None]) -> None:
    """The demo's training on digits with `p` (the benchmark times this alone)."""
    split = digits_split()
    core.train(
        split.z_train.astype(np.float64),
        split.y_train,
        split.z_test.astype(np.float64),
        split.y_test,
        hidden=p.hidden,
        epochs=p.epochs,
        lr=p.learning_rate,
        batch=p.batch_size,
        rng=np.random.default_rng(p.seed),
        on_epoch=on_epoch,
    )


def run(params: DemoParams, progress: ProgressFn) -> DemoResult:
    """Train the numpy MLP, plot its curves, and count its lines."""
    p = NumpyMlpParams.model_validate(params.model_dump())
    losses: list[float] = []
    accuracies: list[float] = []

    def on_epoch(epoch: int, loss: float, accuracy: float) -> None:
        losses.append(loss)
        accuracies.append(accuracy)
        progress(0.9 * (epoch + 1) / p.epochs, f"epoch {epoch + 1}: test acc {accuracy:.3f}")

    train_at(p, on_epoch)
    total_lines = len(code_lines(inspect.getsource(core)))
    step_source = inspect.getsource(core.sgd_step)
    step_lines = len(code_lines(step_source)) - 1  # the `def` line
    accuracy = accuracies[-1]

    fig = new_figure(2, width=5.5, height=4.0)
    ax_loss, ax_acc = fig.axes
    epochs = np.arange(1, p.epochs + 1)
    ax_loss.plot(epochs, losses, "o-", color="tab:red", markersize=3)
    ax_loss.set_ylabel("학습 손실 / training cross-entropy")
    ax_loss.set_title(f"numpy MLP ({total_lines}줄 / lines): 학습 손실 / loss")
    ax_acc.plot(epochs, accuracies, "o-", color="tab:blue", markersize=3)
    ax_acc.set_ylabel("테스트 정확도 / test accuracy")
    ax_acc.set_title(f"테스트 정확도 / test accuracy (최종 {accuracy:.1%})")
    style_panels(ax_loss, ax_acc, xlabel="에폭 / epoch", legend=False)
    image = to_png(fig)
    progress(1.0, "done")
    return DemoResult(
        images=[image],
        metrics={
            "code_lines": total_lines,
            "sgd_step_lines": step_lines,
            "test_accuracy": accuracy,
            "final_train_loss": losses[-1],
        },
        summary_ko=(
            f"numpy만으로 쓴 MLP(은닉 {p.hidden}, ReLU, 소프트맥스 교차 엔트로피, 미니배치 SGD)는 "
            f"import와 타입 선언을 포함해 코드 {total_lines}줄(빈 줄·주석·독스트링 제외)이고, 그중 "
            f"순전파 호출·손실·역전파·업데이트를 하는 한 스텝이 {step_lines}줄입니다. "
            f"{p.epochs}에폭 뒤 테스트 정확도는 {accuracy:.1%}, 학습 손실은 {losses[-1]:.3f}입니다."
        ),
        summary_en=(
            f"The pure-numpy MLP (hidden {p.hidden}, ReLU, softmax cross-entropy, mini-batch SGD) "
            f"is {total_lines} lines of code including imports and type aliases (blank lines, "
            f"comments and docstrings excluded); one training step (forward call, loss, backprop, "
            f"update) is {step_lines} lines. After {p.epochs} epochs it reaches {accuracy:.1%} "
            f"test accuracy, training loss {losses[-1]:.3f}."
        ),
    )


DEMO = Demo(
    name="numpy-mlp",
    title_ko="numpy로 만든 MLP 숫자 분류기: 몇 줄일까?",
    title_en="An MLP digit classifier in numpy: how many lines?",
    description_ko=(
        "순전파, 소프트맥스 교차 엔트로피, 역전파, SGD를 numpy로만 구현해 8x8 숫자를 학습하고, "
        "그 코드의 줄 수와 테스트 정확도를 보고합니다."
    ),
    description_en=(
        "Forward pass, softmax cross-entropy, backprop and SGD in plain numpy on 8x8 digits; "
        "reports the code's own line count and its test accuracy."
    ),
    params=NumpyMlpParams,
    run=run,
    expected_seconds=2.0,
    prompt_ids=("q10", "q10.2"),
)
