"""The records the core reads and writes through its storage ports (`bot.core.ports`; the web
page's too, `bot.web.ports`), in the core's own types: a language is a `Lang`, a local day a
`date`, an instant a `datetime`. How they are stored is storage's business; the core never
parses them again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.core.messages import Reply
from content.schema import Lang, Prompt
from evaluators.grade import NON_ANSWER, is_non_answer

NON_ANSWER_FLAGS = frozenset(flag.value for flag in NON_ANSWER)
"""The stored flags of the rules that find a non-answer (`evaluators.grade.NON_ANSWER`)."""


def earns(score: int, flags: tuple[str, ...]) -> bool:
    """Whether a stored answer counts for leaderboard points and a streak day: a non-answer
    ("hello": `evaluators.grade.is_non_answer`) keeps its grade
    and its reply, and earns neither."""
    return not is_non_answer(score, flags)


@dataclass(frozen=True)
class ChannelRow:
    platform: str
    channel_id: str
    lang: Lang
    timezone: str
    post_time: str
    days: str
    catch_up: bool
    checked_until: datetime
    subjects: tuple[str, ...] = ()
    """The bank subjects it draws its questions from (`/quiz topics`); none: all of them."""
    created_at: datetime | None = None
    """When the bot first met the channel (None: a row not stored yet): a weekly digest is due
    only for a week whose digest time came after it."""


@dataclass(frozen=True)
class PostRow:
    id: int
    platform: str
    channel_id: str
    day: date
    prompt_id: str
    scheduled: bool
    message_id: str | None
    thread_id: str | None
    revealed: bool
    posted_at: datetime  # when it was claimed, just before it was sent


@dataclass(frozen=True, kw_only=True)
class PostClaim:
    """A post reserved before it is sent (by `replica_id`, which sends it), so a scheduled
    channel-day is posted once."""

    platform: str
    channel_id: str
    day: date
    prompt_id: str
    scheduled: bool
    posted_at: datetime
    replica_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class StoredGrade:
    """A stored channel answer's grade, the local day and instant it was answered, and the
    rules that fired on it: what a channel's answers (`AnswerRow`) and a member's (`AnswerText`)
    both read. Keyword-only, so each record's own fields keep their places in its constructor."""

    score: int
    verdict: str
    covered: tuple[str, ...]
    missed: tuple[str, ...]
    day: date
    answered_at: datetime
    flags: tuple[str, ...] = ()

    @property
    def earns(self) -> bool:
        return earns(self.score, self.flags)


@dataclass(frozen=True)
class AnswerRow(StoredGrade):
    post_id: int
    user_id: str
    prompt_id: str


@dataclass(frozen=True)
class MemberProgress:
    """Where a member stands in one post: the step they are on, their best score per prompt
    answered, the prompts they took a hint on, and their practice cards for its prompts."""

    step: int
    best: dict[str, int]
    hinted: frozenset[str]
    cards: dict[str, PracticeCardRow]


@dataclass(frozen=True)
class GradedText:
    """A graded answer as both answer tables (channel and practice) store it."""

    user_id: str
    prompt_id: str
    message_id: str | None
    text: str
    score: int
    verdict: str
    covered: tuple[str, ...]
    missed: tuple[str, ...]
    flags: tuple[str, ...]
    answered_at: datetime


@dataclass(frozen=True, kw_only=True)
class AnswerWrite:
    """A graded channel answer as one write stores it: the answer in its post, the member's
    next step there, and their practice card as the answer's review left it (None: the card
    stays as it was)."""

    post: PostRow
    graded: GradedText
    next_step: int
    card: PracticeCardRow | None = None


@dataclass(frozen=True)
class PendingAnswer:
    """A channel answer kept ungraded while the embedding server is unavailable (id None until
    stored). `cap` and `revealed` are as they were when it came, so a later hint or reveal does
    not change its grade."""

    post_id: int
    platform: str
    channel_id: str
    user_id: str
    prompt_id: str
    message_id: str | None
    thread_id: str | None
    text: str
    cap: int | None
    revealed: bool
    received_at: datetime
    id: int | None = None


@dataclass(frozen=True, kw_only=True)
class QuestionEdit:
    """Who writes a channel's team questions, and when: the channel (platform, channel id) they
    belong to, and the member who edited them (`edited_by`) at `at`."""

    platform: str
    channel_id: str
    edited_by: str
    at: datetime


@dataclass(frozen=True)
class ModelAnswer:
    """An open question's model answer as an admin saved it: the question made ready with it,
    the channel whose kept answers it grades, and that channel's language for their notices."""

    prompt: Prompt
    platform: str
    channel_id: str
    lang: Lang
    written_by: str
    written_at: datetime


@dataclass(frozen=True)
class OpenGrade:
    """An answer kept for an open question, graded against its model answer, with the notice
    that tells its member."""

    pending_id: int
    post: PostRow
    graded: GradedText
    notice: Reply


@dataclass(frozen=True)
class BoardRow:
    user_id: str
    display_name: str
    total: int
    answers: int
    days: int


@dataclass(frozen=True)
class DaySummary:
    answers: int
    members: int
    mean: float
    best_user: str | None
    best_score: int


@dataclass(frozen=True)
class PracticeCardRow:
    """A member's spaced-repetition card for one prompt; `card` is the FSRS library's JSON,
    `score` the score of the answer that last reviewed it (mastery weighs recall by it), and
    `previous_card` what an appeal's corrected grade reviews again instead."""

    platform: str
    user_id: str
    prompt_id: str
    card: str
    score: int
    updated_at: datetime
    previous_card: str | None = None
    """The card before its latest review (None: that review made it); read, never written."""


@dataclass(frozen=True)
class AnswerText(StoredGrade):
    """A member's graded channel answer as they wrote it, for the web page's "Me": `revealed`
    says whether its post's reference has been shown in the channel; `appealed` whether the
    member has appealed its grade (`/quiz appeal` or the page)."""

    id: int
    post_id: int
    prompt_id: str
    text: str
    revealed: bool
    appealed: bool = False


@dataclass(frozen=True)
class GradedAnswer:
    """One stored channel answer with what an appeal shows of it: its text and grade."""

    id: int
    post_id: int
    platform: str
    channel_id: str
    thread_id: str | None
    user_id: str
    prompt_id: str
    text: str
    score: int
    covered: tuple[str, ...]
    missed: tuple[str, ...]
    answered_at: datetime
    flags: tuple[str, ...]
    """The rules that fired on it (`evaluators.grade.Flag` names): answer groups keep a
    non-answer or a reversed answer apart from the rest."""


@dataclass(frozen=True, kw_only=True)
class WebSessionRow:
    """A web page session as signed in: the member of a channel it is for, whether the platform
    called them an admin of it then, and when it started and expires."""

    id: str
    platform: str
    channel_id: str
    user_id: str
    is_admin: bool
    started_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class SharedAnswer:
    """A member's answer they agreed to show the channel (`/quiz share on`), as they wrote it."""

    user_id: str
    name: str
    score: int
    text: str
