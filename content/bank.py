"""An in-memory bank: prompts by id, main questions in order, follow-ups per parent, text lookup,
each seen only by the channels it belongs to.

A question a channel's admin saved on its web page (a team question, `team_questions` in the
database) belongs to that channel; a question from a bank file belongs to every channel. The
lookup itself keeps them apart, so no caller can forget to: a bank seen from a channel
(`seen_from`) finds the files' prompts and that channel's own, and the bank as loaded finds the
files' prompts only. `every_channel` sees them all, for the few readers that serve no channel
(the grader's reference texts, the retry round's list of open questions).

Each main question belongs to a subject, which a channel may choose to draw from (`/quiz
topics`): a bank file's `bank:` name (the loader records it), or `team` for a channel's own saved
questions; a follow-up belongs to its main question's.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

from content.schema import Prompt

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)

Owner = tuple[str, str]
"""The channel (platform, channel id) whose web page saved a team question."""

TEAM_SUBJECT = "team"
"""The subject of a channel's own saved questions: always drawn from, whatever it chose."""
UNFILED_SUBJECT = "seed"
"""The subject of a prompt built in code rather than loaded from a file (the seed bank's)."""


def normalize_question(text: str) -> str:
    """Whitespace-, case- and punctuation-insensitive key, so reworded spacing still matches."""
    return _NON_WORD.sub("", unicodedata.normalize("NFKC", text)).casefold()


@dataclass
class _Shelf:
    """What every view of one bank shares: the prompts (ready) and open questions (waiting) by
    id, each in its owner's version, the channel that owns each team question, and the files'
    prompts a channel's saved question replaced, which every other channel still sees (an open
    question from a file one channel gave its model answer stays open elsewhere)."""

    prompts: dict[str, Prompt] = field(default_factory=dict)
    open: dict[str, Prompt] = field(default_factory=dict)
    owners: dict[str, Owner] = field(default_factory=dict)
    shared: dict[str, Prompt] = field(default_factory=dict)
    by_text: dict[str, list[Prompt]] = field(default_factory=dict)
    subjects: dict[str, str] = field(default_factory=dict)

    def index_texts(self) -> None:
        self.by_text.clear()
        shared = [p for p in self.shared.values() if p.status == "ready"]
        for prompt in [*self.prompts.values(), *shared]:
            for text in dict.fromkeys((prompt.text.ko, prompt.text.en, *prompt.aliases)):
                self.by_text.setdefault(normalize_question(text), []).append(prompt)


class Bank:
    """All loaded prompts as one viewer sees them; ids are unique across every file and every
    channel's saved questions."""

    def __init__(
        self,
        prompts: Iterable[Prompt],
        *,
        open_questions: Iterable[Prompt] = (),
        subjects: Mapping[str, str] | None = None,
    ) -> None:
        """`subjects`: prompt id -> the bank file's name it came from (unlisted: `seed`)."""
        self._shelf = _Shelf(subjects=dict(subjects or {}))
        self._viewer: Owner | None = None
        self._every = False
        for prompt in prompts:
            if prompt.id in self._shelf.prompts:
                raise ValueError(f"duplicate prompt id {prompt.id!r}")
            self._shelf.prompts[prompt.id] = prompt
        self._shelf.open = {p.id: p for p in open_questions if p.id not in self._shelf.prompts}
        self._shelf.index_texts()

    def _viewed_by(self, viewer: Owner | None, *, every: bool = False) -> Bank:
        view = Bank(())
        view._shelf, view._viewer, view._every = self._shelf, viewer, every
        return view

    def seen_from(self, platform: str, channel_id: str) -> Bank:
        """The bank as one channel sees it: the files' prompts and its own saved questions. It
        shares this bank's prompts, so it sees later saves too; what it `put`s is that
        channel's."""
        return self._viewed_by((platform, channel_id))

    def every_channel(self) -> Bank:
        """The bank with every channel's questions in it, for what serves no one channel (the
        grader's reference texts and word rarity, the retry round); nothing shown to a member
        or an admin is read through it."""
        return self._viewed_by(None, every=True)

    def _version(self, prompt_id: str) -> Prompt | None:
        """The prompt of this id, ready or waiting, as this viewer sees it (None: it sees none)."""
        shelf = self._shelf
        owner = shelf.owners.get(prompt_id)
        if self._every or owner is None or owner == self._viewer:
            return shelf.prompts.get(prompt_id) or shelf.open.get(prompt_id)
        return shelf.shared.get(prompt_id)

    def _ready(self, prompt_id: str) -> Prompt | None:
        found = self._version(prompt_id)
        return found if found is not None and found.status == "ready" else None

    def _ids(self) -> list[str]:
        return list(dict.fromkeys([*self._shelf.prompts, *self._shelf.open, *self._shelf.shared]))

    def owns(self, prompt_id: str) -> bool:
        """Whether the prompt is a question the viewing channel saved (the only ones its web
        page edits: bank files are edited as files)."""
        owner = self._shelf.owners.get(prompt_id)
        return owner is not None and owner == self._viewer

    def held_elsewhere(self, prompt_id: str) -> bool:
        """Whether another channel holds a question of this id: ids are unique across
        channels, so a new question here cannot have it, though nothing else of it is seen."""
        held = prompt_id in self._shelf.prompts or prompt_id in self._shelf.open
        return held and self._version(prompt_id) is None

    def open_question(self, prompt_id: str) -> Prompt | None:
        """A main question still waiting for its model answer (`status: waiting`): kept apart
        from the bank's prompts, so nothing schedules, grades or reveals it, but an admin can
        post it (`/quiz now <id>`) to collect the team's answers first."""
        found = self._version(prompt_id)
        return found if found is not None and found.status == "waiting" else None

    def open_questions(self) -> list[Prompt]:
        found = (self.open_question(prompt_id) for prompt_id in sorted(self._ids()))
        return [question for question in found if question is not None]

    def put(self, *prompts: Prompt) -> None:
        """Add each of `prompts`, or replace the prompt of its id: team questions saved on the
        web page, the channel's (this view's) own; put into the bank as loaded, they are every
        channel's, as a file's are. A file's prompt a channel's question replaces stays every
        other channel's. The bank is one object shared by everything in a process (chat,
        grader, web page), so they all see the questions from the next lookup on. An open
        question given its model answer this way is open no more; a waiting main question
        (notes imported on the page) is kept as an open question, as `load_bank` keeps one from
        a file, and a waiting follow-up is held back as it holds one back."""
        shelf = self._shelf
        for prompt in prompts:
            held = shelf.prompts.pop(prompt.id, None) or shelf.open.pop(prompt.id, None)
            owner = shelf.owners.pop(prompt.id, None)
            if self._viewer is None:
                shelf.shared.pop(prompt.id, None)
            else:
                if owner is None and held is not None:
                    shelf.shared[prompt.id] = held
                shelf.owners[prompt.id] = self._viewer
            if prompt.status == "ready":
                shelf.prompts[prompt.id] = prompt
            elif prompt.parent is None:
                shelf.open[prompt.id] = prompt
        shelf.index_texts()

    def __len__(self) -> int:
        return len(self.all())

    def __contains__(self, prompt_id: object) -> bool:
        return isinstance(prompt_id, str) and self._ready(prompt_id) is not None

    def get(self, prompt_id: str) -> Prompt:
        found = self._ready(prompt_id)
        if found is None:
            raise KeyError(prompt_id)
        return found

    def all(self) -> list[Prompt]:
        found = (self._ready(prompt_id) for prompt_id in self._ids())
        return [prompt for prompt in found if prompt is not None]

    def mains(self) -> list[Prompt]:
        """Main questions (no parent), in id order: the daily-question pool."""
        return sorted((p for p in self.all() if p.parent is None), key=lambda p: p.id)

    def followups(self, parent_id: str) -> list[Prompt]:
        return sorted((p for p in self.all() if p.parent == parent_id), key=lambda p: p.order)

    def find_by_text(self, text: str) -> Prompt | None:
        """The prompt whose Korean, English or alias wording matches, ignoring punctuation."""
        found = self._shelf.by_text.get(normalize_question(text), [])
        return next((p for p in found if self._ready(p.id) is p), None)

    def subject(self, prompt: Prompt) -> str:
        """The subject `prompt` belongs to as this viewer sees it: its main question's file, or
        `team` for a question the viewing channel saved (or any channel's, seen from every one)."""
        main = prompt.parent or prompt.id
        owner = self._shelf.owners.get(main)
        if owner is not None and (self._every or owner == self._viewer):
            return TEAM_SUBJECT
        return self._shelf.subjects.get(main, UNFILED_SUBJECT)

    def subjects(self) -> list[str]:
        """Every subject of a main question this viewer sees: the files' in name order, the
        seed's first, then `team` when the channel has saved questions."""
        found = {self.subject(prompt) for prompt in self.mains()}
        files = sorted(found - {TEAM_SUBJECT}, key=lambda s: (s != UNFILED_SUBJECT, s))
        return files + [TEAM_SUBJECT] * (TEAM_SUBJECT in found)

    @staticmethod
    def drawn_subject(subject: str, chosen: Collection[str]) -> bool:
        """Whether a channel that chose the subjects `chosen` (none: all) draws from `subject`:
        its own saved questions always; a file's when it is chosen."""
        return not chosen or subject == TEAM_SUBJECT or subject in chosen

    def drawn_mains(self, chosen: Collection[str]) -> list[Prompt]:
        """The main questions a channel that chose `chosen` draws its daily question from: all
        of them when none of its choice is left in the bank (a subject's file was removed)."""
        mains = self.mains()
        if not any(self.subject(p) in chosen for p in mains):
            return mains
        return [p for p in mains if self.drawn_subject(self.subject(p), chosen)]

    def content_hash(self) -> str:
        """Stable digest of every prompt seen, so caches keyed on it go stale when the bank
        changes."""
        digest = hashlib.sha256()
        for prompt in sorted(self.all(), key=lambda p: p.id):
            digest.update(prompt.model_dump_json().encode())
        return digest.hexdigest()[:16]
