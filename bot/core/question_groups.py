"""A question's answer groups as the page and the digest read them: computed on a worker thread,
never on the event loop (a thousand answers are seconds of work, and the chat and every other
page share the loop), and kept while the question's answers and their scores hold.

A new answer, or a grade that changes a score, makes a new version of the question: its groups
are computed again, but each pair of answers the grader already read for contradiction
(`evaluators.grade.contradicts`, most of the work) is not read again. A staged grade changes no
score, so the groups it is shown in are the kept ones. Two loads of one version share one
computation.

A page load never encodes (`ready_groups`): a thousand answers no one encoded yet took 75 s on
the model, inside the request, while every other page waited behind it. Their encoding starts
in the background; the load waits for it at most `READY_WAIT_S` and shows the groups of the
answers encoded by then, with how many are still being prepared. The digest, which no one waits
on, groups every answer (`groups`)."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bot.core.team_grading import AnswerVectors, QuestionAnswer
from content.bank import Bank
from content.schema import Prompt
from evaluators.answer_groups import AnswerGroup, Stance, group_answers, not_opposed

KEPT = 32
"""Questions whose groups are kept: the ones a team grades in a sitting."""
READY_WAIT_S = 0.5
"""How long a page load waits for the answers it started encoding: a handful are ready by then
and the page is whole; a thousand are not, and the page shows the rest as being prepared."""

Question = tuple[str, str, str]
"""A question in a channel: platform, channel id, prompt id."""


Wording = tuple[str, str] | None
"""The question's text in each language, which the contradiction reading reads it by; None for
a question no longer in the bank."""
Version = tuple[Wording, tuple[tuple[int, int], ...]]
"""What the groups come from: the wording, and each answer's id and score in order."""


@dataclass(frozen=True)
class _Kept:
    version: Version
    groups: list[AnswerGroup[int]]
    """The groups by the answers' places in the version's order."""
    opposed: dict[tuple[int, int], bool]
    """Pairs of answer ids read for contradiction (the lower id first), for the version's
    wording."""


class QuestionGroups:
    """Answer groups of questions, kept per question in a channel."""

    def __init__(self, *, vectors: AnswerVectors, bank: Bank, kept: int = KEPT) -> None:
        self.vectors = vectors
        self.bank = bank
        self._size = kept
        self._kept: OrderedDict[Question, _Kept] = OrderedDict()
        self._running: dict[tuple[Question, Version], asyncio.Task[_Kept]] = {}
        self._encoding: dict[Question, asyncio.Task[None]] = {}
        self._failed: dict[Question, BaseException] = {}

    async def ready_groups(
        self, question: Question, answers: Sequence[QuestionAnswer]
    ) -> tuple[list[AnswerGroup[QuestionAnswer]], int]:
        """The groups of those of `answers` whose vectors are ready, and how many answers are
        still being encoded in the background (started here, for the next load to find). Raises
        `EmbeddingUnavailableError` when the last background encoding of the question failed on
        it (the next load tries again)."""
        failed = self._failed.pop(question, None)
        if failed is not None:
            raise failed
        pending = [a.answer.text for a in answers if not self.vectors.ready(a.answer.text)]
        if pending:
            encoding = self._encoding.get(question)
            if encoding is None:
                encoding = asyncio.ensure_future(self._encode(pending))
                self._encoding[question] = encoding
                encoding.add_done_callback(self._encoded(question))
            await asyncio.wait({encoding}, timeout=READY_WAIT_S)
            failed = self._failed.pop(question, None)
            if failed is not None:
                raise failed
        ready = [a for a in answers if self.vectors.ready(a.answer.text)]
        groups = await self.groups(question, ready) if ready else []
        return groups, len(answers) - len(ready)

    async def _encode(self, texts: Sequence[str]) -> None:
        await self.vectors.same_meaning()
        await self.vectors.vectors(texts)

    def _encoded(self, question: Question) -> Callable[[asyncio.Task[None]], None]:
        def done(task: asyncio.Task[None]) -> None:
            self._encoding.pop(question, None)
            failed = None if task.cancelled() else task.exception()
            if failed is not None:
                self._failed[question] = failed

        return done

    async def groups(
        self, question: Question, answers: Sequence[QuestionAnswer]
    ) -> list[AnswerGroup[QuestionAnswer]]:
        """`answers` (the question's in the channel) grouped by meaning, largest and most
        uncertain first. Raises `EmbeddingUnavailableError` when the embedding server cannot
        answer now."""
        if not answers:
            return []
        platform, channel_id, prompt_id = question
        seen = self.bank.seen_from(platform, channel_id)
        prompt = seen.get(prompt_id) if prompt_id in seen else None
        wording = None if prompt is None else (prompt.text.ko, prompt.text.en)
        version = (wording, tuple((a.answer.id, a.answer.score) for a in answers))
        kept = self._kept.get(question)
        if kept is None or kept.version != version:
            running = self._running.get((question, version))
            if running is None:
                running = asyncio.ensure_future(self._compute(question, version, answers, prompt))
                self._running[(question, version)] = running
                running.add_done_callback(self._finished(question, version))
            # A load that goes away (the browser closed) leaves the work to the next one.
            kept = await asyncio.shield(running)
        else:
            self._kept.move_to_end(question)  # the least recently shown goes first
        return [
            AnswerGroup(tuple(answers[i] for i in g.members), g.low, g.high) for g in kept.groups
        ]

    async def _compute(
        self,
        question: Question,
        version: Version,
        answers: Sequence[QuestionAnswer],
        prompt: Prompt | None,
    ) -> _Kept:
        vectors = await self.vectors.vectors([a.answer.text for a in answers])
        threshold = await self.vectors.same_meaning()
        before = self._kept.get(question)
        same_wording = before is not None and before.version[0] == version[0]
        opposed = dict(before.opposed) if before is not None and same_wording else {}
        groups = await asyncio.to_thread(_grouped, prompt, answers, vectors, opposed, threshold)
        kept = _Kept(version, groups, opposed)
        self._kept[question] = kept
        self._kept.move_to_end(question)
        while len(self._kept) > self._size:
            self._kept.popitem(last=False)
        return kept

    def _finished(
        self, question: Question, version: Version
    ) -> Callable[[asyncio.Task[_Kept]], None]:
        def done(task: asyncio.Task[_Kept]) -> None:
            self._running.pop((question, version), None)
            if not task.cancelled():
                task.exception()  # raised to every load that waited; marked read for none

        return done


def _grouped(
    prompt: Prompt | None,
    answers: Sequence[QuestionAnswer],
    vectors: npt.NDArray[np.float32],
    opposed: dict[tuple[int, int], bool],
    threshold: float,
) -> list[AnswerGroup[int]]:
    """On a worker thread: the answers' groups by place at the model's `threshold`, each
    answer's stance read from its stored grade and flags, each pair of answers read for
    contradiction at most once (the reading kept in `opposed`, by their ids, for the next
    version)."""
    ids = [a.answer.id for a in answers]
    texts = [a.answer.text for a in answers]
    read = not_opposed(prompt, texts.__getitem__)

    def may_share(first: int, second: int) -> bool:
        assert read is not None
        pair = (ids[first], ids[second]) if ids[first] < ids[second] else (ids[second], ids[first])
        apart = opposed.get(pair)
        if apart is None:
            apart = opposed[pair] = not read(first, second)
        return not apart

    return group_answers(
        list(range(len(answers))),
        vectors,
        score=lambda place: answers[place].answer.score,
        threshold=threshold,
        stance=lambda place: Stance.of(answers[place].answer.score, answers[place].answer.flags),
        may_share=None if read is None else may_share,
    )
