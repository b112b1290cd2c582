"""The answer groups' vectors from the grader's own embedding model (in process or an
`/v1/embeddings` server), encoded off the event loop: grouping by meaning then agrees with how
the grader reads the answers. Stored answers never change their text, so each one's vector is
kept (the latest `KEPT`): the groups page and the digest encode only answers new since.

A question's thousand answers are encoded `STEP` at a time, not in one call: the model is the
grader's, and serves one call at a time, so a member's answer arriving meanwhile waited for the
whole encode (80 s on two busy cores in `quizmaster bench groups`) before it was graded; and the
page, which shows the answers encoded so far, showed none of them until the last was done."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from bot.metrics import MeteredGrader
from evaluators import EmbeddingGrader
from evaluators.answer_groups import same_meaning
from evaluators.embedding.identity import identify
from evaluators.embedding.vectors import EmbeddingModel
from evaluators.grade import Grader

KEPT = 20_000
"""Vectors kept: about 30 MB at 384 dimensions, a team's answers of a year or more."""
STEP = 16
"""Texts a call to the model: a member's answer waits for one step at most (about half a
second on the bundled model), and a step is still a batch for a model on an accelerator."""


class ModelVectors:
    """`bot.core.team_grading.AnswerVectors` over an `EmbeddingModel`."""

    def __init__(self, model: EmbeddingModel, *, kept: int = KEPT) -> None:
        self.model = model
        self._kept = kept
        self._vectors: OrderedDict[str, npt.NDArray[np.float32]] = OrderedDict()
        self._same_meaning: float | None = None

    async def vectors(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        # This call's vectors are held here: another call may drop kept ones between steps.
        found = {t: self._vectors[t] for t in texts if t in self._vectors}
        missing = list(dict.fromkeys(t for t in texts if t not in found))
        for start in range(0, len(missing), STEP):
            step = missing[start : start + STEP]
            encoded = await asyncio.to_thread(self.model.encode, step)
            for text, vector in zip(step, np.asarray(encoded, dtype=np.float32), strict=True):
                self._vectors[text] = found[text] = vector
        for text in texts:
            self._vectors[text] = found[text]
            self._vectors.move_to_end(text)
        while len(self._vectors) > self._kept:
            self._vectors.popitem(last=False)
        rows = [found[text] for text in texts]
        return np.stack(rows) if rows else np.zeros((0, self.model.dimension), np.float32)

    def ready(self, text: str) -> bool:
        return self._same_meaning is not None and text in self._vectors

    async def same_meaning(self) -> float:
        """The model's threshold for answer groups, by its identity (one encode of the probe
        text, on a worker thread, the first time)."""
        if self._same_meaning is None:
            identity = await asyncio.to_thread(identify, self.model)
            self._same_meaning = same_meaning(identity)
        return self._same_meaning


def grader_vectors(grader: Grader | None) -> ModelVectors | None:
    """The vectors of the grader's own model, or None for a grader without one (a test's
    fixed grader): then the web page has no answer groups. The metered grader the wired quiz
    holds is seen through to the grader it counts."""
    if isinstance(grader, MeteredGrader):
        grader = grader.grader
    return ModelVectors(grader.embedder) if isinstance(grader, EmbeddingGrader) else None
