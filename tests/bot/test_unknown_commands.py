"""A command typed wrong (`/quiz leaderbord`, `/quizz stats`), on the real console loop and
SQLite file: the refusal offers the command the member most likely meant, in the channel's
language (issue 83)."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import channel_defaults
from bot.config import Settings
from bot.platforms import console
from bot.storage.repository import Repository
from bot.wiring import Wired, wire
from content.bank import Bank
from tests.fixed_grader import FixedGrader


@pytest.fixture
async def service(tmp_path: Path, bank: Bank) -> AsyncIterator[Wired]:
    repo = await Repository.open(tmp_path / "q.db")
    yield wire(
        repo=repo,
        bank=bank,
        grader=FixedGrader(),
        defaults=channel_defaults(Settings(_env_file=None, lang="en")),
    )
    await repo.close()


async def run_console(service: Wired, tmp_path: Path, *lines: str) -> list[str]:
    out = io.StringIO()
    script = io.StringIO("".join(f"{line}\n" for line in lines))
    assert await console.run(service, stdin=script, stdout=out, image_dir=tmp_path) == 0
    return out.getvalue().splitlines()


async def test_a_misspelled_command_is_answered_with_the_closest_one(
    service: Wired, tmp_path: Path
) -> None:
    printed = await run_console(
        service,
        tmp_path,
        "/quiz leaderbord",
        "/quiz dance",
        "/quiz lang ko",
        "/quiz leaderbord month",
    )
    assert (
        "(only you) There is no '/quiz leaderbord'. Did you mean `/quiz leaderboard`? "
        "`/help` lists the commands." in printed
    ), printed
    assert "(only you) There is no '/quiz dance'. `/help` lists the commands." in printed
    assert (
        "(나만 보임) '/quiz leaderbord'는 없는 명령이에요. 혹시 `/quiz leaderboard` 말인가요? "
        "`/help`로 명령을 확인하세요." in printed
    ), printed


async def test_a_misspelled_top_level_command_is_answered_with_the_closest_one(
    service: Wired, tmp_path: Path
) -> None:
    """Issue 83: `/quizz` got only "not a command"; it is offered as `/quiz` with what followed."""
    printed = await run_console(
        service, tmp_path, "/quizz leaderboard", "/dance", "/quiz lang ko", "/quizz"
    )
    assert (
        "(only you) '/quizz' is not a command. Did you mean `/quiz leaderboard`? "
        "`/help` lists the commands." in printed
    ), printed
    assert "(only you) '/dance' is not a command. `/help` lists the commands." in printed
    assert (
        "(나만 보임) '/quizz'는 없는 명령이에요. 혹시 `/quiz` 말인가요? "
        "`/help`로 명령을 확인하세요." in printed
    ), printed
