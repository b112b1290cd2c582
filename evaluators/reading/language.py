"""Which language an answer (or one claim of it) is written in: the grader reads Korean and
English, and picks the model answers, misconceptions and wordings of that language."""

from __future__ import annotations

import re

from content.schema import Lang

_HANGUL = re.compile(r"[가-힣ㄱ-ㅎㅏ-ㅣ]")
_LATIN = re.compile(r"[A-Za-z]")


def answer_language(text: str) -> Lang:
    """Korean when Hangul dominates the letters; English otherwise (code-mixed answers are common,
    so "ReLU는 ..." still counts as Korean)."""
    hangul = len(_HANGUL.findall(text))
    latin = len(_LATIN.findall(text))
    return "ko" if hangul >= 0.2 * max(1, hangul + latin) else "en"
