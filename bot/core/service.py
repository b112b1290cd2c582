"""The quiz service: the one object a platform holds. Daily posting (`bot.core.posting`),
intake and dispatch of every command or answer (`bot.core.intake`, `bot.core.dispatch`) and
replica takeover (`bot.core.takeover`) each live in their own module; this joins them.

Platforms call `handle()` for each incoming message and `post_due()` from the scheduler;
everything members see goes out through the platform's `Transport`. All state lives in the
stores, so a restart loses nothing.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Generic

from typing_extensions import TypeVar

from bot.core.dispatch import DemoDesk
from bot.core.home import Homes
from bot.core.inflight import InFlight
from bot.core.intake import Held, Intake
from bot.core.messages import Incoming, Reply, Transport
from bot.core.models import ChannelRow, PostRow
from bot.core.ports import Stores
from bot.core.posting import Clock, Posting
from bot.core.practice import Practice
from bot.core.sign_in import SignInLinks
from bot.core.takeover import Takeover
from content.bank import Bank
from content.schema import Prompt
from evaluators.grade import Grader

Store_co = TypeVar("Store_co", bound=Stores, covariant=True, default=Stores)
"""The stores the service was built on: the core needs only the `Stores` ports, while the
composition root (and a test) keeps the full type of what it passed in."""


class QuizService(Generic[Store_co]):
    """Takes its parts ready-made: `bot.app.build_quiz_service` wires them, on the same stores,
    bank, grader and clock."""

    def __init__(
        self, *, repo: Store_co, posting: Posting, intake: Intake, takeover: Takeover
    ) -> None:
        self.repo = repo
        self.posting = posting
        self.intake = intake
        self.takeover = takeover

    @property
    def replica_id(self) -> str:
        """The id of this process's heartbeat, which its claims carry."""
        return self.posting.replica_id

    @property
    def clock(self) -> Clock:
        return self.posting.clock

    @property
    def bank(self) -> Bank:
        return self.posting.bank

    @property
    def practice(self) -> Practice:
        return self.posting.practice

    @property
    def grader(self) -> Grader:
        return self.practice.grader

    @property
    def in_flight(self) -> InFlight:
        return self.intake.in_flight

    @property
    def demos(self) -> DemoDesk | None:
        return self.intake.dispatcher.demos

    @property
    def sign_in(self) -> SignInLinks | None:
        return self.intake.dispatcher.sign_in

    @property
    def homes(self) -> Homes:
        return self.intake.dispatcher.homes

    async def post_digests(
        self, platform: str, transport: Transport, *, alive_since: datetime | None = None
    ) -> list[tuple[str, date]]:
        """Each channel's weekly digest that fell due and no process has posted (see
        `Digests.post_due` for `alive_since`)."""
        return await self.intake.dispatcher.digests.post_due(
            platform, transport, alive_since=alive_since
        )

    async def channel(self, platform: str, channel_id: str) -> ChannelRow:
        """The channel's settings, created from the defaults on first contact."""
        return await self.posting.channel(platform, channel_id)

    def question_reply(self, channel: ChannelRow, post: PostRow) -> Reply:
        return self.posting.question_reply(channel, post)

    async def post_due(self, platform: str, transport: Transport) -> list[PostRow]:
        return await self.posting.post_due(platform, transport)

    async def post_today(
        self, platform: str, channel_id: str, transport: Transport, *, prompt: Prompt | None = None
    ) -> PostRow:
        return await self.posting.post_today(platform, channel_id, transport, prompt=prompt)

    async def show_today(self, platform: str, channel_id: str, transport: Transport) -> None:
        await self.posting.show_today(platform, channel_id, transport)

    async def hold(self, incoming: Incoming) -> Held | None:
        return await self.intake.hold(incoming)

    async def handle(self, incoming: Incoming, transport: Transport) -> None:
        await self.intake.handle(incoming, transport)

    async def handle_held(self, held: Held, transport: Transport) -> None:
        await self.intake.handle_held(held, transport)

    async def grade_pending(self, platform: str, transport: Transport) -> int:
        return await self.intake.grade_pending(platform, transport)

    async def resume_unfinished(
        self, platform: str, transport: Transport, *, alive_since: datetime
    ) -> int:
        return await self.takeover.resume_unfinished(platform, transport, alive_since=alive_since)
