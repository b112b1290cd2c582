"""Pages drawn from the templates in the reader's language: the language cookie, else the
channel's (the sign-in page's too), else, on a page of no channel, the browser's."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from bot.core.texts import subject_name
from bot.web.signing import Session
from bot.web.texts import markup
from content.schema import Lang

TEMPLATES = Path(__file__).parent / "templates"
LANG_COOKIE = "qm_lang"


def lang_of(request: Request, fallback: Lang) -> Lang:
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen == "ko":
        return "ko"
    if chosen == "en":
        return "en"
    return fallback


def browser_lang(request: Request) -> Lang:
    return "en" if request.headers.get("accept-language", "").lower().startswith("en") else "ko"


def request_lang(request: Request) -> Lang:
    """The language of a page that belongs to no channel."""
    return lang_of(request, browser_lang(request))


class Renderer:
    """The templates, with `t` (a text in the page's language), `subject_name` (a subject id by
    its name in that language, as the chat names it, never the id itself) and what every page
    shows."""

    def __init__(self) -> None:
        self._templates = Jinja2Templates(directory=TEMPLATES)

    def render(
        self,
        request: Request,
        name: str,
        lang: Lang,
        status: int = 200,
        session: Session | None = None,
        **values: Any,
    ) -> HTMLResponse:
        def t(key: str, **more: object) -> Markup:
            return markup(lang, key, **more)

        shown = {
            "t": t,
            "subject_name": partial(subject_name, lang),
            "lang": lang,
            "session": session,
            "here": request.url.path,
        }
        return self._templates.TemplateResponse(request, name, shown | values, status_code=status)


def renderer_of(request: Request) -> Renderer:
    renderer: Renderer = request.app.state.renderer
    return renderer
