"""The Ray task that runs one demo: on a Ray worker, in a child process of its own.

The child is a fork of the Ray worker, which keeps the demo's modules (torch among them)
imported after its first job, so a job starts in milliseconds. The child is what may crash, hang
or leak: the task reports its exit the way the local runner does, and the Ray worker lives on for
the next job. The figures go back as the task's second return value, which stays in Ray's object
store for any front end to fetch.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import signal
import sys
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

import ray

from compute.catalog import Demo, DemoParams, DemoResult
from compute.supervision import Outcome, Watch, supervise
from compute.worker import Failed, Finished, Progress, Stopped, run_demo

_PR_SET_PDEATHSIG = 1


def _run_tied_to_parent(demo: Demo, params: DemoParams, conn: Connection, threads: int) -> None:
    """`run_demo`, in a process the kernel kills with its parent: a Ray worker killed by a forced
    cancel takes its demo with it instead of leaving it running on the GPU."""
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    run_demo(demo, params, conn, threads)


Report = Failed | Stopped | None
"""What the task tells the board in its first return: None when the demo finished, its result
being the second return."""


@dataclass(frozen=True)
class DemoRun:
    """One job as its task needs it: what to run, and the limits to run it under."""

    job_id: str
    demo: Demo
    params: DemoParams
    threads: int
    timeout_s: float
    cancel_grace_s: float


@ray.remote(num_returns=2, max_retries=0)
def run_demo_task(run: DemoRun, board: Any) -> tuple[Report, DemoResult | None]:
    """Run one demo to its end; progress goes to `board` (the job board actor) as it comes."""
    board.started.remote(run.job_id)

    def relay(message: Progress) -> None:
        board.progress.remote(run.job_id, message.fraction, message.message)

    outcome: Outcome = supervise(
        multiprocessing.get_context("fork"),
        _run_tied_to_parent,
        run.demo,
        run.params,
        run.threads,
        name=f"demo-{run.demo.name}-{run.job_id}",
        watch=Watch(
            timeout_s=run.timeout_s,
            cancel_grace_s=run.cancel_grace_s,
            on_progress=relay,
            cancel_requested=lambda: False,
        ),
    )
    if isinstance(outcome, Finished):
        return None, outcome.result
    return outcome, None
