from __future__ import annotations

import pytest

from compute.demos.batch_size import BATCH_SIZES, DEMO
from tests.compute.demo_checks import number, run_demo


@pytest.mark.slow
def test_larger_batches_are_less_noisy_and_take_fewer_updates() -> None:
    m = run_demo(DEMO, epochs=2).metrics
    noise = [number(m, f"loss_noise_bs{b}") for b in BATCH_SIZES]
    assert noise == sorted(noise, reverse=True) and noise[0] > 4 * noise[-1]
    updates = [m[f"updates_bs{b}"] for b in BATCH_SIZES]
    assert updates == [2 * -(-1437 // b) for b in BATCH_SIZES]
    assert number(m, "test_accuracy_bs8") > 0.8
