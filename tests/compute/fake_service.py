"""A real uvicorn server on a free loopback port, serving the test-only demos, on the backend the
running test picked (`backend_for_tests`): local worker processes, or the session's Ray instance.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from typing import Literal

from pydantic import SecretStr

from compute.api.main import create_app
from compute.config import ServiceConfig
from compute.embedded import serve_in_thread
from tests.compute.compute_fakes import FAKE_DEMOS

Backend = Literal["local", "ray"]
_chosen: list[Backend] = ["local"]


@contextmanager
def backend_for_tests(backend: Backend) -> Iterator[None]:
    """`fake_service` inside this block runs its demos on `backend` (tests in one process run
    one at a time, so a plain module variable is enough)."""
    _chosen.append(backend)
    try:
        yield
    finally:
        _chosen.pop()


def fake_service(
    *,
    token: str | None = None,
    queue_size: int = 16,
    job_timeout_s: float = 60.0,
    cancel_grace_s: float = 3.0,
    cache_entries: int = 64,
    cache_ttl_s: float = 3600.0,
    job_records: int = 256,
    workers: int = 1,
    docs: bool = False,
    ray_namespace: str | None = None,
) -> AbstractAsyncContextManager[str]:
    """A real uvicorn server on a free loopback port running FAKE_DEMOS; yields its URL.
    On Ray each service gets a job board of its own (removed when it stops), unless
    `ray_namespace` names one for several services to share."""
    backend = _chosen[-1]
    config = ServiceConfig(
        token=SecretStr(token) if token is not None else None,
        workers=workers,
        queue_size=queue_size,
        job_timeout_s=job_timeout_s,
        cancel_grace_s=cancel_grace_s,
        cache_entries=cache_entries,
        cache_ttl_s=cache_ttl_s,
        job_records=job_records,
        docs=docs,
        backend=backend,
        ray_namespace=ray_namespace or f"test-{secrets.token_hex(6)}",
    )
    service = serve_in_thread(create_app(config, demos_override=FAKE_DEMOS))
    if backend == "local" or ray_namespace is not None:
        return service
    return _board_removed_after(service, config.ray_namespace)


@asynccontextmanager
async def _board_removed_after(
    service: AbstractAsyncContextManager[str], namespace: str
) -> AsyncIterator[str]:
    """The service, then its job board killed, so boards do not pile up in the session."""
    try:
        async with service as url:
            yield url
    finally:
        remove_board(namespace)


def remove_board(namespace: str) -> None:
    """Kill every named actor of `namespace`: its job board (and with it the Ray workers it
    leased) and its embedding replicas, which are detached and would otherwise hold a model
    each until the session's Ray instance stops."""
    import ray

    for actor in ray.util.list_named_actors(all_namespaces=True):
        if actor["namespace"] == namespace:
            ray.kill(ray.get_actor(actor["name"], namespace=namespace))
