"""Features of how much the answer says, against how much a full answer to its question says."""

from __future__ import annotations

import math

from evaluators.features.concepts import coverage
from evaluators.features.feature import Feature
from evaluators.features.raw import Measures


def rel_length(s: Measures) -> float:
    """How long a full answer runs is a property of the question, and Korean content words do not
    count like English ones: length is read against the longest model answer in the answer's
    language."""
    return math.log1p(s.words) - math.log1p(s.ref_words)


LOG_WORDS = Feature(
    "log_words",
    "log of the answer's content words",
    lambda s: math.log1p(s.words),
    heads=("reference_only", "other_language"),
)
REL_LENGTH = Feature(
    "rel_length",
    "log of the answer's length over its longest model answer's, in content words",
    rel_length,
    heads=("concepts",),
)
COVERAGE_REL_LENGTH = Feature(
    "coverage_rel_length",
    "coverage times rel_length: concepts named in a fragment are worth less than explained",
    lambda s: coverage(s) * rel_length(s),
    heads=("concepts",),
)
FOLLOW_UP = Feature(
    "follow_up",
    "1 for a follow-up question, whose answers leave out what its thread has settled",
    lambda s: float(s.follow_up),
    heads=("concepts",),
)

FEATURES = (LOG_WORDS, REL_LENGTH, COVERAGE_REL_LENGTH, FOLLOW_UP)
