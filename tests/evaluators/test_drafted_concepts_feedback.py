"""Key concepts drafted from imported notes may give credit, but until an admin reviews them they
are never told to a member as missed: a perfect answer to the L1 note is told it missed nothing,
in English and in Korean. Once reviewed (the `drafted` mark gone), a concept the answer leaves out
is told as missed again. The notes are imported and drafted as `content import notes` does, and
graded on the bundled model with the committed calibration (the notes' bank alone: the seed bank
beside it changes nothing told here, and encoding it costs minutes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from content.bank import Bank
from content.importers.concept_draft import draft_missing_concepts
from content.importers.notes import notes_from_text
from content.schema import Lang, Prompt
from evaluators import EmbeddingGrader

L1_EN = """\
## What is the difference between L1 and L2 regularization?
Answer: L1 regularization adds the sum of absolute weights to the loss and pushes many weights to
exactly zero, giving sparse models. L2 regularization adds the sum of squared weights and shrinks
all weights smoothly toward zero without making them exactly zero.
Misconception: L2 makes weights exactly zero.
"""
L1_KO = """\
## L1 정규화와 L2 정규화의 차이는?
Answer: L1 정규화는 가중치 절댓값의 합(L1 penalty)을 손실에 더해 많은 가중치를 정확히 0으로
만들어 희소한 모델을 만든다. L2 정규화는 가중치 제곱의 합을 더해 모든 가중치를 0 쪽으로
부드럽게 줄이지만 정확히 0으로 만들지는 않는다.
오해: L2 가 가중치를 정확히 0으로 만든다.
"""
PERFECT = {
    "en": (
        "L1 adds the sum of the absolute values of the weights to the loss, which drives many "
        "weights to exactly zero and so gives a sparse model. L2 adds the sum of squared weights "
        "and shrinks every weight smoothly toward zero, but not to exactly zero."
    ),
    "ko": (
        "L1은 가중치 절댓값의 합을 손실에 더해서 많은 가중치를 정확히 0으로 만들고 희소한 "
        "모델이 됩니다. L2는 가중치 제곱의 합을 더해 가중치를 0 쪽으로 부드럽게 줄일 뿐 정확히 "
        "0으로 만들지는 않습니다."
    ),
}
NO_SPARSITY = "L1 adds the sum of absolute weights to the loss, and L2 adds the squared weights."


def _imported(notes: str) -> Prompt:
    bank_file = notes_from_text(notes, Path("notes.md"), bank="notes").bank_file
    (prompt,) = draft_missing_concepts(bank_file).prompts
    assert prompt.concepts and all(c.drafted for c in prompt.concepts)
    return prompt


@pytest.mark.parametrize(("notes", "lang"), [(L1_EN, "en"), (L1_KO, "ko")])
async def test_a_perfect_answer_to_drafted_notes_is_told_it_missed_nothing(
    grader: EmbeddingGrader, notes: str, lang: Lang
) -> None:
    prompt = _imported(notes)
    await grader.prepare(Bank([prompt]))
    grade = await grader.grade(prompt, PERFECT[lang], lang=lang)
    assert grade.score >= 85, grade
    assert grade.missed == (), grade
    names = [c.label(lang) for c in prompt.concepts]
    assert not any(name in grade.feedback for name in names), grade.feedback
    assert "full answer" not in grade.feedback and "완전한 답" not in grade.feedback


async def test_a_reviewed_concept_the_answer_leaves_out_is_told_as_missed(
    grader: EmbeddingGrader,
) -> None:
    drafted = _imported(L1_EN)
    reviewed = drafted.model_copy(
        update={
            "concepts": tuple(c.model_copy(update={"drafted": False}) for c in drafted.concepts)
        }
    )
    await grader.prepare(Bank([reviewed]))
    told = await grader.grade(reviewed, NO_SPARSITY, lang="en")
    assert "sparse-models" in told.missed, told
    await grader.prepare(Bank([drafted]))
    untold = await grader.grade(drafted, NO_SPARSITY, lang="en")
    assert untold.missed == (), untold
