"""`quizmaster eval siblings`: each follow-up's model answers graded on its main question, and
the main question's on each follow-up, with the calibration in use; and every one of those
prompts' model answers on its own prompt. An answer to a sibling should score at most
`SIBLING_CEILING` (issue 48); a prompt's own model answer should never be capped."""

from __future__ import annotations

import asyncio

import numpy as np

from content.bank import Bank
from content.schema import Prompt
from evaluators.fitting.siblings import swapped
from evaluators.grade import Flag, Grade
from evaluators.reading.language import answer_language
from evaluators.service import EmbeddingGrader

SIBLING_CEILING = 20
"""Issue 48: an answer to a related question of the same bank scores at most this."""

Figures = dict[str, float | int]


async def sibling_check(grader: EmbeddingGrader, bank: Bank) -> Figures:
    """The swapped answers' scores (how many at most `SIBLING_CEILING`, mean, max, how many the
    sibling rule capped) and the own answers' (lowest score, how many capped as a sibling's)."""
    pairs = list(swapped(bank))
    threads = {p.id: p for asked, sibling, _ in pairs for p in (asked, sibling)}
    own = [(p, r.text) for p in threads.values() for r in p.references]
    try:
        await grader.prepare(bank)

        async def grade(prompt_answers: list[tuple[Prompt, str]]) -> list[Grade]:
            graded = (grader.grade(p, t, lang=answer_language(t)) for p, t in prompt_answers)
            return list(await asyncio.gather(*graded))

        on_sibling = await grade([(asked, text) for asked, _, text in pairs])
        on_own = await grade(own)
    finally:
        await grader.aclose()
    if not pairs:
        return {"n": 0}
    scores = np.array([g.score for g in on_sibling], dtype=np.float64)
    own_scores = [g.score for g in on_own]
    return {
        "n": len(pairs),
        f"at_most_{SIBLING_CEILING}": int(np.sum(scores <= SIBLING_CEILING)),
        "mean": round(float(scores.mean()), 1),
        "max": int(scores.max()),
        "capped_as_sibling": sum(Flag.SIBLING in g.flags for g in on_sibling),
        "own_n": len(own_scores),
        "own_min": min(own_scores),
        "own_capped": sum(Flag.SIBLING in g.flags for g in on_own),
    }
