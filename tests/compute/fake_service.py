"""A real uvicorn server on a free loopback port, serving the test-only demos, on the backend the
running test picked (`backend_for_tests`): local worker processes, or the session's Ray instance.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractAsyncContextManager, contextmanager
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
    docs: bool = False,
    ray_namespace: str | None = None,
) -> AbstractAsyncContextManager[str]:
    """A real uvicorn server on a free loopback port running FAKE_DEMOS; yields its URL.

    On Ray, services with the same limits share a job board (namespace) unless `ray_namespace`
    names one: a board's Ray workers die with it, and a fresh worker imports torch (3 s), so
    one board per test would cost that each time. Tests leave no job running, and each asserts
    cache misses only for parameters of its own."""
    backend = _chosen[-1]
    config = ServiceConfig(
        token=SecretStr(token) if token is not None else None,
        workers=1,
        queue_size=queue_size,
        job_timeout_s=job_timeout_s,
        cancel_grace_s=cancel_grace_s,
        cache_entries=cache_entries,
        docs=docs,
        backend=backend,
        ray_namespace=ray_namespace
        or f"test-{queue_size}-{job_timeout_s:g}-{cancel_grace_s:g}-{cache_entries}",
    )
    return serve_in_thread(create_app(config, demos_override=FAKE_DEMOS))
