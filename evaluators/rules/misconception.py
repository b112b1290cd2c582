"""An answer that states one of its prompt's misconceptions (the bank's, or a team's notes'
`Misconception:` line) more plainly than any claim of the model answers is capped at
`MISCONCEPTION_CAP` and told which misconception it states, whatever the head scored: a sentence
vector reads "L2 makes weights exactly zero, L1 shrinks them" as the model answer itself
(`stated_misconceptions` reads it claim by claim).

An answer that only shares a misconception's words (`echoes_misconception`) is flagged without a
cap, and told so only where it scores below `MISCONCEPTION_NOTE_BELOW`: the head reads the same
nearness (`mis_gap`, `mis_overlap`) and scores it."""

from __future__ import annotations

from content.schema import Lang, Localized
from evaluators.features.raw import Measures
from evaluators.grade import Flag
from evaluators.rules.rule import Fired, Judge, Judged
from evaluators.texts import GRADER

MISCONCEPTION_CAP = 40
"""The most an answer that states a misconception may score: "partial" at best, never right."""
MISCONCEPTION_MIN_OVERLAP = 0.3
MISCONCEPTION_NOTE_BELOW = 70
"""The score under which an answer that only echoes a misconception's words is told so: a
well-graded answer is not told it is close to one."""


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

    def tells(self, fired: Fired, *, score: int, flags: frozenset[Flag]) -> bool:
        if "stated" in fired.words:
            return True
        return score < MISCONCEPTION_NOTE_BELOW and "misconception" in fired.words

    def say(self, fired: Fired, lang: Lang, *, question: Localized) -> str:
        if "stated" not in fired.words:
            return super().say(fired, lang, question=question)
        return GRADER.text(
            lang, f"{self.message_key}_stated", misconception=fired.words["misconception"]
        )


RULE = Misconception()
