"""What a fit sees of each graded row: the guardrails' decision and, where they pass it on, the
answer's measurement, taken once through any `FeatureSource` so heads can be refitted without
encoding again."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from content.schema import Prompt
from content.text_rule import well_formed
from evaluators.features.feature import Profile, profile_for
from evaluators.features.measurement import Measurement
from evaluators.fitting.rows import Row, group_of
from evaluators.scoring import Screening, screen
from evaluators.signals import as_answered


class FeatureSource(Protocol):
    """Anything that measures an answer to a prompt (`measuring.AnswerMeasurer`, or the live
    grader, which measures through one)."""

    async def measure(self, prompt: Prompt, answer: str) -> Measurement: ...


@dataclass(frozen=True)
class Sample:
    """One row as scoring sees it: the guardrails' screening, and the answer's measurement (None
    when a guardrail decided the score)."""

    row: Row
    prompt: Prompt
    group: str
    screening: Screening
    measurement: Measurement | None

    @property
    def features(self) -> Mapping[str, float] | None:
        return None if self.measurement is None else self.measurement.features

    @property
    def covered(self) -> tuple[str, ...]:
        return () if self.measurement is None else self.measurement.covered

    @property
    def target(self) -> float:
        return self.row.score / self.row.score_max

    @property
    def profile(self) -> Profile:
        if self.measurement is None:
            return profile_for(self.prompt)
        return self.measurement.profile(self.prompt)


async def collect(
    source: FeatureSource,
    rows: Sequence[Row],
    prompts: Sequence[Prompt],
    *,
    on_done: Callable[[], None] | None = None,
) -> list[Sample]:
    """Screen and measure every row; `on_done` is called as each row is measured (progress of a
    long fit)."""

    async def one(row: Row, prompt: Prompt) -> Sample:
        answer = well_formed(row.answer)
        prompt = as_answered(prompt, answer)
        screening = screen(prompt, answer, revealed=False)
        measurement = None
        if not screening.final:
            measurement = await source.measure(prompt, screening.text)
        if on_done is not None:
            on_done()
        return Sample(row, prompt, group_of(row, prompt), screening, measurement)

    return list(await asyncio.gather(*(one(r, p) for r, p in zip(rows, prompts, strict=True))))
