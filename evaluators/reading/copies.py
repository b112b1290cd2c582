"""Whether an answer is a copy of a text it was shown (the question, a revealed model answer):
the same letters and digits nearly throughout, or most of the text pasted on its own."""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import fuzz

from evaluators.reading.morphology import compact

MIN_CHARS = 4
"""Fewer letters and digits than this copy nothing: "ReLU" is a term, not a copy."""
PASTED_RATIO = 95.0


def copies(answer: str, sources: Sequence[str], ratio: float) -> bool:
    """Whether `answer` matches one of `sources` at `ratio` (rapidfuzz, 0-100) or more, or is
    most of one pasted on its own; quoting a source inside a longer answer is no copy."""
    key = compact(answer)
    if len(key) < MIN_CHARS:
        return False
    for source in sources:
        other = compact(source)
        if not other:
            continue
        if fuzz.ratio(key, other) >= ratio:
            return True
        if (
            0.6 * len(other) <= len(key) <= 1.2 * len(other)
            and fuzz.partial_ratio(key, other) >= PASTED_RATIO
        ):
            return True
    return False
