from __future__ import annotations

from compute.demos.gradient_descent import DEMO
from tests.compute.demo_checks import number, run_demo


def test_small_lr_is_slow_good_lr_converges_large_lr_diverges() -> None:
    m = run_demo(DEMO).metrics
    assert m["diverged_large"] is True
    assert m["diverged_small"] is False and m["diverged_good"] is False
    small, good = number(m, "final_loss_small"), number(m, "final_loss_good")
    assert good < 1e-6 < small < 1.0
    assert number(m, "final_loss_large") > number(m, "initial_loss")


def test_learning_rate_just_below_one_still_converges() -> None:
    m = run_demo(DEMO, lr_large=0.95, steps=200).metrics
    assert m["diverged_large"] is False
    assert number(m, "final_loss_large") < 1e-3
