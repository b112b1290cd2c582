"""Cues of a confident wrong claim that embeddings miss: sentence vectors put "CNNs have far
*more* parameters" right beside "far *fewer*", and "Adam *guarantees* the global minimum" beside
the model answer it contradicts. Two cheap, language-aware counts feed calibration:

- `absolutes`: sweeping words (always, never, guarantee, 항상, 절대, 보장) that no reference of
  the prompt uses; a model answer hedges where the truth is hedged.
- `flips`: polarity words (more/fewer, increase/decrease, linear/nonlinear, 가능/불가능) where
  the answer says one side and the references only the other, and a yes/no question answered
  with the opposite of the references' first word ("No, ..." where they say "Yes, ...").

Both compare with the prompt's own references, so a reference that itself says "always" makes
the word harmless there."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from evaluators.reading.morphology import compact

_LATIN_WORD = re.compile(r"[a-z][a-z'-]*")

# English words as whole words; Korean stems as spacing-free substrings.
_ABSOLUTE_EN = frozenset(
    (
        *("always", "never", "guarantee", "guarantees", "guaranteed", "only", "impossible"),
        *("cannot", "can't", "every", "all", "completely", "entirely", "exactly", "zero"),
    )
)
_ABSOLUTE_KO = ("항상", "절대", "보장", "무조건", "반드시", "전혀", "언제나", "완벽", "100%")

# (one side, other side): each side a tuple of English words and Korean stems.
_POLARITY: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("more", "many", "larger", "bigger", "많"), ("fewer", "less", "few", "smaller", "적은")),
    (("increase", "increases", "증가", "늘어"), ("decrease", "decreases", "감소", "줄어")),
    (("high", "higher", "높"), ("low", "lower", "낮")),
    (("fast", "faster", "빠르", "빨라"), ("slow", "slower", "느리", "느려")),
    (("linear", "선형"), ("nonlinear", "non-linear", "비선형")),
    (("supervised", "지도"), ("unsupervised", "self-supervised", "비지도")),
    (("convex", "볼록"), ("non-convex", "nonconvex", "비볼록")),
    (("possible", "가능"), ("impossible", "불가능")),
    (("global",), ("local",)),
)
_KOREAN_FORMS = (
    tuple(form for pair in _POLARITY for side in pair for form in side if not form.isascii())
    + _ABSOLUTE_KO
)
# A Korean form inside a longer one (선형 in 비선형, 가능 in 불가능) is looked for only after
# the longer ones are taken out of the text.
_LONGER = {
    form: tuple(other for other in _KOREAN_FORMS if form in other and other != form)
    for form in _KOREAN_FORMS
}


_YES = frozenset(("yes", "yeah", "네", "예", "응", "맞아요", "맞습니다", "가능합니다"))
_NO = frozenset(("no", "nope", "아니요", "아뇨", "아니오", "아니다", "아닙니다", "불가능합니다"))
_FIRST_WORD = re.compile(r"^\W*(\w+)")


def _stance(text: str) -> int:
    """+1 for an answer that opens with yes, -1 with no, 0 otherwise."""
    found = _FIRST_WORD.match(text.casefold())
    word = found.group(1) if found else ""
    return 1 if word in _YES else -1 if word in _NO else 0


@dataclass(frozen=True)
class _Text:
    """A text's lowercase whole words and its spacing-free form, for both kinds of lookup."""

    words: frozenset[str]
    squashed: str

    @classmethod
    def of(cls, text: str) -> _Text:
        lowered = text.casefold()
        return cls(frozenset(_LATIN_WORD.findall(lowered)), compact(lowered))

    def says(self, form: str) -> bool:
        if form.isascii() and _LATIN_WORD.fullmatch(form):
            return form in self.words
        text = self.squashed
        for longer in _LONGER.get(form, ()):
            text = text.replace(longer, "")
        return compact(form) in text


def _says_any(text: _Text, forms: Iterable[str]) -> bool:
    return any(text.says(form) for form in forms)


@dataclass(frozen=True)
class Claims:
    """How many sweeping words and flipped polarities an answer has against its references."""

    absolutes: int
    flips: int


NO_CLAIMS = Claims(absolutes=0, flips=0)


def measure_claims(answer: str, references: Iterable[str]) -> Claims:
    """Counts for `answer` against every reference text of its prompt."""
    texts = list(references)
    said = _Text.of(answer)
    refs = [_Text.of(text) for text in texts]
    if not refs:
        return NO_CLAIMS
    absolutes = sum(
        1
        for form in (*_ABSOLUTE_EN, *_ABSOLUTE_KO)
        if said.says(form) and not any(ref.says(form) for ref in refs)
    )
    flips = 0
    for first, second in _POLARITY:
        for side, other in ((first, second), (second, first)):
            if not _says_any(said, side) or _says_any(said, other):
                continue
            if any(_says_any(ref, side) for ref in refs):
                continue
            if any(_says_any(ref, other) for ref in refs):
                flips += 1
    stance = _stance(answer)
    stances = {_stance(text) for text in texts} - {0}
    if stance and stances == {-stance}:
        flips += 1
    return Claims(absolutes=absolutes, flips=flips)
