"""What the twins share with each other (never with the demos): the batch order and the update.

The data is the demos' own (`compute.demos._digits.digits_split` and the like): loading it is not
the work being compared, so a twin starts from the demo's very pixels rather than from a copy of
the loader that could drift from it.
"""

from __future__ import annotations

from collections.abc import Iterator

import torch
from torch import Tensor


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
