"""Composes the compute service: settings, job manager, routers and error handlers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

from fastapi import FastAPI

from compute import device
from compute.api import errors
from compute.api.edge import EdgeGuard, EdgeRule
from compute.api.routes import demos, embeddings, health, jobs, metrics
from compute.catalog import Demo, catalog
from compute.config import ServiceConfig
from compute.embeddings import Embeddings, EmbeddingService
from compute.heap import freeze_start_up
from compute.job_runner import JobRunner
from compute.local_jobs import JobManager
from compute.version import service_version


def create_app(
    config: ServiceConfig,
    *,
    demos_override: Mapping[str, Demo] | None = None,
    warm_embeddings: bool = False,
) -> FastAPI:
    """The service app. `demos_override` replaces the shipped catalog (tests add fake demos);
    `warm_embeddings` loads the embedding model at start rather than on the first request (a
    standalone service, whose first caller should not wait out the load)."""
    available = dict(catalog() if demos_override is None else demos_override)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        manager = job_runner(config, available)
        app.state.jobs = manager
        await manager.start()
        embeddings = embedding_service(config)
        app.state.embeddings = embeddings
        warming = None
        if warm_embeddings:
            warming = asyncio.create_task(embeddings.model_name())
            # A standalone service is a process of its own: its model's objects, loaded,
            # stay out of the collector's full passes (compute.heap).
            warming.add_done_callback(lambda _: freeze_start_up())
        app.state.warming = warming
        try:
            yield
        finally:
            if warming is not None:
                warming.cancel()
            await embeddings.aclose()
            await manager.stop()

    app = FastAPI(
        title="quizmaster compute",
        version=service_version(),
        summary="Small training demos that return figures and metrics, and sentence embeddings.",
        lifespan=lifespan,
        docs_url="/docs" if config.docs else None,
        redoc_url="/redoc" if config.docs else None,
        openapi_url="/openapi.json" if config.docs else None,
    )
    app.state.config = config
    app.state.warming = None
    app.state.demos = available
    errors.install(app)
    app.include_router(health.router)
    app.include_router(demos.router)
    app.include_router(jobs.router)
    app.include_router(embeddings.router)
    app.include_router(metrics.router)
    token = config.token.get_secret_value() if config.token is not None else None
    rule = EdgeRule(token=token, max_body_bytes=config.max_body_bytes)
    app.state.edge_rule = rule  # for the server's protocol (compute.early_refusal)
    app.add_middleware(EdgeGuard, rule=rule)
    return app


def job_runner(config: ServiceConfig, demos: Mapping[str, Demo]) -> JobRunner:
    """The configured backend; Ray is imported only when it is the one asked for."""
    if config.backend == "ray":
        from compute.cluster.connect import prepare

        prepare(config.ray_address)  # before anything imports ray
        from compute.cluster.jobs import RayJobs

        return RayJobs(config)
    return JobManager(config, demos, device=device.name())


def embedding_service(config: ServiceConfig) -> Embeddings:
    """The model in this process, or with the ray backend on the cluster's replicas (Ray is
    connected by then: the job runner starts first)."""
    if config.backend == "ray":
        from compute.cluster.embeddings import RayEmbeddings

        return RayEmbeddings(config)
    return EmbeddingService(config.embedding_model, device=device.name())
