"""What a human regrade of a stored answer (a resolved appeal, an applied team grade) writes
beside the new score and tells the member: both kinds are human grades, so they store the same
verdict word and reach the member the same way, in the answer's thread."""

from __future__ import annotations

from bot.core.messages import Reply, ReplyKind
from bot.core.models import GradedAnswer
from bot.core.texts import text
from content.schema import Lang, Prompt
from evaluators.grade import Verdict, verdict_for


def regraded_verdict(prompt: Prompt | None, score: int) -> str:
    """The verdict word stored beside the new score: an opinion prompt stays acknowledged."""
    if prompt is not None and prompt.kind == "open":
        return Verdict.ACKNOWLEDGED.value
    return verdict_for(score).value


def regrade_notice(answer: GradedAnswer, body: str, note: str | None, lang: Lang) -> Reply:
    """`body` (with the grader's `note` below it, where there is one) told to the member who
    gave `answer`, in its thread."""
    if note:
        body += "\n" + text(lang, "appeal_note", note=note)
    return Reply(
        channel_id=answer.channel_id,
        text=body,
        kind=ReplyKind.INFO,
        thread_id=answer.thread_id,
        user_id=answer.user_id,
        addressee=answer.user_id,
        lang=lang,
    )
