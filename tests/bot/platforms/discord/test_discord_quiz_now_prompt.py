"""`/quiz-admin now prompt:<id>` on Discord: the real discord.py client against the loopback fake
posts the named main question, and the synced command offers the option."""

from __future__ import annotations

from bot.platforms.discord.dispatch import PLATFORM
from tests.bot.platforms.discord.conftest import Running


async def test_now_offers_an_optional_prompt_option(bot: Running) -> None:
    fake = bot.fake
    [sync] = fake.find("PUT", rf"/applications/{fake.app_id}/guilds/{fake.guild_id}/commands")
    admin = next(c for c in sync.body if c["name"] == "quiz-admin")
    now = next(o for o in admin["options"] if o["name"] == "now")
    [prompt] = now["options"]
    assert (prompt["name"], prompt["type"], prompt["required"]) == ("prompt", 3, False)


async def test_now_with_a_prompt_posts_that_main_question(bot: Running) -> None:
    fake = bot.fake
    interaction = fake.slash("quiz-admin", "now", {"prompt": "q05"}, user=fake.admin, admin=True)
    interaction_id = await bot.push(interaction)
    await fake.wait_for(lambda: fake.find("POST", r"/channels/\d+/messages/\d+/threads"))

    [callback] = fake.find("POST", rf"/interactions/{interaction_id}/[^/]+/callback")
    [embed] = callback.body["data"]["embeds"]
    assert bot.service.bank.every_channel().get("q05").text.en in embed["description"]
    post = await bot.service.repo.posts.latest_post(platform=PLATFORM, channel_id=fake.channel_id)
    assert post is not None and post.prompt_id == "q05"
