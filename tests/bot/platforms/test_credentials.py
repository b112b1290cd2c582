"""A token the platform refuses stops `quizmaster run` with one line and a non-zero exit; an
unreachable platform is retried with backoff, one line per attempt; no traceback either way
(issue 15, finding 3)."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.config import Settings
from bot.run import main as run_main
from tests.bot.platforms.discord.fake_discord import FakeDiscord
from tests.bot.platforms.slack.fake_slack import FakeSlack
from tests.cli_process import start_quizmaster
from tests.conftest import BUNDLED_MODEL
from tests.loopback import unused_port


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    await fake.start()
    yield fake
    await fake.stop()


def slack_env(tmp_path: Path, api_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUIZMASTER_")}
    return env | {
        "QUIZMASTER_PLATFORM": "slack",
        "QUIZMASTER_SLACK_BOT_TOKEN": "xoxb-revoked-secret",
        "QUIZMASTER_SLACK_APP_TOKEN": "xapp-1",
        "QUIZMASTER_SLACK_API_URL": api_url,
        "QUIZMASTER_DB": str(tmp_path / "q.db"),
        "QUIZMASTER_DEMOS": "false",
        "QUIZMASTER_EMBEDDING_MODEL": BUNDLED_MODEL,
        "QUIZMASTER_EMBEDDING_DEVICE": "cpu",
    }


@pytest.mark.parametrize("error", ["invalid_auth", "not_authed", "token_revoked"])
async def test_a_refused_slack_token_stops_run_with_one_line(
    tmp_path: Path, fake_slack: FakeSlack, error: str
) -> None:
    fake_slack.auth_error = error
    process = await start_quizmaster(
        ["run"], env=slack_env(tmp_path, fake_slack.api_url), cwd=tmp_path
    )
    _, err = await asyncio.wait_for(process.communicate(), timeout=60)
    stderr = err.decode()
    assert process.returncode == 1, stderr
    assert "Traceback" not in stderr
    [line] = [text for text in stderr.splitlines() if error in text]
    assert "ERROR" in line and "not starting" in line
    assert "xoxb-revoked-secret" not in stderr
    assert [call.method for call in fake_slack.calls] == ["auth.test"]


async def test_an_unreachable_slack_is_retried_one_line_per_attempt(tmp_path: Path) -> None:
    closed = f"http://127.0.0.1:{unused_port()}/api/"
    process = await start_quizmaster(["run"], env=slack_env(tmp_path, closed), cwd=tmp_path)
    assert process.stderr is not None
    lines: list[str] = []
    try:
        while sum("attempt" in text for text in lines) < 2:
            raw = await asyncio.wait_for(process.stderr.readline(), timeout=60)
            assert raw, "".join(lines)
            lines.append(raw.decode())
    finally:
        process.send_signal(signal.SIGTERM)
        rest = await asyncio.wait_for(process.stderr.read(), timeout=30)
        await process.wait()
    output = "".join(lines) + rest.decode()
    retries = [text for text in output.splitlines() if "cannot reach Slack" in text]
    assert retries[0].endswith("(attempt 1; retrying in 1 s)")
    assert retries[1].endswith("(attempt 2; retrying in 2 s)")
    assert "Traceback" not in output


async def test_a_refused_discord_token_stops_run_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    fake = FakeDiscord(refuse_token=True)
    await fake.start()
    fake.redirect(monkeypatch)
    settings = Settings(
        _env_file=None,
        platform="discord",
        discord_token=SecretStr("reset-token"),
        db=tmp_path / "q.db",
        demos=False,
    )
    try:
        code = await asyncio.to_thread(run_main, [], settings)
    finally:
        await fake.stop()
    assert code == 1
    [record] = [r for r in caplog.records if "401" in r.getMessage()]
    assert record.levelname == "ERROR" and record.exc_info is None
    assert [call.path for call in fake.calls] == ["/users/@me"]
    assert not (tmp_path / "q.db").exists()
