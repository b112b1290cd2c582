"""Content words of Korean and English text, so 소실된다 / 소실이 / 소실 and "gradients" /
"gradient" compare equal.

Korean goes through Kiwi's morphology; Latin-script words and numbers never do. Kiwi reads a
run of English with its Korean language model and cuts words it does not know at odd places
("signature" into "sign" + "ature.", "created" into "cr" + "eated"). So Latin words and numbers
are taken from the text itself, and Kiwi (the process's one, `content.language_tools`) is loaded
only when a text has Hangul or Hanja in it."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from content.language_tools import KIWI_LOCK, kiwi, stem_en

# Kiwi tags that carry meaning: nouns, verb/adjective stems, roots, hanja. Latin words (SL) and
# numbers (SN) are read from the text itself (`_latin_word`).
_CONTENT_TAGS = ("NNG", "NNP", "NR", "VV", "VA", "XR", "SH", "NNB")
_STOP_NOUNS = frozenset({"것", "수", "때", "등", "거", "점", "중", "경우", "이", "그", "뭐"})
_EN_STOP_WORDS = """a an the of to in on for and or but is are was were be been being it its this
that these those with as by from at which what when where who how why can could would should will
may might do does did done has have had not no so if then than there their they them we you your
our i me my he she his her also just more most very much many some any each such into out up about
over only other same both all one two use used using"""
_EN_STOP = frozenset(_EN_STOP_WORDS.split())
_WORD = re.compile(r"[0-9a-z]+|[가-힣]+", re.IGNORECASE)
# A Latin word, or a number with its separators (11,172 and 0.5 stay one number, as Kiwi has them).
_LATIN_OR_NUMBER = re.compile(r"[a-z]+|[0-9]+(?:[.,][0-9]+)*")
ANALYSED_CACHE_SIZE = 2048
"""Texts whose analysis is kept: the bank's (613 seed texts) and team notes' texts, which are read
again for every answer, and the answers of the last while, each read a few times as it is graded.
An answer's analysis holds about 3 KB per 100 characters; at 16384 texts the cache grew by that
much per answer over the first 16384 answers of a process (issue 50)."""
# Hangul syllables and jamo, and CJK ideographs (hanja): the scripts Kiwi is needed for.
_NEEDS_KIWI = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3\u3400-\u4dbf\u4e00-\u9fff]")


def normalize(text: str) -> str:
    """NFKC and casefold: full-width letters and case never decide a match."""
    return unicodedata.normalize("NFKC", text).casefold()


WordSpan = tuple[int, int, str]
"""(start, end, lemma) of one content word, its place in `normalize(text)`."""


BANK_CACHE_SIZE = 16384
"""Bank texts whose analysis is kept apart from the answers': every concept's surface forms (the
default bank has some 12,600), questions and model answers. Each answer reads the forms of its
prompt's concepts and of the questions near it; kept with the answers in `_analysed`, a burst of
200 answers evicted them and Kiwi read some 3,000 forms again per burst, one at a time under its
lock. A form's analysis is a few hundred bytes."""


def content_words(text: str) -> tuple[str, ...]:
    """Content lemmas of `text`, in order: Korean via Kiwi morphemes, English words stemmed and
    stop words dropped, numbers as written."""
    return tuple(word for _, _, word in _analysed(text)[0])


@lru_cache(maxsize=BANK_CACHE_SIZE)
def bank_words(text: str) -> tuple[str, ...]:
    """`content_words` of a text a bank holds (a concept's surface form, a question, a model
    answer), read through a cache of the bank's own texts (`_bank_analysed`)."""
    return tuple(word for _, _, word in _bank_analysed(text)[0])


def bank_morpheme_ids(text: str) -> frozenset[int]:
    """`morpheme_ids` of a text a bank holds, through the bank's cache (`bank_words`)."""
    return _bank_analysed(text)[1]


def content_word_spans(text: str) -> tuple[WordSpan, ...]:
    """`content_words` with where each stands in `normalize(text)`: what a concept matched by its
    lemmas shows of the answer."""
    return _analysed(text)[0]


def morpheme_ids(text: str) -> frozenset[int]:
    """Kiwi's ids of the Korean content morphemes of `text` (the ones `content_words` keeps), for
    `best_similarities`; empty for text without Hangul or Hanja."""
    return _analysed(text)[1]


@lru_cache(maxsize=ANALYSED_CACHE_SIZE)
def _analysed(text: str) -> tuple[tuple[WordSpan, ...], frozenset[int]]:
    """`_analyse`, cached: an answer is read a few times as it is graded."""
    return _analyse(text)


def _analyse(text: str) -> tuple[tuple[WordSpan, ...], frozenset[int]]:
    """Content lemmas with their spans and Korean morpheme ids of `text`, from one Kiwi pass."""
    normalized = normalize(text)
    if not normalized.strip():
        return (), frozenset()
    latin = [
        (match.start(), match.end(), match.group())
        for match in _LATIN_OR_NUMBER.finditer(normalized)
    ]
    found = [(start, end, word) for start, end, run in latin if (word := _latin_word(run))]
    ids: frozenset[int] = frozenset()
    if _NEEDS_KIWI.search(normalized):
        spans = [(start, end) for start, end, _ in latin]
        korean = _korean_words(normalized, spans)
        found.extend((start, end, word) for start, end, word, _ in korean)
        found.sort(key=lambda item: item[0])
        ids = frozenset(morpheme for _, _, _, morpheme in korean if morpheme is not None)
    return tuple(found), ids


@lru_cache(maxsize=BANK_CACHE_SIZE)
def _bank_analysed(text: str) -> tuple[tuple[WordSpan, ...], frozenset[int]]:
    return _analyse(text)


SIMILARITY_CACHE_SIZE = 1 << 16
"""Morpheme pairs whose Kiwi similarity is kept (`_similarity`): some 15 MB at the bound."""


def best_similarities(forms: frozenset[int], answer: frozenset[int]) -> list[float]:
    """For each morpheme of `forms`, its best semantic similarity (0-1) to a morpheme of
    `answer`: the cosine of Kiwi's own morpheme embeddings (its CoNg language model, loaded with
    the morphology anyway), negative read as 0, a morpheme without an embedding as 0. Kiwi knows
    that 합성 and 결합 are near where the bundled English embedding model reads Hangul as
    unknown pieces."""
    if not forms or not answer:
        return [0.0] * len(forms)
    best: list[float] = []
    with KIWI_LOCK:
        for form in forms:
            if form in answer:
                best.append(1.0)
                continue
            best.append(max((_similarity(form, word) for word in answer), default=0.0))
    return best


@lru_cache(maxsize=SIMILARITY_CACHE_SIZE)
def _similarity(form: int, word: int) -> float:
    """Kiwi's cosine of two morphemes, negative read as 0 and 0 for a morpheme without an
    embedding; kept, since a concept's morphemes meet the same everyday morphemes in answer
    after answer (a burst of 200 answers asked Kiwi for the same pairs again and again). Called
    under `KIWI_LOCK`."""
    try:
        return max(0.0, float(kiwi().morpheme_similarity(form, word)))
    except ValueError:  # a morpheme the language model has no embedding for
        return 0.0


def _latin_word(run: str) -> str | None:
    """A number as written; an English word stemmed, or None for a stop word or one letter."""
    if run[0].isdigit():
        return run
    if run in _EN_STOP or len(run) < 2:
        return None
    return stem_en(run)


def _korean_words(
    normalized: str, latin_spans: list[tuple[int, int]]
) -> list[tuple[int, int, str, int | None]]:
    """(start, end, lemma, Kiwi's morpheme id or None for a word it does not know) of Kiwi's
    content morphemes, leaving out whatever Kiwi made of the Latin words and numbers (those are
    read by `_latin_word`)."""
    analyser = kiwi()
    with KIWI_LOCK:  # one analyser shared by the loop and the batch thread
        tokens = analyser.tokenize(normalized)
        words: list[tuple[int, int, str, int | None]] = []
        for token in tokens:
            tag = str(token.tag)
            if not tag.startswith(_CONTENT_TAGS):
                continue
            start, end = int(token.start), int(token.start) + int(token.len)
            if any(start < run_end and run_start < end for run_start, run_end in latin_spans):
                continue
            form = str(token.form).casefold()
            if tag in {"VV", "VA"} or form not in _STOP_NOUNS:
                # A word Kiwi does not know (파이토치, 텐서플로우) gets the id of an empty
                # "unknown noun" entry that every such word shares: no id of its own to compare.
                known = bool(analyser.morpheme(token.id).form)
                words.append((start, end, form, int(token.id) if known else None))
    return words


def surface_words(text: str) -> list[str]:
    """Plain words (Hangul runs, Latin/digit runs), without morphology: for counting length."""
    return [word for _, _, word in surface_word_spans(text)]


def surface_word_spans(text: str) -> list[WordSpan]:
    """`surface_words` with where each stands in `normalize(text)`."""
    return [(m.start(), m.end(), m.group()) for m in _WORD.finditer(normalize(text))]


_NOT_ALNUM = re.compile(r"[\W_]")
"""What `str.isalnum` is false for: a word character of `re` is one it is true for, or `_`."""


def compact(text: str) -> str:
    """Letters and digits only, lower-cased: spacing and punctuation never decide a match."""
    return _NOT_ALNUM.sub("", normalize(text))
