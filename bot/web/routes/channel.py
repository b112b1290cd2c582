"""A member's view of their channel: the channel page (board and recent days), their own page
(scores, mastery, answers) and an appeal of one of their answers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bot.core.commands import Period
from bot.core.quiz.appeals import AppealRefusedError
from bot.core.quiz.mastery import named_seen, percent
from bot.core.reporting import dashboards
from bot.core.turn import channel_schedule
from bot.web import charts
from bot.web.deps import SignedIn, stored_id
from bot.web.errors import PageError
from bot.web.texts import text

router = APIRouter(prefix="/c/{platform}/{channel_id}")


@router.get("", response_class=HTMLResponse)
async def channel_view(signed: SignedIn, period: Annotated[Period, Query()] = "week") -> Response:
    web, channel, lang = signed.web, signed.channel, signed.lang
    deps = web.deps
    now = deps.clock()
    today = channel_schedule(channel).local_day(now)
    key = (signed.platform, signed.channel_id, period, lang, today)
    version = (await deps.store.data_version(), channel)
    page = web.pages.get((key, version))
    if page is None:
        page = await dashboards.channel_page(
            deps.store, deps.bank, channel=channel, now=now, lang=lang, period=period
        )
        web.pages.put((key, version), page)
    period_name = text(lang, f"period_{period}")
    chart = charts.bar_chart(
        [charts.Bar(line.name, line.total, str(line.total)) for line in page.board],
        title=text(lang, "board_chart", period=period_name),
        chart_id="board",
    )
    return signed.render(
        "channel.html", page=page, period=period, periods=dashboards.PERIODS, chart=chart
    )


@router.post("/me/answers/{answer_id}/appeal")
async def appeal_answer(
    signed: SignedIn,
    answer_id: int,
    *,
    reason: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """A member appeals one of their own answers, picked on their page, through the core's
    `Appeals.open_on` (what `/quiz appeal` does for the latest answer)."""
    signed.check_csrf(csrf)
    try:
        appeal = await signed.web.deps.appeals.open_on(
            platform=signed.platform,
            channel_id=signed.channel_id,
            user_id=signed.session.member.user_id,
            answer_id=stored_id(answer_id, signed.lang),
            reason=reason,
        )
    except AppealRefusedError as exc:
        status = 404 if exc.key == "appeal_answer_unknown" else 409
        raise PageError(status, exc.key, signed.lang) from None
    return RedirectResponse(f"{signed.base}/me?appealed={appeal.id}", status_code=303)


@router.get("/me", response_class=HTMLResponse)
async def me_view(signed: SignedIn, appealed: int | None = None) -> Response:
    deps, lang = signed.web.deps, signed.lang
    zone = channel_schedule(signed.channel).zone
    page = await dashboards.member_page(
        deps.store,
        deps.bank,
        scheduler=deps.scheduler,
        channel=signed.channel,
        user_id=signed.session.member.user_id,
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
    return signed.render(
        "me.html",
        page=page,
        scores=scores,
        mastery=mastery,
        percent=percent,
        local=lambda instant: instant.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z"),
        appealed=appealed,
    )
