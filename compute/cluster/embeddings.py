"""`/v1/embeddings` on the `ray` backend: the model lives on Ray actors (replicas), shared by
every front end of the namespace, and each replica batches whatever requests reach it at once
(its own `EmbeddingService` and micro-batcher), so the batching holds across front ends.

Ray Serve would add an HTTP proxy, a controller and autoscaling; one OpenAI-compatible route on
a fixed set of replicas needs none of them.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import ray

from compute.cluster.jobs import fetch
from compute.config import ServiceConfig
from compute.embeddings import Embedded, EmbeddingService

REPLICA_NAME = "quizmaster-embeddings"


@ray.remote(num_cpus=0)
class EmbeddingReplica:
    """One copy of the model, on the device Ray gave it (a GPU share, or CPU)."""

    def __init__(self, model: str | None) -> None:
        from compute import device

        self._service = EmbeddingService(model, device=device.name())

    async def model_name(self) -> str:
        return await self._service.model_name()

    async def embed(self, texts: list[str]) -> Embedded:
        return await self._service.embed(texts)

    async def batch_sizes(self) -> list[int]:
        """Requests served by each forward pass so far."""
        return self._service.batch_sizes


class RayEmbeddings:
    """Implements `compute.embeddings.Embeddings` by turns over the namespace's replicas."""

    def __init__(self, config: ServiceConfig) -> None:
        self.replicas: list[Any] = [
            EmbeddingReplica.options(  # type: ignore[attr-defined]
                name=f"{REPLICA_NAME}-{index}",
                namespace=config.ray_namespace,
                lifetime="detached",
                get_if_exists=True,
                num_gpus=config.embedding_gpus,
            ).remote(config.embedding_model)
            for index in range(config.embedding_replicas)
        ]
        self._turns = itertools.cycle(self.replicas)

    async def model_name(self) -> str:
        name: str = await fetch(next(self._turns).model_name.remote())
        return name

    async def embed(self, texts: Sequence[str]) -> Embedded:
        embedded: Embedded = await fetch(next(self._turns).embed.remote(list(texts)))
        return embedded

    async def aclose(self) -> None:
        """Nothing to release here: the replicas belong to the cluster, not to a front end."""
