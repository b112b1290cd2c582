"""Bad settings: a clear message naming the setting and value, a non-zero exit, no traceback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.cli_process import run_quizmaster


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("QUIZMASTER_TIMEZONE", "Mars/Olympus", "unknown IANA timezone 'Mars/Olympus'"),
        ("QUIZMASTER_POST_TIME", "25:99", "'25:99' is not a 24-hour HH:MM time"),
        ("QUIZMASTER_HINT_CAP", "150", "less than or equal to 100"),
        ("QUIZMASTER_PLATFORM", "irc", "Input should be 'console', 'slack' or 'discord'"),
        ("QUIZMASTER_PRACTICE_THRESHOLDS", "[70,50,90]", "[70, 50, 90] must rise within 1..100"),
        ("QUIZMASTER_SECRET_KEY", "not-a-fernet-key", "not a Fernet key"),
    ],
)
def test_bad_setting_is_named(tmp_path: Path, name: str, value: str, expected: str) -> None:
    env = {**os.environ, name: value}
    result = run_quizmaster(["run", "--db", str(tmp_path / "q.db")], env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert name in result.stderr
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "q.db").exists()


def test_missing_platform_token_is_named(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUIZMASTER_")}
    result = run_quizmaster(["run", "--platform", "slack"], env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert "QUIZMASTER_SLACK_BOT_TOKEN" in result.stderr
    assert "Traceback" not in result.stderr
