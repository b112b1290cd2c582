from __future__ import annotations

from compute.demos.local_minima import DEMO
from tests.compute.demo_checks import number, run_demo


def test_restarts_find_several_minima_and_training_lowers_the_loss() -> None:
    m = run_demo(DEMO, restarts=20, epochs=100).metrics
    assert number(m, "distinct_minima") >= 3
    assert 0.0 < number(m, "fraction_at_global") < 1.0
    assert number(m, "best_end_loss") < number(m, "worst_end_loss")
    assert number(m, "loss_trained") < number(m, "loss_init")
    assert m["random_slice_min_at_trained"] is True


def test_one_restart_finds_one_minimum() -> None:
    m = run_demo(DEMO, restarts=1, epochs=20).metrics
    assert m["distinct_minima"] == 1
