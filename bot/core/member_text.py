"""The one rule for text a member types (answers, names, appeal reasons, notes), applied where
it enters the core, so that SQLite, PostgreSQL, the grader in process or behind an embeddings
server, and every reply all get the same text; and the one cut for quoting it back.

NUL and the other C0 control characters except newline and tab are removed (PostgreSQL refuses
NUL in text, and a terminal acts on ESC); lone UTF-16 surrogates, which JSON can carry and UTF-8
cannot encode, become U+FFFD.
"""

from __future__ import annotations

from evaluators.wellformed import well_formed

_REMOVED = dict.fromkeys(code for code in range(0x20) if chr(code) not in "\n\t")

ECHO_CHARS = 60
"""How much of a member's input an error reply quotes back."""
SHARED_CHARS = 280
"""How much of a shared answer the channel is shown: a few lines, readable in a summary."""


def member_text(text: str) -> str:
    """`text` under the member-text rule: C0 controls but newline and tab gone, lone
    surrogates replaced by U+FFFD (a split pair is joined back)."""
    return well_formed(text).translate(_REMOVED)


def cut(text: str, limit: int) -> str:
    """`text`, ending in "…" at `limit` characters when it is longer."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def shown(detail: str) -> str:
    """Member input quoted in an error reply, cut to ECHO_CHARS so the reply stays short."""
    return cut(detail, ECHO_CHARS)


def excerpt(answer: str) -> str:
    """A shared answer as the channel reads it: on one line, cut to SHARED_CHARS."""
    return cut(" ".join(answer.split()), SHARED_CHARS)
