"""Distinctive secrets configured for every platform: none of them may appear in any log record
(ours or a library's, at DEBUG) or in `quizmaster doctor`'s output."""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.app import open_service
from bot.config import Settings
from bot.core.inflight import STOP_GRACE_S
from evaluators import EmbeddingGrader
from tests.bot.platforms.discord.fake_discord import FakeDiscord
from tests.bot.platforms.slack.fake_slack import FakeSlack
from tests.bot.platforms.slack.harness import ADMIN, MEMBER, serving
from tests.bot.platforms.slack.slack_payloads import thread_reply
from tests.cli_process import run_quizmaster

SLACK_BOT = "xoxb-HOSTILE-bot-7f3a9c"
SLACK_APP = "xapp-HOSTILE-app-51be02"
SIGNING = "HOSTILE-signing-secret-d41d8c"
DISCORD = "HOSTILE.discord.token-9e107d"
COMPUTE = "HOSTILE-compute-token-e4d909"
SECRETS = (SLACK_BOT, SLACK_APP, SIGNING, DISCORD, COMPUTE)


def everything_logged(caplog: pytest.LogCaptureFixture) -> str:
    return (
        "\n".join(
            f"{r.name} {r.getMessage()} {r.exc_text or ''} {r.args!r}" for r in caplog.records
        )
        + caplog.text
    )


def assert_no_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


@pytest.mark.asyncio(loop_scope="session")
async def test_slack_flow_logs_no_secret(  # noqa: PLR0917
    tmp_path: Path,
    shared_grader: EmbeddingGrader,
    model_path: str,
    embedding_cache: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG)
    fake = FakeSlack(admins=frozenset({ADMIN}))
    await fake.start()
    # The harness signs with the suite's signing secret; sign with ours instead.
    from tests.bot.platforms.slack import harness, slack_payloads

    monkeypatch.setattr(harness, "sign", lambda body: slack_payloads.sign(body, secret=SIGNING))
    settings = Settings(
        _env_file=None,
        platform="slack",
        lang="en",
        db=tmp_path / "q.db",
        embedding_model=model_path,
        embedding_device="cpu",
        cache_dir=embedding_cache,
        slack_bot_token=SecretStr(SLACK_BOT),
        slack_app_token=SecretStr(SLACK_APP),
        slack_signing_secret=SecretStr(SIGNING),
        slack_mode="http",
        slack_api_url=fake.api_url,
        compute_token=SecretStr(COMPUTE),
        demos=False,
        log_level="DEBUG",
    )
    try:
        async with (
            open_service(settings, grader=shared_grader) as service,
            serving(settings, service, fake) as slack,
        ):
            assert await slack.command("now", user=ADMIN) == 200
            [question] = await fake.wait_for_calls("chat.postMessage")
            assert question.token == SLACK_BOT, "the secret really was in use"
            event = thread_reply(
                text="ReLU does not saturate",
                user=MEMBER,
                thread_ts=question.result["ts"],
                event_id="EvSecret",
                ts="1800000000.000500",
            )
            assert await slack.event(event) == 200
            await fake.wait_for_calls("chat.postMessage", count=2)
            assert await slack.command("now", user=MEMBER) == 200  # an error path too
            status, _ = await slack.post(
                "token=forged",
                content_type="application/x-www-form-urlencoded",
                headers={"X-Slack-Signature": "v0=" + "0" * 64},
            )
            assert status == 401
            await fake.wait_until(lambda: bool(fake.responses))
            # Every message the bot took is handled, and its logging done, before the check.
            assert await service.in_flight.drain(STOP_GRACE_S) == 0
    finally:
        await fake.stop()
    assert_no_secret(everything_logged(caplog))


@pytest.mark.asyncio(loop_scope="session")
async def test_discord_flow_logs_no_secret(  # noqa: PLR0917
    tmp_path: Path,
    shared_grader: EmbeddingGrader,
    model_path: str,
    embedding_cache: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:

    from bot.platforms.discord.runner import build_client, serve

    caplog.set_level(logging.DEBUG)
    fake = FakeDiscord()
    await fake.start()
    fake.redirect(monkeypatch)
    settings = Settings(
        _env_file=None,
        platform="discord",
        lang="en",
        db=tmp_path / "q.db",
        embedding_model=model_path,
        embedding_device="cpu",
        cache_dir=embedding_cache,
        discord_token=SecretStr(DISCORD),
        discord_guild_id=int(fake.guild_id),
        compute_token=SecretStr(COMPUTE),
        demos=False,
        log_level="DEBUG",
    )
    try:
        async with open_service(settings, grader=shared_grader) as service:
            client = build_client(settings, service)
            client._connection.guild_ready_timeout = 0.05
            task = asyncio.create_task(serve(client, service, token=DISCORD))
            try:
                await asyncio.wait_for(client.wait_until_ready(), timeout=15)
                now = fake.slash("quiz-admin", "now", user=fake.admin, admin=True)
                await fake.dispatch("INTERACTION_CREATE", now)
                await fake.wait_for(
                    lambda: fake.find("POST", r"/channels/\d+/messages/\d+/threads")
                )
                refused = fake.slash("quiz-admin", "now", user=fake.member)
                await fake.dispatch("INTERACTION_CREATE", refused)
                await fake.wait_for(
                    lambda: fake.find("POST", rf"/interactions/{refused['id']}/.+/callback")
                )
            finally:
                await client.close()
                await asyncio.wait_for(task, timeout=10)
    finally:
        await fake.stop()
    logged = everything_logged(caplog)
    assert "discord" in logged.lower(), "the library logged at DEBUG"
    assert_no_secret(logged)


def test_doctor_prints_no_secret(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUIZMASTER_")}
    env |= {
        "QUIZMASTER_PLATFORM": "slack",
        "QUIZMASTER_SLACK_BOT_TOKEN": SLACK_BOT,
        "QUIZMASTER_SLACK_APP_TOKEN": SLACK_APP,
        "QUIZMASTER_SLACK_SIGNING_SECRET": SIGNING,
        "QUIZMASTER_DISCORD_TOKEN": DISCORD,
        "QUIZMASTER_COMPUTE_TOKEN": COMPUTE,
        "QUIZMASTER_COMPUTE_URL": "http://127.0.0.1:9",
        "QUIZMASTER_SLACK_API_URL": "http://127.0.0.1:9/api/",
        "QUIZMASTER_DB": str(tmp_path / "q.db"),
        "QUIZMASTER_LOG_LEVEL": "DEBUG",
    }
    outputs = []
    for args in (["--quick"], ["--quick", "--json"]):
        result = run_quizmaster(["doctor", *args], env=env, cwd=tmp_path)
        outputs.append(result.stdout + result.stderr)
        assert result.stdout.strip(), "doctor reported something"
        assert "Traceback" not in result.stderr
    for output in outputs:
        assert_no_secret(output)
