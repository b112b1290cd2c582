"""Slack installed in many workspaces: Bolt's real OAuth flow in HTTP mode, the token exchange
answered by the fake Slack on loopback, signed requests from two workspaces that both have a
channel `C0QUIZ`, and an uninstall that leaves the other workspace working."""

from __future__ import annotations

import asyncio
import html
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest
import pytest_asyncio
from cryptography.fernet import Fernet
from pydantic import SecretStr

from bot.config import Settings
from bot.core.messages import ChannelUnreachableError, Reply
from bot.platforms.slack.installation import BOT_SCOPES, MissingTokenError
from bot.platforms.slack.oauth_state import SignedStates
from bot.storage.repository import Repository
from bot.wiring import Wired
from tests.bot.platforms.slack.fake_slack import Call, FakeSlack
from tests.bot.platforms.slack.harness import ADMIN, MEMBER, SlackHttp, serving
from tests.bot.platforms.slack.slack_payloads import (
    CHANNEL,
    SIGNING_SECRET,
    app_event,
    thread_reply,
)
from tests.conftest import MakeSettings

pytestmark = pytest.mark.asyncio(loop_scope="session")

CLIENT_ID = "1111.2222"
CLIENT_SECRET = "oauth-client-secret"
STATE_SECRET = "oauth-state-secret-0123456789"
FIRST, SECOND = "T0FIRST", "T0SECOND"
OTHER_MEMBER = "UBOB"
STATE_COOKIE = "slack-app-oauth-state"
ANSWER = (
    "Gradient descent updates the parameters against the gradient of the loss, scaled by "
    "the learning rate, until the loss stops improving."
)


@pytest_asyncio.fixture(loop_scope="session")
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack(admins=frozenset({ADMIN}), client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
def settings(make_settings: MakeSettings, fake_slack: FakeSlack) -> Settings:
    return make_settings(
        platform="slack",
        slack_mode="http",
        slack_signing_secret=SecretStr(SIGNING_SECRET),
        slack_client_id=CLIENT_ID,
        slack_client_secret=SecretStr(CLIENT_SECRET),
        slack_state_secret=SecretStr(STATE_SECRET),
        secret_key=SecretStr(Fernet.generate_key().decode()),
        slack_api_url=fake_slack.api_url,
        slack_followups="thread",
    )


def root(slack: SlackHttp) -> str:
    return slack.url.removesuffix("/slack/events")


async def start_install(slack: SlackHttp) -> str:
    """Open /slack/install as a browser would: the state is in the link to Slack and in a
    cookie."""
    async with slack.session.get(f"{root(slack)}/slack/install") as resp:
        assert resp.status == 200
        page = await resp.text()
        cookie = resp.cookies[STATE_COOKIE].value
    link = re.search(r'href="(https://slack.com/oauth/v2/authorize\?[^"]+)"', page)
    assert link is not None, page
    query = dict(parse_qsl(urlsplit(html.unescape(link[1])).query))
    assert query["client_id"] == CLIENT_ID
    assert query["scope"].split(",") == list(BOT_SCOPES)
    state = query["state"]
    assert state == cookie
    return cookie


async def come_back(slack: SlackHttp, *, code: str, state: str, cookie: str) -> tuple[int, str]:
    """Slack sends the browser back to the redirect URL with a code and the state."""
    async with slack.session.get(
        f"{root(slack)}/slack/oauth_redirect",
        params={"code": code, "state": state},
        headers={"Cookie": f"{STATE_COOKIE}={cookie}"},
    ) as resp:
        return resp.status, await resp.text()


async def install(slack: SlackHttp, team_id: str) -> None:
    state = await start_install(slack)
    status, _ = await come_back(slack, code=slack.fake.grant(team_id), state=state, cookie=state)
    assert status == 200


async def installations(repo: Repository) -> list[str]:
    rows = await repo.db.fetch("SELECT team_id FROM slack_installations ORDER BY team_id")
    return [row["team_id"] for row in rows]


async def ask_and_answer(slack: SlackHttp, team_id: str, member: str, event_id: str) -> str:
    """A workspace admin posts the question in `C0QUIZ`, a member answers in its thread;
    returns the thread's ts once the grade is there."""
    fake = slack.fake
    before = len(fake.called("chat.postMessage"))

    def questions() -> list[Call]:
        posted = fake.called("chat.postMessage")[before:]
        return [call for call in posted if "thread_ts" not in call.args]

    assert await slack.command("now", user=ADMIN, team=team_id) == 200
    await fake.wait_until(lambda: bool(questions()))
    [question] = questions()
    assert question.token in fake.tokens_of(team_id)
    thread_ts = question.result["ts"]
    reply = thread_reply(
        text=ANSWER,
        user=member,
        thread_ts=thread_ts,
        event_id=event_id,
        ts=f"1800000000.{event_id[-4:]}",
        team=team_id,
    )
    assert await slack.event(reply) == 200
    await slack.fake.wait_until(lambda: bool(grades(slack.fake, thread_ts)))
    return str(thread_ts)


def grades(fake: FakeSlack, thread_ts: str) -> list[str]:
    """The tokens the grades in a thread were posted with."""
    return [
        str(call.token)
        for call in fake.called("chat.postMessage")
        if call.args.get("thread_ts") == thread_ts and "/100*" in call.args["text"]
    ]


async def test_two_workspaces_install_answer_apart_and_one_uninstalls(
    slack_http: SlackHttp, service: Wired
) -> None:
    await install(slack_http, FIRST)
    await install(slack_http, SECOND)
    assert await installations(service.repo) == [FIRST, SECOND]

    # Both workspaces have a channel C0QUIZ, with the same ts on the members' answers.
    first_thread = await ask_and_answer(slack_http, FIRST, MEMBER, "Ev1001")
    second_thread = await ask_and_answer(slack_http, SECOND, OTHER_MEMBER, "Ev2001")
    assert set(grades(slack_http.fake, first_thread)) <= slack_http.fake.tokens_of(FIRST)
    assert set(grades(slack_http.fake, second_thread)) <= slack_http.fake.tokens_of(SECOND)

    since = date.today() - timedelta(days=7)
    boards = {
        team: await service.repo.boards.leaderboard(
            platform="slack", channel_id=f"{team}:{CHANNEL}", since=since
        )
        for team in (FIRST, SECOND)
    }
    assert [row.user_id for row in boards[FIRST]] == [MEMBER]
    assert [row.user_id for row in boards[SECOND]] == [OTHER_MEMBER]
    channels = await service.repo.channels.channels(platform="slack")
    assert sorted(c.channel_id for c in channels) == [f"{FIRST}:{CHANNEL}", f"{SECOND}:{CHANNEL}"]

    # The scheduler's posts go out with each channel's own workspace token.
    scheduled = slack_http.bot.scheduled_transport()
    await scheduled.send(Reply(channel_id=f"{SECOND}:{CHANNEL}", text="good morning"))
    [morning] = [
        c for c in slack_http.fake.called("chat.postMessage") if c.args["text"] == "good morning"
    ]
    assert morning.args["channel"] == CHANNEL
    assert morning.token in slack_http.fake.tokens_of(SECOND)

    # The second workspace uninstalls the app: its tokens are deleted, the first one's stay.
    slack_http.fake.revoke(SECOND)
    uninstalled = app_event("app_uninstalled", team=SECOND, event_id="Ev2002")
    assert await slack_http.event(uninstalled) == 200
    await wait_for(lambda: installations(service.repo), [FIRST])
    with pytest.raises(MissingTokenError):
        await scheduled.send(Reply(channel_id=f"{SECOND}:{CHANNEL}", text="anyone?"))
    # Its scheduled question is not claimed either: no post is left that was never sent.
    gone = await service.posting.channel("slack", f"{SECOND}:{CHANNEL}")
    far_day = date.today() + timedelta(days=30)
    with pytest.raises(ChannelUnreachableError):
        await service.posting.post_question(gone, scheduled, day=far_day, scheduled=True)
    latest = await service.repo.posts.latest_post(
        platform="slack", channel_id=f"{SECOND}:{CHANNEL}"
    )
    assert latest is not None and latest.day != far_day

    # Its later requests are refused before the core sees them; the first workspace works.
    posted = len(slack_http.fake.called("chat.postMessage"))
    assert await slack_http.command("now", user=ADMIN, team=SECOND) == 200
    await ask_and_answer(slack_http, FIRST, MEMBER, "Ev1003")
    later = slack_http.fake.called("chat.postMessage")[posted:]
    assert later and all(c.token in slack_http.fake.tokens_of(FIRST) for c in later)
    answers = await service.repo.answers.user_answers(
        platform="slack", channel_id=f"{SECOND}:{CHANNEL}", user_id=OTHER_MEMBER
    )
    assert len(answers) == 1
    # One auth.test per token when installed and one when first authorized, none after.
    checks = [
        c
        for c in slack_http.fake.called("auth.test")
        if c.token in slack_http.fake.tokens_of(FIRST)
    ]
    assert len(checks) == 2


async def test_tokens_revoked_deletes_the_bot_token(slack_http: SlackHttp, service: Wired) -> None:
    await install(slack_http, FIRST)
    revoked = app_event("tokens_revoked", team=FIRST, event_id="Ev3001", tokens={"bot": ["UBOT"]})
    assert await slack_http.event(revoked) == 200
    await wait_for(lambda: installations(service.repo), [])


async def test_a_state_not_ours_expired_or_used_installs_nothing(
    slack_http: SlackHttp, service: Wired
) -> None:
    fake = slack_http.fake
    forged = SignedStates("some-other-state-secret", service.repo.nonces)
    state = await forged.async_issue()
    status, _ = await come_back(slack_http, code=fake.grant(FIRST), state=state, cookie=state)
    assert status == 401

    an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
    stale = SignedStates(STATE_SECRET, service.repo.nonces, clock=lambda: an_hour_ago)
    state = await stale.async_issue()
    status, _ = await come_back(slack_http, code=fake.grant(FIRST), state=state, cookie=state)
    assert status == 401

    state = await start_install(slack_http)
    status, _ = await come_back(slack_http, code=fake.grant(FIRST), state=state, cookie="other")
    assert status == 400, "the state must come back in the browser that started the install"

    assert await installations(service.repo) == []
    assert not fake.called("oauth.v2.access")

    status, _ = await come_back(slack_http, code=fake.grant(FIRST), state=state, cookie=state)
    assert status == 200
    status, _ = await come_back(slack_http, code=fake.grant(SECOND), state=state, cookie=state)
    assert status == 401, "a state is good once"
    assert await installations(service.repo) == [FIRST]


async def test_a_wrong_client_secret_or_code_installs_nothing(
    settings: Settings, service: Wired, fake_slack: FakeSlack
) -> None:
    wrong = settings.updated(slack_client_secret="not-the-client-secret")
    async with serving(wrong, service, fake_slack) as slack:
        state = await start_install(slack)
        status, _ = await come_back(slack, code=fake_slack.grant(FIRST), state=state, cookie=state)
    assert status == 401
    [exchange] = fake_slack.called("oauth.v2.access")
    assert exchange.result == {"ok": False, "error": "invalid_client_id"}

    async with serving(settings, service, fake_slack) as slack:
        state = await start_install(slack)
        status, _ = await come_back(slack, code="code-never-granted", state=state, cookie=state)
    assert status == 401
    assert await installations(service.repo) == []


async def wait_for(read: Callable[[], Awaitable[list[str]]], expected: list[str]) -> None:
    """Bolt runs listeners after it has answered Slack, so the deletion lands a moment later."""
    for _ in range(200):
        if await read() == expected:
            return
        await asyncio.sleep(0.05)
    assert await read() == expected


async def test_installing_and_serving_log_no_token_or_secret(
    slack_http: SlackHttp,
    service: Wired,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """At DEBUG, where slack_sdk logs every request and response, the tokens Slack issued, the
    client secret, the state secret and the secret key stay out of every record."""
    caplog.set_level(logging.DEBUG)
    await install(slack_http, FIRST)
    assert await slack_http.command("help", user=MEMBER, team=FIRST) == 200
    await slack_http.fake.wait_until(lambda: bool(slack_http.fake.responses))
    assert settings.secret_key is not None
    secrets = {
        *slack_http.fake.tokens_of(FIRST),
        CLIENT_SECRET,
        STATE_SECRET,
        settings.secret_key.get_secret_value(),
    }
    logged = "\n".join(
        f"{r.name} {r.getMessage()} {r.exc_text or ''} {r.args!r}" for r in caplog.records
    )
    assert slack_http.fake.tokens_of(FIRST) and "oauth.v2.access" in logged
    assert [secret for secret in secrets if secret in logged] == []
