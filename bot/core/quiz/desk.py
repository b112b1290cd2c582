"""The grading desk: the one way the quiz asks for a grade. The channel's answers, practice, the
answers kept for an open question and the web page's "Try the grader" all come here, so each is
graded with the same inputs: the cap after a hint, whether the model answer was revealed, the
channel's own team grades of the question, and the member's language; and what is stored of an
answer is the part the grader reads. Nothing else in `bot/` reaches past `evaluators.grade` into
the grader."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.team_grading import HumanGrades
from content.schema import Lang, Prompt
from evaluators import Explainer, Explanation
from evaluators.grade import (
    MAX_ANSWER_CHARS,
    EmbeddingUnavailableError,
    Grade,
    Grader,
    NonFiniteError,
    TeamGrade,
)


def graded_part(answer: str) -> str:
    """The part of `answer` the grader reads, and storage keeps: its first `MAX_ANSWER_CHARS`
    characters (the grade's feedback says so when a long answer was cut)."""
    return answer[:MAX_ANSWER_CHARS]


@dataclass(frozen=True)
class Where:
    """The channel an answer was given in, whose team grades are the grader's evidence."""

    platform: str
    channel_id: str


@dataclass(frozen=True)
class Tried:
    """A grade and, where the grader can give one, why (`quizmaster grade --explain`)."""

    grade: Grade
    explanation: Explanation | None


@dataclass(kw_only=True, eq=False)
class GradingDesk:
    """Builds the grader's inputs for an answer to a prompt in a channel, and asks the grader.
    `hint_cap` is the most an answer after `/quiz hint` may score; `human_grades` are the
    channels' applied team grades (None: no team evidence, as for a grader without storage)."""

    grader: Grader
    hint_cap: int
    human_grades: HumanGrades | None = None

    def cap(self, *, hinted: bool) -> int | None:
        """The cap on an answer to a prompt the member took a hint on (None: no hint)."""
        return self.hint_cap if hinted else None

    async def taught(self, prompt: Prompt, where: Where) -> list[TeamGrade]:
        """The channel's human grades of `prompt`, the grader's evidence for an answer to it.
        Read afresh for each answer: admins apply grades on the web page, often in another
        process (`quizmaster web`) or replica, so a copy kept here could not know it went
        stale. One query on the channel's answers to the prompt; the grader measures each
        graded answer once and keeps it. An open prompt's answers are counted, not scored."""
        if self.human_grades is None or prompt.kind == "open":
            return []
        grades = await self.human_grades.human_grades(
            platform=where.platform, channel_id=where.channel_id, prompt_id=prompt.id
        )
        return [grade.evidence() for grade in grades]

    async def grade(
        self,
        prompt: Prompt,
        answer: str,
        *,
        where: Where,
        lang: Lang,
        cap: int | None = None,
        revealed: bool = False,
    ) -> Grade:
        """`answer` to `prompt` in the channel `where`, feedback in `lang`; `cap` from `cap()`
        (or kept with an answer graded later), `revealed`: its model answer was shown. Raises
        `EmbeddingUnavailableError` when the grader cannot grade now: its server does not
        answer, or a number the grade would be made of is NaN or infinite (`NonFiniteError`, a
        kind of it). Either way no grade exists, and every caller keeps the answer or says to
        try again; never a score."""
        return await self.grader.grade(
            prompt,
            answer,
            lang=lang,
            cap=cap,
            revealed=revealed,
            taught=await self.taught(prompt, where),
        )

    async def explain(self, prompt: Prompt, answer: str, *, where: Where, lang: Lang) -> Tried:
        """`answer` graded as the channel `where` would grade it, with why where the grader can
        say (the web page's "Try the grader"), stored nowhere."""
        taught = await self.taught(prompt, where)
        # The wired desk grades through a wrapper that meters member grades (it holds the grader
        # it wraps as `grader`); a try is no member's grade, so it asks the grader itself.
        explainer = getattr(self.grader, "grader", self.grader)
        if isinstance(explainer, Explainer):
            scored = await explainer.explain(prompt, answer, lang=lang, taught=taught)
            return Tried(scored.grade, scored.explanation)
        grade = await self.grader.grade(prompt, answer, lang=lang, taught=taught)
        return Tried(grade, None)


def grader_back_for_others(refused: EmbeddingUnavailableError) -> bool:
    """The one rule of a round that grades kept answers (the chat's pending answers, the open
    questions' model answers) when one is refused: a number not finite refuses that answer
    alone, so it stays kept and the round goes on to the next; a grader that does not answer
    refuses them all, so the round stops and the rest wait for the next."""
    return isinstance(refused, NonFiniteError)
