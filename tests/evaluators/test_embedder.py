"""Model loading: one model per process, a fast and loud fallback, the prefix of each family."""

from __future__ import annotations

import logging
import time

import pytest

from evaluators.embedding.sentence_model import BUNDLED_MODEL_NAME, load_embedder, resolve_device
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


def test_e5_models_get_their_prefix() -> None:
    assert text_prefix("intfloat/multilingual-e5-small") == "query: "
    assert text_prefix("/models/e5-base-v2") == "query: "
    assert text_prefix("sentence-transformers/all-MiniLM-L6-v2") == ""


def test_explicit_device_is_kept() -> None:
    assert resolve_device("cpu") == "cpu"
    assert resolve_device("auto") in {"cuda", "mps", "cpu"}
