"""Weight initialisation: how activations look layer by layer for zero, tiny, Xavier and He init.

No training is needed to see the point: one forward pass of a deep net already shows whether the
signal dies (zero or tiny weights), saturates, or keeps a healthy spread. Xavier keeps the
variance of tanh layers; He keeps the variance of ReLU layers, which halve it otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import numpy as np
import numpy.typing as npt
from pydantic import Field

from compute.catalog import Demo, DemoParams, DemoResult, ProgressFn
from compute.demos._figures import new_figure, to_png
from compute.demos._plot import log_scale, style_panels

Activation = Literal["tanh", "relu"]
Init = Callable[[np.random.Generator, int, int], npt.NDArray[np.float64]]


class InitParams(DemoParams):
    """A deep fully connected stack fed standard-normal inputs."""

    layers: int = Field(default=8, ge=2, le=12, description="hidden layers")
    width: int = Field(default=256, ge=16, le=1024, description="units per layer")
    samples: int = Field(default=1000, ge=50, le=5000, description="input vectors")
    small_std: float = Field(
        default=0.01, gt=0.0, le=0.1, description="standard deviation of the 'small normal' init"
    )


def _inits(small_std: float) -> dict[str, Init]:
    return {
        "zero": lambda rng, n_in, n_out: np.zeros((n_in, n_out)),
        f"N(0, {small_std:g}²)": lambda rng, n_in, n_out: rng.normal(0, small_std, (n_in, n_out)),
        "Xavier": lambda rng, n_in, n_out: rng.normal(
            0, np.sqrt(2 / (n_in + n_out)), (n_in, n_out)
        ),
        "He": lambda rng, n_in, n_out: rng.normal(0, np.sqrt(2 / n_in), (n_in, n_out)),
    }


def _forward(
    x: npt.NDArray[np.float64], init: Init, activation: Activation, layers: int, seed: int
) -> list[npt.NDArray[np.float64]]:
    """Activations of every hidden layer; each init draws from its own stream of the seed."""
    rng = np.random.default_rng(seed)
    outputs = []
    h = x
    for _ in range(layers):
        z = h @ init(rng, h.shape[1], h.shape[1])
        h = np.tanh(z) if activation == "tanh" else np.maximum(z, 0.0)
        outputs.append(h)
    return outputs


def _ridgelines(acts: dict[Activation, dict[str, list[npt.NDArray[np.float64]]]]) -> bytes:
    """One panel per (activation, init): each layer's histogram stacked upwards (a ridgeline).

    Every histogram is scaled to its own peak, so a collapsed layer shows as a single spike.
    """
    names = list(next(iter(acts.values())))
    fig = new_figure(len(names), len(acts), width=3.4, height=3.6)
    for row, (activation, by_init) in enumerate(acts.items()):
        bins = np.linspace(-1, 1, 41) if activation == "tanh" else np.linspace(0, 3, 41)
        centers = (bins[:-1] + bins[1:]) / 2
        for col, name in enumerate(names):
            ax = fig.axes[row * len(names) + col]
            for layer, h in enumerate(by_init[name]):
                # Half of every ReLU output is exactly 0; that spike would hide the rest.
                shown = h[h > 0] if activation == "relu" and (h > 0).any() else h
                # Equal-width bins given as a count and a range: numpy then bins by arithmetic
                # instead of sorting every layer's values: the same counts in a quarter of the time.
                counts, _ = np.histogram(shown, bins=len(bins) - 1, range=(bins[0], bins[-1]))
                height = 0.9 * counts / max(1, counts.max())
                ax.fill_between(centers, layer, layer + height, color=f"C{col}", alpha=0.7)
                ax.text(bins[-1], layer + 0.35, f"{h.std():.1g}", ha="right", fontsize=7)
            ax.set_yticks(
                range(len(by_init[name])), [f"L{i + 1}" for i in range(len(by_init[name]))]
            )
            ax.set_xlim(bins[0], bins[-1])
            zeros = " (0 제외 / zeros excluded)" if activation == "relu" else ""
            ax.set_title(f"{activation} · {name}{zeros}", fontsize=10)
            ax.set_xlabel("활성값 / activation (오른쪽 숫자 = std)")
            if col == 0:
                ax.set_ylabel("층 / layer")
    fig.suptitle("층별 활성값 분포 (아래 = 1층, 위 = 마지막 층) / activation histograms per layer")
    return to_png(fig)


def run(params: DemoParams, progress: ProgressFn) -> DemoResult:
    """One forward pass per (init, activation) pair, then histograms and std-per-layer curves."""
    p = InitParams.model_validate(params.model_dump())
    x = np.random.default_rng(p.seed).standard_normal((p.samples, p.width))
    inits = _inits(p.small_std)
    activations: tuple[Activation, ...] = ("tanh", "relu")
    acts: dict[Activation, dict[str, list[npt.NDArray[np.float64]]]] = {}
    for i, activation in enumerate(activations):
        acts[activation] = {
            name: _forward(x, init, activation, p.layers, p.seed + 1 + k)
            for k, (name, init) in enumerate(inits.items())
        }
        progress(0.1 + 0.1 * i, f"forward passes ({activation})")

    images = [_ridgelines(acts)]
    progress(0.6, "histograms")

    fig = new_figure(2, width=5.5, height=4.0)
    for ax, activation in zip(fig.axes, activations, strict=True):
        stds = {
            name: [float(h.std()) for h in outputs] for name, outputs in acts[activation].items()
        }
        positive = [s for values in stds.values() for s in values if s > 0]
        floor = 10 ** np.floor(np.log10(min(positive))) / 10
        for k, (name, values) in enumerate(stds.items()):
            shown = [max(s, floor) for s in values]
            label = name if min(values) > 0 else f"{name} (0은 바닥에 표시 / 0 drawn at floor)"
            ax.plot(range(1, p.layers + 1), shown, "o-", color=f"C{k}", label=label)
        log_scale(ax)
        ax.set_xlabel("층 / layer")
        ax.set_ylabel("활성값 표준편차 / activation std")
        ax.set_title(f"{activation}: 층별 표준편차 / std per layer")
        style_panels(ax)
    images.append(to_png(fig))

    metrics: dict[str, float] = {}
    keys = dict(zip(inits, ("zero", "small", "xavier", "he"), strict=True))
    for activation in activations:
        for name, outputs in acts[activation].items():
            metrics[f"last_std_{keys[name]}_{activation}"] = float(outputs[-1].std())
    tanh = {keys[n]: metrics[f"last_std_{keys[n]}_tanh"] for n in inits}
    relu = {keys[n]: metrics[f"last_std_{keys[n]}_relu"] for n in inits}
    progress(1.0, "done")
    return DemoResult(
        images=images,
        metrics=dict(metrics),
        summary_ko=(
            f"{p.layers}층(폭 {p.width}) 신경망의 마지막 층 활성값 표준편차: tanh에서 0 초기화 "
            f"{tanh['zero']:.2g}, N(0, {p.small_std:g}²) {tanh['small']:.2g}(신호 소멸), Xavier "
            f"{tanh['xavier']:.2g}, He {tanh['he']:.2g}; ReLU에서는 Xavier {relu['xavier']:.2g}로 "
            f"층마다 줄어들고 He {relu['he']:.2g}는 유지됩니다. 0 초기화는 모든 뉴런이 같아져 "
            "대칭이 깨지지 않습니다."
        ),
        summary_en=(
            f"Last-layer activation std of a {p.layers}-layer, width-{p.width} net: with tanh, "
            f"zero init {tanh['zero']:.2g}, N(0, {p.small_std:g}²) {tanh['small']:.2g} (the "
            f"signal vanishes), Xavier {tanh['xavier']:.2g}, He {tanh['he']:.2g}; with ReLU, "
            f"Xavier shrinks layer by layer to {relu['xavier']:.2g} while He keeps "
            f"{relu['he']:.2g}. Zero init also makes every unit identical, so symmetry never "
            "breaks."
        ),
    )


DEMO = Demo(
    name="init",
    title_ko="가중치 초기화: 0, 작은 정규분포, Xavier, He",
    title_en="Weight initialisation: zero, small normal, Xavier, He",
    description_ko=(
        "깊은 tanh/ReLU 신경망에 한 번 순전파해 초기화 방법별로 층마다 활성값 분포가 어떻게 "
        "변하는지 히스토그램으로 보여 줍니다."
    ),
    description_en=(
        "One forward pass through a deep tanh or ReLU net: per-layer activation histograms for "
        "zero, small normal, Xavier and He initialisation."
    ),
    params=InitParams,
    run=run,
    expected_seconds=3.0,
    prompt_ids=("x11",),
)
