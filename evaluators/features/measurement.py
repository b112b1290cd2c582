"""One answer measured against one prompt, as one record with a part for each reader: the numbers
the features are computed from (the head reads them, and so do the rules that cap), what the
answer was found to say (which concepts, where, which misconception, which sibling: feedback
names them), and whether it says a model answer's words (the evidence gate)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

from content.schema import Lang, Prompt
from evaluators.features import values
from evaluators.features.feature import Profile, profile_for
from evaluators.features.raw import Measures
from evaluators.reading.concepts import ConceptMatch
from evaluators.reading.contrasts import NOTHING_READ, Reading


@dataclass(frozen=True)
class Found:
    """What the answer says that feedback names: the key concepts it names (each with where:
    `matches`) and misses, the misconception (its index in the prompt's) whose words it shares
    most (None without misconceptions), and the sibling question (the main question or a
    follow-up of the same thread) whose model answer it comes nearest (None without one), and
    which of its claims say the opposite of the model answers, in its own words. `covered` are
    the concepts whose words it says (what the features and the evidence gate read); `matches`
    leave out a concept named only inside a reversed claim: it is not credited to the member."""

    covered: tuple[str, ...] = ()
    missed: tuple[str, ...] = ()
    matches: tuple[ConceptMatch, ...] = ()
    echoed: int | None = None
    stated: int | None = None
    """The misconception (its index in the prompt's) one of the answer's claims states more
    plainly than any claim of the model answers (`stated_misconceptions`); None without one."""
    sibling: Prompt | None = None
    claims: Reading = NOTHING_READ
    """The answer's claims read against the model answers (`reading.contrasts`)."""
    quotes: tuple[str, ...] = ()
    """The answer's own words of each reversed claim, in `claims.reversed`'s order."""
    near: tuple[str, ...] = ()
    """The key concepts not credited that the answer comes near (`signals._near`): neither
    covered nor surely missed."""
    doubted: tuple[str, ...] = ()
    """The concepts of `matches` the grader is not sure the answer states
    (`reading.sure_credit`): credited, but told neither way."""


@dataclass(frozen=True)
class OtherAnswer:
    """Another question of the bank (`prompt`) whose model answer an answer comes nearest, that
    model answer measured as an answer to the prompt asked (`measured`): where the head would
    call it right here, nearness to it says nothing against the answer (the off-topic rule)."""

    prompt: Prompt
    measured: Measurement


@dataclass(frozen=True)
class Measurement:
    """Everything measured of one answer: `measures` (the features' inputs), `found` (what
    feedback names) and `says_words`, whether the answer says a word of a model answer, one
    with a letter, that the question does not give away (`signals._says_a_word`): the evidence
    gate reads it, no feature does."""

    measures: Measures
    found: Found = Found()
    says_words: bool = False
    lang: Lang | None = None
    """The answer's language (None: not read, as in a measurement made by hand)."""
    other_answer: OtherAnswer | None = None
    """The model answer of another question this answer comes nearest (the off-topic rule's
    other question), measured as an answer to this prompt; None without another question."""

    def profile(self, prompt: Prompt) -> Profile:
        """The head that scores this answer to `prompt` (`features.feature.profile_for`)."""
        return profile_for(prompt, self.lang)

    @cached_property
    def features(self) -> Mapping[str, float]:
        """Every feature by name (`features.values`), computed once."""
        return values(self.measures)

    @property
    def nearest(self) -> float:
        """How near the answer comes to any of the prompt's model answers (the gate reads it)."""
        return self.measures.ref_sim

    @property
    def shares_words(self) -> bool:
        """Whether the answer says a model answer's own words or names a key concept (the gate
        reads it)."""
        return self.says_words or bool(self.found.covered)

    @property
    def covered(self) -> tuple[str, ...]:
        return self.found.covered
