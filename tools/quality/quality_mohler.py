"""Mohler's dev half in the quality table: its 40 questions loaded as one team bank beside the
seed bank (`eval --as-bank`), graded by the reference-only head.

The committed reference-only head was fitted on these very rows, so grading them with it would
measure the fit, not the grader. The table gives the leave-questions-out figure instead (`eval
--as-bank --cv`): each question's answers scored by a head and off-topic rule fitted on the other
questions' answers only, as a team's question is always new to the grader. Then the teaching
protocol (`quality_protocol`): 5 answers a question graded by the team, the others graded out of
fold with them as evidence, beside the same answers graded alone."""

from __future__ import annotations

import numpy as np

from content.loader import load_bank
from evaluators.fitting.correlation import pearson
from evaluators.fitting.rows import read_rows
from evaluators.grade import Flag
from tools.quality.evaluation import evaluate
from tools.quality.quality_protocol import PICKS, correlations, protocol
from tools.quality.quality_run import QualityRun
from tools.quality.quality_stats import share_among
from tools.quality.quality_table import Figure, measured

FILE = "mohler_dev.jsonl"


async def mohler(run: QualityRun) -> list[Figure]:
    rows = read_rows(run.data / FILE)
    evaluation = await evaluate(run.grader(), rows, load_bank(), cv=True, as_bank=True)
    results = evaluation.results
    predicted = np.array([r.predicted * r.row.score_max for r in results])
    people = np.array([r.row.score for r in results])
    full = np.array([r.row.score >= r.row.score_max for r in results])
    reversed_ = np.array([Flag.REVERSED in r.grade.flags for r in results])
    part = "Mohler dev half as a team bank, reference-only head left out by question"
    asked = [r.row.question for r in results]
    figures = [
        measured(
            key="mohler/pearson_cv",
            data_set="mohler",
            part=part,
            name="Pearson, grade vs score",
            statistic=lambda rows: pearson(predicted[rows], people[rows]),
            questions=asked,
            gated=True,
        ),
        measured(
            key="mohler/reversed_full_marks",
            data_set="mohler",
            part=part,
            name="share read as reversed, full marks",
            statistic=share_among(reversed_, full),
            questions=asked,
            n=int(full.sum()),
        ),
    ]
    questions = [r.question for r in rows]
    taught = await protocol(run, rows, questions, cv=True)
    if taught is None:
        return figures
    part = f"Mohler dev half, {PICKS} answers a question graded by the team, head left out"
    graded = [
        (w, a, rows[i].score / rows[i].score_max, rows[i].question)
        for i, w, a in zip(taught.left, taught.with_evidence, taught.alone, strict=True)
    ]
    return figures + correlations("mohler", part, "Pearson, grade vs score", graded)
