"""Error answers: every one is an `ErrorBody`, so the client parses a single shape."""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import FastAPI, Request, status
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from compute.job_runner import QueueFullError, UnknownJobError
from compute.params import ParamsError
from compute.schemas import ErrorBody, FieldError, OpenAIError

OPENAI_PREFIX = "/v1/"
"""Routes OpenAI clients call; their errors carry OpenAI's `error` object beside `detail`."""


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


def _openai_error(code: int, message: str) -> OpenAIError:
    if code == status.HTTP_401_UNAUTHORIZED:
        return OpenAIError(message=message, type="authentication_error")
    if code == status.HTTP_404_NOT_FOUND:
        return OpenAIError(message=message, type="not_found_error")
    return OpenAIError(message=message, type="invalid_request_error")


async def _http_error(request: Request, exc: Exception) -> Response:
    """A route's refusal: under /v1 with OpenAI's `error` beside `detail`, elsewhere as usual."""
    assert isinstance(exc, HTTPException)
    if not request.url.path.startswith(OPENAI_PREFIX):
        return await http_exception_handler(request, exc)
    detail = str(exc.detail)
    body = ErrorBody(detail=detail, error=_openai_error(exc.status_code, detail))
    return _json(exc.status_code, body, dict(exc.headers or {}))


async def _bad_request(request: Request, exc: Exception) -> JSONResponse:
    """Malformed bodies get the same `errors` list as bad demo parameters."""
    assert isinstance(exc, RequestValidationError)
    errors = [
        FieldError(
            field=".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body",
            message=str(err.get("msg", "invalid")),
        )
        for err in exc.errors()
    ]
    body = ErrorBody.listing("invalid request", errors)
    if request.url.path.startswith(OPENAI_PREFIX):
        named = "; ".join(f"{e.field}: {e.message}" for e in body.errors)
        message = f"invalid request: {named}" if named else "invalid request"
        body.error = _openai_error(status.HTTP_422_UNPROCESSABLE_CONTENT, message)
    return _json(status.HTTP_422_UNPROCESSABLE_CONTENT, body)


def install(app: FastAPI) -> None:
    app.add_exception_handler(UnknownDemoError, _unknown_demo)
    app.add_exception_handler(UnknownJobError, _unknown_job)
    app.add_exception_handler(ParamsError, _bad_params)
    app.add_exception_handler(QueueFullError, _queue_full)
    app.add_exception_handler(RequestValidationError, _bad_request)
    app.add_exception_handler(HTTPException, _http_error)
