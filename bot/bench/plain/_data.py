"""What the twins share with each other (never with the demos): the digits and the batch order.

The digits come straight from scikit-learn, with the demos' fixed stratified split and the same
float32 arithmetic, so a twin starts from bit-identical pixels; they are loaded once per process,
as the demos' own split is.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import Tensor


class Digits(NamedTuple):
    """Pixels in [0, 1] (x), standardised with training statistics (z), and labels (y)."""

    x_train: npt.NDArray[np.float32]
    x_test: npt.NDArray[np.float32]
    z_train: npt.NDArray[np.float32]
    z_test: npt.NDArray[np.float32]
    y_train: npt.NDArray[np.int64]
    y_test: npt.NDArray[np.int64]


@cache
def digits() -> Digits:
    bunch = load_digits()
    pixels = np.asarray(bunch.data, dtype=np.float32) / np.float32(16)
    labels = np.asarray(bunch.target, dtype=np.int64)
    x_train, x_test, y_train, y_test = train_test_split(
        pixels, labels, test_size=0.2, random_state=0, stratify=labels
    )
    mean, spread = x_train.mean(axis=0), x_train.std(axis=0) + 1e-3
    return Digits(
        x_train,
        x_test,
        ((x_train - mean) / spread).astype(np.float32),
        ((x_test - mean) / spread).astype(np.float32),
        y_train,
        y_test,
    )


def shuffled_batches(
    n: int, batch_size: int, epochs: int, order: torch.Generator
) -> Iterator[Tensor]:
    """Index batches for `epochs` passes: each pass a fresh permutation from `order`, cut in turn
    (the last batch of a pass may be short), which is how the demos draw theirs."""
    for _ in range(epochs):
        yield from torch.split(torch.randperm(n, generator=order), batch_size)


def step(optimizer: torch.optim.Optimizer, loss: Tensor) -> None:
    """One update: clear the old gradients, backpropagate `loss`, apply the optimizer."""
    optimizer.zero_grad()
    torch.autograd.backward(loss)
    optimizer.step()
