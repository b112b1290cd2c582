"""How telling each content word is within a question bank: its inverse document frequency over
the bank's prompts.

An answer that repeats a model answer's "문제", "사용", "layer" says little; one that repeats its
"포화" or "sparse" says it knows the point. Plain lexical recall counts both alike. Weighting each
reference word by how few of the bank's prompts use it (smoothed IDF, each prompt's question and
texts one document) lets the words that belong to this question count for more (see
docs/grading.md, "Word rarity").

The weights come from the bank's own texts, never from graded answers, and from Kiwi's analyses
the grader caches anyway. Without a bank (or before one is prepared) every word weighs 1 and the
weighted recall is the plain one.

Counting analyses all 613 seed texts with Kiwi: about a second of a later start's first grade on
two idle cores, for counts that only change with the bank or the analysis. So the counts are
kept on disk beside the reference embeddings, under the bank's content hash and a key of the
analysis (`analysis_key`: the code that reads words, and Kiwi's version).
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import threading
from collections import Counter
from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass, field
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Annotated, Self

from pydantic import Field, model_validator

import content.language_tools
import evaluators.reading.morphology
from evaluators.damaged_files import set_aside_or_leave
from evaluators.reading.morphology import content_words
from evaluators.strict_files import RefusedFileError, StrictFile, read_strict
from evaluators.whole_files import replacing

logger = logging.getLogger("quizmaster.evaluators")

Document = Sequence[str]
"""One prompt's texts (question, references, misconceptions): one document for the counts."""


@dataclass(frozen=True)
class WordRarity:
    """Document frequencies of content words over `prompts` prompts' texts."""

    counts: dict[str, int] = field(default_factory=dict)
    prompts: int = 0

    @classmethod
    def of(cls, documents: Iterable[Document]) -> WordRarity:
        """Count, for each content word, the prompts whose texts use it. Blocking (Kiwi)."""
        counts: Counter[str] = Counter()
        n = 0
        for texts in documents:
            n += 1
            counts.update({w for text in texts for w in content_words(text)})
        return cls(counts=dict(counts), prompts=n)

    def weight(self, word: str) -> float:
        """Smoothed IDF: 1 for a word in every prompt (or with no bank), more the rarer it is."""
        return math.log((self.prompts + 1) / (self.counts.get(word, 0) + 1)) + 1.0

    def recall(self, reference: Set[str], answer: Set[str]) -> float:
        """The weighted share of `reference`'s words that `answer` has (0 for no words)."""
        total = sum(self.weight(w) for w in reference)
        if total <= 0.0:
            return 0.0
        return sum(self.weight(w) for w in reference & answer) / total


UNIFORM = WordRarity()


@cache
def analysis_key() -> str:
    """What the counts depend on besides the bank: the source of the modules that read words
    (`evaluators.reading.morphology`, `content.language_tools`, this one) and Kiwi's versions. A
    change to any of them counts again."""
    digest = hashlib.sha256()
    for source in (
        evaluators.reading.morphology.__file__,
        content.language_tools.__file__,
        __file__,
    ):
        digest.update(Path(str(source)).read_bytes())
    for package in ("kiwipiepy", "kiwipiepy_model"):
        digest.update(metadata.version(package).encode())
    return digest.hexdigest()[:16]


class RarityFile(StrictFile):
    """The counts as stored: how many prompts were counted, and in how many of them each word
    is used (never more than were counted, never negative: either would make a weight of 0, a
    negative one or a division by zero)."""

    prompts: Annotated[int, Field(ge=0)]
    counts: dict[str, Annotated[int, Field(ge=0)]]

    @model_validator(mode="after")
    def _within(self) -> Self:
        over = next((word for word, n in self.counts.items() if n > self.prompts), None)
        if over is not None:
            raise ValueError(
                f"counts.{over}: {self.counts[over]} prompts, of {self.prompts} counted"
            )
        return self


def _read(path: Path) -> WordRarity | None:
    """The counts stored in `path`; None when there are none or they cannot be used (then
    counted again and written over). A file that fails its strict model is set aside with one
    warning naming the file and the field, so a damaged one does not warn at every start."""
    try:
        stored = read_strict(path, RarityFile)
    except FileNotFoundError:
        return None
    except RefusedFileError as exc:
        done = set_aside_or_leave(path)
        logger.warning("word rarity cache refused, %s; set aside: %s", exc, done)
        return None
    except OSError as exc:
        logger.warning("ignoring unreadable word rarity cache %s: %s", path, exc)
        return None
    return WordRarity(counts=dict(stored.counts), prompts=stored.prompts)


def _write(path: Path, rarity: WordRarity) -> None:
    try:
        payload = {"prompts": rarity.prompts, "counts": rarity.counts}
        with replacing(path) as partial:
            partial.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    except OSError as exc:  # a read-only cache dir costs a count next start, nothing more
        logger.warning("could not write word rarity cache %s: %s", path, exc)


class BankRarity:
    """The rarity of the prepared bank's words, counted on first use: a start does not load Kiwi
    for it (the first grade does anyway, for its own prompt's texts). Thread-safe."""

    def __init__(self) -> None:
        self._documents: tuple[Document, ...] = ()
        self._stored: Path | None = None
        self._rarity: WordRarity | None = UNIFORM
        self._lock = threading.Lock()

    def use(self, documents: Iterable[Document], stored: Path | None = None) -> None:
        """Count over `documents` (one per prompt) from now on; the analysis waits for `get`.
        `stored`: the file that holds these documents' counts, read instead of counting when it
        is there, written after counting when it is not."""
        with self._lock:
            self._documents = tuple(documents)
            self._stored = stored
            self._rarity = None

    def get(self) -> WordRarity:
        with self._lock:
            if self._rarity is None:
                stored = None if self._stored is None else _read(self._stored)
                if stored is not None and stored.prompts == len(self._documents):
                    self._rarity = stored
                else:
                    self._rarity = WordRarity.of(self._documents)
                    if self._stored is not None:
                        _write(self._stored, self._rarity)
            return self._rarity
