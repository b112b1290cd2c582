"""The official OpenAI Python client against the compute service on 127.0.0.1: its default
request (base64 vectors) and its model listing work unchanged, and refusals stay named."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator

import httpx
import numpy as np
import openai
import pytest
import pytest_asyncio
from pydantic import SecretStr

from compute.api.main import create_app
from compute.config import ServiceConfig
from compute.embedded import serve_in_thread

TOKEN = "openai-client-token"
MODEL_LOAD_S = 120.0
SENTENCES = ["ReLU keeps gradients alive.", "The capital of France is Paris."]

session_loop = pytest.mark.asyncio(loop_scope="session")


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def base_url() -> AsyncIterator[str]:
    async with serve_in_thread(create_app(ServiceConfig(token=SecretStr(TOKEN)))) as url:
        yield f"{url}/v1"


def client(base_url: str, token: str = TOKEN) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(base_url=base_url, api_key=token, timeout=MODEL_LOAD_S, max_retries=0)


@session_loop
async def test_the_default_request_gets_base64_vectors_the_client_decodes(base_url: str) -> None:
    async with client(base_url) as openai_client:
        listed = await openai_client.models.list()
        served = [model.id for model in listed.data]
        reply = await openai_client.embeddings.create(model=served[0], input=SENTENCES)
        as_floats = await openai_client.embeddings.create(
            model=served[0], input=SENTENCES, encoding_format="float"
        )
        one = await openai_client.models.retrieve(served[0])
    assert served == [reply.model] and one.id == served[0] and one.object == "model"
    rows = np.asarray([row.embedding for row in reply.data])
    floats = np.asarray([row.embedding for row in as_floats.data])
    assert rows.shape == (2, 384) and [row.index for row in reply.data] == [0, 1]
    assert np.allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-4)
    assert np.allclose(rows, floats, atol=1e-6)  # base64 is float32 of the same vectors
    assert reply.usage.prompt_tokens == reply.usage.total_tokens > 4


@session_loop
async def test_base64_is_little_endian_float32_as_openai_sends_it(base_url: str) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with httpx.AsyncClient(timeout=MODEL_LOAD_S) as http:
        packed = await http.post(
            f"{base_url}/embeddings",
            json={"input": SENTENCES[0], "encoding_format": "base64"},
            headers=headers,
        )
        plain = await http.post(
            f"{base_url}/embeddings", json={"input": SENTENCES[0]}, headers=headers
        )
    text = packed.json()["data"][0]["embedding"]
    assert isinstance(text, str)
    decoded = np.frombuffer(base64.b64decode(text), dtype="<f4")
    assert np.allclose(decoded, plain.json()["data"][0]["embedding"], atol=1e-6)


@session_loop
async def test_refusals_stay_strict_and_named(base_url: str) -> None:
    async with client(base_url) as openai_client:
        with pytest.raises(openai.NotFoundError, match=r"text-embedding-3-small.*is not served"):
            await openai_client.embeddings.create(model="text-embedding-3-small", input="x")
        with pytest.raises(openai.NotFoundError, match="text-embedding-3-small"):
            await openai_client.models.retrieve("text-embedding-3-small")
        with pytest.raises(openai.UnprocessableEntityError, match=r"input\[1\] is empty"):
            await openai_client.embeddings.create(model="bundled", input=["fine", ""])
    async with client(base_url, token="wrong") as openai_client:
        with pytest.raises(openai.AuthenticationError):
            await openai_client.models.list()
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with httpx.AsyncClient(timeout=MODEL_LOAD_S) as http:
        other = await http.post(
            f"{base_url}/embeddings",
            json={"input": "x", "encoding_format": "int8"},
            headers=headers,
        )
    assert other.status_code == 422 and "encoding_format" in other.json()["error"]["message"]
    assert other.json()["errors"][0]["field"] == "encoding_format"
