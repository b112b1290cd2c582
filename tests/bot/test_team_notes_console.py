"""A team's study notes end to end on the console: both layouts imported by the real
`quizmaster content import notes`, loaded from QUIZMASTER_BANK_DIR, posted with `/quiz now <id>`,
graded by the bundled model, and the follow-up asked once the main question is answered; the
question without an answer posted as an open question, whose answers are kept ungraded until
an admin writes its model answer on the web page the console serves beside itself: then the
kept answer is graded and its member told on the console, and the next answer graded at
once."""

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
_OPEN_GRADED = re.compile(r"^@fay .*?(\d+) points?\.$", flags=re.M)


@pytest.fixture(scope="module")
def notes_bank(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder, printed = notes.import_notes_bank(tmp_path_factory.mktemp("notes"))
    assert printed[0].startswith("wrote 4 graded prompts (1 waiting for a model answer)")
    assert printed[1].startswith("wrote 2 graded prompts to")
    return folder


@pytest.fixture
async def notes_cache(grader: EmbeddingGrader, notes_bank: Path, embedding_cache: Path) -> Path:
    """The session's cache with the seed bank's and the notes bank's reference embeddings, as
    the bot finds them on every start after its first (see `test_team_bank_console`)."""
    await grader.prepare(load_bank([DEFAULT_BANK_DIR, notes_bank]))
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
            "/as boss",
            f"/quiz now {notes.DISTILLATION}",
            "/as dana",
            notes.KO_FULL,
            "/as eli",
            notes.KO_PARTIAL,
            "/as lead",
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


@pytest.mark.slow
async def test_an_open_question_is_graded_on_the_console_once_its_web_page_answers_it(
    tmp_path: Path, notes_bank: Path, notes_cache: Path
) -> None:
    async with console_session(
        tmp_path, notes_cache, QUIZMASTER_BANK_DIR=str(notes_bank)
    ) as console:
        posted = await console.says("lead", f"/quiz now {notes.WAITING}")
        assert notes.WAITING_TEXT in posted and text("en", "open_question_body") in posted
        kept = await console.says("fay", notes.OPEN_ANSWER)
        assert text("en", "open_answer_kept") in kept and GRADE.search(kept) is None, kept

        link = await console.sign_in_link("lead")
        assert await write_model_answer(link, notes.WAITING, notes.OPEN_ANSWER, "ko") == 1
        told = await console.until(_OPEN_GRADED)
        found = _OPEN_GRADED.search(told)
        assert found is not None
        score = int(found.group(1))
        graded = text("en", "open_answer_graded", question=notes.WAITING_TEXT, score=score)
        assert found.group(0) == f"@fay {graded}", told
        assert score >= 80, told  # the model answer is this very answer

        # the page answered the question in the console's own bank: the next answer is graded
        later = await console.says("joon", LATER_ANSWER)
        assert GRADE.search(later) is not None, later
