"""The admins' appeals queue: each open appeal with what judging it needs, how often the
grader was corrected lately (the chat's `/quiz appeals` figures), and resolving one."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bot.core.numerals import score_typed
from bot.core.quiz.appeals import AppealRefusedError, AppealRow
from bot.web.deps import AdminIn, Web, stored_id
from bot.web.errors import PageError
from content.schema import Lang

router = APIRouter(prefix="/c/{platform}/{channel_id}")


async def _entry(web: Web, appeal: AppealRow, *, platform: str, lang: Lang) -> dict[str, Any]:
    """What the queue shows of one appeal: the answer, its question, reference and concepts."""
    answer = appeal.answer
    bank = web.deps.bank.seen_from(answer.platform, answer.channel_id)
    prompt = bank.get(answer.prompt_id) if answer.prompt_id in bank else None
    labels = {c.id: c.label(lang) for c in prompt.concepts} if prompt else {}
    return {
        "appeal": appeal,
        "name": await web.deps.store.display_name(platform=platform, user_id=answer.user_id),
        "question": prompt.text.get(lang) if prompt else answer.prompt_id,
        "reference": (
            (prompt.references_in(lang) or prompt.references)[0].text
            if prompt and prompt.references
            else None
        ),
        "concepts": [c.label(lang) for c in prompt.concepts] if prompt else [],
        "covered": [labels.get(c, c) for c in answer.covered],
        "missed": [labels.get(c, c) for c in answer.missed],
    }


@router.get("/appeals", response_class=HTMLResponse)
async def appeals_view(admin: AdminIn, done: int | None = None) -> Response:
    web, lang = admin.web, admin.lang
    appeals = web.deps.appeals
    waiting = await appeals.repo.open_appeals(platform=admin.platform, channel_id=admin.channel_id)
    entries = [await _entry(web, appeal, platform=admin.platform, lang=lang) for appeal in waiting]
    return admin.render(
        "appeals.html",
        entries=entries,
        figures=await appeals.figures(platform=admin.platform, channel_id=admin.channel_id),
        done=done,
    )


def _new_score(given: str, lang: Lang) -> int | None:
    """The score an admin typed: a whole number to 100 in one script of digits
    (`bot.core.numerals`), or blank or "keep" for none."""
    if given.strip().lower() in ("", "keep"):
        return None
    score = score_typed(given)
    if score is None:
        raise PageError(400, "appeal_score_bad", lang)
    return score


@router.post("/appeals/{appeal_id}", response_class=HTMLResponse)
async def resolve_appeal(
    admin: AdminIn,
    appeal_id: int,
    *,
    score: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Resolve through the core's own `Appeals.settle` (the chat command's path); the
    member's notice goes to the outbox the bot's scheduler sends from, in the appeal's own
    transaction, since this page may run in a process with no chat connection (a bot in
    this one is woken to send it now)."""
    admin.check_csrf(csrf)
    lang = admin.lang
    stored_id(appeal_id, lang)
    deps = admin.web.deps
    new_score = _new_score(score, lang)
    try:
        resolved = await deps.appeals.settle(
            platform=admin.platform,
            channel_id=admin.channel_id,
            appeal_id=appeal_id,
            score=new_score,
            note=note,
            by=admin.session.member.user_id,
            queue_notice_in=admin.channel.lang,
        )
    except AppealRefusedError as exc:
        status = {"appeal_unknown": 404, "appeal_own": 403}.get(exc.key, 409)
        raise PageError(status, exc.key, lang) from None
    if deps.notice_left is not None:
        deps.notice_left()
    return RedirectResponse(f"{admin.base}/appeals?done={resolved.id}", status_code=303)
