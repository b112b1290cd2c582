"""One answer's grade from what was measured of it, in one short loop: the screens read its text,
the calibration's head scores it, the judges read its measurement, every cap that fired lowers
the score, the team's grades move it, and a hint's cap comes last (the rules themselves live in
`evaluators/rules/`). The live grader, `quizmaster grade` and the evaluation's cross-validation
all call `score`, so they give the same answer the same grade."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any, Protocol, Unpack, runtime_checkable

from content.schema import Lang, Prompt
from evaluators.calibration import LINK, Calibration, link
from evaluators.features.feature import Profile
from evaluators.features.measurement import Measurement
from evaluators.feedback import NOTHING_TOLD, Told, compose, told_of
from evaluators.grade import Flag, Grade, GradeOptions, Verdict, verdict_for
from evaluators.reading.morphology import compact, surface_words
from evaluators.rules import HINT, JUDGES, SCREENS, TRUNCATION, Fired, Judged
from evaluators.taught import Nudge

OPEN_MIN_WORDS = 3
OPEN_MIN_CHARS = 10
OPEN_SHORT_SCORE = 60


@dataclass(frozen=True)
class Screening:
    """The answer text to grade (maybe truncated) and the screens that fired on it. `final`: a
    screen decided the grade (0) and nothing else runs; otherwise it is graded, then capped by
    what fired."""

    text: str
    fired: tuple[Fired, ...] = ()
    final: bool = False

    @property
    def flags(self) -> tuple[Flag, ...]:
        return tuple(f.flag for f in self.fired)

    @property
    def cap(self) -> int | None:
        """The lowest cap a screen set (None: none)."""
        return _lowest(f.cap for f in self.fired)


def screen(prompt: Prompt, answer: str, *, revealed: bool) -> Screening:
    """Every screen on `answer` to `prompt` (`revealed`: its model answer was shown), after the
    truncation rule has cut it: the first that fires is the only one."""
    text, cut = TRUNCATION.cut(answer.strip())
    for rule in SCREENS:
        fired = rule.check(prompt, text, revealed=revealed)
        if fired is not None:
            return Screening(text, (*cut, fired), final=rule.decides)
    return Screening(text, cut)


@dataclass(frozen=True)
class Contribution:
    """One feature of the head: its value, and what it adds to the sum the link reads."""

    name: str
    value: float
    contribution: float


@dataclass(frozen=True)
class HeadScore:
    """What a head made of an answer: `link(base + sum of the contributions)` times 100,
    rounded, is `raw`."""

    profile: Profile
    base: float
    features: tuple[Contribution, ...]
    raw: int


def head_score(prompt: Prompt, measurement: Measurement, calibration: Calibration) -> HeadScore:
    profile = measurement.profile(prompt)
    head = calibration.head(profile)
    features = measurement.features
    shares = head.contributions(features)
    contributions = tuple(
        Contribution(name, features[name], shares[name]) for name in head.features
    )
    total = head.intercept + sum(shares.values())
    return HeadScore(profile, head.intercept, contributions, round(100 * link(total)))


@dataclass(frozen=True)
class NearestOther:
    """The other question of the bank an answer comes nearest (`prompt`), and what the head that
    scored the answer gives that question's model answer asked here (`grade`): the off-topic
    rule reads it, and an explanation shows it."""

    prompt: Prompt
    grade: int


def nearest_other(
    profile: Profile, measurement: Measurement, calibration: Calibration
) -> NearestOther | None:
    """The answer's nearest other question, its model answer graded here by `profile`'s head;
    None without another question."""
    other = measurement.other_answer
    if other is None:
        return None
    grade = round(100 * calibration.predict(profile, other.measured.features))
    return NearestOther(other.prompt, grade)


@dataclass(frozen=True)
class Explanation:
    """Why a grade is what it is. Where a head scored the answer, `link(base + sum of the
    contributions)` times 100 is `raw`, the score before the rules' caps; where a screen or an
    open prompt decided it, `head` is None and `raw` is that deliberate score. `fired` are the
    rules that fired, in order; `cap` the lowest cap applied. `told` is what feedback tells
    (`feedback.told_of`): each covered concept with the passage of the answer that names it."""

    score: int
    verdict: Verdict
    raw: int
    head: Profile | None = None
    base: float | None = None
    features: tuple[Contribution, ...] = ()
    fired: tuple[Fired, ...] = ()
    cap: int | None = None
    told: Told = NOTHING_TOLD
    link: str | None = None
    taught: Nudge | None = None
    """What answers the team graded moved the score by (`taught.nudge`), after the rules' caps
    and before a hint's cap; None when no team grade was read."""
    nearest_other: NearestOther | None = None
    """The other question the answer came nearest and its model answer's grade here (where a
    head scored the answer and the bank has another question)."""
    moved_by_team: bool = False
    """The team's evidence changed the score the member sees: a hint's cap or the 0-100 bounds
    can absorb a shift, and a shift under half a point moves nothing."""

    @property
    def flags(self) -> tuple[Flag, ...]:
        return tuple(f.flag for f in self.fired)

    @property
    def sibling(self) -> Prompt | None:
        """The sibling question the answer answers, where the sibling rule capped it."""
        return next((f.other for f in self.fired if f.flag is Flag.SIBLING), None)

    @property
    def no_evidence(self) -> str | None:
        """Why the evidence gate shut the answer out, where it did."""
        return next((f.reason for f in self.fired if f.flag is Flag.NO_EVIDENCE), None)

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
    def unsure(self) -> tuple[str, ...]:
        return self.told.unsure

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
            "unsure": list(self.unsure),
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
            "nearest_other": None
            if self.nearest_other is None
            else {"id": self.nearest_other.prompt.id, "grade_here": self.nearest_other.grade},
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
        self, prompt: Prompt, answer: str, **options: Unpack[GradeOptions]
    ) -> Scored: ...


def participation(text: str) -> int:
    """Open prompts are counted, not judged: a genuine attempt of reasonable length earns full
    participation, a very short one less."""
    if len(surface_words(text)) >= OPEN_MIN_WORDS and len(compact(text)) >= OPEN_MIN_CHARS:
        return 100
    return OPEN_SHORT_SCORE


def judge(judged: Judged) -> tuple[Fired, ...]:
    """Every judge on an answer the head scored, each seeing what fired before it."""
    for rule in JUDGES:
        found = rule.judge(judged)
        if found is not None:
            judged = replace(judged, fired=(*judged.fired, found))
    return judged.fired


def explain(
    prompt: Prompt,
    screening: Screening,
    measurement: Measurement | None,
    calibration: Calibration | None,
    *,
    cap: int | None = None,
    taught: Nudge | None = None,
) -> Explanation:
    """The score of an answer to `prompt` that the screens passed on as `screening`, measured as
    `measurement`: 0 when a screen decided it, participation when the prompt is open, else the
    calibration's head and the judges; then every cap that fired, the team's shift (`taught`,
    for a head's score only: a team that graded such an answer high says it is on topic), and
    a hint's `cap`. `measurement` and `calibration` are needed only for a head's score."""
    head: HeadScore | None = None
    other: NearestOther | None = None
    verdict: Verdict | None
    fired = screening.fired
    if screening.final:
        raw, verdict = 0, Verdict.NO_ANSWER
    elif prompt.kind == "open":
        raw, verdict = participation(screening.text), Verdict.ACKNOWLEDGED
    elif measurement is None or calibration is None:
        raise ValueError(f"{prompt.id}: a graded answer needs its measurement and calibration")
    else:
        head = head_score(prompt, measurement, calibration)
        raw, verdict = head.raw, None
        profile = head.profile
        other = nearest_other(profile, measurement, calibration)
        fired = judge(
            Judged(
                prompt,
                screening.text,
                measurement,
                profile,
                calibration.fits(profile),
                fired,
                None if other is None else other.grade,
            )
        )
    low = _lowest(f.cap for f in fired)
    capped = raw if low is None else min(raw, low)
    taught = taught if head is not None else None
    shifted = capped if taught is None else round(capped + taught.shift)
    hint = HINT.over(shifted, cap)
    if hint is not None:
        fired, low = (*fired, hint), _lowest((low, cap))
    final = _bounded(shifted, cap)
    verdict = verdict_for(final) if verdict is None else verdict
    return Explanation(
        score=final,
        verdict=verdict,
        raw=raw,
        head=None if head is None else head.profile,
        base=None if head is None else head.base,
        features=() if head is None else head.features,
        fired=fired,
        cap=low,
        told=NOTHING_TOLD
        if measurement is None or head is None
        else told_of(
            prompt,
            score=final,
            verdict=verdict,
            fired=fired,
            matches=measurement.found.matches,
            near=measurement.found.near,
            doubted=measurement.found.doubted,
        ),
        link=None if head is None else LINK,
        taught=taught,
        moved_by_team=taught is not None and final != _bounded(capped, cap),
        nearest_other=other,
    )


def _lowest(caps: Iterable[int | None]) -> int | None:
    present = [c for c in caps if c is not None]
    return min(present) if present else None


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
        score=why.score,
        told=why.told,
        fired=why.fired,
        team=why.team_told,
        lang=lang,
    )
    grade = Grade(
        score=why.score,
        verdict=why.verdict,
        covered=why.covered,
        missed=why.missed,
        unsure=why.unsure,
        feedback=feedback,
        flags=why.flags,
    )
    return Scored(grade=grade, explanation=why)
