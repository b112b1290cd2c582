"""What the core needs from storage that two or more of its parts use, one port per store, in
the core's own records. A port one part uses lives beside that part (`ClaimStore` in
`bot.core.flow.intake`, `AdminSessions` in `bot.core.flow.dispatch`, `NoticeStore` and
`ReplicaStore` in `bot.core.flow`'s notices and replicas, `AppealStore` in `bot.core.quiz.appeals`,
`PracticeStore` in `bot.core.quiz.practice`, `SharingStore` in `bot.core.quiz.sharing`,
`ActiveMembers` in `bot.core.quiz.posting`, `BoardStore` and `SharedAnswers` in
`bot.core.reporting.reports`, `DemoService` in `bot.core.quiz.demos`, `DigestStore` in
`bot.core.reporting.digest_posting`). Where two parts read one store, each names the slice it
reads beside itself (the answers' figures: `ActiveMembers` for posting, `BoardStore` for the
reports), so a port here is one two or more parts share whole.

Each collaborator is typed against the ports it uses, so it names what it reads and writes and
a second implementation (a test double) only has to offer that. `bot.storage` implements each
port with one store (`bot.storage.posts.PostTable` is `PostStore`, and so on), which
`bot.storage.repository.Repository` builds and `bot.wiring` hands out, typed here, so mypy fails
where a store stops matching its port; ids are keyword-only everywhere (the fields of the
records a port takes too), so a platform and a channel id (both strings) cannot be swapped
silently.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Protocol

from bot.core.models import (
    AnswerRow,
    AnswerText,
    AnswerWrite,
    BoardRow,
    ChannelRow,
    DaySummary,
    GradedText,
    MemberProgress,
    PendingAnswer,
    PostClaim,
    PostRow,
    PracticeCardRow,
    SharedAnswer,
)
from content.schema import Lang


class PostLookup(Protocol):
    """Which post a message belongs to (`bot.core.quiz.threads.current_post`): answers and reports
    both start there."""

    async def post_for_thread(
        self, *, platform: str, channel_id: str, thread_id: str
    ) -> PostRow | None: ...

    async def latest_post(self, *, platform: str, channel_id: str) -> PostRow | None: ...


class PostStore(PostLookup, Protocol):
    """Posts: claimed before they are sent (a scheduled channel-day is posted once), where they
    landed, and whether their answer was revealed."""

    async def claim_post(self, claim: PostClaim) -> PostRow | None:
        """The reserved post, or None when this scheduled channel-day was already taken."""
        ...

    async def release_post(self, *, post_id: int) -> None:
        """Forget a claimed post that could not be sent at all (no answers can reference it)."""
        ...

    async def unsent_posts(self, *, platform: str, alive_since: datetime) -> list[PostRow]:
        """Posts claimed and never sent by replicas not heard from since `alive_since`."""
        ...

    async def take_over_post(
        self, post: PostRow, *, replica_id: str, alive_since: datetime
    ) -> bool: ...

    async def set_post_location(
        self, *, post_id: int, message_id: str, thread_id: str | None
    ) -> None: ...

    async def mark_revealed(self, *, post_id: int) -> None: ...

    async def post(self, *, post_id: int) -> PostRow | None: ...

    async def posts(self, *, platform: str, channel_id: str) -> list[PostRow]: ...


class ChannelStore(Protocol):
    """Channels and their settings: language, schedule, and how far it was checked."""

    async def ensure_channel(self, defaults: ChannelRow, *, created_at: datetime) -> ChannelRow:
        """The channel's row, inserted from `defaults` the first time."""
        ...

    async def channel(self, *, platform: str, channel_id: str) -> ChannelRow | None: ...

    async def channels(self, *, platform: str) -> list[ChannelRow]: ...

    async def update_schedule(
        self, *, platform: str, channel_id: str, post_time: str, timezone: str, days: str
    ) -> None: ...

    async def update_lang(self, *, platform: str, channel_id: str, lang: Lang) -> None: ...

    async def update_subjects(
        self, *, platform: str, channel_id: str, subjects: Sequence[str]
    ) -> None:
        """The subjects the channel draws from; none: all."""
        ...

    async def set_checked_until(
        self, *, platform: str, channel_id: str, instant: datetime
    ) -> None: ...


class MemberStore(Protocol):
    """Members' display names."""

    async def ensure_member(self, *, platform: str, user_id: str, display_name: str) -> None:
        """The member's row, with `display_name` only if they had none."""
        ...

    async def remember_user(self, *, platform: str, user_id: str, display_name: str) -> None: ...

    async def display_name(self, *, platform: str, user_id: str) -> str: ...

    async def user_by_name(self, *, platform: str, name: str) -> str | None: ...


class AnswerStore(Protocol):
    """Graded and kept answers, and a member's progress through a post."""

    async def member_progress(
        self, post: PostRow, *, user_id: str, prompt_ids: Sequence[str]
    ) -> MemberProgress: ...

    async def answers_for(self, *, post_id: int, user_id: str) -> list[AnswerRow]: ...

    async def channel_answers(self, *, platform: str, channel_id: str) -> list[AnswerRow]: ...

    async def user_answers(
        self, *, platform: str, channel_id: str, user_id: str
    ) -> list[AnswerRow]: ...

    async def latest_channel(self, *, platform: str, user_id: str) -> str | None:
        """The channel of the member's latest graded answer on the platform."""
        ...

    async def record_answer(self, write: AnswerWrite) -> bool:
        """The graded answer, the member's next step and their reviewed card, in one
        transaction. False: this message's answer was stored already, nothing was written."""
        ...

    async def answer_to_message(
        self, *, platform: str, message_id: str
    ) -> tuple[int, GradedText] | None:
        """The post id and stored answer of a platform message."""
        ...

    async def add_pending_answer(self, pending: PendingAnswer) -> None:
        """Keep an answer the grader's server could not take (the retry round grades it)."""
        ...

    async def add_open_answer(self, pending: PendingAnswer) -> None:
        """Keep an answer to an open question (its model answer grades it)."""
        ...

    async def open_answers(
        self, *, platform: str, channel_id: str, prompt_id: str
    ) -> list[PendingAnswer]:
        """The answers kept in a channel for an open question (no model answer yet)."""
        ...

    async def pending_answers(
        self, *, platform: str, limit: int, skip_prompts: Sequence[str] = ()
    ) -> list[PendingAnswer]:
        """The oldest answers still waiting for a grade on a platform, but those to
        `skip_prompts` (questions still open: a row kept before the kinds were stored may wait
        for a model answer, not for the server)."""
        ...

    async def record_pending_answer(self, write: AnswerWrite, *, pending_id: int) -> bool:
        """A kept answer moved into the answers with its grade; False when it was already."""
        ...

    async def set_step(self, *, post_id: int, user_id: str, step: int) -> None: ...

    async def skip(self, *, post_id: int, user_id: str, prompt_id: str, next_step: int) -> None: ...

    async def add_hint(
        self, *, post_id: int, user_id: str, prompt_id: str, concept_id: str
    ) -> None: ...


class DashboardStore(Protocol):
    """The web page's reads (`bot.core.reporting.dashboards`): a channel's boards and recent days, a
    member's answers and cards, the channel's figures per question. Read-only."""

    async def channel(self, *, platform: str, channel_id: str) -> ChannelRow | None: ...

    async def leaderboard(
        self, *, platform: str, channel_id: str, since: date
    ) -> list[BoardRow]: ...

    async def answer_days(
        self, *, platform: str, channel_id: str, user_ids: Sequence[str], since: date
    ) -> list[tuple[str, date]]:
        """(member, local day) for each day on or after `since` that each of these members
        answered in the channel."""
        ...

    async def data_version(self) -> tuple[int, ...]:
        """Changes whenever an answer or post is added, a post revealed, an appeal resolved
        (a score rewritten) or a member's sharing consent set, anywhere: pages computed at one
        version can be shown again while it holds."""
        ...

    async def posts_since(self, *, platform: str, channel_id: str, since: date) -> list[PostRow]:
        """The channel's posts on or after a local day, newest first."""
        ...

    async def best_shared_answer(self, *, post_id: int, prompt_id: str) -> SharedAnswer | None:
        """As `SharingStore.best_shared_answer`: only a member who shares now."""
        ...

    async def day_summaries(
        self, *, platform: str, posts: Sequence[PostRow]
    ) -> dict[int, tuple[DaySummary, str | None]]:
        """Each post's figures on its own question (what `BoardStore.day_summary` gives) and
        its best member's display name, by post id, in one read rather than two per post."""
        ...

    async def display_name(self, *, platform: str, user_id: str) -> str: ...

    async def member_answers(
        self, *, platform: str, channel_id: str, user_id: str
    ) -> list[AnswerText]:
        """Every graded answer the member gave in the channel, newest first."""
        ...

    async def practice_cards(
        self, *, platform: str, user_ids: Sequence[str]
    ) -> list[PracticeCardRow]: ...

    async def posts(self, *, platform: str, channel_id: str) -> list[PostRow]: ...

    async def channel_answers(self, *, platform: str, channel_id: str) -> list[AnswerRow]: ...
