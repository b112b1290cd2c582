"""The embedded compute service, started when the bot first needs it rather than at the bot's
start.

Starting it imports every demo (torch, scikit-learn, scipy): about 2.5 s of a 5.8 s later start
on two idle cores (`quizmaster bench startup`), all before the first question, for a service
many teams never ask. Here the bot starts without it; the first `/demo` (or demo list) starts it
and waits, and later calls reuse it. This module imports neither the service nor torch until
then.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from contextlib import AsyncExitStack
from typing import Unpack

from compute.client import ComputeClient, ProgressCallback, WaitOptions
from compute.config import ServiceConfig
from compute.errors import ComputeUnavailable
from compute.schemas import DemoInfo, JobStatus, JobTicket, ParamValue

log = logging.getLogger("quizmaster.compute")


class OnDemandService:
    """The `/demo` hand-off's compute service (a `DemoService`): the embedded service on
    loopback, started on the first call. Close it with `aclose()`."""

    def __init__(self, config: ServiceConfig) -> None:
        self._config = config
        self._stack = AsyncExitStack()
        self._starting: asyncio.Task[ComputeClient] | None = None

    async def _client(self) -> ComputeClient:
        """The started service's client. The start runs as a task of its own, so a caller that
        gives up waiting (an autocomplete's timeout) does not cancel it halfway; a start that
        failed is tried again on the next call."""
        starting = self._starting
        if starting is None or (
            starting.done() and (starting.cancelled() or starting.exception() is not None)
        ):
            starting = asyncio.create_task(self._start(), name="embedded-compute-start")
            self._starting = starting
        return await asyncio.shield(starting)

    async def _start(self) -> ComputeClient:
        from compute.embedded import embedded_service

        try:
            endpoint = await self._stack.enter_async_context(embedded_service(self._config))
        except (RuntimeError, OSError) as exc:
            log.warning("the demo service did not start: %s", exc)
            raise ComputeUnavailable(f"the demo service did not start: {exc}") from exc
        client = ComputeClient(endpoint.url, token=endpoint.token)
        self._stack.push_async_callback(client.aclose)
        return client

    async def demos(self) -> list[DemoInfo]:
        return await (await self._client()).demos()

    async def submit(self, demo: str, params: Mapping[str, ParamValue] | None = None) -> JobTicket:
        return await (await self._client()).submit(demo, params)

    async def wait(
        self,
        job_id: str,
        on_progress: ProgressCallback | None = None,
        **options: Unpack[WaitOptions],
    ) -> JobStatus:
        client = await self._client()
        return await client.wait(job_id, on_progress, **options)

    async def image(self, url: str) -> bytes:
        return await (await self._client()).image(url)

    async def aclose(self) -> None:
        """Stop the service if it was started; a start still running is waited for first, so
        its server thread does not outlive the bot."""
        if self._starting is not None and not self._starting.done():
            await asyncio.wait([self._starting])
        await self._stack.aclose()
