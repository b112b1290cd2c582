"""A one-hidden-layer MNIST-style classifier in plain numpy: the code the numpy-mlp demo counts.

Kept alone in this module so that its line count answers "how many lines is an MLP in numpy?"
honestly: forward pass, softmax cross-entropy, backpropagation and mini-batch SGD, nothing else.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]
Labels = npt.NDArray[np.int64]
EpochHook = Callable[[int, float, float], None]  # (epoch, mean training loss, test accuracy)


def init(rng: np.random.Generator, n_in: int, n_hidden: int, n_out: int) -> dict[str, Array]:
    """He-scaled weights for the ReLU layer so the signal neither explodes nor dies."""
    return {
        "w1": rng.normal(0, np.sqrt(2 / n_in), (n_in, n_hidden)),
        "b1": np.zeros(n_hidden),
        "w2": rng.normal(0, np.sqrt(1 / n_hidden), (n_hidden, n_out)),
        "b2": np.zeros(n_out),
    }


def forward(p: dict[str, Array], x: Array) -> tuple[Array, Array]:
    """Hidden activations (backprop needs them) and softmax probabilities, max-shifted."""
    h = np.maximum(0, x @ p["w1"] + p["b1"])
    logits = h @ p["w2"] + p["b2"]
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return h, e / e.sum(axis=1, keepdims=True)


def sgd_step(p: dict[str, Array], x: Array, y: Labels, lr: float) -> float:
    """One update in place; softmax + cross-entropy has the simple gradient probs - one_hot."""
    h, probs = forward(p, x)
    loss = -np.log(probs[np.arange(len(y)), y] + 1e-12).mean()
    d_logits = probs.copy()
    d_logits[np.arange(len(y)), y] -= 1
    d_logits /= len(y)
    d_h = d_logits @ p["w2"].T * (h > 0)
    grads = {
        "w2": h.T @ d_logits,
        "b2": d_logits.sum(axis=0),
        "w1": x.T @ d_h,
        "b1": d_h.sum(axis=0),
    }
    for k in p:
        p[k] -= lr * grads[k]
    return float(loss)


def train(
    x: Array,
    y: Labels,
    x_test: Array,
    y_test: Labels,
    *,
    hidden: int,
    epochs: int,
    lr: float,
    batch: int,
    rng: np.random.Generator,
    on_epoch: EpochHook,
) -> dict[str, Array]:
    """Mini-batch SGD over shuffled data; `on_epoch` reports progress (and may cancel)."""
    p = init(rng, x.shape[1], hidden, int(y.max()) + 1)
    for epoch in range(epochs):
        order = rng.permutation(len(x))
        losses = [sgd_step(p, x[i], y[i], lr) for i in np.array_split(order, len(x) // batch)]
        accuracy = float((forward(p, x_test)[1].argmax(axis=1) == y_test).mean())
        on_epoch(epoch, float(np.mean(losses)), accuracy)
    return p
