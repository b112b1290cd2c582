"""The one lookup of questions for a channel's admin pages: a question is found by the channel
and its id together. The bank is shared by every channel a process serves, but a question
written or imported on the page belongs to the channel it was saved in (`team_questions`), and
the bank as that channel sees it (`Bank.seen_from`) is the only one these pages read: on
another channel's pages it is never listed, and its id is not found (404), as if it did not
exist. Questions from bank files (the shipped bank, the team bank folder) are every channel's."""

from __future__ import annotations

from dataclasses import dataclass

from bot.web.errors import PageError
from content.bank import Bank
from content.schema import Lang, Prompt


@dataclass(frozen=True)
class ChannelQuestions:
    """The bank as one channel's admin pages see it, with the page's language for a 404."""

    bank: Bank
    lang: Lang

    def listed(self) -> list[Prompt]:
        """The bank's ready questions this channel sees, in the bank's order."""
        return self.bank.all()

    def question(self, prompt_id: str) -> Prompt:
        """A ready question this channel sees; 404 otherwise."""
        if prompt_id not in self.bank:
            raise PageError(404, "not_found", self.lang)
        return self.bank.get(prompt_id)

    def editable(self, prompt_id: str) -> bool:
        """Whether the question was saved on this channel's page: the only ones it edits (bank
        files are edited as files)."""
        return self.bank.owns(prompt_id)

    def stored(self, prompt_id: str) -> Prompt:
        """A ready question saved on this channel's page, to edit; 404 otherwise."""
        prompt = self.question(prompt_id)
        if not self.editable(prompt_id):
            raise PageError(404, "not_found", self.lang)
        return prompt

    def open_questions(self) -> list[Prompt]:
        """The open questions (waiting for a model answer) this channel sees, by id."""
        return self.bank.open_questions()

    def open_question(self, prompt_id: str) -> Prompt:
        """An open question this channel sees; 404 otherwise."""
        question = self.bank.open_question(prompt_id)
        if question is None:
            raise PageError(404, "open_unknown", self.lang)
        return question
