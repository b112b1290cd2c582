"""One language on screen: a session walked through every member and admin command, in Korean and
in English, on the console (the real `console.run`) and through the Slack and Discord renderers
(every reply and edit the core sent, drawn as each platform draws it), shows no line of the other
language outside what it quotes: member text and names, the bank's questions and model answers,
a demo's own title and summary, code (`...`), links and paths.

In a Korean session a Latin word left over is English the bot wrote (a topic id, a demo's progress
word, "(only you)"), but for the terms of art `tests.one_language` allows; in an English session
any Hangul is."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.app import channel_defaults
from bot.compute_demos import ComputeDemos
from bot.config import Settings
from bot.core.messages import Actor, Incoming, Reply
from bot.core.quiz.demos import DemoHandoff
from bot.platforms import console
from bot.platforms.discord.render import render as discord_render
from bot.platforms.slack.render import render as slack_render
from bot.storage.repository import Repository
from bot.wiring import wire
from compute.client import ComputeClient
from compute.embedded import embedded_service
from content.bank import Bank
from content.schema import Lang
from evaluators import EmbeddingGrader
from tests.bot.recording import RecordingTransport
from tests.one_language import Quoted, foreign_lines

DEMO = "gradient-descent"
ANSWERS: dict[Lang, str] = {
    "ko": "ReLU는 양수 구간에서 기울기가 1이라 기울기 소실이 적고 계산이 빠릅니다.",
    "en": "ReLU has a gradient of 1 for positive inputs, so gradients do not vanish.",
}
APPEAL: dict[Lang, str] = {"ko": "너무 낮아요", "en": "too low"}
NAMES = ("minji", "lead", "1001", "1002")


def walk(lang: Lang) -> list[str]:
    """Every member and admin command once, answers in the session's language."""
    return [
        "/help",
        "/as minji admin",
        "/quiz me",
        "/demo list",
        f"/demo {DEMO}",
        f"/quiz answer {ANSWERS[lang]}",
        "/quiz next",
        "/quiz hint",
        "/quiz skip",
        "/quiz leaderboard",
        "/quiz stats",
        "/quiz week",
        "/quiz review",
        "/quiz practice",
        "/quiz reveal",
        f"/quiz appeal {APPEAL[lang]}",
        "/quiz appeals",
        "/quiz share on",
        "/quiz now extra",
        "/quiz web",
        "/demo list",
    ]


def quoted(bank: Bank, demo_texts: Iterable[str]) -> Quoted:
    """What the walk may show in either language: the bank, what its members typed, their
    names and the demos' own texts."""
    return Quoted.of(bank, (*ANSWERS.values(), *APPEAL.values(), *NAMES, *demo_texts))


def slack_lines(reply: Reply) -> list[str]:
    rendered = slack_render(reply)
    texts: list[str] = [rendered.text]

    def collect(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "text" and isinstance(value, str):
                    texts.append(value)
                else:
                    collect(value)
        elif isinstance(node, list):
            for item in node:
                collect(item)

    collect(rendered.blocks)
    return [line for text in texts for line in text.splitlines()]


def discord_lines(reply: Reply) -> list[str]:
    rendered = discord_render(reply, ephemeral=reply.ephemeral)
    texts = [rendered.content or ""]
    if rendered.embed is not None:
        embed = rendered.embed
        texts += [embed.title or "", embed.description or "", embed.footer.text or ""]
        texts += [f"{field.name} {field.value}" for field in embed.fields]
    return [line for text in texts for line in text.splitlines()]


@pytest.fixture
async def demo_client(tmp_path: Path) -> AsyncIterator[ComputeClient]:
    settings = Settings(_env_file=None, cache_dir=tmp_path / "compute-cache")
    async with (
        embedded_service(settings.compute_service()) as endpoint,
        ComputeClient(endpoint.url, token=endpoint.token) as client,
    ):
        yield client


async def session(
    tmp_path: Path, lang: Lang, grader: EmbeddingGrader, bank: Bank, client: ComputeClient
) -> tuple[Any, Repository, tuple[str, ...]]:
    """A quiz on its own database with the real demo service, its channels in `lang`; and the
    demo texts it may quote (titles, and the summary of the walk's demo)."""
    repo = await Repository.open(tmp_path / f"{lang}-{datetime.now(UTC).timestamp()}.db")
    demos = DemoHandoff(
        ComputeDemos(client), rate_per_hour=20, clock=lambda: datetime.now(UTC), poll=0.1
    )
    service = wire(
        repo=repo,
        bank=bank,
        grader=grader,
        defaults=channel_defaults(Settings(_env_file=None, lang=lang)),
        demos=demos,
    )
    texts = [text for demo in await client.demos() for text in (demo.title.ko, demo.title.en)]
    ticket = await client.submit(DEMO, {})
    status = await client.wait(ticket.id, poll=0.1, timeout=120)
    if status.summary is not None:
        texts += [status.summary.ko, status.summary.en]
    return service, repo, tuple(texts)


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["ko", "en"])
async def test_the_console_shows_one_language(
    tmp_path: Path, lang: Lang, grader: EmbeddingGrader, bank: Bank, demo_client: ComputeClient
) -> None:
    service, repo, demo_texts = await session(tmp_path, lang, grader, bank, demo_client)
    script = "\n".join(line.replace("/quiz answer ", "") for line in walk(lang)) + "\n"
    out = io.StringIO()
    try:
        await console.run(
            service, stdin=io.StringIO(script), stdout=out, image_dir=tmp_path / "images"
        )
    finally:
        await repo.close()
    shown = out.getvalue().splitlines()
    assert len(shown) > 60, shown  # the walk went through
    found = foreign_lines(shown, lang, quoted=quoted(bank, demo_texts))
    assert found == [], "\n".join(found)


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["ko", "en"])
async def test_slack_and_discord_show_one_language(
    tmp_path: Path, lang: Lang, grader: EmbeddingGrader, bank: Bank, demo_client: ComputeClient
) -> None:
    service, repo, demo_texts = await session(tmp_path, lang, grader, bank, demo_client)
    transport = RecordingTransport()
    try:
        await service.intake.handle(
            Incoming("test", "c1", Actor("1001", "lead", is_admin=True), "/quiz now"), transport
        )
        for number, line in enumerate(walk(lang)):
            if line.startswith("/as "):
                continue
            incoming = Incoming(
                "test",
                "c1",
                Actor("1002", "minji", is_admin=True),
                line,
                message_id=f"walk-{number}",
            )
            await service.intake.handle(incoming, transport)
        await service.in_flight.drain(60)
    finally:
        await repo.close()
    replies = transport.sent + [reply for _, reply in transport.edits]
    assert len(replies) > 20, replies
    said = quoted(bank, demo_texts)
    slack = [line for reply in replies for line in slack_lines(reply)]
    discord = [line for reply in replies for line in discord_lines(reply)]
    found = foreign_lines(slack, lang, quoted=said) + foreign_lines(discord, lang, quoted=said)
    assert found == [], "\n".join(found)
