"""A small GAN learning a ring of 2-D Gaussians: samples over training and the two losses.

A 2-D mixture keeps the run fast and makes the outcome checkable: every generated point is either
near one of the known modes or not, and a mode with (almost) no points is a mode the generator
dropped (mode collapse). The same adversarial loop is what a DCGAN runs on images (q12).
"""

from __future__ import annotations

import numpy as np
import torch
from pydantic import Field
from torch import Tensor, nn

from compute.catalog import Demo, DemoParams, DemoResult, ProgressFn
from compute.demos._figures import new_figure, to_png
from compute.demos._plot import style_panels

_RADIUS = 2.0
_EVAL_SAMPLES = 2000


class GanParams(DemoParams):
    """Mixture and training settings; the defaults cover all modes for seeds tried."""

    modes: int = Field(default=8, ge=2, le=16, description="Gaussians evenly spaced on a circle")
    mode_std: float = Field(default=0.1, ge=0.01, le=0.5, description="std of each Gaussian")
    steps: int = Field(default=1500, ge=50, le=10000, description="D and G updates (one each)")
    batch_size: int = Field(default=128, ge=16, le=1024, description="real and fake per step")
    learning_rate: float = Field(default=2e-3, gt=0.0, le=0.01, description="Adam learning rate")
    hidden: int = Field(default=64, ge=8, le=256, description="units per hidden layer (G and D)")
    noise_dim: int = Field(default=8, ge=1, le=64, description="generator input noise size")


def _centers(modes: int) -> Tensor:
    angles = torch.arange(modes, dtype=torch.float32) * 2 * np.pi / modes
    return _RADIUS * torch.stack([torch.cos(angles), torch.sin(angles)], dim=1)


def _quality(samples: Tensor, centers: Tensor, std: float) -> tuple[float, int, list[int]]:
    """(share within 3 std of a mode, modes holding at least a quarter of a fair share, counts)."""
    distance, nearest = torch.cdist(samples, centers).min(dim=1)
    near = distance < 3 * std
    counts = torch.bincount(nearest[near], minlength=len(centers))
    covered = int((counts >= 0.25 * len(samples) / len(centers)).sum())
    return float(near.float().mean()), covered, [int(c) for c in counts]


def run(params: DemoParams, progress: ProgressFn) -> DemoResult:
    """Alternate one D step and one G step (non-saturating G loss), snapshotting samples."""
    p = GanParams.model_validate(params.model_dump())
    torch.manual_seed(p.seed)
    noise = torch.Generator().manual_seed(p.seed)
    centers = _centers(p.modes)

    def real(n: int) -> Tensor:
        idx = torch.randint(0, p.modes, (n,), generator=noise)
        return centers[idx] + p.mode_std * torch.randn(n, 2, generator=noise)

    generator = nn.Sequential(
        nn.Linear(p.noise_dim, p.hidden),
        nn.ReLU(),
        nn.Linear(p.hidden, p.hidden),
        nn.ReLU(),
        nn.Linear(p.hidden, 2),
    )
    discriminator = nn.Sequential(
        nn.Linear(2, p.hidden),
        nn.LeakyReLU(0.2),
        nn.Linear(p.hidden, p.hidden),
        nn.LeakyReLU(0.2),
        nn.Linear(p.hidden, 1),
    )
    opt_g = torch.optim.Adam(generator.parameters(), lr=p.learning_rate, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(discriminator.parameters(), lr=p.learning_rate, betas=(0.5, 0.999))
    bce = nn.BCEWithLogitsLoss()
    ones, zeros = torch.ones(p.batch_size, 1), torch.zeros(p.batch_size, 1)
    fixed_noise = torch.randn(_EVAL_SAMPLES, p.noise_dim, generator=noise)
    snapshot_steps = sorted({0, p.steps // 15, p.steps // 3, p.steps})
    snapshots: dict[int, Tensor] = {}
    d_losses: list[float] = []
    g_losses: list[float] = []
    for step in range(p.steps + 1):
        if step in snapshot_steps:
            with torch.no_grad():
                snapshots[step] = generator(fixed_noise)
        if step == p.steps:
            break
        fake: Tensor = generator(torch.randn(p.batch_size, p.noise_dim, generator=noise))
        # D step: fake.detach() keeps G's weights out of D's update (q12.2).
        d_loss: Tensor = bce(discriminator(real(p.batch_size)), ones) + bce(
            discriminator(fake.detach()), zeros
        )
        opt_d.zero_grad()
        torch.autograd.backward(d_loss)
        opt_d.step()
        # G step: only opt_g steps, so D's freshly computed gradients are simply discarded.
        g_loss: Tensor = bce(discriminator(fake), ones)
        opt_g.zero_grad()
        torch.autograd.backward(g_loss)
        opt_g.step()
        d_losses.append(d_loss.item())
        g_losses.append(g_loss.item())
        if step % 100 == 0:
            progress(0.9 * step / p.steps, f"step {step}")

    progress(0.9, "plotting")
    quality = {s: _quality(snapshots[s], centers, p.mode_std) for s in snapshot_steps}
    final_share, covered, counts = quality[p.steps]
    reference = real(_EVAL_SAMPLES)
    fig = new_figure(3, 2, width=4.2, height=4.0)
    panels = [("실제 데이터 / real data", reference, "tab:blue")] + [
        (
            f"스텝 {s} / step {s}: 근접 {quality[s][0]:.0%}, 모드 {quality[s][1]}/{p.modes}",
            snapshots[s],
            "tab:red",
        )
        for s in snapshot_steps
    ]
    limit = _RADIUS + 1.5
    for ax, (title, points, color) in zip(fig.axes, panels, strict=False):
        ax.scatter(points[:, 0].numpy(), points[:, 1].numpy(), s=2, alpha=0.4, color=color)
        ax.scatter(centers[:, 0].numpy(), centers[:, 1].numpy(), marker="x", color="black", s=30)
        ax.set_xlim(-limit, limit)
        ax.set_ylim(-limit, limit)
        ax.set_aspect("equal")
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("x1")
        ax.set_ylabel("x2")
    ax_loss = fig.axes[-1]
    window = max(1, p.steps // 50)
    kernel = np.ones(window) / window
    for losses, label, color in (
        (d_losses, "D 손실 / D loss", "tab:blue"),
        (g_losses, "G 손실 / G loss", "tab:red"),
    ):
        ax_loss.plot(np.convolve(losses, kernel, mode="valid"), color=color, label=label)
    ax_loss.axhline(2 * np.log(2), color="tab:blue", linestyle=":", label="D 균형 / D at 2·ln 2")
    ax_loss.axhline(np.log(2), color="tab:red", linestyle=":", label="G 균형 / G at ln 2")
    ax_loss.set_xlabel("스텝 / step")
    ax_loss.set_ylabel("BCE (이동 평균 / moving average)")
    ax_loss.set_title("판별자·생성자 손실 / D and G losses")
    style_panels(ax_loss)
    image = to_png(fig)

    tail = max(1, p.steps // 10)
    d_final = float(np.mean(d_losses[-tail:]))
    g_final = float(np.mean(g_losses[-tail:]))
    progress(1.0, "done")
    return DemoResult(
        images=[image],
        metrics={
            "modes": p.modes,
            "modes_covered": covered,
            "near_mode_fraction": final_share,
            "near_mode_fraction_by_snapshot": [quality[s][0] for s in snapshot_steps],
            "snapshot_steps": snapshot_steps,
            "samples_per_mode": counts,
            "d_loss_final": d_final,
            "g_loss_final": g_final,
        },
        summary_ko=(
            f"원 위에 놓인 가우시안 {p.modes}개를 {p.steps}스텝 학습한 뒤, 생성 샘플 "
            f"{_EVAL_SAMPLES}개 중 {final_share:.0%}가 어떤 모드의 3σ 안에 있고 모드 "
            f"{covered}/{p.modes}개를 덮습니다(시작 시 {quality[0][0]:.0%}). 마지막 10% "
            f"구간 평균 손실은 D {d_final:.2f}, G {g_final:.2f}입니다(D가 진짜와 가짜를 전혀 "
            "구별하지 못하는 이상적 균형에서는 D 2·ln2 ≈ 1.39, G ln2 ≈ 0.69)."
        ),
        summary_en=(
            f"After {p.steps} steps on a ring of {p.modes} Gaussians, {final_share:.0%} of "
            f"{_EVAL_SAMPLES} generated samples lie within 3σ of a mode and {covered}/{p.modes} "
            f"modes are covered (at step 0: {quality[0][0]:.0%}). Over the last 10% of steps the "
            f"mean losses are D {d_final:.2f} and G {g_final:.2f} (at the ideal equilibrium, where "
            "D cannot tell real from fake, D = 2·ln 2 ≈ 1.39 and G = ln 2 ≈ 0.69)."
        ),
    )


DEMO = Demo(
    name="gan",
    title_ko="GAN: 2차원 가우시안 혼합 학습",
    title_en="GAN: learning a 2-D Gaussian mixture",
    description_ko=(
        "작은 생성자와 판별자로 원 위의 가우시안 혼합을 학습해, 학습 중 생성 샘플이 실제 분포에 "
        "다가가는 모습과 모드 커버리지, D/G 손실 곡선을 보여 줍니다."
    ),
    description_en=(
        "A small generator and discriminator learn a ring of Gaussians: generated samples over "
        "training against the real data, mode coverage, and the D and G loss curves."
    ),
    params=GanParams,
    run=run,
    expected_seconds=6.0,
    prompt_ids=("q12", "q12.1", "q12.2"),
)
