"""The web page as a process a test can kill while an open question's kept answers are graded,
and its restart. `python -m tests.faults.model_answer_page DB serve` serves the page (the real
app on the real database) until killed, grading with `tests.fixed_grader.ReferenceScore` slowed
to `GRADE_S` an answer and printing `graded N` after each; `... DB restart` does what a start of
`quizmaster web` does before it serves (`ModelAnswers.resume` of every model answer left
unfinished), prints `finished N` and exits."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.app import open_service, page_wiring, web_app, web_tokens
from bot.config import Settings
from bot.storage.repository import Repository
from bot.web.server import bind, port_of, serving_beside
from content.loader import load_bank
from tests.fixed_grader import ReferenceScore

SECRET = "model-answer-kill-secret-0123"
GRADE_S = 0.2


def now() -> datetime:
    return datetime.now(UTC)


async def serve(db: Path | str) -> None:
    repo = await Repository.open(db)
    bank = load_bank()
    await repo.team_questions.load_into(bank)
    settings = Settings(_env_file=None, lang="en", db=db)
    wired = page_wiring(
        settings, repo=repo, bank=bank, grader=ReferenceScore(pause=GRADE_S, say=True)
    )
    app = web_app(settings, wired, tokens=web_tokens(SECRET))
    sock = bind("127.0.0.1", 0, any_port_if_busy=False)
    async with serving_beside(app, sock):
        print(f"serving http://127.0.0.1:{port_of(sock)}", flush=True)
        await asyncio.Event().wait()


async def restart(db: Path | str) -> None:
    settings = Settings(_env_file=None, lang="en", db=db)
    async with open_service(settings, grader=ReferenceScore(), page_alone=True) as wired:
        print(f"finished {await wired.model_answers.resume(saved_before=now())}", flush=True)


if __name__ == "__main__":
    target: Path | str = sys.argv[1] if "://" in sys.argv[1] else Path(sys.argv[1])
    asyncio.run(serve(target) if sys.argv[2] == "serve" else restart(target))
