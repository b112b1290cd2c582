"""A team's study notes in both layouts of `quizmaster content import notes`, imported by the real
command line, and answers to their questions: shared by the web page's import test and the
console, Slack and Discord tests that grade the bank end to end."""

from __future__ import annotations

import os
from pathlib import Path

from tests.cli_process import run_quizmaster

NUMBERED_KO = """\
팀 스터디 노트: 모델 압축과 학습 안정화

1. **지식 증류**란 무엇인가요? <br>
A.
    1. 큰 교사 모델의 소프트맥스 출력 확률을 작은 학생 모델이 따라 배우게 하는 방법이다.
    2. 온도를 높인 소프트맥스로 클래스 사이의 관계까지 전달해, 작은 모델이 적은 비용으로
       비슷한 성능을 낸다.

+ 증류에서 온도를 높이면 출력이 어떻게 되나요?
A.
    1. 소프트맥스 출력이 더 평평해져 정답이 아닌 클래스 사이의 확률 차이도 학생에게 전달된다.

2. 그래디언트 클리핑은 왜 쓰나요?
A. 기울기의 노름이 임계값을 넘으면 잘라서, 기울기 폭발로 학습이 발산하는 것을 막는다.

3. 레이블 스무딩은 언제 쓰나요?
"""
"""The numbered layout in Korean: a main question with a follow-up, an answer on the `A.` line,
and a question without an answer (waiting)."""

HEADINGS_EN = """\
# Study notes: training speed

## Why does mixed precision training speed up training?

Keyword: half precision, loss scaling, tensor cores
Answer: Most operations run in half precision (float16), which halves memory traffic and runs
on tensor cores, while a float32 master copy of the weights and loss scaling keep small
gradients from underflowing to zero.

- from the NVIDIA talk, see [slides](https://example.com/amp)

### What does loss scaling prevent?

Keyword: underflow
Answer: Multiplying the loss by a large factor before backpropagation keeps small float16
gradients from underflowing to zero; the gradients are divided by the same factor before the
weight update.
"""
"""The headings layout in English: a main question with `Keyword:` concepts and a follow-up."""

KO_BANK = "study-ko"
EN_BANK = "study-en"
DISTILLATION = "study-ko-001"
DISTILLATION_TEXT = "지식 증류란 무엇인가요?"
DISTILLATION_FOLLOWUP = "증류에서 온도를 높이면 출력이 어떻게 되나요?"
CLIPPING = "study-ko-002"
WAITING = "study-ko-003"
WAITING_TEXT = "레이블 스무딩은 언제 쓰나요?"
OPEN_ANSWER = "정답 레이블을 조금 평평하게 만들어 모델이 지나치게 확신하지 않게 할 때 씁니다."
"""An answer to the open question (WAITING), kept until the team writes its model answer."""
MIXED_PRECISION = "study-en-001"
MIXED_PRECISION_TEXT = "Why does mixed precision training speed up training?"
MIXED_PRECISION_FOLLOWUP = "What does loss scaling prevent?"
FULL_COVERED = "Covered: half precision, loss scaling, tensor cores"
"""The concept lines of a grade to EN_FULL (the `Keyword:` line's labels, in order)."""
PARTIAL_COVERED = "Covered: half precision\nMissed: loss scaling, tensor cores"
"""The concept lines of a grade to EN_PARTIAL."""

KO_FULL = (
    "지식 증류는 큰 교사 모델의 소프트맥스 출력 확률을 작은 학생 모델이 따라 배우도록 학습시키는 "
    "방법입니다. 온도를 높인 소프트맥스로 클래스 사이의 관계까지 전달되어, 작은 모델이 적은 "
    "비용으로 비슷한 성능을 냅니다."
)
KO_PARTIAL = "큰 모델을 작게 만드는 방법입니다."
"""What distillation is for, without how it works (teacher, student, softened outputs)."""
EN_FULL = (
    "Mixed precision runs most operations in half precision (float16), which halves memory "
    "traffic and uses the tensor cores; a float32 master copy of the weights and loss scaling "
    "keep small gradients from underflowing to zero."
)
EN_PARTIAL = "It stores the numbers in half precision, so they take less memory."
"""Names one of the three concepts: the reply lists it as covered and the other two as missed."""
GOOD = ("correct", "mostly correct")
"""The verdicts of a full answer, in English."""


def import_notes_bank(work: Path) -> tuple[Path, list[str]]:
    """Write both notes files under `work` and import each through the real CLI into
    `work/bank/`; returns the bank folder and what each import printed. Raises if one failed."""
    folder = work / "bank"
    folder.mkdir()
    printed = []
    for bank, text in ((KO_BANK, NUMBERED_KO), (EN_BANK, HEADINGS_EN)):
        source = work / f"{bank}.md"
        source.write_text(text, encoding="utf-8")
        result = run_quizmaster(
            ["content", "import", "notes", str(source), "--out", str(folder / f"{bank}.yaml")],
            env={**os.environ, "HF_HUB_OFFLINE": "1"},
            cwd=work,
        )
        if result.returncode != 0:
            raise AssertionError(f"import failed ({result.returncode}): {result.stderr}")
        printed.append(result.stdout)
    return folder, printed
