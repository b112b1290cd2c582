"""A member's way through a day's post: answer, follow-ups, skip, hint, and the retry round.

Each member has a step per post (0 = main question, k = k-th follow-up). Answering grades the
prompt at that step and moves to the next prompt they have neither answered nor skipped; when all
are done, `/quiz next` reopens their lowest-scored prompt of the day's posts, and the best score
per prompt counts. Without threads (the console) a message goes to the newest of the day's posts
the member has not finished (`member_day`), and finishing one brings back an earlier one.
Each answer is graded with the channel's human grades of its prompt as evidence, so an answer
near one the team graded scores near that grade.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol, assert_never

from bot.core.command_part import CommandPart
from bot.core.commands import Command, Declared, Option, Typed, Values, Verb, word
from bot.core.inflight import InFlight
from bot.core.member_text import refusal
from bot.core.messages import Image, ReplyKind
from bot.core.models import (
    AnswerWrite,
    GradedText,
    MemberProgress,
    PendingAnswer,
    PostRow,
    PracticeCardRow,
)
from bot.core.ports import AnswerStore, PostStore
from bot.core.quiz.desk import GradingDesk, Where, graded_part
from bot.core.quiz.member_day import MemberDay
from bot.core.quiz.open_answers import keep_open_answer, pending_answer
from bot.core.quiz.threads import current_post, no_post_key, sequence
from bot.core.telemetry import telemetry
from bot.core.turn import Turn, channel_schedule
from content.bank import Bank
from content.schema import Lang, Prompt
from evaluators.grade import EmbeddingUnavailableError, Grade, Verdict

log = logging.getLogger("quizmaster.core")
# What an answer's replies end with: the next prompt, or "all done for today".
_NEXT_PROMPT = frozenset({ReplyKind.FOLLOWUP, ReplyKind.INFO})


@dataclass(frozen=True)
class Answer(Command):
    """An answer to the question the member is in: plain text, a thread reply, an answer form
    or `/quiz answer <text>`."""

    text: str


@dataclass(frozen=True)
class Next(Command):
    """`/quiz next`: the member's current prompt again, or when done their lowest score's."""


@dataclass(frozen=True)
class Skip(Command):
    """`/quiz skip`: skip the prompt the member is on."""


@dataclass(frozen=True)
class Hint(Command):
    """`/quiz hint`: a hint, which caps the score."""


VERBS = (
    word("next", Next()),
    word("skip", Skip()),
    word("hint", Hint()),
    Verb("answer", lambda _words, rest: Answer(rest), usage="answer <text>"),
)

ANSWER_LIMIT = 4000
"""The longest answer a platform's typed option or form takes."""


def typed_answer(values: Values) -> Answer:
    """`/quiz answer [text]` typed: an answer without text (`Answer("")`) asks the platform for
    its answer form, which has room for a long, multi-line answer."""
    return Answer(values.text("text"))


TYPED = (Typed("answer", typed_answer, (Option("text", most=ANSWER_LIMIT),)),)

AnswerCommand = Answer | Next | Skip | Hint


class CardReviewer(Protocol):
    """Spaced repetition (bot.core.quiz.practice) reviews the member's card with every graded
    channel answer: it returns the card to save with the answer (None: nothing to save)."""

    async def reviewed_card(
        self, turn: Turn, prompt: Prompt, score: int, held: PracticeCardRow | None
    ) -> PracticeCardRow | None: ...


@dataclass(frozen=True)
class Position:
    """Where a member is in a post: its prompts, the step they are on, what they answered and
    where they took a hint."""

    post: PostRow
    prompts: list[Prompt]
    progress: MemberProgress

    @property
    def step(self) -> int:
        return self.progress.step

    @property
    def done(self) -> bool:
        return self.step >= len(self.prompts)

    @property
    def prompt(self) -> Prompt:
        return self.prompts[self.step]


class FigureSource(Protocol):
    """Draws the figure a follow-up talks about ("그 그래프에서 ...")."""

    async def figure(self, name: str, lang: Lang) -> Image | None: ...


def show_figure_when_drawn(
    background: InFlight,
    turn: Turn,
    figures: FigureSource,
    demo: str,
    *,
    thread_id: str | None = None,
    ephemeral: bool = False,
) -> None:
    """Post the figure a question talks about below it once the compute service has drawn it;
    the question itself never waits for it. Nothing is posted without one. The task is tracked
    in `background`, so a graceful stop still waits for it."""

    async def show() -> None:
        try:
            figure = await figures.figure(demo, turn.lang)
            if figure is not None:
                await turn.say(
                    turn.t("question_figure", name=demo),
                    kind=ReplyKind.FOLLOWUP,
                    thread_id=thread_id,
                    ephemeral=ephemeral,
                    images=(figure,),
                )
        except Exception:
            log.exception("posting the figure %s for user=%s failed", demo, turn.user)

    background.spawn(show(), name=f"figure-{demo}")


def graded_text(
    turn: Turn, prompt: Prompt, answer: str, grade: Grade, answered_at: datetime
) -> GradedText:
    """What storage keeps of a member's graded answer, in the channel or in practice: the part
    that was graded (the grade's feedback tells the member when a long answer was cut)."""
    return GradedText(
        user_id=turn.user,
        prompt_id=prompt.id,
        message_id=turn.incoming.message_id,
        text=graded_part(answer),
        score=grade.score,
        verdict=grade.verdict.value,
        covered=grade.covered,
        missed=grade.missed,
        flags=tuple(flag.value for flag in grade.flags),
        answered_at=answered_at,
    )


@dataclass(kw_only=True, eq=False)
class AnswerFlow(CommandPart[AnswerCommand]):
    """Serves the answers and the commands that move a member through a post."""

    commands = Declared(
        serves=(Answer, Next, Skip, Hint),
        verbs=VERBS,
        typed=TYPED,
        help=("help_next", "help_skip_hint"),
    )

    repo: AnswerStore
    posts: PostStore
    bank: Bank
    desk: GradingDesk
    clock: Callable[[], datetime]
    background: InFlight
    figures: FigureSource | None = None
    reviewer: CardReviewer | None = None
    day: MemberDay = field(init=False)

    def __post_init__(self) -> None:
        self.day = MemberDay(posts=self.posts, answers=self.repo, bank=self.bank)

    async def serve(self, command: AnswerCommand, turn: Turn) -> None:
        if isinstance(command, Answer):
            await self.answer(turn, command.text)
        elif isinstance(command, Next):
            await self.next(turn)
        elif isinstance(command, Skip):
            await self.skip(turn)
        elif isinstance(command, Hint):
            await self.hint(turn)
        else:
            assert_never(command)

    def _bank(self, post: PostRow) -> Bank:
        """The bank as the post's channel sees it."""
        return self.bank.seen_from(post.platform, post.channel_id)

    @property
    def hint_cap(self) -> int:
        return self.desk.hint_cap

    def _today(self, turn: Turn) -> date:
        return channel_schedule(turn.channel).local_day(self.clock())

    async def _post(self, turn: Turn) -> PostRow | None:
        """The post the member's message belongs to: its thread's; without a thread, the latest,
        and once they finished it, the newest of today's posts they started and left unfinished
        (an extra question came between them and its follow-ups)."""
        post = await current_post(self.posts, turn.incoming)
        if post is None or not turn.incoming.threadless:
            return post
        if not await self.day.finished(post, turn.user):
            return post
        return await self.day.pending(post, turn.user, self._today(turn), besides=post) or post

    async def _position(self, turn: Turn, post: PostRow | None = None) -> Position | None:
        """Where the member is in the post their message belongs to (or `post`); None (and a
        reply saying so) when there is no such post."""
        post = post or await self._post(turn)
        if post is None:
            await turn.say(turn.t(no_post_key(turn.incoming)), kind=ReplyKind.ERROR, ephemeral=True)
            return None
        if self._bank(post).open_question(post.prompt_id) is not None:
            await turn.say(turn.t("open_question_no_steps"), ephemeral=True)
            return None
        prompts = sequence(self.bank, post)
        progress = await self.repo.member_progress(
            post, user_id=turn.user, prompt_ids=[p.id for p in prompts]
        )
        return Position(post, prompts, progress)

    @staticmethod
    def _next_open_step(position: Position) -> int:
        """The first prompt after the current one that the member has neither answered nor
        skipped (skips move the step past a prompt)."""
        prompts = position.prompts
        for index in range(position.step + 1, len(prompts)):
            if prompts[index].id not in position.progress.best:
                return index
        return len(prompts)

    async def answer(self, turn: Turn, answer: str) -> None:
        """Every answer typed in a channel, on any platform, comes here; one that shows nothing
        or is in a language the grader does not read (`refusal`) is refused before anything is
        stored, and the member stays on their prompt."""
        post = await self._post(turn)
        why = refusal(answer)
        if post is not None and why is not None:
            await turn.say(
                turn.t(f"{why}_answer"),
                kind=ReplyKind.ERROR,
                thread_id=post.thread_id,
                ephemeral=True,
            )
            return
        if post is not None and self._bank(post).open_question(post.prompt_id) is not None:
            await keep_open_answer(self.repo, turn, post, answer, at=self.clock())
            await self._resume_elsewhere(turn, post)
            return
        position = await self._position(turn, post)
        if position is None:
            return
        post = position.post
        if position.done:
            await self._finished(turn, post)
            return
        prompt = position.prompt
        cap = self.desk.cap(hinted=prompt.id in position.progress.hinted)
        try:
            grade = await self.desk.grade(
                prompt,
                answer,
                where=Where(post.platform, post.channel_id),
                lang=turn.lang,
                cap=cap,
                revealed=post.revealed,
            )
        except EmbeddingUnavailableError as exc:
            await self._keep_pending(turn, post, prompt, answer, cap=cap, reason=exc.reason)
            return
        next_step = self._next_open_step(position)
        stored = await self.repo.record_answer(
            AnswerWrite(
                post=post,
                graded=graded_text(turn, prompt, answer, grade, self.clock()),
                next_step=next_step,
                card=await self._reviewed_card(
                    turn, prompt, grade.score, position.progress.cards.get(prompt.id)
                ),
            )
        )
        if not stored:
            # Another replica took this message over while this one was grading (it looked
            # gone), and stored and answered it first: the member hears from it alone.
            log.warning(
                "answer to message=%s was stored by another replica", turn.incoming.message_id
            )
            return
        if turn.incoming.threadless:
            await turn.say(turn.t("answer_to", text=prompt.text.get(turn.lang)))
        await turn.say(
            self.grade_text(turn, prompt, grade),
            kind=ReplyKind.GRADE,
            thread_id=post.thread_id,
            mention=True,
        )
        await self._ask(turn, post, next_step, key="followup")

    async def _keep_pending(
        self,
        turn: Turn,
        post: PostRow,
        prompt: Prompt,
        answer: str,
        *,
        cap: int | None,
        reason: str,
    ) -> None:
        """The grader is unavailable (its server is down, or a number it would grade with is not
        finite): store the answer as it came (the member stays on this prompt) and say it will be
        graded; `grade_pending` does that once the grader is back."""
        await self.repo.add_pending_answer(
            pending_answer(
                turn, post, prompt.id, answer, cap=cap, revealed=post.revealed, at=self.clock()
            )
        )
        telemetry().answer_kept_pending()
        log.warning(
            "answer kept ungraded user=%s prompt=%s: grader unavailable (%s)",
            turn.user,
            prompt.id,
            reason,
        )
        await turn.say(
            turn.t("grading_unavailable"),
            thread_id=post.thread_id,
            mention=True,
        )

    async def grade_pending(self, turn: Turn, pending: PendingAnswer) -> bool:
        """Grade one kept answer and reply in its post's thread. A member still on that prompt
        moves on and gets the next question; one who moved on meanwhile stays where they are.
        False: it was graded already (by another process). Raises EmbeddingUnavailableError
        while the server is still unavailable, leaving the answer kept."""
        assert pending.id is not None, "a stored pending answer has an id"
        post = await self.posts.post(post_id=pending.post_id)
        if post is None or pending.prompt_id not in self._bank(post):
            log.warning("pending answer %d waits for a post or prompt that is gone", pending.id)
            return False
        prompts = sequence(self.bank, post)
        prompt = self._bank(post).get(pending.prompt_id)
        grade = await self.desk.grade(
            prompt,
            pending.text,
            where=Where(post.platform, post.channel_id),
            lang=turn.lang,
            cap=pending.cap,
            revealed=pending.revealed,
        )
        progress = await self.repo.member_progress(
            post, user_id=turn.user, prompt_ids=[p.id for p in prompts]
        )
        position = Position(post, prompts, progress)
        index = next((i for i, p in enumerate(prompts) if p.id == prompt.id), len(prompts))
        moves_on = position.step == index
        next_step = self._next_open_step(position) if moves_on else position.step
        recorded = await self.repo.record_pending_answer(
            AnswerWrite(
                post=post,
                graded=graded_text(turn, prompt, pending.text, grade, pending.received_at),
                next_step=next_step,
                card=await self._reviewed_card(
                    turn, prompt, grade.score, progress.cards.get(prompt.id)
                ),
            ),
            pending_id=pending.id,
        )
        if not recorded:
            return False
        await turn.say(
            self.grade_text(turn, prompt, grade),
            kind=ReplyKind.GRADE,
            thread_id=post.thread_id,
            mention=True,
        )
        if moves_on:
            await self._ask(turn, post, next_step, key="followup")
        return True

    async def _reviewed_card(
        self, turn: Turn, prompt: Prompt, score: int, held: PracticeCardRow | None
    ) -> PracticeCardRow | None:
        """The card is computed before the answer's transaction and saved in it: a card that
        cannot be computed is logged and left out, and the answer is saved without it."""
        if self.reviewer is None:
            return None
        try:
            return await self.reviewer.reviewed_card(turn, prompt, score, held)
        except Exception:
            log.exception("practice review failed user=%s prompt=%s", turn.user, prompt.id)
            return None

    async def resend_grade(self, turn: Turn, post_id: int, graded: GradedText) -> None:
        """The grade of an answer stored by a replica that died before it was done replying,
        then the member's next prompt: each only when the thread does not have it already.
        The feedback line is not stored, so a grade sent here leaves it out."""
        post = await self.posts.post(post_id=post_id)
        if post is None or graded.prompt_id not in self._bank(post):
            log.warning("stored answer to message=%s has no post or prompt", graded.message_id)
            return
        sent = frozenset[ReplyKind]()
        if post.thread_id is not None and graded.message_id is not None:
            sent = await turn.transport.replies_sent(
                turn.channel.channel_id, post.thread_id, graded.message_id, since=graded.answered_at
            )
        if ReplyKind.GRADE not in sent:
            prompt = self._bank(post).get(graded.prompt_id)
            grade = Grade(
                score=graded.score,
                verdict=Verdict(graded.verdict),
                covered=graded.covered,
                missed=graded.missed,
            )
            await turn.say(
                self.grade_text(turn, prompt, grade),
                kind=ReplyKind.GRADE,
                thread_id=post.thread_id,
                mention=True,
            )
        if sent & _NEXT_PROMPT:
            return
        prompts = sequence(self.bank, post)
        progress = await self.repo.member_progress(
            post, user_id=turn.user, prompt_ids=[p.id for p in prompts]
        )
        await self._ask(turn, post, progress.step, key="followup")

    @staticmethod
    def grade_text(turn: Turn, prompt: Prompt, grade: Grade) -> str:
        verdict = turn.t(f"verdict_{grade.verdict.value}")
        lines = [turn.t("grade_head", score=grade.score, verdict=verdict)]
        if grade.covered:
            names = ", ".join(prompt.concept(c).label(turn.lang) for c in grade.covered)
            lines.append(turn.t("covered", items=names))
        if grade.missed:
            names = ", ".join(prompt.concept(c).label(turn.lang) for c in grade.missed)
            lines.append(turn.t("missed", items=names))
        if grade.feedback:
            lines.append(grade.feedback)
        return "\n".join(lines)

    async def _ask(self, turn: Turn, post: PostRow, step: int, *, key: str) -> None:
        """Ask the member the prompt at `step`, or tell them they are done for the day."""
        prompts = sequence(self.bank, post)
        if step >= len(prompts):
            await self._finished(turn, post)
            return
        prompt = prompts[step]
        body = turn.t(
            key,
            index=step,
            total=len(prompts) - 1,
            text=prompt.text.get(turn.lang),
        )
        await turn.say(body, kind=ReplyKind.FOLLOWUP, thread_id=post.thread_id, mention=True)
        if prompt.figure_demo is not None and self.figures is not None:
            show_figure_when_drawn(
                self.background, turn, self.figures, prompt.figure_demo, thread_id=post.thread_id
            )

    async def _finished(self, turn: Turn, post: PostRow) -> None:
        """The member is done with `post`: without threads, back to an earlier post of the day
        they have not finished; else done for the day, with their points as the leaderboard
        counts them."""
        if await self._resume_elsewhere(turn, post):
            return
        total = await self.day.points(post, turn.user, self._today(turn))
        await turn.say(
            turn.t("all_done", total=total),
            thread_id=post.thread_id,
            mention=True,
        )

    async def _resume_elsewhere(self, turn: Turn, post: PostRow) -> bool:
        """Without threads, ask the member where they stand in the newest other post of the
        day they started and left unfinished (an extra question came between them and its
        follow-ups); False when there is none, or on a platform with threads, where each post
        keeps its own."""
        if not turn.incoming.threadless:
            return False
        earlier = await self.day.pending(post, turn.user, self._today(turn), besides=post)
        if earlier is None:
            return False
        prompts = sequence(self.bank, earlier)
        progress = await self.repo.member_progress(
            earlier, user_id=turn.user, prompt_ids=[p.id for p in prompts]
        )
        prompt = prompts[progress.step]
        await turn.say(turn.t("back_to", text=prompt.text.get(turn.lang)), mention=True)
        return True

    async def next(self, turn: Turn) -> None:
        """Show the prompt the member is on; when they are done (an open question they answered
        counts as done), reopen what they skipped today, else the lowest score of the day."""
        post = await self._post(turn)
        if (
            post is not None
            and self._bank(post).open_question(post.prompt_id) is not None
            and await self.day.finished(post, turn.user)
        ):
            await self._reopen(turn, post)
            return
        position = await self._position(turn, post)
        if position is None:
            return
        if not position.done:
            await self._ask(turn, position.post, position.step, key="current")
            return
        await self._reopen(turn, position.post)

    async def _reopen(self, turn: Turn, post: PostRow) -> None:
        """Reopen, in its post's thread, the first prompt of the day's posts the member skipped
        and has not answered; with none, their lowest-scored one."""
        today = self._today(turn)
        skipped = await self.day.skipped(post, turn.user, today)
        if skipped is not None:
            await self.repo.set_step(post_id=skipped.post.id, user_id=turn.user, step=skipped.step)
            await self._ask(turn, skipped.post, skipped.step, key="skipped_again")
            return
        retry = await self.day.lowest(post, turn.user, today)
        if retry is None:
            await turn.say(turn.t("perfect"), thread_id=post.thread_id, mention=True)
            return
        await self.repo.set_step(post_id=retry.post.id, user_id=turn.user, step=retry.step)
        await self._ask(turn, retry.post, retry.step, key="retry")

    async def skip(self, turn: Turn) -> None:
        position = await self._position(turn)
        if position is None:
            return
        post = position.post
        if position.done:
            await self._finished(turn, post)
            return
        next_step = self._next_open_step(position)
        await self.repo.skip(
            post_id=post.id, user_id=turn.user, prompt_id=position.prompt.id, next_step=next_step
        )
        await turn.say(turn.t("skipped"), thread_id=post.thread_id, mention=True)
        await self._ask(turn, post, next_step, key="followup")

    async def hint(self, turn: Turn) -> None:
        """Name one key concept the member has not covered yet; caps that prompt's score."""
        position = await self._position(turn)
        if position is None:
            return
        post = position.post
        if position.done:
            await turn.say(turn.t("nothing_to_hint"), ephemeral=True)
            return
        prompt = position.prompt
        if prompt.kind == "open" or not prompt.concepts:
            await turn.say(turn.t("hint_open"), ephemeral=True)
            return
        covered = {
            concept
            for answer in await self.repo.answers_for(post_id=post.id, user_id=turn.user)
            if answer.prompt_id == prompt.id
            for concept in answer.covered
        }
        concept = next((c for c in prompt.concepts if c.id not in covered), prompt.concepts[0])
        await self.repo.add_hint(
            post_id=post.id, user_id=turn.user, prompt_id=prompt.id, concept_id=concept.id
        )
        body = turn.t("hint", concept=concept.label(turn.lang), cap=self.hint_cap)
        await turn.say(body, kind=ReplyKind.HINT, thread_id=post.thread_id, mention=True)
