"""Open questions: a question imported before anyone wrote its model answer (`status:
waiting`) can be posted all the same (`/quiz now <id>`). Its answers are kept as they came, in
the table of answers waiting for a grade, and each member is told they will be graded once the
team has a model answer. An admin then writes that answer on the web page, from the best answers
given (`bot.web.routes.open_questions`), and the kept answers are graded against it, each member
told their score in the question's thread through the outbox the appeals use."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.core.member_text import cut
from bot.core.messages import Reply, ReplyKind
from bot.core.models import GradedText, PendingAnswer, PostRow, PracticeCardRow
from bot.core.texts import text
from bot.core.turn import Turn
from content.schema import Lang, Prompt
from evaluators.grade import Grader
from evaluators.guardrails import MAX_ANSWER_CHARS

QUESTION_CHARS = 120


class AnswerKeeper(Protocol):
    """Where an answer to an open question is kept (`bot.storage.answers.AnswerTable`)."""

    async def add_pending_answer(self, pending: PendingAnswer) -> None: ...


class OpenAnswerStore(AnswerKeeper, Protocol):
    """What grading an open question's kept answers needs of the answer tables."""

    async def open_answers(
        self, *, platform: str, channel_id: str, prompt_id: str
    ) -> list[PendingAnswer]: ...

    async def record_pending_answer(
        self,
        *,
        pending_id: int,
        post: PostRow,
        graded: GradedText,
        next_step: int,
        card: PracticeCardRow | None = None,
        notice: Reply | None = None,
        noticed_at: datetime | None = None,
    ) -> bool: ...


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
    await store.add_pending_answer(
        pending_answer(turn, post, post.prompt_id, answer, cap=None, revealed=False, at=at)
    )
    await turn.say(turn.t("open_answer_kept"), thread_id=post.thread_id, mention=True)


async def grade_open_answers(
    store: OpenAnswerStore,
    posts: PostById,
    grader: Grader,
    prompt: Prompt,
    *,
    platform: str,
    channel_id: str,
    lang: Lang,
    now: datetime,
) -> int:
    """Grade the channel's kept answers to `prompt` (now ready), each stored with its member's
    notice in one transaction, so every graded answer is told once; an answer another process
    graded meanwhile is skipped. How many were graded (and told) here. Raises
    `EmbeddingUnavailableError` when the grader's server cannot answer (the answers stay kept
    for the next try)."""
    kept = await store.open_answers(platform=platform, channel_id=channel_id, prompt_id=prompt.id)
    graded = 0
    for pending in kept:
        assert pending.id is not None, "a stored pending answer has an id"
        post = await posts.post(post_id=pending.post_id)
        if post is None:
            continue
        grade = await grader.grade(prompt, pending.text, lang=lang)
        stored = GradedText(
            user_id=pending.user_id,
            prompt_id=prompt.id,
            message_id=pending.message_id,
            text=pending.text[:MAX_ANSWER_CHARS],
            score=grade.score,
            verdict=grade.verdict.value,
            covered=grade.covered,
            missed=grade.missed,
            flags=tuple(flag.value for flag in grade.flags),
            answered_at=pending.received_at,
        )
        question = cut(prompt.text.get(lang), QUESTION_CHARS)
        notice = Reply(
            channel_id=channel_id,
            text=text(lang, "open_answer_graded", question=question, score=grade.score),
            kind=ReplyKind.INFO,
            thread_id=post.thread_id or post.message_id,
            user_id=pending.user_id,
            addressee=pending.user_id,
            lang=lang,
        )
        if await store.record_pending_answer(
            pending_id=pending.id,
            post=post,
            graded=stored,
            next_step=1,
            notice=notice,
            noticed_at=now,
        ):
            graded += 1
    return graded


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


class OpenQuestions:
    """The web page's side of open questions: the answers kept, and the model answer that
    makes a question ready and grades them."""

    def __init__(
        self,
        *,
        store: OpenAnswerStore,
        posts: PostById,
        consent: Consent,
        names: Names,
        grader: Grader,
        clock: Callable[[], datetime],
    ) -> None:
        self.store = store
        self.posts = posts
        self.consent = consent
        self.names = names
        self.grader = grader
        self.clock = clock

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

    async def grade(self, prompt: Prompt, *, platform: str, channel_id: str, lang: Lang) -> int:
        """Grade the channel's kept answers to `prompt`, now ready (see `grade_open_answers`)."""
        return await grade_open_answers(
            self.store,
            self.posts,
            self.grader,
            prompt,
            platform=platform,
            channel_id=channel_id,
            lang=lang,
            now=self.clock(),
        )
