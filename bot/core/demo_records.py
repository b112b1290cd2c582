"""The demo service as the core sees it: the records `/demo` reads (a demo on offer, the ticket of
a run, where a run stands) and the failures it tells a member apart.

The core's own, so the platform-free core imports nothing of the compute service: the adapter
that talks to it (`bot/compute_demos.py`) turns the service's schemas and errors into these.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from content.schema import Localized

ParamValue = str | int | float | bool
"""What a chat command can carry: the service coerces strings like "0.1" against the demo."""

MAX_PARAMS = 32
"""The most `key=value` words one `/demo` command may carry, the service's own limit (a request
with more is refused there; `tests/bot/test_command_parser.py` holds the two equal)."""

RunState = Literal["queued", "running", "done", "failed", "cancelled"]


@dataclass(frozen=True)
class Demo:
    """A demo on offer: what `/demo list` shows of it."""

    name: str
    title: Localized
    expected_seconds: float


@dataclass(frozen=True)
class DemoTicket:
    """A run accepted: its id to wait on, and its place in the queue (0: running already)."""

    id: str
    queue_position: int


@dataclass(frozen=True)
class DemoStatus:
    """Where a run stands: its state, how far along (0 to 1), the demo's own line about it
    (English only), and, once done, its summary and the addresses of its figures."""

    status: RunState
    progress: float
    message: str
    summary: Localized | None = None
    images: tuple[str, ...] = ()


@dataclass(frozen=True)
class ParamProblem:
    """One parameter the service refused, and why: `problem` a code the chat words in its
    reader's language (`unknown`, `integer`, `at_most`, `one_of`, ...) against `limit` (a bound,
    the choices, the known parameters); `message` the service's English, for logs, where it
    gave no code."""

    field: str
    message: str
    problem: str | None = None
    limit: object = None


class DemoError(Exception):
    """Anything that kept a demo from running or its figures from coming back; `message` is
    the service's sentence, for the log. The subclasses are what a member is told apart."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class DemoServiceDownError(DemoError):
    """The service cannot be reached, answered garbage, or refused our token."""


class DemoBusyError(DemoError):
    """The queue is full; try again after `retry_after` seconds."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class DemoParamsRefusedError(DemoError):
    """The parameters were refused: each problem named, and `more` left unnamed."""

    def __init__(self, message: str, problems: tuple[ParamProblem, ...], more: int = 0) -> None:
        super().__init__(message)
        self.problems = problems
        self.more = more


class UnknownDemoError(DemoError):
    """No demo of that name; `known` lists the ones there are."""

    def __init__(self, message: str, known: tuple[str, ...]) -> None:
        super().__init__(message)
        self.known = known


class DemoFailedError(DemoError):
    """The demo raised, crashed, ran past its time limit, or did not finish while we waited
    (`waited`: the seconds waited, for the last; None otherwise)."""

    def __init__(self, message: str, waited: float | None = None) -> None:
        super().__init__(message)
        self.waited = waited
