"""Which main question comes next, and which topic is weakest, on a hand-made bank: no database,
no model. The rules (`bot.core.quiz.selection`): no repeat until every main question has come once;
among the unseen, the ones due for the most members first, then the weakest topic (the lowest
mean score among a prompt's topics; a topic nobody has scored sits at 50), then bank order."""

from __future__ import annotations

import pytest

from bot.core.quiz.selection import UNSCORED_TOPIC_MEAN, choose_prompt, topic_means, weakness
from content.bank import Bank
from content.schema import Localized, Prompt, Reference


def prompt(prompt_id: str, *topics: str, parent: str | None = None) -> Prompt:
    return Prompt(
        id=prompt_id,
        parent=parent,
        order=1 if parent else 0,
        text=Localized(ko=f"질문 {prompt_id}", en=f"Question {prompt_id}"),
        topics=topics,
        references=(Reference(lang="en", text=f"The answer to {prompt_id}."),),
    )


BANK = Bank(
    [
        prompt("q01", "optimization"),
        prompt("q02", "regularization"),
        prompt("q03", "activation", "optimization"),
        prompt("q04", "attention"),
        prompt("q01-f1", "regularization", parent="q01"),
    ]
)


def test_topic_means_average_every_topic_of_each_answered_prompt() -> None:
    means = topic_means(BANK, [("q01", 80), ("q03", 40), ("q02", 70), ("q01-f1", 30)])
    assert means == {"optimization": 60.0, "activation": 40.0, "regularization": 50.0}


def test_answers_to_prompts_no_longer_in_the_bank_are_ignored() -> None:
    assert topic_means(BANK, [("gone", 0), ("q04", 90)]) == {"attention": 90.0}


def test_a_prompt_is_as_weak_as_its_weakest_topic_and_unscored_topics_are_neutral() -> None:
    means = {"activation": 20.0, "optimization": 90.0}
    assert weakness(BANK.get("q03"), means) == 20.0
    assert weakness(BANK.get("q04"), means) == UNSCORED_TOPIC_MEAN == 50.0


def test_the_weakest_topic_comes_first() -> None:
    means = {"optimization": 90.0, "regularization": 35.0, "activation": 60.0, "attention": 70.0}
    assert choose_prompt(BANK, [], means).id == "q02"


def test_an_unscored_topic_comes_before_topics_scored_above_50_and_after_those_below() -> None:
    strong = {"optimization": 90.0, "regularization": 80.0, "activation": 75.0}
    assert choose_prompt(BANK, [], strong).id == "q04"
    weak = {**strong, "regularization": 49.0}
    assert choose_prompt(BANK, [], weak).id == "q02"


def test_ties_go_in_bank_order() -> None:
    assert choose_prompt(BANK, [], {}).id == "q01"


def test_nothing_repeats_until_every_main_question_has_come() -> None:
    means = {"regularization": 10.0}  # q02 is by far the weakest, but it has come already
    assert choose_prompt(BANK, ["q02"], means).id == "q01"
    order = []
    posted: list[str] = []
    for _ in range(4):
        chosen = choose_prompt(BANK, posted, means).id
        order.append(chosen)
        posted.append(chosen)
    assert sorted(order) == ["q01", "q02", "q03", "q04"]
    assert order[0] == "q02"
    # A new cycle: the weakest again.
    assert choose_prompt(BANK, posted, means).id == "q02"


def test_follow_ups_are_never_the_daily_question_and_unknown_ids_do_not_count() -> None:
    """q01-f1 covers the weakest topic but is a follow-up; a removed prompt's posts are ignored,
    so after one full cycle every main question is even again."""
    means = {"regularization": 0.0, "optimization": 20.0}
    assert choose_prompt(BANK, [], means).id == "q02"
    posted = ["q01", "q02", "q03", "q04", "q01-f1", "removed-001", "removed-001"]
    assert choose_prompt(BANK, posted, means).id == "q02"


@pytest.mark.parametrize(
    ("due", "expected"),
    [({"q04": 2, "q03": 1}, "q04"), ({"q03": 1}, "q03"), ({}, "q02")],
)
def test_questions_due_for_more_members_come_before_weaker_topics(
    due: dict[str, int], expected: str
) -> None:
    means = {"regularization": 10.0}
    assert choose_prompt(BANK, [], means, due=due).id == expected
