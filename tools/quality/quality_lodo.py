"""Leave-one-data-set-out rows of the quality table: for the dev set, SemEval, Korean science and
Mohler, every fitted part (`fitting.fitted_parts`) fitted on the train parts of the other data
sets only, and measured on the left-out data set's test part (`fitting.train_data`), beside the
same figure with every data set's train part in the fit. The left-out figure is what a new
team's questions meet: nothing fitted has seen their data set, nor a choice made while watching
it. Each data set's figure is the one its own rows report: the dev lockbox's Spearman, SemEval's
AUC against the 2-way label, Korean science's and Mohler's Pearson against the share of marks.

Every answer is measured once (vectors from the table's cache), then each fit is a few seconds.
The run also prints, for each data set, the left-out figure with each fitted rule or head taken
out of the calibration, and the change with its interval over questions: whether it earns its
place on data it was not fitted on."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from evaluators.calibration import Calibration
from evaluators.fitting.calibration_fit import measure_dev
from evaluators.fitting.correlation import pearson, spearman
from evaluators.fitting.cross_validation import scored_fraction
from evaluators.fitting.fitted_parts import fit_parts
from evaluators.fitting.samples import Sample
from evaluators.fitting.train_data import DataSetSamples, TrainData
from evaluators.measuring import AnswerMeasurer
from evaluators.rules.evidence_gate import EvidenceGate
from evaluators.rules.sibling import SiblingRule
from tools.quality.quality_run import QualityRun
from tools.quality.quality_stats import Indices, auc, estimate, question_groups
from tools.quality.quality_table import Figure, measured
from tools.quality.shared_train import measure_shared

Statistic = Callable[[NDArray[np.float64], NDArray[np.float64]], float]
"""A figure from grades (0-1) and people's share of marks, on the same rows."""


def _auc(grades: NDArray[np.float64], people: NDArray[np.float64]) -> float:
    return auc(grades, people >= 1.0)


@dataclass(frozen=True)
class Measure:
    """How one data set's rows report it: the figure's slug, the rows measured, the figure's
    name, and the statistic."""

    slug: str
    rows: str
    name: str
    statistic: Statistic


MEASURES: dict[str, Measure] = {
    "dev": Measure("spearman", "dev set lockbox", "Spearman, grade vs score", spearman),
    "semeval": Measure("auc", "SemEval test-unseen-answers", "AUC, grade vs the 2-way label", _auc),
    "korean": Measure(
        "pearson", "Korean science test questions", "Pearson, grade vs score / score_max", pearson
    ),
    "mohler": Measure("pearson", "Mohler test questions", "Pearson, grade vs score", pearson),
}


def _without_other_language(calibration: Calibration) -> Calibration:
    heads = {k: v for k, v in calibration.heads.items() if k != "other_language"}
    return replace(calibration, heads=heads)


ABLATIONS: dict[str, Callable[[Calibration], Calibration]] = {
    "off-topic rule": lambda c: replace(c, off_topic={}),
    "evidence gate": lambda c: replace(c, evidence=dict.fromkeys(c.heads, EvidenceGate())),
    "sibling rule": lambda c: replace(c, siblings=SiblingRule()),
    "other_language head": _without_other_language,
}
"""Each fitted rule or head taken out of a calibration: what the left-out figure is without it."""


class _Scored:
    """One data set's test answers graded by calibrations, beside people's shares."""

    def __init__(self, data_set: DataSetSamples) -> None:
        self.samples: Sequence[Sample] = data_set.test
        self.people = np.array([s.target for s in self.samples], dtype=np.float64)
        self.questions = [s.group for s in self.samples]
        self.measure = MEASURES[data_set.name]

    def grades(self, calibration: Calibration) -> NDArray[np.float64]:
        return np.array([scored_fraction(s, calibration) for s in self.samples])

    def statistic(self, grades: NDArray[np.float64]) -> Callable[[Indices], float]:
        return lambda rows: self.measure.statistic(grades[rows], self.people[rows])


async def measure_all(run: QualityRun) -> TrainData:
    """The dev set and the shared data sets there, every answer measured once."""
    measurer = AnswerMeasurer(run.embedder, cache_dir=run.cache_dir)
    try:
        sets = [await measure_dev(measurer), *await measure_shared(measurer, run.data)]
    finally:
        await measurer.aclose()
    return TrainData(tuple(sets))


async def lodo(run: QualityRun) -> list[Figure]:
    figures, table = left_out(await measure_all(run))
    print(table)
    return figures


def left_out(train: TrainData) -> tuple[list[Figure], str]:
    """Each data set's figure fitted with and without it, and the table of what each fitted rule
    or head adds to the left-out figure."""
    whole = fit_parts(train)
    figures: list[Figure] = []
    lines: list[str] = []
    for data_set in train.sets:
        if not data_set.test or data_set.name not in MEASURES:
            continue
        scored = _Scored(data_set)
        without = fit_parts(train.without(data_set.name))
        for slug, calibration, name, gated in (
            ("in_fit", whole, "every data set's train part in the fit", False),
            ("left_out", without, f"fitted without {data_set.name}", True),
        ):
            figures.append(
                measured(
                    key=f"lodo/{data_set.name}/{scored.measure.slug}_{slug}",
                    data_set="lodo",
                    part=f"{scored.measure.rows}, {name}",
                    name=scored.measure.name,
                    statistic=scored.statistic(scored.grades(calibration)),
                    questions=scored.questions,
                    gated=gated,
                )
            )
        lines += _ablation_lines(data_set.name, scored, without)
    return figures, _ablation_table(lines)


def _ablation_lines(name: str, scored: _Scored, calibration: Calibration) -> list[str]:
    """One Markdown line per fitted rule or head: the left-out figure with and without it, and
    the change it makes, with its interval over the data set's questions (paired resampling)."""
    groups = question_groups(scored.questions)
    with_it = scored.statistic(scored.grades(calibration))
    everything = np.arange(len(scored.samples))
    lines = []
    for part, taken_out in ABLATIONS.items():
        without = scored.statistic(scored.grades(taken_out(calibration)))
        change = estimate(_difference(with_it, without), groups)
        low = "–" if change.low is None else f"{change.low:+.3f}"
        high = "–" if change.high is None else f"{change.high:+.3f}"
        lines.append(
            f"| {name} | {part} | {with_it(everything):.3f} | {without(everything):.3f} | "
            f"{change.value:+.3f} ({low} to {high}) |"
        )
    return lines


def _difference(
    a: Callable[[Indices], float], b: Callable[[Indices], float]
) -> Callable[[Indices], float]:
    return lambda rows: a(rows) - b(rows)


def _ablation_table(lines: Sequence[str]) -> str:
    head = (
        "\nleft-out figure with and without each fitted rule or head "
        "(change: with minus without, 95% interval over questions)\n"
        "| data set left out | taken out | with | without | change |\n|---|---|---|---|---|"
    )
    return "\n".join([head, *lines])
