"""Twin of the numpy-mlp demo: a one-hidden-layer ReLU classifier in numpy, mini-batch SGD."""

from __future__ import annotations

import numpy as np

from compute.demos._digits import digits_split
from compute.demos.numpy_mlp import NumpyMlpParams


def train() -> dict[str, float]:
    p = NumpyMlpParams()
    data = digits_split()
    x, y = data.z_train.astype(np.float64), data.y_train
    rng = np.random.default_rng(p.seed)
    w1 = rng.normal(0, np.sqrt(2 / 64), (64, p.hidden))
    w2 = rng.normal(0, np.sqrt(1 / p.hidden), (p.hidden, 10))
    b1, b2 = np.zeros(p.hidden), np.zeros(10)

    def hidden_and_probs(inputs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        h = np.maximum(0, inputs @ w1 + b1)
        z = h @ w2 + b2
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return h, e / e.sum(axis=1, keepdims=True)

    for _ in range(p.epochs):
        batch_losses = []
        # The demo splits each shuffled epoch into len // batch_size near-equal batches.
        for idx in np.array_split(rng.permutation(len(x)), len(x) // p.batch_size):
            xb, yb = x[idx], y[idx]
            h, probs = hidden_and_probs(xb)
            batch_losses.append(-np.log(probs[np.arange(len(yb)), yb] + 1e-12).mean())
            d_z = (probs - np.eye(10)[yb]) / len(yb)
            d_h = d_z @ w2.T * (h > 0)
            w2 -= p.learning_rate * (h.T @ d_z)
            b2 -= p.learning_rate * d_z.sum(axis=0)
            w1 -= p.learning_rate * (xb.T @ d_h)
            b1 -= p.learning_rate * d_h.sum(axis=0)
    predicted = hidden_and_probs(data.z_test.astype(np.float64))[1].argmax(axis=1)
    return {
        "test_accuracy": float((predicted == data.y_test).mean()),
        "final_train_loss": float(np.mean(batch_losses)),
    }
