"""An answer that states one of its prompt's misconceptions (the bank's, or a team's notes'
`Misconception:` line) more plainly than any claim of the model answers is capped at
`MISCONCEPTION_CAP` and told which misconception it states, whatever the head scored: a sentence
vector reads "L2 makes weights exactly zero, L1 shrinks them" as the model answer itself
(`stated_misconceptions` reads it claim by claim).

An answer that only shares a misconception's words (`echoes_misconception`) is flagged without a
cap and told nothing: the head reads the same nearness (`mis_gap`, `mis_overlap`) and scores it,
and sharing words is no sure reading (a right half answer that defines two terms correctly
shares the words of a misconception that swaps them)."""

from __future__ import annotations

from evaluators.features.raw import Measures
from evaluators.grade import Flag
from evaluators.rules.rule import Fired, Judge, Judged

MISCONCEPTION_CAP = 40
"""The most an answer that states a misconception may score: "partial" at best, never right."""
MISCONCEPTION_MIN_OVERLAP = 0.3


def echoes_misconception(measures: Measures) -> bool:
    """The answer shares more of a misconception's own words than of any reference's, and is at
    least as close to it in embedding space."""
    return (
        measures.mis_overlap >= MISCONCEPTION_MIN_OVERLAP
        and measures.mis_overlap > measures.lex_recall
        and measures.mis_sim >= measures.ref_sim
    )


class Misconception(Judge):
    flag = Flag.MISCONCEPTION

    def judge(self, judged: Judged) -> Fired | None:
        found = judged.measurement.found
        misconceptions = judged.prompt.misconceptions
        if found.stated is not None:
            return self.fired(
                cap=MISCONCEPTION_CAP,
                words={"misconception": misconceptions[found.stated].text, "stated": "yes"},
                reason="one of its claims is nearer the misconception than any claim of the "
                "model answers",
            )
        if not echoes_misconception(judged.measurement.measures):
            return None
        if found.echoed is None:
            return self.fired()
        return self.fired(words={"misconception": misconceptions[found.echoed].text})

    def withholds(self, fired: Fired) -> bool:
        """An answer that states a misconception is credited no concept: the words it shares
        with the model answer are said in a wrong claim (a wrong answer credited with what it
        reverses teaches the wrong thing)."""
        return "stated" in fired.words

    def tells(self, fired: Fired, *, score: int, flags: frozenset[Flag]) -> bool:
        """Only a misconception stated is told, whatever the score."""
        return "stated" in fired.words


RULE = Misconception()
