"""A team's own CSV bank, imported by the real `quizmaster content import csv`, and answers to
its questions, shared by the console and Slack tests that grade it end to end."""

from __future__ import annotations

import os
from pathlib import Path

from tests.cli_process import run_quizmaster

TEAM_CSV = """\
question,answer,concepts
과적합이란 무엇이고 어떻게 줄일 수 있나?,"과적합은 모델이 훈련 데이터의 잡음까지 \
외워서 훈련 오차는 낮지만 새 데이터에서 성능이 떨어지는 현상이다. 데이터를 늘리거나 \
가중치 감쇠 같은 정규화, 드롭아웃, 조기 종료로 줄일 수 있다.",정규화;드롭아웃;조기 종료
What does the learning rate control in gradient descent?,"The learning rate sets how big each \
step along the negative gradient is: too large and the loss overshoots or diverges, too small and \
training converges very slowly.",
배치 정규화는 왜 학습을 빠르게 하나?,"Batch normalization normalizes each layer's inputs over the \
mini-batch, which keeps activations in a stable range so higher learning rates can be used and \
training converges faster.",
"""
"""Three rows: a Korean question with key concepts, an English one without, and a Korean
question whose one reference is English (a team writes its model answers in either language)."""

WITH_CONCEPTS = "team-001"
"""The Korean question with concepts 정규화, 드롭아웃, 조기 종료 (the labels the reply shows)."""
WITHOUT_CONCEPTS = "team-002"
"""The English question graded from its one reference alone."""
CONCEPTS = ("정규화", "드롭아웃", "조기 종료")

KO_FULL = (
    "과적합은 모델이 훈련 데이터를 외워서 새 데이터에서 성능이 떨어지는 것입니다. 정규화나 "
    "드롭아웃, 조기 종료를 쓰고 데이터를 늘리면 줄일 수 있습니다."
)
KO_PARTIAL = "과적합은 모델이 데이터를 외우는 것입니다. 드롭아웃을 씁니다."
"""Names one of the three concepts: the reply lists it as covered and the other two as missed."""
KO_POOR = "학습률을 크게 하면 됩니다."
EN_GOOD = (
    "It is the step size of each gradient descent update: a too large learning rate makes the "
    "loss overshoot or diverge, a too small one makes training converge slowly."
)
EN_POOR = "It controls the number of layers in the network."
"""On topic in its words, wrong in substance."""


def import_team_bank(work: Path) -> tuple[Path, str]:
    """Write the CSV under `work`, import it through the real CLI into `work/bank/team.yaml`;
    returns the bank folder and what the import printed. Raises if the import failed."""
    source = work / "team.csv"
    source.write_text(TEAM_CSV, encoding="utf-8")
    folder = work / "bank"
    folder.mkdir()
    result = run_quizmaster(
        ["content", "import", "csv", str(source), "--out", str(folder / "team.yaml")],
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
        cwd=work,
    )
    if result.returncode != 0:
        raise AssertionError(f"import failed ({result.returncode}): {result.stderr}")
    return folder, result.stdout
