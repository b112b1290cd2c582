"""A Discord answer enters the core once, as a Slack one does: discord.py's interaction becomes
an `Incoming` once, and the core cleans it once on its way to the grader. Counted on the real
functions while discord.py handles the interaction from the fake gateway."""

from __future__ import annotations

from bot.core.commands import Grammar, member_command
from bot.core.flow import intake
from bot.platforms.discord import dispatch
from tests.bot.platforms.discord.conftest import Running
from tests.bot.platforms.discord.test_discord_bot import GOOD_ANSWER, post_question, sent_for
from tests.call_counts import calls_of


async def test_a_slash_answer_is_read_and_cleaned_once_from_interaction_to_grade(
    bot: Running,
) -> None:
    fake = bot.fake
    thread_id = await post_question(bot)
    answer = fake.slash(
        "quiz", "answer", {"text": GOOD_ANSWER}, user=fake.member, channel_id=thread_id
    )

    with calls_of(
        dispatch.interaction_incoming,
        dispatch.message_incoming,
        intake._member_text,
        member_command,
        Grammar.parse,
    ) as counts:
        await bot.push(answer)
        # Generous: profiled, the event loop runs slower, and the first grade loads the model.
        await fake.wait_for(lambda: len(sent_for(fake, answer["id"])) >= 1, within=240)

    assert counts["interaction_incoming"] == 1, "the interaction becomes an Incoming once"
    assert counts["message_incoming"] == 0
    assert counts["_member_text"] == 1, "the message is cleaned once"
    assert counts["member_command"] == 1
    assert counts["Grammar.parse"] == 0, "the answer option is an answer, never parsed as a command"
    assert "/100" in sent_for(fake, answer["id"])[0]["content"]
