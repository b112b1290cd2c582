"""The Discord bot end to end: the real discord.py client against the loopback fake, the real core
behind it. Each test drives what a member or admin would do and checks what Discord was sent."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from functools import partial
from typing import Any

import discord
import pytest

from bot.app import open_service
from bot.config import Settings
from bot.core.models import PostRow
from bot.core.texts import CHAT, text
from bot.platforms.discord.dispatch import PLATFORM
from bot.wiring import Wired
from evaluators import create_grader
from tests.bot.platforms.discord.conftest import Running, StartBot
from tests.bot.platforms.discord.fake_discord import FakeDiscord
from tests.one_language import TYPED, foreign_lines

EPHEMERAL = 64
MANAGE_GUILD = 1 << 5
GOOD_ANSWER = (
    "Dropout randomly zeroes activations during training so units cannot co-adapt; "
    "it acts as a regulariser that reduces overfitting, and at inference it is disabled "
    "with the activations scaled to match their expected value."
)


def callback_for(fake: FakeDiscord, interaction_id: str) -> list[Any]:
    """Bodies of the interaction callbacks Discord got for one interaction."""
    return [c.body for c in fake.find("POST", rf"/interactions/{interaction_id}/[^/]+/callback")]


def sent_for(fake: FakeDiscord, interaction_id: str) -> list[dict[str, Any]]:
    """Every message body sent through one interaction's token, in order: the callback's message
    (if it was not a defer), followups and edits."""
    token = rf"token-{interaction_id}"
    bodies = []
    for call in fake.calls:
        if call.path == f"/interactions/{interaction_id}/{token}/callback":
            if call.body["type"] == 4:
                bodies.append(call.body["data"])
        elif call.path.startswith(f"/webhooks/{fake.app_id}/{token}") and call.body:
            bodies.append(call.body)
    return bodies


async def post_question(bot: Running) -> str:
    """An admin posts today's question with `/quiz-admin now`; returns the thread id."""
    fake = bot.fake
    interaction_id = await bot.push(fake.slash("quiz-admin", "now", user=fake.admin, admin=True))
    await fake.wait_for(lambda: fake.find("POST", r"/channels/\d+/messages/\d+/threads"))
    assert callback_for(fake, interaction_id)
    thread: str = fake.find("POST", r"/channels/\d+/messages/\d+/threads")[-1].path.split("/")[4]
    return thread


async def recorded_post(service: Wired, channel_id: str) -> PostRow:
    """The channel's latest post once its thread is recorded: the bot records it after Discord
    answered the thread call, which comes after the interaction's callback."""
    for _ in range(250):
        post = await service.repo.posts.latest_post(platform=PLATFORM, channel_id=channel_id)
        if post is not None and post.thread_id is not None:
            return post
        await asyncio.sleep(0.02)
    raise AssertionError(f"no question thread recorded in channel {channel_id}")


async def test_commands_are_synced_to_the_configured_guild(bot: Running) -> None:
    fake = bot.fake
    [sync] = fake.find("PUT", rf"/applications/{fake.app_id}/guilds/{fake.guild_id}/commands")
    assert not fake.find("PUT", rf"/applications/{fake.app_id}/commands")
    commands = {c["name"]: c for c in sync.body}
    assert set(commands) == {"quiz", "quiz-admin", "demo"}

    quiz = {o["name"]: o for o in commands["quiz"]["options"]}
    assert set(quiz) == {
        "answer",
        "next",
        "skip",
        "hint",
        "leaderboard",
        "stats",
        "practice",
        "review",
        "due",
        "appeal",
        "me",
        "week",
        "share",
        "topics",
        "bookmark",
        "bookmarks",
        "help",
    }
    assert commands["quiz"]["default_member_permissions"] is None
    [text] = quiz["answer"]["options"]
    assert (text["name"], text["type"], text["required"]) == ("text", 3, False)
    assert text["max_length"] == 4000
    periods = [c["value"] for c in quiz["leaderboard"]["options"][0]["choices"]]
    assert periods == ["week", "month", "all"]

    admin = commands["quiz-admin"]
    assert int(admin["default_member_permissions"]) == MANAGE_GUILD
    assert {o["name"] for o in admin["options"]} == {
        "now",
        "reveal",
        "schedule",
        "lang",
        "digest",
        "appeals",
        "resolve",
    }
    schedule = next(o for o in admin["options"] if o["name"] == "schedule")
    zone = next(o for o in schedule["options"] if o["name"] == "timezone")
    assert zone["autocomplete"] is True

    run = next(o for o in commands["demo"]["options"] if o["name"] == "run")
    name = next(o for o in run["options"] if o["name"] == "name")
    assert name["autocomplete"] is True and name["required"] is True

    # No privileged intent unless the setting asks for it.
    assert fake.identify is not None
    assert not discord.Intents._from_value(fake.identify["intents"]).message_content


async def test_quiz_now_posts_an_embed_and_opens_its_thread(bot: Running) -> None:
    fake = bot.fake
    thread_id = await post_question(bot)

    [body] = [b for b in fake.find("POST", r"/interactions/\d+/[^/]+/callback")]
    assert body.body["type"] == 4
    data = body.body["data"]
    [embed] = data["embeds"]
    assert embed["title"].startswith("Question of the day")
    assert len(embed["description"]) > 20
    assert data.get("flags", 0) & EPHEMERAL == 0
    assert data["allowed_mentions"]["parse"] == []

    [thread_call] = fake.find("POST", r"/channels/\d+/messages/\d+/threads")
    assert thread_call.path.split("/")[2] == fake.channel_id
    assert thread_call.body["name"].startswith("Question of the day")
    post = await recorded_post(bot.service, fake.channel_id)
    assert post.thread_id == thread_id


async def test_an_answer_in_the_thread_is_graded_and_followed_up(bot: Running) -> None:
    fake = bot.fake
    thread_id = await post_question(bot)

    answer = fake.slash(
        "quiz", "answer", {"text": GOOD_ANSWER}, user=fake.member, channel_id=thread_id
    )
    await bot.push(answer)
    await fake.wait_for(lambda: fake.find("POST", r"/webhooks/\d+/[^/]+"))

    await fake.wait_for(lambda: len(sent_for(fake, answer["id"])) >= 2)
    grade, followup = sent_for(fake, answer["id"])
    content = grade["content"]
    assert content.startswith(f"<@{fake.member['id']}> **") and "/100" in content
    assert grade.get("flags", 0) & EPHEMERAL == 0
    mentions = grade["allowed_mentions"]
    assert mentions == {"parse": [], "users": [int(fake.member["id"])]}
    assert "Follow-up" in followup["content"] or "finished" in followup["content"]
    assert all(c.query.get("wait") == "1" for c in fake.find("POST", r"/webhooks/\d+/[^/]+"))
    answers = await bot.service.repo.answers.user_answers(
        platform=PLATFORM, channel_id=fake.channel_id, user_id=fake.member["id"]
    )
    assert len(answers) == 1


async def test_a_redelivered_interaction_is_answered_and_stored_once(bot: Running) -> None:
    fake = bot.fake
    thread_id = await post_question(bot)
    answer = fake.slash(
        "quiz", "answer", {"text": GOOD_ANSWER}, user=fake.member, channel_id=thread_id
    )
    await bot.push(answer)
    await bot.push(answer)
    await fake.wait_for(lambda: fake.find("POST", r"/webhooks/\d+/[^/]+"))
    await asyncio.sleep(0.3)

    assert len(callback_for(fake, answer["id"])) == 1
    answers = await bot.service.repo.answers.user_answers(
        platform=PLATFORM, channel_id=fake.channel_id, user_id=fake.member["id"]
    )
    assert len(answers) == 1


async def test_admin_commands_are_refused_to_members(bot: Running) -> None:
    fake = bot.fake
    refused = fake.slash("quiz-admin", "schedule", {"time": "10:30"}, user=fake.member)
    await bot.push(refused)
    await fake.wait_for(lambda: sent_for(fake, refused["id"]))
    [reply] = sent_for(fake, refused["id"])
    assert reply["flags"] & EPHEMERAL
    assert "admin" in reply["content"].lower()
    channel = await bot.service.posting.channel(PLATFORM, fake.channel_id)
    assert channel.post_time == "09:00"

    allowed = fake.slash(
        "quiz-admin",
        "schedule",
        {"time": "10:30", "timezone": "Europe/Berlin", "days": "mon, wed"},
        user=fake.admin,
        admin=True,
    )
    await bot.push(allowed)
    await fake.wait_for(lambda: sent_for(fake, allowed["id"]))
    channel = await bot.service.posting.channel(PLATFORM, fake.channel_id)
    assert (channel.post_time, channel.timezone) == ("10:30", "Europe/Berlin")


async def test_everyone_in_member_text_pings_nobody(bot: Running) -> None:
    fake = bot.fake
    thread_id = await post_question(bot)
    mallory = fake.user("mallory", global_name="@everyone")
    answer = fake.slash(
        "quiz", "answer", {"text": "@everyone " + GOOD_ANSWER}, user=mallory, channel_id=thread_id
    )
    await bot.push(answer)
    await fake.wait_for(lambda: len(sent_for(fake, answer["id"])) >= 2)

    board = fake.slash("quiz", "leaderboard", {"period": "all"}, user=fake.member)
    await bot.push(board)
    await fake.wait_for(lambda: sent_for(fake, board["id"]))
    [reply] = sent_for(fake, board["id"])
    assert "@\u200beveryone" in reply["content"]
    assert "@everyone" not in reply["content"]

    bodies = [b for c in fake.calls if c.method in {"POST", "PATCH"} for b in [c.body]]
    sent = [b.get("data", b) for b in bodies if isinstance(b, dict)]
    messages = [m for m in sent if "content" in m or "embeds" in m]
    assert messages
    for message in messages:
        assert message["allowed_mentions"]["parse"] == []


async def test_rate_limited_post_is_retried_after_the_delay(bot: Running) -> None:
    fake = bot.fake
    route = rf"/channels/{fake.channel_id}/messages"
    fake.rate_limit_once("POST", route, retry_after=0.5)

    post = await bot.service.posting.post_today(PLATFORM, fake.channel_id, bot.client.channels)

    first, second = fake.find("POST", route)
    assert (first.status, second.status) == (429, 200)
    assert second.at - first.at >= 0.5
    assert second.body["embeds"][0]["title"].startswith("Question of the day")
    assert post.thread_id is not None and post.thread_id in fake.channels


async def test_a_slow_reply_is_deferred_then_followed_up(start_bot: StartBot) -> None:
    async with start_bot(ack_budget_s=0.0) as bot:
        fake = bot.fake
        board = fake.slash("quiz", "leaderboard", user=fake.member)
        await bot.push(board)
        await fake.wait_for(lambda: sent_for(fake, board["id"]))

        [callback] = callback_for(fake, board["id"])
        assert callback["type"] == 5
        assert callback.get("data", {}).get("flags", 0) & EPHEMERAL == 0
        [followup] = fake.find("POST", rf"/webhooks/{fake.app_id}/token-{board['id']}")
        assert followup.query["wait"] == "1"
        assert followup.body["content"]
        assert followup.body["allowed_mentions"]["parse"] == []

        private = fake.slash("quiz", "help", user=fake.member)
        await bot.push(private)
        await fake.wait_for(lambda: sent_for(fake, private["id"]))
        [callback] = callback_for(fake, private["id"])
        assert callback["type"] == 5 and callback["data"]["flags"] & EPHEMERAL
        [reply] = sent_for(fake, private["id"])
        assert reply["flags"] & EPHEMERAL


async def test_scores_stay_private_when_configured(start_bot: StartBot) -> None:
    async with start_bot(discord_score_visibility="ephemeral") as bot:
        fake = bot.fake
        thread_id = await post_question(bot)
        answer = fake.slash(
            "quiz", "answer", {"text": GOOD_ANSWER}, user=fake.member, channel_id=thread_id
        )
        await bot.push(answer)
        await fake.wait_for(lambda: len(sent_for(fake, answer["id"])) >= 2)
        grade, followup = sent_for(fake, answer["id"])
        assert "/100" in grade["content"] and grade["flags"] & EPHEMERAL
        assert grade["allowed_mentions"] == {"parse": []}
        assert not followup.get("flags", 0) & EPHEMERAL
        assert followup["allowed_mentions"]["users"] == [int(fake.member["id"])]


async def test_answer_without_text_opens_a_form(bot: Running) -> None:
    fake = bot.fake
    thread_id = await post_question(bot)
    command = fake.slash("quiz", "answer", user=fake.member, channel_id=thread_id)
    await bot.push(command)
    await fake.wait_for(lambda: callback_for(fake, command["id"]))
    [modal] = callback_for(fake, command["id"])
    assert modal["type"] == 9

    submit = fake.modal_submit(modal, GOOD_ANSWER, user=fake.member, channel_id=thread_id)
    await bot.push(submit)
    await fake.wait_for(lambda: len(sent_for(fake, submit["id"])) >= 2)
    assert "/100" in sent_for(fake, submit["id"])[0]["content"]
    answers = await bot.service.repo.answers.user_answers(
        platform=PLATFORM, channel_id=fake.channel_id, user_id=fake.member["id"]
    )
    assert len(answers) == 1


async def test_a_korean_channels_answer_form_is_titled_in_korean_only(bot: Running) -> None:
    fake = bot.fake
    lang = fake.slash("quiz-admin", "lang", {"language": "ko"}, user=fake.admin, admin=True)
    await bot.push(lang)
    await fake.wait_for(lambda: sent_for(fake, lang["id"]))
    thread_id = await post_question(bot)
    command = fake.slash("quiz", "answer", user=fake.member, channel_id=thread_id)
    await bot.push(command)
    await fake.wait_for(lambda: callback_for(fake, command["id"]))
    [modal] = callback_for(fake, command["id"])
    [label] = modal["data"]["components"]
    shown = [modal["data"]["title"], label["label"]]
    assert shown == [text("ko", "answer_dialog_title"), text("ko", "answer_dialog_label")]
    assert foreign_lines(shown, "ko") == []


def synced_texts(node: dict[str, Any]) -> Iterator[tuple[str, str | None]]:
    """(Discord's default, the Korean) of every text a synced command shows but its name and
    its subcommands' (typed as they are): descriptions, option names and choice names."""
    yield node["description"], (node.get("description_localizations") or {}).get("ko")
    for option in node.get("options", []):
        if option["type"] not in (1, 2):  # an option, not a subcommand or group
            yield option["name"], (option.get("name_localizations") or {}).get("ko")
        for choice in option.get("choices", []):
            yield choice["name"], (choice.get("name_localizations") or {}).get("ko")
        yield from synced_texts(option)


async def test_every_command_text_is_synced_in_korean_from_the_catalogue(bot: Running) -> None:
    """discord.py's translator gave each description, option name and choice name its Korean
    from the catalogue; the English default is the catalogue's too."""
    fake = bot.fake
    [sync] = fake.find("PUT", rf"/applications/{fake.app_id}/guilds/{fake.guild_id}/commands")
    pairs = [pair for command in sync.body for pair in synced_texts(command)]
    assert len(pairs) > 70
    assert [english for english, korean in pairs if korean is None] == []
    korean = [korean or "" for _, korean in pairs]
    assert foreign_lines(korean, "ko", typed=TYPED) == []
    english = [english for english, _ in pairs]
    catalogue = {text("en", key) for key in CHAT.message_keys() if key.startswith("discord_")}
    assert set(english) <= catalogue, set(english) - catalogue
    quiz = next(command for command in sync.body if command["name"] == "quiz")
    assert quiz["description_localizations"]["ko"] == text("ko", "discord_quiz")


async def test_plain_thread_messages_are_answers_with_message_content(
    start_bot: StartBot,
) -> None:
    async with start_bot(discord_message_content=True) as bot:
        fake = bot.fake
        assert fake.identify is not None
        assert discord.Intents._from_value(fake.identify["intents"]).message_content
        thread_id = await post_question(bot)

        await fake.dispatch(
            "MESSAGE_CREATE", fake.thread_message(thread_id, GOOD_ANSWER, user=fake.member)
        )
        route = rf"/channels/{thread_id}/messages"
        await fake.wait_for(lambda: len(fake.find("POST", route)) >= 2)
        grade, followup = (c.body for c in fake.find("POST", route))
        assert "Follow-up" in followup["content"] or "finished" in followup["content"]
        assert grade["content"].startswith(f"<@{fake.member['id']}>") and "/100" in grade["content"]
        assert grade["allowed_mentions"] == {"parse": [], "users": [int(fake.member["id"])]}
        answers = await bot.service.repo.answers.user_answers(
            platform=PLATFORM, channel_id=fake.channel_id, user_id=fake.member["id"]
        )
        assert len(answers) == 1


async def test_a_thread_message_starting_with_a_slash_is_an_answer_even_from_an_admin(
    start_bot: StartBot,
) -> None:
    """Discord runs slash commands itself; a message that reaches the thread is text to grade,
    as on Slack (see test_slack_http)."""
    async with start_bot(discord_message_content=True) as bot:
        fake = bot.fake
        thread_id = await post_question(bot)

        await fake.dispatch(
            "MESSAGE_CREATE", fake.thread_message(thread_id, "/quiz reveal", user=fake.admin)
        )
        route = rf"/channels/{thread_id}/messages"
        await fake.wait_for(lambda: len(fake.find("POST", route)) >= 2)
        grade = fake.find("POST", route)[0].body
        assert grade["content"].startswith(f"<@{fake.admin['id']}>") and "/100" in grade["content"]
        answers = await bot.service.repo.answers.user_answers(
            platform=PLATFORM, channel_id=fake.channel_id, user_id=fake.admin["id"]
        )
        assert len(answers) == 1
        post = await bot.service.repo.posts.latest_post(
            platform=PLATFORM, channel_id=fake.channel_id
        )
        assert post is not None and not post.revealed


@pytest.mark.slow
async def test_demo_is_deferred_and_its_plot_follows_as_a_file(
    start_bot: StartBot, settings: Settings
) -> None:
    grader = create_grader(
        model_name=settings.embedding_model, device="cpu", cache_dir=settings.cache_dir
    )
    demo_settings = settings.model_copy(update={"demos": True})
    try:
        async with (
            open_service(demo_settings, grader=grader) as quiz,
            start_bot(quiz=quiz) as bot,
        ):
            fake = bot.fake
            typing = fake.slash("demo", "run", {"name": "over"}, user=fake.member, focused="name")
            await bot.push(typing)
            await fake.wait_for(lambda: callback_for(fake, typing["id"]))
            [choices] = callback_for(fake, typing["id"])
            assert choices["type"] == 8
            assert [c["value"] for c in choices["data"]["choices"]] == ["overfitting"]

            run = fake.slash(
                "demo",
                "run",
                {"name": "overfitting", "params": "epochs=10  hidden=16 n_train=60"},
                user=fake.member,
            )
            await bot.push(run)
            token = f"token-{run['id']}"
            posts = rf"/webhooks/{fake.app_id}/{token}"
            await fake.wait_for(lambda: len(fake.find("POST", posts)) >= 2, within=90)

            [callback] = callback_for(fake, run["id"])
            assert callback["type"] == 5
            assert not callback.get("data", {}).get("flags", 0) & EPHEMERAL
            started, figures = fake.find("POST", posts)
            assert "overfitting" in started.body["content"]
            assert fake.find("PATCH", rf"{posts}/messages/@original")  # progress, then done
            assert figures.query["wait"] == "1"
            assert figures.files and all(n.endswith(".png") for n, _ in figures.files)
            assert all(data.startswith(b"\x89PNG") for _, data in figures.files)
            assert figures.body["allowed_mentions"]["parse"] == []
    finally:
        await grader.aclose()


async def test_an_answer_from_the_channel_lands_in_the_thread(bot: Running) -> None:
    fake = bot.fake
    thread_id = await post_question(bot)
    answer = fake.slash("quiz", "answer", {"text": GOOD_ANSWER}, user=fake.member)
    await bot.push(answer)
    in_thread = rf"/channels/{thread_id}/messages"
    await fake.wait_for(lambda: len(fake.find("POST", in_thread)) >= 2)

    grade = fake.find("POST", in_thread)[0]
    assert "/100" in grade.body["content"]
    assert grade.body["allowed_mentions"]["users"] == [int(fake.member["id"])]
    [pointer] = sent_for(fake, answer["id"])
    message_id = next(m for m in fake.messages.values() if "/100" in m["content"])["id"]
    assert f"/channels/{fake.guild_id}/{thread_id}/{message_id}" in pointer["content"]


async def test_replies_after_the_token_expires_go_to_the_channel(bot: Running) -> None:
    fake = bot.fake
    late = fake.slash("quiz", "leaderboard", user=fake.member, age_s=16 * 60)
    await bot.push(late)
    route = rf"/channels/{fake.channel_id}/messages"
    await fake.wait_for(lambda: fake.find("POST", route))
    assert not sent_for(fake, late["id"])
    assert fake.find("POST", route)[0].body["allowed_mentions"]["parse"] == []


async def test_practice_stays_private(bot: Running) -> None:
    fake = bot.fake
    practice = fake.slash("quiz", "practice", user=fake.member)
    await bot.push(practice)
    await fake.wait_for(lambda: sent_for(fake, practice["id"]))
    replies = sent_for(fake, practice["id"])
    assert replies and all(r["flags"] & EPHEMERAL for r in replies)
    assert not fake.find("POST", r"/channels/\d+/messages")


async def test_an_appeal_is_opened_privately_and_its_resolution_pings_the_member_in_the_thread(
    bot: Running,
) -> None:
    fake = bot.fake
    thread_id = await post_question(bot)
    answer = fake.slash("quiz", "answer", {"text": "ReLU"}, user=fake.member, channel_id=thread_id)
    await bot.push(answer)
    await fake.wait_for(lambda: len(sent_for(fake, answer["id"])) >= 1)
    [graded] = await bot.service.repo.answers.user_answers(
        platform=PLATFORM, channel_id=fake.channel_id, user_id=fake.member["id"]
    )

    appeal = fake.slash("quiz", "appeal", {"why": "@everyone ReLU is the answer"}, user=fake.member)
    await bot.push(appeal)
    await fake.wait_for(lambda: sent_for(fake, appeal["id"]))
    [opened] = sent_for(fake, appeal["id"])
    assert opened["flags"] & EPHEMERAL and "Appeal #1 opened" in opened["content"]

    queue = fake.slash("quiz-admin", "appeals", user=fake.admin, admin=True)
    await bot.push(queue)
    await fake.wait_for(lambda: sent_for(fake, queue["id"]))
    [listed] = sent_for(fake, queue["id"])
    assert listed["flags"] & EPHEMERAL and "**#1**" in listed["content"]
    assert "`/quiz-admin resolve <id>" in listed["content"]
    assert listed["allowed_mentions"]["parse"] == []

    resolve = fake.slash(
        "quiz-admin",
        "resolve",
        {"appeal": 1, "score": 90, "note": "fair"},
        user=fake.admin,
        admin=True,
    )
    await bot.push(resolve)
    in_thread = rf"/channels/{thread_id}/messages"
    await fake.wait_for(
        lambda: any(
            "Your appeal #1" in c.body.get("content", "") for c in fake.find("POST", in_thread)
        )
    )
    [told] = [c.body for c in fake.find("POST", in_thread) if "Your appeal" in c.body["content"]]
    assert told["content"].startswith(f"<@{fake.member['id']}> Your appeal #1")
    assert told["allowed_mentions"] == {"parse": [], "users": [int(fake.member["id"])]}
    [after] = await bot.service.repo.answers.user_answers(
        platform=PLATFORM, channel_id=fake.channel_id, user_id=fake.member["id"]
    )
    assert graded.score != 90 and after.score == 90


async def test_two_replicas_split_the_shards_and_each_guild_is_served_by_its_own(
    fake_discord: FakeDiscord, start_bot: StartBot
) -> None:
    """QUIZMASTER_DISCORD_SHARD_COUNT=2 with SHARD_IDS 0 and 1: each replica identifies as its
    shard, receives only its guilds, and answers their commands."""
    fake = fake_discord
    # The fake's first guild id carries the time, as Discord's do: its shard is 0 or 1.
    home = (int(fake.guild_id) >> 22) % 2
    other_guild, other_channel = fake.add_guild(shard=1 - home, of=2)
    async with (
        start_bot(discord_shard_count=2, discord_shard_ids=str(home)) as first,
        start_bot(discord_shard_count=2, discord_shard_ids=str(1 - home)) as second,
    ):
        assert (first.client.shard_ids, second.client.shard_ids) == ([home], [1 - home])
        assert sorted(i["shard"] for i in fake.identifies) == [[0, 2], [1, 2]]
        assert fake.ready_guilds == {home: [fake.guild_id], 1 - home: [other_guild]}
        await fake.wait_for(lambda: first.client.guilds and second.client.guilds)
        assert [g.id for g in first.client.guilds] == [int(fake.guild_id)]
        assert [g.id for g in second.client.guilds] == [int(other_guild)]

        for channel in (fake.channel_id, other_channel):
            now = fake.slash("quiz-admin", "now", user=fake.admin, admin=True, channel_id=channel)
            interaction_id = await first.push(now)
            await fake.wait_for(partial(callback_for, fake, interaction_id))
            await recorded_post(first.service, channel)
        threads = [
            c.path.split("/")[2] for c in fake.find("POST", r"/channels/\d+/messages/\d+/threads")
        ]
        assert sorted(threads) == sorted([fake.channel_id, other_channel])
        # Each command reached only its guild's shard's connection, and was answered from there.
        assert fake.delivered == [(home, "INTERACTION_CREATE"), (1 - home, "INTERACTION_CREATE")]
