"""Content words of Korean and English text, so 소실된다 / 소실이 / 소실 and "gradients" /
"gradient" compare equal. Kiwi is loaded once per process, on first use (it takes a second)."""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache
from typing import Any

_kiwi: Any = None
_kiwi_lock = threading.RLock()

# Kiwi tags that carry meaning: nouns, verb/adjective stems, roots, foreign words, numbers, hanja.
_CONTENT_TAGS = ("NNG", "NNP", "NR", "VV", "VA", "XR", "SL", "SN", "SH", "NNB")
_STOP_NOUNS = frozenset({"것", "수", "때", "등", "거", "점", "중", "경우", "이", "그", "뭐"})
_EN_STOP_WORDS = """a an the of to in on for and or but is are was were be been being it its this
that these those with as by from at which what when where who how why can could would should will
may might do does did done has have had not no so if then than there their they them we you your
our i me my he she his her also just more most very much many some any each such into out up about
over only other same both all one two use used using"""
_EN_STOP = frozenset(_EN_STOP_WORDS.split())
_EN_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ied", "es", "ed", "ly", "s")
_WORD = re.compile(r"[0-9a-z]+|[가-힣]+", re.IGNORECASE)


def _get_kiwi() -> Any:
    global _kiwi  # noqa: PLW0603 - one Kiwi per process, built lazily
    with _kiwi_lock:
        if _kiwi is None:
            from kiwipiepy import Kiwi

            _kiwi = Kiwi(load_default_dict=False, load_multi_dict=False)
        return _kiwi


def normalize(text: str) -> str:
    """NFKC and casefold: full-width letters and case never decide a match."""
    return unicodedata.normalize("NFKC", text).casefold()


def stem_en(word: str) -> str:
    """A deliberately crude English stemmer (plural, -ing, -ed, -ation): enough for concept
    matching, and no extra dependency."""
    for suffix in _EN_SUFFIXES:
        if len(word) - len(suffix) >= 4 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


@lru_cache(maxsize=16384)
def content_words(text: str) -> tuple[str, ...]:
    """Content lemmas of `text`, in order: Korean via Kiwi morphemes, English words stemmed and
    stop words dropped. Cached because references and concept names are analysed again and again."""
    normalized = normalize(text)
    if not normalized.strip():
        return ()
    kiwi = _get_kiwi()
    with _kiwi_lock:  # one analyser shared by the loop and the batch thread
        tokens = kiwi.tokenize(normalized)
    words: list[str] = []
    for token in tokens:
        tag = str(token.tag)
        if not tag.startswith(_CONTENT_TAGS):
            continue
        form = str(token.form).casefold()
        if tag == "SL":
            for part in re.findall(r"[a-z0-9]+", form):
                if part not in _EN_STOP and len(part) > 1:
                    words.append(stem_en(part))
        elif tag in {"VV", "VA"} or form not in _STOP_NOUNS:
            words.append(form)
    return tuple(words)


def surface_words(text: str) -> list[str]:
    """Plain words (Hangul runs, Latin/digit runs), without morphology: for counting length."""
    return _WORD.findall(normalize(text))


def compact(text: str) -> str:
    """Letters and digits only, lower-cased: spacing and punctuation never decide a match."""
    return "".join(ch for ch in normalize(text) if ch.isalnum())
