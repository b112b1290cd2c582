"""A copy of a model answer already revealed to the member scores 0: summarising it in one's own
words is the exercise."""

from __future__ import annotations

from typing import ClassVar

from content.schema import Prompt
from evaluators.grade import Flag
from evaluators.reading.copies import copies
from evaluators.rules.rule import Fired, Message, Screen

REFERENCE_COPY_RATIO = 85.0


class CopyOfReference(Screen):
    flag = Flag.COPY_OF_REFERENCE
    decides = True
    message: ClassVar[Message] = {
        "ko": "공개된 모범 답안을 옮긴 답은 점수에 들어가지 않아요. 자기 말로 요약해 보세요.",
        "en": "A copy of the revealed model answer doesn't score. Summarise it in your own words.",
    }

    def check(self, prompt: Prompt, text: str, *, revealed: bool) -> Fired | None:
        sources = [r.text for r in prompt.references]
        return self.fired() if revealed and copies(text, sources, REFERENCE_COPY_RATIO) else None


RULE = CopyOfReference()
