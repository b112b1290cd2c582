"""Twin of the gradient-descent demo: three scalar descents on L(w) = (w - 1)^2."""

from __future__ import annotations

from compute.demos.gradient_descent import GradientDescentParams


def train() -> dict[str, float]:
    p = GradientDescentParams()
    finals = {}
    for name, lr in (("small", p.lr_small), ("good", p.lr_good), ("large", p.lr_large)):
        w = p.w0
        for _ in range(p.steps):
            w -= lr * (2.0 * (w - 1.0))
            if (w - 1.0) ** 2 > 1e6:  # a diverging run stops there, as in the demo
                break
        finals[f"final_loss_{name}"] = (w - 1.0) ** 2
    return finals
