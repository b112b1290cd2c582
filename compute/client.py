"""The async client the bot uses to run demos on the compute service (embedded or remote).

Every failure is one of `compute.errors`, read from the service's answer.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from types import TracebackType
from typing import Self, TypedDict, TypeVar

import httpx
from pydantic import SecretStr, TypeAdapter, ValidationError

from compute.errors import (
    ComputeBusy,
    ComputeError,
    ComputeUnauthorized,
    ComputeUnavailable,
    InvalidParams,
    JobFailed,
    JobNotFound,
    UnknownDemo,
)
from compute.schemas import (
    DemoInfo,
    ErrorBody,
    Health,
    JobStatus,
    JobTicket,
    ParamValue,
)

log = logging.getLogger("quizmaster.compute")

ProgressCallback = Callable[[JobStatus], Awaitable[None]]


class WaitOptions(TypedDict, total=False):
    """`ComputeClient.wait`'s keyword options, for a service that passes a wait on to a client:
    the defaults stay `wait`'s own."""

    poll: float
    timeout: float


_T = TypeVar("_T")
_HEALTH = TypeAdapter(Health)
_DEMO_LIST = TypeAdapter(list[DemoInfo])
_TICKET = TypeAdapter(JobTicket)
_STATUS = TypeAdapter(JobStatus)


class ComputeClient:
    """One HTTP connection pool to the service; close it with `aclose()` or `async with`."""

    def __init__(
        self,
        base_url: str,
        *,
        token: str | SecretStr | None = None,
        timeout: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        secret = token.get_secret_value() if isinstance(token, SecretStr) else token
        headers = {"Authorization": f"Bearer {secret}"} if secret else {}
        self.base_url = base_url.rstrip("/")
        self._http = httpx.AsyncClient(
            base_url=self.base_url, headers=headers, timeout=timeout, transport=transport
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def health(self) -> Health:
        return _parse(_HEALTH, await self._request("GET", "/healthz"))

    async def demos(self) -> list[DemoInfo]:
        return _parse(_DEMO_LIST, await self._request("GET", "/demos"))

    async def submit(self, demo: str, params: Mapping[str, ParamValue] | None = None) -> JobTicket:
        """Queue a demo run. Values may be strings as typed in chat; the service coerces them."""
        body: dict[str, object] = {"demo": demo, "params": dict(params or {})}
        return _parse(_TICKET, await self._request("POST", "/jobs", json=body))

    async def job(self, job_id: str) -> JobStatus:
        return _parse(_STATUS, await self._request("GET", f"/jobs/{job_id}"))

    async def image(self, url: str) -> bytes:
        """PNG bytes of one of `JobStatus.images` (relative URLs)."""
        response = await self._request("GET", url)
        if not response.headers.get("content-type", "").startswith("image/png"):
            raise ComputeUnavailable(f"compute service sent no PNG for {url}")
        return response.content

    async def cancel(self, job_id: str) -> JobStatus:
        """Cancel a job; the answer is its status afterwards (normally "cancelled")."""
        return _parse(_STATUS, await self._request("DELETE", f"/jobs/{job_id}"))

    async def wait(
        self,
        job_id: str,
        on_progress: ProgressCallback | None = None,
        *,
        poll: float = 0.5,
        timeout: float = 300.0,  # noqa: ASYNC109 (on timeout the job is also cancelled)
    ) -> JobStatus:
        """Poll until the job ends. Returns a "done" or "cancelled" status; raises JobFailed
        for a failed job, or (after cancelling it) one that outlasts `timeout` seconds.
        `on_progress` is awaited whenever status, progress or message changes."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        seen: tuple[str, float, str] | None = None
        while True:
            status = await self.job(job_id)
            current = (status.status, status.progress, status.message)
            if on_progress is not None and current != seen:
                await on_progress(status)
            seen = current
            if status.status == "failed":
                raise JobFailed(status.error or "the demo failed", status)
            if status.status in ("done", "cancelled"):
                return status
            if loop.time() >= deadline:
                try:
                    await self.cancel(job_id)
                except ComputeError as exc:
                    log.warning("could not cancel job %s after waiting: %s", job_id, exc)
                raise JobFailed(
                    f"no result within {timeout:g} s; the job was cancelled", status, waited=timeout
                )
            await asyncio.sleep(poll)

    async def _request(
        self, method: str, url: str, *, json: dict[str, object] | None = None
    ) -> httpx.Response:
        try:
            response = await self._http.request(method, url, json=json)
        except httpx.TimeoutException:
            raise ComputeUnavailable(
                f"the compute service at {self.base_url} did not answer in time"
            ) from None
        except httpx.TransportError as exc:
            raise ComputeUnavailable(
                f"cannot reach the compute service at {self.base_url} ({type(exc).__name__})"
            ) from None
        if response.is_success:
            return response
        raise self._error(response)

    def _error(self, response: httpx.Response) -> ComputeError:
        code = response.status_code
        try:
            body = ErrorBody.model_validate_json(response.content)
        except ValidationError:
            body = ErrorBody(detail=f"HTTP {code}")
        if code == 401:
            return ComputeUnauthorized(
                "the compute service refused our token (QUIZMASTER_COMPUTE_TOKEN must match)"
            )
        if code == 404 and body.known:
            return UnknownDemo(body.detail, body.known)
        if code == 404 and "/jobs/" in response.request.url.path:
            return JobNotFound(body.detail)
        if code == 422:
            return InvalidParams(body.detail, body.errors, body.more_errors)
        if code == 429:
            retry_after = _retry_after(response, body)
            return ComputeBusy(
                f"the compute service is busy; retry in {retry_after:g} s", retry_after
            )
        return ComputeUnavailable(f"the compute service answered HTTP {code}: {body.detail}")


def _parse(adapter: TypeAdapter[_T], response: httpx.Response) -> _T:
    """A garbage answer (wrong URL, version skew, a proxy's HTML page) means 'unavailable'."""
    try:
        return adapter.validate_json(response.content)
    except ValidationError as exc:
        log.warning("unparseable answer from %s: %s", response.request.url, exc)
        raise ComputeUnavailable(
            f"the compute service at {response.request.url.host} sent an answer this bot cannot "
            "read (is the URL right, and are bot and service the same version?)"
        ) from None


def _retry_after(response: httpx.Response, body: ErrorBody) -> float:
    header = response.headers.get("retry-after", "")
    try:
        return max(0.0, float(header))
    except ValueError:
        return float(body.retry_after or 5)


__all__ = [
    "ComputeBusy",
    "ComputeClient",
    "ComputeError",
    "ComputeUnauthorized",
    "ComputeUnavailable",
    "InvalidParams",
    "JobFailed",
    "JobNotFound",
    "UnknownDemo",
]
