"""Core `Reply` -> Block Kit. Pure functions, so every layout is testable without Slack.

Every piece of text that reaches Slack goes through `mentions.neutralise` here, because a reply
can quote what a member typed; the only live mention left is the reply's addressee. What the
adapter adds itself (the card's buttons, the answer dialog) comes from the chat's catalogue, in
the card's language: the Answer button's value carries it to the dialog it opens.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from bot.core.member_text import cut
from bot.core.messages import QuestionCard, Reply, ReplyKind
from bot.core.texts import text
from bot.platforms.slack.mentions import mention, neutralise
from content.schema import Lang

Block = dict[str, Any]

ACTION_ANSWER = "quiz_answer"
ACTION_HINT = "quiz_hint"
ACTION_REVEAL = "quiz_reveal"
ACTION_LANG = "quiz_lang"
LANGUAGES = (("ko", "한국어"), ("en", "English"))
"""The language menu: each language by its own name."""
IMAGE_ONLY = "📈"
"""The notification text of a reply that is only a chart."""
VIEW_ANSWER = "quiz_answer_modal"
ANSWER_BLOCK = "answer"
ANSWER_INPUT = "text"

# Block Kit limits (https://docs.slack.dev/reference/block-kit/blocks): a section's text, a
# header's text, fields per section, a field's text, blocks per message.
_SECTION_CHARS = 3000
_HEADER_CHARS = 150
_FIELDS_PER_SECTION = 10
_FIELD_CHARS = 2000
_MAX_BLOCKS = 50
_MESSAGE_CHARS = 40_000  # a message's whole text; Slack cuts or refuses beyond it
_BOLD = re.compile(r"\*\*(.+?)\*\*", re.DOTALL)


@dataclass(frozen=True)
class Rendered:
    """What `chat.postMessage` / `chat.update` need: `text` is the notification fallback."""

    text: str
    blocks: list[Block]


def mrkdwn(text: str) -> str:
    """Core text (plain, `**bold**` allowed) as safe Slack mrkdwn."""
    return _BOLD.sub(r"*\1*", neutralise(text))


def render(reply: Reply) -> Rendered:
    """Block Kit for a reply; `text` doubles as the notification and accessibility fallback.
    The addressee's mention, the one live mention, goes in front of the text."""
    body = mrkdwn(reply.text)
    if reply.addressee:
        body = f"{mention(reply.addressee)} {body}"
    body = _clip(body, _MESSAGE_CHARS)
    if reply.kind is ReplyKind.QUESTION:
        blocks = _question_blocks(reply.card, body, reply.lang or "ko")
    else:
        blocks = _sections(body)
    blocks += field_sections(reply.fields)
    fallback = body or (neutralise(reply.card.title) if reply.card else "") or IMAGE_ONLY
    return Rendered(text=_clip(fallback, _SECTION_CHARS), blocks=blocks[:_MAX_BLOCKS])


def _sections(body: str) -> list[Block]:
    """One section per 3000 characters, cut at a line break where there is one."""
    blocks: list[Block] = []
    rest = body
    while rest:
        cut = len(rest) if len(rest) <= _SECTION_CHARS else rest.rfind("\n", 0, _SECTION_CHARS)
        cut = cut if cut > 0 else _SECTION_CHARS
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": rest[:cut]}})
        rest = rest[cut:].lstrip("\n")
    return blocks


def field_sections(fields: tuple[tuple[str, str], ...]) -> list[Block]:
    items = [
        {"type": "mrkdwn", "text": _clip(f"*{mrkdwn(name)}*\n{mrkdwn(value)}", _FIELD_CHARS)}
        for name, value in fields
    ]
    return [
        {"type": "section", "fields": items[i : i + _FIELDS_PER_SECTION]}
        for i in range(0, len(items), _FIELDS_PER_SECTION)
    ]


def _question_blocks(card: QuestionCard | None, body: str, lang: Lang) -> list[Block]:
    """The daily post: the card (title, question, topic and day), then the buttons that act on
    it. Without a card the reply text stands in. The post's ts is its thread."""
    blocks: list[Block] = []
    prompt_id = ""
    if card is not None:
        prompt_id = card.prompt_id
        blocks.append(
            {
                "type": "header",
                "text": {
                    "type": "plain_text",
                    "text": _clip(neutralise(card.title), _HEADER_CHARS),
                },
            }
        )
        blocks += _sections(mrkdwn(card.body))
        blocks.append(
            {
                "type": "context",
                "elements": [
                    {"type": "mrkdwn", "text": f"{mrkdwn(card.topic)} · {neutralise(card.day)}"}
                ],
            }
        )
    else:
        blocks += _sections(body)
    blocks.append(_question_actions(prompt_id, lang))
    return blocks


def button(action_id: str, label: str, **more: Any) -> Block:
    """A button block: `more` is what it carries (a `value`, a `url`) and its `style`."""
    return {
        "type": "button",
        "action_id": action_id,
        "text": {"type": "plain_text", "text": label},
        **more,
    }


def _button(action_id: str, label: str, value: str, **extra: Any) -> Block:
    """A button of a question's message, its `value` never empty (Slack refuses one)."""
    return button(action_id, label, value=value or "-", **extra)


def _plain(lang: Lang, key: str) -> Block:
    return {"type": "plain_text", "text": text(lang, key)}


def _question_actions(prompt_id: str, lang: Lang) -> Block:
    reveal_confirm = {
        "title": _plain(lang, "slack_reveal_confirm_title"),
        "text": _plain(lang, "slack_reveal_confirm_text"),
        "confirm": _plain(lang, "slack_reveal_confirm_yes"),
        "deny": _plain(lang, "slack_reveal_confirm_no"),
    }
    language = {
        "type": "overflow",
        "action_id": ACTION_LANG,
        "options": [
            {"text": {"type": "plain_text", "text": label}, "value": code}
            for code, label in LANGUAGES
        ],
    }
    return {
        "type": "actions",
        "block_id": "quiz_actions",
        "elements": [
            _button(ACTION_ANSWER, text(lang, "slack_button_answer"), lang, style="primary"),
            _button(ACTION_HINT, text(lang, "slack_button_hint"), prompt_id),
            _button(
                ACTION_REVEAL, text(lang, "slack_button_reveal"), prompt_id, confirm=reveal_confirm
            ),
            language,
        ],
    }


def answer_modal(*, channel_id: str, thread_ts: str, question: str, lang: Lang) -> Block:
    """The modal the Answer button opens, in the card's language; where to file the answer
    rides in private_metadata."""
    return {
        "type": "modal",
        "callback_id": VIEW_ANSWER,
        "private_metadata": json.dumps({"channel": channel_id, "thread_ts": thread_ts}),
        "title": _plain(lang, "answer_dialog_title"),
        "submit": _plain(lang, "answer_dialog_submit"),
        "close": _plain(lang, "answer_dialog_close"),
        "blocks": [
            *(
                [{"type": "section", "text": {"type": "mrkdwn", "text": question}}]
                if question
                else []
            ),
            {
                "type": "input",
                "block_id": ANSWER_BLOCK,
                "label": _plain(lang, "answer_dialog_label"),
                "element": {
                    "type": "plain_text_input",
                    "action_id": ANSWER_INPUT,
                    "multiline": True,
                    "max_length": 3000,
                },
            },
        ],
    }


def _clip(text: str, limit: int) -> str:
    return cut(text, limit)
