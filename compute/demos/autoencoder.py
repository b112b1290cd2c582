"""Autoencoders on 8x8 digits with a 1-, 2- and 8-dimensional bottleneck.

Answers "does it still learn with a latent dimension of 1?" (q06.2) by showing it: a 1-D code can
only place digits along a line, so reconstructions blur into a few prototypes; more dimensions
give sharper reconstructions and a lower error (q06.3).
"""

from __future__ import annotations

import numpy as np
import torch
from pydantic import Field
from torch import Tensor, nn

from compute.catalog import Demo, DemoParams, DemoResult, ProgressFn
from compute.demos._digits import digits_split, tensor
from compute.demos._figures import new_figure, to_png

LATENT_DIMS = (1, 2, 8)


class AutoencoderParams(DemoParams):
    """One MLP autoencoder per latent size, identical except for the bottleneck."""

    epochs: int = Field(default=100, ge=1, le=500, description="passes over 1,437 training images")
    batch_size: int = Field(default=512, ge=8, le=1024, description="mini-batch size")
    learning_rate: float = Field(default=1e-2, gt=0.0, le=0.1, description="Adam learning rate")
    hidden: int = Field(default=64, ge=8, le=512, description="units in the hidden layers")


def _autoencoder(latent: int, hidden: int) -> tuple[nn.Sequential, nn.Sequential]:
    encoder = nn.Sequential(
        nn.Linear(64, hidden),
        nn.ReLU(),
        nn.Linear(hidden, hidden),
        nn.ReLU(),
        nn.Linear(hidden, latent),
    )
    decoder = nn.Sequential(
        nn.Linear(latent, hidden),
        nn.ReLU(),
        nn.Linear(hidden, hidden),
        nn.ReLU(),
        nn.Linear(hidden, 64),
        nn.Sigmoid(),  # pixels are scaled to [0, 1]
    )
    return encoder, decoder


def _train(
    latent: int, p: AutoencoderParams, x: Tensor, tick: ProgressFn
) -> tuple[nn.Sequential, nn.Sequential, list[float]]:
    """MSE reconstruction; every latent size starts from the same seed and batch order."""
    torch.manual_seed(p.seed)
    encoder, decoder = _autoencoder(latent, p.hidden)
    model = nn.Sequential(encoder, decoder)
    optimizer = torch.optim.Adam(model.parameters(), lr=p.learning_rate)
    order = torch.Generator().manual_seed(p.seed)
    losses = []
    for epoch in range(p.epochs):
        perm = torch.randperm(len(x), generator=order)
        total = 0.0
        for start in range(0, len(x), p.batch_size):
            batch = x[perm[start : start + p.batch_size]]
            loss: Tensor = nn.functional.mse_loss(model(batch), batch)
            optimizer.zero_grad()
            torch.autograd.backward(loss)
            optimizer.step()
            total += loss.item() * len(batch)
        losses.append(total / len(x))
        if epoch % 10 == 0:
            tick(epoch / p.epochs, f"epoch {epoch}")
    return encoder, decoder, losses


def run(params: DemoParams, progress: ProgressFn) -> DemoResult:
    """Train three autoencoders, then plot reconstructions, the 2-D codes and the errors."""
    p = AutoencoderParams.model_validate(params.model_dump())
    split = digits_split()
    x, xt = tensor(split.x_train), tensor(split.x_test)
    trained = {}
    for i, latent in enumerate(LATENT_DIMS):

        def tick(fraction: float, message: str, i: int = i, latent: int = latent) -> None:
            progress((i + fraction) / len(LATENT_DIMS) * 0.85, f"latent {latent}: {message}")

        trained[latent] = _train(latent, p, x, tick)

    progress(0.85, "plotting")
    reconstructions: dict[int, Tensor] = {}
    test_mse: dict[int, float] = {}
    with torch.no_grad():
        for latent, (encoder, decoder, _) in trained.items():
            reconstructions[latent] = decoder(encoder(xt))
            test_mse[latent] = float(nn.functional.mse_loss(reconstructions[latent], xt))
        codes: Tensor = trained[2][0](xt)

    # One test image of each digit, so every class shows up in the grid.
    examples = [int(np.flatnonzero(split.y_test == d)[0]) for d in range(10)]
    rows = [("원본 / original", xt)] + [
        (f"잠재 {d}차원 / latent {d}", reconstructions[d]) for d in LATENT_DIMS
    ]
    grid = new_figure(len(examples), len(rows), width=1.1, height=1.25)
    for r, (label, images) in enumerate(rows):
        for c, idx in enumerate(examples):
            ax = grid.axes[r * len(examples) + c]
            ax.imshow(images[idx].reshape(8, 8).numpy(), cmap="gray_r", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
            if c == 0:
                ax.set_ylabel(label, fontsize=8)
    grid.suptitle("원본과 잠재 차원별 복원 (테스트 이미지) / reconstructions by latent size")
    grid_png = to_png(grid)

    fig = new_figure(2, width=5.5, height=4.5)
    ax_codes, ax_mse = fig.axes
    scatter = ax_codes.scatter(
        codes[:, 0].numpy(),
        codes[:, 1].numpy(),
        c=split.y_test,
        cmap="tab10",
        s=10,
        vmin=-0.5,
        vmax=9.5,
    )
    fig.colorbar(scatter, ax=ax_codes, ticks=range(10), label="숫자 / digit")
    ax_codes.set_xlabel("z1")
    ax_codes.set_ylabel("z2")
    ax_codes.set_title("2차원 잠재 공간 (테스트) / 2-D latent codes")
    mse = [test_mse[d] for d in LATENT_DIMS]
    ax_mse.bar([str(d) for d in LATENT_DIMS], mse, color=["tab:red", "tab:orange", "tab:green"])
    for i, value in enumerate(mse):
        ax_mse.text(i, value, f"{value:.4f}", ha="center", va="bottom")
    ax_mse.set_xlabel("잠재 차원 / latent dimension")
    ax_mse.set_ylabel("테스트 복원 MSE / reconstruction MSE")
    ax_mse.set_title("잠재 차원별 복원 오차 / error by latent size")
    latent_png = to_png(fig)

    progress(1.0, "done")
    return DemoResult(
        images=[grid_png, latent_png],
        metrics={
            **{f"recon_mse_dim{d}": test_mse[d] for d in LATENT_DIMS},
            "recon_mse": mse,
            "latent_dims": list(LATENT_DIMS),
            **{f"train_mse_dim{d}": trained[d][2][-1] for d in LATENT_DIMS},
        },
        summary_ko=(
            f"테스트 복원 MSE는 잠재 1차원 {test_mse[1]:.4f}, 2차원 {test_mse[2]:.4f}, 8차원 "
            f"{test_mse[8]:.4f}입니다. 1차원도 학습은 되지만 숫자들을 한 줄 위에 놓을 수밖에 없어 "
            "복원이 몇 가지 평균적인 모양으로 뭉개지고, 차원을 늘릴수록 선명해집니다. 2차원 "
            "산점도에서 같은 숫자끼리 모이는 것도 볼 수 있습니다."
        ),
        summary_en=(
            f"Test reconstruction MSE is {test_mse[1]:.4f} with a 1-D latent, {test_mse[2]:.4f} "
            f"with 2-D and {test_mse[8]:.4f} with 8-D. A 1-D code still learns, but it can only "
            "place digits along a line, so reconstructions blur into a few prototypes; more "
            "dimensions sharpen them. The 2-D scatter shows digits clustering by class."
        ),
    )


DEMO = Demo(
    name="autoencoder",
    title_ko="오토인코더: 잠재 차원 1, 2, 8",
    title_en="Autoencoder: latent dimension 1, 2 and 8",
    description_ko=(
        "8x8 숫자를 잠재 차원 1/2/8인 오토인코더로 압축·복원해 원본과 복원 이미지를 비교하고, "
        "2차원 잠재 공간을 숫자별 색으로 보여 줍니다."
    ),
    description_en=(
        "Autoencoders with a 1-, 2- and 8-dimensional bottleneck on 8x8 digits: originals vs "
        "reconstructions, the 2-D latent space coloured by digit, and the error per size."
    ),
    params=AutoencoderParams,
    run=run,
    expected_seconds=5.0,
    prompt_ids=("q06", "q06.2", "q06.3"),
)
