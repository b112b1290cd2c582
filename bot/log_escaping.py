"""Log lines that outside text cannot forge.

A newline in a Slack body or a member's answer, logged as it came, starts a line that looks like
one of ours (`... ERROR quizmaster.core FORGED`). Every record's message and arguments are
escaped once it is made, whoever logs it (our code or a library), so control characters show as
`\\n`, `\\x1b`, ...
Tracebacks are added by the formatter after this and keep their lines.
"""

from __future__ import annotations

import logging
import re
from typing import Any

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_TERMINAL_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _escape(match: re.Match[str]) -> str:
    return match.group().encode("unicode_escape").decode("ascii")


def escape_controls(text: str) -> str:
    """`text` with each control character written as its Python escape."""
    return _CONTROL.sub(_escape, text)


def escape_for_terminal(text: str) -> str:
    """`text` for a terminal: control characters escaped as in the log, except the newlines
    and tabs of a reply's own layout (an ESC in a member's name cannot move the cursor)."""
    return _TERMINAL_CONTROL.sub(_escape, text)


def _escaped(value: object) -> object:
    """A log argument with its control characters escaped; the shape of the argument list is
    kept, since some formatters (uvicorn's access log) unpack it."""
    if isinstance(value, str):
        return escape_controls(value)
    if value is None or isinstance(value, int | float):
        return value
    text = str(value)
    return escape_controls(text) if _CONTROL.search(text) else value


class _EscapingFactory:
    """Wraps the previous record factory; escapes the message and each of its arguments."""

    def __init__(self, previous: Any) -> None:
        self.previous = previous

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record: logging.LogRecord = self.previous(*args, **kwargs)
        if isinstance(record.msg, str):
            record.msg = escape_controls(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_escaped(arg) for arg in record.args)
        return record


def install() -> None:
    """Escape every log record of this process from now on (a second call changes nothing)."""
    previous = logging.getLogRecordFactory()
    if not isinstance(previous, _EscapingFactory):
        logging.setLogRecordFactory(_EscapingFactory(previous))
