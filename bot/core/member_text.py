"""The one rule for text a member types (answers, names, appeal reasons, notes), applied where
it enters the core, so that SQLite, PostgreSQL, the grader in process or behind an embeddings
server, and every reply all get the same text; and the one cut for quoting it back.

The rule is `content.text_rule`'s, the same one `quizmaster content import` applies to a file
and the web page to what an admin types: NUL and the other C0 control characters except newline
and tab are removed, and so are the bidi controls; lone UTF-16 surrogates become U+FFFD. An
answer must also show something, as a model answer or a question must, and be in a language the
grader reads (`refusal`).
"""

from __future__ import annotations

from typing import Literal

from content.answer_script import unread_script
from content.text_rule import BIDI_CONTROLS, incoming_text, visible

_BIDI_CONTROLS: dict[int, str | None] = dict.fromkeys(BIDI_CONTROLS)
_MARKUP = {ord(mark): twin for mark, twin in zip("*_~`|", "＊＿～｀｜", strict=True)}
_SHOWN = str.maketrans(_BIDI_CONTROLS | _MARKUP)

ECHO_CHARS = 60
"""How much of a member's input an error reply quotes back."""
SHARED_CHARS = 280
"""How much of a shared answer the channel is shown: a few lines, readable in a summary."""


def member_text(text: str) -> str:
    """`text` under the member-text rule: C0 controls but newline and tab gone, bidi controls
    gone, lone surrogates replaced by U+FFFD (a split pair is joined back)."""
    return incoming_text(text)


def refusal(answer: str) -> Literal["empty", "unseen", "unread"] | None:
    """Why `answer` is no answer the grader reads, or None when it is one: "empty" when it is
    nothing but spaces, "unseen" when none of its characters shows (zero-width or combining
    marks alone, unassigned or private-use code points: `content.text_rule.visible`, the rule
    that refuses such a model answer or question), "unread" when it is written in Japanese or
    Chinese, not Korean or English (`content.answer_script`). Every place a member answers
    (chat, practice, the web page's "Try the grader") refuses one before it is graded, stored
    or uses up a prompt: graded, it would score as a wrong answer and count in stats and
    mastery."""
    if not answer.strip():
        return "empty"
    if not visible(answer):
        return "unseen"
    return "unread" if unread_script(answer) else None


def shown_to_others(text: str) -> str:
    """Member text as others read it in the channel (a display name, a shared answer): no bidi
    control to reorder what follows, and each Slack or Discord markup character (`*`, `_`, `~`,
    backtick, `|`) as its fullwidth twin, so it reads as typed on every platform and formats
    nothing there."""
    return text.translate(_SHOWN)


def cut(text: str, limit: int) -> str:
    """`text`, ending in "…" at `limit` characters when it is longer."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def shown(detail: str) -> str:
    """Member input quoted in an error reply, cut to ECHO_CHARS so the reply stays short."""
    return cut(detail, ECHO_CHARS)


def excerpt(answer: str) -> str:
    """A shared answer as the channel reads it: on one line, cut to SHARED_CHARS, formatting
    nothing (`shown_to_others`)."""
    return cut(shown_to_others(" ".join(answer.split())), SHARED_CHARS)
