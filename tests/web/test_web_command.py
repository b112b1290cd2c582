"""`/quiz web` in the chat: parsed by the core's grammar, answered to the caller alone with a link
signed for them, or told plainly that the web page is not set up; and the console serves the
page beside itself, on loopback, with the link it prints."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import cast

import httpx
import pytest
from pydantic import SecretStr

from bot.app import channel_defaults, open_service
from bot.config import Settings
from bot.core.flow.parts import parse
from bot.core.messages import Actor, Incoming, ReplyKind
from bot.core.quiz.sign_in import Web
from bot.platforms.discord.commands import PartsGroup, Suggestions
from bot.platforms.discord.dispatch import Relay
from bot.storage.repository import Repository
from bot.wiring import wire
from content.bank import Bank
from tests.bot.console_session import console_session
from tests.bot.recording import RecordingTransport
from tests.cli_process import run_quizmaster
from tests.fixed_grader import FixedGrader
from tests.loopback import unused_port
from tests.web.client import sign_in


def test_the_grammar_reads_quiz_web() -> None:
    assert parse("/quiz web") == Web()
    assert parse("/QUIZ Web") == Web()


async def test_without_a_web_page_the_command_says_so_privately(
    repo: Repository, bank: Bank
) -> None:
    service = wire(
        repo=repo,
        bank=bank,
        grader=FixedGrader(),
        defaults=channel_defaults(Settings(_env_file=None, lang="en")),
    )
    transport = RecordingTransport()
    actor = Actor("U1", "Mina")
    await service.intake.handle(Incoming("slack", "C1", actor, text="/quiz web"), transport)
    [reply] = transport.sent
    assert reply.kind == ReplyKind.ERROR and reply.ephemeral and reply.user_id == "U1"
    assert "QUIZMASTER_WEB_URL" in reply.text and "http" not in reply.text


async def test_the_console_serves_the_page_and_prints_a_link_to_it(tmp_path: Path) -> None:
    """Grading through an embeddings server that is down: the console starts without loading a
    model, and `/quiz web` needs none."""
    down = {"QUIZMASTER_EMBEDDING_URL": f"http://127.0.0.1:{unused_port()}/v1"}
    async with console_session(tmp_path, tmp_path / "cache", **down) as console:
        link = await console.sign_in_link("mina")
        assert link.startswith(f"{console.web_url}/signin")

        def visit() -> tuple[int, str]:
            with httpx.Client(headers={"Accept-Language": "en"}) as client:
                done = sign_in(client, link)
                page = client.get(link.split("/signin")[0] + done.headers["location"] + "/me")
                return page.status_code, page.text

        status, page = await asyncio.to_thread(visit)
        assert status == 200 and "record" in page


async def test_the_page_alone_opens_the_chats_start_up_without_demos_or_links(
    tmp_path: Path,
) -> None:
    """`quizmaster web` opens the chat's own start-up (`open_service`) for the page alone: the
    same database and bank with the questions saved on the page, but no demo service and no
    sign-in links, which a chat bot gets from the very same settings."""
    settings = Settings(
        _env_file=None,
        lang="en",
        db=tmp_path / "page.db",
        demos=True,
        web_url="http://127.0.0.1:9",
        web_secret=SecretStr("a-web-secret-of-enough-length"),
    )
    async with open_service(settings, grader=FixedGrader()) as chat:
        assert chat.demos is not None and chat.sign_in is not None
        chat_prompts = {prompt.id for prompt in chat.bank.every_channel().all()}
    async with open_service(settings, grader=FixedGrader(), page_alone=True) as page:
        assert page.demos is None and page.sign_in is None
        assert {prompt.id for prompt in page.bank.every_channel().all()} == chat_prompts


def test_quizmaster_web_refuses_to_start_without_the_shared_secret(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUIZMASTER_")}
    result = run_quizmaster(["web", "--port", "0"], env=env, cwd=tmp_path, timeout=60)
    assert result.returncode == 2
    assert "QUIZMASTER_WEB_SECRET" in result.stderr


@pytest.mark.parametrize("web_page", [True, False])
def test_discord_offers_quiz_web_only_with_a_web_page(web_page: bool) -> None:
    group = PartsGroup("quiz", cast(Relay, object()), Suggestions(), web_page=web_page)
    assert ("web" in {command.name for command in group.commands}) is web_page
