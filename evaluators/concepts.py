"""Which of a prompt's key concepts an answer mentions, in Korean or English, by any surface form:
spacing-free substring, shared morphemes (소실된다 ~ 소실) or a near spelling (rapidfuzz); and how
near an answer comes to the concepts it does not name (`concept_affinity`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from content.schema import Concept
from evaluators.morphology import (
    best_similarities,
    compact,
    content_words,
    morpheme_ids,
    surface_words,
)

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
    morphemes: frozenset[int]

    @classmethod
    def of(cls, text: str) -> AnswerText:
        return cls(
            text=text,
            compact=compact(text),
            words=frozenset(content_words(text)),
            surface=frozenset(surface_words(text)),
            morphemes=morpheme_ids(text),
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


UNREAD_AFFINITY = 0.61
"""`concept_affinity` of an answer without Korean, which Kiwi cannot read: the mean affinity of
the dev set's Korean answers to the concepts they do not name. With 0 in its place an English
answer would sit below its Korean twin by the whole affinity of what both leave unnamed
(`test_answer_classes.py` holds the twins together)."""


def concept_affinity(concept: Concept, answer: AnswerText) -> float:
    """How near an answer that does not name a concept comes to it in meaning (0-1): for each
    Korean surface form, the mean over the form's morphemes of the best Kiwi
    similarity to a morpheme of the answer, and the best form. "선형 함수를 여러 번 합성해도 선형
    함수" names no surface form of "선형 층의 합성은 하나의 선형 변환" but sits near it. 0 when
    the concept has no Korean form; `UNREAD_AFFINITY` when the answer has no Korean."""
    if not answer.morphemes:
        return UNREAD_AFFINITY  # before reading the concept's forms: English never loads Kiwi
    best = 0.0
    for form in concept.surface_forms():
        ids = morpheme_ids(form)
        if ids:
            similarities = best_similarities(ids, answer.morphemes)
            best = max(best, sum(similarities) / len(similarities))
    return best
