"""Security checks not already covered elsewhere.

Covered already (not repeated here):
- forged signature and a stale timestamp with a mismatched signature -> 401, no API call:
  tests/bot/platforms/slack/test_slack_http.py::test_bad_signature_or_stale_request_is_refused...
- `quizmaster compute --host 0.0.0.0` without a token, in-process:
  tests/compute/test_compute_cli.py::test_serving_off_loopback_without_a_token_is_refused
- Discord members refused `/quiz-admin schedule`:
  tests/bot/platforms/discord/test_discord_bot.py::test_admin_commands_are_refused_to_members
- core refusal of admin commands: tests/bot/test_answer_flow.py
Added here: a *correctly signed* request older than 5 minutes (the replay window on its own),
the compute refusal as a real process, and Slack's admin check end to end.
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest

from tests.bot.platforms.slack.harness import ADMIN, MEMBER
from tests.bot.platforms.slack.slack_payloads import CHANNEL, form_body, sign, slash_command
from tests.cli_process import run_quizmaster
from tests.hostile.conftest import SlackEnv

session_loop = pytest.mark.asyncio(loop_scope="session")


@session_loop
async def test_correctly_signed_request_outside_the_replay_window_is_refused(
    slack_env: SlackEnv,
) -> None:
    http, fake = slack_env.http, slack_env.http.fake
    body = form_body(
        slash_command("/quiz", "now", user=ADMIN, response_url=fake.response_url(ADMIN))
    )
    calls = len(fake.calls)
    for age_s, expected in ((6 * 60, 401), (60 * 60, 401), (-6 * 60, 401)):
        headers = sign(body, timestamp=int(time.time()) - age_s)
        async with http.session.post(
            http.url,
            data=body.encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded", **headers},
        ) as resp:
            assert resp.status == expected, age_s
    await asyncio.sleep(0.3)
    assert fake.calls[calls:] == []
    # The same request signed now is accepted: the window, not the body, refused it.
    status, _ = await http.post(body, content_type="application/x-www-form-urlencoded")
    assert status == 200


@session_loop
async def test_slack_member_cannot_change_the_schedule_or_language(slack_env: SlackEnv) -> None:
    http, fake = slack_env.http, slack_env.http.fake
    before = await slack_env.service.posting.channel("slack", CHANNEL)
    responses = len(fake.responses)
    assert await http.command("schedule 10:30 Europe/Berlin daily", user=MEMBER) == 200
    assert await http.command("lang ko", user=MEMBER) == 200
    await fake.wait_until(lambda: len(fake.responses) >= responses + 2)
    replies = fake.responses[responses:]
    assert all("Only channel admins" in r["text"] for r in replies)
    assert all(r["response_type"] == "ephemeral" for r in replies)
    after = await slack_env.service.posting.channel("slack", CHANNEL)
    assert (after.post_time, after.timezone, after.lang) == (
        before.post_time,
        before.timezone,
        before.lang,
    )

    assert await http.command("schedule 10:30 Europe/Berlin daily", user=ADMIN) == 200
    await fake.wait_until(
        lambda: any("Schedule: daily at 10:30" in str(c.args) for c in fake.calls)
    )
    changed = await slack_env.service.posting.channel("slack", CHANNEL)
    assert (changed.post_time, changed.timezone) == ("10:30", "Europe/Berlin")


def test_compute_off_loopback_without_token_exits_nonzero_with_a_clear_message(
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUIZMASTER_")}
    result = run_quizmaster(["compute", "--host", "0.0.0.0", "--port", "1"], env=env, cwd=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "QUIZMASTER_COMPUTE_TOKEN" in output, output
    assert "Traceback" not in output
