"""Where demos run and how many run at once, decided once from the machine the service is on.

torch is imported where it is needed, not here: a demo process that never uses it (and the Ray
worker it is forked from) should not spend seconds loading it.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Literal

from threadpoolctl import threadpool_limits

if TYPE_CHECKING:
    import torch

DeviceName = Literal["cuda", "cpu"]


def name() -> DeviceName:
    """cuda when a GPU is visible, else cpu (the demos are small enough for either)."""
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def pick() -> torch.device:
    """The device a demo should put its tensors on."""
    import torch

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


def limit_threads(threads: int) -> None:
    """Give torch and numpy's BLAS the same thread budget for the rest of this process.

    Setting torch alone left OpenBLAS free to take every core: numpy-mlp's forward passes then
    fought the other worker and the bot, and ran 3x slower than its plain twin on 2 busy cores.
    """
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(threads)
    else:  # torch reads it when (if ever) this process imports it
        os.environ["OMP_NUM_THREADS"] = str(threads)
    threadpool_limits(limits=threads)
