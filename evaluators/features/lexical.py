"""Features read from the words themselves: overlap of content words with a model answer or a
misconception (the question's own words left out), and fuzzy string matching."""

from __future__ import annotations

from evaluators.features.feature import Feature

LEX_RECALL = Feature(
    "lex_recall",
    "share of a model answer's content words the answer holds",
    heads=("reference_only",),
)
LEX_PRECISION = Feature(
    "lex_precision",
    "share of the answer's content words found in a model answer",
    heads=("reference_only",),
)
IDF_RECALL = Feature(
    "idf_recall",
    "lex_recall with each word weighted by how rare it is in the bank",
    heads=("concepts",),
)
MIS_OVERLAP = Feature(
    "mis_overlap",
    "share of a known misconception's content words the answer holds",
    heads=("concepts",),
)
FUZZY_SET = Feature(
    "fuzzy_set",
    "token-set string similarity with the nearest model answer",
    heads=("reference_only",),
)
FUZZY_PARTIAL = Feature(
    "fuzzy_partial",
    "best partial string match with a model answer",
    heads=("reference_only",),
)

OTHER_LEX_RECALL = Feature(
    "other_lex_recall",
    "share of the nearest other question's model answer words the answer holds (the off-topic "
    "rule reads it beside `lex_recall` where a prompt's key concepts are drafted, not reviewed)",
)

FEATURES = (
    LEX_RECALL,
    LEX_PRECISION,
    IDF_RECALL,
    MIS_OVERLAP,
    FUZZY_SET,
    FUZZY_PARTIAL,
    OTHER_LEX_RECALL,
)
