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
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass, field

from evaluators.morphology import content_words

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


class BankRarity:
    """The rarity of the prepared bank's words, counted on first use: a start does not load Kiwi
    for it (the first grade does anyway, for its own prompt's texts). Thread-safe."""

    def __init__(self) -> None:
        self._documents: tuple[Document, ...] = ()
        self._rarity: WordRarity | None = UNIFORM
        self._lock = threading.Lock()

    def use(self, documents: Iterable[Document]) -> None:
        """Count over `documents` (one per prompt) from now on; the analysis waits for `get`."""
        with self._lock:
            self._documents = tuple(documents)
            self._rarity = None

    def get(self) -> WordRarity:
        with self._lock:
            if self._rarity is None:
                self._rarity = WordRarity.of(self._documents)
            return self._rarity
