"""Every number the grader fits, in one registry: `quizmaster eval fit` fits them all on the shared
train data (`train_data.TrainData`), in the order listed, and the quality table's
leave-one-data-set-out rows fit them all again without one data set.

A part is a name, a function that takes the train data and the calibration fitted so far and
returns it with its own numbers added (a later part may read an earlier part's: the evidence
gate reads the heads' predictions), and where its numbers are stored. A new fitted number is one
more entry here; nothing else in the fit changes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from evaluators.calibration import Calibration
from evaluators.features.feature import Profile
from evaluators.fitting.cross_validation import fit_with_rule, predict
from evaluators.fitting.evidence_gate import fit_evidence_gate
from evaluators.fitting.rows import HarnessError
from evaluators.fitting.siblings import fit_sibling_rule
from evaluators.fitting.train_data import TrainData

HEADS: tuple[Profile, ...] = ("concepts", "reference_only", "other_language")
MIN_ROWS = 10
"""A head is fitted only where at least this many train answers reach it (`cross_validation.fit`
refuses fewer); without one, its answers are scored by the head it falls back to
(`Calibration.head`)."""


@dataclass(frozen=True)
class FittedPart:
    """One fitted part: `fit` adds its numbers to the calibration; `stored` says where they are
    kept (a section of the model's calibration file, unless it names another file)."""

    name: str
    fit: Callable[[TrainData, Calibration], Calibration]
    stored: str


def _fit_heads(train: TrainData, fitted: Calibration) -> Calibration:
    """Each head with its off-topic rule, fitted on the train answers it scores
    (`cross_validation.fit_with_rule`)."""
    heads = dict(fitted.heads)
    rules = dict(fitted.off_topic)
    for profile in HEADS:
        samples = train.samples(profile)
        if sum(s.features is not None for s in samples) < MIN_ROWS:
            continue
        heads[profile], rules[profile] = fit_with_rule(samples)
    return replace(fitted, heads=heads, off_topic=rules)


def _fit_evidence_gates(train: TrainData, fitted: Calibration) -> Calibration:
    """Each head's evidence gate from the head's in-sample predictions of its train answers and
    of the junk made for them (`fitting.evidence_gate`)."""
    gates = dict(fitted.evidence)
    for profile in HEADS:
        if profile not in fitted.heads:
            continue
        gated = [*train.samples(profile), *train.junk(profile)]
        head, rule = fitted.heads[profile], fitted.rule(profile)
        gates[profile] = fit_evidence_gate(gated, [predict(head, s, rule) for s in gated])
    return replace(fitted, evidence=gates)


def _fit_sibling_rule(train: TrainData, fitted: Calibration) -> Calibration:
    """The sibling margin from the right train answers the concepts and reference-only heads
    score and the banks' model answers given on a sibling (`fitting.siblings`)."""
    answers = [*train.samples("concepts"), *train.samples("reference_only")]
    return replace(fitted, siblings=fit_sibling_rule(answers, train.margins))


FITTED_PARTS: tuple[FittedPart, ...] = (
    FittedPart("heads", _fit_heads, "calibration: heads, off_topic"),
    FittedPart("evidence gate", _fit_evidence_gates, "calibration: evidence"),
    FittedPart("sibling rule", _fit_sibling_rule, "calibration: siblings"),
)


def fit_parts(train: TrainData, parts: Sequence[FittedPart] = FITTED_PARTS) -> Calibration:
    """A calibration with every part of `parts` fitted on `train`, in order. Raises
    `HarnessError` when no concepts head can be fitted (too few answers reach it)."""
    fitted = Calibration(heads={})
    for part in parts:
        fitted = part.fit(train, fitted)
    if "concepts" not in fitted.heads:
        raise HarnessError(f"too few answers reach the concepts head in {', '.join(train.names)}")
    return fitted
