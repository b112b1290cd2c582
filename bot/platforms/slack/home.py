"""The App Home tab: the member's own figures (what `/quiz me` shows) published with
`views.publish` when they open it, with a button to practise and one to open the web page."""

from __future__ import annotations

from bot.core.reporting.home import MemberHome
from bot.core.texts import text
from bot.platforms.slack.render import Block, button, field_sections, mrkdwn
from content.schema import Lang

ACTION_HOME_PRACTICE = "quiz_home_practice"
ACTION_HOME_WEB = "quiz_home_web"
_HEADER_CHARS = 150


def home_view(
    home: MemberHome | None, *, lang: Lang, slack_channel: str | None, web_link: str | None
) -> Block:
    """The Home tab's view: `home` None (no answer yet) says how to start. "Practice now"
    carries the Slack id of the member's channel, where practice answers privately;
    `web_link` is their private sign-in link (None: the web page is not set up)."""
    if home is None:
        return {
            "type": "home",
            "blocks": [
                {
                    "type": "section",
                    "text": {"type": "mrkdwn", "text": mrkdwn(text(lang, "home_empty"))},
                }
            ],
        }
    lang = home.channel.lang
    buttons: list[Block] = []
    if slack_channel is not None:
        buttons.append(
            button(
                ACTION_HOME_PRACTICE,
                text(lang, "home_practice"),
                value=slack_channel,
                style="primary",
            )
        )
    if web_link is not None:
        buttons.append(button(ACTION_HOME_WEB, text(lang, "home_web"), url=web_link))
    blocks: list[Block] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": home.title()[:_HEADER_CHARS]},
        },
        *field_sections(home.fields()),
    ]
    if buttons:
        blocks.append({"type": "actions", "block_id": "quiz_home", "elements": buttons})
    return {"type": "home", "blocks": blocks}
