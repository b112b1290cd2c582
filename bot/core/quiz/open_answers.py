"""Open questions: a question imported before anyone wrote its model answer (`status:
waiting`) can be posted all the same (`/quiz now <id>`). Its answers are kept as they came, in
the table of answers waiting for a grade (kind `open`), and each member is told they will be
graded once the team has a model answer. An admin then writes that answer on the web page, from
the best answers given (`bot.web.routes.open_questions`), and the kept answers are graded
against it, each member told their score in the question's thread through the outbox the
appeals use.

Saving the model answer, grading the kept answers and making the question ready are one unit
(`ModelAnswers`): the model answer is saved first (one per question: of concurrent saves one
wins, the others are told), the answers are graded against it, and one transaction stores them
with their notices and the question ready. Until that transaction the question stays open with
its model answer saved; a start or the bot's next tick (`resume`) grades against the saved text,
and whichever finishes first writes, so every answer is graded and told exactly once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.core.member_text import cut
from bot.core.messages import Reply, ReplyKind
from bot.core.models import GradedText, ModelAnswer, OpenGrade, PendingAnswer, PostRow
from bot.core.quiz.desk import GradingDesk, Where, graded_part, grader_back_for_others
from bot.core.texts import text
from bot.core.turn import Turn
from content.bank import Bank
from evaluators.grade import EmbeddingUnavailableError

QUESTION_CHARS = 120
RESUME_AFTER = timedelta(minutes=2)
"""How old a model answer whose grading has not finished must be before a bot's tick grades it:
longer than a page takes to grade a question's kept answers, so a tick seldom grades beside the
page (were it to, only one of them writes)."""


class AnswerKeeper(Protocol):
    """Where an answer to an open question is kept (`bot.storage.answers.AnswerTable`)."""

    async def add_open_answer(self, pending: PendingAnswer) -> None: ...


class OpenAnswerStore(AnswerKeeper, Protocol):
    """The answers kept for open questions."""

    async def open_answers(
        self, *, platform: str, channel_id: str, prompt_id: str
    ) -> list[PendingAnswer]: ...


class ModelAnswerStore(Protocol):
    """The saved model answers (`bot.storage.model_answers.ModelAnswerTable`)."""

    async def claim(self, answer: ModelAnswer) -> bool:
        """Save it; False when one is saved for its question already."""
        ...

    async def waiting(self, *, prompt_id: str) -> ModelAnswer | None:
        """The question's model answer while its kept answers wait to be graded."""
        ...

    async def unfinished(self, *, saved_before: datetime) -> list[ModelAnswer]: ...

    async def finish(
        self, answer: ModelAnswer, graded: Sequence[OpenGrade], *, at: datetime
    ) -> int | None:
        """The graded answers, their notices and the question ready, in one transaction; how
        many were graded, or None when it was finished already."""
        ...


class PostById(Protocol):
    async def post(self, *, post_id: int) -> PostRow | None: ...


def pending_answer(
    turn: Turn,
    post: PostRow,
    prompt_id: str,
    answer: str,
    *,
    cap: int | None,
    revealed: bool,
    at: datetime,
) -> PendingAnswer:
    """The member's answer in `turn` to `prompt_id` of `post`, kept as it came to be graded
    later (an open question's, or one the grader's server could not take)."""
    return PendingAnswer(
        post_id=post.id,
        platform=post.platform,
        channel_id=post.channel_id,
        user_id=turn.user,
        prompt_id=prompt_id,
        message_id=turn.incoming.message_id,
        thread_id=turn.incoming.thread_id,
        text=answer,
        cap=cap,
        revealed=revealed,
        received_at=at,
    )


async def keep_open_answer(
    store: AnswerKeeper, turn: Turn, post: PostRow, answer: str, *, at: datetime
) -> None:
    """Keep an answer to an open question ungraded, and tell the member why."""
    await store.add_open_answer(
        pending_answer(turn, post, post.prompt_id, answer, cap=None, revealed=False, at=at)
    )
    await turn.say(turn.t("open_answer_kept"), thread_id=post.thread_id, mention=True)


async def grade_open_answers(
    store: OpenAnswerStore, posts: PostById, desk: GradingDesk, answer: ModelAnswer
) -> list[OpenGrade]:
    """The channel's kept answers to the question, each graded against `answer` with the notice
    that tells its member; nothing is stored. Raises `EmbeddingUnavailableError` when the
    grader's server cannot answer."""
    prompt, lang = answer.prompt, answer.lang
    kept = await store.open_answers(
        platform=answer.platform, channel_id=answer.channel_id, prompt_id=prompt.id
    )
    graded = []
    for pending in kept:
        assert pending.id is not None, "a stored pending answer has an id"
        post = await posts.post(post_id=pending.post_id)
        if post is None:
            continue
        where = Where(answer.platform, answer.channel_id)
        grade = await desk.grade(prompt, pending.text, where=where, lang=lang)
        stored = GradedText(
            user_id=pending.user_id,
            prompt_id=prompt.id,
            message_id=pending.message_id,
            text=graded_part(pending.text),
            score=grade.score,
            verdict=grade.verdict.value,
            covered=grade.covered,
            missed=grade.missed,
            flags=tuple(flag.value for flag in grade.flags),
            answered_at=pending.received_at,
        )
        question = cut(prompt.text.get(lang), QUESTION_CHARS)
        notice = Reply(
            channel_id=answer.channel_id,
            text=text(lang, "open_answer_graded", question=question, score=grade.score),
            kind=ReplyKind.INFO,
            thread_id=post.thread_id or post.message_id,
            user_id=pending.user_id,
            addressee=pending.user_id,
            lang=lang,
        )
        graded.append(OpenGrade(pending_id=pending.id, post=post, graded=stored, notice=notice))
    return graded


@dataclass(kw_only=True, eq=False)
class ModelAnswers:
    """Saving a model answer and grading the answers kept for its question, as one unit (see
    the module); the question is put in `bank`, as its channel's, once it is ready."""

    saved: ModelAnswerStore
    answers: OpenAnswerStore
    posts: PostById
    desk: GradingDesk
    bank: Bank
    clock: Callable[[], datetime]

    async def save(self, answer: ModelAnswer) -> int | None:
        """Save `answer` and grade its channel's kept answers; how many were graded. None,
        nothing done: a model answer of this question is saved already. Raises
        `EmbeddingUnavailableError` when the grader's server cannot answer: the model answer
        stays saved and the question open, until `resume` finishes it."""
        if not await self.saved.claim(answer):
            return None
        return await self.finish(answer)

    async def finish(self, answer: ModelAnswer) -> int:
        """Grade the channel's kept answers against `answer` and store them with the question
        ready (nothing, when another process finished it first); how many were graded here."""
        graded = await grade_open_answers(self.answers, self.posts, self.desk, answer)
        done = await self.saved.finish(answer, graded, at=self.clock())
        if done is None:
            return 0
        self.bank.seen_from(answer.platform, answer.channel_id).put(answer.prompt)
        return done

    async def resume(self, *, saved_before: datetime) -> int:
        """Finish the model answers saved by `saved_before` whose grading did not (the process
        stopped, or the grader's server was down); how many were finished here. One refused for
        its own numbers waits and the next is tried; where the grader does not answer, the rest
        wait for the next try (`grader_back_for_others`)."""
        finished = 0
        for answer in await self.saved.unfinished(saved_before=saved_before):
            try:
                await self.finish(answer)
            except EmbeddingUnavailableError as exc:
                if not grader_back_for_others(exc):
                    break
                continue
            finished += 1
        return finished


class Consent(Protocol):
    """Whether a member lets the channel see their answers by name (`/quiz share on`)."""

    async def sharing(self, *, platform: str, channel_id: str, user_id: str) -> bool: ...


class Names(Protocol):
    async def display_name(self, *, platform: str, user_id: str) -> str: ...


@dataclass(frozen=True)
class KeptAnswer:
    """An answer kept for an open question, with its member's name when they share their
    answers (None: they do not, and the page does not say who wrote it)."""

    answer: PendingAnswer
    name: str | None


@dataclass(kw_only=True, eq=False)
class OpenQuestions:
    """The web page's side of open questions: the answers kept, the model answer saved for a
    question while its answers wait to be graded, and saving one (`model_answers`)."""

    store: OpenAnswerStore
    consent: Consent
    names: Names
    model_answers: ModelAnswers

    async def kept(self, *, platform: str, channel_id: str, prompt_id: str) -> list[KeptAnswer]:
        answers = await self.store.open_answers(
            platform=platform, channel_id=channel_id, prompt_id=prompt_id
        )
        shown = []
        for answer in answers:
            shares = await self.consent.sharing(
                platform=platform, channel_id=channel_id, user_id=answer.user_id
            )
            name = (
                await self.names.display_name(platform=platform, user_id=answer.user_id)
                if shares
                else None
            )
            shown.append(KeptAnswer(answer, name))
        return shown

    async def waiting(self, prompt_id: str) -> ModelAnswer | None:
        """The model answer saved for the question while its kept answers wait to be graded."""
        return await self.model_answers.saved.waiting(prompt_id=prompt_id)
