"""The web page's FastAPI app: server-rendered pages, a session cookie from a sign-in link,
CSRF tokens on every form, and the same admin rule as the chat (what the platform said when
the link was made). This module composes it: the routers (`bot.web.routes`) over the shared
dependencies (`bot.web.deps`), the error pages (`bot.web.errors`) and the response headers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from bot.web import errors
from bot.web.body_limit import BodyLimit
from bot.web.deps import Web, WebDeps
from bot.web.head import HeadAsGet
from bot.web.rendering import TEMPLATES
from bot.web.routes import (
    answer_groups,
    appeals,
    channel,
    home,
    metrics,
    notes_import,
    open_questions,
    questions,
    sign_in,
    topics,
)

STATIC = TEMPLATES.parent / "static"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)


async def security_headers(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """No script, no framing, no sniffing; no referrer from the sign-in page (its URL holds
    the link); no caching of any page but the static files."""
    response = await call_next(request)
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = (
        "no-referrer" if request.url.path == "/signin" else "same-origin"
    )
    if not request.url.path.startswith("/static"):
        response.headers["Cache-Control"] = "no-store"
    return response


def create_app(deps: WebDeps) -> FastAPI:
    app = FastAPI(title="quizmaster", docs_url=None, redoc_url=None, openapi_url=None)
    web = Web(deps)
    app.state.web = web
    app.state.renderer = web.renderer
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    # Inside the others: its 413 page gets the security headers.
    app.add_middleware(
        BodyLimit, limit=deps.body_limit, refuse=errors.body_too_big(deps.body_limit)
    )
    app.add_middleware(HeadAsGet)
    app.middleware("http")(security_headers)
    errors.register(app)
    for router in (
        home.router,
        sign_in.router,
        channel.router,
        questions.router,
        notes_import.router,
        appeals.router,
        metrics.router,
        answer_groups.router,
        open_questions.router,
        topics.router,
    ):
        app.include_router(router)
    return app
