"""One language on screen: a session walked through every member and admin command, in Korean and
in English, on the console (the real `console.run`) and through the Slack and Discord renderers
(every reply and edit the core sent, drawn as each platform draws it), shows no line of the other
language outside what it quotes: member text and names, the bank's questions and model answers,
a demo's own title and summary, code (`...`), links and paths.

In a Korean session a Latin word left over is English the bot wrote (a topic id, a demo's progress
word, "(only you)"), but for the few names below; in an English session any Hangul is."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.app import channel_defaults
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

DEMO = "gradient-descent"
ANSWERS: dict[Lang, str] = {
    "ko": "ReLU는 양수 구간에서 기울기가 1이라 기울기 소실이 적고 계산이 빠릅니다.",
    "en": "ReLU has a gradient of 1 for positive inputs, so gradients do not vanish.",
}
APPEAL: dict[Lang, str] = {"ko": "너무 낮아요", "en": "too low"}
NAMES = ("minji", "lead", "1001", "1002")
ALLOWED_LATIN = {
    "quizmaster",  # the product
    "FSRS",  # the scheduler practice is named after
    "KST",  # a time zone
    "QUIZMASTER_WEB_URL",  # settings named where they are missing
    "QUIZMASTER_WEB_SECRET",
    "English",  # a language's own name, in the language menu
}
ALLOWED_HANGUL = {"한국어"}  # a language's own name, in the language menu
_LATIN = re.compile(r"[A-Za-z][A-Za-z_]+")
_HANGUL = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]+")
_CODE = re.compile(r"[`｀][^`｀]*[`｀]")
_LINK = re.compile(r"<[^>\s]+>|&lt;@\w+&gt;|https?://\S+|/\S+\.png|/(?:demo|quiz)(?: [\w-]+)?")
_SENTENCE = re.compile(r"(?<=[.!?다요)])\s+")


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


@dataclass(frozen=True)
class Quoted:
    """What a session may show in any language, longest first: it is taken out of a line
    before the line is judged."""

    texts: tuple[str, ...]

    @classmethod
    def of(cls, bank: Bank, demos: Iterable[str]) -> Quoted:
        texts: set[str] = {*ANSWERS.values(), *APPEAL.values(), *NAMES, *demos}
        for prompt in bank.all():
            texts |= {prompt.text.ko, prompt.text.en, *prompt.aliases}
            texts |= {r.text for r in prompt.references} | {m.text for m in prompt.misconceptions}
            for concept in prompt.concepts:
                texts |= set(concept.surface_forms())
            if prompt.guidance is not None:
                texts |= {prompt.guidance.ko, prompt.guidance.en}
        sentences = {part for text in texts for part in _SENTENCE.split(text) if len(part) > 8}
        return cls(tuple(sorted(texts | sentences, key=len, reverse=True)))

    def residue(self, line: str) -> str:
        line = _LINK.sub(" ", _CODE.sub(" ", line.replace("*", "")))
        for text in self.texts:
            if text and text in line:  # as a whole word: a bank's "RS" leaves "FSRS" alone
                line = re.sub(rf"(?<![A-Za-z_]){re.escape(text)}(?![A-Za-z_])", " ", line)
        return line


def foreign(lines: Iterable[str], lang: Lang, quoted: Quoted) -> list[str]:
    """The lines with words of the other language left after taking out what is quoted."""
    found = []
    for line in lines:
        left = quoted.residue(line)
        if lang == "ko":
            words = {w for w in _LATIN.findall(left) if w not in ALLOWED_LATIN}
        else:
            words = {w for w in _HANGUL.findall(left) if w not in ALLOWED_HANGUL}
        if words:
            found.append(f"{sorted(words)} in {line!r}")
    return found


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
    demos = DemoHandoff(client, rate_per_hour=20, clock=lambda: datetime.now(UTC), poll=0.1)
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
    found = foreign(shown, lang, Quoted.of(bank, demo_texts))
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
    quoted = Quoted.of(bank, demo_texts)
    slack = [line for reply in replies for line in slack_lines(reply)]
    discord = [line for reply in replies for line in discord_lines(reply)]
    found = foreign(slack, lang, quoted) + foreign(discord, lang, quoted)
    assert found == [], "\n".join(found)
