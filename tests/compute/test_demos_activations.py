from __future__ import annotations

from compute.demos.activations import DEMO
from tests.compute.demo_checks import number, numbers, run_demo


def test_sigmoid_gradients_vanish_in_the_first_layers_relu_ones_do_not() -> None:
    m = run_demo(DEMO, depth=8, width=32, batch=64).metrics
    assert number(m, "max_derivative_sigmoid") == 0.25
    sigmoid = number(m, "grad_norm_first_layer_sigmoid")
    assert sigmoid < number(m, "grad_norm_first_layer_relu") / 100
    assert sigmoid < number(m, "grad_norm_first_layer_leaky_relu") / 100
    per_layer = numbers(m, "grad_norm_per_layer_sigmoid")
    assert len(per_layer) == 8 and per_layer[0] < per_layer[-1] / 100


def test_same_seed_same_gradients_other_seed_other_gradients() -> None:
    a = run_demo(DEMO, depth=4, width=16, batch=16, seed=1).metrics
    b = run_demo(DEMO, depth=4, width=16, batch=16, seed=1).metrics
    c = run_demo(DEMO, depth=4, width=16, batch=16, seed=2).metrics
    assert a == b
    assert a["grad_norm_first_layer_relu"] != c["grad_norm_first_layer_relu"]
