"""One rule, one place: every flag has exactly one rule in `evaluators/rules/`, one module each,
listed once in the registry, with its message in both languages, its cap, whether it withholds
concept credit and where its numbers are fitted; and what each judge does with a measured
answer, read through the rules' own checks."""

from __future__ import annotations

import importlib
import string
from dataclasses import replace
from pathlib import Path

import pytest

from content.catalogue import LANGS
from content.schema import Localized
from evaluators.features.feature import profile_for
from evaluators.features.measurement import Found
from evaluators.grade import Flag
from evaluators.rules import (
    BY_FLAG,
    JUDGES,
    RULES,
    SCREENS,
    Judged,
    Rule,
    evidence_gate,
    misconception,
    off_topic,
    reversed_claims,
    sibling,
)
from evaluators.rules.evidence_gate import EvidenceGate
from evaluators.rules.off_topic import OffTopicRule
from evaluators.rules.sibling import SiblingRule
from evaluators.texts import GRADER
from tests.evaluators.conftest import RELU
from tests.evaluators.measured import measured

RULES_DIR = Path(__file__).resolve().parents[2] / "evaluators" / "rules"


def test_every_flag_has_exactly_one_rule_and_every_rule_one_flag() -> None:
    flags = [rule.flag for rule in RULES]
    assert len(flags) == len(set(flags)), "a flag with two rules"
    assert set(flags) == set(Flag), f"flags without a rule: {set(Flag) - set(flags)}"
    assert set(BY_FLAG) == set(Flag)


def test_each_rule_has_a_module_of_its_own_and_each_module_one_rule() -> None:
    modules = {p.stem for p in RULES_DIR.glob("*.py")} - {"__init__", "rule"}
    owners = {type(rule).__module__.rsplit(".", 1)[1] for rule in RULES}
    assert owners == modules
    assert len(owners) == len(RULES)
    for name in modules:
        module = importlib.import_module(f"evaluators.rules.{name}")
        assert module.RULE in RULES, name


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.flag.value)
def test_each_rule_declares_its_message_cap_credit_and_fit(rule: Rule) -> None:
    for key in rule.message_keys:
        assert GRADER.has(key), f"{key} is not in evaluators/texts.yaml"
        fields = {
            frozenset(
                name
                for _, name, _, _ in string.Formatter().parse(GRADER.template(lang, key))
                if name
            )
            for lang in LANGS
        }
        assert len(fields) == 1, "both languages fill in the same words"
    assert rule.cap is None or 0 <= rule.cap <= 100
    assert (rule.version is None) == (rule.fitted_in is None)
    if rule.fitted_in is not None:
        importlib.import_module(rule.fitted_in)


def test_every_rule_message_in_the_catalogue_belongs_to_a_rule() -> None:
    """The grader's catalogue holds no message of a rule that is gone: each `rule_` key is one
    of a rule's messages."""
    keys = {key for key in GRADER.message_keys() if key.startswith("rule_")}
    assert keys == {key for rule in RULES for key in rule.message_keys}


def test_the_rules_that_withhold_credit_and_the_screens_that_decide() -> None:
    withholding = {rule.flag for rule in RULES if rule.withholds_credit}
    assert withholding == {
        Flag.ONE_WORD,
        Flag.NO_EVIDENCE,
        Flag.SIBLING,
        Flag.OFF_TOPIC,
        Flag.REVERSED,
        Flag.SWAPPED,
    }
    deciding = {s.flag for s in SCREENS if s.decides}
    assert deciding == {
        Flag.EMPTY,
        Flag.NOISE,
        Flag.DONT_KNOW,
        Flag.NOT_AN_ANSWER,
        Flag.COPY_OF_QUESTION,
        Flag.COPY_OF_REFERENCE,
    }
    assert all(BY_FLAG[flag].cap is None for flag in deciding)


def test_a_message_fills_in_the_answers_own_words_and_another_questions_wording() -> None:
    quoted = reversed_claims.RULE.fired(words={"claim": "ReLU saturates"})
    assert reversed_claims.RULE.say(quoted, "en", question=RELU.text) == (
        "This says the opposite of the model answer: “ReLU saturates” Check which is which."
    )
    other = Localized(ko="다른 질문?", en="Another question?")
    told = sibling.RULE.fired(words={"sibling": other})
    assert "“Another question?”" in sibling.RULE.say(told, "en", question=RELU.text)
    assert "“다른 질문?”" in sibling.RULE.say(told, "ko", question=RELU.text)


def _judged(found: Found | None = None, /, **measures: float) -> Judged:
    fits: dict[type, object] = {
        OffTopicRule: OffTopicRule(gap=0.2, min_sim=0.5),
        EvidenceGate: EvidenceGate(min_sim=0.1, wordless_min_sim=0.3),
        SiblingRule: SiblingRule(margin=0.1),
    }
    measurement = measured(found=found, says_words=True, **measures)
    return Judged(RELU, "an answer", measurement, profile_for(RELU), fits)


def _fired(judged: Judged) -> tuple[Flag, ...]:
    for rule in JUDGES:
        found = rule.judge(judged)
        if found is not None:
            judged = replace(judged, fired=(*judged.fired, found))
    return tuple(f.flag for f in judged.fired)


def test_the_judges_read_the_fitted_numbers_of_their_own_rule() -> None:
    assert _fired(_judged(ref_sim=0.5)) == ()
    assert _fired(_judged(ref_sim=0.05)) == (Flag.NO_EVIDENCE,)
    assert _fired(_judged(ref_sim=0.5, other_sim=0.9)) == (Flag.OFF_TOPIC,)
    sibling_answer = _judged(ref_sim=0.5, other_sim=0.9, sibling_sim=0.9)
    assert _fired(sibling_answer) == (Flag.SIBLING,), "the sibling rule speaks for both"
    without_fits = replace(sibling_answer, fits={})
    assert _fired(without_fits) == (), "a rule with nothing fitted never fires"


def test_a_misconception_is_told_only_where_the_answer_states_it() -> None:
    """Sharing a misconception's words is flagged for the head but never told, at any score;
    a misconception stated is capped, withholds credit and is told, at any score."""
    echoing = {"ref_sim": 0.5, "mis_sim": 0.6, "mis_overlap": 0.5}
    judged = _judged(Found(echoed=1), **echoing)
    assert misconception.echoes_misconception(judged.measurement.measures)
    fired = misconception.RULE.judge(judged)
    assert fired is not None and fired.cap is None
    assert fired.words == {"misconception": RELU.misconceptions[1].text}
    none = frozenset[Flag]()
    assert not any(misconception.RULE.tells(fired, score=s, flags=none) for s in (0, 39, 99))
    assert not misconception.RULE.withholds(fired)
    stated = misconception.RULE.judge(_judged(Found(stated=0), ref_sim=0.9))
    assert stated is not None and stated.cap == misconception.MISCONCEPTION_CAP
    assert all(misconception.RULE.tells(stated, score=s, flags=none) for s in (0, 39, 99))
    assert misconception.RULE.withholds(stated)
    said = misconception.RULE.say(stated, "en", question=RELU.text)
    assert RELU.misconceptions[0].text in said
    assert misconception.RULE.judge(_judged(ref_sim=0.7, mis_sim=0.6, mis_overlap=0.5)) is None


def test_the_gate_leaves_a_term_alone_to_its_own_message() -> None:
    fired = evidence_gate.RULE.judge(_judged(ref_sim=0.05))
    assert fired is not None and fired.reason is not None and "0.050" in fired.reason
    assert evidence_gate.RULE.tells(fired, score=5, flags=frozenset({Flag.NO_EVIDENCE}))
    assert not evidence_gate.RULE.tells(fired, score=5, flags=frozenset({Flag.ONE_WORD}))
    assert off_topic.RULE.cap == sibling.RULE.cap
