"""A term on its own (ONE_WORD): one word, or one key concept's wording and nothing else
("vanishing gradient"), names something and says nothing of it. To a prompt with key concepts it
scores as an answer with no evidence does and is credited no concept (a term is no concept); to
a prompt with model answers only (a team's) it is capped at `ONE_WORD_CAP`, since the grader
cannot tell a term from a terse answer there."""

from __future__ import annotations

from functools import lru_cache

from content.schema import Concept, Prompt
from evaluators.grade import Flag
from evaluators.reading.concepts import AnswerText, concept_matches
from evaluators.reading.morphology import compact, surface_words
from evaluators.rules.evidence_gate import NO_EVIDENCE_CAP
from evaluators.rules.rule import Fired, Screen

ONE_WORD_CAP = 40
"""One word to a prompt with model answers only (a team's): people grade a right word partly
right (Mohler's dev half)."""
TERM_ALONE_CAP = NO_EVIDENCE_CAP
"""A term on its own to a prompt with key concepts."""
EXPLANATION_MIN_WORDS = 6


def _expects_explanation(prompt: Prompt) -> bool:
    """One word is not an explanation, unless the model answer itself is only a few words
    (external short-answer data: "push", "Through iteration.")."""
    return all(len(surface_words(r.text)) >= EXPLANATION_MIN_WORDS for r in prompt.references)


@lru_cache(maxsize=1024)
def _longest_wording(concepts: tuple[Concept, ...]) -> int:
    """The characters (letters and digits) of the longest wording of any of `concepts`: worked
    out once per prompt's concepts, not for every answer."""
    return max((len(compact(f)) for c in concepts for f in c.surface_forms()), default=0)


def is_term_alone(prompt: Prompt, text: str) -> bool:
    """Whether the answer is one word, or one key concept's wording and nothing else ("vanishing
    gradient", "Vanishing gradient."): a name with no claim about it. A concept named inside a
    sentence is not alone, nor are two concepts named side by side."""
    if len(surface_words(text)) <= 1:
        return True
    if len(compact(text)) > _longest_wording(prompt.concepts):
        return False  # longer than any wording: more than a term, and no analysis spent on it
    answer = AnswerText.of(text)
    return any(
        m.spans and not answer.blanked(m.spans).replace("\0", "")
        for m in concept_matches(prompt.concepts, answer)
    )


class TermAlone(Screen):
    flag = Flag.ONE_WORD
    cap = TERM_ALONE_CAP
    withholds_credit = True

    def check(self, prompt: Prompt, text: str, *, revealed: bool) -> Fired | None:
        if not (_expects_explanation(prompt) and is_term_alone(prompt, text)):
            return None
        return self.fired(cap=TERM_ALONE_CAP if prompt.concepts else ONE_WORD_CAP)


RULE = TermAlone()
