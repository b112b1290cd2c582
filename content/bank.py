"""An in-memory bank: prompts by id, main questions in order, follow-ups per parent, text lookup."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

from content.schema import Prompt

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def normalize_question(text: str) -> str:
    """Whitespace-, case- and punctuation-insensitive key, so reworded spacing still matches."""
    return _NON_WORD.sub("", unicodedata.normalize("NFKC", text)).casefold()


class Bank:
    """All loaded prompts; ids are unique across every file."""

    def __init__(self, prompts: Iterable[Prompt], *, open_questions: Iterable[Prompt] = ()) -> None:
        self._prompts: dict[str, Prompt] = {}
        for prompt in prompts:
            if prompt.id in self._prompts:
                raise ValueError(f"duplicate prompt id {prompt.id!r}")
            self._prompts[prompt.id] = prompt
        self._open = {p.id: p for p in open_questions if p.id not in self._prompts}
        self._index_texts()

    def open_question(self, prompt_id: str) -> Prompt | None:
        """A main question still waiting for its model answer (`status: waiting`): kept apart
        from the bank's prompts, so nothing schedules, grades or reveals it, but an admin can
        post it (`/quiz now <id>`) to collect the team's answers first."""
        return self._open.get(prompt_id)

    def open_questions(self) -> list[Prompt]:
        return sorted(self._open.values(), key=lambda p: p.id)

    def _index_texts(self) -> None:
        self._by_text: dict[str, Prompt] = {}
        for prompt in self._prompts.values():
            for text in (prompt.text.ko, prompt.text.en, *prompt.aliases):
                self._by_text.setdefault(normalize_question(text), prompt)

    def put(self, *prompts: Prompt) -> None:
        """Add each of `prompts`, or replace the prompt of its id: team questions saved on the
        web page. The bank is one object shared by everything in a process (chat, grader, web
        page), so they all see the questions from the next lookup on. An open question given its
        model answer this way is open no more; a waiting main question (notes imported on the
        page) is kept as an open question, as `load_bank` keeps one from a file, and a waiting
        follow-up is held back as it holds one back."""
        for prompt in prompts:
            self._prompts.pop(prompt.id, None)
            self._open.pop(prompt.id, None)
            if prompt.status == "ready":
                self._prompts[prompt.id] = prompt
            elif prompt.parent is None:
                self._open[prompt.id] = prompt
        self._index_texts()

    def __len__(self) -> int:
        return len(self._prompts)

    def __contains__(self, prompt_id: object) -> bool:
        return prompt_id in self._prompts

    def get(self, prompt_id: str) -> Prompt:
        return self._prompts[prompt_id]

    def all(self) -> list[Prompt]:
        return list(self._prompts.values())

    def mains(self) -> list[Prompt]:
        """Main questions (no parent), in id order: the daily-question pool."""
        return sorted((p for p in self._prompts.values() if p.parent is None), key=lambda p: p.id)

    def followups(self, parent_id: str) -> list[Prompt]:
        return sorted(
            (p for p in self._prompts.values() if p.parent == parent_id), key=lambda p: p.order
        )

    def find_by_text(self, text: str) -> Prompt | None:
        """The prompt whose Korean, English or alias wording matches, ignoring punctuation."""
        return self._by_text.get(normalize_question(text))

    def content_hash(self) -> str:
        """Stable digest of every prompt, so caches keyed on it go stale when the bank changes."""
        digest = hashlib.sha256()
        for prompt_id in sorted(self._prompts):
            digest.update(self._prompts[prompt_id].model_dump_json().encode())
        return digest.hexdigest()[:16]
