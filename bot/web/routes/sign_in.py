"""Signing in with a `/quiz web` link, and signing out.

The link opens a confirmation with a button: a link preview (chat apps fetch links to draw
them) cannot use up a single-use link, only the member's click can. It is in the language of the
channel the link is for (the reader's chosen language, where they chose one), as the pages behind
it are. The session it starts is
kept on the server, so signing out ends it in every browser holding the cookie.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bot.web.deps import SESSION_COOKIE, WebDep, channel_url, check_csrf, client_address
from bot.web.errors import PageError
from bot.web.rendering import lang_of, request_lang
from bot.web.signing import SESSION_LIFETIME

FORM_COOKIE = "qm_form"

router = APIRouter()


@router.get("/signin", response_class=HTMLResponse)
async def signin_form(request: Request, web: WebDep, t: str = "") -> Response:
    lang = request_lang(request)
    if not web.signins.allow(client_address(request)):
        raise PageError(429, "too_many", lang)
    claims = web.deps.tokens.read_link(t)
    if claims is None:
        raise PageError(400, "link_bad", lang)
    member = claims.member
    channel = await web.deps.store.channel(platform=member.platform, channel_id=member.channel_id)
    if channel is not None:  # the channel's language, unless the reader chose one
        lang = lang_of(request, channel.lang)
    form = web.deps.tokens.form_token()
    response = web.renderer.render(
        request, "signin.html", lang, token=t, form=form, channel=member.channel_id
    )
    web.set_cookie(
        request, response, FORM_COOKIE, form, max_age=15 * 60, samesite="strict", path="/signin"
    )
    return response


@router.post("/signin")
async def signin(
    request: Request,
    web: WebDep,
    t: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    deps = web.deps
    lang = request_lang(request)
    if not web.signins.allow(client_address(request)):
        raise PageError(429, "too_many", lang)
    expected = request.cookies.get(FORM_COOKIE, "")
    if not expected or not secrets.compare_digest(csrf.encode(), expected.encode()):
        raise PageError(403, "csrf_bad", lang)
    claims = deps.tokens.read_link(t)
    if claims is None or not await deps.nonces.use(
        claims.nonce, now=deps.clock(), expires_at=claims.expires
    ):
        raise PageError(400, "link_bad", lang)
    member = claims.member
    token, session = deps.tokens.session_token(member)
    await deps.sessions.start(session.row(started_at=deps.clock()))
    response = RedirectResponse(channel_url(session), status_code=303)
    lifetime = int(SESSION_LIFETIME.total_seconds())
    web.set_cookie(request, response, SESSION_COOKIE, token, max_age=lifetime)
    response.delete_cookie(FORM_COOKIE, path="/signin")
    return response


@router.post("/signout")
async def signout(request: Request, web: WebDep, csrf: Annotated[str, Form()] = "") -> Response:
    session = check_csrf(await web.session_of(request), csrf, request_lang(request))
    await web.deps.sessions.end(session.id)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
