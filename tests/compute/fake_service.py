"""A real uvicorn server on a free loopback port, serving the test-only demos."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager

from pydantic import SecretStr

from compute.api.main import create_app
from compute.config import ServiceConfig
from compute.embedded import serve_in_thread
from tests.compute.compute_fakes import FAKE_DEMOS


def fake_service(
    *,
    token: str | None = None,
    queue_size: int = 16,
    job_timeout_s: float = 60.0,
    cancel_grace_s: float = 3.0,
    cache_entries: int = 64,
    docs: bool = False,
) -> AbstractAsyncContextManager[str]:
    """A real uvicorn server on a free loopback port running FAKE_DEMOS; yields its URL."""
    config = ServiceConfig(
        token=SecretStr(token) if token is not None else None,
        workers=1,
        queue_size=queue_size,
        job_timeout_s=job_timeout_s,
        cancel_grace_s=cancel_grace_s,
        cache_entries=cache_entries,
        docs=docs,
    )
    return serve_in_thread(create_app(config, demos_override=FAKE_DEMOS))
