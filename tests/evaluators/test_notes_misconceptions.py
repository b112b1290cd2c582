"""A wrong claim written in a team's notes (`오해: ...`) is graded like a seed prompt's
misconception: an answer that makes it is scored down and flagged. Without one, a confident wrong
answer that uses the model answer's words scores like a right one (the notes banks' weakest
class). The notes and the answer are written for this test, on the bundled model and the committed
calibration."""

from __future__ import annotations

from pathlib import Path

from content.bank import Bank
from content.importers.concept_draft import draft_missing_concepts
from content.importers.notes import notes_from_text
from evaluators import EmbeddingGrader, Flag

K_FOLD_NOTES = """\
1. K-fold Cross Validation은 무엇이고 왜 하나?
A.
    1. 데이터를 K 개의 fold 로 나누고, 한 fold 로 검증, 나머지로 train 하는 걸 K 번 한다.
    2. K 번의 점수를 평균 내서 모델 성능을 추정한다.
    3. 한 번의 split 에 따라 점수가 흔들리는 것을 줄여서 더 안정적인 추정을 얻는다.
    4. 최종 test set 은 따로 남겨둔다.
"""
CLAIM = (
    "    오해: CV 로 모든 데이터를 검증에 썼으니 test set 이 필요 없고 CV 점수를 최종 성능으로 "
    "보고하면 된다.\n"
)
# Uses the model answer's words, and makes the claim the notes warn of.
CLAIMING = (
    "데이터를 K개로 나눠 돌아가며 학습하고 검증합니다. 모든 데이터로 검증했으니 test set은 따로 "
    "필요 없고 CV 점수를 그대로 최종 성능으로 보고하면 됩니다."
)


async def _graded(grader: EmbeddingGrader, seed: Bank, notes: str) -> tuple[int, tuple[Flag, ...]]:
    team = draft_missing_concepts(notes_from_text(notes, Path("notes.md"), bank="notes").bank_file)
    await grader.prepare(Bank([*seed.all(), *team.prompts]))
    grade = await grader.grade(team.prompts[0], CLAIMING)
    return grade.score, grade.flags


async def test_a_wrong_claim_in_the_notes_marks_down_an_answer_that_makes_it(
    grader: EmbeddingGrader, bank: Bank
) -> None:
    plain_score, plain_flags = await _graded(grader, bank, K_FOLD_NOTES)
    warned_score, warned_flags = await _graded(grader, bank, K_FOLD_NOTES + CLAIM)
    assert Flag.MISCONCEPTION not in plain_flags
    assert Flag.MISCONCEPTION in warned_flags
    assert warned_score <= plain_score - 15, (plain_score, warned_score)
