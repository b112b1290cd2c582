"""Whether an answer is written in a language the grader reads: Korean or English. A Japanese or
Chinese answer (kana and Han characters, no Hangul) would be graded as a wrong English answer,
"incorrect" with no word of why; every place a member answers (chat, practice, the web page's
"Try the grader", `quizmaster grade`) refuses one instead, saying which languages are read.

Only a clear case is refused: an answer with any Hangul is Korean, however many Han characters
it holds (a term written in Hanja beside it), and one whose Latin letters outnumber its kana and
Han characters is English with a term in Han beside it. A Latin letter is a fraction of a word
and a Han character about a word, so a Japanese sentence with `ReLU` in it stays Japanese.
"""

from __future__ import annotations

import re

_HANGUL = re.compile(
    "[\u1100-\u115e\u1161-\u11ff\u3131-\u3163\u3165-\u318e\ua960-\ua97c\uac00-\ud7a3"
    "\ud7b0-\ud7fb\uffa1-\uffdc]"
)
"""Hangul syllables and jamo (the compatibility, extended and halfwidth ones included), but not
the Hangul fillers, which draw nothing (`content.text_rule`)."""
_LATIN = re.compile("[A-Za-z]")
_KANA_HAN = re.compile(
    "[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9d"
    "\U00020000-\U0003134f]"
)
"""Hiragana, katakana (the phonetic extensions and the halfwidth forms included) and Han
characters (the unified ideographs, their extensions and the compatibility block)."""


def unread_script(answer: str) -> bool:
    """Whether `answer` is in kana or Han characters rather than Korean or English: it holds
    no Hangul, and its kana and Han characters outnumber its Latin letters."""
    if _HANGUL.search(answer):
        return False
    kana_han = len(_KANA_HAN.findall(answer))
    return kana_han > len(_LATIN.findall(answer))
