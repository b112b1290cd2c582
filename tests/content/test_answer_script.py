"""Which answers are in a language the grader does not read (`content.answer_script`): Japanese
and Chinese are refused; Korean or English with a term in Han characters beside it is read."""

from __future__ import annotations

import pytest

from content.answer_script import unread_script

REFUSED = [
    "過学習はモデルが訓練データに過度に適合することです",
    "过拟合是指模型在训练数据上表现很好，但在新数据上表现差。",
    "ReLUは勾配消失を防ぐ",
    "シグモイド",
    "勾配",
    "ｼｸﾞﾓｲﾄﾞ",
    "\u3164過学習",  # a Hangul filler draws nothing and makes no answer Korean
]
READ = [
    "과적합(過適合)은 모델이 훈련 데이터를 외워 새 데이터에서 틀리는 것",
    "ㅋㅋ 勾配消失",
    "Overfitting (過學習) means the model memorizes the training data",
    "ReLU 過學習",
    "ReLU keeps gradients alive",
    "1 + 1 = 2",
]


@pytest.mark.parametrize("answer", REFUSED)
def test_an_answer_in_kana_or_han_is_not_read(answer: str) -> None:
    assert unread_script(answer)


@pytest.mark.parametrize("answer", READ)
def test_korean_or_english_with_a_han_term_is_read(answer: str) -> None:
    assert not unread_script(answer)
