"""The child process behind `bench memory`'s burst row: the grader alone, model loaded, grading
a burst of concurrent answers and exiting, so its peak RSS is what a burst adds to a resident
model. Run as `python -m tools.bench.burst N` with the usual `QUIZMASTER_*` settings."""

from __future__ import annotations

import asyncio
import sys

from bot.config import Settings
from evaluators.fitting.dev_set import DEV_SET_PATH
from tools.bench.grading import prepared_grader, samples


async def grade_burst(settings: Settings, n: int) -> int:
    """Grade `n` answers at once (the shipped dev set's answers); the number graded."""
    async with prepared_grader(settings) as (bank, grader):
        batch, _ = samples(bank, n, DEV_SET_PATH)
        grades = await asyncio.gather(*(grader.grade(s.prompt, s.answer) for s in batch))
    return len(grades)


def main(argv: list[str]) -> int:
    n = int(argv[0]) if argv else 200
    print(f"graded {asyncio.run(grade_burst(Settings(), n))}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
