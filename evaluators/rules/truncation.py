"""Truncation: an answer longer than the grader reads (`grade.MAX_ANSWER_CHARS`) is cut to its
start, graded, and told so. It only annotates: the other rules read what is left."""

from __future__ import annotations

from evaluators.grade import MAX_ANSWER_CHARS, Flag
from evaluators.rules.rule import Fired, Rule


class Truncation(Rule):
    flag = Flag.TRUNCATED

    def cut(self, text: str) -> tuple[str, tuple[Fired, ...]]:
        """`text` as the grader reads it, and this rule's `Fired` where it was cut."""
        if len(text) <= MAX_ANSWER_CHARS:
            return text, ()
        return text[:MAX_ANSWER_CHARS], (self.fired(words={"limit": str(MAX_ANSWER_CHARS)}),)


RULE = Truncation()
