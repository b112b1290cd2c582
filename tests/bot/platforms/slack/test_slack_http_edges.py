"""The HTTP Events API's edges: a timestamp that is not a number is a 401 (not a 500), an unsigned
body never reaches the log, an oversized one is a 413, and log lines cannot be forged with a
newline (issue 15, finding 5)."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Iterator

import pytest

from bot import log_escaping
from tests.bot.platforms.slack.harness import ADMIN, SlackHttp
from tests.bot.platforms.slack.slack_payloads import form_body, sign, slash_command

pytestmark = pytest.mark.asyncio(loop_scope="session")

FORGED = "\n2026-11-22 09:00:00,000 ERROR quizmaster.core FORGED"


@pytest.fixture
def escaped_logs() -> Iterator[io.StringIO]:
    """The record escaping `quizmaster` installs at start, and a handler formatting like the
    CLI's, on the root logger for the test."""
    previous = logging.getLogRecordFactory()
    log_escaping.install()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    old_level = root.level
    root.setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        logging.setLogRecordFactory(previous)


def _command_body(slack_http: SlackHttp, text: str = "now") -> str:
    fake = slack_http.fake
    return form_body(slash_command("/quiz", text, user=ADMIN, response_url=fake.response_url("x")))


@pytest.mark.parametrize("stamp", ["abc", "1e10", "", "-5", "１２３", "9" * 40, "12 34", "0x10"])
async def test_a_timestamp_that_is_not_a_number_is_refused_with_401(
    slack_http: SlackHttp, escaped_logs: io.StringIO, stamp: str
) -> None:
    body = _command_body(slack_http)
    calls = len(slack_http.fake.calls)
    status, _ = await slack_http.post(
        body,
        content_type="application/x-www-form-urlencoded",
        headers={"X-Slack-Request-Timestamp": stamp},
    )
    assert status == 401
    await asyncio.sleep(0.2)
    assert slack_http.fake.calls[calls:] == []
    assert "Traceback" not in escaped_logs.getvalue()


async def test_an_unsigned_body_never_reaches_the_log(
    slack_http: SlackHttp, escaped_logs: io.StringIO
) -> None:
    body = _command_body(slack_http, "now" + FORGED)
    status, _ = await slack_http.post(
        body,
        content_type="application/x-www-form-urlencoded",
        headers={"X-Slack-Signature": "v0=" + "0" * 64},
    )
    assert status == 401
    logged = escaped_logs.getvalue()
    assert "refused a Slack request with a wrong or stale signature" in logged
    assert "FORGED" not in logged and "token=" not in logged


async def test_a_body_over_the_limit_is_refused_with_413(slack_http: SlackHttp) -> None:
    body = _command_body(slack_http, "x" * 300_000)
    status, _ = await slack_http.post(body, content_type="application/x-www-form-urlencoded")
    assert status == 413


async def test_a_signed_request_still_works_behind_the_guard(slack_http: SlackHttp) -> None:
    body = _command_body(slack_http, "help")
    status, _ = await slack_http.post(body, content_type="application/x-www-form-urlencoded")
    assert status == 200
    assert sign(body)["X-Slack-Request-Timestamp"].isdigit()


async def test_outside_text_cannot_start_a_log_line(escaped_logs: io.StringIO) -> None:
    logging.getLogger("quizmaster.core").warning("answer from %s: %s", "U1", "ok" + FORGED)
    logging.getLogger("slack_bolt").info(f"body: {FORGED}\x1b[31m\u2028")
    # Only the lines of the two records written here (an unescaped one would add a third line
    # naming FORGED): a test before may leave a library's late record of its own.
    lines = [line for line in escaped_logs.getvalue().splitlines() if "FORGED" in line]
    assert len(lines) == 2, lines
    assert [line.split(" ")[2] for line in lines] == ["WARNING", "INFO"]
    assert "\\n2026-11-22" in lines[0] and "\\x1b[31m\\u2028" in lines[1]
