"""The admins' answer groups: per question, the channel's answers grouped by meaning, graded a
group (or an answer) at a time, the grades applied together and each changed member told in
the question's thread through the outbox the appeals use."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bot.core.numerals import score_typed
from bot.core.reporting.teaching import SHOWN, Teaching, ToTeach
from bot.core.team_grading import GroupGrade, QuestionAnswer
from bot.web.deps import AdminIn, Signed, stored_id
from bot.web.errors import PageError
from content.schema import Lang
from evaluators.answer_groups import AnswerGroup
from evaluators.grade import EmbeddingUnavailableError

router = APIRouter(prefix="/c/{platform}/{channel_id}")


def _question(admin: Signed, prompt_id: str) -> str:
    bank = admin.web.bank_of(admin.session)
    return bank.get(prompt_id).text.get(admin.lang) if prompt_id in bank else prompt_id


async def _names(admin: Signed, user_ids: set[str]) -> dict[str, str]:
    store = admin.web.deps.store
    return {
        u: await store.display_name(platform=admin.platform, user_id=u) for u in sorted(user_ids)
    }


def _score(given: str, lang: Lang) -> int:
    """The score an admin typed: a whole number to 100 in one script of digits, as a number in
    a command is (`bot.core.numerals`: `٨٠` is 80, `1٣` is refused)."""
    score = score_typed(given)
    if score is None:
        raise PageError(400, "group_score_bad", lang)
    return score


@router.get("/groups", response_class=HTMLResponse)
async def questions_view(admin: AdminIn) -> Response:
    """The channel's answered questions, and the answers whose team grade would teach the
    grader the most (none while the embedding server is down: the questions still show)."""
    grading = admin.grading()
    platform, channel_id = admin.platform, admin.channel_id
    tallies = await grading.store.answered_questions(platform=platform, channel_id=channel_id)
    teaching = Teaching(store=grading.store, grouping=grading.grouping)
    try:
        waiting: list[ToTeach] | None = await teaching.waiting(
            platform=platform, channel_id=channel_id, ready_only=True
        )
    except EmbeddingUnavailableError:
        waiting = None
    users = {t.group.representative.answer.user_id for t in (waiting or [])[:SHOWN]}
    return admin.render(
        "answer_groups_index.html",
        tallies=tallies,
        waiting=waiting,
        shown=SHOWN,
        names=await _names(admin, users),
        question=lambda prompt_id: _question(admin, prompt_id),
    )


@router.get("/groups/{prompt_id}", response_class=HTMLResponse)
async def groups_view(
    admin: AdminIn,
    prompt_id: str,
    *,
    staged: int | None = None,
    applied: int | None = None,
    told: int | None = None,
    discarded: int | None = None,
) -> Response:
    lang = admin.lang
    grading = admin.grading()
    platform, channel_id = admin.platform, admin.channel_id
    try:
        groups: list[AnswerGroup[QuestionAnswer]]
        groups, preparing = await grading.ready_groups(
            platform=platform, channel_id=channel_id, prompt_id=prompt_id
        )
    except EmbeddingUnavailableError:
        raise PageError(503, "groups_unavailable", lang) from None
    if not groups and not preparing:
        raise PageError(404, "not_found", lang)
    waiting = await grading.store.staged(
        platform=platform, channel_id=channel_id, prompt_id=prompt_id
    )
    users = {m.answer.user_id for g in groups for m in g.members}
    values: dict[str, Any] = {
        "prompt_id": prompt_id,
        "question": _question(admin, prompt_id),
        "groups": groups,
        "preparing": preparing,
        "waiting": waiting,
        "names": await _names(admin, users),
        "done": {"staged": staged, "applied": applied, "told": told, "discarded": discarded},
    }
    # A thousand answers are a long page to draw: on a worker thread, as the groups were made.
    return await asyncio.to_thread(admin.render, "answer_groups.html", **values)


@router.post("/groups/{prompt_id}/grade")
async def grade_group(
    admin: AdminIn,
    prompt_id: str,
    *,
    answer: Annotated[list[int], Form()],
    score: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Stage one score on the posted answers (a group, or one); nothing changes for members
    until the question's grades are applied. Answers of another channel or question: 403."""
    admin.check_csrf(csrf)
    lang = admin.lang
    grading = admin.grading()
    ids = [stored_id(a, lang) for a in answer]
    new_score = _score(score, lang)
    done = await grading.stage(
        GroupGrade(
            platform=admin.platform,
            channel_id=admin.channel_id,
            prompt_id=prompt_id,
            answer_ids=ids,
            score=new_score,
            note=note,
            by=admin.session.member.user_id,
        )
    )
    if not done:
        raise PageError(403, "group_answer_foreign", lang)
    return RedirectResponse(f"{_page(admin, prompt_id)}?staged={len(set(ids))}", status_code=303)


@router.post("/groups/{prompt_id}/apply")
async def apply_grades(
    admin: AdminIn, prompt_id: str, *, csrf: Annotated[str, Form()] = ""
) -> Response:
    """Apply the question's waiting grades; the notices go to the outbox in the same
    transaction (a bot in this process is woken to send them now)."""
    admin.check_csrf(csrf)
    applied = await admin.grading().apply(
        platform=admin.platform,
        channel_id=admin.channel_id,
        prompt_id=prompt_id,
        lang=admin.channel.lang,
    )
    deps = admin.web.deps
    if applied.changed and deps.notice_left is not None:
        deps.notice_left()
    return RedirectResponse(
        f"{_page(admin, prompt_id)}?applied={applied.applied}&told={applied.changed}",
        status_code=303,
    )


@router.post("/groups/{prompt_id}/discard")
async def discard_grades(
    admin: AdminIn, prompt_id: str, *, csrf: Annotated[str, Form()] = ""
) -> Response:
    admin.check_csrf(csrf)
    gone = await admin.grading().store.discard(
        platform=admin.platform, channel_id=admin.channel_id, prompt_id=prompt_id
    )
    return RedirectResponse(f"{_page(admin, prompt_id)}?discarded={gone}", status_code=303)


def _page(admin: Signed, prompt_id: str) -> str:
    """The question's groups page, where every form returns."""
    return f"{admin.base}/groups/{quote(prompt_id, safe='')}"
