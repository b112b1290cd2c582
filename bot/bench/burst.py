"""The child process behind `bench memory`'s burst row: the grader alone, model loaded, grading
a burst of concurrent answers and exiting, so its peak RSS is what a burst adds to a resident
model. Run as `python -m bot.bench.burst N` with the usual `QUIZMASTER_*` settings."""

from __future__ import annotations

import asyncio
import sys

from bot.app import load_configured_bank
from bot.bench.grading import DEV_SET, samples
from bot.config import Settings
from evaluators import create_grader


async def grade_burst(settings: Settings, n: int) -> int:
    """Grade `n` answers at once (dev-set answers when present); the number graded."""
    bank = load_configured_bank(settings)
    grader = create_grader(
        model_name=settings.embedding_model,
        device=settings.embedding_device,
        cache_dir=settings.cache_dir,
    )
    try:
        await grader.prepare(bank)
        batch, _ = samples(bank, n, DEV_SET)
        grades = await asyncio.gather(*(grader.grade(s.prompt, s.answer) for s in batch))
    finally:
        await grader.aclose()
    return len(grades)


def main(argv: list[str]) -> int:
    n = int(argv[0]) if argv else 200
    print(f"graded {asyncio.run(grade_burst(Settings(), n))}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
