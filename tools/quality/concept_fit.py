"""Fitting the concept matcher's rule (`reading.concept_meaning.MeaningRule`) on the Korean
science element labels: every student answer, every rubric element its question's team bank
holds as a key concept (as `quality_korean` imports them), labelled stated or not.

Each (answer, concept) pair the lexical reader does not credit is read once: the best cosine of
a span of the answer with one of the concept's phrasings, and how far that span sits nearer this
concept than any other. The rule is the pair (threshold, margin) of a grid with the best concept
credit F1, lexical credit and meaning credit together. It is measured by leave-questions-out
folds (the questions split by a hash of their id: the rule fitted on the others, applied to the
questions of the fold, and the counts of every fold pooled), and fitted last on all questions:
that rule is the one `MEANING_RULE` holds. Nothing is tuned per question."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from content.bank import normalize_question
from evaluators.embedding.vectors import EmbeddingModel, Matrix
from evaluators.reading.concept_meaning import (
    AnswerSpans,
    MeaningRule,
    nearness,
    phrasings,
    span_texts,
)
from evaluators.reading.concepts import AnswerText, concept_matches
from evaluators.reading.notation import read_notation
from tools.quality.quality_korean import (
    ANSWERS,
    RUBRICS,
    fold_bank,
    read_answers,
    read_rubrics,
)

FOLDS = 4
THRESHOLDS = tuple(round(float(t), 4) for t in np.arange(0.80, 0.98, 0.0025))
MARGINS = (-1.0, 0.0, 0.005, 0.01, 0.02, 0.03, 0.05, 0.07, 0.1, 0.15)
"""-1: no margin asked (cosines lie in [-1, 1])."""
ENCODE_STEP = 256


@dataclass(frozen=True)
class Pairs:
    """Every (answer, key concept) pair: its question, whether the lexical reader credits it,
    the best span's cosine and its margin over the other concepts (-2 where not read: credited
    lexically, or an element the bank could not hold), and whether the student stated it."""

    qids: tuple[str, ...]
    lexical: NDArray[np.bool_]
    score: NDArray[np.float64]
    margin: NDArray[np.float64]
    stated: NDArray[np.bool_]


@dataclass(frozen=True)
class Credit:
    """Concept credit counts and the figures read from them."""

    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: Credit) -> Credit:
        return Credit(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    def describe(self) -> str:
        return f"precision {self.precision:.3f} recall {self.recall:.3f} F1 {self.f1:.3f}"


@dataclass(frozen=True)
class ConceptMatcherFit:
    """The rule fitted on every question, and what rules fitted without them do on questions
    left out (pooled over the folds), beside the lexical reader alone on the same pairs."""

    rule: MeaningRule
    held_out: Credit
    lexical: Credit
    fold_rules: tuple[MeaningRule, ...]
    pairs: int


def credit(pairs: Pairs, rule: MeaningRule | None, rows: NDArray[np.bool_]) -> Credit:
    """The counts of `rows` with lexical credit and, with a `rule`, meaning credit."""
    credited = pairs.lexical.copy()
    if rule is not None:
        credited |= (pairs.score >= rule.threshold) & (pairs.margin >= rule.margin)
    stated = pairs.stated
    return Credit(
        int((credited & stated & rows).sum()),
        int((credited & ~stated & rows).sum()),
        int((~credited & stated & rows).sum()),
    )


def best_rule(pairs: Pairs, rows: NDArray[np.bool_]) -> MeaningRule:
    """The rule of the grid with the best F1 on `rows` (ties: the higher threshold, then the
    larger margin: the stricter rule)."""
    scored = [
        (credit(pairs, MeaningRule(t, m), rows).f1, t, m) for t in THRESHOLDS for m in MARGINS
    ]
    _, threshold, margin = max(scored)
    return MeaningRule(threshold, margin)


def question_fold(qid: str, folds: int = FOLDS) -> int:
    return int(hashlib.sha256(qid.encode()).hexdigest()[:8], 16) % folds


def fit_pairs(pairs: Pairs, folds: int = FOLDS) -> ConceptMatcherFit:
    """Leave-questions-out figures, then the rule fitted on every question."""
    fold_of = np.array([question_fold(q, folds) for q in pairs.qids])
    every = np.ones(len(pairs.qids), dtype=bool)
    held_out = Credit(0, 0, 0)
    rules = []
    for fold in range(folds):
        rule = best_rule(pairs, fold_of != fold)
        rules.append(rule)
        held_out += credit(pairs, rule, fold_of == fold)
    return ConceptMatcherFit(
        rule=best_rule(pairs, every),
        held_out=held_out,
        lexical=credit(pairs, None, every),
        fold_rules=tuple(rules),
        pairs=len(pairs.qids),
    )


def _encode(
    embedder: EmbeddingModel, texts: Sequence[str], say: Callable[[str], None]
) -> dict[str, Matrix]:
    unique = list(dict.fromkeys(texts))
    out: dict[str, Matrix] = {}
    for start in range(0, len(unique), ENCODE_STEP):
        part = unique[start : start + ENCODE_STEP]
        out.update(zip(part, embedder.encode(part), strict=True))
        say(f"encoded {min(start + ENCODE_STEP, len(unique))} of {len(unique)}")
    return out


def read_pairs(embedder: EmbeddingModel, data: Path, say: Callable[[str], None] = print) -> Pairs:
    """Every (answer, concept) pair of the Korean science data, read as the grader reads an
    answer: notation read, lexical credit first, then the answer's clauses and itself."""
    answers = read_answers(data / ANSWERS)
    rubrics = read_rubrics(data / RUBRICS)
    qids = list(dict.fromkeys(a.qid for a in answers))
    made = fold_bank(qids, answers, rubrics)
    prompts = {qid: prompt for qid, prompt in zip(qids, made.bank_file.prompts, strict=True)}
    read = []
    for answer in answers:
        prompt = prompts[answer.qid]
        text = AnswerText.of(read_notation(answer.row.answer))
        named = {m.concept for m in concept_matches(prompt.concepts, text)}
        cut = span_texts(text) if len(named) < len(prompt.concepts) else ((), ())
        read.append((answer, prompt, text, named, cut))
    say(f"read {len(read)} answers")
    texts = [p for prompt in prompts.values() for c in prompt.concepts for p in phrasings(c)]
    texts += [text.text for _, _, text, _, _ in read]
    texts += [w for *_, (_, words) in read for w in words]
    vectors = _encode(embedder, texts, say)
    rows: list[tuple[str, bool, float, float, bool]] = []
    for answer, prompt, text, named, (places, words) in read:
        elements = made.elements[normalize_question(prompt.text.ko)]
        concept_rows = [np.stack([vectors[p] for p in phrasings(c)]) for c in prompt.concepts]
        spans = AnswerSpans(
            places,
            words,
            np.stack([vectors[w] for w in words]) if words else np.zeros((0, 0), dtype=np.float32),
        )
        candidates = np.vstack([*([spans.vectors] if words else []), vectors[text.text][None]])
        near = nearness(candidates.astype(np.float32), concept_rows)
        for column, concept in enumerate(prompt.concepts):
            stated = elements[concept.id] in answer.stated
            if concept.id in named:
                rows.append((answer.qid, True, -2.0, -2.0, stated))
                continue
            best = int(np.argmax(near[:, column]))
            others = np.delete(near[best], column)
            score = float(near[best, column])
            rival = float(others.max()) if others.size else -1.0
            rows.append((answer.qid, False, score, score - rival, stated))
        held = set(elements.values())
        rows += [(answer.qid, False, -2.0, -2.0, True) for _ in answer.stated - held]
    return Pairs(
        qids=tuple(r[0] for r in rows),
        lexical=np.array([r[1] for r in rows], dtype=bool),
        score=np.array([r[2] for r in rows]),
        margin=np.array([r[3] for r in rows]),
        stated=np.array([r[4] for r in rows], dtype=bool),
    )


def fit_concept_matcher(
    embedder: EmbeddingModel, data: Path, *, folds: int = FOLDS, say: Callable[[str], None] = print
) -> ConceptMatcherFit:
    """The concept matcher's rule fitted on the Korean science labels in `data`, with its
    leave-questions-out figures (see the module's docstring)."""
    return fit_pairs(read_pairs(embedder, data, say), folds)
