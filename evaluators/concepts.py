"""Which of a prompt's key concepts an answer mentions, in Korean or English, by any surface form:
spacing-free substring, shared morphemes (소실된다 ~ 소실) or a near spelling (rapidfuzz)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from content.schema import Concept
from evaluators.morphology import compact, content_words, surface_words

_HANGUL = re.compile(r"[가-힣]")
FUZZY_MIN_CHARS = 6
FUZZY_CUTOFF = 85.0


@dataclass(frozen=True)
class AnswerText:
    """An answer analysed once (in the batch thread) and matched against many concepts."""

    text: str
    compact: str
    words: frozenset[str]
    surface: frozenset[str]

    @classmethod
    def of(cls, text: str) -> AnswerText:
        return cls(
            text=text,
            compact=compact(text),
            words=frozenset(content_words(text)),
            surface=frozenset(surface_words(text)),
        )


def form_matches(form: str, answer: AnswerText) -> bool:
    """True when one surface form of a concept appears in the answer."""
    key = compact(form)
    if not key:
        return False
    has_hangul = bool(_HANGUL.search(key))
    if (has_hangul and len(key) >= 2) or len(key) >= 4:
        if key in answer.compact:
            return True
    elif key in answer.surface or f"{key}s" in answer.surface:
        # Short Latin forms ("gd", "lr", "nan") only as whole words, or their plural ("NaNs",
        # "GANs"): an English answer says "watch for NaNs" where a Korean one says "NaN이".
        return True
    lemmas = content_words(form)
    if lemmas and all(lemma in answer.words for lemma in lemmas):
        return True
    if len(key) >= FUZZY_MIN_CHARS and len(answer.compact) >= len(key) - 1:
        return fuzz.partial_ratio(key, answer.compact, score_cutoff=FUZZY_CUTOFF) > 0
    return False


def concept_present(concept: Concept, answer: AnswerText) -> bool:
    return any(form_matches(form, answer) for form in concept.surface_forms())


def match_concepts(
    concepts: tuple[Concept, ...], answer: AnswerText
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(covered, missed) concept ids, each in the prompt's order."""
    covered = tuple(c.id for c in concepts if concept_present(c, answer))
    missed = tuple(c.id for c in concepts if c.id not in covered)
    return covered, missed
