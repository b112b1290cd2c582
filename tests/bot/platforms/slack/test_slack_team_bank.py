"""A team's CSV bank through Slack: imported by the real CLI, loaded from `bank_dir`, posted with
`/quiz now <prompt-id>` and graded 0-100 in the question's thread by the real Bolt app."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Settings
from tests.bot.platforms.slack.harness import ADMIN, SlackHttp
from tests.bot.platforms.slack.team_threads import answer_all, post_team_question, score
from tests.team_csv import (
    CONCEPTS,
    EN_GOOD,
    EN_POOR,
    KO_FULL,
    KO_PARTIAL,
    KO_POOR,
    WITH_CONCEPTS,
    WITHOUT_CONCEPTS,
    import_team_bank,
)

pytestmark = pytest.mark.asyncio(loop_scope="session")


@pytest.fixture(scope="module")
def team_bank(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder, _ = import_team_bank(tmp_path_factory.mktemp("team"))
    return folder


@pytest.fixture
def settings(settings: Settings, team_bank: Path) -> Settings:
    """The Slack suite's settings with the team bank loaded beside the seed bank."""
    return settings.model_copy(update={"bank_dir": team_bank})


@pytest.mark.slow
async def test_team_questions_are_graded_in_slack_threads(slack_http: SlackHttp) -> None:
    thread = await post_team_question(
        slack_http, WITH_CONCEPTS, "과적합이란 무엇이고 어떻게 줄일 수 있나?"
    )
    ko = await answer_all(
        slack_http, thread, {"UMINA": KO_FULL, "UJOON": KO_PARTIAL, "UKIM": KO_POOR}
    )

    full, partial, poor = score(ko["UMINA"]), score(ko["UJOON"]), score(ko["UKIM"])
    assert full >= 70 and full >= partial >= poor + 25
    assert f"Covered: {', '.join(CONCEPTS)}" in ko["UMINA"]
    assert f"Covered: {CONCEPTS[1]}" in ko["UJOON"]
    assert f"Missed: {CONCEPTS[0]}, {CONCEPTS[2]}" in ko["UJOON"]

    thread = await post_team_question(
        slack_http, WITHOUT_CONCEPTS, "What does the learning rate control in gradient descent?"
    )
    en = await answer_all(slack_http, thread, {"UDANA": EN_GOOD, "UELI": EN_POOR})

    assert score(en["UDANA"]) >= 70 and score(en["UDANA"]) >= score(en["UELI"]) + 25
    assert all("Covered:" not in text and "Missed:" not in text for text in en.values())


async def test_unknown_prompt_id_gets_the_close_ones_and_posts_nothing(
    slack_http: SlackHttp,
) -> None:
    assert await slack_http.command("now team-01", user=ADMIN) == 200

    await slack_http.fake.wait_until(lambda: bool(slack_http.fake.responses))
    [response] = slack_http.fake.responses
    assert response["response_type"] == "ephemeral"
    assert "There is no prompt 'team-01'" in response["text"]
    assert "team-001" in response["text"]
    assert slack_http.fake.called("chat.postMessage") == []
