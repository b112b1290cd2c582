"""The admins' question pages: the bank's questions with their references and concepts (they
are the answer, so admins only), "Try the grader" (an answer graded as the channel would grade
it, stored nowhere), and writing or editing a team question, checked as `quizmaster content
check` would."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from bot.core.member_text import member_text, refusal
from bot.core.quiz.desk import Where, graded_part
from bot.core.reporting import dashboards
from bot.web.deps import AdminIn, Signed
from bot.web.question_form import GENERAL, QuestionForm
from bot.web.routes.notes_import import FORM_BYTES
from content.check import check_draft
from content.schema import Prompt
from evaluators.grade import EmbeddingUnavailableError

router = APIRouter(prefix="/c/{platform}/{channel_id}")


async def graded_try(admin: Signed, prompt: Prompt, answer: str) -> dict[str, Any] | None:
    """Try the grader: `answer` graded as the session's channel would grade it (its team's
    grades included), with the explanation `quizmaster grade --explain` prints where the grader
    can give one, stored nowhere. An answer that shows nothing, or is in a language the grader
    does not read, is refused as the chat refuses it (`refusal`), not graded."""
    why = refusal(answer)
    if why is not None:
        return {"error": f"try_{why}"}
    desk = admin.web.deps.desk
    lang = admin.lang
    try:
        tried = await desk.explain(
            prompt, answer, where=Where(admin.platform, admin.channel_id), lang=lang
        )
    except EmbeddingUnavailableError:
        return {"error": "try_unavailable"}
    labels = {c.id: c.label(lang) for c in prompt.concepts}
    grade = tried.grade
    return {
        "grade": grade,
        "explanation": tried.explanation,
        "covered": [labels.get(c, c) for c in grade.covered],
        "missed": [labels.get(c, c) for c in grade.missed],
    }


@router.get("/questions", response_class=HTMLResponse)
async def questions_view(admin: AdminIn, *, subject: str = "", q: str = "") -> Response:
    """The channel's questions, by subject (the taxonomy `/quiz topics` lists) and words."""
    bank = admin.questions().bank
    lines = await dashboards.question_lines(
        admin.web.deps.store,
        bank,
        admin.channel,
        admin.lang,
        subject=subject or None,
        query=q[:200],
    )
    return admin.render(
        "questions.html",
        lines=lines,
        drafted=any(c.drafted for line in lines for c in line.prompt.concepts),
        subjects=bank.subjects(),
        subject=subject,
        q=q[:200],
    )


async def _question_view(
    admin: Signed,
    prompt_id: str,
    *,
    answer: str | None = None,
    csrf: str = "",
    refused: str | None = None,
) -> Response:
    """The question's page, with the grade of `answer` when one was typed, or the text key of
    why a typed answer was `refused` (then with status 413)."""
    lang = admin.lang
    questions = admin.questions()
    prompt = questions.question(prompt_id)
    tried: dict[str, Any] | None = {"error": refused} if refused else None
    if answer is not None:
        admin.check_csrf(csrf)
        tried = await graded_try(admin, prompt, answer)
    return admin.render(
        "question.html",
        status=413 if refused else 200,
        prompt=prompt,
        subject=questions.bank.subject(prompt),
        references=[r.text for r in (prompt.references_in(lang) or prompt.references)],
        guidance=prompt.guidance.get(lang) if prompt.guidance else None,
        answer=answer or "",
        tried=tried,
        editable=questions.editable(prompt_id),
    )


@router.get("/questions/{prompt_id}", response_class=HTMLResponse)
async def question_page(admin: AdminIn, prompt_id: str) -> Response:
    return await _question_view(admin, prompt_id)


@router.post("/questions/{prompt_id}", response_class=HTMLResponse)
async def try_grader(admin: AdminIn, prompt_id: str) -> Response:
    """Grade the typed answer; one past what a form field may hold (FORM_BYTES) gets the same
    page saying the answer is too long, not the framework's bare 400."""
    try:
        form = await admin.request.form(max_part_size=FORM_BYTES)
    except HTTPException:
        return await _question_view(admin, prompt_id, refused="try_too_big")
    given = {key: value for key, value in form.items() if isinstance(value, str)}
    answer = member_text(given.get("answer", ""))
    csrf = given.get("csrf", "")
    return await _question_view(admin, prompt_id, answer=answer, csrf=csrf)


def _edit_page(
    admin: Signed,
    form: QuestionForm,
    *,
    editing: str | None,
    answer: str = "",
    tried: dict[str, Any] | None = None,
    status: int | None = None,
    version: int | None = None,
    conflict: str | None = None,
) -> HTMLResponse:
    """The editor; `version`: the stored question's, which a save must still find (an edit),
    `conflict`: the text key of why nothing was saved (another admin's save came first)."""
    return admin.render(
        "question_edit.html",
        status=status or (422 if form.errors else 200),
        form=form,
        general=form.errors.get(GENERAL, []),
        editing=editing,
        version=version,
        conflict=conflict,
        answer=answer,
        tried=tried,
    )


def _version(given: dict[str, str]) -> int:
    """The version of the stored question the editor showed (0, which no save finds, when the
    form lost it)."""
    typed = given.get("version", "")
    return int(typed) if typed.isascii() and typed.isdigit() and len(typed) < 10 else 0


async def _save_or_try(admin: Signed, editing: str | None) -> Response:
    """Check the typed question as `quizmaster content check` would; save it (database and
    this process's bank), or grade the typed answer against the unsaved draft. A save another
    admin's save overtook (the same new id, or an edit of the same version) saves nothing and
    shows the form again saying so (409)."""
    web, session = admin.web, admin.session
    bank = web.bank_of(session)
    kept = bank.get(editing) if editing is not None else None
    try:
        posted = await admin.request.form(max_part_size=FORM_BYTES)
    except HTTPException:  # a field past FORM_BYTES: the form again, saying why
        shown = QuestionForm.of(kept) if kept is not None else QuestionForm.typed({})
        refused = {"error": "try_too_big"}
        return _edit_page(admin, shown, editing=editing, tried=refused, status=413)
    given = {key: value for key, value in posted.items() if isinstance(value, str)}
    admin.check_csrf(given.get("csrf", ""))
    form = QuestionForm.typed(given, kept)
    version = _version(given) if editing is not None else None
    draft = form.draft()
    if kept is not None:
        form.values["id"] = draft["id"] = kept.id
        # a follow-up (imported notes) stays one
        draft |= {"parent": kept.parent, "order": kept.order, "source": kept.source}
    report = check_draft(draft, bank, replaces=editing)
    form.place(report.errors, admin.lang)
    answer = graded_part(member_text(given.get("answer", "")))

    def again(**shown: Any) -> HTMLResponse:
        return _edit_page(admin, form, editing=editing, answer=answer, version=version, **shown)

    if form.errors:
        return again()
    prompt = report.prompts[-1]
    if given.get("action") == "try":
        return again(tried=await graded_try(admin, prompt, answer))
    if version is None:
        saved = await web.create_questions(session, [prompt])
    else:
        saved = await web.save_question(session, prompt, version=version)
    if not saved:
        return again(status=409, conflict="question_taken")
    return RedirectResponse(f"{admin.base}/questions/{quote(prompt.id, safe='')}", status_code=303)


@router.get("/new-question", response_class=HTMLResponse)
async def new_question(admin: AdminIn) -> Response:
    return _edit_page(admin, QuestionForm.typed({}), editing=None)


@router.post("/new-question", response_class=HTMLResponse)
async def create_question(admin: AdminIn) -> Response:
    return await _save_or_try(admin, None)


@router.get("/questions/{prompt_id}/edit", response_class=HTMLResponse)
async def edit_question(admin: AdminIn, prompt_id: str) -> Response:
    prompt = admin.questions().stored(prompt_id)
    version = await admin.web.deps.questions.version(prompt.id)
    return _edit_page(admin, QuestionForm.of(prompt), editing=prompt.id, version=version)


@router.post("/questions/{prompt_id}/edit", response_class=HTMLResponse)
async def save_question(admin: AdminIn, prompt_id: str) -> Response:
    return await _save_or_try(admin, admin.questions().stored(prompt_id).id)
