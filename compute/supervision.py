"""Watching one demo's own process until it ends: progress relayed, cancel asked then enforced,
the time limit kept, a crash turned into words. Both backends use it: the local runner from a
supervisor thread, the Ray backend from inside the Ray task, so a demo behaves the same on each.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from typing import Any, Protocol

from compute.catalog import Demo, DemoParams
from compute.worker import CANCEL, Failed, Finished, Progress, Stopped

log = logging.getLogger("quizmaster.compute")

Outcome = Finished | Failed | Stopped
_POLL_S = 0.05


class _ProcessContext(Protocol):
    """The part of a multiprocessing context the supervisor uses (fork, forkserver, spawn)."""

    def Pipe(self) -> tuple[Any, Any]: ...  # noqa: N802 (multiprocessing's name)

    def Process(self, *args: Any, **kwargs: Any) -> BaseProcess: ...  # noqa: N802


@dataclass(frozen=True)
class Watch:
    """What the supervisor checks each poll: the limits and the caller's hooks."""

    timeout_s: float
    cancel_grace_s: float
    on_progress: Callable[[Progress], None]
    cancel_requested: Callable[[], bool]
    stopping: Callable[[], bool] = lambda: False


def supervise(
    context: _ProcessContext,
    target: Callable[..., None],
    demo: Demo,
    params: DemoParams,
    threads: int,
    *,
    name: str,
    watch: Watch,
) -> Outcome:
    """Start `target(demo, params, conn, threads)` in its own process and relay until it ends.

    An interrupt while waiting (Ray's `ray.cancel` raises KeyboardInterrupt in its task) counts
    as a cancel request: the demo is asked to stop, and killed after the grace period.
    """
    parent, child = context.Pipe()
    process = context.Process(
        target=target, args=(demo, params, child, threads), name=name, daemon=True
    )
    process.start()
    child.close()
    deadline = time.monotonic() + watch.timeout_s
    cancel_sent_at: float | None = None
    interrupted = False
    try:
        while True:
            now = time.monotonic()
            if watch.stopping():
                return Stopped()
            if (interrupted or watch.cancel_requested()) and cancel_sent_at is None:
                cancel_sent_at = now
                with contextlib.suppress(OSError):
                    parent.send(CANCEL)
            if cancel_sent_at is not None and now - cancel_sent_at > watch.cancel_grace_s:
                log.warning("%s ignored cancel for %.0f s: killed", name, now - cancel_sent_at)
                return Stopped()
            if now > deadline:
                return Failed(f"time limit exceeded: stopped after {watch.timeout_s:g} s")
            try:
                if not parent.poll(_POLL_S):
                    continue
            except KeyboardInterrupt:
                interrupted = True
                continue
            try:
                message = parent.recv()
            except (EOFError, OSError):
                process.join(timeout=2.0)
                return Failed(_exit_description(process.exitcode))
            if isinstance(message, Progress):
                watch.on_progress(message)
            elif isinstance(message, Finished | Failed | Stopped):
                return message
    finally:
        parent.close()
        if process.is_alive():
            process.kill()
        process.join(timeout=5.0)


def _exit_description(exitcode: int | None) -> str:
    """Why a demo process ended without a result, in words for the job's error."""
    if exitcode is None:
        return "the demo's process stopped answering"
    if exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        return f"the demo's process crashed ({name})"
    return f"the demo's process exited with code {exitcode} before finishing"
