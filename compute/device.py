"""Where demos run and how many run at once, decided once from the machine the service is on."""

from __future__ import annotations

import os
from typing import Literal

import torch

DeviceName = Literal["cuda", "cpu"]


def name() -> DeviceName:
    """cuda when a GPU is visible, else cpu (the demos are small enough for either)."""
    return "cuda" if torch.cuda.is_available() else "cpu"


def pick() -> torch.device:
    """The device a demo should put its tensors on."""
    return torch.device(name())


def cpu_cores() -> int:
    """Cores this process may use (the affinity mask, not the machine's total, in containers)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def default_workers(device: DeviceName) -> int:
    """Demos run side by side: two share one GPU well; on CPU each gets at least two cores."""
    if device == "cuda":
        return 2
    return max(1, cpu_cores() // 2)


def threads_per_worker(workers: int) -> int:
    """torch threads per worker: together the workers use at most half the cores.

    The rest stays free for the bot and the OS; oversubscribed OpenMP threads spin on a busy
    machine and can make the small demo models thirty times slower.
    """
    return max(1, cpu_cores() // (2 * workers))
