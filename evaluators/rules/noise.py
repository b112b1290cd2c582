"""Noise scores 0: emoji floods, jamo runs (ㅋㅋㅋ, ㅁㄴㅇㄹ), repeated characters, keyboard mash,
random symbols. A formula or code is mostly symbols too, and is an answer."""

from __future__ import annotations

import re
import unicodedata

from content.schema import Prompt
from evaluators.grade import Flag
from evaluators.reading.morphology import normalize, surface_words
from evaluators.reading.notation import looks_like_formula
from evaluators.rules.rule import Fired, Screen

_MASH = re.compile(r"asdf|qwer|zxcv|hjkl|jkl;|sdfg|wasd|uiop|fdsa", re.IGNORECASE)
_VOWELS = set("aeiouy")


def _is_symbolic(ch: str) -> bool:
    return unicodedata.category(ch)[0] in {"S", "P"} or ord(ch) >= 0x1F000


def _is_jamo(ch: str) -> bool:
    """Bare consonants/vowels (ㅋ, ㅁ, ㅏ), in compatibility or conjoining form (NFKC maps the
    first to the second)."""
    return "\u3131" <= ch <= "\u318e" or "\u1100" <= ch <= "\u11ff"


def _real_words(text: str) -> list[str]:
    """Words that look like language: Hangul syllables, or Latin words with a vowel and no
    keyboard-mash run; digits count too (equations and sizes are legitimate)."""
    words = []
    for word in surface_words(text):
        if (
            re.fullmatch(r"[가-힣]+", word)
            or word.isdigit()
            or (
                re.fullmatch(r"[a-z0-9]+", word)
                and any(ch in _VOWELS for ch in word)
                and not _MASH.search(word)
                and not re.search(r"[^aeiouy0-9]{6,}", word)
            )
        ):
            words.append(word)
    return words


_TEST_POST = re.compile(
    r"^\W*(?:test(?:ing)?|테스트(?:입니다|예요|요)?|(?:asdf|qwer|zxcv)\w*)(?:\W+\d+)*\W*$"
)
"""A post that only tries the bot out ("test", "테스트입니다", "asdf", "test 123")."""


def is_noise(text: str) -> bool:
    """No real word and mostly symbols or jamo, or almost no real words at all, or a test post
    (`_TEST_POST`). A formula or code (`x̂ = (x − μ) / √(σ² + ε)`) is mostly symbols too, and
    is an answer."""
    chars = [ch for ch in normalize(text) if not ch.isspace()]
    if not chars or looks_like_formula(text):
        return False
    if _TEST_POST.match(normalize(text)):
        return True
    real = _real_words(text)
    if len(set(chars)) <= 2 and len(chars) >= 4:
        return True
    symbolic = sum(1 for ch in chars if _is_symbolic(ch)) / len(chars)
    jamo = sum(1 for ch in chars if _is_jamo(ch)) / len(chars)
    if not real and (symbolic >= 0.4 or jamo >= 0.4):
        return True
    words = surface_words(text)
    return bool(words) and len(real) / len(words) < 0.3 and len(chars) >= 6


class Noise(Screen):
    flag = Flag.NOISE
    decides = True

    def check(self, prompt: Prompt, text: str, *, revealed: bool) -> Fired | None:
        return self.fired() if is_noise(text) else None


RULE = Noise()
