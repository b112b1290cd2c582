"""A member's answer is not graded behind a question's whole backlog of answers being encoded for
the groups page (issue 83). The answer groups encode on the grader's own model, which serves one
call at a time; a thousand answers in one call held every grade for as long as they took (80 s on
two busy cores). Encoded a step at a time, the member's answer goes between two steps. The
bundled model, unmocked: the wrapper only notes which calls ended, in order."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from bot.answer_vectors import STEP, ModelVectors
from evaluators.embedding.sentence_model import load_embedder
from evaluators.embedding.vectors import EmbeddingModel

MEMBER_ANSWER = "ReLU keeps the gradient alive for positive inputs."


class NotedModel:
    """The real model; each finished `encode` call's texts are noted, in the order they ended."""

    def __init__(self, model: EmbeddingModel) -> None:
        self.model = model
        self.ended: list[list[str]] = []
        self.first_ended = threading.Event()

    def __getattr__(self, name: str) -> object:
        return getattr(self.model, name)

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        vectors = np.asarray(self.model.encode(list(texts)), dtype=np.float32)
        self.ended.append(list(texts))
        self.first_ended.set()
        return vectors


async def test_a_members_answer_is_encoded_between_steps_of_a_question_backlog(
    model_path: str,
) -> None:
    model = NotedModel(load_embedder(model_path, "cpu"))
    backlog = [f"Answer {n}: ReLU keeps gradients from vanishing." for n in range(4 * STEP)]
    vectors = ModelVectors(model)  # type: ignore[arg-type]
    encoding = asyncio.ensure_future(vectors.vectors(backlog))
    assert await asyncio.to_thread(model.first_ended.wait, 120)
    # As the grader's batcher does: the member's answer, on a worker thread, on the same model.
    await asyncio.to_thread(model.encode, [MEMBER_ANSWER])
    assert not encoding.done()
    rows = await encoding

    calls = model.ended
    member = calls.index([MEMBER_ANSWER])
    assert 0 < member < len(calls) - 1, [len(c) for c in calls]  # between two backlog steps
    assert max(len(c) for c in calls) <= STEP
    # Stepping changes no vector: the backlog's rows are the model's own for each text.
    whole = np.asarray(model.model.encode(backlog), dtype=np.float32)
    assert rows.shape == (len(backlog), model.dimension)
    assert np.allclose(rows, whole, atol=1e-5)
