"""Block Kit rendering and mention neutralisation: pure functions, no Slack."""

from __future__ import annotations

import pytest

from bot.core.messages import QuestionCard, Reply, ReplyKind
from bot.platforms.slack.mentions import neutralise, unescape
from bot.platforms.slack.render import answer_modal, mrkdwn, render


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("<!channel> look", "&lt;!channel&gt; look"),
        ("<!here|here>", "&lt;!here|here&gt;"),
        ("<!everyone>", "&lt;!everyone&gt;"),
        ("hi <@U0BOSS>", "hi &lt;@U0BOSS&gt;"),
        ("<!subteam^S0TEAM|@ml>", "&lt;!subteam^S0TEAM|@ml&gt;"),
        ("a < b && c > d", "a &lt; b &amp;&amp; c &gt; d"),
        ("ping @channel and @Here", "ping @\u2060channel and @\u2060Here"),
        ("mail me@example.com", "mail me@example.com"),
    ],
)
def test_neutralise_shows_the_text_without_control_sequences(typed: str, shown: str) -> None:
    assert neutralise(typed) == shown


def test_unescape_reverses_slacks_escaping_of_message_text() -> None:
    assert unescape("a &lt; b &amp;&amp; c &gt; d &amp;lt;") == "a < b && c > d &lt;"


def test_only_the_addressee_mention_stays_live() -> None:
    text = "<@UALICE> **80/100** · you wrote <@U0BOSS> <!channel>"
    addressed = Reply(
        channel_id="C1", text="**80/100** · you wrote <@U0BOSS> <!channel>", addressee="UALICE"
    )

    shown = render(addressed).text

    assert shown == "<@UALICE> *80/100* · you wrote &lt;@U0BOSS&gt; &lt;!channel&gt;"
    assert mrkdwn(text).startswith("&lt;@UALICE&gt;")


def test_question_card_renders_header_body_context_and_buttons() -> None:
    card = QuestionCard(
        prompt_id="q01",
        title="Question of the day",
        body="Why <b>?",
        topic="optim",
        day="2026-01-05",
    )
    reply = Reply(channel_id="C1", text="**Question**\nWhy?", kind=ReplyKind.QUESTION, card=card)

    rendered = render(reply)

    kinds = [block["type"] for block in rendered.blocks]
    assert kinds == ["header", "section", "context", "actions"]
    assert rendered.blocks[1]["text"]["text"] == "Why &lt;b&gt;?"
    buttons = rendered.blocks[-1]["elements"]
    assert [b["action_id"] for b in buttons] == [
        "quiz_answer",
        "quiz_hint",
        "quiz_reveal",
        "quiz_lang",
    ]
    assert {b.get("value") for b in buttons[1:3]} == {"q01"}
    assert buttons[0]["value"] == "ko"  # the card's language, for the answer dialog it opens
    assert "confirm" in buttons[2]
    assert rendered.text == "*Question*\nWhy?"


def test_long_text_and_many_fields_respect_block_kit_limits() -> None:
    fields = tuple((f"name{i}", "v") for i in range(12))
    reply = Reply(channel_id="C1", text="x" * 7000, fields=fields)

    rendered = render(reply)

    sections = [b for b in rendered.blocks if "text" in b]
    assert [len(b["text"]["text"]) for b in sections] == [3000, 3000, 1000]
    lines = render(Reply(channel_id="C1", text="\n".join(["y" * 999] * 4))).blocks
    assert [len(b["text"]["text"]) for b in lines] == [2999, 999]
    assert [len(b["fields"]) for b in rendered.blocks if "fields" in b] == [10, 2]
    assert len(rendered.text) <= 3000


def test_a_huge_reply_fits_slacks_40k_characters() -> None:
    rendered = render(Reply(channel_id="C1", text="z" * 330_000))

    shown = sum(len(b["text"]["text"]) for b in rendered.blocks if "text" in b)
    assert 39_000 <= shown <= 40_000
    assert rendered.blocks[-1]["text"]["text"].endswith("…")


def test_image_only_reply_has_fallback_text_and_no_blocks() -> None:
    rendered = render(Reply(channel_id="C1", text=""))

    assert (rendered.text, rendered.blocks) == ("📈", [])


def test_answer_modal_carries_where_the_answer_belongs() -> None:
    view = answer_modal(channel_id="C1", thread_ts="1.2", question="Why?", lang="en")

    assert view["callback_id"] == "quiz_answer_modal"
    assert view["private_metadata"] == '{"channel": "C1", "thread_ts": "1.2"}'
    assert view["blocks"][-1]["element"]["action_id"] == "text"
