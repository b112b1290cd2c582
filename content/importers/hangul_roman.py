"""Hangul written in Latin letters, syllable by syllable, for readable ids of Korean names.

Revised Romanization's letter tables without its sound-change rules (학습 gives `hakseup`, 같이
gives `gati`, not `gachi`): an id only has to be readable, stable and ASCII, never a digest.
"""

from __future__ import annotations

_INITIALS: tuple[str, ...] = ("g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "")
_INITIALS += ("j", "jj", "ch", "k", "t", "p", "h")
_VOWELS: tuple[str, ...] = ("a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe")
_VOWELS += ("yo", "u", "wo", "we", "wi", "yu", "eu", "ui", "i")
_FINALS: tuple[str, ...] = ("", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l")
_FINALS += ("l", "l", "p", "l", "m", "p", "p", "t", "t", "ng", "t", "t", "k", "t", "p", "t")
_FIRST, _LAST = 0xAC00, 0xD7A3


def romanize(text: str) -> str:
    """`text` with every precomposed Hangul syllable spelled in Latin letters; the rest as is."""
    out: list[str] = []
    for char in text:
        code = ord(char)
        if _FIRST <= code <= _LAST:
            index = code - _FIRST
            initial, rest = divmod(index, len(_VOWELS) * len(_FINALS))
            vowel, final = divmod(rest, len(_FINALS))
            out.append(_INITIALS[initial] + _VOWELS[vowel] + _FINALS[final])
        else:
            out.append(char)
    return "".join(out)
