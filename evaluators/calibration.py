"""Maps features to a 0-1 score with a small additive logistic model fitted on human-graded dev
data: each feature enters as itself plus three hinges at its training quartiles, so saturation
("past a point, more overlap adds nothing") is learned without trees. Beside the heads, a
calibration carries the numbers its rules fit per model (`evaluators/rules/`: the off-topic
thresholds, the evidence gate, the sibling margin), each read and written by its rule's module.

Two heads: `concepts` for bank prompts (key concepts known) and `reference_only` for external
data that brings just a question and a reference (e.g. Mohler). A calibration records the model
identity it was fitted on; `fitting.store` picks the one for the loaded model. The committed
`calibration.json` beside this module is the bundled model's."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from evaluators.calibration_file import CalibrationFile
from evaluators.embedding.identity import ModelIdentity
from evaluators.features import BY_NAME, HEAD_INPUTS, VERSION, Profile
from evaluators.finite import NonFiniteError, described
from evaluators.rules.evidence_gate import EvidenceGate
from evaluators.rules.off_topic import OffTopicRule
from evaluators.rules.sibling import SiblingRule
from evaluators.strict_files import read_strict
from evaluators.taught import Kernel
from evaluators.whole_files import replacing

CALIBRATION_PATH = Path(__file__).resolve().parent / "calibration.json"


def expand(values: Sequence[float], knots: Sequence[Sequence[float]]) -> list[float]:
    """Each value, then max(0, value - knot) for each of its knots."""
    out = list(values)
    for value, feature_knots in zip(values, knots, strict=True):
        out += [max(0.0, value - knot) for knot in feature_knots]
    return out


@dataclass(frozen=True)
class Head:
    """sigmoid(intercept + coef . standardise(expand(x))): bounded and smooth."""

    features: tuple[str, ...]
    knots: tuple[tuple[float, ...], ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float

    def contributions(self, features: Mapping[str, float]) -> dict[str, float]:
        """Each input's share of the sum the link reads, its hinges included: with `intercept`,
        they add up to that sum. An input at its training mean contributes nothing."""
        x = expand([features[name] for name in self.features], self.knots)
        terms = [
            c * (v - m) / s for c, v, m, s in zip(self.coef, x, self.mean, self.scale, strict=True)
        ]
        out = dict(zip(self.features, terms, strict=False))
        position = len(self.features)
        for name, knots in zip(self.features, self.knots, strict=True):
            out[name] += sum(terms[position : position + len(knots)])
            position += len(knots)
        return out

    def predict(self, features: Mapping[str, float]) -> float:
        return link(self.intercept + sum(self.contributions(features).values()))


LINK = "logistic"


def link(z: float) -> float:
    """The logistic function every head turns its sum into a 0-1 score with (clipped, so it
    never overflows). A sum that is not a number is refused, never clipped: `min(30.0, nan)` is
    30, which read as a score of 100."""
    if not math.isfinite(z):
        raise NonFiniteError(f"non-finite numbers in the head's sum: {z}")
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def numbers_in(value: Any, name: str) -> Iterator[tuple[str, float]]:
    """Every number in a calibration file's contents (nested objects and lists), by its path."""
    if isinstance(value, Mapping):
        for key, inner in value.items():
            yield from numbers_in(inner, f"{name}.{key}" if name else str(key))
    elif isinstance(value, list | tuple):
        for index, inner in enumerate(value):
            yield from numbers_in(inner, f"{name}[{index}]")
    elif isinstance(value, float):
        yield name, value
    elif isinstance(value, int) and not isinstance(value, bool):
        yield name, float(value) if abs(value) < 2**1023 else math.inf


def non_finite_numbers(payload: Mapping[str, Any]) -> list[str]:
    """The NaNs and infinities among the numbers a calibration grades with (everything but
    `fitted_on`, the record of how it agreed with people), each as `path = value`."""
    graded = {key: value for key, value in payload.items() if key != "fitted_on"}
    return [
        f"{name} = {number}" for name, number in numbers_in(graded, "") if not math.isfinite(number)
    ]


@dataclass(frozen=True)
class Calibration:
    """One head per profile, the model it was fitted for (None in files from before identities:
    such a file matches no model), and a note of what it was fitted on, with its cross-validated
    agreement under `cv_by_question`."""

    heads: dict[str, Head]
    fitted_on: dict[str, Any] = field(default_factory=dict)
    identity: ModelIdentity | None = None
    off_topic: Mapping[str, OffTopicRule] = field(default_factory=dict)
    evidence: Mapping[str, EvidenceGate] = field(default_factory=dict)
    siblings: SiblingRule = field(default_factory=SiblingRule)
    team_kernel: Kernel | None = None
    """How team grades are weighed for this model (`evaluators.taught`): a cosine's scale is
    the model's own (e5's on-topic cosines sit in a band a third as wide as MiniLM's), so the
    kernel is fitted per model, by `quizmaster eval teach --fit`. None: the default kernel."""

    def head(self, profile: Profile) -> Head:
        fallback = "concepts" if profile == "concepts" else "reference_only"
        return self.heads.get(profile) or self.heads.get(fallback) or self.heads["concepts"]

    def rule(self, profile: Profile) -> OffTopicRule:
        """The off-topic rule of `profile`'s head, fitted on answers of the kind that head scores:
        a bank prompt's key concepts tell an answer to a sibling apart far better than a team's
        model answer alone, so the two need different evidence before they cap. None fitted: the
        rule never fires."""
        return self.off_topic.get(profile) or OffTopicRule()

    def gate(self, profile: Profile) -> EvidenceGate:
        """The evidence gate of `profile`'s head; none fitted: only a single term is shut out."""
        return self.evidence.get(profile) or EvidenceGate()

    def predict(self, profile: Profile, features: Mapping[str, float]) -> float:
        return self.head(profile).predict(features)

    @cached_property
    def non_finite(self) -> list[str]:
        """The NaNs and infinities among its numbers (`non_finite_numbers`); none in a
        calibration that may grade, be stored, or be loaded."""
        return non_finite_numbers(self._payload())

    def refuse_non_finite(self, what: str) -> None:
        """Raises `NonFiniteError` when it holds a NaN or an infinity (`what` says which
        calibration): such a calibration never grades and is never stored."""
        if self.non_finite:
            raise NonFiniteError(f"non-finite numbers in {what}: {described(self.non_finite)}")

    def _payload(self) -> dict[str, Any]:
        payload = {
            "identity": self.identity.as_dict() if self.identity is not None else None,
            "signals_version": VERSION,
            "heads": {name: asdict(head) for name, head in self.heads.items()},
            "off_topic": OffTopicRule.written(self.off_topic),
            "evidence": EvidenceGate.written(self.evidence),
            "siblings": self.siblings.written(),
            "fitted_on": self.fitted_on,
        }
        if self.team_kernel is not None:
            payload["team_kernel"] = {"tau": self.team_kernel.tau, "lam": self.team_kernel.lam}
        return payload

    def to_json(self) -> str:
        return json.dumps(self._payload(), indent=1, ensure_ascii=False) + "\n"

    def save(self, path: Path) -> None:
        """Written beside and renamed over, so a reader never sees half a file (two processes
        may fit the same model at once). One holding a NaN or an infinity is refused with a
        ValueError naming them, and nothing is written."""
        if self.non_finite:
            raise ValueError(
                f"not writing {path}: the calibration holds non-finite numbers: "
                f"{described(self.non_finite)}"
            )
        with replacing(path) as partial:
            partial.write_text(self.to_json(), encoding="utf-8")

    def fits(self, profile: Profile) -> dict[type, object]:
        """The numbers fitted for each rule, by their class, as `profile`'s head reads them (what
        a rule's `Judged.fit` looks up)."""
        return {
            OffTopicRule: self.rule(profile),
            EvidenceGate: self.gate(profile),
            SiblingRule: self.siblings,
        }

    @classmethod
    def load(cls, path: Path = CALIBRATION_PATH) -> Calibration:
        """The calibration in `path`, read through its strict model (`CalibrationFile`); each
        rule's module reads its own fitted numbers. Raises `RefusedFileError` naming the file
        and the field when it is not that model's (a string for a number, a NaN or an infinity,
        a scale of 0, knots out of order, shapes that disagree, a key missing or unknown, cut
        short), and ValueError when it was fitted on other features or another version of a
        rule: such a file is never used."""
        data = read_strict(path, CalibrationFile)
        heads = _read_heads(data, path)
        kernel = data.team_kernel
        return cls(
            heads=heads,
            fitted_on=data.fitted_on.model_dump(exclude_none=True, exclude_defaults=True),
            identity=ModelIdentity.from_dict(data.identity.model_dump()) if data.identity else None,
            off_topic=OffTopicRule.read(data.section("off_topic"), heads, path),
            evidence=EvidenceGate.read(data.section("evidence"), heads, path),
            siblings=SiblingRule.read(data.section("siblings"), path),
            team_kernel=Kernel(tau=kernel.tau, lam=kernel.lam) if kernel else None,
        )


def _read_heads(data: CalibrationFile, path: Path) -> dict[str, Head]:
    """The heads of a calibration file, each checked against the features it reads now."""
    heads: dict[str, Head] = {}
    for name, h in data.heads.items():
        unknown = set(h.features) - set(BY_NAME)
        if unknown:
            raise ValueError(f"{path}: head {name} reads unknown features {sorted(unknown)}")
        inputs = next((v for k, v in HEAD_INPUTS.items() if k == name), None)
        if inputs is not None and set(h.features) != set(inputs):
            raise ValueError(f"{path}: head {name} was fitted on other features than it reads now")
        heads[name] = Head(
            features=h.features,
            knots=h.knots,
            mean=h.mean,
            scale=h.scale,
            coef=h.coef,
            intercept=h.intercept,
        )
    if "concepts" not in heads:
        raise ValueError(f"{path}: no 'concepts' head")
    if data.signals_version != VERSION:
        raise ValueError(
            f"{path}: heads fitted on signals version {data.signals_version}, not {VERSION}"
        )
    return heads
