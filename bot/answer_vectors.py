"""The answer groups' vectors from the grader's own embedding model (in process or an
`/v1/embeddings` server), encoded off the event loop: grouping by meaning then agrees with how
the grader reads the answers."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from evaluators.embedder import EmbeddingModel
from evaluators.grade import Grader
from evaluators.service import EmbeddingGrader


class ModelVectors:
    """`bot.core.team_grades.AnswerVectors` over an `EmbeddingModel`."""

    def __init__(self, model: EmbeddingModel) -> None:
        self.model = model

    async def vectors(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        encoded = await asyncio.to_thread(self.model.encode, list(texts))
        return np.asarray(encoded, dtype=np.float32)


def grader_vectors(grader: Grader | None) -> ModelVectors | None:
    """The vectors of the grader's own model, or None for a grader without one (a test's
    fixed grader): then the web page has no answer groups."""
    return ModelVectors(grader.embedder) if isinstance(grader, EmbeddingGrader) else None
