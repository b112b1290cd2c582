"""The CUDA paths: the grader's model in fp16 on the GPU, the compute service embedding and
training demos there. Skipped where no CUDA device is visible (CI and the 2-core dev machine);
run on a GPU machine with

    python -m pytest --noconftest -p no:cacheprovider tests/gpu

`--noconftest` because nothing here uses the shared fixtures, and a GPU box for a check need not
install the chat and database libraries they import."""

from __future__ import annotations

import asyncio
import secrets

import numpy as np
import pytest
import torch
from pydantic import SecretStr

from compute.api.main import create_app
from compute.client import ComputeClient
from compute.config import ServiceConfig
from compute.embedded import serve_in_thread
from evaluators.embedding.remote import RemoteEmbedder
from evaluators.embedding.sentence_model import bundled_model_path, load_embedder
from evaluators.embedding.vectors import Matrix
from evaluators.fitting.dev_set import DEV_SET_PATH
from evaluators.fitting.rows import read_rows

SERVED_MODEL = "all-MiniLM-L6-v2"

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device visible")

SAME_DIRECTION = 0.999
"""Cosine between a text's fp16 GPU vector and its float32 CPU vector: fp16 rounds, it must not
move a vector further than this."""


def _dev_answers(n: int) -> list[str]:
    answers = dict.fromkeys(row.answer for row in read_rows(DEV_SET_PATH) if row.answer.strip())
    return list(answers)[:n]


def test_the_grader_model_runs_in_fp16_on_the_gpu_in_batches_of_64() -> None:
    gpu = load_embedder(str(bundled_model_path()), "cuda")
    cpu = load_embedder(str(bundled_model_path()), "cpu")
    weights = next(gpu.model.parameters())
    assert (gpu.device, gpu.batch_size) == ("cuda", 64)
    assert weights.is_cuda and weights.dtype == torch.float16
    texts = _dev_answers(300)
    on_gpu, gpu_tokens = gpu.encode_with_tokens(texts)
    on_cpu, cpu_tokens = cpu.encode_with_tokens(texts)
    assert on_gpu.shape == on_cpu.shape == (len(texts), 384)
    assert np.all(np.isfinite(on_gpu))
    assert float(np.min(np.sum(on_gpu * on_cpu, axis=1))) > SAME_DIRECTION
    # The grader compares answers to references: the similarities it reads move by rounding only.
    assert float(np.max(np.abs(on_gpu @ on_gpu.T - on_cpu @ on_cpu.T))) < 0.01
    assert [t.shape for t in gpu_tokens] == [t.shape for t in cpu_tokens]
    token_cosines = np.concatenate(
        [
            np.sum(g.astype(np.float32) * c.astype(np.float32), axis=1)
            for g, c in zip(gpu_tokens, cpu_tokens, strict=True)
        ]
    )
    assert float(np.min(token_cosines)) > 0.99


async def _served(texts: list[str]) -> tuple[str, Matrix, list[str]]:
    """Through a real service on loopback: its health, the vectors it serves, and the first
    bytes of each PNG a GPU-trained GAN demo returns."""
    token = secrets.token_urlsafe(16)
    app = create_app(ServiceConfig(token=SecretStr(token)))
    async with serve_in_thread(app) as url, ComputeClient(url, token=token, timeout=120) as client:
        health = await client.health()
        served = RemoteEmbedder(f"{url}/v1", model=SERVED_MODEL, token=SecretStr(token))
        vectors = await asyncio.to_thread(served.encode, texts)
        served.close()
        ticket = await client.submit("gan", {"steps": 300})
        done = await client.wait(ticket.id, timeout=120)
        pngs = [await client.image(url) for url in done.images]
    return health.device, vectors, [png[:8].hex() for png in pngs]


def test_the_compute_service_embeds_and_trains_demos_on_the_gpu() -> None:
    texts = _dev_answers(64)
    device, served, png_heads = asyncio.run(_served(texts))
    assert device == "cuda"
    reference = load_embedder(str(bundled_model_path()), "cpu").encode(texts)
    assert served.shape == reference.shape
    assert float(np.min(np.sum(served * reference, axis=1))) > SAME_DIRECTION
    assert png_heads and all(head == "89504e470d0a1a0a" for head in png_heads)
