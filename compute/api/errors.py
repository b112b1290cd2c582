"""Error answers: every one is an `ErrorBody`, so the client parses a single shape."""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from compute.job_runner import QueueFullError, UnknownJobError
from compute.params import ParamsError
from compute.schemas import ErrorBody, FieldError


class UnknownDemoError(LookupError):
    """Raised by a route for a demo name not in the catalog."""

    def __init__(self, name: str, known: Iterable[str]) -> None:
        self.name = name
        self.known = sorted(known)
        super().__init__(f"unknown demo {name!r}; known: {', '.join(self.known)}")


def _json(code: int, body: ErrorBody, headers: dict[str, str] | None = None) -> JSONResponse:
    content = body.model_dump(mode="json", exclude_defaults=True)
    return JSONResponse(content, status_code=code, headers=headers)


async def _unknown_demo(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, UnknownDemoError)
    return _json(status.HTTP_404_NOT_FOUND, ErrorBody(detail=str(exc), known=exc.known))


async def _unknown_job(_: Request, exc: Exception) -> JSONResponse:
    job_id = str(exc.args[0])
    shown = job_id if len(job_id) <= 40 else job_id[:39] + "…"
    detail = f"unknown job {shown!r} (never submitted, or expired)"
    return _json(status.HTTP_404_NOT_FOUND, ErrorBody(detail=detail))


async def _bad_params(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ParamsError)
    body = ErrorBody.listing(str(exc), exc.errors)
    return _json(status.HTTP_422_UNPROCESSABLE_CONTENT, body)


async def _queue_full(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, QueueFullError)
    body = ErrorBody(detail=str(exc), retry_after=exc.retry_after)
    return _json(status.HTTP_429_TOO_MANY_REQUESTS, body, {"Retry-After": str(exc.retry_after)})


async def _bad_request(_: Request, exc: Exception) -> JSONResponse:
    """Malformed bodies get the same `errors` list as bad demo parameters."""
    assert isinstance(exc, RequestValidationError)
    errors = [
        FieldError(
            field=".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body",
            message=str(err.get("msg", "invalid")),
        )
        for err in exc.errors()
    ]
    return _json(
        status.HTTP_422_UNPROCESSABLE_CONTENT, ErrorBody.listing("invalid request", errors)
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(UnknownDemoError, _unknown_demo)
    app.add_exception_handler(UnknownJobError, _unknown_job)
    app.add_exception_handler(ParamsError, _bad_params)
    app.add_exception_handler(QueueFullError, _queue_full)
    app.add_exception_handler(RequestValidationError, _bad_request)
