"""`/quiz topics`: the bank's subjects, what the channel has seen of each, and the ones its daily
question and practice draw from (an admin chooses them; none chosen draws from all)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import assert_never

from bot.core.command_part import CommandPart
from bot.core.commands import Command, Declared, Option, Typed, Verb
from bot.core.ports import ChannelStore, DashboardStore, PostStore
from bot.core.texts import subject_name
from bot.core.turn import Turn
from content.bank import Bank


@dataclass(frozen=True)
class SubjectRow:
    """One subject as a channel sees it (the chat's list and the web page's settings)."""

    subject: str
    questions: int
    """Its main questions."""
    posted: int
    """How many of them were posted in the channel."""
    drawn: bool
    """Whether the daily question and practice draw from it."""


def subject_rows(
    bank: Bank, chosen: Sequence[str], posted_ids: Collection[str]
) -> list[SubjectRow]:
    """Every subject `bank` (as the channel sees it) holds, for a channel that chose `chosen`
    and was posted the questions `posted_ids`."""
    totals = Counter(bank.subject(p) for p in bank.mains())
    posted = Counter(bank.subject(p) for p in bank.mains() if p.id in posted_ids)
    drawn = set(drawn_subjects(bank, chosen))
    return [
        SubjectRow(subject, totals[subject], posted[subject], subject in drawn)
        for subject in bank.subjects()
    ]


def subject_means(bank: Bank, scores: Iterable[tuple[str, int]]) -> list[tuple[str, float, int]]:
    """(subject, mean score, answers) from (prompt id, score) pairs, highest mean first; prompts
    no longer in `bank` are left out."""
    found: dict[str, list[int]] = {}
    for prompt_id, score in scores:
        if prompt_id in bank:
            found.setdefault(bank.subject(bank.get(prompt_id)), []).append(score)
    means = [(subject, sum(s) / len(s), len(s)) for subject, s in found.items()]
    return sorted(means, key=lambda item: (-item[1], item[0]))


async def posted_ids(
    posts: PostStore | DashboardStore, *, platform: str, channel_id: str
) -> set[str]:
    """The questions ever posted in the channel."""
    return {p.prompt_id for p in await posts.posts(platform=platform, channel_id=channel_id)}


def _bank(turn: Turn, bank: Bank) -> Bank:
    return bank.seen_from(turn.channel.platform, turn.channel.channel_id)


async def show_topics(turn: Turn, *, bank: Bank, posts: PostStore) -> None:
    """Each subject by its name in the channel's language, its main questions, how many of them
    were posted here, and whether the channel draws from it."""
    channel = turn.channel
    seen = await posted_ids(posts, platform=channel.platform, channel_id=channel.channel_id)
    rows = subject_rows(_bank(turn, bank), channel.subjects, seen)
    lines = [turn.t("topics_title")]
    for row in rows:
        lines.append(
            turn.t(
                "topics_line",
                mark="✓" if row.drawn else "·",
                id=row.subject,
                name=subject_name(turn.lang, row.subject),
                questions=row.questions,
                posted=row.posted,
            )
        )
    every = all(row.drawn for row in rows)
    lines.append(turn.t("topics_footer_all" if every else "topics_footer"))
    await turn.say("\n".join(lines), ephemeral=True)


def drawn_subjects(bank: Bank, chosen: Sequence[str]) -> list[str]:
    """The subjects a channel that chose `chosen` draws from, as `bank` sees them: all of them
    when it chose none, or none of its choice is in the bank any more."""
    drawn = [s for s in bank.subjects() if bank.drawn_subject(s, chosen)]
    return drawn if any(s in chosen for s in drawn) else bank.subjects()


def _resolve(bank: Bank, lang_names: dict[str, list[str]], word: str) -> str | None:
    """The subject `word` names: its id, or a prefix of one id or name alone."""
    subjects = bank.subjects()
    key = word.casefold()
    if key in subjects:
        return key
    found = [
        s
        for s in subjects
        if s.startswith(key) or any(n.casefold().startswith(key) for n in lang_names[s])
    ]
    return found[0] if len(found) == 1 else None


def chosen_subjects(bank: Bank, words: Sequence[str]) -> list[str] | str:
    """The subjects `words` name, each once, in order, as the chat's `/quiz topics <id ...>`
    and the web page's subjects settings both accept them (`bank` as the channel sees it: a
    word names one of `bank.subjects()`, the list both show); or the first word that names
    none, for the refusal."""
    names = {s: [subject_name("ko", s), subject_name("en", s)] for s in bank.subjects()}
    chosen: list[str] = []
    for word in words:
        subject = _resolve(bank, names, word)
        if subject is None:
            return word
        chosen.append(subject)
    return list(dict.fromkeys(chosen))


async def set_topics(turn: Turn, *, bank: Bank, repo: ChannelStore, words: Sequence[str]) -> None:
    """`/quiz topics <id> [<id> ...]` (none: `all`): every word must name one subject, or
    nothing changes and the valid ids are listed."""
    seen = _bank(turn, bank)
    chosen = chosen_subjects(seen, words)
    if isinstance(chosen, str):
        await turn.error("topics_unknown", detail=chosen, known=", ".join(seen.subjects()))
        return
    await repo.update_subjects(
        platform=turn.channel.platform, channel_id=turn.channel.channel_id, subjects=chosen
    )
    if not chosen:
        await turn.say(turn.t("topics_set_all"))
        return
    shown = ", ".join(subject_name(turn.lang, s) for s in chosen)
    await turn.say(turn.t("topics_set", subjects=shown))


@dataclass(frozen=True)
class ShowTopics(Command):
    """`/quiz topics`: the bank's subjects, what this channel has seen of each and which it
    draws from, privately."""

    private = True


@dataclass(frozen=True)
class SetTopics(Command):
    """`/quiz topics <id> [<id> ...]|all` (admins): the subjects the daily question and
    practice draw from, by id or a name's first letters; none: all."""

    admin = True

    subjects: tuple[str, ...]


def topics(words: Sequence[str]) -> Command:
    """`/quiz topics` with what followed it: nothing (the list), `all`, or subjects."""
    if not words:
        return ShowTopics()
    if len(words) == 1 and words[0].lower() == "all":
        return SetTopics(())
    return SetTopics(tuple(words))


TopicsCommand = ShowTopics | SetTopics


@dataclass(kw_only=True, eq=False)
class Topics(CommandPart[TopicsCommand]):
    """Serves `/quiz topics`: the list, and an admin's choice of subjects."""

    commands = Declared(
        serves=(ShowTopics, SetTopics),
        verbs=(Verb("topics", lambda words, _rest: topics(words), usage="topics [id ...|all]"),),
        typed=(
            Typed(
                "topics",
                lambda values: topics(values.text("subjects").split()),
                (Option("subjects", most=500, suggests="subjects"),),
            ),
        ),
        help=("help_topics",),
        admin_help=("help_admin_topics",),
    )

    bank: Bank
    posts: PostStore
    channels: ChannelStore

    async def serve(self, command: TopicsCommand, turn: Turn) -> None:
        if isinstance(command, SetTopics):
            await set_topics(turn, bank=self.bank, repo=self.channels, words=command.subjects)
        elif isinstance(command, ShowTopics):
            await show_topics(turn, bank=self.bank, posts=self.posts)
        else:
            assert_never(command)
