"""The model answer an admin writes for an open question (`bot.core.quiz.open_answers`), made into
the question's reference with key concepts drafted from it, as imported notes get theirs. Apart
from the open answers' module so a chat bot never loads the concept drafter."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import ValidationError

from content.importers.concept_draft import with_drafted_concepts
from content.schema import Lang, Prompt, Reference
from content.schema_problems import schema_problem
from content.text_rule import visible
from content.texts import BANK


class ModelAnswerError(ValueError):
    """The model answer an admin wrote cannot make the question ready: why, as the bank
    catalogue's `key` and `values` (`content/texts.yaml`: `blank`, or the team rule or field
    problem the schema found), never a sentence, so the page says it in its reader's language
    (`said`)."""

    def __init__(self, key: str, values: Mapping[str, object] | None = None) -> None:
        super().__init__(key)
        self.key = key
        self.values = dict(values or {})

    def said(self, lang: Lang) -> str:
        return BANK.text(lang, self.key, **self.values)


def answered(question: Prompt, model_answer: str, lang: Lang) -> Prompt:
    """The open question made ready with `model_answer` as its reference (in `lang`) and key
    concepts drafted from it, as imported notes get theirs (marked for an admin's review).
    `model_answer` has been through the text rule (`content.text_rule`); one that shows nothing
    (spaces, zero-width marks) is empty. Raises ModelAnswerError when the team rules refuse it."""
    body = model_answer.strip()
    if not visible(body):
        raise ModelAnswerError("blank")
    fields = question.model_dump()
    fields.update(status="ready", references=[Reference(lang=lang, text=body).model_dump()])
    try:
        ready = Prompt.model_validate(fields, context={"rules": "team"})
    except ValidationError as exc:
        key, values, _ = schema_problem(exc.errors()[0])
        raise ModelAnswerError(key, values) from None
    [drafted] = with_drafted_concepts([ready])
    return drafted
