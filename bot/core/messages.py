"""The neutral vocabulary between platforms and the core: who said what where, and what to show.

A platform turns its event into an `Incoming`, calls `Intake.handle(incoming, transport)`, and
renders every `Reply` the core sends through its `Transport` (Block Kit, embeds, the terminal).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from bot.core.commands import Command
from content.schema import Lang


@dataclass(frozen=True)
class Actor:
    """A member as the platform knows them. `is_admin` is the platform's permission check."""

    user_id: str
    display_name: str
    is_admin: bool = False


@dataclass(frozen=True)
class Incoming:
    """One command or answer. `text` is a line the member typed in the shared grammar (`/quiz
    now`, `/demo list`, or a plain answer), which the core parses. `command` is set instead where
    the platform already knows what was meant: a slash command's typed options, a thread reply
    or an answer form (always an answer). `message_id` is the platform's id, used to ingest each
    message once."""

    platform: str
    channel_id: str
    actor: Actor
    text: str = ""
    message_id: str | None = None
    thread_id: str | None = None
    received_at: datetime | None = None
    private: bool = False  # practice/DM context: replies stay with the user
    # The platform has no threads (the console): every message goes to the latest question, so
    # `/quiz now` does not silently replace it, and a grade names the question it graded.
    threadless: bool = False
    command: Command | None = None


class ReplyKind(StrEnum):
    QUESTION = "question"  # the daily (or /quiz now) post; open_thread is set
    FOLLOWUP = "followup"
    GRADE = "grade"
    HINT = "hint"
    REVEAL = "reveal"
    LEADERBOARD = "leaderboard"
    STATS = "stats"
    DEMO = "demo"
    INFO = "info"
    ERROR = "error"


@dataclass(frozen=True)
class Image:
    filename: str
    data: bytes
    alt: str = ""


@dataclass(frozen=True)
class QuestionCard:
    """Structured question for rich rendering (Block Kit buttons, Discord embed fields)."""

    prompt_id: str
    title: str
    body: str
    topic: str
    day: str  # local date in the channel's timezone, ISO
    # The database's post: a platform keeps it with the message (Slack metadata, an invisible
    # mark in a Discord embed's footer), so a replica taking over the post of one killed while
    # sending it finds that message instead of sending the question twice.
    post_id: int | None = None


@dataclass(frozen=True)
class Reply:
    """What the core wants shown. Text is plain, with **bold** allowed; platforms must neutralise
    mentions in it, since it can quote user text. The core never writes a mention: `addressee`
    names the member the text speaks to, and each platform puts its own mention of them in front
    (a live one only in a public reply). `user_id` is the member the reply is for: the one a
    public reply may ping, and the only viewer of an ephemeral one."""

    channel_id: str
    text: str
    kind: ReplyKind = ReplyKind.INFO
    thread_id: str | None = None
    ephemeral: bool = False
    user_id: str | None = None
    addressee: str | None = None
    open_thread: bool = False
    thread_title: str | None = None
    images: tuple[Image, ...] = ()
    card: QuestionCard | None = None
    fields: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    # The platform message this reply answers: a platform that can marks the reply with it, so
    # a replica finishing the message of one killed mid-reply sends only what is not out yet.
    answers: str | None = None
    # A channel post other than a question that must go out once (the weekly digest): its key,
    # unique in its channel, which a platform keeps with the message (Slack metadata; Discord's
    # nonce for a few minutes, and the names of its images, which carry the key, for good), so
    # a replica finishing the post of one killed while sending it finds what is out.
    once: str | None = None
    # The language the text is in (the channel's), for what a platform adds around it ("(only
    # you)" on the console, a question card's buttons on Slack); None where it is not known.
    lang: Lang | None = None


@dataclass(frozen=True)
class Posted:
    """Where a reply landed; `thread_id` is set when the post opened (or sits in) a thread."""

    message_id: str
    thread_id: str | None = None


class ChannelUnreachableError(Exception):
    """The platform cannot post to this channel at all (its workspace uninstalled the app), as
    opposed to a passing failure: a scheduled post to it is not kept, and the scheduler says so
    in one line instead of a traceback each day."""


class UnsharedChannel:
    """For a transport only one process ever sends through (the console, a benchmark): a post
    or message taken over there has nothing in the channel yet, so it is all sent."""

    async def find_question(self, reply: Reply, *, since: datetime) -> Posted | None:
        return None

    async def replies_sent(
        self, channel_id: str, thread_id: str, message_id: str, *, since: datetime
    ) -> frozenset[ReplyKind]:
        return frozenset()


class Transport(Protocol):
    """How the core reaches a channel. One per platform connection (or per interaction).
    `send` raises ChannelUnreachableError when the channel cannot be reached at all."""

    @property
    def threads(self) -> bool:
        """Whether a question opens a thread its answers go to (not so on the console, where
        every answer goes to the latest question the member has not finished)."""
        ...

    async def send(self, reply: Reply) -> Posted: ...

    async def edit(self, posted: Posted, reply: Reply) -> None: ...

    async def find_question(self, reply: Reply, *, since: datetime) -> Posted | None:
        """Where the question `reply` (its card names the post), or the once-only post `reply`
        (its `once` key), already landed, sent since `since` by a replica killed before it
        recorded where; its images are sent now where only its text got out, and a question's
        thread is opened now where it was not. None when it was not sent, or when sending it
        again is safe on this platform (the console, which only one process sends through)."""
        ...

    async def replies_sent(
        self, channel_id: str, thread_id: str, message_id: str, *, since: datetime
    ) -> frozenset[ReplyKind]:
        """The kinds of the replies to the message `message_id` already in thread `thread_id`,
        sent since `since` by a replica killed before it marked the message finished; empty
        where the platform cannot tell (its replies are then sent again: at least once)."""
        ...
