"""Model loading: one model per process, a fast and loud fallback, the prefix of each family."""

from __future__ import annotations

import logging
import time

import numpy as np
import pytest

from evaluators.embedding.sentence_model import (
    BUNDLED_MODEL_NAME,
    CPU_BATCH_SIZE,
    load_embedder,
    resolve_device,
)
from evaluators.embedding.vectors import text_prefix
from tests.conftest import BUNDLED_MODEL


def test_same_model_is_loaded_once() -> None:
    assert load_embedder(BUNDLED_MODEL, "cpu") is load_embedder(BUNDLED_MODEL, "cpu")


def test_unloadable_model_falls_back_fast_and_warns_once(caplog: pytest.LogCaptureFixture) -> None:
    load_embedder(BUNDLED_MODEL, "cpu")  # the fallback's own load is not what is timed here
    name = "quizmaster-test/no-such-model-xyz"
    caplog.set_level(logging.WARNING, logger="quizmaster.evaluators")
    start = time.perf_counter()
    embedder = load_embedder(name, "cpu")
    elapsed = time.perf_counter() - start
    again = load_embedder(name, "cpu")
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert elapsed < 5.0
    assert embedder is again
    assert embedder.name == BUNDLED_MODEL_NAME
    assert len(warnings) == 1
    assert name in warnings[0].getMessage()
    assert embedder.encode(["still works"]).shape == (1, 384)


KOREAN = "배치 정규화는 각 층의 입력 분포를 정규화해서 학습을 안정시키고 더 빠르게 만든다. " * 3
"""Few characters, many tokens: the model's own sort by characters put it among short English."""


def test_a_call_is_batched_by_token_count_and_each_vector_comes_back_in_its_place() -> None:
    embedder = load_embedder(BUNDLED_MODEL, "cpu")
    english = [f"ReLU keeps gradient {i}, about this long." for i in range(CPU_BATCH_SIZE)]
    long_english = "Batch normalization normalizes each layer's inputs over the batch. " * 4
    texts = [KOREAN, *english, long_english, KOREAN[:40]]
    order = embedder._by_token_count(texts)
    assert sorted(order) == list(range(len(texts)))
    tokens = [len(embedder.model.tokenizer(texts[i])["input_ids"]) for i in order]
    assert tokens == sorted(tokens)
    assert order[-1] == 0 and len(KOREAN) < len(long_english)
    together = embedder.encode(texts)
    for text, vector in zip(texts, together, strict=True):
        assert np.abs(embedder.encode([text])[0] - vector).max() < 1e-5
    rows, token_rows = embedder.encode_with_tokens(texts)
    assert np.abs(rows - together).max() < 1e-5
    assert [len(r) for r in token_rows] == [
        len(embedder.encode_with_tokens([text])[1][0]) for text in texts
    ]


def test_e5_models_get_their_prefix() -> None:
    assert text_prefix("intfloat/multilingual-e5-small") == "query: "
    assert text_prefix("/models/e5-base-v2") == "query: "
    assert text_prefix("sentence-transformers/all-MiniLM-L6-v2") == ""


def test_explicit_device_is_kept() -> None:
    assert resolve_device("cpu") == "cpu"
    assert resolve_device("auto") in {"cuda", "mps", "cpu"}
