"""`/quiz topics` through Slack's real request handling (Bolt against the loopback fake): any
member lists the subjects, only an admin chooses, and `/quiz now` then posts from the choice or
the team's own questions (the bank folder, QUIZMASTER_BANK_DIR)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Settings
from content.loader import DEFAULT_BANK_DIR, load_bank
from tests.bot.platforms.slack.harness import ADMIN, MEMBER, SlackHttp
from tests.bot.test_topics import serving_file

pytestmark = pytest.mark.asyncio(loop_scope="session")


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    """The Slack suite's settings with a team bank folder beside the packaged banks."""
    serving_file(tmp_path, "our-serving")
    return settings.model_copy(update={"bank_dir": tmp_path})


async def test_members_list_subjects_and_admins_choose_them(slack_http: SlackHttp) -> None:
    fake = slack_http.fake

    async def said(text: str, user: str) -> str:
        before = len(fake.responses)
        assert await slack_http.command(text, user=user) == 200
        await fake.wait_until(lambda: len(fake.responses) > before)
        return str(fake.responses[-1]["text"])

    listed = await said("topics", MEMBER)
    assert "`our-serving`" not in listed, "a bank folder's file is the team's, not a subject"
    assert "✓ `team` The team's own questions: 2 questions, posted here: 0" in listed
    assert "`seed` Deep-learning basics" in listed
    assert "admin" in (await said("topics evaluation", MEMBER)).lower()
    assert await slack_http.command("topics evalu", user=ADMIN) == 200
    [chosen] = await fake.wait_for_calls("chat.postMessage")
    assert "draw from: Model evaluation" in str(chosen.args), "said to the channel"

    assert await slack_http.command("now", user=ADMIN) == 200
    [_, posted] = await fake.wait_for_calls("chat.postMessage", 2)
    texts = [p.text.en for p in load_bank([DEFAULT_BANK_DIR / "evaluation.yaml"]).mains()]
    texts += [
        "How do you batch requests for a model server?",
        "Why quantize a model before serving it?",
    ]
    assert any(text in str(posted.args) for text in texts), posted.args
