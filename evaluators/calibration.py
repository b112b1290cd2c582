"""Maps features to a 0-1 score with a small additive logistic model fitted on human-graded dev
data: each feature enters as itself plus three hinges at its training quartiles, so saturation
("past a point, more overlap adds nothing") is learned without trees.

Two heads: `concepts` for bank prompts (key concepts known) and `reference_only` for external
data that brings just a question and a reference (e.g. Mohler). A calibration records the model
identity it was fitted on; `fitting.store` picks the one for the loaded model. The committed
`calibration.json` beside this module is the bundled model's."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from evaluators.embedding.identity import ModelIdentity
from evaluators.features import BY_NAME, HEAD_INPUTS, VERSION, Profile
from evaluators.features.concepts import COVERAGE, OTHER_COVERAGE
from evaluators.features.lexical import LEX_RECALL, OTHER_LEX_RECALL
from evaluators.features.similarity import OFF_MARGIN, OTHER_SIM, SIBLING_MARGIN
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
    never overflows)."""
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


OFF_TOPIC_CAP = 15
OFF_TOPIC_RULE_VERSION = 4
"""Which off-topic rule a calibration's thresholds were fitted under. Version 1 asked for none
of the prompt's key concepts; version 2 also for a larger share of the other question's; version 3
reads a prompt without key concepts by the words of each model answer instead of taking every
answer to it as naming another question, and measures the gap from the nearer of the prompt's
model answer and its wording; version 4 fits one rule per head, each on answers of its own kind.
Thresholds fitted under another version are refitted."""


@dataclass(frozen=True)
class OffTopicRule:
    """When an answer is one to another question of the bank: it sits at least `gap` closer to
    another question's model answer than to its own question's model answer or wording
    (`off_margin`), matches that one at `min_sim` or more, and
    what it carries points there too (`names_another_question`). Cosines live on each model's own
    scale (e5 packs them near 0.8, MiniLM spreads them), so both numbers are fitted with the
    calibration; `None` means the fit found no setting that helped, and the rule never fires."""

    gap: float | None = None
    min_sim: float | None = None

    @staticmethod
    def names_another_question(
        features: Mapping[str, float], covered: int | None, *, reviewed: bool
    ) -> bool:
        """The answer carries more of the other question's substance than of its own. With key
        concepts (`covered` of them named): none of this prompt's, or a larger share of the other
        question's than of this one's; words shared across the bank ("gradient", "learning rate")
        are a key concept of many prompts, and one named in passing does not make an answer to
        another question an answer to this one. Without key concepts (`covered` None, a team's
        notes): a larger share of the other model answer's words than of this one's. In a bank
        of related questions every answer sits near a sibling's model answer, so nearness alone
        never says an answer is off topic; what it carries of its own model answer does.
        Key concepts drafted from the model answer and not yet `reviewed` are weaker evidence:
        drafted from prose, they are often everyday words a right answer need not say, so the
        answer's words must point to the other question too."""
        by_concepts = covered == 0 or features[OTHER_COVERAGE.name] > features[COVERAGE.name]
        if covered is None or reviewed:
            return by_concepts
        return by_concepts and features[OTHER_LEX_RECALL.name] > features[LEX_RECALL.name]

    def applies(
        self, features: Mapping[str, float], covered: int | None, *, reviewed: bool
    ) -> bool:
        if self.gap is None or self.min_sim is None:
            return False
        return (
            self.names_another_question(features, covered, reviewed=reviewed)
            and features[OFF_MARGIN.name] >= self.gap
            and features[OTHER_SIM.name] >= self.min_sim
        )

    def cap(
        self, cap: int | None, features: Mapping[str, float], covered: int | None, *, reviewed: bool
    ) -> int | None:
        """`cap` (from the guardrails) lowered to the off-topic cap when the rule applies."""
        if not self.applies(features, covered, reviewed=reviewed):
            return cap
        return OFF_TOPIC_CAP if cap is None else min(cap, OFF_TOPIC_CAP)


SIBLING_CAP = OFF_TOPIC_CAP
"""An answer to a sibling question is an answer to another question, capped as one."""
SIBLING_RULE_VERSION = 1
"""Which sibling rule a calibration's margin was fitted under; another version is refitted."""


@dataclass(frozen=True)
class SiblingRule:
    """When an answer is one to a sibling question: its main question, where it answers a
    follow-up, or a follow-up of the same thread. Siblings share their key concepts and most
    of their words, so the off-topic rule's test of substance cannot tell their answers apart;
    the model's similarity can. The answer is capped at `SIBLING_CAP` when it sits at least
    `margin` nearer a sibling's model answer than any of its own prompt's (`sibling_margin`).
    The margin lives on each model's own cosine scale and is fitted with the calibration
    (`fitting.siblings`): halfway between the largest such gap of any tuning answer people
    graded 3 of 5 or more and the smallest of the bank's model answers given on a sibling above
    it. `None`: nothing to fit (or a calibration from before the rule); it never fires."""

    margin: float | None = None

    def applies(self, features: Mapping[str, float]) -> bool:
        return self.margin is not None and features[SIBLING_MARGIN.name] >= self.margin


NO_EVIDENCE_CAP = 10
EVIDENCE_GATE_VERSION = 2
"""Which evidence gate a calibration's thresholds were fitted under; another version is refitted."""


@dataclass(frozen=True)
class EvidenceGate:
    """Evidence before any score. An answer says something the question asks by its meaning
    (its cosine with the nearest of the prompt's model answers, `ref_sim`) or by its words (a
    content word of a model answer that the question does not give away, or a key concept
    named). It scores at most `NO_EVIDENCE_CAP`, with no concept credited, when it holds no
    word at all (digits, symbols, emoji); when it comes no nearer than `min_sim` whatever its
    words; or when it shares no word and comes no nearer than `wordless_min_sim`. Cosines live
    on each model's own scale, so both are fitted per model identity (`fitting.evidence_gate`);
    `None`: no threshold helped. Greetings, chat, markup and code sit as near a model answer as
    a terse right answer does (e5 reads every short text as near every other), so meaning
    alone cannot shut them out without shutting out such answers; what tells them apart is that
    the right one says the question's words."""

    min_sim: float | None = None
    wordless_min_sim: float | None = None

    def shuts(self, evidence_sim: float, answer: str, *, shares_words: bool = True) -> bool:
        return self.why_shut(evidence_sim, answer, shares_words=shares_words) is not None

    def why_shut(
        self, evidence_sim: float, answer: str, *, shares_words: bool = True
    ) -> str | None:
        """Why the gate shuts this answer out, in words (`grade --explain`); None: it does not."""
        if not any(char.isalpha() for char in answer):
            return "no word at all"
        if self.min_sim is not None and evidence_sim < self.min_sim:
            return (
                f"its nearest model answer is at cosine {evidence_sim:.3f}, "
                f"below {self.min_sim:.3f}"
            )
        if (
            not shares_words
            and self.wordless_min_sim is not None
            and evidence_sim < self.wordless_min_sim
        ):
            return (
                f"it says no word of a model answer or key concept, and its nearest model answer "
                f"is at cosine {evidence_sim:.3f}, below {self.wordless_min_sim:.3f}"
            )
        return None


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
        return self.heads.get(profile) or self.heads["concepts"]

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

    def to_json(self) -> str:
        payload = {
            "identity": self.identity.as_dict() if self.identity is not None else None,
            "signals_version": VERSION,
            "heads": {name: asdict(head) for name, head in self.heads.items()},
            "off_topic": {
                "version": OFF_TOPIC_RULE_VERSION,
                **{name: asdict(rule) for name, rule in self.off_topic.items()},
            },
            "evidence": {
                "version": EVIDENCE_GATE_VERSION,
                **{name: asdict(gate) for name, gate in self.evidence.items()},
            },
            "siblings": {"version": SIBLING_RULE_VERSION, "margin": self.siblings.margin},
            "fitted_on": self.fitted_on,
        }
        if self.team_kernel is not None:
            payload["team_kernel"] = {"tau": self.team_kernel.tau, "lam": self.team_kernel.lam}
        return json.dumps(payload, indent=1, ensure_ascii=False) + "\n"

    def save(self, path: Path) -> None:
        """Written beside and renamed over, so a reader never sees half a file (two processes
        may fit the same model at once)."""
        with replacing(path) as partial:
            partial.write_text(self.to_json(), encoding="utf-8")

    @classmethod
    def load(cls, path: Path = CALIBRATION_PATH) -> Calibration:
        data = json.loads(path.read_text(encoding="utf-8"))
        heads: dict[str, Head] = {}
        for name, h in data["heads"].items():
            unknown = set(h["features"]) - set(BY_NAME)
            if unknown:
                raise ValueError(f"{path}: head {name} reads unknown features {sorted(unknown)}")
            inputs = next((v for k, v in HEAD_INPUTS.items() if k == name), None)
            if inputs is not None and set(h["features"]) != set(inputs):
                raise ValueError(
                    f"{path}: head {name} was fitted on other features than it reads now"
                )
            heads[name] = Head(
                features=tuple(h["features"]),
                knots=tuple(tuple(k) for k in h["knots"]),
                mean=tuple(h["mean"]),
                scale=tuple(h["scale"]),
                coef=tuple(h["coef"]),
                intercept=float(h["intercept"]),
            )
        if "concepts" not in heads:
            raise ValueError(f"{path}: no 'concepts' head")
        if data.get("signals_version", 1) != VERSION:
            raise ValueError(
                f"{path}: heads fitted on signals version {data.get('signals_version', 1)}, "
                f"not {VERSION}"
            )
        identity = data.get("identity")
        rule = data.get("off_topic") or {}
        if rule.get("version") != OFF_TOPIC_RULE_VERSION:
            raise ValueError(
                f"{path}: off-topic thresholds fitted for rule version {rule.get('version', 1)}, "
                f"not {OFF_TOPIC_RULE_VERSION}"
            )
        # A file from before the gate has no threshold (only an answer without a word is shut
        # out) until `quizmaster eval fit` refits it. One fitted for another version is refitted.
        gates = data.get("evidence") or {"version": EVIDENCE_GATE_VERSION}
        if gates.get("version") != EVIDENCE_GATE_VERSION:
            raise ValueError(
                f"{path}: evidence gate fitted for version {gates.get('version')}, "
                f"not {EVIDENCE_GATE_VERSION}"
            )
        # A file from before the sibling rule has no margin (the rule never fires) until
        # `quizmaster eval fit` refits it, as with the gate.
        siblings = data.get("siblings") or {"version": SIBLING_RULE_VERSION}
        if siblings.get("version") != SIBLING_RULE_VERSION:
            raise ValueError(
                f"{path}: sibling margin fitted for version {siblings.get('version')}, "
                f"not {SIBLING_RULE_VERSION}"
            )
        kernel = data.get("team_kernel")
        return cls(
            siblings=SiblingRule(margin=siblings.get("margin")),
            team_kernel=Kernel(tau=float(kernel["tau"]), lam=float(kernel["lam"]))
            if kernel
            else None,
            evidence={
                name: EvidenceGate(
                    min_sim=fitted.get("min_sim"), wordless_min_sim=fitted.get("wordless_min_sim")
                )
                for name, fitted in gates.items()
                if name in heads
            },
            heads=heads,
            fitted_on=dict(data.get("fitted_on", {})),
            identity=ModelIdentity.from_dict(identity) if identity else None,
            off_topic={
                name: OffTopicRule(gap=fitted.get("gap"), min_sim=fitted.get("min_sim"))
                for name, fitted in rule.items()
                if name in heads
            },
        )
