"""A member's view of their channel: the channel page (board and recent days), their own page
(scores, mastery, answers) and an appeal of one of their answers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bot.core.commands import Period
from bot.core.quiz.appeals import AppealRefusedError
from bot.core.quiz.mastery import named_seen, percent
from bot.core.reporting import dashboards
from bot.core.turn import channel_schedule
from bot.web import charts
from bot.web.deps import WebDep, channel_url, check_csrf, stored_id
from bot.web.errors import PageError
from bot.web.texts import text

router = APIRouter(prefix="/c/{platform}/{channel_id}")


@router.get("", response_class=HTMLResponse)
async def channel_view(
    request: Request,
    web: WebDep,
    platform: str,
    channel_id: str,
    period: Annotated[Period, Query()] = "week",
) -> Response:
    session, channel, lang = await web.signed_in(request, platform, channel_id)
    deps = web.deps
    now = deps.clock()
    key = (platform, channel_id, period, lang, channel_schedule(channel).local_day(now))
    version = (await deps.store.data_version(), channel)
    page = web.pages.get(key, version)
    if page is None:
        page = await dashboards.channel_page(
            deps.store, deps.bank, channel=channel, now=now, lang=lang, period=period
        )
        web.pages.put(key, version, page)
    period_name = text(lang, f"period_{period}")
    chart = charts.bar_chart(
        [charts.Bar(line.name, line.total, str(line.total)) for line in page.board],
        title=text(lang, "board_chart", period=period_name),
        chart_id="board",
    )
    return web.channel_page(
        request,
        "channel.html",
        lang,
        session,
        page=page,
        period=period,
        periods=dashboards.PERIODS,
        chart=chart,
    )


@router.post("/me/answers/{answer_id}/appeal")
async def appeal_answer(
    request: Request,
    web: WebDep,
    platform: str,
    channel_id: str,
    answer_id: int,
    *,
    reason: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """A member appeals one of their own answers, picked on their page, through the core's
    `Appeals.open_on` (what `/quiz appeal` does for the latest answer)."""
    session, _, lang = await web.signed_in(request, platform, channel_id)
    check_csrf(session, csrf, lang)
    try:
        appeal = await web.deps.appeals.open_on(
            platform=platform,
            channel_id=channel_id,
            user_id=session.member.user_id,
            answer_id=stored_id(answer_id, lang),
            reason=reason,
        )
    except AppealRefusedError as exc:
        status = 404 if exc.key == "appeal_answer_unknown" else 409
        raise PageError(status, exc.key, lang) from None
    return RedirectResponse(f"{channel_url(session)}/me?appealed={appeal.id}", status_code=303)


@router.get("/me", response_class=HTMLResponse)
async def me_view(
    request: Request, web: WebDep, platform: str, channel_id: str, appealed: int | None = None
) -> Response:
    session, channel, lang = await web.signed_in(request, platform, channel_id)
    deps = web.deps
    zone = channel_schedule(channel).zone
    page = await dashboards.member_page(
        deps.store,
        deps.bank,
        scheduler=deps.scheduler,
        channel=channel,
        user_id=session.member.user_id,
        now=deps.clock(),
        lang=lang,
    )
    scores = charts.line_chart(page.days, title=text(lang, "scores_chart"), chart_id="scores")
    mastery = charts.bar_chart(
        [
            charts.Bar(
                named_seen(row, lang),
                None if row.value is None else row.value * 100,
                percent(row, lang),
            )
            for row in page.mastery
        ],
        title=text(lang, "mastery_chart"),
        chart_id="mastery",
        maximum=100.0,
    )
    return web.channel_page(
        request,
        "me.html",
        lang,
        session,
        page=page,
        scores=scores,
        mastery=mastery,
        percent=percent,
        local=lambda instant: instant.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z"),
        appealed=appealed,
    )
