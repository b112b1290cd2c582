"""`quizmaster bench fresh-clone` and `bench suite`: a real `git clone` of a repository and the
command run in it, its lines timed and read into the payload docs/performance.md shows. The
repository here holds a stand-in for `make` that prints what `make run` and `make test` print."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from bot.config import Settings
from tools.bench.figures import render
from tools.bench.fresh_clone import main as fresh_clone_main
from tools.bench.suite import main as suite_main

STAND_IN = """\
echo "Installed 140 packages in 2.77s"
echo "Prepared 1 package in 1.86s"
echo "environment: [${VIRTUAL_ENV}] [${PYTHONPATH}]"
echo ".venv/bin/quizmaster run --platform console"
echo "Question of the day · 2026-11-28"
read said
echo "read: $said"
"""
SUITE_STAND_IN = """\
echo ".venv/bin/ruff check ."
echo ".venv/bin/python -m pytest -n 2 --dist loadscope -m 'not heavy' --durations=25"
echo "============ 5601 passed, 11 skipped, 9 warnings in 600.50s (0:10:00) ============"
"""


def _repository(tmp_path: Path, script: str) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "stand-in.sh").write_text(script, encoding="utf-8")
    for git in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "stand-in"]):
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@t", *git], cwd=repo, check=True
        )
    return repo


def _payload(capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    payload: dict[str, object] = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    return payload


def test_fresh_clone_times_the_install_and_the_start_and_quits_at_the_question(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = _repository(tmp_path, STAND_IN)
    argv = ["--repo", str(repo), "--command", "sh stand-in.sh", "--json"]
    argv += ["--out", str(tmp_path / "fresh.json")]
    assert fresh_clone_main(argv, Settings()) == 0
    payload = _payload(capsys)
    assert json.loads((tmp_path / "fresh.json").read_text(encoding="utf-8")) == payload
    assert payload["packages_prepared"] == 1 and payload["exit_code"] == 0
    assert payload["target_met"] is True
    clone, install, start = (
        float(str(payload[k])) for k in ("clone_s", "install_s", "bot_start_s")
    )
    assert payload["question_s"] == pytest.approx(clone + install + start, abs=0.2)
    page = render({"fresh-clone": {"args": [], "seconds": None, "payload": payload}}, META)
    assert "| ready: fresh clone to the first question of `sh stand-in.sh`, s " in page


def test_fresh_clone_counts_a_weekends_extra_question_as_the_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """On a day the default schedule skips, the console's first question is an extra one."""
    script = STAND_IN.replace("Question of the day · 2026-11-28", "추가 질문 · 2026-11-29")
    repo = _repository(tmp_path, script)
    argv = ["--repo", str(repo), "--command", "sh stand-in.sh", "--json"]
    assert fresh_clone_main(argv, Settings()) == 0
    payload = _payload(capsys)
    assert payload["question_s"] is not None and payload["target_met"] is True


def test_fresh_clone_pipes_quit_and_leaves_out_the_callers_environment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VIRTUAL_ENV", "/somewhere/.venv")
    monkeypatch.setenv("PYTHONPATH", "/somewhere")
    repo = _repository(tmp_path, STAND_IN)
    assert fresh_clone_main(["--repo", str(repo), "--command", "sh stand-in.sh"], Settings()) == 0
    said = capsys.readouterr().err
    assert "environment: [] []" in said
    assert "read: /quit" in said


def test_a_clone_that_shows_no_question_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = _repository(tmp_path, "echo 'make: *** [Makefile:20: .venv] Error 2'; exit 2\n")
    argv = ["--repo", str(repo), "--command", "sh stand-in.sh", "--json"]
    assert fresh_clone_main(argv, Settings()) == 1
    payload = _payload(capsys)
    assert payload["question_s"] is None and payload["exit_code"] == 2
    assert payload["target_met"] is False


def test_suite_reads_pytests_counts_and_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = _repository(tmp_path, SUITE_STAND_IN)
    argv = ["--repo", str(repo), "--command", "sh stand-in.sh", "--json"]
    assert suite_main(argv, Settings()) == 0
    payload = _payload(capsys)
    assert (payload["passed"], payload["skipped"], payload["failed"]) == (5601, 11, 0)
    assert payload["pytest_s"] == 600.5
    assert payload["before_pytest_s"] is not None
    assert payload["target_met"] is True  # the stand-in took seconds, not its 600 s
    page = render({"suite": {"args": [], "seconds": None, "payload": payload}}, META)
    assert "(5,601 passed, 11 skipped, 0 failed)" in page


def test_a_suite_with_failures_is_no_figure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    failing = "echo '== 2 failed, 5599 passed in 700.00s (0:11:40) =='; exit 1\n"
    repo = _repository(tmp_path, failing)
    argv = ["--repo", str(repo), "--command", "sh stand-in.sh", "--json"]
    assert suite_main(argv, Settings()) == 1
    payload = _payload(capsys)
    assert (payload["passed"], payload["failed"]) == (5599, 2)
    assert payload["target_met"] is False


META = {
    "machine": "test machine",
    "date": "2026-01-01 00:00 UTC",
    "load": "0.0",
    "commit": "abc1234",
    "mode": "quick",
}
