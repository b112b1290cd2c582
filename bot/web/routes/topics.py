"""The admins' subjects settings: which of the bank's subjects the channel's daily question and
practice draw from (what `/quiz topics` sets in the chat), with each subject's questions and
how many of them the channel was posted."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bot.core.quiz.topics import posted_ids, subject_rows
from bot.core.texts import subject_name
from bot.web.deps import WebDep, channel_url, check_csrf
from bot.web.errors import PageError

router = APIRouter(prefix="/c/{platform}/{channel_id}")


@router.get("/topics", response_class=HTMLResponse)
async def topics_view(
    request: Request, web: WebDep, platform: str, channel_id: str, saved: int = 0
) -> Response:
    session, channel, lang = await web.admin_in(request, platform, channel_id)
    bank = web.deps.bank.seen_from(platform, channel_id)
    posted = await posted_ids(web.deps.store, platform=platform, channel_id=channel_id)
    rows = subject_rows(bank, channel.subjects, posted)
    return web.channel_page(
        request,
        "topics.html",
        lang,
        session,
        rows=rows,
        names={row.subject: subject_name(lang, row.subject) for row in rows},
        saved=bool(saved),
    )


@router.post("/topics")
async def save_topics(
    request: Request,
    web: WebDep,
    platform: str,
    channel_id: str,
    *,
    subject: Annotated[list[str] | None, Form()] = None,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """The subjects ticked; all of them (or none) stores no choice: every subject, later ones
    included."""
    session, _, lang = await web.admin_in(request, platform, channel_id)
    check_csrf(session, csrf, lang)
    known = web.deps.bank.seen_from(platform, channel_id).subjects()
    ticked = list(dict.fromkeys(subject or []))
    if any(s not in known for s in ticked):
        raise PageError(400, "topics_unknown", lang)
    chosen = [] if set(ticked) == set(known) else ticked
    await web.deps.channels.update_subjects(
        platform=platform, channel_id=channel_id, subjects=chosen
    )
    return RedirectResponse(f"{channel_url(session)}/topics?saved=1", status_code=303)
