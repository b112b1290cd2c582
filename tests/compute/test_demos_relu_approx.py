from __future__ import annotations

import pytest

from compute.demos.relu_approx import DEMO
from tests.compute.demo_checks import number, numbers, run_demo


@pytest.mark.parametrize("target", ["sin", "square", "bump"])
def test_more_relus_fit_better(target: str) -> None:
    few = number(run_demo(DEMO, k=2, target=target).metrics, "mse")
    many = number(run_demo(DEMO, k=16, target=target).metrics, "mse")
    assert many < few / 10 and many < 1e-3


def test_error_curve_falls_with_k_and_noise_uses_the_seed() -> None:
    m = run_demo(DEMO, k=8).metrics
    curve = numbers(m, "mse_by_k")
    assert len(curve) == 16 and curve[-1] < curve[3] < curve[0]
    noisy = [number(run_demo(DEMO, k=8, noise=0.2, seed=s).metrics, "mse") for s in (0, 0, 1)]
    assert noisy[0] == noisy[1] != noisy[2]
