"""An empty answer scores 0 and is asked for a sentence or two."""

from __future__ import annotations

from content.schema import Prompt
from evaluators.grade import Flag
from evaluators.rules.rule import Fired, Screen


class Empty(Screen):
    flag = Flag.EMPTY
    decides = True

    def check(self, prompt: Prompt, text: str, *, revealed: bool) -> Fired | None:
        return None if text else self.fired()


RULE = Empty()
