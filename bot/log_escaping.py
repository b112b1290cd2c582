"""Log lines that outside text cannot forge.

A newline in a Slack body or a member's answer, logged as it came, starts a line that looks like
one of ours (`... ERROR quizmaster.core FORGED`). Every record's message is escaped once it is
made, whoever logs it (our code or a library), so control characters show as `\\n`, `\\x1b`, ...
Tracebacks are added by the formatter after this and keep their lines.
"""

from __future__ import annotations

import logging
import re
from typing import Any

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def escape_controls(text: str) -> str:
    """`text` with each control character written as its Python escape."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


class _EscapingFactory:
    """Wraps the previous record factory; formats the message and escapes it."""

    def __init__(self, previous: Any) -> None:
        self.previous = previous

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record: logging.LogRecord = self.previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # bad arguments: logging reports it when it emits
            return record
        record.msg = escape_controls(message)
        record.args = None
        return record


def install() -> None:
    """Escape every log record of this process from now on (a second call changes nothing)."""
    previous = logging.getLogRecordFactory()
    if not isinstance(previous, _EscapingFactory):
        logging.setLogRecordFactory(_EscapingFactory(previous))
