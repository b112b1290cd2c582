"""Which of a prompt's key concepts an answer mentions, in Korean or English, by any surface form:
spacing-free substring, shared morphemes (소실된다 ~ 소실) or a near spelling (rapidfuzz), with the
passage of the answer that shows it; and how near an answer comes to the concepts it does not
name (`concept_affinity`)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Literal

from rapidfuzz import fuzz

from content.schema import Concept, Lang
from evaluators.reading.morphology import (
    BANK_CACHE_SIZE,
    bank_morpheme_ids,
    bank_words,
    best_similarities,
    compact,
    content_word_spans,
    content_words,
    morpheme_ids,
    normalize,
    surface_word_spans,
    surface_words,
)

_HANGUL = re.compile(r"[가-힣]")
FUZZY_MIN_CHARS = 6
FUZZY_CUTOFF = 85.0

Span = tuple[int, int]
"""[start, end) of a passage in an answer's text."""

How = Literal["wording", "word", "lemmas", "spelling", "meaning"]
"""How a form matched: its spacing-free wording, a short form as a whole word, all its lemmas,
a near spelling, or a span of the answer that says it in other words
(`reading.concept_meaning`)."""


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

    @cached_property
    def _normalized(self) -> str:
        return normalize(self.text)

    @cached_property
    def _compact_places(self) -> tuple[int, ...]:
        """Where each character of `compact` stands in `normalize(text)`."""
        return tuple(i for i, ch in enumerate(self._normalized) if ch.isalnum())

    @cached_property
    def _text_places(self) -> tuple[int, ...] | None:
        """Where each character of `normalize(text)` comes from in `text`; None in the rare
        text whose characters normalised one by one read otherwise."""
        pieces = [normalize(ch) for ch in self.text]
        if "".join(pieces) != self._normalized:
            return None
        return tuple(i for i, piece in enumerate(pieces) for _ in piece)

    def passage(self, spans: Sequence[Span]) -> tuple[tuple[Span, ...], str]:
        """Spans of `normalize(text)` as spans of `text` and the words they hold, " … " between
        pieces; nothing where the two cannot be lined up."""
        places = self._text_places
        if places is None or not spans:
            return (), ""
        own = tuple((places[a], places[b - 1] + 1) for a, b in spans)
        return own, " … ".join(self.text[a:b] for a, b in own)

    def compact_span(self, start: int, end: int) -> Span:
        """`compact[start:end]` as a span of `normalize(text)`."""
        return self._compact_places[start], self._compact_places[end - 1] + 1

    def whole_word(self, start: int, end: int) -> Span:
        """The span of `normalize(text)` widened to the words it falls in: a lemma's place
        shown as the answer wrote it (빠르 as 빠릅니다)."""
        for word_start, word_end, _ in self.surface_spans:
            if word_start <= start < word_end:
                return word_start, max(word_end, end)
        return start, end

    def blanked(self, spans: Sequence[Span]) -> str:
        """`compact` with its characters inside `spans` (of `text`) blanked, so that no near
        spelling is read there; `compact` itself where the two cannot be lined up."""
        places = self._text_places
        if places is None or not spans:
            return self.compact
        key = tuple(spans)
        held = self._blanks.get(key)
        if held is None:
            held = self._blanks[key] = "".join(
                "\0" if any(a <= places[at] < b for a, b in spans) else ch
                for ch, at in zip(self.compact, self._compact_places, strict=True)
            )
        return held

    @cached_property
    def _blanks(self) -> dict[tuple[Span, ...], str]:
        """`blanked` texts made, by their spans: every form of every concept is looked for in
        the same blanked text."""
        return {}

    @cached_property
    def word_spans(self) -> tuple[tuple[int, int, str], ...]:
        return tuple(content_word_spans(self.text))

    @cached_property
    def surface_spans(self) -> tuple[tuple[int, int, str], ...]:
        return tuple(surface_word_spans(self.text))


@dataclass(frozen=True)
class ConceptMatch:
    """Why a concept counts as named: which of its wordings matched, how, and where the answer
    says it (`spans` in the answer's text, `passage` the answer's words there). A match without
    a passage still counts for the coverage feature but is never shown as covered."""

    concept: str
    form: str
    how: How
    spans: tuple[Span, ...]
    passage: str
    closeness: float | None = None
    """For a match by meaning, the cosine of its span with the concept's nearest phrasing: how
    sure the credit is (`reading.sure_credit`); None for a match in the concept's words."""

    def within(self, chars: int) -> ConceptMatch:
        """This match, without its passage unless it lies in the first `chars` characters."""
        if self.spans and all(end <= chars for _, end in self.spans):
            return self
        return ConceptMatch(self.concept, self.form, self.how, (), "", self.closeness)


def _worded(lemmas: Sequence[str]) -> bool:
    """Whether a form's lemmas hold a word: a number alone is no concept. Kiwi reads "L2" as the
    number 2 and "미분이 1" as 1, and every answer with that digit ("alert(1)", "2 layers")
    would name the concept by its lemmas; such forms still match as written ("L2")."""
    return any(any(ch.isalpha() for ch in lemma) for lemma in lemmas)


@lru_cache(maxsize=BANK_CACHE_SIZE)
def _form_parts(form: str) -> tuple[str, bool, tuple[str, ...], bool]:
    """What `_located` reads of a concept's form, read once per form (a burst of answers looks
    for the same forms some 100,000 times): its compact key, whether that holds Hangul, its
    lemmas and whether they hold a word (`_worded`)."""
    key = compact(form)
    lemmas = bank_words(form)
    return key, bool(_HANGUL.search(key)), lemmas, _worded(lemmas)


def _located(
    form: str, answer: AnswerText, spelled: Sequence[Span] = ()
) -> tuple[How, list[Span]] | None:
    """How `form` appears in the answer and where (spans of `normalize(answer.text)`; empty
    where a near spelling cannot be lined up), or None when it does not. No near spelling is
    read over the `spelled` spans of the answer's text."""
    key, has_hangul, lemmas, worded = _form_parts(form)
    if not key:
        return None
    if (has_hangul and len(key) >= 2) or len(key) >= 4:
        start = answer.compact.find(key)
        if start >= 0:
            return "wording", [answer.compact_span(start, start + len(key))]
    elif key in answer.surface or f"{key}s" in answer.surface:
        # Short Latin forms ("gd", "lr", "nan") only as whole words, or their plural ("NaNs",
        # "GANs"): an English answer says "watch for NaNs" where a Korean one says "NaN이".
        hit = next((a, b) for a, b, word in answer.surface_spans if word in {key, f"{key}s"})
        return "word", [hit]
    if worded and all(lemma in answer.words for lemma in lemmas):
        spans = {lemma: (a, b) for a, b, lemma in reversed(answer.word_spans)}
        return "lemmas", sorted({answer.whole_word(*spans[lemma]) for lemma in lemmas})
    if len(key) < FUZZY_MIN_CHARS or len(answer.compact) < len(key) - 1:
        return None
    target = answer.blanked(spelled)
    if fuzz.partial_ratio(key, target, score_cutoff=FUZZY_CUTOFF) == 0:
        return None
    aligned = fuzz.partial_ratio_alignment(key, target, score_cutoff=FUZZY_CUTOFF)
    if aligned is None or aligned.dest_end <= aligned.dest_start:
        return "spelling", []
    return "spelling", [answer.compact_span(aligned.dest_start, aligned.dest_end)]


def form_matches(form: str, answer: AnswerText) -> bool:
    """True when one surface form of a concept appears in the answer."""
    return _located(form, answer) is not None


def find_concept(
    concept: Concept, answer: AnswerText, spelled: Sequence[Span] = ()
) -> ConceptMatch | None:
    """The first of the concept's surface forms the answer holds, with where; None if none. No
    near spelling is read over the `spelled` spans."""
    for form in concept.surface_forms():
        found = _located(form, answer, spelled)
        if found is not None:
            how, spans = found
            own, passage = answer.passage(spans)
            return ConceptMatch(concept.id, form, how, own, passage)
    return None


def nameable(concepts: tuple[Concept, ...], lang: Lang) -> tuple[Concept, ...]:
    """The concepts an answer in `lang` can name. A Korean answer can name any: Korean answers
    write English terms as they are. An English answer cannot name a concept worded only in
    Hangul (a noun drafted from a team's Korean notes, 잔차 or 조화평균, with no English wording
    beside it): held to it, every English answer would miss it, and would hold a smaller share of
    its prompt's concepts than of a sibling's that has English wordings."""
    if lang == "ko":
        return concepts
    return tuple(c for c in concepts if not all(_HANGUL.search(f) for f in c.surface_forms()))


def written_out(concept: Concept, answer: AnswerText) -> bool:
    """Whether one of the concept's surface forms stands in the answer as it is written (its
    spacing-free wording, or a short form as a whole word), not only by its lemmas or a near
    spelling: "saturates" writes out the synonym "saturates" though "saturation", tried first,
    matched it by its lemma."""
    return any(
        found is not None and found[0] in ("wording", "word")
        for found in (_located(form, answer) for form in concept.surface_forms())
    )


def concept_present(concept: Concept, answer: AnswerText) -> bool:
    return any(form_matches(form, answer) for form in concept.surface_forms())


def concept_matches(concepts: tuple[Concept, ...], answer: AnswerText) -> tuple[ConceptMatch, ...]:
    """The match of each concept the answer names, in the prompt's order. A near spelling
    allows for a typo, so none is read where the answer spells another of the concepts as it
    is written: "decoder" names the decoder, it is no misspelt "encoder"."""
    found = {c.id: m for c in concepts if (m := find_concept(c, answer)) is not None}
    out: list[ConceptMatch] = []
    for concept in concepts:
        match = found.get(concept.id)
        if match is not None and match.how == "spelling":
            spelled = [
                span
                for other, m in found.items()
                if other != concept.id and m.how != "spelling"
                for span in m.spans
            ]
            match = find_concept(concept, answer, spelled)
        if match is not None:
            out.append(match)
    return tuple(out)


def covered_and_missed(
    concepts: tuple[Concept, ...], matches: Sequence[ConceptMatch]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(covered, missed) concept ids, each in the prompt's order."""
    covered = tuple(m.concept for m in matches)
    return covered, tuple(c.id for c in concepts if c.id not in covered)


def match_concepts(
    concepts: tuple[Concept, ...], answer: AnswerText
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(covered, missed) concept ids, each in the prompt's order."""
    return covered_and_missed(concepts, concept_matches(concepts, answer))


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
        ids = bank_morpheme_ids(form)
        if ids:
            similarities = best_similarities(ids, answer.morphemes)
            best = max(best, sum(similarities) / len(similarities))
    return best
