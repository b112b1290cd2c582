"""Truncation: an answer longer than the grader reads (`grade.MAX_ANSWER_CHARS`) is cut to its
start, graded, and told so. It only annotates: the other rules read what is left."""

from __future__ import annotations

from typing import ClassVar

from evaluators.grade import MAX_ANSWER_CHARS, Flag
from evaluators.rules.rule import Fired, Message, Rule


class Truncation(Rule):
    flag = Flag.TRUNCATED
    message: ClassVar[Message] = {
        "ko": "답이 너무 길어 앞부분 {limit}자만 채점했어요.",
        "en": "The answer was long; only the first {limit} characters were graded.",
    }

    def cut(self, text: str) -> tuple[str, tuple[Fired, ...]]:
        """`text` as the grader reads it, and this rule's `Fired` where it was cut."""
        if len(text) <= MAX_ANSWER_CHARS:
            return text, ()
        return text[:MAX_ANSWER_CHARS], (self.fired(words={"limit": str(MAX_ANSWER_CHARS)}),)


RULE = Truncation()
