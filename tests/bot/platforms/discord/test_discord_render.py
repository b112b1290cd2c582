"""Rendering rules that no end-to-end test reaches cheaply: limits, embeds, files, mentions."""

from __future__ import annotations

import unicodedata
from dataclasses import replace

from bot.core.messages import Image, QuestionCard, Reply, ReplyKind
from bot.platforms.discord.post_mark import marked_post
from bot.platforms.discord.render import (
    CONTENT_LIMIT,
    DESCRIPTION_LIMIT,
    EMBED_TOTAL_LIMIT,
    FOOTER_LIMIT,
    render,
    thread_name,
)

MEMBER = "123456789012345678"
OTHER = "876543210987654321"


def test_only_the_addressee_can_be_pinged() -> None:
    reply = Reply(
        channel_id="1",
        text=f"<@{MEMBER}> 80/100 — you wrote '@here <@{OTHER}> <@&{OTHER}>'",
        kind=ReplyKind.GRADE,
        user_id=MEMBER,
    )
    rendered = render(reply, ephemeral=False)
    assert rendered.content is not None
    assert rendered.content.startswith(f"<@{MEMBER}> ")
    assert "@here" not in rendered.content
    assert f"<@{OTHER}>" not in rendered.content and f"<@&{OTHER}>" not in rendered.content
    allowed = rendered.allowed_mentions.to_dict()
    assert allowed["parse"] == [] and allowed.get("users") == [int(MEMBER)]


def test_a_public_reply_to_someone_names_them_even_if_the_text_does_not() -> None:
    reply = Reply(channel_id="1", text="Follow-up 1/2: why?", user_id=MEMBER)
    assert render(reply, ephemeral=False).content == f"<@{MEMBER}> Follow-up 1/2: why?"
    private = render(reply, ephemeral=True)
    assert private.content == "Follow-up 1/2: why?"
    allowed = private.allowed_mentions.to_dict()
    assert allowed["parse"] == [] and "users" not in allowed


def test_question_card_becomes_an_embed_without_repeating_its_title() -> None:
    card = QuestionCard(
        prompt_id="p1",
        title="Question of the day · 2026-01-05",
        body="What is dropout?",
        topic="regularization",
        day="2026-01-05",
    )
    reply = Reply(
        channel_id="1",
        text="**Question of the day · 2026-01-05**\nWhat is dropout?\n\nAnswer in the thread.",
        kind=ReplyKind.QUESTION,
        open_thread=True,
        thread_title=card.title,
        card=card,
    )
    rendered = render(reply, ephemeral=False)
    assert rendered.content is None and rendered.embed is not None
    assert rendered.embed.title == card.title
    assert rendered.embed.description == "What is dropout?\n\nAnswer in the thread."
    assert rendered.embed.footer.text == "regularization · 2026-01-05"
    assert thread_name(reply) == card.title


def footer(reply: Reply) -> str:
    embed = render(reply, ephemeral=False).embed
    assert embed is not None and embed.footer.text is not None
    return embed.footer.text


def test_a_posted_question_marks_its_post_invisibly_in_the_footer() -> None:
    card = QuestionCard("p1", "Question of the day · 2026-01-05", "Why?", "attention", "2026-01-05")
    reply = Reply(channel_id="1", text="Why?", kind=ReplyKind.QUESTION, card=card)
    assert marked_post(footer(reply)) is None
    for post_id in (1, 2, 6, 1 << 40, (1 << 63) - 1):
        marked = footer(replace(reply, card=replace(card, post_id=post_id)))
        assert marked_post(marked) == post_id
        shown = "".join(c for c in marked if unicodedata.category(c) != "Cf")
        assert shown == "attention · 2026-01-05", "members see the footer as before"
    long_topic = replace(card, topic="t" * FOOTER_LIMIT, post_id=7)
    marked = footer(replace(reply, card=long_topic))
    assert len(marked) <= FOOTER_LIMIT and marked_post(marked) == 7
    assert marked_post("attention\u2063x") is None


def test_text_too_long_for_a_message_moves_into_an_embed() -> None:
    reply = Reply(channel_id="1", text="x" * (CONTENT_LIMIT + 500), user_id=MEMBER)
    rendered = render(reply, ephemeral=False)
    assert rendered.embed is not None and rendered.embed.description is not None
    assert len(rendered.embed.description) == CONTENT_LIMIT + 500
    assert rendered.content == f"<@{MEMBER}>"

    huge = render(Reply(channel_id="1", text="y" * 10_000), ephemeral=False)
    assert huge.embed is not None and huge.embed.description is not None
    assert len(huge.embed.description) == DESCRIPTION_LIMIT
    assert huge.embed.description.endswith("…")


def test_fields_fit_the_embed_limits_and_images_become_files() -> None:
    fields = tuple((f"topic {i}", "v" * 1500) for i in range(30))
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 64
    reply = Reply(
        channel_id="1",
        text="Stats",
        kind=ReplyKind.STATS,
        fields=fields,
        images=(Image("chart.png", png, alt="scores"), Image("loss.png", png)),
    )
    rendered = render(reply, ephemeral=False)
    assert rendered.embed is not None
    assert len(rendered.embed) <= EMBED_TOTAL_LIMIT
    assert all(len(f.value or "") <= 1024 for f in rendered.embed.fields)
    assert rendered.embed.image.url == "attachment://chart.png"
    files = rendered.files()
    assert [f.filename for f in files] == ["chart.png", "loss.png"]
    assert files[0].description == "scores"
    assert files[0].fp.read() == png
    assert [f.filename for f in rendered.files()] == ["chart.png", "loss.png"]  # fresh each time


def test_admin_commands_are_named_as_discord_registers_them() -> None:
    reply = Reply(channel_id="1", text="An admin can post one with `/quiz now`; see `/quiz next`.")
    rendered = render(reply, ephemeral=True)
    assert rendered.content == "An admin can post one with `/quiz-admin now`; see `/quiz next`."
