"""A hint's cap (CAPPED): an answer given after a hint scores at most the cap the quiz sets, and is
told so. It comes last, after the team's grades have moved the score."""

from __future__ import annotations

from evaluators.grade import Flag
from evaluators.rules.rule import Fired, Rule


class HintCap(Rule):
    flag = Flag.CAPPED

    def over(self, score: int, cap: int | None) -> Fired | None:
        """Fired when `score` is above the hint's `cap`."""
        return self.fired(cap=cap) if cap is not None and score > cap else None


RULE = HintCap()
