"""`quizmaster eval`'s measurement: the rows graded by the live grader, or cross-validated by
question with the shared scoring function; either way the dev set's lockbox questions are kept
apart and reported beside."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from content.bank import Bank
from content.schema import Lang, Prompt
from evaluators.calibration import Calibration
from evaluators.fitting.cross_validation import (
    fit_gate,
    fit_with_rule,
    gated,
    out_of_fold,
    predict,
)
from evaluators.fitting.dev_set import in_lockbox, split
from evaluators.fitting.evidence_gate import fit_evidence_gate, junk_rows
from evaluators.fitting.metrics import Metrics, metrics
from evaluators.fitting.rows import HarnessError, Row, as_team_bank, resolve_prompts
from evaluators.fitting.samples import Sample, collect
from evaluators.fitting.siblings import fit_sibling_rule, swapped_margins
from evaluators.grade import Grade
from evaluators.scoring import score
from evaluators.service import EmbeddingGrader
from evaluators.taught import TeamGrade
from tools.fitting.teach import team_grades, untaught
from tools.quality.report import RowResult

FEEDBACK_LANG: Lang = "en"


@dataclass(frozen=True)
class Evaluation:
    """Agreement over the rows outside the lockbox (cross-validated with `--cv`), the lockbox's
    (None when the rows have none), and every row's result."""

    overall: Metrics
    lockbox: Metrics | None
    results: list[RowResult]

    @property
    def counted(self) -> list[RowResult]:
        """The rows `overall` is measured on."""
        return _part(self.results, lockbox=False)

    @property
    def boxed(self) -> list[RowResult]:
        """The rows `lockbox` is measured on."""
        return _part(self.results, lockbox=True)


def _part(results: Sequence[RowResult], *, lockbox: bool) -> list[RowResult]:
    return [r for r in results if r.lockbox == lockbox]


def _graded(sample: Sample, calibration: Calibration) -> Grade:
    return score(
        sample.prompt, sample.screening, sample.measurement, calibration, lang=FEEDBACK_LANG
    ).grade


def _agreement(results: Sequence[RowResult], elapsed_s: float) -> Metrics:
    return metrics([r.predicted for r in results], [r.row for r in results], elapsed_s)


async def _cross_validated(
    grader: EmbeddingGrader, rows: Sequence[Row], prompts: Sequence[Prompt], bank: Bank | None
) -> tuple[list[RowResult], float]:
    """The tuning rows each scored by the calibration fitted without its question; the lockbox
    rows by the one fitted on every tuning row, as the committed calibration is. The sibling
    margin is fitted once on every tuning row and `bank`'s model answers given on a sibling, and
    applied to every fold, as the evidence gate is: it reads no feature the heads are fitted
    on."""
    start = time.perf_counter()
    samples = await collect(grader, rows, prompts)
    elapsed = time.perf_counter() - start
    tuning, lockbox = split(samples, prompts)
    junk = await collect(grader, *junk_rows([s.prompt for s in tuning]))
    head, rule = fit_with_rule(tuning)
    profile = tuning[0].profile
    siblings = fit_sibling_rule(
        tuning, swapped_margins(grader.store, bank) if bank is not None else []
    )
    whole = Calibration(heads={profile: head}, off_topic={profile: rule}, siblings=siblings)
    folds = [replace(fold, siblings=siblings) for fold in out_of_fold(tuning)]
    results = [
        RowResult(s.row, _graded(s, calibration))
        for s, calibration in zip(
            tuning, gated(folds, fit_gate(tuning, folds, junk, whole)), strict=True
        )
    ]
    if lockbox:
        gate = fit_evidence_gate(
            [*tuning, *junk], [predict(head, s, rule) for s in [*tuning, *junk]]
        )
        fitted = replace(whole, evidence={profile: gate})
        results += [RowResult(s.row, _graded(s, fitted), lockbox=True) for s in lockbox]
    return results, elapsed


async def _live(
    grader: EmbeddingGrader,
    rows: Sequence[Row],
    prompts: Sequence[Prompt],
    taught: Mapping[str, Sequence[TeamGrade]],
) -> tuple[list[RowResult], float]:
    """Every row graded concurrently by the live grader (as a busy channel would), each with
    its question's team grades as evidence."""
    # The graded answers are measured once, before the clock: a bot holds them already.
    await asyncio.gather(
        *(
            grader.team_evidence.held(p, taught[p.id], grader.alone)
            for p in {p.id: p for p in prompts}.values()
            if taught.get(p.id)
        )
    )
    start = time.perf_counter()
    grades = await asyncio.gather(
        *(
            grader.grade(p, r.answer, lang=FEEDBACK_LANG, taught=taught.get(p.id, ()))
            for r, p in zip(rows, prompts, strict=True)
        )
    )
    elapsed = time.perf_counter() - start
    return [
        RowResult(row, grade, lockbox=in_lockbox(prompt))
        for row, grade, prompt in zip(rows, grades, prompts, strict=True)
    ], elapsed


async def evaluate(
    grader: EmbeddingGrader,
    rows: list[Row],
    bank: Bank | None,
    *,
    cv: bool,
    as_bank: bool = False,
    taught: Sequence[Row] = (),
) -> Evaluation:
    """Grade `rows` (questions of `bank`, or bringing their own reference); with `as_bank`, the
    questions that bring their own reference are loaded beside `bank` as a team's bank. With
    `taught` (graded rows of the same questions, live grading only), those grades are evidence,
    and only `rows` that are not among them are graded and counted."""
    if taught:
        if cv:
            raise HarnessError("team grades are evidence for the live grader: no --cv with them")
        rows = untaught(rows, taught)
        if not rows:
            raise HarnessError("every answer is among the team's grades: none left to measure")
    prompts = resolve_prompts(rows, bank)
    taught_prompts = resolve_prompts(taught, bank)
    grades = team_grades(taught, taught_prompts)
    if as_bank and bank is not None:
        bank = as_team_bank(bank, [*prompts, *taught_prompts])
    if bank is not None:
        await grader.prepare(bank)
    try:
        if cv:
            results, elapsed = await _cross_validated(grader, rows, prompts, bank)
        else:
            results, elapsed = await _live(grader, rows, prompts, grades)
    finally:
        await grader.aclose()
    counted, boxed = _part(results, lockbox=False), _part(results, lockbox=True)
    overall = _agreement(counted, elapsed * len(counted) / len(rows))
    return Evaluation(overall, _agreement(boxed, 0.0) if boxed else None, results)
