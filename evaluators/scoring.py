"""One answer's grade from what was measured of it. The only place the calibrated score is
rounded, the guardrails' and the off-topic rule's caps and a hint's cap are applied, and the
verdict is read off the score: the live grader, `quizmaster grade` and the evaluation's
cross-validation all call `score`, so they give the same answer the same grade."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from content.schema import Lang, Prompt
from evaluators.calibration import LINK, NO_EVIDENCE_CAP, SIBLING_CAP, Calibration, link
from evaluators.features import Profile
from evaluators.features.measurement import Measurement
from evaluators.features.raw import Measures
from evaluators.feedback import NOTHING_TOLD, Told, compose, told_of
from evaluators.grade import Flag, Grade, Verdict
from evaluators.guardrails import MAX_ANSWER_CHARS, Screening
from evaluators.reading.morphology import compact, surface_words
from evaluators.taught import Nudge

OPEN_MIN_WORDS = 3
OPEN_MIN_CHARS = 10
OPEN_SHORT_SCORE = 60

_VERDICT_FLOORS = (
    (85, Verdict.CORRECT),
    (65, Verdict.MOSTLY_CORRECT),
    (35, Verdict.PARTIAL),
)


def verdict_for(score: int) -> Verdict:
    for floor, verdict in _VERDICT_FLOORS:
        if score >= floor:
            return verdict
    return Verdict.INCORRECT


def profile_for(prompt: Prompt) -> Profile:
    """Bank prompts name key concepts; a team's notes or external data (Mohler) bring only a
    model answer."""
    return "concepts" if prompt.concepts else "reference_only"


def concepts_reviewed(prompt: Prompt) -> bool:
    """Whether an admin (or the bank's author) stands behind every key concept: none is still
    marked as drafted from the model answer."""
    return not any(concept.drafted for concept in prompt.concepts)


def concepts_named(prompt: Prompt, covered: tuple[str, ...]) -> int | None:
    """How many of the prompt's key concepts an answer named; None when it has none to name
    (the off-topic rule then reads the model answer's words)."""
    return len(covered) if prompt.concepts else None


MISCONCEPTION_MIN_OVERLAP = 0.3


def echoes_misconception(measures: Measures) -> bool:
    """The answer says what a known misconception says: it shares more of the misconception's
    own words than of any reference's, and is at least as close to it in embedding space."""
    return (
        measures.mis_overlap >= MISCONCEPTION_MIN_OVERLAP
        and measures.mis_overlap > measures.lex_recall
        and measures.mis_sim >= measures.ref_sim
    )


@dataclass(frozen=True)
class Contribution:
    """One feature of the head: its value, and what it adds to the sum the link reads."""

    name: str
    value: float
    contribution: float


@dataclass(frozen=True)
class Explanation:
    """Why a grade is what it is. Where a head scored the answer, `link(base + sum of the
    contributions)` times 100 is `raw`, the score before guardrails and caps; where a guardrail
    or an open prompt decided it, `head` is None and `raw` is that deliberate score. `flags`
    name every guardrail and cap that fired, `cap` the lowest cap applied. `covered`, `missed`
    and `misconception` are what feedback tells (`feedback.told_of`): each covered concept with the
    passage of the answer that names it."""

    score: int
    verdict: Verdict
    raw: int
    head: Profile | None = None
    base: float | None = None
    features: tuple[Contribution, ...] = ()
    flags: tuple[Flag, ...] = ()
    cap: int | None = None
    told: Told = NOTHING_TOLD
    link: str | None = None
    taught: Nudge | None = None
    """What answers the team graded moved the score by (`taught.nudge`), after the off-topic
    cap and before a hint's cap; None when no team grade was read."""
    moved_by_team: bool = False
    """The team's evidence changed the score the member sees: a hint's cap or the 0-100 bounds
    can absorb a shift, and a shift under half a point moves nothing."""
    sibling: Prompt | None = None
    """The sibling question the answer answers, where the sibling rule capped it."""
    no_evidence: str | None = None
    """Why the evidence gate shut the answer out (`EvidenceGate.why_shut`), where it did."""

    @property
    def team_told(self) -> Nudge | None:
        """The team evidence the member's feedback names: only where it moved the score and the
        answer is near the graded answers (`Nudge.near`)."""
        taught = self.taught
        return taught if self.moved_by_team and taught is not None and taught.near else None

    @property
    def covered(self) -> tuple[str, ...]:
        return self.told.covered_ids

    @property
    def missed(self) -> tuple[str, ...]:
        return self.told.missed

    @property
    def evidence(self) -> dict[str, str]:
        """Each covered concept's id and the passage of the answer that names it."""
        return {m.concept: m.passage for m in self.told.covered}

    def as_json(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "verdict": self.verdict.value,
            "covered": list(self.covered),
            "missed": list(self.missed),
            "evidence": self.evidence,
            "misconception": self.told.misconception,
            "flags": [flag.value for flag in self.flags],
            "head": self.head,
            "link": self.link,
            "base": self.base,
            "features": [
                {"name": c.name, "value": c.value, "contribution": c.contribution}
                for c in self.features
            ],
            "raw": self.raw,
            "cap": self.cap,
            "sibling": None if self.sibling is None else self.sibling.id,
            "no_evidence": self.no_evidence,
            "taught": None if self.taught is None else self.taught.as_json(),
        }


@dataclass(frozen=True)
class Scored:
    """A grade (with its feedback) and its explanation."""

    grade: Grade
    explanation: Explanation


@runtime_checkable
class Explainer(Protocol):
    """A grader that can say why (`EmbeddingGrader`): what a page showing the explanation needs."""

    async def explain(
        self,
        prompt: Prompt,
        answer: str,
        *,
        lang: Lang = "ko",
        cap: int | None = None,
        revealed: bool = False,
    ) -> Scored: ...


def participation(text: str) -> int:
    """Open prompts are counted, not judged: a genuine attempt of reasonable length earns full
    participation, a very short one less."""
    if len(surface_words(text)) >= OPEN_MIN_WORDS and len(compact(text)) >= OPEN_MIN_CHARS:
        return 100
    return OPEN_SHORT_SCORE


def explain(
    prompt: Prompt,
    screening: Screening,
    measurement: Measurement | None,
    calibration: Calibration | None,
    *,
    cap: int | None = None,
    taught: Nudge | None = None,
) -> Explanation:
    """The score of an answer to `prompt` that the guardrails `screening` passed on, measured as
    `measurement`: a deliberate score when a guardrail decided it or the prompt is open, else the
    calibration's head, then every cap. `measurement` and `calibration` are needed only in that
    last case. `cap` limits the score (after a hint). `taught`, the team's graded answers'
    evidence, shifts a head's score after the off-topic cap: a team that graded such an answer
    high says it is on topic."""
    flags = list(screening.flags)
    low = screening.cap
    head: Profile | None = None
    base: float | None = None
    contributions: tuple[Contribution, ...] = ()
    verdict: Verdict | None = None
    covered: tuple[str, ...] = ()
    sibling: Prompt | None = None
    no_evidence: str | None = None
    if screening.final:
        raw, verdict = screening.score, Verdict.NO_ANSWER
    elif prompt.kind == "open":
        raw, verdict = participation(screening.text), Verdict.ACKNOWLEDGED
    else:
        if measurement is None or calibration is None:
            raise ValueError(f"{prompt.id}: a graded answer needs its measurement and calibration")
        head = profile_for(prompt)
        model = calibration.head(head)
        features = measurement.features
        shares = model.contributions(features)
        base = model.intercept
        contributions = tuple(
            Contribution(name, features[name], shares[name]) for name in model.features
        )
        raw = round(100 * link(base + sum(shares.values())))
        covered = measurement.covered
        if echoes_misconception(measurement.measures):
            flags.append(Flag.MISCONCEPTION)
        no_evidence = calibration.gate(head).why_shut(
            measurement.nearest, screening.text, shares_words=measurement.shares_words
        )
        if no_evidence is not None:
            flags.append(Flag.NO_EVIDENCE)
            low = NO_EVIDENCE_CAP if low is None else min(low, NO_EVIDENCE_CAP)
        rule = calibration.rule(head)
        named = concepts_named(prompt, covered)
        reviewed = concepts_reviewed(prompt)
        if calibration.siblings.applies(features):
            # Told which sibling it answers, the member sees why; the off-topic note, where that
            # rule fires too, would only repeat it less precisely.
            sibling = measurement.found.sibling
            flags.append(Flag.SIBLING)
            low = SIBLING_CAP if low is None else min(low, SIBLING_CAP)
        elif rule.applies(features, named, reviewed=reviewed):
            flags.append(Flag.OFF_TOPIC)
        low = rule.cap(low, features, named, reviewed=reviewed)
    final = raw if low is None else min(raw, low)
    alone = _bounded(final, cap)
    if taught is not None and head is not None:
        final = round(final + taught.shift)
    else:
        taught = None
    if cap is not None and final > cap:
        flags.append(Flag.CAPPED)
        low = cap if low is None else min(low, cap)
    final = _bounded(final, cap)
    verdict = verdict_for(final) if verdict is None else verdict
    return Explanation(
        score=final,
        verdict=verdict,
        raw=raw,
        head=head,
        base=base,
        features=contributions,
        flags=tuple(flags),
        cap=low,
        told=NOTHING_TOLD
        if measurement is None or head is None
        else told_of(
            prompt,
            score=final,
            verdict=verdict,
            flags=tuple(flags),
            matches=measurement.found.matches,
            echoed=measurement.found.echoed,
        ),
        link=LINK if head is not None else None,
        taught=taught,
        moved_by_team=taught is not None and final != alone,
        sibling=sibling,
        no_evidence=no_evidence,
    )


def _bounded(score: int, cap: int | None) -> int:
    """`score` under a hint's `cap`, within 0-100."""
    return max(0, min(100, score if cap is None else min(score, cap)))


def score(
    prompt: Prompt,
    screening: Screening,
    measurement: Measurement | None,
    calibration: Calibration | None,
    *,
    lang: Lang = "ko",
    cap: int | None = None,
    taught: Nudge | None = None,
) -> Scored:
    """`explain`'s score as the grade a member sees, with feedback in `lang`."""
    why = explain(prompt, screening, measurement, calibration, cap=cap, taught=taught)
    feedback = compose(
        prompt,
        verdict=why.verdict,
        told=why.told,
        flags=why.flags,
        team=why.team_told,
        lang=lang,
        cap=cap,
        limit=MAX_ANSWER_CHARS,
        sibling=why.sibling,
    )
    grade = Grade(
        score=why.score,
        verdict=why.verdict,
        covered=why.covered,
        missed=why.missed,
        feedback=feedback,
        flags=why.flags,
    )
    return Scored(grade=grade, explanation=why)
