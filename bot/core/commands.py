"""The commands the core acts on, and the grammar of typed lines: `/quiz ...`, `/demo ...`,
`/help`, plain text.

Text commands (the console, Slack's `/quiz` text) go through `parse`. A platform whose input is
already structured (Discord's typed options, a thread reply, an answer form) builds the command
itself, with `now` and `demo_run` for the two options whose value still needs reading.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any, Literal

from bot.core.demo_records import MAX_PARAMS
from bot.core.member_text import member_text, shown_to_others
from bot.core.numerals import ascii_digits

Period = Literal["week", "month", "all"]
_DIGITS = re.compile(r"[0-9]{1,9}")


@dataclass(frozen=True)
class Answer:
    text: str


@dataclass(frozen=True)
class Now:
    """`/quiz now [prompt-id|extra]`: post a question now; the given main question, or the next
    one the selection picks (an admin trying a team bank's question names it). Without a thread
    per question (the console), plain `now` shows today's question again once it is up, and
    `extra` posts another."""

    prompt_id: str | None = None
    extra: bool = False


@dataclass(frozen=True)
class Next:
    pass


@dataclass(frozen=True)
class Skip:
    pass


@dataclass(frozen=True)
class Hint:
    pass


@dataclass(frozen=True)
class Reveal:
    pass


@dataclass(frozen=True)
class Leaderboard:
    period: Period = "week"


@dataclass(frozen=True)
class Stats:
    user: str | None = None


@dataclass(frozen=True)
class SetSchedule:
    at: str
    zone: str | None = None
    days: str | None = None


@dataclass(frozen=True)
class SetLang:
    lang: Literal["ko", "en"]


@dataclass(frozen=True)
class DemoList:
    pass


@dataclass(frozen=True)
class DemoRun:
    name: str
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Practice:
    """`/quiz practice`: show the member their next spaced-repetition prompt, privately."""


@dataclass(frozen=True)
class PracticeAnswer:
    """`/quiz practice answer <text>`: answer the prompt `/quiz practice` showed."""

    text: str


@dataclass(frozen=True)
class Review:
    """`/quiz review`: how many practice cards are due, and when the next ones are."""


@dataclass(frozen=True)
class Web:
    """`/quiz web`: a sign-in link to the team's web page, for the caller alone."""


@dataclass(frozen=True)
class Appeal:
    """`/quiz appeal [why]`: contest the grade of my latest answer in this channel."""

    reason: str = ""


@dataclass(frozen=True)
class Appeals:
    """`/quiz appeals` (admins): the channel's open appeals."""


@dataclass(frozen=True)
class ResolveAppeal:
    """`/quiz appeals resolve <id> <score|keep> [note]` (admins): `score` None keeps the old."""

    appeal_id: int
    score: int | None
    note: str = ""


@dataclass(frozen=True)
class Share:
    """`/quiz share on|off`: whether my best answers may be shown to this channel."""

    on: bool


@dataclass(frozen=True)
class Me:
    """`/quiz me`: my streak, points this week, mastery by topic and due cards, privately."""


@dataclass(frozen=True)
class Week:
    """`/quiz week`: this channel's weekly digest so far, privately."""


@dataclass(frozen=True)
class SetDigest:
    """`/quiz digest <weekday HH:MM|off>` (admins): when the weekly digest is posted;
    `weekday` and `at` None: no digest."""

    weekday: str | None
    at: str | None


@dataclass(frozen=True)
class Topics:
    """`/quiz topics`: the bank's subjects, what this channel has seen of each and which it
    draws from."""


@dataclass(frozen=True)
class SetTopics:
    """`/quiz topics <id> [<id> ...]|all` (admins): the subjects the daily question and
    practice draw from, by id or a name's first letters; none: all."""

    subjects: tuple[str, ...]


@dataclass(frozen=True)
class Bookmark:
    """`/quiz bookmark`: keep the question I am in to come back to, or take its bookmark away."""


@dataclass(frozen=True)
class Bookmarks:
    """`/quiz bookmarks`: the questions I bookmarked in this channel, privately."""


@dataclass(frozen=True)
class Help:
    pass


@dataclass(frozen=True)
class Invalid:
    """Input we could not parse; `key` names the message in `texts`, `detail` fills it, and
    `near` is the command the member most likely meant, for a message that offers it."""

    key: str
    detail: str = ""
    near: str = ""


Command = (
    Answer
    | Now
    | Next
    | Skip
    | Hint
    | Reveal
    | Leaderboard
    | Stats
    | SetSchedule
    | SetLang
    | DemoList
    | DemoRun
    | Practice
    | PracticeAnswer
    | Review
    | Web
    | Appeal
    | Appeals
    | ResolveAppeal
    | Share
    | Me
    | Week
    | SetDigest
    | Topics
    | SetTopics
    | Bookmark
    | Bookmarks
    | Help
    | Invalid
)

ADMIN_COMMANDS = (
    Now,
    Reveal,
    SetSchedule,
    SetLang,
    Appeals,
    ResolveAppeal,
    SetDigest,
    SetTopics,
)

WORDS: dict[str, Command] = {
    "next": Next(),
    "skip": Skip(),
    "hint": Hint(),
    "reveal": Reveal(),
    "help": Help(),
    "review": Review(),
    "web": Web(),
    "me": Me(),
    "week": Week(),
    "bookmark": Bookmark(),
    "bookmarks": Bookmarks(),
}
"""The `/quiz` commands of one word and no option: the parser reads them here, and Discord
offers each as a slash command of its own (`bot.platforms.discord.commands`), so a new one is
one line here."""

PRIVATE_WORDS = (Review, Web, Me, Week, Bookmark, Bookmarks, Help)
"""Those of `WORDS` answered to their caller alone: a platform that shows a placeholder while the
core works shows it privately too."""

QUIZ_NAMES = (
    *WORDS,
    *("now", "answer", "practice", "appeal", "appeals", "leaderboard", "stats", "schedule"),
    *("share", "digest", "topics", "lang"),
)
"""Every `/quiz` command's name: `WORDS`, then those `_quiz` reads options for. A name typed
that is none of them is answered with the closest one (`unknown_quiz`), so a typo such as
`/quiz leaderbord` says what to type instead."""


def _quiz(words: list[str], rest: str) -> Command:
    if not words:
        return Help()
    sub = words[0].lower()
    if sub in WORDS:
        return WORDS[sub]
    if sub == "now":
        return now(words[1:])
    if sub == "answer":
        return Answer(rest.split(None, 1)[1] if len(rest.split(None, 1)) > 1 else "")
    if sub == "practice":
        if len(words) == 1:
            return Practice()
        if words[1].lower() == "answer":
            parts = rest.split(None, 2)
            return PracticeAnswer(parts[2] if len(parts) > 2 else "")
        return Invalid("practice_usage")
    if sub == "appeal":
        parts = rest.split(None, 1)
        return Appeal(parts[1] if len(parts) > 1 else "")
    if sub == "appeals":
        return appeals(rest.split(None, 1)[1] if len(rest.split(None, 1)) > 1 else "")
    if sub == "leaderboard":
        period = words[1].lower() if len(words) > 1 else "week"
        if period not in ("week", "month", "all"):
            return Invalid("bad_period", period)
        return Leaderboard(period)  # type: ignore[arg-type]
    if sub == "stats":
        # names are stored as others are shown them (`intake`), so a lookup spells it the same
        return Stats(shown_to_others(" ".join(words[1:]).lstrip("@")) or None)
    if sub == "schedule":
        if not 2 <= len(words) <= 4:
            return Invalid("schedule_usage")
        zone = next((w for w in words[2:] if "/" in w or w.upper() == "UTC"), None)
        days = next((w for w in words[2:] if w != zone), None)
        return SetSchedule(ascii_digits(words[1]), zone, days)
    if sub == "share":
        choice = " ".join(words[1:]).lower()
        if choice not in ("on", "off"):
            return Invalid("share_usage", choice)
        return Share(choice == "on")
    if sub == "digest":
        return digest(words[1:])
    if sub == "topics":
        return topics(words[1:])
    if sub == "lang":
        lang = words[1].lower() if len(words) > 1 else ""
        if lang not in ("ko", "en"):
            return Invalid("lang_usage", lang)
        return SetLang(lang)  # type: ignore[arg-type]
    return unknown_quiz(sub)


def unknown_quiz(sub: str) -> Invalid:
    """The refusal of `/quiz <sub>`, a name no command has: offering the closest name when one
    is close enough to be a typo of it (difflib's ratio of 0.6 or more), else only `/help`."""
    near = difflib.get_close_matches(sub, QUIZ_NAMES, n=1, cutoff=0.6)
    if near:
        return Invalid("unknown_quiz_near", sub, near=near[0])
    return Invalid("unknown_quiz", sub)


def now(words: Sequence[str]) -> Command:
    """`/quiz now` with what followed it: nothing, `extra`, or one prompt id."""
    if len(words) > 1:
        return Invalid("now_usage")
    if len(words) == 1 and words[0].lower() == "extra":
        return Now(extra=True)
    return Now(words[0].lower() if words else None)


def appeals(rest: str) -> Command:
    """`/quiz appeals` with what followed it: nothing (the queue) or
    `resolve <id> <score|keep> [note]`."""
    words = rest.split(None, 3)
    if not words:
        return Appeals()
    if words[0].lower() != "resolve" or len(words) < 3:
        return Invalid("appeals_usage_error")
    appeal_id = ascii_digits(words[1].removeprefix("#"))
    if not _DIGITS.fullmatch(appeal_id):
        return Invalid("appeal_bad_id", words[1])
    verdict = ascii_digits(words[2].lower())
    score: int | None = None
    if verdict != "keep":
        if not _DIGITS.fullmatch(verdict) or int(verdict) > 100:
            return Invalid("appeal_bad_score", words[2])
        score = int(verdict)
    return ResolveAppeal(int(appeal_id), score, words[3] if len(words) > 3 else "")


def digest(words: Sequence[str]) -> Command:
    """`/quiz digest` with what followed it: `off`, or a weekday and a time (checked by the
    core, which names the weekdays it knows)."""
    if len(words) == 1 and words[0].lower() == "off":
        return SetDigest(None, None)
    if len(words) != 2:
        return Invalid("digest_usage")
    return SetDigest(words[0].lower(), ascii_digits(words[1]))


def topics(words: Sequence[str]) -> Command:
    """`/quiz topics` with what followed it: nothing (the list), `all`, or subjects."""
    if not words:
        return Topics()
    if len(words) == 1 and words[0].lower() == "all":
        return SetTopics(())
    return SetTopics(tuple(words))


def demo_run(name: str, words: Sequence[str]) -> Command:
    """A run of the demo `name` with `key=value` words as its parameters, or what is wrong with
    them (which values a demo accepts is the compute service's to judge)."""
    if len(words) > MAX_PARAMS:
        return Invalid("demo_too_many_params", str(MAX_PARAMS))
    params: dict[str, str] = {}
    for word in words:
        key, sep, value = word.partition("=")
        if not sep or not key or not value:
            return Invalid("demo_param", word)
        params[key] = ascii_digits(value)
    return DemoRun(name.lower(), params)


def _demo(words: list[str]) -> Command:
    if not words or words[0].lower() in {"list", "help"}:
        return DemoList()
    if words[0].lower() == "run":
        return _demo(words[1:]) if len(words) > 1 else DemoList()
    return demo_run(words[0], words[1:])


def parse(text: str) -> Command:
    """Turn one line into a command; anything not starting with '/' is an answer."""
    stripped = text.strip()
    if not stripped.startswith("/"):
        return Answer(text)
    words = stripped.split()
    head = words[0].lower()
    rest = stripped[len(words[0]) :].strip()
    if head == "/quiz":
        return _quiz(words[1:], rest)
    if head == "/demo":
        return _demo(words[1:])
    if head == "/help":
        return Help()
    return unknown_command(words[0], rest)


COMMAND_NAMES = ("/quiz", "/demo", "/help")
"""The commands a line can begin with: a first word that is none of them but close to one (a
typo such as `/quizz`) is answered with it (`unknown_command`)."""


def unknown_command(head: str, rest: str) -> Invalid:
    """The refusal of a line beginning with `head`, which no command is: offering the closest
    command with the words typed after it (`/quizz stats`: `/quiz stats`) when it is close
    enough to be a typo (difflib's ratio of 0.6 or more, as `unknown_quiz`), else only `/help`."""
    near = difflib.get_close_matches(head.lower(), COMMAND_NAMES, n=1, cutoff=0.6)
    if near:
        return Invalid("unknown_command_near", head, near=f"{near[0]} {rest}".strip())
    return Invalid("unknown_command", head)


def member_command(command: Command) -> Command:
    """`command` with every text it carries under the member-text rule (`bot.core.member_text`):
    typed options and thread replies arrive from JSON, which can hold anything."""
    values: dict[str, Any] = {}
    for item in fields(command):
        value = getattr(command, item.name)
        if isinstance(value, str):
            value = member_text(value)
        elif isinstance(value, tuple):
            value = tuple(member_text(v) for v in value)
        elif isinstance(value, dict):
            value = {member_text(k): member_text(v) for k, v in value.items()}
        values[item.name] = value
    return type(command)(**values)
