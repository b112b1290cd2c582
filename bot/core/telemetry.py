"""What the quiz tells an operator's metrics, as a port: the core says what happened, the edge
(`bot.metrics`, Prometheus) counts it. One per process, installed by the composition root;
until then nothing is counted, so tests and tools that never install one pay nothing."""

from __future__ import annotations

from typing import Protocol


class Telemetry(Protocol):
    def answer_kept_pending(self) -> None:
        """A channel answer was stored ungraded (the embedding server was unavailable)."""

    def pending_answers_left(self, platform: str, count: int) -> None:
        """After a pending round on `platform`, this many kept answers (of the round's) wait."""

    def post_sent(self, *, retried: bool) -> None:
        """A question post was sent; `retried`: it was claimed before by a replica that
        stopped, and is sent (or found sent) again."""


class _Silent:
    def answer_kept_pending(self) -> None:
        return None

    def pending_answers_left(self, platform: str, count: int) -> None:
        return None

    def post_sent(self, *, retried: bool) -> None:
        return None


_installed: list[Telemetry] = [_Silent()]


def install(telemetry: Telemetry) -> None:
    """Count through `telemetry` from now on (the composition root calls this)."""
    _installed[0] = telemetry


def telemetry() -> Telemetry:
    """The installed telemetry (a silent one until something is installed)."""
    return _installed[0]
