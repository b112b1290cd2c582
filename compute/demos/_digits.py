"""The 8x8 digits set, split and scaled once for every MNIST-style demo.

The worker has no internet, so the bundled scikit-learn digits stand in for MNIST. The split is
fixed (not tied to a run's seed) so that two demos, or two runs with different seeds, report
accuracies on the same test images; the seed still drives initialisation and shuffling.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TypeVar

import numpy as np
import numpy.typing as npt
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]
_A = TypeVar("_A", bound=npt.NDArray[np.generic])


@dataclass(frozen=True)
class DigitsSplit:
    """Pixels scaled to [0, 1] (for reconstruction) and standardised (for classifiers).

    The arrays are read-only because the split is cached and shared between runs.
    """

    x_train: FloatArray
    y_train: IntArray
    x_test: FloatArray
    y_test: IntArray
    z_train: FloatArray
    z_test: FloatArray

    def classifier_tensors(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """(train pixels, train labels, test pixels, test labels): standardised pixels as fresh
        torch copies, the classifiers' usual input."""
        return tensor(self.z_train), tensor(self.y_train), tensor(self.z_test), tensor(self.y_test)


def _frozen(array: _A) -> _A:
    array.flags.writeable = False
    return array


@cache
def digits_split() -> DigitsSplit:
    """1,437 training and 360 test images, stratified; standardised with training statistics."""
    data = load_digits()
    x = (np.asarray(data.data, dtype=np.float32) / 16.0).astype(np.float32)
    y = np.asarray(data.target, dtype=np.int64)
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=0.2, random_state=0, stratify=y
    )
    mean = x_train.mean(axis=0)
    std = x_train.std(axis=0) + 1e-3  # some border pixels are always 0
    return DigitsSplit(
        x_train=_frozen(x_train),
        y_train=_frozen(y_train),
        x_test=_frozen(x_test),
        y_test=_frozen(y_test),
        z_train=_frozen(((x_train - mean) / std).astype(np.float32)),
        z_test=_frozen(((x_test - mean) / std).astype(np.float32)),
    )


def tensor(array: npt.NDArray[np.generic]) -> torch.Tensor:
    """A torch copy: `torch.from_numpy` would share (and warn about) the read-only cache."""
    return torch.tensor(np.array(array))


def stratified_subset(labels: IntArray, n: int, rng: np.random.Generator) -> IntArray:
    """Indices of `n` examples with the classes as balanced as `n` allows, drawn by `rng`."""
    classes = np.unique(labels)
    per_class = [rng.permutation(np.flatnonzero(labels == c)) for c in classes]
    order = [
        idx[i] for i in range(max(len(p) for p in per_class)) for idx in per_class if i < len(idx)
    ]
    return np.asarray(order[:n], dtype=np.int64)
