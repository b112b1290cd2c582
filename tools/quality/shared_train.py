"""The shared data sets of `../shared/data` as train data (`fitting.train_data`): SemEval-2013,
Korean science and Mohler, each measured as the quality table grades it (SemEval's and Mohler's
questions loaded as a team bank beside the seed bank, one model answer each; Korean science
through the team banks its quality rows build, rubric elements as key concepts, model answers
picked from the other fold), and split into the part a fit reads and the part none does.

`quizmaster eval fit` fits on their train parts; the quality table's leave-one-data-set-out rows
measure each one's test part. A data set whose file is absent is left out with one line."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from content.bank import Bank, normalize_question
from content.loader import load_bank
from content.schema import Prompt
from evaluators.fitting.rows import Row, as_team_bank, read_rows, resolve_prompts
from evaluators.fitting.samples import Sample, collect
from evaluators.fitting.train_data import (
    KOREAN_TEST_SHARE,
    MOHLER_TEST_SHARE,
    SEMEVAL_TEST_SPLIT,
    DataSetSamples,
    held_out,
)
from evaluators.measuring import AnswerMeasurer
from evaluators.progress import Progress
from tools.quality.quality_korean import ANSWERS as KOREAN_ANSWERS
from tools.quality.quality_korean import FOLDS, fold_bank, read_answers, read_rubrics
from tools.quality.quality_korean import RUBRICS as KOREAN_RUBRICS
from tools.quality.quality_mohler import FILE as MOHLER_FILE
from tools.quality.quality_semeval_answers import FILE as SEMEVAL_FILE
from tools.quality.quality_semeval_answers import read_semeval
from tools.quality.team_banks import beside_seed

SHARED_SETS = ("semeval", "korean", "mohler")


async def _measured(
    measurer: AnswerMeasurer, bank: Bank, rows: Sequence[Row], prompts: Sequence[Prompt], what: str
) -> list[Sample]:
    progress = Progress(f"measuring {what}", len(rows), unit="answers")
    try:
        await measurer.prepare(bank)
        return await collect(measurer, rows, prompts, on_done=progress.advance)
    finally:
        progress.finish()


async def semeval(measurer: AnswerMeasurer, data: Path) -> DataSetSamples:
    """Each corpus's questions as one team bank; the train split is train, `test-unseen-answers`
    the test part."""
    answers = read_semeval(data / SEMEVAL_FILE)
    train: list[Sample] = []
    test: list[Sample] = []
    for corpus in sorted({a.corpus for a in answers}):
        mine = [a for a in answers if a.corpus == corpus]
        rows = [a.row for a in mine]
        prompts = resolve_prompts(rows, None)
        bank = as_team_bank(load_bank(), prompts)
        samples = await _measured(measurer, bank, rows, prompts, f"SemEval {corpus}")
        for answer, sample in zip(mine, samples, strict=True):
            (test if answer.split == SEMEVAL_TEST_SPLIT else train).append(sample)
    return DataSetSamples("semeval", train=train, test=test)


async def mohler(measurer: AnswerMeasurer, data: Path) -> DataSetSamples:
    """Its questions as one team bank; `MOHLER_TEST_SHARE` of them the test part."""
    rows = read_rows(data / MOHLER_FILE)
    prompts = resolve_prompts(rows, None)
    bank = as_team_bank(load_bank(), prompts)
    samples = await _measured(measurer, bank, rows, prompts, "Mohler")
    return _split("mohler", samples, MOHLER_TEST_SHARE)


async def korean(measurer: AnswerMeasurer, data: Path) -> DataSetSamples:
    """Each fold's answers through the team bank made from the other fold's (`quality_korean`),
    each row carrying the concept ids of the elements people labelled stated (`Row.stated`);
    `KOREAN_TEST_SHARE` of the questions the test part."""
    answers = read_answers(data / KOREAN_ANSWERS)
    rubrics = read_rubrics(data / KOREAN_RUBRICS)
    qids = list(dict.fromkeys(a.qid for a in answers))
    samples: list[Sample] = []
    for fold in range(FOLDS):
        mine = [a for a in answers if a.fold == fold]
        made = fold_bank(qids, [a for a in answers if a.fold != fold], rubrics)
        bank = beside_seed([made.bank_file])
        rows = []
        for answer in mine:
            concepts = made.elements[normalize_question(answer.row.question)]
            stated = tuple(c for c, element in concepts.items() if element in answer.stated)
            rows.append(replace(answer.row, stated=stated))
        prompts = resolve_prompts(rows, bank)
        samples += await _measured(measurer, bank, rows, prompts, f"Korean science fold {fold}")
    return _split("korean", samples, KOREAN_TEST_SHARE)


def _split(name: str, samples: Sequence[Sample], share: float) -> DataSetSamples:
    """Train and test parts by question (`train_data.held_out`)."""
    test = [s for s in samples if held_out(name, normalize_question(s.row.question), share)]
    train = [s for s in samples if not held_out(name, normalize_question(s.row.question), share)]
    return DataSetSamples(name, train=train, test=test)


MEASURES = {"semeval": semeval, "korean": korean, "mohler": mohler}
FILES = {
    "semeval": (SEMEVAL_FILE,),
    "korean": (KOREAN_ANSWERS, KOREAN_RUBRICS),
    "mohler": (MOHLER_FILE,),
}


def present(data: Path) -> list[str]:
    """The shared data sets whose files are in `data`."""
    return [name for name in SHARED_SETS if all((data / f).is_file() for f in FILES[name])]


async def measure_shared(
    measurer: AnswerMeasurer, data: Path, names: Sequence[str] = SHARED_SETS
) -> list[DataSetSamples]:
    """The data sets `names` of `data` that are there, measured; one line for each that is not."""
    found = present(data)
    for name in names:
        if name not in found:
            print(f"{name}: not in {data}, left out of the fit")
    return [await MEASURES[name](measurer, data) for name in names if name in found]
