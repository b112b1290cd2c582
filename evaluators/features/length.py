"""Features of how much the answer says, against how much a full answer to its question says. On a
prompt with key concepts length enters only through what is not covered: a short answer that
names every key concept scores like a long one."""

from __future__ import annotations

import math

from evaluators.features.concepts import coverage
from evaluators.features.feature import Feature
from evaluators.features.raw import Signals


def rel_length(s: Signals) -> float:
    """How long a full answer runs is a property of the question, and Korean content words do not
    count like English ones: length is read against the longest model answer in the answer's
    language."""
    return math.log1p(s.words) - math.log1p(s.ref_words)


LOG_WORDS = Feature(
    "log_words",
    "log of the answer's content words",
    lambda s: math.log1p(s.words),
    heads=("reference_only",),
)
UNCOVERED_REL_LENGTH = Feature(
    "uncovered_rel_length",
    "rel_length times the share of key concepts not named: a short answer is weak for what it"
    " leaves out, never for being concise",
    lambda s: (1 - coverage(s)) * rel_length(s),
    heads=("concepts",),
)
FOLLOW_UP = Feature(
    "follow_up",
    "1 for a follow-up question, whose answers leave out what its thread has settled",
    lambda s: float(s.follow_up),
    heads=("concepts",),
)

FEATURES = (LOG_WORDS, UNCOVERED_REL_LENGTH, FOLLOW_UP)
