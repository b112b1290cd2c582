"""An open question walked through on the real console, which has no threads: posted while a member
is halfway through the day's question, answered (kept, and the member brought back to the
follow-up they were on), its model answer written on the web page beside the console (the kept
answer graded and its member told), the day finished with the points the leaderboard shows, and
`/quiz next` offering the lowest score of the day, whichever post it is in."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.core.texts import text
from content.loader import DEFAULT_BANK_DIR, load_bank
from evaluators import EmbeddingGrader
from tests import team_notes as notes
from tests.bot.console_session import console_session
from tests.bot.platforms.open_question_page import write_model_answer
from tests.bot.test_team_bank_console import GRADE

RELU = (
    "ReLU has a gradient of 1 for positive inputs, so gradients do not vanish in deep networks "
    "as they do where sigmoid saturates."
)
NONLINEARITY = "Non-linearity lets a network learn functions that are not straight lines."
_TOLD = re.compile(r"^@sora .*?(\d+) points?\.$", flags=re.M)
_DONE = re.compile(r"^@sora You have finished today's questions: (\d+) points? today", flags=re.M)
_BOARD = re.compile(r"^\d+\. sora · (\d+) points?", flags=re.M)
_FOLLOWUP = re.compile(r"^@sora Follow-up (\d+)/(\d+): ", flags=re.M)


@pytest.fixture(scope="module")
def notes_bank(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder, _ = notes.import_notes_bank(tmp_path_factory.mktemp("notes"))
    return folder


@pytest.fixture
async def notes_cache(grader: EmbeddingGrader, notes_bank: Path, embedding_cache: Path) -> Path:
    await grader.prepare(load_bank([DEFAULT_BANK_DIR, notes_bank]))
    return embedding_cache


def score_of(said: str) -> int:
    found = GRADE.search(said)
    assert found is not None, said
    return int(found.group(2))


@pytest.mark.slow
async def test_an_open_question_keeps_the_follow_ups_and_the_points_agree(
    tmp_path: Path, notes_bank: Path, notes_cache: Path
) -> None:
    bank = load_bank([DEFAULT_BANK_DIR, notes_bank])
    q01 = bank.get("q01")
    followups = bank.followups("q01")
    async with console_session(
        tmp_path, notes_cache, QUIZMASTER_BANK_DIR=str(notes_bank)
    ) as console:
        # The day's question (q01: the seed bank comes first) is on; sora answers it.
        first = await console.says("sora", RELU)
        main_score = score_of(first)
        assert f"@sora Follow-up 1/{len(followups)}: {followups[0].text.en}" in first

        # An admin posts the open question as an extra one: it says what will happen.
        posted = await console.says("lead", f"/quiz now {notes.WAITING}")
        assert "Extra question · " in posted and "Question of the day" not in posted
        assert text("en", "open_question_body") in posted and "thread" not in posted

        # sora's answer goes to the new question, is kept, and she is back on her follow-up.
        kept = await console.says("sora", notes.OPEN_ANSWER)
        assert text("en", "open_answer_kept") in kept and GRADE.search(kept) is None, kept
        assert f"@sora {text('en', 'back_to', text=followups[0].text.en)}" in kept

        # Her next answer is graded against that follow-up, not kept for the open question.
        second = await console.says("sora", NONLINEARITY)
        followup_score = score_of(second)
        assert f"Your answer to: {followups[0].text.en}" in second

        # The team writes the model answer on the web page: the kept answer is graded, told.
        link = await console.sign_in_link("lead")
        assert await write_model_answer(link, notes.WAITING, notes.OPEN_ANSWER, "ko") == 1
        told = _TOLD.search(await console.until(_TOLD))
        assert told is not None
        open_score = int(told.group(1))

        # sora skips the rest of q01's follow-ups: done for the day, with the board's points.
        remaining = len(followups) - 1
        finished = await console.says("sora", *["/quiz skip"] * remaining)
        done = _DONE.search(finished)
        assert done is not None, finished
        total = int(done.group(1))
        assert total == main_score + followup_score + open_score
        board = _BOARD.search(await console.says("sora", "/quiz leaderboard"))
        assert board is not None and int(board.group(1)) == total

        # `/quiz next` offers the lowest score of the day, in whichever post it is.
        scores = {
            q01.text.en: main_score,
            followups[0].text.en: followup_score,
            notes.WAITING_TEXT: open_score,
        }
        lowest = [shown for shown, score in scores.items() if score == min(scores.values())]
        retried = await console.says("sora", "/quiz next")
        offers = [f"@sora {text('en', 'retry', text=shown)}" in retried for shown in lowest]
        assert any(offers), (scores, retried)
