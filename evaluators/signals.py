"""Measuring one answer to one prompt: the `Measurement` every feature is computed from and
feedback names. Each measure answers a question a human grader asks: is it close to a model
answer, closer to a known wrong answer, does it name the key ideas, does it only restate the
question, is there enough of it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import numpy as np
from rapidfuzz import fuzz

from content.schema import Concept, Lang, Prompt
from evaluators.bank_index import NOWHERE, Elsewhere
from evaluators.embedding.vectors import Matrix
from evaluators.features.measurement import Found, Measurement
from evaluators.features.raw import Measures
from evaluators.reading.claims import measure_claims
from evaluators.reading.concept_meaning import (
    ABSENT_BELOW,
    NO_SPANS,
    AnswerSpans,
    meaning_matches,
    nearest,
)
from evaluators.reading.concepts import (
    AnswerText,
    ConceptMatch,
    Span,
    concept_affinity,
    concept_matches,
    covered_and_missed,
    match_concepts,
    nameable,
)
from evaluators.reading.contrasts import Contrast, contrast_of, read_claims
from evaluators.reading.language import answer_language
from evaluators.reading.morphology import bank_words
from evaluators.reading.rarity import UNIFORM, WordRarity
from evaluators.reading.sure_credit import doubted
from evaluators.references import PromptVectors


def as_answered(prompt: Prompt, answer: str) -> Prompt:
    """`prompt` as an answer in `answer`'s language is graded against: with only the key concepts
    that language can name (`nameable`), and graded by the reference-only head when it can name
    none. A seed prompt words every concept in both languages and is returned as it is; a team's
    Korean notes may not."""
    return _named_in(prompt, answer_language(answer))


@lru_cache(maxsize=1024)
def _named_in(prompt: Prompt, lang: Lang) -> Prompt:
    concepts = nameable(prompt.concepts, lang)
    if len(concepts) == len(prompt.concepts):
        return prompt
    return prompt.model_copy(update={"concepts": concepts})


def _max_cos(vector: Matrix, matrix: Matrix) -> float:
    if matrix.shape[0] == 0:
        return 0.0
    return float(np.max(matrix @ vector))


class Overlap(NamedTuple):
    """How much of a reference's content words an answer says (`_overlap`)."""

    recall: float
    precision: float
    idf_recall: float
    """Recall weighted by the words' rarity."""
    shared: frozenset[str]
    """The reference's words the answer says, those the question gives away left out."""


def _overlap(
    answer_words: frozenset[str],
    reference: str,
    question_words: frozenset[str],
    rarity: WordRarity = UNIFORM,
) -> Overlap:
    """Reference content words in the answer, ignoring words the question already gives away
    ("question demoting")."""
    ref_words = {w for w in bank_words(reference) if w not in question_words}
    own = {w for w in answer_words if w not in question_words}
    if not ref_words:
        return Overlap(0.0, 0.0, 0.0, frozenset())
    shared = frozenset(ref_words & own)
    hits = len(shared)
    return Overlap(
        hits / len(ref_words),
        hits / len(own) if own else 0.0,
        rarity.recall(ref_words, own),
        shared,
    )


def _says_a_word(shared: frozenset[str]) -> bool:
    """Whether the words an answer shares with a model answer hold one with a letter in it: a
    digit alone ("1" of `<script>alert(1)</script>`) is no evidence of an answer
    (`calibration.EvidenceGate`)."""
    return any(any(char.isalpha() for char in word) for word in shared)


@dataclass(frozen=True)
class Alignment:
    """BERTScore-style token alignment of an answer with one reference: recall (each reference
    token's best match in the answer) and precision (each answer token's best match in the
    reference), plainly averaged and "question-demoted" (tokens the question already holds
    weigh less, so echoing the question earns little)."""

    recall: float
    precision: float
    recall_demoted: float
    precision_demoted: float


_MIN_WEIGHT = 0.05


def token_alignment(answer: Matrix, reference: Matrix, question: Matrix) -> Alignment:
    if answer.shape[0] == 0 or reference.shape[0] == 0:
        return Alignment(0.0, 0.0, 0.0, 0.0)
    a, r = answer.astype(np.float32), reference.astype(np.float32)
    sims = a @ r.T
    recall, precision = sims.max(axis=0), sims.max(axis=1)
    if question.shape[0] == 0:
        ref_weight, ans_weight = np.ones(len(recall)), np.ones(len(precision))
    else:
        q = question.astype(np.float32)
        ref_weight = np.clip(1.0 - (r @ q.T).max(axis=1), _MIN_WEIGHT, 1.0)
        ans_weight = np.clip(1.0 - (a @ q.T).max(axis=1), _MIN_WEIGHT, 1.0)
    return Alignment(
        recall=float(recall.mean()),
        precision=float(precision.mean()),
        recall_demoted=float((ref_weight * recall).sum() / ref_weight.sum()),
        precision_demoted=float((ans_weight * precision).sum() / ans_weight.sum()),
    )


def _new_coverage(prompt: Prompt, covered: tuple[str, ...]) -> float | None:
    """The share of the key concepts the question does not already name that the answer names:
    `coverage` with the question's own concepts left out, as the lexical overlap leaves out the
    question's words. "How would you explain gradient descent?" hands every answer the key concept
    "gradient": naming it back shows nothing, and a question that names half its concepts would
    otherwise give any on-topic answer half the coverage for free. None without concepts, or
    when the question names them all."""
    given = set(_question_concepts(prompt))
    rest = [c.id for c in prompt.concepts if c.id not in given]
    if not rest:
        return None
    return sum(1 for c in covered if c not in given) / len(rest)


@lru_cache(maxsize=1024)
def _question_concepts(prompt: Prompt) -> tuple[str, ...]:
    """The key concepts the question's own wording (either language) names; once per prompt,
    not once per answer."""
    return match_concepts(prompt.concepts, AnswerText.of(f"{prompt.text.ko}\n{prompt.text.en}"))[0]


def _question_words(prompt: Prompt) -> frozenset[str]:
    """The content words of the question in either language, which an answer gets for free."""
    return frozenset(w for text in (prompt.text.ko, prompt.text.en) for w in bank_words(text))


def _recall_of(prompt: Prompt | None, answer: AnswerText, lang: Lang) -> float:
    """The best share of `prompt`'s model answer words (its question's left out) the answer
    holds, in the answer's language where the prompt has a reference in it (0 without one)."""
    if prompt is None:
        return 0.0
    question_words = _question_words(prompt)
    references = prompt.references_in(lang) or prompt.references
    return max(
        (_overlap(answer.words, r.text, question_words).recall for r in references), default=0.0
    )


def _coverage_of(prompt: Prompt | None, answer: AnswerText, lang: Lang) -> float:
    """The share of `prompt`'s key concepts the answer names, of those its language can name, as
    its own prompt's are counted (0 without a prompt or such concepts)."""
    concepts = nameable(prompt.concepts, lang) if prompt is not None else ()
    if not concepts:
        return 0.0
    return len(match_concepts(concepts, answer)[0]) / len(concepts)


def _contrast(prompt: Prompt) -> Contrast:
    """What the prompt's question and model answers claim, read once per prompt."""
    return contrast_of((prompt.text.ko, prompt.text.en), tuple(r.text for r in prompt.references))


def _credited(
    matches: tuple[ConceptMatch, ...], reversed_spans: list[tuple[Span, ...]]
) -> tuple[ConceptMatch, ...]:
    """The concept matches that count: a key concept's words inside a claim that says the
    opposite of the model answers (given to the other side of the contrast the question draws,
    or an opposite said, "not connected" where they say "connected") are no credit for it."""
    inside = [span for spans in reversed_spans for span in spans]
    if not inside:
        return matches
    return tuple(
        m
        for m in matches
        if not (m.spans and all(any(a <= s and e <= b for a, b in inside) for s, e in m.spans))
    )


def _with_meaning(
    prompt: Prompt,
    answer: AnswerText,
    answer_vector: Matrix,
    spans: AnswerSpans,
    vectors: PromptVectors,
    *,
    named: tuple[ConceptMatch, ...],
) -> tuple[ConceptMatch, ...]:
    """The key concepts the answer names in their words (`named`, from `concept_matches`) and
    those it states in others (`meaning_matches`), in the prompt's order."""
    found = {m.concept for m in named}
    meant = meaning_matches(
        prompt.concepts,
        tuple(found),
        answer,
        answer_vector=answer_vector,
        spans=spans,
        concept_vectors=vectors.concepts,
    )
    if not meant:
        return named
    by_id = {m.concept: m for m in (*named, *meant)}
    return tuple(by_id[c.id] for c in prompt.concepts if c.id in by_id)


_HANGUL_WORD = re.compile(r"[가-힣]")


def _near(
    prompt: Prompt,
    answer: AnswerText,
    *,
    named: tuple[ConceptMatch, ...],
    credited: tuple[ConceptMatch, ...],
    closeness: tuple[float, ...],
    lang: Lang,
) -> tuple[str, ...]:
    """The key concepts the answer is not credited with that something in it comes near: named
    in their words but given no credit (inside a reversed claim), one of their words said (not
    one a credited concept's wordings hold), or a
    clause within `ABSENT_BELOW` of their phrasings; and those with no wording in the answer's
    language (a team's English keyword, a Korean answer), which the lexical reader cannot see
    and meaning reads weakly across languages. Of these the grader is not sure either way: it
    credits none and tells the member of none as missed."""
    given = {m.concept for m in credited}
    worded = {m.concept for m in named}
    explained = {w for c in prompt.concepts if c.id in given for w in _content_words(c)}
    near = []
    for column, concept in enumerate(prompt.concepts):
        if concept.id in given:
            continue
        close = column < len(closeness) and closeness[column] >= ABSENT_BELOW
        unread = not _worded_in(concept, lang)
        shares = bool((_content_words(concept) - explained) & answer.words)
        if concept.id in worded or close or unread or shares:
            near.append(concept.id)
    return tuple(near)


def _worded_in(concept: Concept, lang: Lang) -> bool:
    """Whether one of the concept's wordings is written in `lang` (Korean: with Hangul)."""
    return any(bool(_HANGUL_WORD.search(f)) == (lang == "ko") for f in concept.surface_forms())


def _content_words(concept: Concept) -> frozenset[str]:
    """The content words of a concept's wordings (two characters or more): an answer that says
    one half-names the concept, unless a concept it is credited with has the word too ("weight"
    of "sum of absolute weights" says nothing of "weights to exactly zero")."""
    return frozenset(
        word for form in concept.surface_forms() for word in bank_words(form) if len(word) >= 2
    )


def measure(
    prompt: Prompt,
    vectors: PromptVectors,
    answer: AnswerText,
    answer_vector: Matrix,
    *,
    answer_tokens: Matrix | None = None,
    spans: AnswerSpans = NO_SPANS,
    reference_tokens: tuple[Matrix, ...] = (),
    question_tokens: Matrix | None = None,
    elsewhere: Elsewhere = NOWHERE,
    sibling: Elsewhere = NOWHERE,
    rarity: WordRarity = UNIFORM,
) -> Measurement:
    """All measures of `answer` to `prompt`; cheap (dot products and set operations). Token
    alignment is measured only when token vectors of the references are given. `elsewhere` is
    the closest model answer of another question: how close, and how many of that question's
    key concepts the answer names; `sibling` the closest model answer of its main question or
    a follow-up of the same thread. `rarity` weighs the reference words for `idf_recall`. A key
    concept not named in its words is still credited where the answer's clauses (`spans`, the
    answer itself without them) state it in others (`concept_meaning`)."""
    lang = answer_language(answer.text)
    question_words = _question_words(prompt)
    references = prompt.references_in(lang) or prompt.references
    recall, precision, idf_recall, fuzzy_set, fuzzy_partial = 0.0, 0.0, 0.0, 0.0, 0.0
    says_words = False
    lowered = answer.text.casefold()
    for reference in references:
        overlap = _overlap(answer.words, reference.text, question_words, rarity)
        recall, precision = max(recall, overlap.recall), max(precision, overlap.precision)
        idf_recall = max(idf_recall, overlap.idf_recall)
        says_words = says_words or _says_a_word(overlap.shared)
        ref_lowered = reference.text.casefold()
        fuzzy_set = max(fuzzy_set, fuzz.token_set_ratio(lowered, ref_lowered) / 100)
        fuzzy_partial = max(fuzzy_partial, fuzz.partial_ratio(lowered, ref_lowered) / 100)
    alignments: list[Alignment] = []
    if answer_tokens is not None:
        question = (
            question_tokens
            if question_tokens is not None
            else np.zeros((0, answer_tokens.shape[1]), dtype=np.float32)
        )
        alignments = [token_alignment(answer_tokens, ref, question) for ref in reference_tokens]
    overlaps = [
        _overlap(answer.words, m.text, question_words).recall for m in prompt.misconceptions
    ]
    mis_overlap = max(overlaps, default=0.0)
    claims = read_claims(answer.text, _contrast(prompt))
    placed = [answer.passage([reversal.span]) for reversal in claims.reversed]
    strong = [
        spans for (spans, _), r in zip(placed, claims.reversed, strict=True) if r in claims.strong
    ]
    # The score reads the concepts named in the answer's words, as the heads were fitted; those
    # stated in other words are credited in what the member is told (`found.matches`) alone,
    # until the heads are fitted on them: fed to the heads as they are, they raised wrong and
    # misconceived answers' grades (the year set's misconceived at 40 or less: 0.983 to 0.900).
    named = concept_matches(prompt.concepts, answer)
    named_covered, named_missed = covered_and_missed(prompt.concepts, named)
    matches = _with_meaning(prompt, answer, answer_vector, spans, vectors, named=named)
    credited = _credited(matches, strong)
    closeness = nearest(
        answer, answer_vector=answer_vector, spans=spans, concept_vectors=vectors.concepts
    )
    coverage = len(named_covered) / len(prompt.concepts) if prompt.concepts else None
    soft_coverage = None
    if prompt.concepts:
        near = sum(concept_affinity(c, answer) for c in prompt.concepts if c.id in named_missed)
        soft_coverage = (len(named_covered) + near) / len(prompt.concepts)
    return Measurement(
        measures=Measures(
            ref_sim=_max_cos(answer_vector, vectors.references),
            mis_sim=_max_cos(answer_vector, vectors.misconceptions),
            q_sim=_max_cos(answer_vector, vectors.question),
            coverage=coverage,
            lex_recall=recall,
            lex_precision=precision,
            idf_recall=idf_recall,
            mis_overlap=mis_overlap,
            tok_recall=max((x.recall for x in alignments), default=None),
            tok_precision=max((x.precision for x in alignments), default=None),
            tok_recall_demoted=max((x.recall_demoted for x in alignments), default=None),
            tok_precision_demoted=max((x.precision_demoted for x in alignments), default=None),
            fuzzy_set=fuzzy_set,
            fuzzy_partial=fuzzy_partial,
            words=len(answer.words),
            other_sim=elsewhere.sim,
            other_coverage=_coverage_of(elsewhere.prompt, answer, lang),
            other_lex_recall=_recall_of(elsewhere.prompt, answer, lang),
            sibling_sim=None if sibling.prompt is None else sibling.sim,
            claims=measure_claims(answer.text, [r.text for r in references]),
            new_coverage=_new_coverage(prompt, named_covered),
            follow_up=prompt.parent is not None,
            framed_sim=_max_cos(answer_vector, vectors.framed) if vectors.framed.shape[0] else None,
            ref_words=max((len(set(bank_words(r.text))) for r in references), default=0),
            soft_coverage=soft_coverage,
        ),
        found=Found(
            covered=named_covered,
            missed=named_missed,
            matches=credited,
            near=_near(
                prompt, answer, named=named, credited=credited, closeness=closeness, lang=lang
            ),
            doubted=doubted(prompt, answer, credited, lang=lang),
            echoed=overlaps.index(mis_overlap) if overlaps else None,
            sibling=sibling.prompt,
            claims=claims,
            quotes=tuple(words for _, words in placed),
        ),
        says_words=says_words,
        lang=lang,
    )
