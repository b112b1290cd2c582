"""The teaching protocol: which answers a team should grade first, and grading the rest with
those grades as evidence.

`quizmaster eval teach ANSWERS.jsonl --ask K` names, for each question, the K answers that best
represent its answers: greedy k-medoids on their embeddings (`representatives`). The kernel of
`evaluators.taught` corrects an answer in proportion to how near a graded answer is, so the
picks that put a graded answer near the most answers help most; farthest-first (k-center), which
covers the outliers first, did worse on Mohler's dev half (K = 5, Pearson on the other
answers with the fitted kernel: a gain of 0.014 over the grader alone against 0.023). The rule
reads no scores, so the file may have none: the team grades the picks.
`--ask-random SEED` picks K at random instead, the baseline the rule is measured against."""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from content.bank import normalize_question
from content.schema import Prompt
from evaluators.embedding.vectors import Matrix
from evaluators.fitting.rows import Row, answer_field, read_jsonl, text_field
from evaluators.taught import TeamGrade


@dataclass(frozen=True)
class Answer:
    """One answer to ask about: its question (and reference, for external data), its text, and
    the line it came from, written back unchanged when it is picked."""

    question: str
    answer: str
    reference: str | None
    line: str


def _answer(data: dict[str, Any], line: str) -> Answer:
    return Answer(
        question=text_field(data, "question"),
        answer=answer_field(data),
        reference=text_field(data, "reference") if data.get("reference") else None,
        line=line,
    )


def read_answers(path: Path) -> list[Answer]:
    """Answers of a jsonl file: `question`, `answer` and optional `reference`; any score is
    neither required nor read."""
    return read_jsonl(path, _answer)


def by_prompt(prompts: Sequence[Prompt]) -> dict[str, list[int]]:
    """Indices of the items answering each prompt, in file order."""
    groups: dict[str, list[int]] = {}
    for index, prompt in enumerate(prompts):
        groups.setdefault(prompt.id, []).append(index)
    return groups


def representatives(vectors: Matrix, k: int) -> list[int]:
    """Greedy k-medoids (facility location) on unit vectors: each pick is the answer that most
    raises the sum, over all answers, of the cosine with their nearest pick. The first pick is
    the most typical answer, later ones the centres of the groups still far from every pick; the
    greedy choice is within (1 - 1/e) of the best sum. Ties go to the earlier row, so the choice
    is deterministic."""
    n = vectors.shape[0]
    if k <= 0:
        return []
    if k >= n:
        return list(range(n))
    sims = vectors @ vectors.T
    covered = np.full(n, -1.0, dtype=np.float32)
    picked: list[int] = []
    for _ in range(k):
        gain = np.maximum(sims, covered[None, :]).sum(axis=1)
        gain[picked] = -np.inf
        best = int(np.argmax(gain))
        picked.append(best)
        covered = np.maximum(covered, sims[best])
    return picked


def choose(
    prompts: Sequence[Prompt], vectors: Matrix, k: int, *, seed: int | None = None
) -> list[int]:
    """Indices of the answers to ask about, K per prompt (all of a prompt's answers when it has
    K or fewer): representatives on `vectors`, or at random with `seed`."""
    rng = random.Random(seed)
    chosen: list[int] = []
    for members in by_prompt(prompts).values():
        if seed is not None:
            picks = rng.sample(members, min(k, len(members)))
        else:
            picks = [members[i] for i in representatives(vectors[members], k)]
        chosen += sorted(picks)
    return sorted(chosen)


def team_grades(rows: Sequence[Row], prompts: Sequence[Prompt]) -> dict[str, list[TeamGrade]]:
    """Graded rows as team grades on 0-100, by prompt id."""
    grades: dict[str, list[TeamGrade]] = {}
    for row, prompt in zip(rows, prompts, strict=True):
        score = round(100 * row.score / row.score_max)
        grades.setdefault(prompt.id, []).append(TeamGrade(prompt.id, row.answer, score))
    return grades


def _key(question: str, answer: str) -> tuple[str, str]:
    return normalize_question(question), answer.strip()


def untaught(rows: Sequence[Row], taught: Iterable[Row]) -> list[Row]:
    """The rows whose answer the team did not grade: the only ones a measurement with team
    grades may count, since a taught answer's own grade is handed to the grader."""
    known = {_key(r.question, r.answer) for r in taught}
    return [r for r in rows if _key(r.question, r.answer) not in known]
