"""The team's week on Discord: the real discord.py client against the loopback fake, the real
core behind it. `/quiz me` answers privately as an embed (English and Korean), a shared answer
shows in the reveal and pings nobody, `/quiz week` answers privately with its chart."""

from __future__ import annotations

import re
from typing import Any

from bot.core.texts import text
from bot.platforms.discord.dispatch import PLATFORM
from tests.bot.platforms.discord.conftest import Running
from tests.bot.platforms.discord.test_discord_bot import (
    EPHEMERAL,
    GOOD_ANSWER,
    post_question,
    sent_for,
)


async def me(bot: Running) -> dict[str, Any]:
    fake = bot.fake
    asked = fake.slash("quiz", "me", user=fake.member)
    await bot.push(asked)
    await fake.wait_for(lambda: any("embeds" in b for b in sent_for(fake, asked["id"])))
    [reply] = [b for b in sent_for(fake, asked["id"]) if "embeds" in b]
    assert reply["flags"] & EPHEMERAL
    assert reply["allowed_mentions"]["parse"] == []
    [embed] = reply["embeds"]
    assert isinstance(embed, dict)
    return embed


async def answered(bot: Running) -> int:
    """The member answers today's question; returns their stored score."""
    fake = bot.fake
    thread_id = await post_question(bot)
    answer = fake.slash(
        "quiz", "answer", {"text": GOOD_ANSWER}, user=fake.member, channel_id=thread_id
    )
    await bot.push(answer)
    await fake.wait_for(lambda: len(sent_for(fake, answer["id"])) >= 2)
    answers = await bot.service.repo.answers.user_answers(
        platform=PLATFORM, channel_id=fake.channel_id, user_id=fake.member["id"]
    )
    return answers[0].score


async def test_me_answers_privately_with_the_members_own_figures(bot: Running) -> None:
    score = await answered(bot)
    embed = await me(bot)
    assert embed["description"].endswith("where you stand**")
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields["Streak"] == "1 day"
    assert fields["Points this week"] == text("en", "home_points", points=score)
    assert "Mastery by subject" in fields
    assert any(name.endswith("due") for name in fields)
    assert not bot.fake.find("POST", r"/channels/\d+/messages$")


async def test_me_in_korean(bot: Running) -> None:
    fake = bot.fake
    lang = fake.slash("quiz-admin", "lang", {"language": "ko"}, user=fake.admin, admin=True)
    await bot.push(lang)
    await fake.wait_for(lambda: sent_for(fake, lang["id"]))
    score = await answered(bot)
    embed = await me(bot)
    assert embed["description"].endswith("님의 현황**")
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields["연속 참여"] == "1일" and fields["이번 주 점수"] == f"{score}점"


async def test_a_shared_answer_shows_in_the_reveal_and_pings_nobody(bot: Running) -> None:
    fake = bot.fake
    thread_id = await post_question(bot)
    share = fake.slash("quiz", "share", {"choice": "on"}, user=fake.member)
    await bot.push(share)
    await fake.wait_for(lambda: sent_for(fake, share["id"]))
    [agreed] = sent_for(fake, share["id"])
    assert agreed["flags"] & EPHEMERAL and "/quiz share off" in agreed["content"]
    answer = fake.slash(
        "quiz",
        "answer",
        {"text": "@everyone " + GOOD_ANSWER},
        user=fake.member,
        channel_id=thread_id,
    )
    await bot.push(answer)
    await fake.wait_for(lambda: len(sent_for(fake, answer["id"])) >= 2)

    reveal = fake.slash("quiz-admin", "reveal", user=fake.admin, admin=True, channel_id=thread_id)
    await bot.push(reveal)
    await fake.wait_for(lambda: sent_for(fake, reveal["id"]))
    shown = " ".join(b.get("content") or "" for b in sent_for(fake, reveal["id"])) + " ".join(
        e.get("description") or ""
        for b in sent_for(fake, reveal["id"])
        for e in b.get("embeds", [])
    )
    assert "Shared answer · " in shown and "@\u200beveryone Dropout" in shown
    assert "@everyone" not in shown


MARKED_ANSWER = (
    "*Dropout* ~randomly~ zeroes activations ```during training``` so units cannot co-adapt; "
    "it is a `regulariser` and __reduces__ overfitting ||at inference it is off||."
)
"""A good answer written with Slack and Discord markup in it."""


async def test_a_member_text_in_the_channel_carries_no_markup_or_bidi_override(
    bot: Running,
) -> None:
    fake = bot.fake
    eve = fake.user("eve", global_name="\u202eevE **boss**")
    thread_id = await post_question(bot)
    share = fake.slash("quiz", "share", {"choice": "on"}, user=eve)
    await bot.push(share)
    await fake.wait_for(lambda: sent_for(fake, share["id"]))
    answer = fake.slash("quiz", "answer", {"text": MARKED_ANSWER}, user=eve, channel_id=thread_id)
    await bot.push(answer)
    await fake.wait_for(lambda: len(sent_for(fake, answer["id"])) >= 2)
    reveal = fake.slash("quiz-admin", "reveal", user=fake.admin, admin=True, channel_id=thread_id)
    await bot.push(reveal)
    await fake.wait_for(lambda: sent_for(fake, reveal["id"]))
    board = fake.slash("quiz", "leaderboard", user=fake.admin)
    await bot.push(board)
    await fake.wait_for(lambda: sent_for(fake, board["id"]))
    asked = fake.slash("quiz", "me", user=eve)
    await bot.push(asked)
    await fake.wait_for(lambda: any("embeds" in b for b in sent_for(fake, asked["id"])))

    def shown(interaction: dict[str, Any]) -> str:
        bodies = sent_for(fake, interaction["id"])
        return " ".join(
            [b.get("content") or "" for b in bodies]
            + [
                f"{e.get('title') or ''} {e.get('description') or ''} "
                + " ".join(f"{f['name']} {f['value']}" for f in e.get("fields", []))
                for b in bodies
                for e in b.get("embeds", [])
            ]
        )

    revealed, ranked, mine = shown(reveal), shown(board), shown(asked)
    assert "Shared answer · evE" in revealed and "Dropout" in revealed
    for markup in ("*Dropout*", "~randomly~", "```", "`regulariser`", "__reduces__", "||at"):
        assert markup not in revealed, markup
    assert "evE" in ranked and "evE" in mine
    for text_shown in (revealed, ranked, mine):
        assert "\u202e" not in text_shown and "**boss**" not in text_shown


async def test_week_answers_privately_with_its_chart(bot: Running) -> None:
    fake = bot.fake
    await answered(bot)
    week = fake.slash("quiz", "week", user=fake.member)
    await bot.push(week)
    token = rf"/(webhooks/{fake.app_id}|interactions/{week['id']})/token-{week['id']}(/callback)?"
    await fake.wait_for(lambda: any(c.files for c in fake.find("POST", token)), within=60)
    [sent] = [c for c in fake.find("POST", token) if c.files]
    body = sent.body.get("data", sent.body)  # a callback carries its message in `data`
    assert body["flags"] & EPHEMERAL
    assert "The team's week" in body["content"]
    [name] = [name for name, _ in sent.files]
    assert re.fullmatch(r"digest-\d{4}-\d{2}-\d{2}\.png", name), name
    assert sent.files[0][1].startswith(b"\x89PNG")
