"""The one rule for text that comes in from outside, whichever way it comes: a member typing in
chat or on the web page, and a file given to `quizmaster content import`. Everything after intake
(parsing, the bank files, storage, grading, replies) sees the same text, and `content check`
refuses a bank that holds what the rule takes out.

NUL and the other C0 control characters except newline and tab are removed (PostgreSQL refuses
NUL in text, and a terminal acts on ESC); lone UTF-16 surrogates, which JSON can carry and UTF-8
cannot encode, become U+FFFD.
"""

from __future__ import annotations

_REMOVED = dict.fromkeys(code for code in range(0x20) if chr(code) not in "\n\t")


def well_formed(text: str) -> str:
    """`text` with each lone surrogate replaced by U+FFFD (a split pair is joined back): the
    half of the rule every part of the pipeline needs, since the tokenizer rejects a lone
    surrogate and SQLite cannot store one as UTF-8 (the grader and the embeddings service apply
    it to text that did not come through intake)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def incoming_text(text: str) -> str:
    """`text` under the rule: C0 controls but newline and tab gone, lone surrogates replaced by
    U+FFFD (a split pair is joined back)."""
    return well_formed(text).translate(_REMOVED)


def removed_controls(text: str) -> list[str]:
    """The control characters of `text` the rule removes, each once, as `U+XXXX` in order."""
    found = sorted({ord(ch) for ch in text if ord(ch) in _REMOVED})
    return [f"U+{code:04X}" for code in found]
