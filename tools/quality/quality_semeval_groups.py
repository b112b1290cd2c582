"""Answer groups on SemEval-2013's train answers, in the quality table: each question's answers
grouped as the web page groups a channel's (`evaluators.answer_groups.group_answers`, at the
model's fitted threshold, each answer's stance, grade and contradictions read from the grader's
grade of it), with the teachers' labels as the truth a group should share.

Per corpus: the share of answers that share their group's majority label (3-way, and 2-way), the
share of answers in a group of two or more (every answer alone would be trivially pure), the
answers per group, and the share of answers in a group that holds both a non-answer and an
attempt (none, by construction: the row says so of the real data)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from evaluators.answer_groups import Stance, group_answers, not_opposed, same_meaning
from evaluators.embedding.identity import identify
from evaluators.fitting.rows import external_prompt
from tools.fitting.group_threshold import SPLIT
from tools.quality.quality_run import QualityRun
from tools.quality.quality_semeval_answers import Answer, Part
from tools.quality.quality_stats import Indices
from tools.quality.quality_table import Figure
from tools.quality.report import RowResult


@dataclass(frozen=True)
class Placed:
    """Each answer's figures in its group, in the answers' order."""

    pure: np.ndarray
    """It shares its group's 3-way majority label."""
    pure_2way: np.ndarray
    grouped: np.ndarray
    """Its group holds two answers or more."""
    share_of_group: np.ndarray
    """1 / its group's size: the groups among any answers are the sum of theirs."""
    mixed: np.ndarray
    """Its group holds a non-answer and an attempt."""


def placed(
    answers: Sequence[Answer],
    results: Sequence[RowResult],
    vectors: np.ndarray,
    threshold: float,
) -> Placed:
    """The answers of each question grouped at `threshold`, as the page groups them."""
    count = len(answers)
    pure, pure_2way, grouped, share, mixed = (np.zeros(count) for _ in range(5))
    by_question: dict[str, list[int]] = {}
    for place, answer in enumerate(answers):
        by_question.setdefault(answer.qid, []).append(place)
    for places in by_question.values():
        first = answers[places[0]].row
        prompt = external_prompt(first.question, first.reference or "")
        stances = {p: Stance.of(results[p].grade.score, results[p].grade.flags) for p in places}
        groups = group_answers(
            places,
            vectors[places],
            score=lambda p: results[p].grade.score,
            threshold=threshold,
            stance=stances.__getitem__,
            may_share=not_opposed(prompt, lambda p: answers[p].row.answer),
        )
        for group in groups:
            members = list(group.members)
            three = Counter(answers[m].label_3way for m in members).most_common(1)[0][0]
            two = Counter(answers[m].correct for m in members).most_common(1)[0][0]
            kinds = {stances[m] for m in members}
            for m in members:
                pure[m] = answers[m].label_3way == three
                pure_2way[m] = answers[m].correct == two
                grouped[m] = group.size > 1
                share[m] = 1 / group.size
                mixed[m] = Stance.NON_ANSWER in kinds and len(kinds) > 1
    return Placed(pure, pure_2way, grouped, share, mixed)


def group_figures(
    run: QualityRun, answers: Sequence[Answer], results: Sequence[RowResult], corpus: str
) -> list[Figure]:
    """The train split's answers of `corpus` (`answers` and their `results`, every split)
    grouped at the model's threshold, as rows of the table."""
    train = [i for i, a in enumerate(answers) if a.split == SPLIT]
    mine = [answers[i] for i in train]
    vectors = run.embedder.encode([a.row.answer for a in mine])
    threshold = same_meaning(identify(run.embedder))
    found = placed(mine, [results[i] for i in train], vectors, threshold)
    part = Part.of(mine, corpus, SPLIT, ("groups", f"answer groups at {threshold:g}"))

    def mean(values: np.ndarray) -> Callable[[Indices], float]:
        return lambda rows: float(values[rows].mean())

    return [
        part.figure(
            "purity", "share of answers sharing their group's label (3-way)", mean(found.pure)
        ),
        part.figure(
            "purity_2way",
            "share of answers sharing their group's label (2-way)",
            mean(found.pure_2way),
        ),
        part.figure("grouped", "share of answers in groups of 2 or more", mean(found.grouped)),
        part.figure(
            "size",
            "answers per group",
            lambda rows: len(rows) / float(found.share_of_group[rows].sum()),
        ),
        part.figure(
            "mixed", "share of answers in a group of non-answers and attempts", mean(found.mixed)
        ),
    ]
