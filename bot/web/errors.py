"""Every refusal as a page in the reader's language: the app's own (`PageError`), a request
the routes cannot read (400), a form the framework could not read (413 for a field past the
size a form reads, 400 otherwise: nothing was saved either way), a body past the page's cap
(413, `bot.web.body_limit`), and the framework's (404 for an unknown page, 403 otherwise).

A refusal the routes did not make is in the reader's chosen language, else their channel's
(the one their session is for), else their browser's: a visitor who is not signed in learns
nothing of any channel from it."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Receive, Scope, Send

from bot.core.ports import DashboardStore
from bot.web.body_limit import Refusal
from bot.web.rendering import lang_of, renderer_of, request_lang
from content.schema import Lang


class PageError(Exception):
    """A refusal shown as a page: its status and the text key that explains it."""

    def __init__(self, status: int, key: str, lang: Lang = "ko") -> None:
        super().__init__(key)
        self.status = status
        self.key = key
        self.lang = lang


async def _page_error(request: Request, exc: Exception) -> HTMLResponse:
    assert isinstance(exc, PageError)
    return renderer_of(request).render(
        request, "error.html", exc.lang, status=exc.status, message_key=exc.key
    )


async def reader_lang(request: Request) -> Lang:
    """The language of a refusal the routes did not make (see above)."""
    web = request.app.state.web
    session = await web.session_of(request)
    if session is None:
        return request_lang(request)
    store: DashboardStore = web.deps.store
    member = session.member
    channel = await store.channel(platform=member.platform, channel_id=member.channel_id)
    return request_lang(request) if channel is None else lang_of(request, channel.lang)


async def _bad_request(request: Request, exc: Exception) -> HTMLResponse:
    return renderer_of(request).render(
        request, "error.html", await reader_lang(request), status=400, message_key="bad_request"
    )


_TOO_BIG = ("Field exceeded maximum size", "Part exceeded maximum size")
"""How Starlette's form parsers begin the message of a field past `max_part_size` (1 MB)."""


async def _http_error(request: Request, exc: Exception) -> HTMLResponse:
    assert isinstance(exc, StarletteHTTPException)
    status, key = exc.status_code, "forbidden"
    if status == 404:
        key = "not_found"
    elif status == 400 and str(exc.detail).startswith(_TOO_BIG):
        status, key = 413, "form_too_big"
    elif status == 400:
        key = "form_unreadable"
    return renderer_of(request).render(
        request, "error.html", await reader_lang(request), status=status, message_key=key
    )


def body_too_big(limit: int) -> Refusal:
    """The 413 page for a body past `limit` bytes, said in megabytes."""
    megabytes = round(limit / 1024 / 1024, 1)

    async def refuse(scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        page = renderer_of(request).render(
            request,
            "error.html",
            await reader_lang(request),
            status=413,
            message_key="body_too_big",
            message_values={"limit": f"{megabytes:g} MB"},
        )
        await page(scope, receive, send)

    return refuse


def register(app: FastAPI) -> None:
    """The handlers above, on `app` (whose `state.renderer` draws the pages)."""
    app.add_exception_handler(PageError, _page_error)
    app.add_exception_handler(RequestValidationError, _bad_request)
    app.add_exception_handler(StarletteHTTPException, _http_error)
