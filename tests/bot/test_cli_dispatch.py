"""The real `quizmaster` command hands each package what it takes from the settings: the team
bank folder to `content`, nothing to `demo`, which has its own entry beside `compute`."""

from __future__ import annotations

import os
from pathlib import Path

from tests.cli_process import run_quizmaster
from tests.content.sample_banks import graded, write_bank


def test_content_check_reads_the_team_bank_folder_from_the_settings(tmp_path: Path) -> None:
    team = tmp_path / "team"
    team.mkdir()
    write_bank(team / "team.yaml", graded("q01", "Clash with the seed id?"))
    done = run_quizmaster(
        ["content", "check"],
        env={**os.environ, "QUIZMASTER_BANK_DIR": str(team)},
        cwd=tmp_path,
    )
    assert done.returncode == 1, done.stderr
    assert f"{team / 'team.yaml'}: prompt q01: id: duplicate id" in done.stderr


def test_demo_and_compute_are_separate_commands(tmp_path: Path) -> None:
    listing = run_quizmaster(["demo", "list"], env=os.environ, cwd=tmp_path)
    assert listing.returncode == 0, listing.stderr
    assert "relu-approx" in listing.stdout
    refused = run_quizmaster(
        ["compute", "--host", "0.0.0.0", "--port", "1"],
        env={k: v for k, v in os.environ.items() if k != "QUIZMASTER_COMPUTE_TOKEN"},
        cwd=tmp_path,
    )
    assert refused.returncode == 2
    assert "QUIZMASTER_COMPUTE_TOKEN" in refused.stderr
