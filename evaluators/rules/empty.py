"""An empty answer scores 0 and is asked for a sentence or two."""

from __future__ import annotations

from typing import ClassVar

from content.schema import Prompt
from evaluators.grade import Flag
from evaluators.rules.rule import Fired, Message, Screen


class Empty(Screen):
    flag = Flag.EMPTY
    decides = True
    message: ClassVar[Message] = {
        "ko": "빈 답이에요. 한두 문장이라도 써 보세요.",
        "en": "The answer is empty. Try a sentence or two.",
    }

    def check(self, prompt: Prompt, text: str, *, revealed: bool) -> Fired | None:
        return None if text else self.fired()


RULE = Empty()
