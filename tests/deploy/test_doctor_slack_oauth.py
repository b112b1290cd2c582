"""`quizmaster doctor` for a Slack app installed through OAuth: it says so, counts the
workspaces, and fails when QUIZMASTER_SECRET_KEY no longer opens their stored tokens."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr
from slack_sdk.oauth.installation_store.models.installation import Installation

from bot.config import Settings
from bot.platforms.credentials import check_slack
from bot.storage.repository import Repository
from tests.bot.platforms.slack.fake_slack import FakeSlack
from tests.deploy.test_doctor import doctor, line
from tests.loopback import unused_port

KEY = Fernet.generate_key().decode()


@pytest.fixture(autouse=True)
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("QUIZMASTER_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
async def installed_db(tmp_path: Path) -> Path:
    """A database where one workspace installed the app, its token sealed with KEY."""
    path = tmp_path / "data" / "quizmaster.db"
    repo = await Repository.open(path)
    store = repo.slack_installations(KEY)
    await store.async_save(
        Installation(
            team_id="T0ONE", bot_token="xoxb-1", bot_id="B1", bot_user_id="U1", user_id="U2"
        )
    )
    await repo.close()
    return path


def oauth_settings(tmp_path: Path, db: Path, key: str | None) -> Settings:
    return Settings(
        _env_file=None,
        platform="slack",
        db=db,
        cache_dir=tmp_path / "cache",
        slack_mode="http",
        slack_signing_secret=SecretStr("signing-secret"),
        slack_client_id="1.2",
        slack_client_secret=SecretStr("client-secret"),
        slack_state_secret=SecretStr("state-secret-0123456789"),
        secret_key=None if key is None else SecretStr(key),
        demos=False,
    )


async def test_oauth_mode_counts_the_installed_workspaces(
    tmp_path: Path, installed_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, output = await doctor(oauth_settings(tmp_path, installed_db, KEY), capsys, "--quick")
    assert code == 0, output
    slack = line(output, "slack")
    assert slack.startswith("✓") and "OAuth mode, 1 workspaces installed" in slack
    assert "/slack/install" in slack and "/slack/oauth_redirect" in slack
    assert "QUIZMASTER_SECRET_KEY set" in line(output, "tokens")


async def test_another_secret_key_strands_the_installs(
    tmp_path: Path, installed_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = Fernet.generate_key().decode()
    code, output = await doctor(oauth_settings(tmp_path, installed_db, other), capsys, "--quick")
    assert code == 1
    slack = line(output, "slack")
    assert slack.startswith("✗") and "T0ONE" in slack and "1 of 1" in slack
    assert KEY not in output and other not in output


async def test_a_missing_secret_key_is_named(
    tmp_path: Path, installed_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, output = await doctor(oauth_settings(tmp_path, installed_db, None), capsys, "--quick")
    assert code == 1
    assert "QUIZMASTER_SECRET_KEY" in line(output, "tokens")
    assert line(output, "slack").startswith("✗")


async def test_starting_in_oauth_mode_asks_slack_only_whether_it_is_reachable(
    tmp_path: Path, installed_db: Path
) -> None:
    """`run` checks the platform before serving; with no bot token of its own, an OAuth app
    must not be refused for an empty one."""
    fake = FakeSlack()
    await fake.start()
    try:
        settings = oauth_settings(tmp_path, installed_db, KEY).updated(slack_api_url=fake.api_url)
        reachable = await check_slack(settings)
        assert [call.method for call in fake.calls] == ["api.test"]
    finally:
        await fake.stop()
    assert reachable.outcome == "ok"
    closed = settings.updated(slack_api_url=f"http://127.0.0.1:{unused_port()}/api/")
    assert (await check_slack(closed)).outcome == "unreachable"
