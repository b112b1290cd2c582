"""Hostile input through the real platform paths: signed Slack requests into our Bolt app (fake
Slack recording what we post), Discord interactions through the real discord.py client (fake
gateway and REST), and the console's line loop on the real core.

Every case must get a clear reply that is not our internal-error text, log no error, ping
nobody, and, when it is a valid answer, be stored.
"""

from __future__ import annotations

import asyncio
import io
import itertools
import json
import logging
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import pytest_asyncio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import open_service
from bot.core.flow.parts import parse
from bot.core.messages import Reply
from bot.core.texts import text as core_text
from bot.platforms import console
from bot.platforms.discord import render as discord_render
from bot.platforms.slack import mentions
from bot.platforms.slack import render as slack_render
from bot.wiring import Wired
from evaluators import EmbeddingGrader
from tests.bot.platforms.slack.harness import ADMIN, SlackHttp
from tests.bot.platforms.slack.slack_payloads import CHANNEL, slash_command, thread_reply
from tests.conftest import settings_for_test
from tests.hostile.conftest import (
    LONG_NAME_USER,
    DiscordEnv,
    SlackEnv,
)

session_loop = pytest.mark.asyncio(loop_scope="session")

INTERNAL_ERRORS = (
    core_text("en", "internal_error"),
    core_text("ko", "internal_error"),
    core_text("en", "platform_failed"),
    core_text("ko", "platform_failed"),
)
GOOD = "ReLU keeps gradients alive where sigmoid saturates, so deep nets train faster."
EPHEMERAL = 64


@dataclass(frozen=True)
class Case:
    """One hostile input. `answer`: it is delivered as an answer (a thread reply on Slack,
    `/quiz answer` on Discord, a plain line on the console); otherwise it is a command line.
    `stored`: a valid answer that must be saved. `expect`: part of the (English) reply."""

    id: str
    text: str
    answer: bool = False
    stored: bool = False
    expect: str = ""
    admin: bool = False
    discord: bool = False
    slack: bool = True


def answer(
    id_: str, text: str, *, stored: bool = True, expect: str = "", discord: bool = False
) -> Case:
    return Case(id_, text, answer=True, stored=stored, expect=expect, discord=discord)


EMPTY = "An empty answer isn't graded"
UNSEEN = "An answer with no visible character isn't graded"
ADMIN_ONLY = "Only channel admins"
NO_DEMOS = "Demos are not available"
DEMO_PARAM = "I couldn't read"

CASES: list[Case] = [
    # blank and invisible
    answer("empty", "", stored=False, expect=EMPTY),
    answer("whitespace", " \t \n  ", stored=False, expect=EMPTY, discord=True),
    answer(
        "zero-width-only",
        "\u200b\u200c\u200d\u2060\ufeff",
        stored=False,
        expect=UNSEEN,
        discord=True,
    ),
    answer("unassigned-only", "\u0378\u0378", stored=False, expect=UNSEEN, discord=True),
    answer("private-use-only", "\ue000\U000f0000", stored=False, expect=UNSEEN, discord=True),
    answer("combining-only", "\u0301\u0308", stored=False, expect=UNSEEN, discord=True),
    answer("bidi-only", "\u202e\u202d\u200f\u200e", stored=False, expect=EMPTY),
    # size and odd code points
    answer("100kB", ("gradient descent with momentum " * 3400)[:100_000]),
    answer("one-50k-word", "a" * 50_000),
    answer("nul-bytes", "ReLU\x00 keeps\x00 gradients\x00 alive", discord=True),
    answer("lone-surrogates", "\ud800 ReLU avoids saturation \udfff", discord=True),
    answer("control-chars", "\x1b[31mReLU\x1b[0m \x07\x08 avoids vanishing gradients"),
    answer("rtl-marks", "\u202eReLU\u202c avoids \u200fvanishing\u200e gradients", discord=True),
    answer("combining", "Re" + "\u0301" * 500 + "LU avoids saturation", discord=True),
    answer("emoji-flood", "🔥" * 3000, discord=True),
    answer("zalgo-emoji-zwj", "👩‍👩‍👧‍👦" * 300 + " dropout regularises"),
    answer("crlf", "line one\r\nline two\r\n\r\nReLU"),
    answer("unicode-line-sep", "ReLU\u2028does not\u2029saturate"),
    # pings
    answer("at-everyone", "@everyone " + GOOD, discord=True),
    answer("at-here", "@here @channel " + GOOD, discord=True),
    answer("slack-channel", "<!channel> " + GOOD, discord=True),
    answer("slack-here", "<!here> " + GOOD),
    answer("slack-everyone", "<!everyone> " + GOOD),
    answer("slack-user", "<@U123> <@W999|boss> " + GOOD, discord=True),
    answer("slack-subteam", "<!subteam^S1> <!subteam^S2|@team> " + GOOD),
    answer(
        "discord-role-user", "<@&123456789012345678> <@!123456789012345678> " + GOOD, discord=True
    ),
    answer("escaped-entities", "&lt;!channel&gt; &amp;lt;!here&amp;gt; " + GOOD),
    answer("zero-width-at", "@\u200beveryone @\u2060here " + GOOD),
    answer("homoglyph-everyone", "@еveryone " + GOOD),
    # markup
    answer("mrkdwn", "*bold* _it_ ~strike~ `code` **double** " + GOOD, discord=True),
    answer("code-fence", "```\n} ] <!here>\n```" + GOOD, discord=True),
    answer("slack-link", "<https://evil.example|click here> " + GOOD, discord=True),
    answer("blockkit-json", json.dumps({"blocks": [{"type": "section", "text": "<!channel>"}]})),
    answer("html", "<script>alert(1)</script><img src=x onerror=alert(1)>"),
    answer("format-string", "{mention} {0} %s %(x)s {__class__.__init__} " + GOOD, discord=True),
    # injection
    answer("sql", "'; DROP TABLE answers;--", discord=True),
    answer("sql-union", "1' OR '1'='1' UNION SELECT * FROM channels --"),
    answer("slash-in-thread", "/quiz reveal"),
    answer("path", "../../../../etc/passwd"),
    # commands
    Case("quiz-alone", "/quiz", expect="/quiz leaderboard"),
    Case("unknown-sub", "/quiz frobnicate", expect="There is no '/quiz frobnicate'"),
    # NUL is removed at the core's edge (the member-text rule): what is left is `/quiz`, help.
    Case("unknown-sub-nul", "/quiz \x00\x00", expect="/quiz leaderboard"),
    Case("unknown-sub-mention", "/quiz <!channel>", expect="There is no"),
    Case("unknown-command", "/frobnicate", expect="is not a command", slack=False),
    Case("help", "/help", expect="/quiz leaderboard", slack=False),
    Case("upper-case", "/QUIZ LEADERBOARD ALL", expect="Leaderboard"),
    Case(
        "schedule-bad",
        "/quiz schedule 25:99 Mars/Olympus",
        expect="Usage",
        admin=True,
        discord=True,
    ),
    Case("schedule-member", "/quiz schedule 10:00", expect=ADMIN_ONLY),
    Case("schedule-empty", "/quiz schedule", expect="Usage", admin=True),
    Case(
        "schedule-path",
        "/quiz schedule 09:00 ../../etc/passwd",
        expect="Usage",
        admin=True,
        discord=True,
    ),
    Case("schedule-huge", "/quiz schedule 99999999999999999999:00", expect="Usage", admin=True),
    Case("schedule-negative", "/quiz schedule -1:-1 UTC funday", expect="Usage", admin=True),
    Case("schedule-extra", "/quiz schedule 09:00 UTC daily and more", expect="Usage", admin=True),
    Case("lang-xx", "/quiz lang xx", expect="Usage: `/quiz lang ko|en`", admin=True),
    Case("lang-none", "/quiz lang", expect="Usage: `/quiz lang ko|en`", admin=True),
    Case("lang-member", "/quiz lang ko", expect=ADMIN_ONLY),
    Case("now-member", "/quiz now", expect=ADMIN_ONLY),
    Case("reveal-member", "/quiz reveal", expect=ADMIN_ONLY),
    Case("leaderboard-forever", "/quiz leaderboard forever", expect="Use week, month or all"),
    Case("leaderboard-ping", "/quiz leaderboard <!channel>", expect="Use week, month or all"),
    Case("stats-ping", "/quiz stats <!channel> <@U123>", expect="No member named"),
    Case("stats-sql", "/quiz stats '; DROP TABLE answers;--", expect="No member named"),
    Case("stats-long", "/quiz stats " + "x" * 10_000, expect="No member named"),
    Case("answer-empty", "/quiz answer", expect=EMPTY),
    Case("practice-bad", "/quiz practice frobnicate", expect="practice"),
    Case("practice-empty-answer", "/quiz practice answer", expect="practice"),
    Case("demo-lr", "/demo optimizers lr=1e9", expect=NO_DEMOS, discord=True),
    Case("demo-path", "/demo ../../etc/passwd", expect=NO_DEMOS, discord=True),
    Case("demo-seed-negative", "/demo gradient-descent seed=-1", expect=NO_DEMOS, discord=True),
    Case("demo-seed-abc", "/demo gradient-descent seed=abc", expect=NO_DEMOS),
    Case("demo-seed-huge", "/demo gradient-descent seed=99999999999999999999", expect=NO_DEMOS),
    Case("demo-param-no-value", "/demo gradient-descent seed=", expect=DEMO_PARAM),
    Case("demo-param-no-key", "/demo gradient-descent =5", expect=DEMO_PARAM, discord=True),
    Case("demo-ping", "/demo <!channel> x=<@U123>", expect=NO_DEMOS),
    Case("demo-list", "/demo list", expect=NO_DEMOS),
]

_users = itertools.count(1)


def member_for(case: Case, platform: str) -> str:
    """A fresh member per case and platform, so rows can be counted per case."""
    return f"U{platform[:2].upper()}{next(_users):04d}"


def no_error_logs(caplog: pytest.LogCaptureFixture) -> None:
    errors = [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == []


def assert_clear_reply(texts: list[str], case: Case) -> None:
    joined = "\n".join(texts)
    assert texts, f"no reply to {case.id}"
    for internal in INTERNAL_ERRORS:
        assert internal not in joined, f"{case.id} answered with the internal error"
    if case.expect:
        assert case.expect in joined, joined[:500]


# ---- Slack --------------------------------------------------------------------------------


@dataclass
class SlackThread:
    http: SlackHttp
    service: Wired
    thread_ts: str


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def slack_thread(slack_env: SlackEnv) -> SlackThread:
    assert await slack_env.http.command("now", user=ADMIN) == 200
    [question] = await slack_env.http.fake.wait_for_calls("chat.postMessage")
    return SlackThread(slack_env.http, slack_env.service, question.result["ts"])


_SLACK_LIVE = re.compile(r"<!(?:channel|here|everyone|subteam\^)[^>]*>|<@([A-Z0-9]+)(?:\|[^>]*)?>")
_BARE_BROADCAST = re.compile(r"(?<![\w@])@(?:channel|here|everyone)\b")


def slack_pings(payloads: list[str], allowed_user: str) -> list[str]:
    """Live Slack mentions in what we posted, other than the addressee's own `<@id>`."""
    bad = []
    for payload in payloads:
        for match in _SLACK_LIVE.finditer(payload):
            if match.group(1) != allowed_user:
                bad.append(match.group(0))
        bad += _BARE_BROADCAST.findall(payload)
    return bad


async def slack_form_command(http: SlackHttp, command: str, text: str, *, user: str) -> int:
    """A slash command as Slack posts it. Slack sends UTF-8 form data; a lone surrogate (which
    no UTF-8 client can send) is percent-encoded as the bytes a broken client would produce."""
    payload = slash_command(
        command, text, user=user, response_url=http.fake.response_url(user), channel=CHANNEL
    )
    body = "&".join(
        f"{quote(str(k), safe='')}={quote(str(v).encode('utf-8', 'surrogatepass'), safe='')}"
        for k, v in payload.items()
    )
    status, _ = await http.post(body, content_type="application/x-www-form-urlencoded")
    return status


@session_loop
@pytest.mark.parametrize("case", [c for c in CASES if c.slack], ids=lambda c: c.id)
async def test_slack(
    case: Case, slack_thread: SlackThread, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    http, fake = slack_thread.http, slack_thread.http.fake
    user = ADMIN if case.admin else member_for(case, "slack")
    calls_before, responses_before = len(fake.calls), len(fake.responses)

    def new_posts() -> list[dict[str, Any]]:
        sent = [
            c.args
            for c in fake.calls[calls_before:]
            if c.method in {"chat.postMessage", "chat.postEphemeral", "chat.update"}
        ]
        return sent + fake.responses[responses_before:]

    def graded() -> bool:
        return any("/100" in str(p.get("text")) for p in new_posts())

    if case.answer and case.text.strip():
        event = thread_reply(
            text=case.text,
            user=user,
            thread_ts=slack_thread.thread_ts,
            event_id=f"Ev-{case.id}",
            ts=f"1800000{next(_users):03d}.000100",
        )
        assert await http.event(event) == 200
    elif case.answer:  # Slack drops a blank message; a blank answer can only come as a command
        assert await slack_form_command(http, "/quiz", f"answer {case.text}", user=user) == 200
    else:
        head, _, rest = case.text.partition(" ")
        assert await slack_form_command(http, head.lower(), rest, user=user) == 200

    await fake.wait_until(graded if case.stored else lambda: bool(new_posts()))
    await asyncio.sleep(0.3)  # follow-ups, and anything that would fail late

    posts = new_posts()
    texts = [str(p.get("text", "")) for p in posts]
    assert_clear_reply(texts, case)
    raw = [json.dumps(p, ensure_ascii=False) for p in posts]
    assert slack_pings(raw, user) == []
    assert all("link_names" not in p for p in posts)
    stored = await slack_thread.service.repo.answers.user_answers(
        platform="slack", channel_id=CHANNEL, user_id=user
    )
    if case.admin:
        assert stored == []  # admin cases here are commands, never answers
    else:
        assert len(stored) == (1 if case.stored else 0)
    no_error_logs(caplog)


@session_loop
async def test_slack_long_hostile_display_name_pings_nobody(
    slack_thread: SlackThread, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    http, fake = slack_thread.http, slack_thread.http.fake
    calls_before, responses_before = len(fake.calls), len(fake.responses)
    event = thread_reply(
        text=GOOD,
        user=LONG_NAME_USER,
        thread_ts=slack_thread.thread_ts,
        event_id="Ev-long",
        ts="1800009999.000100",
    )
    assert await http.event(event) == 200
    await fake.wait_until(
        lambda: any(
            f"<@{LONG_NAME_USER}>" in str(c.args.get("text"))
            for c in fake.called("chat.postMessage")
        )
    )

    def posted(title: str) -> list[str]:
        texts = [str(c.args.get("text")) for c in fake.called("chat.postMessage")]
        return [t for t in texts if title in t]

    boards, stats = len(posted("Leaderboard")), len(posted("Stats for"))
    assert await http.command("leaderboard all", user="UREADER") == 200
    assert await http.command(f"stats {LONG_NAME_USER}", user="UREADER") == 200
    await fake.wait_until(
        lambda: len(posted("Leaderboard")) > boards and len(posted("Stats for")) > stats
    )
    await asyncio.sleep(0.2)
    assert "ᄀᄀᄀ" in posted("Stats for")[-1], "the name is shown"
    raw = [json.dumps(c.args, ensure_ascii=False) for c in fake.calls[calls_before:]] + [
        json.dumps(r, ensure_ascii=False) for r in fake.responses[responses_before:]
    ]
    assert slack_pings(raw, LONG_NAME_USER) == [], [
        p[:200] for p in raw if slack_pings([p], LONG_NAME_USER)
    ]
    assert (
        len(
            await slack_thread.service.repo.answers.user_answers(
                platform="slack", channel_id=CHANNEL, user_id=LONG_NAME_USER
            )
        )
        == 1
    )
    no_error_logs(caplog)


# ---- Discord ------------------------------------------------------------------------------


@dataclass
class DiscordThread:
    env: DiscordEnv
    thread_id: str


def sent_since(env: DiscordEnv, start: int) -> list[dict[str, Any]]:
    """Message bodies we sent Discord after call number `start` (callbacks, webhooks,
    channel messages and edits)."""
    bodies = []
    for call in env.fake.calls[start:]:
        body = call.body
        if call.method not in {"POST", "PATCH"} or not isinstance(body, dict):
            continue
        body = body.get("data", body) if "type" in body and "data" in body else body
        if isinstance(body, dict) and ("content" in body or "embeds" in body):
            bodies.append(body)
    return bodies


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def discord_thread(discord_env: DiscordEnv) -> DiscordThread:
    fake = discord_env.fake
    await fake.dispatch(
        "INTERACTION_CREATE", fake.slash("quiz-admin", "now", user=fake.admin, admin=True)
    )
    await fake.wait_for(lambda: fake.find("POST", r"/channels/\d+/messages/\d+/threads"))
    thread = fake.find("POST", r"/channels/\d+/messages/\d+/threads")[-1].path.split("/")[4]
    return DiscordThread(discord_env, thread)


def discord_interaction(thread: DiscordThread, case: Case, user: dict[str, Any]) -> dict[str, Any]:
    """The slash command a member would use for the case, with the case's text as the option."""
    fake = thread.env.fake
    if case.answer:
        return fake.slash(
            "quiz", "answer", {"text": case.text}, user=user, channel_id=thread.thread_id
        )
    words = case.text.split()
    if words[:2] == ["/quiz", "schedule"]:
        options = dict(zip(("time", "timezone", "days"), words[2:], strict=False))
        return fake.slash("quiz-admin", "schedule", options, user=user, admin=case.admin)
    assert words[0] == "/demo", case
    options = {"name": words[1]} | ({"params": " ".join(words[2:])} if words[2:] else {})
    return fake.slash("demo", "run", options, user=user)


_DISCORD_MENTION = re.compile(r"<@[!&]?(\d{17,20})>")
_DISCORD_BROADCAST = re.compile(r"@(?:everyone|here)")


@session_loop
@pytest.mark.parametrize("case", [c for c in CASES if c.discord], ids=lambda c: c.id)
async def test_discord(
    case: Case, discord_thread: DiscordThread, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    env, fake = discord_thread.env, discord_thread.env.fake
    user = fake.admin if case.admin else fake.user(f"member-{case.id}")
    start = len(fake.calls)

    def graded() -> bool:
        return any("/100" in json.dumps(b, ensure_ascii=False) for b in sent_since(env, start))

    await fake.dispatch("INTERACTION_CREATE", discord_interaction(discord_thread, case, user))
    await fake.wait_for(graded if case.stored else lambda: sent_since(env, start))
    await asyncio.sleep(0.3)

    bodies = sent_since(env, start)
    texts = [
        str(b.get("content") or "") + json.dumps(b.get("embeds") or [], ensure_ascii=False)
        for b in bodies
    ]
    assert_clear_reply(texts, case)
    for body in bodies:
        assert body["allowed_mentions"]["parse"] == []
        assert set(body["allowed_mentions"].get("users", [])) <= {int(user["id"])}
        raw = json.dumps(body, ensure_ascii=False)
        assert _DISCORD_BROADCAST.findall(raw) == []
        assert set(_DISCORD_MENTION.findall(raw)) <= {user["id"]}
    stored = await env.service.repo.answers.user_answers(
        platform="discord", channel_id=fake.channel_id, user_id=user["id"]
    )
    if not case.admin:
        assert len(stored) == (1 if case.stored else 0)
    no_error_logs(caplog)


# ---- console (the core with the console transport) ------------------------------------------


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def console_service(
    tmp_path_factory: pytest.TempPathFactory,
    shared_grader: EmbeddingGrader,
    embedding_cache: Path,
) -> AsyncIterator[Wired]:
    db = tmp_path_factory.mktemp("console") / "quiz.db"
    async with open_service(
        settings_for_test(db=db, cache_dir=embedding_cache, platform="console"),
        grader=shared_grader,
    ) as service:
        yield service


async def console_session(service: Wired, user: str, lines: list[str], images: Path) -> str:
    """Run the console loop on piped input as `quizmaster run --platform console` does; returns
    what it printed after switching to `user`."""
    stdin = io.StringIO("".join(f"{line}\n" for line in [f"/as {user}", *lines]))
    stdout = io.StringIO()
    assert await console.run(service, stdin=stdin, stdout=stdout, image_dir=images) == 0
    return stdout.getvalue().split(f"(now speaking as {user})\n", 1)[1]


def console_line(case: Case) -> str:
    """One line, as a terminal delivers it: a newline ends the line."""
    line = re.sub(r"[\r\n]", " ", case.text)
    if case.answer and line.strip().startswith("/"):
        line = f"/quiz answer {line}"
    return line


@session_loop
@pytest.mark.parametrize(
    "case", [c for c in CASES if c.expect != ADMIN_ONLY], ids=lambda c: c.id
)  # each case's member speaks first, so is the console's admin: the admin-only refusals are
# checked on Slack and Discord (and on the console in tests/bot/test_console_newcomer.py)
async def test_console(
    case: Case,
    console_service: Wired,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    user = member_for(case, "console")
    line = console_line(case)

    out = await console_session(console_service, user, [line], tmp_path)

    stored = await console_service.repo.answers.user_answers(
        platform="console", channel_id=console.CHANNEL, user_id=user
    )
    if not line.strip():
        assert out == "", "the console skips blank lines"
        assert stored == []
    else:
        assert_clear_reply([out] if out else [], case)
        assert len(stored) == (1 if case.stored else 0)
    no_error_logs(caplog)


@session_loop
async def test_console_prints_terminal_controls_from_member_text_escaped(
    console_service: Wired, tmp_path: Path
) -> None:
    """A name or an answer cannot move an admin's cursor or forge a line (issue 41): C1 controls
    (8-bit CSI) pass the member-text rule and reach the console, which escapes them as the log
    does; `/quiz appeals` shows the answer."""
    lines = [
        "/as eve\x1b[1A\x1b[2K",
        "The gradient vanishes \x9b1A\x9b2K forged line",
        "/quiz appeal \x9b2K unfair",
        "/quiz appeals",
    ]
    stdin = io.StringIO("".join(f"{line}\n" for line in lines))
    stdout = io.StringIO()
    assert await console.run(console_service, stdin=stdin, stdout=stdout, image_dir=tmp_path) == 0
    out = stdout.getvalue()
    assert "\x1b" not in out and "\x9b" not in out
    assert "(now speaking as eve[1A[2K)" in out  # a name: the member-text rule
    assert "vanishes \\x9b1A\\x9b2K forged line" in out


@session_loop
async def test_console_invisible_answer_leaves_the_prompt_to_answer(
    console_service: Wired, tmp_path: Path
) -> None:
    """Issue 83: an answer of unassigned, private-use or lone combining characters used up the
    member's prompt on the console; refused, it leaves the question for the next line."""
    invisible = ["\u0378", "\ue000", "\u0301\u0308"]
    out = await console_session(console_service, "unseen", [*invisible, GOOD], tmp_path)
    assert out.count(UNSEEN) == len(invisible)
    [stored] = await console_service.repo.answers.user_answers(
        platform="console", channel_id=console.CHANNEL, user_id="unseen"
    )
    post = await console_service.repo.posts.latest_post(
        platform="console", channel_id=console.CHANNEL
    )
    assert post is not None and stored.prompt_id == post.prompt_id


@session_loop
async def test_console_demo_parameters_reach_the_compute_service_and_name_the_field(
    tmp_path: Path,
    shared_grader: EmbeddingGrader,
    embedding_cache: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The few /demo cases that go through the real (embedded, loopback) compute service: its
    422 names the offending field, and an unknown or path-like name lists the real demos."""
    caplog.set_level(logging.INFO)
    settings = settings_for_test(
        db=tmp_path / "quiz.db", cache_dir=embedding_cache, platform="console", demos=True
    )
    cases = {
        "/demo optimizers lr=1e9": "`lr`: unknown parameter",
        "/demo gradient-descent seed=-1": "`seed`",
        "/demo gradient-descent seed=abc": "`seed`: must be an integer",
        "/demo gradient-descent seed=99999999999999999999": "`seed`",
        "/demo ../../etc/passwd": "There is no such demo. Known demos:",
        "/demo optimizers steps=1e9 momentum=<!channel>": "`steps`",
    }
    async with open_service(settings, grader=shared_grader) as service:
        for index, (line, expected) in enumerate(cases.items()):
            out = await console_session(service, f"demo{index}", [line], tmp_path)
            assert expected in out, out
            assert "Please check the parameters" in out or "Known demos" in out
            assert "starting" not in out, "nothing was run"
    no_error_logs(caplog)


# ---- properties ---------------------------------------------------------------------------

_texts = st.text(alphabet=st.characters(codec=None, categories=None), max_size=300) | st.lists(
    st.sampled_from(
        [
            "<",
            ">",
            "!",
            "@",
            "&",
            "channel",
            "here",
            "everyone",
            "subteam^",
            "U1",
            "U123",
            "|",
            " ",
            "amp;",
            "lt;",
            "gt;",
            "#",
            "\u200b",
            "*",
            "`",
            "/quiz",
            "/demo",
            "=",
            "\x00",
            "\ud800",
        ]
    ),
    max_size=40,
).map("".join)


@given(_texts)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_parse_never_raises(text: str) -> None:
    for line in (text, f"/quiz {text}", f"/demo {text}", f"/quiz schedule {text}", f"/QUIZ {text}"):
        command = parse(line)
        assert command is not None


@given(_texts)
@settings(max_examples=300, deadline=None)
def test_slack_rendering_never_leaves_a_live_mention(text: str) -> None:
    assert "<" not in mentions.neutralise(text) and ">" not in mentions.neutralise(text)
    rendered = slack_render.render(Reply(channel_id="C1", text=f"<@U1> {text}", user_id="U1"))
    payload = json.dumps([rendered.text, rendered.blocks], ensure_ascii=False)
    assert slack_pings([payload], "U1") == []


@given(_texts)
@settings(max_examples=300, deadline=None)
def test_discord_rendering_never_pings(text: str) -> None:
    for ephemeral in (False, True):
        rendered = discord_render.render(
            Reply(channel_id="1", text=text, user_id="123456789012345678"), ephemeral=ephemeral
        )
        assert rendered.allowed_mentions.to_dict()["parse"] == []
        content = rendered.content or ""
        assert _DISCORD_BROADCAST.findall(content) == []
        assert set(_DISCORD_MENTION.findall(content)) <= {"123456789012345678"}
