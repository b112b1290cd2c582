"""The answer groups' threshold (`evaluators.answer_groups.same_meaning`) fitted per embedding
model on real answers whose labels are known: SemEval-2013's `train` split (Beetle and
SciEntsBank: students' answers to science questions, each labelled correct, contradictory or
incorrect by teachers; `semeval2013_dev.jsonl` in the shared data, not shipped).

Each question's answers are grouped by their vectors alone (`clusters`, as the page groups
them before the grader's stances, grade gaps and contradictions split them further) at every
threshold of the grid (one run of the clustering per question: the threshold only stops its
merges). The purity is the share of answers that share their group's majority label (3-way).
Every answer alone would be trivially pure, so the fit keeps the threshold that puts the most
answers in groups of two or more while the purity stays at least `PURITY_FLOOR` in each corpus
(Beetle's short circuit answers, near in words and opposite in label, need a higher bar than
the pooled answers would set): what an admin grades at once is then nine times in ten one kind
of answer, and as many answers as that allows are graded in groups. Cosines have another scale
on every model (unrelated answers score 0.2 on all-MiniLM-L6-v2, 0.75 on
multilingual-e5-small), so each model is fitted its own, recorded under its identity."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from evaluators.answer_groups import clusters, save_same_meaning
from evaluators.embedding.identity import identify
from evaluators.embedding.vectors import EmbeddingModel, Matrix
from evaluators.fitting.rows import answer_field, read_jsonl

SEMEVAL_FILE = "semeval2013_dev.jsonl"
SPLIT = "train"
PURITY_FLOOR = 0.9
"""The share of answers that must share their group's majority label (issue 69's target)."""
COARSE = tuple(round(0.30 + 0.01 * step, 4) for step in range(70))
"""Thresholds tried first (0.30-0.99), wide enough for every model's scale."""
FINE_STEP = 0.0025


@dataclass(frozen=True)
class Question:
    """One question's answers: their vectors, in order, and each one's label."""

    corpus: str
    qid: str
    vectors: Matrix
    labels: tuple[str, ...]


@dataclass(frozen=True)
class Grouping:
    """What grouping every question's answers at `threshold` gives."""

    threshold: float
    answers: int
    groups: int
    purity: float
    """The share of answers that share their group's majority label."""
    grouped: float
    """The share of answers in a group of two or more."""
    lowest_purity: float
    """The purity of the corpus where it is lowest."""

    @property
    def mean_size(self) -> float:
        return self.answers / self.groups if self.groups else 0.0


def grouping_of(
    threshold: float, questions: Sequence[Question], groups: Sequence[Sequence[Sequence[int]]]
) -> Grouping:
    """The figures of groups made per question (`groups[q]`: lists of places in question q)."""
    answers = grouped = count = 0
    pure: Counter[str] = Counter()
    size: Counter[str] = Counter()
    for question, found in zip(questions, groups, strict=True):
        for members in found:
            count += 1
            answers += len(members)
            size[question.corpus] += len(members)
            shared = Counter(question.labels[m] for m in members).most_common(1)[0][1]
            pure[question.corpus] += shared
            grouped += len(members) if len(members) > 1 else 0
    return Grouping(
        threshold=threshold,
        answers=answers,
        groups=count,
        purity=sum(pure.values()) / answers if answers else 1.0,
        grouped=grouped / answers if answers else 0.0,
        lowest_purity=min((pure[c] / size[c] for c in size), default=1.0),
    )


def grouping_at(questions: Sequence[Question], threshold: float) -> Grouping:
    return grouping_of(threshold, questions, [clusters(q.vectors, threshold) for q in questions])


def _merged(
    count: int, merges: Sequence[tuple[int, int, float]], threshold: float
) -> list[list[int]]:
    """The groups `clusters` gives at `threshold`: its merges up to the first below it."""
    owner = list(range(count))
    for keep, gone, similarity in merges:
        if similarity < threshold:
            break
        owner = [keep if o == gone else o for o in owner]
    found: dict[int, list[int]] = {}
    for place, group in enumerate(owner):
        found.setdefault(group, []).append(place)
    return list(found.values())


@dataclass(frozen=True)
class ThresholdFit:
    """The chosen threshold's figures, and every threshold tried (in the order tried)."""

    chosen: Grouping
    tried: tuple[Grouping, ...]

    def fitted_on(self, data: str) -> dict[str, Any]:
        """What `same_meaning.json` records of the fit beside the threshold."""
        return {
            "data": data,
            "objective": f"most answers in groups of 2+, purity >= {PURITY_FLOOR} (3-way) in "
            "each corpus",
            **{
                k: round(v, 4) if isinstance(v, float) else v
                for k, v in asdict(self.chosen).items()
            },
        }


def fit_threshold(questions: Sequence[Question]) -> ThresholdFit:
    """The threshold with the most answers grouped at a purity of at least `PURITY_FLOOR` in
    every corpus: the coarse grid first, then steps of `FINE_STEP` around its best. A
    ValueError when no threshold is pure enough (the labels disagree with any grouping)."""
    merges: list[list[tuple[int, int, float]]] = []
    for question in questions:
        merges.append([])
        clusters(question.vectors, -np.inf, merges=merges[-1])

    def at(threshold: float) -> Grouping:
        return grouping_of(
            threshold,
            questions,
            [_merged(len(q.labels), m, threshold) for q, m in zip(questions, merges, strict=True)],
        )

    tried = [at(t) for t in COARSE]
    best = _best(tried)
    fine = np.arange(best.threshold - 0.01 + FINE_STEP, best.threshold + 0.01, FINE_STEP)
    known = {g.threshold for g in tried}
    tried += [at(t) for t in (round(float(t), 4) for t in fine) if t not in known]
    return ThresholdFit(chosen=_best(tried), tried=tuple(tried))


def _best(tried: Sequence[Grouping]) -> Grouping:
    pure = [g for g in tried if g.lowest_purity >= PURITY_FLOOR]
    if not pure:
        raise ValueError(f"no threshold groups the answers at a purity of {PURITY_FLOOR}")
    return max(pure, key=lambda g: (g.grouped, g.threshold))


@dataclass(frozen=True)
class LabelledAnswer:
    corpus: str
    qid: str
    answer: str
    label: str


def _labelled(data: dict[str, Any], _line: str) -> LabelledAnswer | None:
    if data["split"] != SPLIT:
        return None
    return LabelledAnswer(
        corpus=str(data["corpus"]),
        qid=str(data["qid"]),
        answer=answer_field(data),
        label=str(data["label_3way"]),
    )


def semeval_answers(path: Path) -> list[LabelledAnswer]:
    """The `train` split's answers of `semeval2013_dev.jsonl`, in the file's order."""
    return [a for a in read_jsonl(path, _labelled) if a is not None]


def semeval_questions(embedder: EmbeddingModel, path: Path) -> list[Question]:
    """Each train question's answers, encoded by `embedder` in one call."""
    answers = semeval_answers(path)
    vectors = embedder.encode([a.answer for a in answers])
    places: dict[tuple[str, str], list[int]] = {}
    for place, answer in enumerate(answers):
        places.setdefault((answer.corpus, answer.qid), []).append(place)
    return [
        Question(
            corpus=corpus,
            qid=qid,
            vectors=vectors[mine],
            labels=tuple(answers[i].label for i in mine),
        )
        for (corpus, qid), mine in places.items()
    ]


def fit_same_meaning(embedder: EmbeddingModel, data: Path, *, save: bool = True) -> ThresholdFit:
    """`embedder`'s threshold fitted on SemEval-2013's train split in the folder `data`, and
    (with `save`) recorded as its model's (`evaluators/same_meaning.json`)."""
    fit = fit_threshold(semeval_questions(embedder, data / SEMEVAL_FILE))
    if save:
        save_same_meaning(
            identify(embedder), fit.chosen.threshold, fit.fitted_on(f"{SEMEVAL_FILE}, {SPLIT}")
        )
    return fit
