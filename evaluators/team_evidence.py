"""The grader's memory of team-graded answers: each graded answer is measured once (its vector
and the grade the grader gives it alone), so grading with 200 graded answers per question costs
one matrix product per answer, not 200 encodes."""

from __future__ import annotations

import asyncio
import hashlib
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence

from content.schema import Prompt
from evaluators.embedding.vectors import Matrix
from evaluators.taught import HeldGrade, TeamGrade

Measure = Callable[[Prompt, str], Awaitable[tuple[Matrix, int] | None]]
"""A graded answer's vector and the grader's own grade of it; None where a guardrail decides
it (empty, "I don't know", noise), which no vector says anything about."""

_Key = tuple[str, str]

HELD_LIMIT = 20_000
"""Graded answers held at most, least recently read first out (each is a vector and a grade,
about 2 KB with e5's 384 dimensions): a prompt edited or a team gone leaves its entries behind,
which would otherwise stay for the life of the process."""


def prompt_fingerprint(prompt: Prompt) -> str:
    """Changes when an admin edits the prompt (its model answers, concepts), which changes the
    grader's own grade of every answer to it."""
    return hashlib.sha256(prompt.model_dump_json().encode()).hexdigest()[:16]


class TeamEvidence:
    """Held team grades by (prompt as it is now, answer text), at most `limit` of them.
    Concurrent grades that need the same graded answer wait on one measurement. Lives as long as
    its grader (one event loop)."""

    def __init__(self, limit: int = HELD_LIMIT) -> None:
        self._limit = limit
        self._measured: OrderedDict[_Key, tuple[Matrix, int] | None] = OrderedDict()
        self._pending: dict[_Key, asyncio.Future[tuple[Matrix, int] | None]] = {}

    def __len__(self) -> int:
        return len(self._measured)

    async def held(
        self, prompt: Prompt, grades: Sequence[TeamGrade], measure: Measure
    ) -> list[HeldGrade]:
        """`grades` of `prompt` as held grades, measuring (once) those not yet measured."""
        for grade in grades:
            if grade.prompt_id != prompt.id:
                raise ValueError(
                    f"a team grade of prompt {grade.prompt_id!r} handed in for {prompt.id!r}"
                )
        fingerprint = prompt_fingerprint(prompt)
        keys = [(fingerprint, grade.answer) for grade in grades]
        found_now = {key: self._measured[key] for key in keys if key in self._measured}
        for key in found_now:
            self._measured.move_to_end(key)
        todo = list(dict.fromkeys(k for k in keys if k not in found_now))
        if todo:
            measured = await asyncio.gather(*(self._measure(prompt, key, measure) for key in todo))
            found_now.update(zip(todo, measured, strict=True))
            # Kept in the order they were read, not the order their measures finished in (a
            # worker thread's), so the first read is the first dropped.
            for key, result in zip(todo, measured, strict=True):
                self._measured[key] = result
                self._measured.move_to_end(key)
            while len(self._measured) > self._limit:
                self._measured.popitem(last=False)
        held = []
        for grade, key in zip(grades, keys, strict=True):
            found = found_now[key]
            if found is not None:
                held.append(HeldGrade(grade=grade, vector=found[0], predicted=found[1]))
        return held

    async def _measure(
        self, prompt: Prompt, key: _Key, measure: Measure
    ) -> tuple[Matrix, int] | None:
        pending = self._pending.get(key)
        if pending is not None:
            return await pending
        future: asyncio.Future[tuple[Matrix, int] | None] = (
            asyncio.get_running_loop().create_future()
        )
        self._pending[key] = future
        try:
            result = await measure(prompt, key[1])
        except BaseException as exc:
            future.set_exception(exc)
            # Nobody else may be waiting; the exception is raised here, so mark it retrieved.
            future.exception()
            raise
        else:
            future.set_result(result)
            return result
        finally:
            del self._pending[key]
