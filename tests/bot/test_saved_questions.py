"""A running bot takes the team questions another process saved (the web page as `quizmaster
web`) into its bank: an open question given its model answer there is open no more here in
that channel (still open in the others), read through a second connection to the same SQLite
file; and nothing is read again until a save."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.core.flow.saved_questions import SavedQuestions
from bot.core.models import QuestionEdit
from bot.storage.repository import Repository
from content.bank import Bank
from content.schema import Localized, Prompt, Reference

SAVED_AT = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
WAITING = Prompt(
    id="team-open-001",
    status="waiting",
    text=Localized(ko="레이블 스무딩은 언제 쓰나요?", en="When is label smoothing used?"),
    topics=("regularization",),
)
READY = WAITING.model_copy(
    update={
        "status": "ready",
        "references": (Reference(lang="en", text="It softens one-hot targets."),),
    }
)


async def test_a_question_another_process_answered_is_taken_into_the_bank_once(
    tmp_path: Path,
) -> None:
    db = tmp_path / "saved.db"
    page, bot = await Repository.open(db), await Repository.open(db)
    try:
        bank = Bank([], open_questions=[WAITING])
        saved = SavedQuestions(bot.team_questions, bank)
        assert await saved.take_new() == 0
        page_table = page.team_questions
        await page_table.create(
            [READY], QuestionEdit(platform="slack", channel_id="C1", edited_by="U1", at=SAVED_AT)
        )

        assert await saved.take_new() == 1
        assert bank.seen_from("slack", "C1").open_question(WAITING.id) is None
        assert bank.seen_from("slack", "C2").open_question(WAITING.id) == WAITING, "C1's answer"
        assert bank.seen_from("slack", "C1").get(WAITING.id).references == READY.references
        assert await saved.take_new() == 0  # nothing saved since

        edited = READY.model_copy(update={"text": Localized(ko="언제?", en="When?")})
        later = SAVED_AT + timedelta(minutes=5)
        version = await page_table.version(edited.id)
        assert version is not None
        await page_table.save(
            edited,
            QuestionEdit(platform="slack", channel_id="C1", edited_by="U1", at=later),
            version=version,
        )
        assert await saved.take_new() == 1
        assert bank.seen_from("slack", "C1").get(WAITING.id).text.en == "When?"
    finally:
        await page.close()
        await bot.close()
