"""`/quiz topics` on Discord through the fake: subject ids autocompleted word by word, the list
for any member, and the choice for admins only."""

from __future__ import annotations

from bot.platforms.discord.dispatch import PLATFORM
from tests.bot.platforms.discord.conftest import Running
from tests.bot.platforms.discord.test_discord_bot import EPHEMERAL, callback_for, sent_for


async def test_topics_autocompletes_lists_and_is_set_by_admins(bot: Running) -> None:
    fake = bot.fake

    async def choices(typed: str) -> list[str]:
        typing = fake.slash(
            "quiz", "topics", {"subjects": typed}, user=fake.member, focused="subjects"
        )
        await bot.push(typing)
        await fake.wait_for(lambda: callback_for(fake, typing["id"]))
        [answer] = callback_for(fake, typing["id"])
        assert answer["type"] == 8
        return [choice["value"] for choice in answer["data"]["choices"]]

    assert {"seed", "all"} <= set(await choices(""))
    assert await choices("see") == ["seed"]
    after = await choices("seed ")  # the subject files beside the seed's, one more each
    assert all(v.startswith("seed ") for v in after)
    assert "seed seed" not in after and "seed all" not in after

    listing = fake.slash("quiz", "topics", user=fake.member)
    await bot.push(listing)
    await fake.wait_for(lambda: sent_for(fake, listing["id"]))
    [listed] = sent_for(fake, listing["id"])
    assert listed["flags"] & EPHEMERAL
    assert "`seed` Deep-learning basics" in listed["content"]

    refused = fake.slash("quiz", "topics", {"subjects": "seed"}, user=fake.member)
    await bot.push(refused)
    await fake.wait_for(lambda: sent_for(fake, refused["id"]))
    assert "admin" in sent_for(fake, refused["id"])[0]["content"].lower()
    channel = await bot.service.posting.channel(PLATFORM, fake.channel_id)
    assert channel.subjects == ()

    chosen = fake.slash("quiz", "topics", {"subjects": "seed"}, user=fake.admin, admin=True)
    await bot.push(chosen)
    await fake.wait_for(lambda: sent_for(fake, chosen["id"]))
    assert "Deep-learning basics" in sent_for(fake, chosen["id"])[0]["content"]
    channel = await bot.service.posting.channel(PLATFORM, fake.channel_id)
    assert channel.subjects == ("seed",)
