"""Member text with NUL, terminal escapes and lone surrogates (issue 41, points 2, 3 and 7): one
rule at the core's edge (`bot.core.member_text`), so an answer, a name and an appeal reason are
graded and stored alike on SQLite and PostgreSQL, in process and through an embeddings server;
and an error reply quotes at most ECHO_CHARS of what was typed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.core.member_text import (
    ECHO_CHARS,
    SHARED_CHARS,
    cut,
    excerpt,
    member_text,
    shown,
    shown_to_others,
)
from bot.core.messages import Actor, Incoming, Reply, ReplyKind
from bot.storage.repository import Repository
from bot.wiring import Wired
from compute.api.main import create_app
from compute.config import ServiceConfig
from compute.embedded import serve_in_thread
from content.bank import Bank
from content.text_rule import visible
from evaluators import EmbeddingGrader
from tests.bot.recording import RecordingTransport
from tests.bot.served_grading import grader_at, service_on

TOKEN = "member-text-token"
NAME = "Mi\x00na\x1b[2K\ud800"
ANSWER = (
    "Sigmoid saturates\x00 for large inputs, so its gradient vanishes;\x1b[1A\x1b[2K ReLU keeps "
    "a gradient of one\r\n\tfor positive inputs \ud83d and is cheap."
)
REASON = "It said\x00 the right thing\x1b]0;owned\x07 twice"


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("a\x00b", "ab"),
        ("line\nnext\ttab", "line\nnext\ttab"),
        ("\x1b[1A\x1b[2Kforged", "[1A[2Kforged"),
        ("crlf\r\n", "crlf\n"),
        ("\x01\x07\x08\x0b\x0c\x1f", ""),
        ("lone \ud800 high", "lone \ufffd high"),
        ("pair \ud83d\ude00", "pair \U0001f600"),
        ("DEL \x7f and C1 \x85 stay", "DEL \x7f and C1 \x85 stay"),
        ("over\u202eride \u2066iso\u2069 \u200fmarks\u200e\u061c", "override iso marks"),
        ("joiners \u200d\u200c stay", "joiners \u200d\u200c stay"),
    ],
)
def test_the_member_text_rule(typed: str, kept: str) -> None:
    assert member_text(typed) == kept
    assert member_text(kept) == kept


@pytest.mark.parametrize(
    ("text", "shows"),
    [
        ("a", True),
        ("드롭아웃", True),
        ("   \u200b ", False),
        ("\u2060\u3000\ufeff\n\t", False),
        ("\u3164\u115f\u1160\uffa0\u2800", False),  # Hangul fillers, the blank Braille cell
        ("\u0301", False),  # a combining mark with nothing to combine with
        ("\u200b.\u200b", True),
        ("\u0378", False),  # unassigned (issue 70, case 9)
        ("\ue000\U000f0000\ufdd0", False),  # private use, a noncharacter
        ("\u0378a", True),
    ],
)
def test_an_admin_text_must_show_something(text: str, shows: bool) -> None:
    assert visible(text) is shows


@pytest.mark.parametrize(
    ("text", "limit", "quoted"),
    [("abcdef", 6, "abcdef"), ("abcdefg", 6, "abcde…"), ("", 1, ""), ("ab", 1, "…")],
)
def test_a_cut_keeps_text_within_the_limit_and_marks_what_it_dropped(
    text: str, limit: int, quoted: str
) -> None:
    assert cut(text, limit) == quoted
    assert len(cut(text, limit)) <= limit


def test_an_error_reply_quotes_sixty_characters_with_the_ellipsis_among_them() -> None:
    assert shown("y" * ECHO_CHARS) == "y" * ECHO_CHARS
    assert shown("y" * (ECHO_CHARS + 1)) == "y" * (ECHO_CHARS - 1) + "…"


def test_text_shown_to_others_reorders_and_formats_nothing() -> None:
    assert (
        shown_to_others("\u202eevil\u2066 *b* _i_ ~s~ `c` |x|")
        == "evil ＊b＊ ＿i＿ ～s～ ｀c｀ ｜x｜"
    )


def test_a_shared_answer_is_one_line_formatting_nothing_cut_to_its_share() -> None:
    answer = "ReLU\n\n  keeps *the*\tgradient  "
    assert excerpt(answer) == "ReLU keeps ＊the＊ gradient"
    long = " ".join(["word"] * 100)
    assert excerpt(long) == long[: SHARED_CHARS - 1] + "…"


@pytest.fixture
async def served_grader(embedding_cache: Path) -> AsyncIterator[EmbeddingGrader]:
    """A grader asking the project's own compute service for its vectors."""
    async with serve_in_thread(create_app(ServiceConfig(token=SecretStr(TOKEN)))) as url:
        grader = grader_at(f"{url}/v1", embedding_cache, TOKEN)
        yield grader
        await grader.aclose()


async def say(
    service: Wired,
    text: str,
    *,
    thread: str | None = None,
    message_id: str | None = None,
    admin: bool = False,
) -> list[Reply]:
    transport = RecordingTransport()
    actor = Actor("u1", NAME, is_admin=admin)
    await service.intake.handle(Incoming("test", "c1", actor, text, message_id, thread), transport)
    return transport.sent


async def assert_answer_graded_and_stored(service: Wired, repo: Repository) -> None:
    post = await service.posting.post_today("test", "c1", RecordingTransport())
    replies = await say(service, ANSWER, thread=post.thread_id, message_id="m-nul")
    assert replies[0].kind == ReplyKind.GRADE, [r.text for r in replies]
    [(stored,)] = await repo.db.fetch("SELECT text FROM answers WHERE message_id = 'm-nul'")
    assert stored == member_text(ANSWER)
    assert await repo.members.display_name(platform="test", user_id="u1") == member_text(NAME)
    [appealed] = await say(service, f"/quiz appeal {REASON}", message_id="m-appeal")
    assert appealed.kind != ReplyKind.ERROR, appealed.text
    [appeal] = await repo.appeals.open_appeals(platform="test", channel_id="c1")
    assert appeal.reason == " ".join(member_text(REASON).split())


async def test_an_answer_name_and_reason_with_nul_are_kept_on_both_databases(
    repo: Repository, seed_bank: Bank, grader: EmbeddingGrader
) -> None:
    await assert_answer_graded_and_stored(service_on(repo, seed_bank, grader), repo)


async def test_an_answer_with_nul_is_graded_through_an_embeddings_server(
    repo: Repository, seed_bank: Bank, served_grader: EmbeddingGrader
) -> None:
    await assert_answer_graded_and_stored(service_on(repo, seed_bank, served_grader), repo)


LONG = "x" * 10_000
QUOTING = [
    f"/quiz now {LONG}",
    f"/quiz stats {LONG}",
    f"/quiz stats @{LONG} {LONG}",
    f"/quiz schedule {LONG}",
    f"/quiz schedule 09:00 {','.join(['mon'] * 3000)},funday",
    f"/quiz schedule 09:00 Asia/{LONG}",
    f"/quiz leaderboard {LONG}",
    f"/quiz lang {LONG}",
    f"/quiz {LONG}",
    f"/{LONG}",
    f"/quiz appeals resolve {LONG} keep",
    f"/quiz appeals resolve 1 {LONG}",
    f"/demo quick {LONG}",
]


@pytest.mark.parametrize("line", QUOTING, ids=lambda line: line[:22])
async def test_an_error_reply_quotes_at_most_sixty_characters(
    repo: Repository, seed_bank: Bank, grader: EmbeddingGrader, line: str
) -> None:
    [reply] = await say(service_on(repo, seed_bank, grader), line, admin=True)
    assert reply.kind == ReplyKind.ERROR, reply.text
    assert "x" * ECHO_CHARS not in reply.text and "mon," * 20 not in reply.text, reply.text
    assert len(reply.text) < 600, reply.text


@pytest.mark.parametrize("appeal_id", ["99999999999999999999999", "9223372036854775808", "-1"])
async def test_an_appeal_id_out_of_range_is_refused_not_an_error(
    repo: Repository, seed_bank: Bank, grader: EmbeddingGrader, appeal_id: str
) -> None:
    [reply] = await say(
        service_on(repo, seed_bank, grader), f"/quiz appeals resolve {appeal_id} 50", admin=True
    )
    assert reply.kind == ReplyKind.ERROR and "appeals" in reply.text, reply.text
    assert "went wrong" not in reply.text.lower()
