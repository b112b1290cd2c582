"""The admins' open questions: the answers kept for a question that had no model answer when
it was posted, the best of them picked (and edited) into the model answer, and the kept answers
graded against it, each member told their score in the question's thread."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bot.core.member_text import member_text
from bot.core.models import ModelAnswer
from bot.core.quiz.model_answer import ModelAnswerError, answered
from bot.web.deps import Web, WebDep, channel_url, check_csrf
from bot.web.errors import PageError
from bot.web.signing import Session
from content.importers.imported_bank import answer_lang
from content.schema import Lang, Prompt
from content.text_rule import visible
from evaluators.grade import EmbeddingUnavailableError

router = APIRouter(prefix="/c/{platform}/{channel_id}")
MODEL_ANSWER_CHARS = 4000


async def _question(web: Web, session: Session, prompt_id: str, lang: Lang) -> Prompt:
    """The open question of this id that the session's channel sees; 404 otherwise."""
    return web.questions_of(session, lang).open_question(prompt_id)


@router.get("/open", response_class=HTMLResponse)
async def open_view(
    request: Request,
    web: WebDep,
    platform: str,
    channel_id: str,
    *,
    done: str | None = None,
    graded: int | None = None,
) -> Response:
    session, _, lang = await web.admin_in(request, platform, channel_id)
    opened = web.deps.open_questions
    rows = [
        (
            question,
            len(
                await opened.store.open_answers(
                    platform=platform, channel_id=channel_id, prompt_id=question.id
                )
            ),
        )
        for question in web.questions_of(session, lang).open_questions()
    ]
    return web.channel_page(
        request,
        "open_questions.html",
        lang,
        session,
        rows=rows,
        done=done,
        graded=graded,
    )


async def _page(
    request: Request,
    web: Web,
    session: Session,
    question: Prompt,
    lang: Lang,
    *,
    draft: str = "",
    written: Lang | None = None,
    status: int = 200,
    problem: str | None = None,
    reason: str = "",
) -> Response:
    """The question's page; the model answer's language chosen is `written` (what the admin
    chose, on a refusal), else the draft's own, else the page's."""
    member = session.member
    opened = web.deps.open_questions
    kept = await opened.kept(
        platform=member.platform, channel_id=member.channel_id, prompt_id=question.id
    )
    posts = await web.deps.store.posts(platform=member.platform, channel_id=member.channel_id)
    posted = [post.day for post in posts if post.prompt_id == question.id]
    values: dict[str, Any] = {
        "question": question,
        "kept": kept,
        "saved": await opened.waiting(question.id),
        "posted": max(posted).isoformat() if posted else None,
        "draft": draft,
        "written": written or (answer_lang(draft) if draft.strip() else lang),
        "problem": problem,
        "reason": reason,
        "limit": MODEL_ANSWER_CHARS,
    }
    return web.channel_page(
        request,
        "open_question.html",
        lang,
        session,
        status=status,
        **values,
    )


@router.get("/open/{prompt_id}", response_class=HTMLResponse)
async def open_question_view(
    request: Request, web: WebDep, platform: str, channel_id: str, prompt_id: str
) -> Response:
    session, _, lang = await web.admin_in(request, platform, channel_id)
    return await _page(request, web, session, await _question(web, session, prompt_id, lang), lang)


@router.post("/open/{prompt_id}/compose", response_class=HTMLResponse)
async def compose(
    request: Request,
    web: WebDep,
    platform: str,
    channel_id: str,
    prompt_id: str,
    *,
    answer: Annotated[list[int] | None, Form()] = None,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """The picked answers, one paragraph each, in the model answer's box to edit (only this
    channel's answers to this question are taken; any other id is refused)."""
    session, _, lang = await web.admin_in(request, platform, channel_id)
    check_csrf(session, csrf, lang)
    question = await _question(web, session, prompt_id, lang)
    kept = await web.deps.open_questions.kept(
        platform=platform, channel_id=channel_id, prompt_id=prompt_id
    )
    by_id = {k.answer.id: k.answer.text for k in kept}
    picked = answer or []
    if any(a not in by_id for a in picked):
        raise PageError(403, "open_answer_foreign", lang)
    draft = "\n\n".join(by_id[a] for a in picked)
    return await _page(request, web, session, question, lang, draft=draft)


@router.post("/open/{prompt_id}/save", response_class=HTMLResponse)
async def save_model_answer(
    request: Request,
    web: WebDep,
    platform: str,
    channel_id: str,
    prompt_id: str,
    *,
    model_answer: Annotated[str, Form()] = "",
    answer_lang: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """The model answer makes the question ready (a team question, with key concepts drafted
    from it as notes get theirs), and the channel's kept answers are graded against it and
    their members told through the outbox, as one unit (`bot.core.quiz.open_answers`): saved
    first, so a second save of the question is told another came first (409), and a grading
    server that cannot answer leaves the question open with this model answer saved (503)."""
    session, channel, lang = await web.admin_in(request, platform, channel_id)
    check_csrf(session, csrf, lang)
    question = await _question(web, session, prompt_id, lang)
    written: Lang = "en" if answer_lang == "en" else "ko"
    model_answer = member_text(model_answer)

    async def refused(status: int, problem: str, reason: str = "") -> Response:
        return await _page(
            request, web, session, question, lang, draft=model_answer[:MODEL_ANSWER_CHARS],
            written=written, status=status, problem=problem, reason=reason,
        )  # fmt: skip

    if len(model_answer) > MODEL_ANSWER_CHARS:
        return await refused(400, "open_model_too_long")
    try:
        # Drafting reads the answer with Kiwi (loaded on first use): off the event loop.
        ready = await asyncio.to_thread(answered, question, model_answer, written)
    except ModelAnswerError as exc:
        problem = "open_model_refused" if visible(model_answer) else "open_model_empty"
        return await refused(400, problem, str(exc))
    deps = web.deps
    saved = ModelAnswer(
        prompt=ready,
        platform=platform,
        channel_id=channel_id,
        lang=channel.lang,
        written_by=session.member.user_id,
        written_at=deps.clock(),
    )
    try:
        graded = await web.deps.open_questions.model_answers.save(saved)
    except EmbeddingUnavailableError:
        return await refused(503, "open_model_waiting")
    if graded is None:
        return await refused(409, "open_model_taken")
    if graded and deps.notice_left is not None:
        deps.notice_left()
    return RedirectResponse(
        f"{channel_url(session)}/open?done={quote(prompt_id, safe='')}&graded={graded}",
        status_code=303,
    )
