"""Measuring and fitting team evidence (beside `fitting/`, not in it: it grades through the live
grader, which no calibration fit may import): every answer is graded once alone, then the protocol
(pick K per question, grade the picks from the file's own scores, grade the rest with them as
evidence) is replayed with numpy for each K. The replay applies the live grader's shift to the
same grades (`scoring.explain` adds it after the caps, and rounds), so a figure here is the one
`quizmaster eval FILE --taught ASK.jsonl` gives for the same picks.

The kernel's TAU and LAMBDA are fitted for each model, with `fit_kernel`, on the dev set's
tuning part with out-of-fold grades (each question graded by the calibration fitted without it,
as a team's new question is), replaying K = 1, 3 and 5 with the representatives picked; never on
the lockbox or on held-out data."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from content.bank import Bank
from content.schema import Prompt
from evaluators.embedding.vectors import EmbeddingModel, Matrix
from evaluators.features.measurement import Measurement
from evaluators.fitting.cross_validation import out_of_fold, scored_fraction
from evaluators.fitting.dev_set import split
from evaluators.fitting.metrics import Metrics, metrics
from evaluators.fitting.rows import Row, as_team_bank, resolve_prompts
from evaluators.fitting.samples import collect
from evaluators.service import EmbeddingGrader
from evaluators.taught import Kernel
from tools.fitting.teach import by_prompt, choose, untaught

TAUS = (0.01, 0.02, 0.03, 0.05, 0.07, 0.1, 0.15, 0.2, 0.3, 0.5)
LAMBDAS = (0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0)
FIT_KS = (1, 3, 5)


@dataclass(frozen=True)
class Graded:
    """Every answer of a file graded once alone: the grade (0-100), the measured vector (None
    where a guardrail decided, which is no evidence), the vector picks are chosen on, and the
    person's grade on 0-100 as a team grade would carry it."""

    rows: list[Row]
    prompts: list[Prompt]
    alone: np.ndarray
    vectors: list[Matrix | None]
    picks: Matrix

    @property
    def human(self) -> np.ndarray:
        return np.array([round(100 * r.score / r.score_max) for r in self.rows], dtype=np.float64)


class _Recording:
    """Measures through the grader and keeps each answer's vector (a `FeatureSource`)."""

    def __init__(self, grader: EmbeddingGrader) -> None:
        self._grader = grader
        self.vectors: dict[tuple[str, str], Matrix] = {}

    async def measure(self, prompt: Prompt, answer: str) -> Measurement:
        measurement, vector = await self._grader.measurer.measured(prompt, answer)
        self.vectors[(prompt.id, answer)] = vector
        return measurement


def pick_vectors(embedder: EmbeddingModel, answers: Sequence[str]) -> Matrix:
    """The vectors `eval teach` picks on: each answer as written, encoded by the model. Blocking."""
    step = embedder.batch_size
    parts = [embedder.encode(list(answers[i : i + step])) for i in range(0, len(answers), step)]
    return np.concatenate(parts).astype(np.float32, copy=False)


async def grade_alone(
    grader: EmbeddingGrader, rows: list[Row], bank: Bank | None, *, as_bank: bool, cv: bool
) -> Graded:
    """Grade every row once without evidence: by the live grader, or with `cv` by the calibration
    fitted without the row's question (the dev set's tuning part only: its lockbox is dropped)."""
    prompts = resolve_prompts(rows, bank)
    if as_bank and bank is not None:
        bank = as_team_bank(bank, prompts)
    if bank is not None:
        await grader.prepare(bank)
    try:
        if cv:
            recording = _Recording(grader)
            samples, _ = split(await collect(recording, rows, prompts), prompts)
            rows = [s.row for s in samples]
            prompts, _ = split(prompts, prompts)
            alone = [
                round(100 * scored_fraction(s, c))
                for s, c in zip(samples, out_of_fold(samples), strict=True)
            ]
            vectors: list[Matrix | None] = [
                None
                if s.measurement is None
                else recording.vectors[(s.prompt.id, s.screening.text)]
                for s in samples
            ]
        else:
            measured = await asyncio.gather(
                *(grader.alone(p, r.answer) for r, p in zip(rows, prompts, strict=True))
            )
            decided = await asyncio.gather(
                *(
                    grader.grade(p, r.answer)
                    for r, p, m in zip(rows, prompts, measured, strict=True)
                    if m is None
                )
            )
            scores = iter(g.score for g in decided)
            alone = [next(scores) if m is None else m[1] for m in measured]
            vectors = [None if m is None else m[0] for m in measured]
    finally:
        await grader.aclose()
    picks = await asyncio.to_thread(pick_vectors, grader.embedder, [r.answer for r in rows])
    return Graded(rows, prompts, np.array(alone, dtype=np.float64), vectors, picks)


@dataclass(frozen=True)
class Replay:
    """One K's figures on the answers not picked: with the picks' grades as evidence, and the
    grader alone on the same answers."""

    k: int
    taught: int
    with_evidence: Metrics
    alone: Metrics
    predicted: np.ndarray
    untaught: list[int]


def replay(graded: Graded, k: int, kernel: Kernel, *, seed: int | None = None) -> Replay:
    """The protocol for one K: pick K answers per question (as `eval teach --ask K` does), read
    their grades from the file, and shift every other answer's grade by the kernel."""
    chosen = set(choose(graded.prompts, graded.picks, k, seed=seed))
    # As `eval --taught` counts: an answer word for word like a picked one is taught too.
    counted = set(untaught(graded.rows, [graded.rows[i] for i in chosen]))
    left = {i for i, row in enumerate(graded.rows) if row in counted}
    human = graded.human
    predicted = graded.alone.copy()
    for members in by_prompt(graded.prompts).values():
        held = [i for i in members if i in chosen and graded.vectors[i] is not None]
        rest = [i for i in members if i in left and graded.vectors[i] is not None]
        if not held or not rest:
            continue
        taught = np.stack([graded.vectors[i] for i in held]).astype(np.float32)  # type: ignore[misc]
        mine = np.stack([graded.vectors[i] for i in rest]).astype(np.float32)  # type: ignore[misc]
        residuals = human[held] - graded.alone[held]
        shifts = kernel.shifts(mine @ taught.T, residuals)
        predicted[rest] = np.clip(np.round(graded.alone[rest] + shifts), 0, 100)
    others = sorted(left)
    rows = [graded.rows[i] for i in others]
    return Replay(
        k=k,
        taught=len(chosen),
        with_evidence=metrics([predicted[i] / 100 for i in others], rows),
        alone=metrics([graded.alone[i] / 100 for i in others], rows),
        predicted=predicted,
        untaught=others,
    )


@dataclass(frozen=True)
class KernelFit:
    """The kernel with the least mean squared error over `FIT_KS`, every pair's error, and the
    grader's own error on the same answers."""

    kernel: Kernel
    mse: float
    grid: dict[tuple[float, float], float]
    alone_mse: float


def fit_kernel(graded: Graded, ks: Sequence[int] = FIT_KS) -> KernelFit:
    """Grid search of TAU and LAMBDA on `graded` (the dev set's tuning part, out-of-fold)."""
    human = graded.human
    grid: dict[tuple[float, float], float] = {}
    for tau, lam in itertools.product(TAUS, LAMBDAS):
        kernel = Kernel(tau=tau, lam=lam)
        errors = []
        for k in ks:
            run = replay(graded, k, kernel)
            errors.append(float(np.mean((run.predicted[run.untaught] - human[run.untaught]) ** 2)))
        grid[(tau, lam)] = float(np.mean(errors))
    (tau, lam), mse = min(grid.items(), key=lambda item: (item[1], -item[0][1]))
    alone = []
    for k in ks:
        left = replay(graded, k, Kernel(tau=tau, lam=lam)).untaught
        alone.append(float(np.mean((graded.alone[left] - human[left]) ** 2)))
    return KernelFit(Kernel(tau=tau, lam=lam), mse, grid, float(np.mean(alone)))
