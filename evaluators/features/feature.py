"""The record every feature is declared with: its name, what it says, how it is computed from one
answer's raw measurements, what stands in when it cannot be computed, and which heads read it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Literal

from content.schema import Lang, Prompt
from evaluators.features.raw import Measures

MEASURED = frozenset(field.name for field in fields(Measures))
"""The raw measurements by name: a feature without a computation is the one of its name."""

Profile = Literal["concepts", "reference_only", "other_language"]
"""A calibration head: `concepts` for bank prompts (key concepts known), `reference_only` for
prompts that bring just a question and a model answer (a team's notes, Mohler), and
`other_language` for an answer written in another language than every model answer of its
prompt (an English answer to Korean notes)."""


def profile_for(prompt: Prompt, lang: Lang | None = None) -> Profile:
    """The head that scores answers to `prompt` (in `lang`, where known): bank prompts name key
    concepts; a team's notes or external data (Mohler) bring only a model answer. An answer in
    a language none of the model answers is written in shares none of their words, and its
    cosine with them sits lower than a same-language answer's of the same worth: the heads that
    read words and same-language cosines would mark it down for its language, so a head that
    reads only what crosses languages scores it."""
    if lang is not None and prompt.references and not prompt.references_in(lang):
        return "other_language"
    return "concepts" if prompt.concepts else "reference_only"


@dataclass(frozen=True)
class Feature:
    """One number a calibration head may read. `compute` gives None when the answer's
    measurements lack what it needs (no key concepts, no token vectors); the feature then reads
    the value of the feature named `stand_in`, so a head never sees a hole. Without `compute`,
    the feature is the raw measurement of its own name."""

    name: str
    meaning: str
    compute: Callable[[Measures], float | None] | None = None
    heads: tuple[Profile, ...] = ()
    stand_in: str | None = None

    def __post_init__(self) -> None:
        if self.compute is None and self.name not in MEASURED:
            raise ValueError(f"feature {self.name} has no computation and no measurement")

    def of(self, measures: Measures) -> float | None:
        """Its value for one answer's `measures` (None: read its stand-in)."""
        if self.compute is None:
            measured: float | None = getattr(measures, self.name)
            return measured
        return self.compute(measures)
