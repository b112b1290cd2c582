"""The pages outside any channel: the health check, the home page and the language switch."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bot.web.deps import WebDep, channel_url
from bot.web.rendering import LANG_COOKIE, request_lang

router = APIRouter()


def safe_next(target: str) -> str:
    """Only a path on this site: never another host (`//evil`, `https://...`)."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/", response_class=HTMLResponse)
async def home(request: Request, web: WebDep) -> Response:
    session = await web.session_of(request)
    if session is not None:
        return RedirectResponse(channel_url(session), status_code=303)
    return web.renderer.render(request, "home.html", request_lang(request))


@router.get("/lang/{code}")
async def choose_lang(request: Request, web: WebDep, code: str, next: str = "/") -> Response:
    """The language the pages are shown in (a preference cookie, no account data)."""
    response = RedirectResponse(safe_next(next), status_code=303)
    if code in ("ko", "en"):
        web.set_cookie(request, response, LANG_COOKIE, code, max_age=365 * 86400)
    return response
