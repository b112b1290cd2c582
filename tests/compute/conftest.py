"""Demos run in this process during tests: give torch the thread count the service would."""

from __future__ import annotations

import pytest
import torch

from compute.device import threads_per_worker


@pytest.fixture(autouse=True, scope="session")
def _torch_threads() -> None:
    torch.set_num_threads(threads_per_worker(1))
