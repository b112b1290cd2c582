"""The admins' open questions: the answers kept for a question that had no model answer when
it was posted, the best of them picked (and edited) into the model answer, and the kept answers
graded against it, each member told their score in the question's thread."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bot.core.member_text import member_text
from bot.core.models import ModelAnswer
from bot.core.quiz.model_answer import ModelAnswerError, answered
from bot.web.deps import AdminIn, Signed
from bot.web.errors import PageError
from content.importers.imported_bank import answer_lang
from content.schema import Lang, Prompt
from content.text_rule import visible
from evaluators.grade import EmbeddingUnavailableError

router = APIRouter(prefix="/c/{platform}/{channel_id}")
MODEL_ANSWER_CHARS = 4000


@router.get("/open", response_class=HTMLResponse)
async def open_view(
    admin: AdminIn, *, done: str | None = None, graded: int | None = None
) -> Response:
    opened = admin.web.deps.open_questions
    rows = [
        (
            question,
            len(
                await opened.store.open_answers(
                    platform=admin.platform, channel_id=admin.channel_id, prompt_id=question.id
                )
            ),
        )
        for question in admin.questions().open_questions()
    ]
    return admin.render("open_questions.html", rows=rows, done=done, graded=graded)


async def _page(
    admin: Signed,
    question: Prompt,
    *,
    draft: str = "",
    written: Lang | None = None,
    status: int = 200,
    problem: str | None = None,
    reason: str = "",
) -> Response:
    """The question's page; the model answer's language chosen is `written` (what the admin
    chose, on a refusal), else the draft's own, else the page's."""
    platform, channel_id = admin.platform, admin.channel_id
    opened = admin.web.deps.open_questions
    kept = await opened.kept(platform=platform, channel_id=channel_id, prompt_id=question.id)
    posts = await admin.web.deps.store.posts(platform=platform, channel_id=channel_id)
    posted = [post.day for post in posts if post.prompt_id == question.id]
    values: dict[str, Any] = {
        "question": question,
        "kept": kept,
        "saved": await opened.waiting(question.id),
        "posted": max(posted).isoformat() if posted else None,
        "draft": draft,
        "written": written or (answer_lang(draft) if draft.strip() else admin.lang),
        "problem": problem,
        "reason": reason,
        "limit": MODEL_ANSWER_CHARS,
    }
    return admin.render("open_question.html", status=status, **values)


@router.get("/open/{prompt_id}", response_class=HTMLResponse)
async def open_question_view(admin: AdminIn, prompt_id: str) -> Response:
    return await _page(admin, admin.questions().open_question(prompt_id))


@router.post("/open/{prompt_id}/compose", response_class=HTMLResponse)
async def compose(
    admin: AdminIn,
    prompt_id: str,
    *,
    answer: Annotated[list[int] | None, Form()] = None,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """The picked answers, one paragraph each, in the model answer's box to edit (only this
    channel's answers to this question are taken; any other id is refused)."""
    admin.check_csrf(csrf)
    question = admin.questions().open_question(prompt_id)
    kept = await admin.web.deps.open_questions.kept(
        platform=admin.platform, channel_id=admin.channel_id, prompt_id=prompt_id
    )
    by_id = {k.answer.id: k.answer.text for k in kept}
    picked = answer or []
    if any(a not in by_id for a in picked):
        raise PageError(403, "open_answer_foreign", admin.lang)
    draft = "\n\n".join(by_id[a] for a in picked)
    return await _page(admin, question, draft=draft)


@router.post("/open/{prompt_id}/save", response_class=HTMLResponse)
async def save_model_answer(
    admin: AdminIn,
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
    admin.check_csrf(csrf)
    question = admin.questions().open_question(prompt_id)
    written: Lang = "en" if answer_lang == "en" else "ko"
    model_answer = member_text(model_answer)

    async def refused(status: int, problem: str, reason: str = "") -> Response:
        return await _page(
            admin, question, draft=model_answer[:MODEL_ANSWER_CHARS], written=written,
            status=status, problem=problem, reason=reason,
        )  # fmt: skip

    if len(model_answer) > MODEL_ANSWER_CHARS:
        return await refused(400, "open_model_too_long")
    try:
        # Drafting reads the answer with Kiwi (loaded on first use): off the event loop.
        ready = await asyncio.to_thread(answered, question, model_answer, written)
    except ModelAnswerError as exc:
        problem = "open_model_refused" if visible(model_answer) else "open_model_empty"
        return await refused(400, problem, exc.said(admin.lang))
    deps = admin.web.deps
    saved = ModelAnswer(
        prompt=ready,
        platform=admin.platform,
        channel_id=admin.channel_id,
        lang=admin.channel.lang,
        written_by=admin.session.member.user_id,
        written_at=deps.clock(),
    )
    try:
        graded = await deps.open_questions.model_answers.save(saved)
    except EmbeddingUnavailableError:
        return await refused(503, "open_model_waiting")
    if graded is None:
        return await refused(409, "open_model_taken")
    if graded and deps.notice_left is not None:
        deps.notice_left()
    return RedirectResponse(
        f"{admin.base}/open?done={quote(prompt_id, safe='')}&graded={graded}",
        status_code=303,
    )
