"""Measurements made by hand, for tests of fitting and rules that need an answer measured at
chosen values: every measure not given is zero (or absent), and the features are computed from
them by the registry, as for a real answer."""

from __future__ import annotations

from typing import Any

from evaluators.features.measurement import Found, Measurement
from evaluators.features.raw import Measures

_SIMILARITIES = ("ref_sim", "mis_sim", "q_sim", "fuzzy_set", "fuzzy_partial")
_OVERLAPS = ("lex_recall", "lex_precision", "mis_overlap")
_ZERO: dict[str, Any] = dict.fromkeys((*_SIMILARITIES, *_OVERLAPS), 0.0) | {
    "coverage": None,
    "tok_recall": None,
    "tok_precision": None,
    "tok_recall_demoted": None,
    "tok_precision_demoted": None,
    "words": 0,
}


def measured(
    *, found: Found | None = None, says_words: bool = False, **measures: Any
) -> Measurement:
    """A measurement with `measures` (by field name of `Measures`) and zero for the rest."""
    return Measurement(
        Measures(**(_ZERO | measures)), found=found or Found(), says_words=says_words
    )
