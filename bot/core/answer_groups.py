"""Answers grouped by meaning: agglomerative clustering with average linkage over the cosine
similarity of their sentence vectors, stopped where no two groups are similar enough on average.

Average linkage keeps a group from growing by a chain of near neighbours (single linkage's
fault) without making one outlier split a group (complete linkage's); a threshold rather than a
group count lets a question with one common answer show one group.

A group is graded at once, so it must be safe to: two answers whose current grades are more than
`MAX_GRADE_GAP` apart never share one, however alike they read (three answers graded 99, 93 and
20 by the grader are two groups, not one an admin would give a single grade). A caller may add
its own pairwise rule (`may_share`: the grader reading two answers as contradicting each other).
Each group is shown by the answer nearest its median grade (of those, the one closest to all the
others: a real answer, unlike a centroid) and the spread of its grades, so an admin grades the
groups that matter first: the largest, and among equal ones the most uncertain (the widest
spread: the grader scored alike answers unalike).
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np
import numpy.typing as npt

from content.schema import Prompt
from evaluators.grade import contradicts

T = TypeVar("T")

SAME_MEANING = 0.6
"""The average cosine similarity at which two groups are one. Measured on the bundled
all-MiniLM-L6-v2: paraphrases of one idea score about 0.65-0.8, different ideas on one topic
0.2-0.35; a model whose unrelated texts already score high (e5) needs a higher bar."""
MAX_GRADE_GAP = 40
"""The most two answers of one group may differ in their current grades: within it, one grade
for all moves none of them by more than the grader's own disagreement with itself on alike
answers; beyond it, the group hides an answer the grader read as another kind of answer."""


@dataclass(frozen=True)
class AnswerGroup(Generic[T]):
    """Answers that say the same thing: the medoid first among `members`."""

    members: tuple[T, ...]
    low: int
    high: int

    @property
    def representative(self) -> T:
        return self.members[0]

    @property
    def size(self) -> int:
        return len(self.members)

    @property
    def spread(self) -> int:
        return self.high - self.low


def clusters(
    vectors: npt.NDArray[np.float32],
    threshold: float = SAME_MEANING,
    *,
    may_share: Callable[[int, int], bool] | None = None,
) -> list[list[int]]:
    """Indexes of `vectors` in groups, each group's in the order given (average linkage over
    cosine similarity, merged while the closest two groups reach `threshold`). Two groups with
    a pair of members `may_share` refuses are never merged: the next closest pair is tried."""
    count = len(vectors)
    if count == 0:
        return []
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    unit = vectors / np.where(norms == 0, 1.0, norms)
    similarity = (unit @ unit.T).astype(np.float64)
    groups: dict[int, list[int]] = {i: [i] for i in range(count)}
    # between[a, b]: the sum of similarities between the members of groups a and b
    between = similarity.copy()
    np.fill_diagonal(between, -np.inf)
    alive = np.ones(count, dtype=bool)
    # apart[a, b]: groups a and b hold two members that may not share a group (it stays so as
    # they grow, since a group only gains members)
    apart = np.zeros((count, count), dtype=bool)
    while len(groups) > 1:
        sizes = np.array([len(groups.get(i, ())) for i in range(count)], dtype=np.float64)
        average = between / np.maximum(np.outer(sizes, sizes), 1.0)
        average[~alive, :] = -np.inf
        average[:, ~alive] = -np.inf
        average[apart] = -np.inf
        np.fill_diagonal(average, -np.inf)
        a, b = np.unravel_index(int(np.argmax(average)), average.shape)
        if average[a, b] < threshold:
            break
        keep, gone = (int(a), int(b)) if a < b else (int(b), int(a))
        if may_share is not None and not all(
            may_share(i, j) for i in groups[keep] for j in groups[gone]
        ):
            apart[keep, gone] = apart[gone, keep] = True
            continue
        groups[keep] = sorted(groups[keep] + groups.pop(gone))
        apart[keep, :] |= apart[gone, :]
        apart[:, keep] |= apart[:, gone]
        between[keep, :] += between[gone, :]
        between[:, keep] += between[:, gone]
        between[keep, keep] = -np.inf
        alive[gone] = False
        between[gone, :] = -np.inf
        between[:, gone] = -np.inf
    return [groups[i] for i in sorted(groups)]


def representative_first(
    members: list[int], vectors: npt.NDArray[np.float32], scores: Sequence[int]
) -> list[int]:
    """`members` with the one whose grade is nearest the group's median first (of those, the
    one most similar to all the others): the answer a grade for the whole group is a grade of."""
    if len(members) < 2:
        return members
    chosen = vectors[members]
    norms = np.linalg.norm(chosen, axis=1, keepdims=True)
    unit = chosen / np.where(norms == 0, 1.0, norms)
    closeness = (unit @ unit.T).sum(axis=1)
    median = statistics.median(scores[m] for m in members)
    best = min(
        range(len(members)),
        key=lambda k: (abs(scores[members[k]] - median), -closeness[k], k),
    )
    return [members[best], *(m for k, m in enumerate(members) if k != best)]


def not_opposed(prompt: Prompt | None, text: Callable[[T], str]) -> Callable[[T, T], bool] | None:
    """A `may_share` rule: two answers to `prompt` may share a group unless the grader reads
    them as saying the opposite of each other (`evaluators.grade.contradicts`); None (every
    pair may) for a question no longer in the bank."""
    if prompt is None:
        return None
    return lambda first, second: not contradicts(prompt, text(first), text(second))


def group_answers(
    answers: Sequence[T],
    vectors: npt.NDArray[np.float32],
    *,
    score: Callable[[T], int],
    threshold: float = SAME_MEANING,
    may_share: Callable[[T, T], bool] | None = None,
) -> list[AnswerGroup[T]]:
    """`answers` (one vector each, in order) grouped by meaning, never two graded more than
    `MAX_GRADE_GAP` apart nor two `may_share` refuses; the largest groups first and, among
    groups of one size, the widest spread of grades; ties keep the answers' order."""
    scores = [score(a) for a in answers]

    def allowed(i: int, j: int) -> bool:
        close = abs(scores[i] - scores[j]) <= MAX_GRADE_GAP
        return close and (may_share is None or may_share(answers[i], answers[j]))

    groups = []
    for members in clusters(vectors, threshold, may_share=allowed):
        ordered = representative_first(members, vectors, scores)
        shown = [scores[i] for i in ordered]
        groups.append(AnswerGroup(tuple(answers[i] for i in ordered), min(shown), max(shown)))
    return sorted(groups, key=lambda g: (-g.size, -g.spread))
