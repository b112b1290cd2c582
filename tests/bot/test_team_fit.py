"""`quizmaster eval fit --team`, as its own process on a real database: the resolved appeals are the
team's human grades; the refit on the dev set plus them is shown before and after, and stored for
the model only when it is no worse."""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

from bot.app import channel_defaults
from bot.config import Settings
from bot.core.messages import Actor, Incoming
from bot.core.team_grading import AppliedGrade, GroupGrade
from bot.human_grade_rows import human_grade_rows
from bot.storage.repository import Repository
from bot.wiring import wire
from content.bank import Bank
from evaluators import EmbeddingGrader
from evaluators.calibration import Calibration
from tests.bot.clock import FakeClock
from tests.bot.recording import RecordingTransport
from tests.cli_process import run_quizmaster
from tests.fixed_grader import FixedGrader

REPO_ROOT = Path(__file__).resolve().parents[2]
ADMIN = Actor("a1", "Ada", is_admin=True)


def env_for(db: Path, cache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUIZMASTER_")}
    return env | {
        "HF_HUB_OFFLINE": "1",
        "PYTHONPATH": str(REPO_ROOT),
        "QUIZMASTER_DB": str(db),
        "QUIZMASTER_CACHE_DIR": str(cache),
    }


async def appealed(db: Path, bank: Bank, grades: list[tuple[str, int, int | None]]) -> None:
    """Members answer today's question (text, the grader's score) and an admin resolves each
    answer's appeal with a person's score (None: the member does not appeal)."""
    repo = await Repository.open(db)
    service = wire(
        repo=repo,
        bank=bank,
        grader=FixedGrader(),
        defaults=channel_defaults(Settings(_env_file=None, lang="en", days="daily")),
        clock=FakeClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC)),
    )

    async def say(text: str, actor: Actor, thread: str | None = None) -> None:
        await service.intake.handle(
            Incoming("test", "c1", actor, text, thread_id=thread), RecordingTransport()
        )

    try:
        await say("/quiz now q01", ADMIN)
        post = await repo.posts.latest_post(platform="test", channel_id="c1")
        assert post is not None and post.thread_id is not None
        appeals = 0
        for number, (text, graded, person) in enumerate(grades, start=1):
            member = Actor(f"u{number}", f"member {number}")
            await say(f"{text} {graded}", member, post.thread_id)
            if person is not None:
                appeals += 1
                await say("/quiz appeal", member)
                await say(f"/quiz appeals resolve {appeals} {person}", ADMIN)
    finally:
        await repo.close()


async def test_team_fit_shows_both_fits_and_applies_only_a_no_worse_one(
    tmp_path: Path, bank: Bank, dev_slice: Path, grader: EmbeddingGrader, embedding_cache: Path
) -> None:
    reference = bank.get("q01").references_in("ko")[0].text
    await appealed(
        tmp_path / "q.db",
        bank,
        [
            (reference, 50, 100),
            ("ReLU는 기울기가 1이라 기울기 소실이 적고 계산이 빠릅니다.", 30, 70),
            ("잘 모르겠지만 ReLU가 더 좋다고 들었습니다.", 60, 10),
        ],
    )
    # The bank's reference embeddings as every later start finds them; no calibration.
    await grader.prepare(bank)
    cache = tmp_path / "cache"
    shutil.copytree(embedding_cache, cache, ignore=shutil.ignore_patterns("calibration"))
    result = run_quizmaster(
        ["eval", "fit", "--team", "--dev", str(dev_slice), "--json"],
        env=env_for(tmp_path / "q.db", cache),
        cwd=tmp_path,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "plus 3 graded team answer(s)" in out
    for label in ("team answers (n=3), in use", "team answers (n=3), refitted", "dev set"):
        assert label in out, out
    figures = json.loads(out.strip().splitlines()[-1])
    assert {"team_before", "team_after", "dev_before", "dev_after"} <= set(figures)
    assert figures["team_before"]["n"] == 3
    written = (
        list((cache / "calibration").glob("*.json")) if (cache / "calibration").exists() else []
    )
    if figures["applied"]:
        [path] = written
        assert "applied: wrote" in out
        assert Calibration.load(path).fitted_on["team_rows"] == 3
    else:
        assert "not applied" in out and not written


def test_team_fit_without_team_grades_says_so(tmp_path: Path) -> None:
    result = run_quizmaster(
        ["eval", "fit", "--team"], env=env_for(tmp_path / "q.db", tmp_path / "cache"), cwd=tmp_path
    )
    assert result.returncode == 1
    assert "no team grades yet" in result.stderr
    assert "Traceback" not in result.stderr


async def test_the_team_rows_are_its_applied_group_grades_and_resolved_appeals(
    tmp_path: Path, bank: Bank
) -> None:
    """What `eval fit --team` learns from: each answer a person graded once, with the score the
    person gave it last; a grade still waiting to be applied is not one."""
    db = tmp_path / "q.db"
    await appealed(
        db,
        bank,
        [
            ("appealed alone", 30, 70),
            ("appealed, then graded in a group", 60, 10),
            ("graded in a group", 20, None),
            ("graded, not applied", 40, None),
            ("nobody graded", 50, None),
        ],
    )
    repo = await Repository.open(db)
    try:
        at = {"platform": "test", "channel_id": "c1", "prompt_id": "q01"}
        ids = {a.answer.text: a.answer.id for a in await repo.team_grades.question_answers(**at)}
        grades = repo.team_grades
        now = datetime(2026, 11, 3, tzinfo=UTC)
        group = [ids["appealed, then graded in a group 60"], ids["graded in a group 20"]]
        assert await grades.stage(
            GroupGrade(**at, answer_ids=group, score=85, note="", by="a1"), at=now
        )
        applied = [
            AppliedGrade(g.id, g.answer.id, g.score, "correct", None, None)
            for g in await grades.staged(**at)
        ]
        assert await grades.apply(platform="test", grades=applied, at=now) == group
        waiting = [ids["graded, not applied 40"]]
        assert await grades.stage(
            GroupGrade(**at, answer_ids=waiting, score=95, note="", by="a1"), at=now
        )
    finally:
        await repo.close()
    rows = await human_grade_rows(db, bank)
    question = bank.get("q01").text.ko
    assert [(r.question, r.answer, r.score, r.answer_class) for r in rows] == [
        (question, "appealed alone 30", 70.0, "team"),
        (question, "appealed, then graded in a group 60", 85.0, "team"),
        (question, "graded in a group 20", 85.0, "team"),
    ]
