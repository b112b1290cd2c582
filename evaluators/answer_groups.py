"""Answers grouped by meaning: agglomerative clustering with average linkage over the cosine
similarity of their sentence vectors, stopped where no two groups are similar enough on average.

Average linkage keeps a group from growing by a chain of near neighbours (single linkage's
fault) without making one outlier split a group (complete linkage's); a threshold rather than a
group count lets a question with one common answer show one group. The threshold is the
embedding model's own (`same_meaning`): cosines have another scale on every model.

A group is graded at once, so it must be safe to. Answers of another `Stance` never share one: a
non-answer ("hello", "I don't know", noise: a rule of `NON_ANSWER` fired and it scored no more
than `NON_ANSWER_MOST`) is never grouped with an attempt, and the non-answers make one group of
their own, however unlike their words; an answer the grader read as reversed (`Flag.REVERSED`)
never shares one with an answer it did not. Two answers whose current grades are more than
`MAX_GRADE_GAP` apart never share one, however alike they read (three answers graded 99, 93 and
20 by the grader are two groups, not one an admin would give a single grade). A caller may add
its own pairwise rule (`may_share`: the grader reading two answers as contradicting each other).
Each group is shown by the answer nearest its median grade (of those, the one closest to all the
others: a real answer, unlike a centroid) and the spread of its grades, so an admin grades the
groups that matter first: the largest, and among equal ones the most uncertain (the widest
spread: the grader scored alike answers unalike).

Both the bot (the web page's groups, the digest) and the harness (`quizmaster eval groups`, the
fit of `same_meaning`) group with this module, so what is measured is what admins see.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, Generic, TypeVar

import numpy as np
import numpy.typing as npt

from content.schema import Prompt
from evaluators.embedding.identity import ModelIdentity
from evaluators.grade import Flag, contradicts, is_non_answer
from evaluators.same_meaning_file import SameMeaningFile, ThresholdEntry
from evaluators.strict_files import read_strict
from evaluators.whole_files import replacing

T = TypeVar("T")

SAME_MEANING_PATH = Path(__file__).with_name("same_meaning.json")
"""Each embedding model's fitted threshold, by its identity's key
(`tools.fitting.group_threshold`, `quizmaster eval groups --fit`)."""
MAX_GRADE_GAP = 40
"""The most two answers of one group may differ in their current grades: within it, one grade
for all moves none of them by more than the grader's own disagreement with itself on alike
answers; beyond it, the group hides an answer the grader read as another kind of answer."""


class Stance(Enum):
    """What an answer is, as the grader read it: answers of two stances never share a group."""

    NON_ANSWER = "non_answer"
    REVERSED = "reversed"
    ATTEMPT = "attempt"

    @classmethod
    def of(cls, score: int, flags: Collection[str]) -> Stance:
        """The stance of an answer graded `score` with `flags` (the stored flags' names)."""
        if is_non_answer(score, flags):
            return cls.NON_ANSWER
        return cls.REVERSED if Flag.REVERSED.value in flags else cls.ATTEMPT


def same_meaning(identity: ModelIdentity, path: Path = SAME_MEANING_PATH) -> float:
    """The average cosine at which two groups of answers are one meaning on the model of
    `identity`: its fitted threshold (`path`), or, for a model none was fitted on, the strictest
    fitted one: an unknown model's groups are then smaller, never mixed on its account. Raises
    `RefusedFileError` naming the field when the file is not its strict model's."""
    fitted = _fitted(path)
    found = fitted.get(identity.key)
    if found is not None:
        return found.threshold
    return max(entry.threshold for entry in fitted.values())


def save_same_meaning(
    identity: ModelIdentity,
    threshold: float,
    fitted_on: Mapping[str, Any],
    path: Path = SAME_MEANING_PATH,
) -> None:
    """`threshold` recorded as the model's, with what it was fitted on; other models' kept."""
    kept = _fitted(path) if path.is_file() else {}
    fitted = {key: entry.model_dump(exclude_none=True) for key, entry in kept.items()}
    fitted[identity.key] = {
        "identity": identity.as_dict(),
        "threshold": round(threshold, 4),
        "fitted_on": dict(fitted_on),
    }
    text = json.dumps(dict(sorted(fitted.items())), indent=1, ensure_ascii=False) + "\n"
    SameMeaningFile.model_validate_json(text)  # never writes what `same_meaning` would refuse
    with replacing(path) as temporary:
        temporary.write_text(text, encoding="utf-8")


def _fitted(path: Path) -> dict[str, ThresholdEntry]:
    return read_strict(path, SameMeaningFile).root


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
    threshold: float,
    *,
    may_share: Callable[[int, int], bool] | None = None,
    merges: list[tuple[int, int, float]] | None = None,
) -> list[list[int]]:
    """Indexes of `vectors` in groups, each group's in the order given (average linkage over
    cosine similarity, merged while the closest two groups reach `threshold`). Two groups with
    a pair of members `may_share` refuses are never merged: the next closest pair is tried.
    `merges`, when given, gets each merge as it is made: the two groups (by their first
    member) and their average similarity. Without `may_share` the merges do not depend on the
    threshold, which only stops them: one run at the lowest threshold gives the groups at every
    threshold (`tools.fitting.group_threshold` tries many).

    Each step merges the closest pair, the first in row order among equals. Each group's
    closest other group is kept (`nearest`), so a step updates the merged group's row and the
    rows whose closest it was, not the whole matrix: a thousand answers take well under a
    second, not the minute that recomputing every average at every step took."""
    count = len(vectors)
    if count == 0:
        return []
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    unit = vectors / np.where(norms == 0, 1.0, norms)
    # between[a, b]: the sum of similarities between the members of groups a and b
    between = (unit @ unit.T).astype(np.float64)
    np.fill_diagonal(between, -np.inf)
    # average[a, b]: their average similarity; -inf for a merged-away group, a group and
    # itself, and two groups `may_share` keeps apart
    average = between.copy()
    sizes = np.ones(count, dtype=np.float64)
    alive = np.ones(count, dtype=bool)
    # apart[a, b]: groups a and b hold two members that may not share a group (it stays so as
    # they grow, since a group only gains members)
    apart = np.zeros((count, count), dtype=bool)
    nearest = np.argmax(average, axis=1)
    closest = average[np.arange(count), nearest]
    groups: dict[int, list[int]] = {i: [i] for i in range(count)}

    def renew(rows: npt.NDArray[np.intp]) -> None:
        nearest[rows] = np.argmax(average[rows], axis=1)
        closest[rows] = average[rows, nearest[rows]]

    while len(groups) > 1:
        a = int(np.argmax(closest))
        b = int(nearest[a])
        if closest[a] < threshold:
            break
        keep, gone = (a, b) if a < b else (b, a)
        if may_share is not None and not all(
            may_share(i, j) for i in groups[keep] for j in groups[gone]
        ):
            apart[keep, gone] = apart[gone, keep] = True
            average[keep, gone] = average[gone, keep] = -np.inf
            renew(np.array([keep, gone]))
            continue
        if merges is not None:
            merges.append((keep, gone, float(closest[a])))
        groups[keep] = sorted(groups[keep] + groups.pop(gone))
        apart[keep, :] |= apart[gone, :]
        apart[:, keep] |= apart[:, gone]
        between[keep, :] += between[gone, :]
        between[:, keep] += between[:, gone]
        between[keep, keep] = -np.inf
        alive[gone] = False
        between[gone, :] = between[:, gone] = -np.inf
        sizes[keep] += sizes[gone]
        sizes[gone] = 0.0
        row = between[keep] / np.maximum(sizes[keep] * sizes, 1.0)
        row[~alive | apart[keep]] = -np.inf
        row[keep] = -np.inf
        average[keep, :] = average[:, keep] = row
        average[gone, :] = average[:, gone] = -np.inf
        closest[gone] = -np.inf
        # Rows whose closest group was one of the two look again; any other row's closest
        # is the merged group now only if it beats (or ties, earlier) the closest it had.
        lost = np.flatnonzero(alive & ((nearest == keep) | (nearest == gone)))
        gained = alive & ((row > closest) | ((row == closest) & (keep < nearest)))
        gained[lost] = False
        nearest[gained] = keep
        closest[gained] = row[gained]
        renew(np.append(lost, keep))
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
    threshold: float,
    stance: Callable[[T], Stance] | None = None,
    may_share: Callable[[T, T], bool] | None = None,
) -> list[AnswerGroup[T]]:
    """`answers` (one vector each, in order) grouped by meaning at `threshold`: the
    non-answers in one group of their own, the other answers each with answers of their
    `stance` only (all attempts, without one), never two graded more than `MAX_GRADE_GAP` apart
    nor two `may_share` refuses; the largest groups first and, among groups of one size, the
    widest spread of grades; ties keep the answers' order."""
    scores = [score(a) for a in answers]
    stances = [Stance.ATTEMPT if stance is None else stance(a) for a in answers]

    def allowed(i: int, j: int) -> bool:
        close = abs(scores[i] - scores[j]) <= MAX_GRADE_GAP
        return close and (may_share is None or may_share(answers[i], answers[j]))

    def grouped(places: list[int]) -> list[list[int]]:
        """The groups of the answers at `places`, by place."""

        def within(i: int, j: int) -> bool:
            return allowed(places[i], places[j])

        found = clusters(vectors[places], threshold, may_share=within)
        return [[places[m] for m in members] for members in found]

    found: list[list[int]] = []
    for kind in Stance:
        places = [i for i, s in enumerate(stances) if s is kind]
        if kind is Stance.NON_ANSWER:
            found += [places] if places else []
        elif places:
            found += grouped(places)
    groups = []
    for members in sorted(found, key=min):
        ordered = representative_first(members, vectors, scores)
        shown = [scores[i] for i in ordered]
        groups.append(AnswerGroup(tuple(answers[i] for i in ordered), min(shown), max(shown)))
    return sorted(groups, key=lambda g: (-g.size, -g.spread))
