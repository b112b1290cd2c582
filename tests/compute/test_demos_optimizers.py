from __future__ import annotations

import pytest

from compute.demos.optimizers import DEMO
from tests.compute.demo_checks import number, run_demo

OPTIMIZERS = ("sgd", "momentum", "rmsprop", "adam")


def test_every_optimizer_descends_the_ravine() -> None:
    m = run_demo(DEMO, steps=150).metrics
    for name in OPTIMIZERS:
        assert number(m, f"final_loss_{name}") < 0.1, name
        assert m[f"diverged_{name}"] is False
    assert m["best_optimizer"] in OPTIMIZERS


def test_on_the_ravine_plain_sgd_crawls_where_momentum_and_adam_arrive() -> None:
    """What the summary and the figure claim: SGD's step is capped by the steep direction, so it
    ends far behind the methods that build speed (momentum) or rescale each coordinate (Adam)."""
    m = run_demo(DEMO, steps=150).metrics
    sgd = number(m, "final_loss_sgd")
    assert number(m, "final_loss_momentum") * 10 < sgd
    assert number(m, "final_loss_adam") * 10 < sgd
    assert max(number(m, f"final_loss_{n}") for n in OPTIMIZERS) == sgd
    assert m["best_optimizer"] != "sgd"


def test_too_large_a_learning_rate_is_reported_as_divergence() -> None:
    m = run_demo(DEMO, steps=60, lr_scale=5.0).metrics
    assert m["diverged_sgd"] is True
    assert m["final_loss_sgd"] == 1e12


@pytest.mark.slow
def test_along_rosenbrock_s_curved_valley_the_methods_that_build_speed_or_rescale_lead_sgd() -> (
    None
):
    """The same claim on the curved valley: plain SGD ends last, both in loss and in distance
    from the minimum at (1, 1), and momentum and Adam end well ahead of it."""
    m = run_demo(DEMO, surface="rosenbrock", steps=300).metrics
    assert not any(m[f"diverged_{n}"] for n in OPTIMIZERS)
    sgd = number(m, "final_loss_sgd")
    assert max(number(m, f"final_loss_{n}") for n in OPTIMIZERS) == sgd
    assert max(number(m, f"final_distance_{n}") for n in OPTIMIZERS) == number(
        m, "final_distance_sgd"
    )
    assert number(m, "final_loss_momentum") * 2 < sgd
    assert number(m, "final_loss_adam") * 2 < sgd
    assert m["best_optimizer"] in {"momentum", "adam"}
