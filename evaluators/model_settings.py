"""Which embedding model grades, and where its caches live: all the evaluators take from outside.

The bot builds one from its own settings (`bot/app.py`, after its model choice); the evaluators
never read the bot's configuration, so they run, and are tested, without it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import SecretStr

from evaluators.embedding.loading import create_embedder
from evaluators.embedding.remote import READ_TIMEOUT_S
from evaluators.embedding.vectors import Device, EmbeddingModel
from evaluators.service import EmbeddingGrader, grader_on


@dataclass(frozen=True)
class ModelSettings:
    """`model` runs in this process on `device`, or, with `embedding_url`, that server is asked
    for it. `cache_dir` holds reference embeddings and fitted calibrations."""

    model: str
    cache_dir: Path
    device: Device | str = "auto"
    embedding_url: str | None = None
    embedding_token: SecretStr | None = None
    embedding_prefix: str = "auto"
    embedding_timeout_s: float = READ_TIMEOUT_S

    def embedder(self) -> EmbeddingModel:
        """The model alone (blocking: it may load one)."""
        return create_embedder(
            model_name=self.model,
            device=self.device,
            embedding_url=self.embedding_url,
            embedding_token=self.embedding_token,
            embedding_prefix=self.embedding_prefix,
            embedding_timeout_s=self.embedding_timeout_s,
        )

    def grader(self) -> EmbeddingGrader:
        """A grader on that model (blocking: it may load one)."""
        return grader_on(self.embedder(), cache_dir=self.cache_dir)
