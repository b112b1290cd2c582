"""The shared train data every fitted number is fitted on, by data set, with the part of each data
set that no fit reads.

Each data set has a train part and a test part, fixed here so that a new answer never moves a
question between them:

- the dev set: its tuning part and its lockbox (`dev_set.LOCKBOX_PROMPTS`);
- SemEval-2013: the `train` split, and `test-unseen-answers` (the unseen-questions and
  unseen-domains splits are not in `../shared/data` at all);
- Korean science: questions 1-48 less `KOREAN_TEST_SHARE` of them by a hash of their id
  (questions 49-64 are not in `../shared/data` at all);
- Mohler: its dev half's questions less `MOHLER_TEST_SHARE` of them, the same way.

A fit pools the train parts: each head learns from every answer it scores, whichever data set it
comes from (`TrainData.samples`). `TrainData.without` leaves one data set out whole, which is what
the quality table's leave-one-data-set-out rows fit on."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from evaluators.features.feature import Profile
from evaluators.fitting.samples import Sample

KOREAN_TEST_SHARE = 0.25
MOHLER_TEST_SHARE = 0.25
SEMEVAL_TEST_SPLIT = "test-unseen-answers"


def held_out(data_set: str, question: str, share: float) -> bool:
    """Whether `question` of `data_set` is in its test part: the questions whose sha256 of
    "test:<data set>:<question>" falls in the first `share` of the hash range."""
    digest = hashlib.sha256(f"test:{data_set}:{question}".encode()).hexdigest()
    return int(digest[:8], 16) < share * 16**8


@dataclass(frozen=True)
class DataSetSamples:
    """One data set's measured answers: `train`, every way its train part is asked (the head
    that scores each is its sample's profile); `junk` made for its questions, which the evidence
    gate must shut out; `margins`, its bank's model answers given on a sibling question
    (`fitting.siblings`); and `test`, its part no fit reads."""

    name: str
    train: Sequence[Sample]
    test: Sequence[Sample] = ()
    junk: Sequence[Sample] = ()
    margins: Sequence[float] = ()


@dataclass(frozen=True)
class TrainData:
    """The data sets a fit reads, pooled by the head that scores each answer."""

    sets: tuple[DataSetSamples, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.sets)

    def samples(self, profile: Profile) -> list[Sample]:
        """Every train answer the `profile` head scores."""
        return [s for d in self.sets for s in d.train if s.profile == profile]

    def junk(self, profile: Profile) -> list[Sample]:
        return [s for d in self.sets for s in d.junk if s.profile == profile]

    @property
    def margins(self) -> list[float]:
        return [m for d in self.sets for m in d.margins]

    def get(self, name: str) -> DataSetSamples | None:
        return next((s for s in self.sets if s.name == name), None)

    def without(self, name: str) -> TrainData:
        """Every data set but `name`, left out whole (train, test and junk)."""
        return TrainData(tuple(s for s in self.sets if s.name != name))
