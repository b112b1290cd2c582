"""Bolt listeners: slash commands, thread replies, buttons and the answer modal.

Each listener acks first (Slack wants it within 3 s; grading can take longer), then resolves
who is asking, turns the payload into an `Incoming` and hands it to the core with a transport
bound to this interaction. No quiz logic lives here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.flow.intake import Held
from bot.core.messages import Incoming, Reply, ReplyKind, Transport
from bot.core.quiz.sign_in import SignInLinks
from bot.core.reporting.home import Homes
from bot.core.texts import text
from bot.platforms.slack import inbound
from bot.platforms.slack.channel_ids import BARE_IDS, ChannelIds
from bot.platforms.slack.home import ACTION_HOME_PRACTICE, ACTION_HOME_WEB, home_view
from bot.platforms.slack.inbound import Payload
from bot.platforms.slack.members import MemberDirectory
from bot.platforms.slack.render import (
    ACTION_ANSWER,
    ACTION_HINT,
    ACTION_LANG,
    ACTION_REVEAL,
    VIEW_ANSWER,
    answer_modal,
)
from bot.platforms.slack.transport import Caller, Followups, SlackTransport
from content.schema import Lang

log = logging.getLogger("quizmaster.slack")

HELD = "quizmaster_held"
"""The answer `hold_answers` claimed and took in before the ack (a `Held`), in the Bolt context
of its event."""


class QuizHandler(Protocol):
    """The part of the core the adapter hands messages to (`bot.core.flow.intake.Intake`)."""

    async def hold(self, incoming: Incoming) -> Held | None: ...

    async def handle(self, incoming: Incoming, transport: Transport) -> None: ...

    async def handle_held(self, held: Held, transport: Transport) -> None: ...

    async def channel_lang(self, platform: str, channel_id: str) -> Lang: ...


@dataclass(kw_only=True, eq=False)
class Listeners:
    """The Bolt listener functions, bound to the core's parts they use (its intake, the members'
    homes and the web page's sign-in links) and the member directory."""

    intake: QuizHandler
    homes: Homes
    sign_in: SignInLinks | None
    members: MemberDirectory
    followups: Followups
    channels: ChannelIds = BARE_IDS

    def register(self, app: AsyncApp) -> None:
        app.command("/quiz")(self.on_command)
        app.command("/demo")(self.on_command)
        app.event("message")(self.on_message)
        app.action(ACTION_ANSWER)(self.on_answer_button)
        app.action(ACTION_HINT)(self.on_hint_button)
        app.action(ACTION_REVEAL)(self.on_reveal_button)
        app.action(ACTION_LANG)(self.on_language)
        app.view(VIEW_ANSWER)(self.on_answer_submitted)
        app.event("app_home_opened")(self.on_home_opened)
        app.action(ACTION_HOME_PRACTICE)(self.on_home_practice)
        app.action(ACTION_HOME_WEB)(self.on_home_web)

    async def on_command(
        self, ack: AsyncAck, command: Payload, context: AsyncBoltContext, client: AsyncWebClient
    ) -> None:
        await ack()
        actor = await self.members.actor(client, command["user_id"])
        caller = Caller(actor.user_id, command.get("response_url"))
        await self._dispatch(inbound.from_command(command, actor), context, client, caller)

    async def on_message(
        self, event: Payload, context: AsyncBoltContext, client: AsyncWebClient
    ) -> None:
        """Bolt acks events itself, and `hold_answers` took each answer (a reply in the bot's
        threads) in before that ack: the answer it left in the context is the one handled, with
        its sender as the member directory names them. Other messages are not answers."""
        held = context.get(HELD)
        if not isinstance(held, Held):
            return
        actor = await self.members.actor(client, event["user"])
        await self._run(held.sent_by(actor), client, Caller(actor.user_id))

    async def on_answer_button(self, ack: AsyncAck, body: Payload, client: AsyncWebClient) -> None:
        """Open the modal at once: a trigger_id is only good for 3 seconds."""
        await ack()
        channel_id, thread_ts = inbound.action_thread(body)
        await client.views_open(
            trigger_id=body["trigger_id"],
            view=answer_modal(
                channel_id=channel_id,
                thread_ts=thread_ts,
                question=inbound.question_text(body),
                lang=inbound.card_lang(body),
            ),
        )

    async def on_hint_button(
        self, ack: AsyncAck, body: Payload, context: AsyncBoltContext, client: AsyncWebClient
    ) -> None:
        await ack()
        await self._button(body, context, client, "/quiz hint")

    async def on_reveal_button(
        self, ack: AsyncAck, body: Payload, context: AsyncBoltContext, client: AsyncWebClient
    ) -> None:
        await ack()
        await self._button(body, context, client, "/quiz reveal")

    async def on_language(
        self,
        ack: AsyncAck,
        body: Payload,
        action: Payload,
        context: AsyncBoltContext,
        client: AsyncWebClient,
    ) -> None:
        await ack()
        text = f"/quiz lang {action['selected_option']['value']}"
        await self._button(body, context, client, text)

    async def on_answer_submitted(
        self,
        ack: AsyncAck,
        body: Payload,
        view: Payload,
        context: AsyncBoltContext,
        client: AsyncWebClient,
    ) -> None:
        """Closing the modal is the ack; the grade then appears in the question's thread."""
        await ack()
        actor = await self.members.actor(client, body["user"]["id"])
        await self._dispatch(inbound.from_view(view, actor), context, client, Caller(actor.user_id))

    async def on_home_opened(
        self, event: Payload, context: AsyncBoltContext, client: AsyncWebClient
    ) -> None:
        """Bolt acks events itself; the Home tab is published again each time it is opened,
        with the member's figures in the channel they last answered in (`/quiz me`)."""
        if event.get("tab", "home") != "home":
            return
        actor = await self.members.actor(client, event["user"])
        homes = self.homes
        home = await homes.latest(inbound.PLATFORM, actor.user_id)
        if home is not None and self.channels.per_team:
            team, _ = self.channels.split(home.channel.channel_id)
            if team != context.team_id:  # their latest answer was in another workspace
                home = None
        slack_channel = None if home is None else self.channels.split(home.channel.channel_id)[1]
        links = self.sign_in
        web_link = (
            None
            if home is None or links is None
            else links.link(
                platform=inbound.PLATFORM,
                channel_id=home.channel.channel_id,
                user_id=actor.user_id,
                is_admin=actor.is_admin,
            )
        )
        view = home_view(home, lang=homes.lang, slack_channel=slack_channel, web_link=web_link)
        await client.views_publish(user_id=actor.user_id, view=view)

    async def on_home_practice(
        self, ack: AsyncAck, body: Payload, context: AsyncBoltContext, client: AsyncWebClient
    ) -> None:
        """ "Practice now" on the Home tab: `/quiz practice` in the member's channel, privately."""
        await ack()
        actor = await self.members.actor(client, body["user"]["id"])
        channel = str(body["actions"][0]["value"])
        incoming = Incoming(inbound.PLATFORM, channel, actor, "/quiz practice", private=True)
        await self._dispatch(incoming, context, client, Caller(actor.user_id))

    async def on_home_web(self, ack: AsyncAck) -> None:
        """A link button opens its URL in the browser; Slack still wants the click acked."""
        await ack()

    async def _button(
        self, body: Payload, context: AsyncBoltContext, client: AsyncWebClient, text: str
    ) -> None:
        actor = await self.members.actor(client, body["user"]["id"])
        caller = Caller(actor.user_id, body.get("response_url"))
        await self._dispatch(inbound.from_action(body, actor, text=text), context, client, caller)

    async def _dispatch(
        self,
        incoming: Incoming,
        context: AsyncBoltContext,
        client: AsyncWebClient,
        caller: Caller,
    ) -> None:
        """Run the core on the channel as the core names it (with its workspace, where there
        are many)."""
        await self._run(self.channels.incoming(incoming, team_id=context.team_id), client, caller)

    async def _run(self, message: Incoming | Held, client: AsyncWebClient, caller: Caller) -> None:
        """Hand a message to the core (a `Held` one was keyed and claimed before Bolt's ack, by
        `_hold_answers`). The core answers its own failures; anything escaping it (say, Slack
        refusing that answer too) is logged and told to the caller alone."""
        incoming = message.incoming if isinstance(message, Held) else message
        transport = SlackTransport(
            client, followups=self.followups, caller=caller, channels=self.channels
        )
        try:
            if isinstance(message, Held):
                await self.intake.handle_held(message, transport)
            else:
                await self.intake.handle(message, transport)
        except Exception:
            log.exception("handling %r in %s failed", _head(incoming), incoming.channel_id)
            lang = await self.intake.channel_lang(incoming.platform, incoming.channel_id)
            await _tell(transport, incoming, text(lang, "platform_failed"), lang)


async def _tell(transport: SlackTransport, incoming: Incoming, told: str, lang: Lang) -> None:
    reply = Reply(
        channel_id=incoming.channel_id,
        text=told,
        lang=lang,
        kind=ReplyKind.ERROR,
        ephemeral=True,
        user_id=incoming.actor.user_id,
        thread_id=incoming.thread_id,
    )
    try:
        await transport.send(reply)
    except SlackApiError as exc:
        log.error("could not tell %s about a failure: %s", incoming.actor.user_id, exc)


def _head(incoming: Incoming) -> str:
    """The command words only: answers are members' text and stay out of the logs."""
    if incoming.command is not None:
        return type(incoming.command).__name__
    words = incoming.text.split()
    return " ".join(words[:2]) if words[:2] != ["/quiz", "answer"] else "/quiz answer …"
