"""Answers grouped by meaning: agglomerative clustering with average linkage over the cosine
similarity of their sentence vectors, stopped where no two groups are similar enough on average.

Average linkage keeps a group from growing by a chain of near neighbours (single linkage's
fault) without making one outlier split a group (complete linkage's); a threshold rather than a
group count lets a question with one common answer show one group. Each group is shown by its
medoid (the member closest to all the others, a real answer, unlike a centroid) and the spread
of its current grades, so an admin grades the groups that matter first: the largest, and among
equal ones the most uncertain (the widest spread: the grader scored alike answers unalike).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np
import numpy.typing as npt

T = TypeVar("T")

SAME_MEANING = 0.6
"""The average cosine similarity at which two groups are one. Measured on the bundled
all-MiniLM-L6-v2: paraphrases of one idea score about 0.65-0.8, different ideas on one topic
0.2-0.35; a model whose unrelated texts already score high (e5) needs a higher bar."""


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


def clusters(vectors: npt.NDArray[np.float32], threshold: float = SAME_MEANING) -> list[list[int]]:
    """Indexes of `vectors` in groups, each group's in the order given (average linkage over
    cosine similarity, merged while the closest two groups reach `threshold`)."""
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
    while len(groups) > 1:
        sizes = np.array([len(groups.get(i, ())) for i in range(count)], dtype=np.float64)
        average = between / np.maximum(np.outer(sizes, sizes), 1.0)
        average[~alive, :] = -np.inf
        average[:, ~alive] = -np.inf
        np.fill_diagonal(average, -np.inf)
        a, b = np.unravel_index(int(np.argmax(average)), average.shape)
        if average[a, b] < threshold:
            break
        keep, gone = (int(a), int(b)) if a < b else (int(b), int(a))
        groups[keep] = sorted(groups[keep] + groups.pop(gone))
        between[keep, :] += between[gone, :]
        between[:, keep] += between[:, gone]
        between[keep, keep] = -np.inf
        alive[gone] = False
        between[gone, :] = -np.inf
        between[:, gone] = -np.inf
    return [groups[i] for i in sorted(groups)]


def medoid_first(members: list[int], vectors: npt.NDArray[np.float32]) -> list[int]:
    """`members` with the one most similar to all the others first."""
    if len(members) < 3:
        return members
    chosen = vectors[members]
    norms = np.linalg.norm(chosen, axis=1, keepdims=True)
    unit = chosen / np.where(norms == 0, 1.0, norms)
    best = members[int(np.argmax((unit @ unit.T).sum(axis=1)))]
    return [best, *(m for m in members if m != best)]


def group_answers(
    answers: Sequence[T],
    vectors: npt.NDArray[np.float32],
    *,
    score: Callable[[T], int],
    threshold: float = SAME_MEANING,
) -> list[AnswerGroup[T]]:
    """`answers` (one vector each, in order) grouped by meaning, the largest groups first and,
    among groups of one size, the widest spread of grades; ties keep the answers' order."""
    groups = []
    for members in clusters(vectors, threshold):
        ordered = [answers[i] for i in medoid_first(members, vectors)]
        scores = [score(a) for a in ordered]
        groups.append(AnswerGroup(tuple(ordered), min(scores), max(scores)))
    return sorted(groups, key=lambda g: (-g.size, -g.spread))
