"""Fitting a calibration for the loaded model from graded data: the one fit behind
`quizmaster eval fit`, the bot's first start with a model that has none, and the docker build.

Every fitted part (`fitted_parts`) is fitted on the train data (`train_data`): the dev set's
tuning part (never its lockbox) and, from `quizmaster eval fit`, the train parts of the shared
data sets; each head is cross-validated by question, and the agreement, with the lockbox's, goes
into the calibration's `fitted_on`, where `quizmaster doctor` reads it. A bot's first start with
a model that has no calibration fits on the shipped dev set alone."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from content.bank import Bank
from content.importers.concept_draft import with_drafted_concepts
from content.loader import load_bank
from content.schema import Prompt
from evaluators.calibration import Calibration
from evaluators.embedding.identity import PROBE_TEXT, identify
from evaluators.embedding.vectors import EmbeddingModel
from evaluators.finite import (
    NonFiniteError,
    described,
    non_finite,
    of_measurement,
    refuse_non_finite,
)
from evaluators.fitting.cross_validation import (
    cross_validate,
    scored_fraction,
)
from evaluators.fitting.dev_set import DEV_SET_PATH, in_lockbox, split
from evaluators.fitting.evidence_gate import junk_rows
from evaluators.fitting.fitted_parts import HEADS, fit_parts
from evaluators.fitting.metrics import Metrics, metrics
from evaluators.fitting.rows import Row, read_rows, resolve_prompts
from evaluators.fitting.samples import Sample, collect
from evaluators.fitting.siblings import swapped_margins
from evaluators.fitting.train_data import DataSetSamples, TrainData
from evaluators.measuring import AnswerMeasurer
from evaluators.progress import Progress
from evaluators.reading.language import answer_language

logger = logging.getLogger("quizmaster.evaluators")


def as_team_prompt(prompt: Prompt) -> Prompt:
    """A bank prompt as a team bank might hold it: the question and its model answers, no key
    concepts or misconceptions; the reference-only head learns from these."""
    return prompt.model_copy(update={"concepts": (), "misconceptions": ()})


def in_other_language(prompt: Prompt, answer: str) -> Prompt | None:
    """A bank prompt as a team's notes in another language than `answer`'s would hold it: its
    model answers in the other language only (the seed bank writes each in both), no key
    concepts or misconceptions; the `other_language` head learns from these. None where the
    prompt has no model answer in another language."""
    lang = answer_language(answer)
    others = tuple(r for r in prompt.references if r.lang != lang)
    if not others:
        return None
    return as_team_prompt(prompt).model_copy(update={"references": others})


TeamHolding = Literal["model-answers", "drafted"]


def as_team_would_hold(bank: Bank, holding: TeamHolding) -> Bank:
    """`bank` with every prompt as a team's bank would hold it (`as_team_prompt`); with
    `drafted`, key concepts drafted from the model answers as `content import notes` drafts them.
    `quizmaster eval --as-team` grades the dev set on it: how the grader does on a team's bank
    whose questions have human-graded answers."""
    prompts = [as_team_prompt(p) for p in bank.all()]
    return Bank(list(with_drafted_concepts(prompts)) if holding == "drafted" else prompts)


@dataclass(frozen=True)
class FitResult:
    """The fitted calibration and each head's cross-validated agreement, by data set name, with
    the lockbox's (the concepts head fitted on the tuning part, scoring the lockbox)."""

    calibration: Calibration
    cv: dict[str, Metrics]


def lockbox_metrics(calibration: Calibration, lockbox: list[Sample]) -> Metrics:
    """How `calibration`, fitted without them, scores the lockbox's answers."""
    return metrics(
        [scored_fraction(s, calibration) for s in lockbox],
        [s.row for s in lockbox],
    )


SharedSets = Callable[[AnswerMeasurer], Awaitable[list[DataSetSamples]]]
"""Measures more data sets of the shared train data with the fit's measurer (the harness's
`shared_train.measure_shared`: SemEval, Korean science, Mohler from `../shared/data`)."""


async def fit_calibration(
    embedder: EmbeddingModel,
    *,
    cache_dir: Path,
    dev: Path = DEV_SET_PATH,
    shared: SharedSets | None = None,
) -> FitResult:
    """Every fitted part (`fitted_parts.FITTED_PARTS`) fitted on the train data: `dev`'s tuning
    part (`measure_dev`) and, with `shared`, the train parts of the data sets it measures. Each
    head's cross-validated agreement over its pooled train answers and the dev lockbox's go into
    the calibration's `fitted_on`.

    A fit never makes a calibration of a NaN or an infinity: a model whose probe vector is not
    finite is refused before minutes of measuring, answers measured with a non-finite feature
    are refused before any head is fitted, and so is a fitted calibration holding one
    (`NonFiniteError` each time, naming them)."""
    identity = identify(embedder)
    refuse_non_finite(
        f"{embedder.name}'s vector of the probe text", {"probe": embedder.encode([PROBE_TEXT])}
    )
    measurer = AnswerMeasurer(embedder, cache_dir=cache_dir)
    try:
        sets = [await measure_dev(measurer, dev)]
        if shared is not None:
            sets += await shared(measurer)
    finally:
        await measurer.aclose()
    train = TrainData(tuple(sets))
    _refuse_non_finite_samples([s for d in train.sets for s in (*d.train, *d.test, *d.junk)])
    unfinished = fit_parts(train)
    cv = {
        ("dev" if profile == "concepts" else profile): cross_validate(
            train.samples(profile), junk=train.junk(profile)
        )[0]
        for profile in HEADS
        if profile in unfinished.heads
    }
    lockbox = sets[0].test
    if lockbox:
        cv["lockbox"] = lockbox_metrics(unfinished, list(lockbox))
    report = {name: figures.as_dict() for name, figures in cv.items()}
    calibration = replace(
        unfinished,
        fitted_on={
            "model": identity.model,
            "dev": dev.name,
            "train": {d.name: sum(s.measurement is not None for s in d.train) for d in train.sets},
            "cv_by_question": report,
        },
        identity=identity,
    )
    calibration.refuse_non_finite(f"the calibration fitted for {embedder.name} (not stored)")
    return FitResult(calibration=calibration, cv=cv)


async def measure_dev(measurer: AnswerMeasurer, dev: Path = DEV_SET_PATH) -> DataSetSamples:
    """The dev set as train data: its tuning answers asked three ways (the bank prompt, for the
    `concepts` head; as a team would ask it, question and model answers only, `as_team_prompt`,
    for `reference_only`; with its model answers in the other language only,
    `in_other_language`, for `other_language`), junk to its tuning questions asked the same ways
    (what the evidence gate must shut out), its bank's model answers given on a sibling, and
    its lockbox asked of the bank as the test part. The whole bank is encoded first, as at run
    time, so an answer can be compared with the other questions."""
    dev_rows = read_rows(dev)
    bank = load_bank()
    bank_prompts = resolve_prompts(dev_rows, bank)
    junk, junk_asked = junk_rows([p for p in bank_prompts if not in_lockbox(p)])
    crossed = _in_other_language(dev_rows, bank_prompts)
    crossed_junk = _in_other_language(junk, junk_asked)
    progress = Progress(
        f"fitting calibration for {measurer.embedder.name}",
        2 * len(dev_rows) + 2 * len(junk) + len(crossed) + len(crossed_junk),
        unit="answers",
    )

    async def measure(rows: list[Row], prompts: list[Prompt]) -> list[Sample]:
        return await collect(measurer, rows, prompts, on_done=progress.advance)

    try:
        team_prompts = [as_team_prompt(p) for p in bank_prompts]
        # Token vectors first: the bank's texts they share are then not encoded twice.
        await measurer.prepare_tokens(team_prompts)
        await measurer.prepare(bank)
        margins = swapped_margins(measurer.store, bank)
        # Each answer asked both ways side by side lands twice in one batch, encoded once.
        both = await measure(
            [row for row in dev_rows for _ in range(2)],
            [p for pair in zip(bank_prompts, team_prompts, strict=True) for p in pair],
        )
        # Junk to the tuning questions, asked both ways: what the evidence gate must shut out.
        both_junk = await measure(
            [row for row in junk for _ in range(2)],
            [p for prompt in junk_asked for p in (prompt, as_team_prompt(prompt))],
        )
        # The same answers and junk asked in the other language only: the other_language head.
        crossed_samples = await measure(*_unzipped(crossed))
        other_junk = await measure(*_unzipped(crossed_junk))
    finally:
        progress.finish()
    dev_samples, lockbox = split(both[0::2], bank_prompts)
    team_samples, _ = split(both[1::2], bank_prompts)
    other_samples, _ = split(crossed_samples, [p for _, p in crossed])
    return DataSetSamples(
        name="dev",
        train=[*dev_samples, *team_samples, *other_samples],
        test=lockbox,
        junk=[*both_junk, *other_junk],
        margins=margins,
    )


def _refuse_non_finite_samples(samples: list[Sample]) -> None:
    """Refuses the fit when an answer it measured has a NaN or an infinity among its measures or
    features: a head fitted on one has NaN coefficients, which would grade every answer 100,
    and one fitted on a feature whose clip hid a NaN learns from a number nobody measured."""
    bad = [
        (sample, found)
        for sample in samples
        if sample.measurement is not None
        and (found := non_finite(dict(of_measurement(sample.measurement))))
    ]
    if bad:
        sample, found = bad[0]
        raise NonFiniteError(
            f"{len(bad)} of the {len(samples)} answers measured for the fit have non-finite "
            f"measures (the model's vectors are not all numbers); the first, to "
            f"{sample.prompt.id}: {described(found)}. No calibration is fitted or stored"
        )


def _in_other_language(rows: list[Row], prompts: list[Prompt]) -> list[tuple[Row, Prompt]]:
    """Each row with its prompt asked in the other language only (`in_other_language`), where
    the prompt has a model answer in another language than the row's answer."""
    return [
        (row, asked)
        for row, prompt in zip(rows, prompts, strict=True)
        if (asked := in_other_language(prompt, row.answer)) is not None
    ]


def _unzipped(pairs: list[tuple[Row, Prompt]]) -> tuple[list[Row], list[Prompt]]:
    return [row for row, _ in pairs], [prompt for _, prompt in pairs]
