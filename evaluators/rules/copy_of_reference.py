"""A copy of a model answer already revealed to the member scores 0: summarising it in one's own
words is the exercise."""

from __future__ import annotations

from content.schema import Prompt
from evaluators.grade import Flag
from evaluators.reading.copies import copies
from evaluators.rules.rule import Fired, Screen

REFERENCE_COPY_RATIO = 85.0


class CopyOfReference(Screen):
    flag = Flag.COPY_OF_REFERENCE
    decides = True

    def check(self, prompt: Prompt, text: str, *, revealed: bool) -> Fired | None:
        sources = [r.text for r in prompt.references]
        return self.fired() if revealed and copies(text, sources, REFERENCE_COPY_RATIO) else None


RULE = CopyOfReference()
