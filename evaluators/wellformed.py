"""Text every part of the pipeline can take: JSON and some clients deliver lone UTF-16
surrogates ("\\ud800"), which the tokenizer rejects and SQLite cannot store as UTF-8."""

from __future__ import annotations


def well_formed(text: str) -> str:
    """`text` with each lone surrogate replaced by U+FFFD (a split pair is joined back)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text
