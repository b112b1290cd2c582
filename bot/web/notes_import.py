"""Notes pasted on the web page, read as `quizmaster content import notes` reads a file: the
importer runs on the text under the name `PASTED` and key concepts are drafted where the notes
give none, as the command does; all its prompts are checked together
beside the running bank as the single-question form checks one (`content.check.check_drafts`),
and the preview lists what Save stores (drafted concepts marked for review), the questions
without an answer it keeps as open questions (as the command writes them `waiting`), the
follow-ups it leaves out, and each problem as one line with its line number."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from markupsafe import Markup

from bot.web.texts import WEB, coded
from content.bank import Bank
from content.check import check_drafts
from content.importers.concept_draft import draft_missing_concepts
from content.importers.imported_bank import BankImportError, Imported
from content.importers.notes import notes_from_text
from content.loader import BankError
from content.schema import Lang, Prompt
from content.texts import BANK

NOTES_CHARS = 50_000
"""The most pasted text read: a few seed notes files at once (the largest is 17 kB)."""
NAME_CHARS = 40
DEFAULT_NAME = "notes"
PASTED = "pasted-notes.md"
"""The file name pasted notes are read under (it names a prompt's `source`)."""
_SOURCE_LINE = re.compile(r" line (\d+)$")

Waiting = Literal["notes_open", "notes_waiting_answer", "notes_waiting_main"]
"""Why a prompt waits (the web text that says what Save does with it and what to add): a main
question without an answer is kept as an open question; a follow-up is left out."""


@dataclass(frozen=True)
class NoteQuestion:
    """One prompt the notes ask, with its line and, when it waits for an answer, why."""

    prompt: Prompt
    line: int | None
    waiting: Waiting | None = None
    followups: tuple[NoteQuestion, ...] = ()


@dataclass(frozen=True)
class NotesPreview:
    """What the notes would become: main questions with their follow-ups in order, the problems
    (nothing is saved while there is one), the importer's notes on text it skipped, the
    prompts Save stores ready (each main question before its follow-ups) and the main
    questions without an answer it keeps as open questions (`Bank.open_question`)."""

    questions: tuple[NoteQuestion, ...] = ()
    problems: tuple[Markup, ...] = ()
    notes: tuple[str, ...] = ()
    ready: tuple[Prompt, ...] = ()
    open: tuple[Prompt, ...] = ()

    @property
    def saved(self) -> tuple[Prompt, ...]:
        """Everything Save stores: the ready prompts, then the open questions."""
        return (*self.ready, *self.open)

    @property
    def waiting(self) -> int:
        """The follow-ups Save leaves out, waiting for an answer."""
        return sum(q.waiting not in {None, "notes_open"} for q in _walk(self.questions))

    @property
    def drafted(self) -> bool:
        """Whether a prompt has key concepts drafted from its answer (the page says what next)."""
        return any(c.drafted for q in _walk(self.questions) for c in q.prompt.concepts)


def notes_name(typed: str) -> str:
    """The name the notes are imported under (the ids' prefix and the topic)."""
    return " ".join(typed.split())[:NAME_CHARS] or DEFAULT_NAME


async def read_notes(text: str, name: str, bank: Bank, lang: Lang) -> NotesPreview:
    """The preview of `text` imported as the bank `name` beside the prompts of `bank`, its
    problems said in `lang` (the page's)."""
    try:
        imported = await asyncio.to_thread(_import, text, name)
    except BankImportError as exc:
        return NotesPreview(problems=tuple(_problem(lang, p) for p in exc.problems))
    prompts = imported.bank_file.prompts
    lines = {p.id: _source_line(p) for p in prompts}
    report = check_drafts([p.model_dump(mode="json") for p in prompts], bank)
    problems = [_problem(lang, e, lines.get(e.prompt_id or "")) for e in report.errors]
    waiting = {e.prompt_id for e in report.waiting if e.prompt_id is not None}
    questions = _tree(prompts, lines, waiting)
    return NotesPreview(
        questions=questions,
        problems=tuple(problems),
        notes=imported.notes,
        ready=tuple(p for p in prompts if p.id not in waiting),
        open=tuple(p for p in prompts if p.status == "waiting" and p.parent is None),
    )


def _import(text: str, name: str) -> Imported:
    imported = notes_from_text(text, Path(PASTED), bank=name)
    prefix = f"{PASTED}: "
    return replace(
        imported,
        bank_file=draft_missing_concepts(imported.bank_file),
        notes=tuple(note.removeprefix(prefix) for note in imported.notes),
    )


def _source_line(prompt: Prompt) -> int | None:
    found = _SOURCE_LINE.search(prompt.source or "")
    return int(found.group(1)) if found else None


def _problem(lang: Lang, error: BankError, line: int | None = None) -> Markup:
    """One line in `lang`: where (the line, the prompt the checker names and its field, as code)
    and what to fix."""
    line = error.line if error.line is not None else line
    where = [BANK.text(lang, "at_line", line=line)] if line is not None else []
    where += [f"`{named}`" for named in (error.prompt_id, error.field) if named]
    hint = WEB.text(lang, "notes_id_hint") if error.field == "id" else ""
    return coded(": ".join([*where, error.said(lang)]) + hint)


def _tree(
    prompts: Sequence[Prompt], lines: dict[str, int | None], waiting: set[str]
) -> tuple[NoteQuestion, ...]:
    def shown(prompt: Prompt, followups: tuple[NoteQuestion, ...] = ()) -> NoteQuestion:
        why: Waiting | None = None
        if prompt.id in waiting:
            if prompt.status == "ready":
                why = "notes_waiting_main"
            else:
                why = "notes_open" if prompt.parent is None else "notes_waiting_answer"
        return NoteQuestion(prompt, lines[prompt.id], why, followups)

    return tuple(
        shown(main, tuple(shown(p) for p in prompts if p.parent == main.id))
        for main in prompts
        if main.parent is None
    )


def _walk(questions: Sequence[NoteQuestion]) -> list[NoteQuestion]:
    return [q for main in questions for q in (main, *main.followups)]
