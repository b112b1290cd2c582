"""Bad settings are one line naming the variable and exit 2, the same under `run` and `doctor`;
doctor's full check asks the platform about the token; a folder root cannot write is reported
(issue 15, finding 4, and finding 3's "doctor says ready")."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.config import Settings
from bot.doctor import collect, is_ready
from bot.storage.repository import Repository
from tests.bot.platforms.discord.fake_discord import FakeDiscord
from tests.bot.platforms.slack.fake_slack import FakeSlack
from tests.cli_process import run_quizmaster
from tests.loopback import unused_port

BAD_SETTINGS = [
    ("QUIZMASTER_DAYS", "funday"),
    ("QUIZMASTER_PRACTICE_THRESHOLDS", "not json"),
    ("QUIZMASTER_PRACTICE_THRESHOLDS", "[90, 10, 50]"),
    ("QUIZMASTER_COMPUTE_WORKERS", "0"),
    ("QUIZMASTER_COMPUTE_QUEUE_SIZE", "abc"),
    ("QUIZMASTER_COMPUTE_JOB_TIMEOUT_S", "-1"),
    ("QUIZMASTER_COMPUTE_JOB_TIMEOUT_S", "nan"),
    ("QUIZMASTER_COMPUTE_JOB_TIMEOUT_S", "inf"),
    ("QUIZMASTER_COMPUTE_MAX_BODY_BYTES", "1e99"),
    ("QUIZMASTER_COMPUTE_DEMO_GPUS", "1.5"),
    ("QUIZMASTER_RAY_ADDRESS", "not an address"),
    ("QUIZMASTER_COMPUTE_URL", "http://[::1"),
    ("QUIZMASTER_COMPUTE_URL", "http://127.0.0.1:99999"),
    ("QUIZMASTER_COMPUTE_URL", "ftp://127.0.0.1:8700"),
    ("QUIZMASTER_SLACK_API_URL", "not a url"),
    ("QUIZMASTER_DB", "{blocker}/quiz.db"),
    ("QUIZMASTER_DB", "{tmp}"),
    ("QUIZMASTER_CACHE_DIR", "{blocker}/cache"),
]


def _env(tmp_path: Path, **values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUIZMASTER_")}
    return env | {"QUIZMASTER_DB": str(tmp_path / "q.db"), **values}


@pytest.mark.parametrize(("name", "value"), BAD_SETTINGS)
def test_a_bad_setting_is_one_line_and_exit_2_under_run_and_doctor(
    tmp_path: Path, name: str, value: str
) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file", encoding="utf-8")
    env = _env(tmp_path, **{name: value.format(blocker=blocker, tmp=tmp_path)})
    for command in (["run"], ["doctor", "--quick"], ["compute", "--port", "1"]):
        result = run_quizmaster(command, env=env, cwd=tmp_path, stdin="")
        assert result.returncode == 2, (command, result.stdout, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert lines[0] == "quizmaster: invalid settings", result.stderr
        assert len(lines) == 2 and lines[1].startswith(f"{name}: "), result.stderr
    assert not (tmp_path / "q.db").exists()


async def _migrated(tmp_path: Path) -> Path:
    path = tmp_path / "q.db"
    repo = await Repository.open(path)
    await repo.close()
    return path


async def test_doctor_tries_to_write_the_cache_folder_even_as_root(tmp_path: Path) -> None:
    """/proc is a folder whose mode lets root write, yet no file can be made in it."""
    settings = Settings(
        _env_file=None,
        db=await _migrated(tmp_path),
        cache_dir=Path("/proc/quizmaster-cache"),
        demos=False,
    )
    checks = {c.name: c for c in await collect(settings, quick=True)}
    assert checks["cache"].status == "fail", checks["cache"]
    assert "not writable" in checks["cache"].detail


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    await fake.start()
    yield fake
    await fake.stop()


def _slack(tmp_path: Path, db: Path, fake: FakeSlack, model_path: str) -> Settings:
    return Settings(
        _env_file=None,
        platform="slack",
        db=db,
        cache_dir=tmp_path / "cache",
        slack_bot_token=SecretStr("xoxb-revoked"),
        slack_app_token=SecretStr("xapp-1"),
        slack_api_url=fake.api_url,
        embedding_model=model_path,
        embedding_device="cpu",
        demos=False,
    )


@pytest.mark.parametrize("error", ["invalid_auth", "not_authed", "token_revoked"])
async def test_full_doctor_reports_a_refused_slack_token_as_not_ready(
    tmp_path: Path, fake_slack: FakeSlack, model_path: str, error: str
) -> None:
    settings = _slack(tmp_path, await _migrated(tmp_path), fake_slack, model_path)
    fake_slack.auth_error = error
    refused = await collect(settings, quick=False)
    fake_slack.auth_error = None
    accepted = await collect(settings, quick=False)
    platform = {c.name: c for c in refused}["platform"]
    assert platform.status == "fail" and error in platform.detail
    assert not is_ready(refused)
    assert {c.name: c for c in accepted}["platform"].status == "ok"
    assert "xoxb-revoked" not in platform.detail


async def test_quick_doctor_does_not_call_the_platform(
    tmp_path: Path, fake_slack: FakeSlack, model_path: str
) -> None:
    settings = _slack(tmp_path, await _migrated(tmp_path), fake_slack, model_path)
    checks = await collect(settings, quick=True)
    assert "platform" not in {c.name for c in checks}
    assert fake_slack.calls == []


async def test_full_doctor_reports_a_refused_discord_token_as_not_ready(
    tmp_path: Path, model_path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = FakeDiscord()
    await fake.start()
    fake.redirect(monkeypatch)
    settings = Settings(
        _env_file=None,
        platform="discord",
        db=await _migrated(tmp_path),
        cache_dir=tmp_path / "cache",
        discord_token=SecretStr("reset-token"),
        embedding_model=model_path,
        embedding_device="cpu",
        demos=False,
    )
    try:
        accepted = {c.name: c for c in await collect(settings, quick=False)}
        fake.refuse_token = True
        refused = {c.name: c for c in await collect(settings, quick=False)}
    finally:
        await fake.stop()
    assert accepted["platform"].status == "ok"
    assert refused["platform"].status == "fail" and "401" in refused["platform"].detail
    assert any(call.path == "/users/@me" for call in fake.calls)


async def test_full_doctor_reports_an_unreachable_slack_as_not_ready(
    tmp_path: Path, fake_slack: FakeSlack, model_path: str
) -> None:
    settings = _slack(tmp_path, await _migrated(tmp_path), fake_slack, model_path).updated(
        slack_api_url=f"http://127.0.0.1:{unused_port()}/api/"
    )
    checks = {c.name: c for c in await asyncio.wait_for(collect(settings, quick=False), 60)}
    assert checks["platform"].status == "fail"
    assert "cannot reach Slack" in checks["platform"].detail
