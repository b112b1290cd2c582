"""The vectors of the claims and clauses one embedding model encoded last, shared by every
measurer on that model in the process: an answer is cut into the same claims and clauses each
time it is measured (a fit measures it against its variants and neighbours; an evaluation, a
regrade or a test grades it again with a grader of its own), so each is looked up instead of
encoded again. Keyed by text alone: a vector depends on nothing but the model and the text."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable

from evaluators.embedding.vectors import EmbeddingModel, Matrix

RECENT_TEXTS = 8192
"""How many claim and clause vectors a model's memory keeps (12 MB at 384 dimensions)."""


class RecentVectors:
    """The vectors of the texts encoded last, at most `size` of them; safe to share between the
    batch threads of several measurers."""

    def __init__(self, size: int = RECENT_TEXTS) -> None:
        self._size = size
        self._vectors: OrderedDict[str, Matrix] = OrderedDict()
        self._lock = threading.Lock()

    def held(self, texts: Iterable[str]) -> dict[str, Matrix]:
        """Those of `texts` held, read at once (none can be dropped meanwhile) and kept as the
        latest."""
        found = {}
        with self._lock:
            for text in dict.fromkeys(texts):
                vector = self._vectors.get(text)
                if vector is not None:
                    self._vectors.move_to_end(text)
                    found[text] = vector
        return found

    def update(self, pairs: Iterable[tuple[str, Matrix]]) -> None:
        with self._lock:
            for text, vector in pairs:
                self._vectors[text] = vector
                self._vectors.move_to_end(text)
            while len(self._vectors) > self._size:
                self._vectors.popitem(last=False)


_shared: dict[int, tuple[EmbeddingModel, RecentVectors]] = {}
_shared_lock = threading.Lock()


def recent_of(embedder: EmbeddingModel) -> RecentVectors:
    """The process's memory of `embedder`'s claims and clauses."""
    with _shared_lock:
        entry = _shared.get(id(embedder))
        if entry is None:
            # Holding the embedder keeps its id from being reused by another object.
            entry = _shared[id(embedder)] = (embedder, RecentVectors())
        return entry[1]
