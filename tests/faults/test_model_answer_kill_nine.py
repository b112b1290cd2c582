"""`kill -9` of the web page while an open question's 40 kept answers are graded against its new
model answer (issue 60, case 5), on SQLite and PostgreSQL: afterwards the question is still open
with the model answer saved and no answer graded; the restart grades all 40 against the saved
text, each once with its member's notice, and makes the question ready; a second restart does
nothing."""

from __future__ import annotations

import asyncio
import contextlib
import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import httpx
import pytest

from bot.app import channel_defaults, web_tokens
from bot.config import Settings
from bot.core.messages import Actor, Incoming
from bot.core.models import QuestionEdit
from bot.storage.repository import Repository
from bot.web.signing import LinkIssuer
from bot.wiring import wire
from content.loader import load_bank
from content.schema import Localized, Prompt
from tests.bot.recording import RecordingTransport
from tests.faults.model_answer_page import SECRET
from tests.fixed_grader import FixedGrader
from tests.web.client import browser, form_fields, sign_in

PLATFORM, CHANNEL = "slack", "C-kill"
QUESTION = Prompt(
    id="kill-001",
    status="waiting",
    text=Localized(ko="드롭아웃은 왜 과적합을 줄이나요?", en="Why does dropout work?"),
    topics=("kill",),
)
MODEL_ANSWER = (
    "Dropout turns off random units while training, so no unit can rely on another and the "
    "network learns redundant features, an average of many thinned networks: 37"
)
KEPT = 40
KILLED_AFTER = 8
REPO_ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 120.0


async def _kept_answers(db: Path | str) -> None:
    """The open question stored as channel C-kill's, posted there, and answered by 40 members
    (kept: an open question's answers wait for its model answer)."""
    repo = await Repository.open(db)
    try:
        bank = load_bank()
        await repo.team_questions.create(
            [QUESTION],
            QuestionEdit(platform=PLATFORM, channel_id=CHANNEL, edited_by="U-admin", at=_now()),
        )
        bank.put(QUESTION)
        settings = Settings(_env_file=None, lang="en", db=db)
        service = wire(
            repo=repo, bank=bank, grader=FixedGrader(), defaults=channel_defaults(settings)
        )
        transport = RecordingTransport()
        said = [(Actor("U-admin", "Admin", is_admin=True), f"/quiz now {QUESTION.id}")]
        said += [
            (Actor(f"U-{n}", f"Member {n}"), f"member {n} says dropout regularizes")
            for n in range(1, KEPT + 1)
        ]
        for actor, text in said:
            incoming = Incoming(platform=PLATFORM, channel_id=CHANNEL, actor=actor, text=text)
            await service.intake.handle(incoming, transport)
    finally:
        await repo.close()


def _now() -> datetime:
    return datetime.now(UTC)


class Child:
    """`python -m tests.faults.model_answer_page DB MODE`, its stdout read line by line."""

    def __init__(self, db: Path | str, mode: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.faults.model_answer_page", str(db), mode],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": str(REPO_ROOT), "HF_HUB_OFFLINE": "1"},
            cwd=REPO_ROOT,
            text=True,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        assert self.proc.stdout is not None
        threading.Thread(target=self._pump, args=(self.proc.stdout,), daemon=True).start()

    def _pump(self, stream: IO[str]) -> None:
        for line in stream:
            self.lines.put(line.strip())
        self.lines.put(None)

    def wait_for(self, prefix: str) -> str:
        while True:
            line = self.lines.get(timeout=START_TIMEOUT_S)
            if line is None:
                assert self.proc.stderr is not None
                raise AssertionError(f"the child ended: {self.proc.stderr.read()[-2000:]}")
            if line.startswith(prefix):
                return line


def _state(db: Path | str) -> dict[str, object]:
    async def read() -> dict[str, object]:
        repo = await Repository.open(db)
        try:
            answers = await repo.answers.channel_answers(platform=PLATFORM, channel_id=CHANNEL)
            kept = await repo.answers.open_answers(
                platform=PLATFORM, channel_id=CHANNEL, prompt_id=QUESTION.id
            )
            stored = {p.id: p for p in await repo.team_questions.all()}[QUESTION.id]
            notices = await repo.db.fetch("SELECT user_id FROM web_notices")
            saved = await repo.model_answers.waiting(prompt_id=QUESTION.id)
        finally:
            await repo.close()
        return {
            "graded": sorted(a.score for a in answers if a.prompt_id == QUESTION.id),
            "graded_members": len({a.user_id for a in answers if a.prompt_id == QUESTION.id}),
            "kept": len(kept),
            "status": stored.status,
            "reference": stored.references[0].text if stored.references else None,
            "notices": sorted(str(row[0]) for row in notices),
            "waiting": None if saved is None else saved.prompt.references[0].text,
        }

    return asyncio.run(read())


@pytest.fixture
def killed(database: Path | str) -> Iterator[Path | str]:
    """The page killed with SIGKILL after 8 of the 40 kept answers were graded."""
    asyncio.run(_kept_answers(database))
    child = Child(database, "serve")
    try:
        url = child.wait_for("serving ").split(" ", 1)[1]
        link = LinkIssuer(web_tokens(SECRET), url).link(
            platform=PLATFORM, channel_id=CHANNEL, user_id="U-admin", is_admin=True
        )
        with browser() as admin:
            assert sign_in(admin, link).status_code == 303
            page = admin.get(f"{url}/c/{PLATFORM}/{CHANNEL}/open/{QUESTION.id}")
            assert page.status_code == 200, page.text
            form = {
                "csrf": form_fields(page.text)["csrf"],
                "model_answer": MODEL_ANSWER,
                "answer_lang": "en",
            }
            saving = threading.Thread(
                target=_post_until_killed,
                args=(admin, f"{url}/c/{PLATFORM}/{CHANNEL}/open/{QUESTION.id}/save", form),
                daemon=True,
            )
            saving.start()
            child.wait_for(f"graded {KILLED_AFTER}")
            child.proc.send_signal(signal.SIGKILL)
            child.proc.wait(timeout=30)
            saving.join(timeout=30)
    finally:
        if child.proc.poll() is None:
            child.proc.kill()
    yield database


def _post_until_killed(client: httpx.Client, url: str, form: dict[str, str]) -> None:
    with contextlib.suppress(httpx.HTTPError):  # the page is killed under the request
        client.post(url, data=form, timeout=START_TIMEOUT_S)


def _restart(db: Path | str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "tests.faults.model_answer_page", str(db), "restart"],
        capture_output=True,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT), "HF_HUB_OFFLINE": "1"},
        cwd=REPO_ROOT,
        text=True,
        timeout=START_TIMEOUT_S,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    [last] = [line for line in done.stdout.splitlines() if line.startswith("finished ")]
    return last


def test_a_kill_while_grading_keeps_the_question_waiting_and_a_restart_grades_once(
    killed: Path | str,
) -> None:
    after_kill = _state(killed)
    assert after_kill == {
        "graded": [],
        "graded_members": 0,
        "kept": KEPT,
        "status": "waiting",
        "reference": None,
        "notices": [],
        "waiting": MODEL_ANSWER,
    }
    assert _restart(killed) == "finished 1"
    after_restart = _state(killed)
    assert after_restart["graded"] == [37] * KEPT  # each against the saved text
    assert after_restart["graded_members"] == KEPT
    assert after_restart["notices"] == sorted(f"U-{n}" for n in range(1, KEPT + 1))
    assert (after_restart["kept"], after_restart["status"]) == (0, "ready")
    assert (after_restart["reference"], after_restart["waiting"]) == (MODEL_ANSWER, None)
    assert _restart(killed) == "finished 0"
    assert _state(killed) == after_restart
