"""The model answer an admin writes for an open question (`bot.core.quiz.open_answers`), made into
the question's reference with key concepts drafted from it, as imported notes get theirs. Apart
from the open answers' module so a chat bot never loads the concept drafter."""

from __future__ import annotations

from content.importers.concept_draft import with_drafted_concepts
from content.schema import Lang, Prompt, Reference
from content.text_rule import visible


class ModelAnswerError(ValueError):
    """The model answer an admin wrote cannot make the question ready (the team rules say
    why, in the message)."""


def answered(question: Prompt, model_answer: str, lang: Lang) -> Prompt:
    """The open question made ready with `model_answer` as its reference (in `lang`) and key
    concepts drafted from it, as imported notes get theirs (marked for an admin's review).
    `model_answer` has been through the text rule (`content.text_rule`); one that shows nothing
    (spaces, zero-width marks) is empty. Raises ModelAnswerError when the team rules refuse it."""
    body = model_answer.strip()
    if not visible(body):
        raise ModelAnswerError("the model answer is empty")
    fields = question.model_dump()
    fields.update(status="ready", references=[Reference(lang=lang, text=body).model_dump()])
    try:
        ready = Prompt.model_validate(fields, context={"rules": "team"})
    except ValueError as exc:
        raise ModelAnswerError(str(exc)) from None
    [drafted] = with_drafted_concepts([ready])
    return drafted
