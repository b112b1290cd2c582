"""The one fit: every fitted part in the registry is fitted, in order, on the pooled train parts
of the data sets given, a data set left out is left out whole, and each data set's test part is
fixed by question. Answers measured by hand (`measured`), fitted by the real fitting code."""

from __future__ import annotations

from dataclasses import replace

from evaluators.calibration import Calibration
from evaluators.fitting.fitted_parts import FITTED_PARTS, FittedPart, fit_parts
from evaluators.fitting.rows import Row
from evaluators.fitting.samples import Sample
from evaluators.fitting.train_data import DataSetSamples, TrainData, held_out
from evaluators.scoring import Screening
from tests.evaluators.conftest import RELU
from tests.evaluators.measured import measured


def _sample(sim: float, score: float, *, margin: float = 0.0) -> Sample:
    row = Row(question=RELU.text.en, answer=f"an answer {sim}", score=score, score_max=1.0)
    measurement = measured(ref_sim=sim, lex_recall=sim, sibling_sim=margin)
    return Sample(row, RELU, RELU.id, Screening(text=row.answer), measurement)


def _data_set(name: str, shift: float, *, margins: tuple[float, ...] = ()) -> DataSetSamples:
    sims = [0.5 + shift + i / 40 for i in range(16)]
    return DataSetSamples(
        name,
        train=[_sample(sim, min(1.0, max(0.0, (sim - 0.5) * 2.5))) for sim in sims],
        test=[_sample(0.8, 1.0)],
        margins=margins,
    )


def test_every_part_is_fitted_in_order_and_a_new_entry_reads_what_came_before() -> None:
    train = TrainData((_data_set("a", 0.0, margins=(0.2, 0.4)), _data_set("b", 0.1)))
    seen: list[Calibration] = []

    def reads(given: TrainData, fitted: Calibration) -> Calibration:
        seen.append(fitted)
        return replace(fitted, fitted_on={"read": len(given.samples("concepts"))})

    added = FittedPart("a new part", reads, "calibration: fitted_on")
    fitted = fit_parts(train, (*FITTED_PARTS, added))
    assert set(fitted.heads) == {"concepts"}  # no answer reaches the other heads
    assert fitted.siblings.margin is not None  # from data set a's margins
    assert seen == [replace(fitted, fitted_on={})]  # every earlier part's numbers
    assert fitted.fitted_on == {"read": 32}  # both data sets' train parts, pooled


def test_a_data_set_left_out_is_left_out_whole() -> None:
    train = TrainData((_data_set("a", 0.0, margins=(0.2, 0.4)), _data_set("b", 0.1)))
    without = train.without("a")
    assert without.names == ("b",)
    assert len(without.samples("concepts")) == 16
    assert without.margins == []
    assert fit_parts(without).siblings.margin is None
    assert fit_parts(without).heads["concepts"] != fit_parts(train).heads["concepts"]


def test_a_data_sets_test_part_is_fixed_by_question_and_about_its_share() -> None:
    questions = [f"question {i}" for i in range(400)]
    held = [q for q in questions if held_out("mohler", q, 0.25)]
    assert 70 <= len(held) <= 130
    assert held == [q for q in questions if held_out("mohler", q, 0.25)]
    # Another data set's questions of the same wording are split on their own.
    assert held != [q for q in questions if held_out("korean", q, 0.25)]
