"""The two language tools that both the concept drafter (`content.importers.concept_draft`) and
the grader (`evaluators.reading.morphology`) read words with, one of each per process: Kiwi for
Korean and the English Snowball stemmer. They live on the ground floor so the two share them:
Kiwi is large and slow to load, and a process that grades answers and imports notes on the web
page loads it once.

Kiwi allocates through its own copy of mimalloc, which by default keeps freed pages for a while
before handing them back. `MIMALLOC_PURGE_DELAY=0` (set unless the environment sets it) hands
them back at once, at the same speed (docs/grading.md, "Korean through Kiwi, English as
written")."""

from __future__ import annotations

import os
import threading
from functools import lru_cache
from typing import Any

import snowballstemmer

KIWI_LOCK = threading.RLock()
"""Held around every use of the shared Kiwi: one analyser serves the event loop and the
grader's batch thread."""

_kiwi: Any = None
_stemmers = threading.local()


def kiwi() -> Any:
    """The process's Kiwi, built on first use."""
    global _kiwi  # noqa: PLW0603 - one Kiwi per process, built lazily
    if _kiwi is not None:
        return _kiwi  # built: no lock to wait on behind another thread's analysis
    with KIWI_LOCK:
        if _kiwi is None:
            os.environ.setdefault("MIMALLOC_PURGE_DELAY", "0")  # read when Kiwi's library loads
            from kiwipiepy import Kiwi

            _kiwi = Kiwi(load_default_dict=False, load_multi_dict=False)
        return _kiwi


@lru_cache(maxsize=65536)
def stem_en(word: str) -> str:
    """The English Snowball (Porter2) stem of a lower-case word: "dynamically" and "dynamic",
    "initialized" and "initialization", "contexts" and "context" read as one word. A Snowball
    stemmer keeps its word in itself, so each thread has its own (the grader measures answers in
    worker threads); the cache makes a word seen before cost a lookup."""
    stemmer = getattr(_stemmers, "english", None)
    if stemmer is None:
        stemmer = _stemmers.english = snowballstemmer.stemmer("english")
    return str(stemmer.stemWord(word))
