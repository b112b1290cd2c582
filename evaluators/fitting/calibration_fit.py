"""Fitting a calibration for the loaded model from graded data: the one fit behind
`quizmaster eval fit`, the bot's first start with a model that has none, and the docker build.

Each head is fitted on the dev set's tuning part (never its lockbox) and cross-validated by
question; the agreement, and the lockbox's, go into the calibration's `fitted_on`, where
`quizmaster doctor` reads it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from content.bank import Bank
from content.importers.concept_draft import with_drafted_concepts
from content.loader import load_bank
from content.schema import Prompt
from evaluators.calibration import Calibration, Head
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
    fit_with_rule,
    predict,
    scored_fraction,
)
from evaluators.fitting.dev_set import DEV_SET_PATH, in_lockbox, split
from evaluators.fitting.evidence_gate import fit_evidence_gate, junk_rows
from evaluators.fitting.metrics import Metrics, metrics
from evaluators.fitting.rows import Row, as_team_bank, read_rows, resolve_prompts
from evaluators.fitting.samples import Sample, collect
from evaluators.fitting.siblings import fit_sibling_rule, swapped_margins
from evaluators.measuring import AnswerMeasurer
from evaluators.progress import Progress
from evaluators.rules.evidence_gate import EvidenceGate
from evaluators.rules.off_topic import OffTopicRule
from evaluators.signals import answer_language

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


async def fit_calibration(
    embedder: EmbeddingModel,
    *,
    cache_dir: Path,
    dev: Path = DEV_SET_PATH,
    external: Path | None = None,
) -> FitResult:
    """The `concepts` head from `dev`'s tuning part (bank questions); the `reference_only` head
    from the same rows asked as a team would ask them (question and model answers only, see
    `as_team_prompt`), plus `external` rows that bring their own reference (Mohler) when given,
    their questions loaded as a team bank beside the seed bank; the `other_language` head from
    the same rows asked with their model answers in the other language only
    (`in_other_language`). Each head's off-topic rule is
    fitted on the answers that head scores; the sibling margin on the tuning answers and the
    bank's model answers given on a sibling (`fitting.siblings`). The whole bank is encoded
    first, as at run time, so an answer can be compared with the other questions.

    A fit never makes a calibration of a NaN or an infinity: a model whose probe vector is not
    finite is refused before minutes of measuring, answers measured with a non-finite feature
    are refused before any head is fitted, and so is a fitted calibration holding one
    (`NonFiniteError` each time, naming them)."""
    identity = identify(embedder)
    refuse_non_finite(
        f"{embedder.name}'s vector of the probe text", {"probe": embedder.encode([PROBE_TEXT])}
    )
    dev_rows = read_rows(dev)
    external_rows = read_rows(external) if external is not None else []
    bank = load_bank()
    bank_prompts = resolve_prompts(dev_rows, bank)
    junk, junk_asked = junk_rows([p for p in bank_prompts if not in_lockbox(p)])
    crossed = _in_other_language(dev_rows, bank_prompts)
    crossed_junk = _in_other_language(junk, junk_asked)
    progress = Progress(
        f"fitting calibration for {embedder.name}",
        2 * len(dev_rows) + 2 * len(junk) + len(external_rows) + len(crossed) + len(crossed_junk),
        unit="answers",
    )
    measurer = AnswerMeasurer(embedder, cache_dir=cache_dir)

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
        external_samples: list[Sample] = []
        if external_rows:
            external_prompts = resolve_prompts(external_rows, None)
            await measurer.prepare(as_team_bank(bank, external_prompts))
            external_samples = await measure(external_rows, external_prompts)
    finally:
        progress.finish()
        await measurer.aclose()
    _refuse_non_finite_samples(
        [*both, *both_junk, *crossed_samples, *other_junk, *external_samples]
    )
    dev_samples, lockbox = split(both[0::2], bank_prompts)
    team_samples, _ = split(both[1::2], bank_prompts)

    bank_junk, team_junk = both_junk[0::2], both_junk[1::2]
    other_samples, _ = split(crossed_samples, [p for _, p in crossed])

    fits = {
        "concepts": _fit_head(dev_samples, bank_junk),
        "reference_only": _fit_head([*team_samples, *external_samples], team_junk),
        "other_language": _fit_head(other_samples, other_junk),
    }
    heads = {name: fit.head for name, fit in fits.items()}
    off_topic = {name: fit.off_topic for name, fit in fits.items()}
    evidence = {name: fit.evidence for name, fit in fits.items()}
    cv = {("dev" if name == "concepts" else name): fit.cv for name, fit in fits.items()}
    if external_samples:
        cv["external"] = cross_validate(external_samples)[0]
    siblings = fit_sibling_rule([*dev_samples, *team_samples], margins)
    unfinished = Calibration(heads=heads, off_topic=off_topic, evidence=evidence, siblings=siblings)
    if lockbox:
        cv["lockbox"] = lockbox_metrics(unfinished, lockbox)
    report = {name: figures.as_dict() for name, figures in cv.items()}
    calibration = Calibration(
        heads=heads,
        fitted_on={
            "model": identity.model,
            "dev": dev.name,
            "external": external.name if external is not None else None,
            "cv_by_question": report,
        },
        identity=identity,
        off_topic=off_topic,
        evidence=evidence,
        siblings=siblings,
    )
    calibration.refuse_non_finite(f"the calibration fitted for {embedder.name} (not stored)")
    return FitResult(calibration=calibration, cv=cv)


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


@dataclass(frozen=True)
class _HeadFit:
    """One head with its off-topic rule and evidence gate, and its agreement cross-validated by
    question."""

    head: Head
    off_topic: OffTopicRule
    evidence: EvidenceGate
    cv: Metrics


def _fit_head(samples: list[Sample], junk: list[Sample]) -> _HeadFit:
    """A head and its off-topic rule fitted on `samples`; its evidence gate from its own
    in-sample predictions of them and of the `junk` the gate must shut out."""
    head, rule = fit_with_rule(samples)
    gated = [*samples, *junk]
    return _HeadFit(
        head=head,
        off_topic=rule,
        evidence=fit_evidence_gate(gated, [predict(head, s, rule) for s in gated]),
        cv=cross_validate(samples, junk=junk)[0],
    )
