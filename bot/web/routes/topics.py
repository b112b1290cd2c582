"""The admins' subjects settings: which of the bank's subjects the channel's daily question and
practice draw from (what `/quiz topics` sets in the chat), with each subject's questions and
how many of them the channel was posted."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bot.core.quiz.topics import chosen_subjects, posted_ids, subject_rows
from bot.core.texts import subject_name
from bot.web.deps import AdminIn
from bot.web.errors import PageError

router = APIRouter(prefix="/c/{platform}/{channel_id}")


@router.get("/topics", response_class=HTMLResponse)
async def topics_view(admin: AdminIn, saved: int = 0) -> Response:
    web = admin.web
    bank = web.bank_of(admin.session)
    posted = await posted_ids(web.deps.store, platform=admin.platform, channel_id=admin.channel_id)
    rows = subject_rows(bank, admin.channel.subjects, posted)
    return admin.render(
        "topics.html",
        rows=rows,
        names={row.subject: subject_name(admin.lang, row.subject) for row in rows},
        saved=bool(saved),
    )


@router.post("/topics")
async def save_topics(
    admin: AdminIn,
    *,
    subject: Annotated[list[str] | None, Form()] = None,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """The subjects ticked, accepted as the chat's `/quiz topics` accepts them
    (`chosen_subjects`); all of them (or none) stores no choice: every subject, later ones
    included."""
    admin.check_csrf(csrf)
    bank = admin.web.bank_of(admin.session)
    ticked = chosen_subjects(bank, subject or [])
    if isinstance(ticked, str):
        raise PageError(400, "topics_unknown", admin.lang)
    chosen = [] if set(ticked) == set(bank.subjects()) else ticked
    await admin.web.deps.channels.update_subjects(
        platform=admin.platform, channel_id=admin.channel_id, subjects=chosen
    )
    return RedirectResponse(f"{admin.base}/topics?saved=1", status_code=303)
