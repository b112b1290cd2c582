"""What runs inside a demo's own process. The service sees only the messages sent over a pipe,
so a demo that crashes, hangs or exits takes down its process and never the service."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection

from compute.catalog import Demo, DemoParams, DemoResult
from compute.device import limit_threads

log = logging.getLogger("quizmaster.compute")

CANCEL = "cancel"
"""Sent by the service to ask a running demo to stop at its next progress report."""

_PROGRESS_INTERVAL_S = 0.1


@dataclass(frozen=True)
class Progress:
    fraction: float
    message: str


@dataclass(frozen=True)
class Finished:
    result: DemoResult


@dataclass(frozen=True)
class Failed:
    error: str


@dataclass(frozen=True)
class Stopped:
    """The demo honoured a cancel request."""


WorkerMessage = Progress | Finished | Failed | Stopped


class CancelRequestedError(Exception):
    """Raised from the progress callback inside the demo to unwind it."""


def run_demo(demo: Demo, params: DemoParams, conn: Connection, threads: int) -> None:
    """Process entry point: run one demo, report progress, send exactly one final message."""
    limit_threads(threads)
    last_sent = 0.0

    def progress(fraction: float, message: str) -> None:
        nonlocal last_sent
        if conn.poll() and conn.recv() == CANCEL:
            raise CancelRequestedError
        now = time.monotonic()
        if now - last_sent >= _PROGRESS_INTERVAL_S or fraction >= 1.0:
            last_sent = now
            conn.send(Progress(min(1.0, max(0.0, float(fraction))), message[:200]))

    final: WorkerMessage
    try:
        final = Finished(demo.run(params, progress))
    except CancelRequestedError:
        final = Stopped()
    except Exception as exc:
        log.exception("demo %s failed", demo.name)
        final = Failed(f"{type(exc).__name__}: {exc}")
    conn.send(final)
    conn.close()


def noop() -> None:
    """Started once at service start so the process server has imported torch before a job."""
