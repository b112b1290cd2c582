"""What can go wrong when the bot asks the compute service for a demo, as `ComputeClient` raises it.

Every error carries a message fit for logs, in English; the bot picks the chat wording by type
(service down, busy (retry later), bad parameters, unknown demo, job failed) and fills it with
the error's values, never its message, so a reader is told in their channel's language. Kept
apart from the client so the bot's core can tell them apart without importing an HTTP library.
"""

from __future__ import annotations

from compute.schemas import FieldError, JobStatus


class ComputeError(Exception):
    """Base of every client error; `message` is a complete sentence."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class ComputeUnavailable(ComputeError):  # noqa: N818 (name shared with the bot)
    """The service cannot be reached, answered garbage, or refused our token."""


class ComputeUnauthorized(ComputeUnavailable):
    """The service wants a (different) bearer token: a deployment mistake, not a user's."""


class ComputeBusy(ComputeError):  # noqa: N818
    """The queue is full; try again after `retry_after` seconds."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class InvalidParams(ComputeError):  # noqa: N818
    """Parameters rejected; `errors` names each field, what is wrong and what is allowed, and
    `more` counts the problems the service left out."""

    def __init__(self, message: str, errors: list[FieldError], more: int = 0) -> None:
        super().__init__(message)
        self.errors = errors
        self.more = more


class UnknownDemo(ComputeError):  # noqa: N818
    """No demo of that name; `known` lists the ones there are."""

    def __init__(self, message: str, known: list[str]) -> None:
        super().__init__(message)
        self.known = known


class JobNotFound(ComputeError):  # noqa: N818
    """The job id is unknown to the service (expired, or the service restarted)."""


class JobFailed(ComputeError):  # noqa: N818
    """The demo raised, crashed, ran past its time limit, or did not finish while we waited
    (`waited`: the seconds waited, for the last; None otherwise). The message is the job's own
    error, for logs: a reader is told that the demo failed, or how long it was waited for."""

    def __init__(
        self, message: str, status: JobStatus | None = None, *, waited: float | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.waited = waited
