"""A team's CSV bank end to end on the console: imported and checked by the real CLI, posted by
an admin with `/quiz now <prompt-id>`, and graded 0-100 from its one reference."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from content.loader import DEFAULT_BANK_DIR, load_bank
from evaluators import EmbeddingGrader
from tests.cli_process import run_quizmaster
from tests.conftest import BUNDLED_MODEL
from tests.team_csv import (
    CONCEPTS,
    EN_GOOD,
    EN_POOR,
    KO_FULL,
    KO_PARTIAL,
    KO_POOR,
    WITH_CONCEPTS,
    WITHOUT_CONCEPTS,
    import_team_bank,
)

GRADE = re.compile(r"^@(\w+) (\d{1,3})/100 · (.+)$", re.MULTILINE)


@pytest.fixture(scope="module")
def team_bank(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder, printed = import_team_bank(tmp_path_factory.mktemp("team"))
    assert printed.startswith(f"wrote 3 prompts, 3 ready to post to {folder / 'team.yaml'}")
    return folder


@pytest.fixture
async def team_cache(grader: EmbeddingGrader, team_bank: Path, embedding_cache: Path) -> Path:
    """The session's cache with the reference embeddings of the seed bank and this team bank
    together, as the bot loads them on every start after its first: a cold start would embed
    the whole seed bank again, which is not what this file tests."""
    await grader.prepare(load_bank([DEFAULT_BANK_DIR, team_bank]))
    return embedding_cache


def speakers(out: str) -> dict[str, str]:
    """What the console printed while each simulated member spoke (after `/as NAME`)."""
    parts = re.split(r"^\(now speaking as (\w+)(?:, an admin)?\)$", out, flags=re.MULTILINE)
    return {name: text for name, text in zip(parts[1::2], parts[2::2], strict=True)}


def grade_of(block: str) -> tuple[int, str]:
    """The score and verdict of the one grade in a member's block."""
    [(_, score, verdict)] = GRADE.findall(block)
    return int(score), verdict


def test_content_check_passes_and_counts_the_graded_prompts(team_bank: Path) -> None:
    result = run_quizmaster(
        ["content", "check", str(team_bank / "team.yaml")], env=dict(os.environ), cwd=team_bank
    )

    assert result.returncode == 0, result.stderr
    lines = [line.strip() for line in result.stdout.splitlines()]
    assert "checked 1 file" in lines
    assert "by kind: graded 3" in lines
    assert "references by language: en 2, ko 1" in lines
    assert "total: 3 prompts, 3 ready to post" in lines


@pytest.mark.slow
def test_team_questions_are_graded_on_the_console(
    tmp_path: Path, team_bank: Path, team_cache: Path
) -> None:
    script = "\n".join(
        [
            "/quiz lang en",
            f"/quiz now {WITH_CONCEPTS}",
            "/as mina",
            KO_FULL,
            "/as joon",
            KO_PARTIAL,
            "/as kim",
            KO_POOR,
            "/as boss admin",
            f"/quiz now {WITHOUT_CONCEPTS}",
            "/as dana",
            EN_GOOD,
            "/as eli",
            EN_POOR,
            "/as lead admin",
            "/quiz reveal",
            "",
        ]
    )
    environ = {
        **os.environ,
        "QUIZMASTER_BANK_DIR": str(team_bank),
        "QUIZMASTER_EMBEDDING_MODEL": BUNDLED_MODEL,
        "QUIZMASTER_CACHE_DIR": str(team_cache),
        "HF_HUB_OFFLINE": "1",
    }
    result = run_quizmaster(
        ["run", "--platform", "console", "--db", str(tmp_path / "q.db")],
        env=environ,
        cwd=tmp_path,
        stdin=script,
        timeout=480,  # not a target: start-up on a loaded machine
    )

    assert result.returncode == 0, result.stderr
    said = speakers(result.stdout)
    assert "과적합이란 무엇이고 어떻게 줄일 수 있나?" in result.stdout.split("(now speaking")[0]
    assert "What does the learning rate control in gradient descent?" in said["boss"]

    full, partial, poor = (grade_of(said[name]) for name in ("mina", "joon", "kim"))
    good_en, poor_en = grade_of(said["dana"]), grade_of(said["eli"])
    for _, verdict in (full, partial, poor, good_en, poor_en):
        assert verdict != "thanks for sharing", "a team prompt is graded, not acknowledged"
    assert full[0] >= 70 and full[0] >= partial[0] >= poor[0] + 25
    assert good_en[0] >= 70 and good_en[0] >= poor_en[0] + 25

    assert f"Covered: {', '.join(CONCEPTS)}" in said["mina"]
    assert f"Covered: {CONCEPTS[1]}\nMissed: {CONCEPTS[0]}, {CONCEPTS[2]}" in said["joon"]
    assert f"Missed: {', '.join(CONCEPTS)}" in said["kim"]
    for name in ("dana", "eli"):
        assert "Covered:" not in said[name] and "Missed:" not in said[name]
    assert "Reference answer · The learning rate sets how big each step" in said["lead"]
    assert "Key concepts" not in said["lead"], "no empty concept list for a reference-only prompt"
