"""The one lookup of questions for a channel's admin pages: a question is found by the channel
and its id together. The bank is shared by every channel a process serves, but a question
written or imported on the page belongs to the channel it was saved in (`team_questions`): on
another channel's pages it is never listed, and its id is not found (404), as if it did not
exist. Questions from bank files (the shipped bank, the team bank folder) are every channel's."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.web.errors import PageError
from content.bank import Bank
from content.schema import Lang, Prompt


@dataclass(frozen=True)
class ChannelQuestions:
    """The bank as one channel's admin pages see it (`owners`: the channel of each question
    saved on the page, by id, read once per request)."""

    bank: Bank
    owners: Mapping[str, tuple[str, str]]
    platform: str
    channel_id: str
    lang: Lang

    def _seen(self, prompt_id: str) -> bool:
        owner = self.owners.get(prompt_id)
        return owner is None or owner == (self.platform, self.channel_id)

    def listed(self) -> list[Prompt]:
        """The bank's ready questions this channel sees, in the bank's order."""
        return [prompt for prompt in self.bank.all() if self._seen(prompt.id)]

    def question(self, prompt_id: str) -> Prompt:
        """A ready question this channel sees; 404 otherwise."""
        if prompt_id not in self.bank or not self._seen(prompt_id):
            raise PageError(404, "not_found", self.lang)
        return self.bank.get(prompt_id)

    def editable(self, prompt_id: str) -> bool:
        """Whether the question was saved on this channel's page: the only ones it edits (bank
        files are edited as files)."""
        return self.owners.get(prompt_id) == (self.platform, self.channel_id)

    def stored(self, prompt_id: str) -> Prompt:
        """A ready question saved on this channel's page, to edit; 404 otherwise."""
        prompt = self.question(prompt_id)
        if not self.editable(prompt_id):
            raise PageError(404, "not_found", self.lang)
        return prompt

    def open_questions(self) -> list[Prompt]:
        """The open questions (waiting for a model answer) this channel sees, by id."""
        return [p for p in self.bank.open_questions() if self._seen(p.id)]

    def open_question(self, prompt_id: str) -> Prompt:
        """An open question this channel sees; 404 otherwise."""
        question = self.bank.open_question(prompt_id)
        if question is None or not self._seen(prompt_id):
            raise PageError(404, "open_unknown", self.lang)
        return question
