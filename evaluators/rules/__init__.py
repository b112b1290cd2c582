"""Every rule of the grader, one module each (its check, cap, message in both languages, whether
it withholds concept credit, and where its numbers are fitted), listed here in the order
`scoring` runs them. A rule is added by adding its module and its line below (and its `Flag`);
`tests/evaluators/test_rules.py` checks every flag has exactly one rule."""

from __future__ import annotations

from collections.abc import Mapping

from evaluators.grade import Flag
from evaluators.rules import (
    copy_of_question,
    copy_of_reference,
    dont_know,
    empty,
    evidence_gate,
    hint_cap,
    misconception,
    noise,
    not_an_answer,
    off_topic,
    reversed_claims,
    sibling,
    swapped_roles,
    term_alone,
    truncation,
)
from evaluators.rules.rule import Fired, Judge, Judged, Rule, Screen

TRUNCATION = truncation.RULE
"""First: the other rules read the text it leaves."""
SCREENS: tuple[Screen, ...] = (
    empty.RULE,
    noise.RULE,
    dont_know.RULE,
    not_an_answer.RULE,
    copy_of_question.RULE,
    copy_of_reference.RULE,
    term_alone.RULE,
)
"""Before the answer is measured, in order; the first that fires is the only one."""
JUDGES: tuple[Judge, ...] = (
    misconception.RULE,
    swapped_roles.RULE,
    reversed_claims.RULE,
    evidence_gate.RULE,
    sibling.RULE,
    off_topic.RULE,
)
"""Once the head has scored the answer, in order; each sees what fired before it."""
HINT = hint_cap.RULE
"""Last, after the team's grades have moved the score."""

RULES: tuple[Rule, ...] = (TRUNCATION, *SCREENS, *JUDGES, HINT)
BY_FLAG: Mapping[Flag, Rule] = {rule.flag: rule for rule in RULES}


def rule_of(fired: Fired) -> Rule:
    return BY_FLAG[fired.flag]


__all__ = [
    "BY_FLAG",
    "HINT",
    "JUDGES",
    "RULES",
    "SCREENS",
    "TRUNCATION",
    "Fired",
    "Judge",
    "Judged",
    "Rule",
    "Screen",
    "rule_of",
]
