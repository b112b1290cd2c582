"""An answer that says what a known misconception says is flagged, and, where it scores below
`MISCONCEPTION_NOTE_BELOW`, told which misconception it is close to. It sets no cap: the head
reads the same nearness (`mis_gap`, `mis_overlap`) and scores it."""

from __future__ import annotations

from typing import ClassVar

from evaluators.features.raw import Measures
from evaluators.grade import Flag
from evaluators.rules.rule import Fired, Judge, Judged, Message

MISCONCEPTION_MIN_OVERLAP = 0.3
MISCONCEPTION_NOTE_BELOW = 70
"""The score under which an answer that echoes a misconception is told so: a well-graded answer
is not told it is close to one."""


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
    message: ClassVar[Message] = {
        "ko": "흔한 오해에 가까운 답이에요: “{misconception}”",
        "en": "This is close to a common misconception: “{misconception}”",
    }

    def judge(self, judged: Judged) -> Fired | None:
        if not echoes_misconception(judged.measurement.measures):
            return None
        echoed = judged.measurement.found.echoed
        if echoed is None:
            return self.fired()
        return self.fired(words={"misconception": judged.prompt.misconceptions[echoed].text})

    def tells(self, fired: Fired, *, score: int, flags: frozenset[Flag]) -> bool:
        return score < MISCONCEPTION_NOTE_BELOW and "misconception" in fired.words


RULE = Misconception()
