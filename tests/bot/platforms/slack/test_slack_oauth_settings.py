"""The four OAuth settings: checked in the one settings model, named in one line each, and a
secret's value never printed; the single-token mode needs none of them."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from pydantic import ValidationError

from bot.config import Settings, describe_errors

KEY = Fernet.generate_key().decode()
OAUTH = {
    "platform": "slack",
    "slack_mode": "http",
    "slack_client_id": "1234.5678",
    "slack_client_secret": "client-secret",
    "slack_signing_secret": "signing-secret",
    "slack_state_secret": "state-secret-of-16+",
    "secret_key": KEY,
}


def settings(tmp_path: Path, **values: object) -> Settings:
    return Settings(_env_file=None, db=tmp_path / "q.db", **values)  # type: ignore[arg-type]


def test_client_id_and_secret_switch_slack_to_oauth(tmp_path: Path) -> None:
    oauth = settings(tmp_path, **OAUTH)
    assert oauth.slack_oauth
    assert oauth.missing_for_platform() is None
    single = settings(tmp_path, platform="slack", slack_bot_token="xoxb-1", slack_app_token="x")
    assert not single.slack_oauth
    assert single.missing_for_platform() is None


@pytest.mark.parametrize(
    ("left_out", "named"),
    [
        ("slack_client_secret", "QUIZMASTER_SLACK_CLIENT_SECRET"),
        ("slack_state_secret", "QUIZMASTER_SLACK_STATE_SECRET"),
        ("secret_key", "QUIZMASTER_SECRET_KEY"),
        ("slack_signing_secret", "QUIZMASTER_SLACK_SIGNING_SECRET"),
    ],
)
def test_oauth_names_what_it_still_needs(tmp_path: Path, left_out: str, named: str) -> None:
    values = {name: value for name, value in OAUTH.items() if name != left_out}
    missing = settings(tmp_path, **values).missing_for_platform()
    assert missing is not None and named in missing
    assert "QUIZMASTER_SLACK_BOT_TOKEN" not in missing


def test_oauth_needs_the_events_api(tmp_path: Path) -> None:
    missing = settings(tmp_path, **{**OAUTH, "slack_mode": "socket"}).missing_for_platform()
    assert missing is not None and "QUIZMASTER_SLACK_MODE=http" in missing


def test_a_bad_fernet_key_is_one_line_without_its_value(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as caught:
        settings(tmp_path, **{**OAUTH, "secret_key": "pasted-the-client-secret-here"})
    [line] = describe_errors(caught.value).splitlines()
    assert line.startswith("QUIZMASTER_SECRET_KEY: not a Fernet key")
    assert "pasted-the-client-secret-here" not in line and "(got" not in line


def test_a_short_state_secret_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as caught:
        settings(tmp_path, **{**OAUTH, "slack_state_secret": "short"})
    [line] = describe_errors(caught.value).splitlines()
    assert line.startswith("QUIZMASTER_SLACK_STATE_SECRET: must be at least 16 characters")
    assert "(got" not in line
