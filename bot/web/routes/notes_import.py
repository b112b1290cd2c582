"""The admins' "Import notes" page: study notes pasted in either layout of
`quizmaster content import notes`, previewed prompt by prompt with every problem on one line, and
saved as the channel's team questions the way the single-question form saves one (table
`team_questions` and this process's bank), all or none, and only with no problem left; a
question without an answer is kept as an open question, as the command keeps it `waiting`. Of
two admins saving notes under one name at once, one is saved and the other told (409)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException

from bot.core.member_text import member_text
from bot.web.deps import AdminIn, Signed
from bot.web.notes_import import NOTES_CHARS, NotesPreview, notes_name, read_notes

FORM_BYTES = 1024 * 1024
"""The most of one form field read at all (Starlette's default); past NOTES_CHARS the page says
how much it takes and shows the text again."""

router = APIRouter(prefix="/c/{platform}/{channel_id}")


def _page(
    admin: Signed,
    *,
    status: int = 200,
    name: str = "",
    notes: str = "",
    preview: NotesPreview | None = None,
    refusal: str | None = None,
    saved: bool = False,
) -> HTMLResponse:
    values: dict[str, Any] = {
        "bank_name": name,
        "notes": notes,
        "preview": preview,
        "refusal": refusal,
        "saved": saved,
        "limit": NOTES_CHARS,
    }
    return admin.render("notes_import.html", status=status, **values)


@router.get("/import-notes", response_class=HTMLResponse)
async def notes_form(admin: AdminIn) -> Response:
    return _page(admin)


@router.post("/import-notes", response_class=HTMLResponse)
async def import_notes_posted(admin: AdminIn) -> Response:
    """Preview (`action=preview`) or save (`action=save`) the pasted notes."""
    try:
        form = await admin.request.form(max_part_size=FORM_BYTES)
    except HTTPException:
        return _page(admin, status=413, refusal="notes_too_big")
    given = {key: value for key, value in form.items() if isinstance(value, str)}
    admin.check_csrf(given.get("csrf", ""))
    notes = member_text(given.get("notes", ""))
    name = notes_name(member_text(given.get("name", "")))

    def page(status: int = 200, **values: Any) -> HTMLResponse:
        return _page(admin, status=status, name=name, notes=notes, **values)

    if len(notes) > NOTES_CHARS:
        return page(413, refusal="notes_too_big")
    web = admin.web
    preview = await read_notes(notes, name, web.bank_of(admin.session), admin.lang)
    saving = given.get("action") == "save"
    if preview.problems:
        return page(422, preview=preview, refusal="notes_not_saved" if saving else None)
    if not saving:
        return page(preview=preview)
    if not await web.create_questions(admin.session, preview.saved):
        return page(409, preview=preview, refusal="notes_taken")
    return _page(admin, preview=preview, saved=True)
