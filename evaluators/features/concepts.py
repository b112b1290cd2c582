"""Features read from the prompt's key concepts: how many the answer names, how near it comes to
the ones it does not, and how many of another question's it names."""

from __future__ import annotations

from evaluators.features.feature import Feature
from evaluators.features.raw import Measures


def coverage(s: Measures) -> float:
    """The share of key concepts named; without key concepts, the share of the model answer's
    content words the answer holds, its nearest stand-in."""
    return s.lex_recall if s.coverage is None else s.coverage


COVERAGE = Feature(
    "coverage", "share of the prompt's key concepts the answer names", coverage, heads=("concepts",)
)
NEW_COVERAGE = Feature(
    "new_coverage",
    "coverage of the key concepts the question does not already name",
    heads=("concepts",),
    stand_in="lex_recall",
)
SOFT_COVERAGE = Feature(
    "soft_coverage",
    "coverage with each concept not named counted by how near the answer comes to it",
    heads=("concepts",),
    stand_in="coverage",
)


def other_coverage(s: Measures) -> float:
    """The share of the nearest other question's key concepts named; for a prompt without key
    concepts, the share of that question's model answer words, read as `coverage` reads this
    prompt's, so the two compare like with like."""
    return s.other_lex_recall if s.coverage is None else s.other_coverage


OTHER_COVERAGE = Feature(
    "other_coverage",
    "share of the nearest other question's key concepts the answer names",
    other_coverage,
)

FEATURES = (COVERAGE, NEW_COVERAGE, SOFT_COVERAGE, OTHER_COVERAGE)
