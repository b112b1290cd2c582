"""Start-up checks: each Slack mode names the settings it is missing."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from bot.config import Settings
from bot.platforms.slack.runner import SlackSettingsError, check_settings


def test_socket_mode_needs_bot_and_app_tokens() -> None:
    with pytest.raises(SlackSettingsError) as raised:
        check_settings(Settings(_env_file=None, slack_mode="socket"))

    assert "QUIZMASTER_SLACK_BOT_TOKEN" in str(raised.value)
    assert "QUIZMASTER_SLACK_APP_TOKEN" in str(raised.value)


def test_http_mode_needs_the_signing_secret() -> None:
    settings = Settings(
        _env_file=None, slack_mode="http", slack_bot_token=SecretStr("xoxb-secret-value")
    )

    with pytest.raises(SlackSettingsError) as raised:
        check_settings(settings)

    assert "QUIZMASTER_SLACK_SIGNING_SECRET" in str(raised.value)
    assert "xoxb-secret-value" not in str(raised.value)


def test_complete_settings_pass() -> None:
    check_settings(
        Settings(
            _env_file=None,
            slack_mode="http",
            slack_bot_token=SecretStr("xoxb-1"),
            slack_signing_secret=SecretStr("s"),
        )
    )
