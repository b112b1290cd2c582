"""Fitting a head on graded samples and cross-validating it by question: all answers to a prompt
are held out together, and each is scored by the shared scoring function as the live grader
would score it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from evaluators.calibration import Calibration, Head
from evaluators.features import HEAD_INPUTS
from evaluators.fitting.evidence_gate import fit_evidence_gate
from evaluators.fitting.heads import fit_head
from evaluators.fitting.logistic import group_folds
from evaluators.fitting.metrics import Metrics, metrics
from evaluators.fitting.off_topic import NO_RULE, fit_off_topic_rule
from evaluators.fitting.rows import HarnessError
from evaluators.fitting.samples import Sample
from evaluators.rules.evidence_gate import EvidenceGate
from evaluators.rules.off_topic import OffTopicRule
from evaluators.scoring import explain, nearest_other

CV_FOLDS = 5


def predict(head: Head, sample: Sample, rule: OffTopicRule = NO_RULE) -> float:
    """The fraction the live grader would give `sample` with this head and off-topic rule."""
    calibration = Calibration(heads={sample.profile: head}, off_topic={sample.profile: rule})
    return scored_fraction(sample, calibration)


def scored_fraction(sample: Sample, calibration: Calibration) -> float:
    return explain(sample.prompt, sample.screening, sample.measurement, calibration).score / 100


def fit(samples: Sequence[Sample], *, c: float = 1.0) -> Head:
    """Fit one head on the samples that reach calibration (guardrail rows have fixed scores);
    all samples must share a profile."""
    graded = [s for s in samples if s.features is not None]
    if len(graded) < 10:
        raise HarnessError(f"only {len(graded)} rows reach calibration; need at least 10")
    profiles = {s.profile for s in graded}
    if len(profiles) != 1:
        raise HarnessError(f"cannot fit one head on mixed profiles {sorted(profiles)}")
    return fit_head(
        HEAD_INPUTS[profiles.pop()],
        [s.features for s in graded if s.features is not None],
        [s.target for s in graded],
        c=c,
    )


def fit_with_rule(samples: Sequence[Sample], *, c: float = 1.0) -> tuple[Head, OffTopicRule]:
    """A head and the off-topic rule fitted on its own predictions, as the calibration fit
    does."""
    head = fit(samples, c=c)
    predicted = [predict(head, s) for s in samples]
    return head, fit_off_topic_rule(samples, predicted, [other_graded(head, s) for s in samples])


def other_graded(head: Head, sample: Sample) -> int | None:
    """What `head` gives the model answer of the other question `sample`'s answer comes nearest,
    asked here (`scoring.nearest_other`)."""
    if sample.measurement is None:
        return None
    calibration = Calibration(heads={sample.profile: head})
    other = nearest_other(sample.profile, sample.measurement, calibration)
    return None if other is None else other.grade


def out_of_fold(
    samples: Sequence[Sample],
    *,
    folds: int = CV_FOLDS,
    c: float = 1.0,
    rule: OffTopicRule | None = None,
) -> list[Calibration]:
    """Grouped K-fold: for each sample, the calibration fitted without its question's answers.
    Without a `rule`, an off-topic rule is fitted per fold too, as the calibration fit does."""
    groups = [s.group for s in samples]
    n_groups = len(set(groups))
    if n_groups < 2:
        raise HarnessError("cross-validation needs answers to at least two questions")
    calibrations: list[Calibration | None] = [None] * len(samples)
    for test in group_folds(groups, min(folds, n_groups)):
        held_out = set(test.tolist())
        train_samples = [s for i, s in enumerate(samples) if i not in held_out]
        if rule is None:
            head, fold_rule = fit_with_rule(train_samples, c=c)
        else:
            head, fold_rule = fit(train_samples, c=c), rule
        for i in test:
            profile = samples[i].profile
            calibrations[i] = Calibration(heads={profile: head}, off_topic={profile: fold_rule})
    return [calibration for calibration in calibrations if calibration is not None]


def fit_gate(
    samples: Sequence[Sample],
    calibrations: Sequence[Calibration],
    junk: Sequence[Sample],
    whole: Calibration,
) -> EvidenceGate:
    """The evidence gate fitted on `samples` scored by their `calibrations` (each fitted
    without its question) and on `junk` scored by `whole` (fitted on every sample)."""
    predicted = [scored_fraction(s, cal) for s, cal in zip(samples, calibrations, strict=True)]
    predicted += [scored_fraction(s, whole) for s in junk]
    return fit_evidence_gate([*samples, *junk], predicted)


def gated(calibrations: Sequence[Calibration], gate: EvidenceGate) -> list[Calibration]:
    """`calibrations`, each with `gate` for every head it has."""
    return [replace(cal, evidence=dict.fromkeys(cal.heads, gate)) for cal in calibrations]


def cross_validate(
    samples: Sequence[Sample],
    *,
    folds: int = CV_FOLDS,
    c: float = 1.0,
    rule: OffTopicRule | None = None,
    junk: Sequence[Sample] = (),
) -> tuple[Metrics, list[float]]:
    """Each sample scored by the calibration fitted without its question (`out_of_fold`): the
    agreement, and each sample's fraction of marks. With `junk`, an evidence gate is fitted on
    the out-of-fold scores and the junk (one gate for every fold: it reads no feature the heads
    are fitted on) and applied."""
    calibrations = out_of_fold(samples, folds=folds, c=c, rule=rule)
    if junk:
        head, whole_rule = fit_with_rule(samples, c=c)
        profile = samples[0].profile
        whole = Calibration(heads={profile: head}, off_topic={profile: whole_rule})
        calibrations = gated(calibrations, fit_gate(samples, calibrations, junk, whole))
    predicted = [
        scored_fraction(s, calibration)
        for s, calibration in zip(samples, calibrations, strict=True)
    ]
    return metrics(predicted, [s.row for s in samples]), predicted
