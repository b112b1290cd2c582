"""Answers to a sibling question (issue 48, item 5): a follow-up answered with its main
question's model answer, and the reverse. Siblings share their key concepts and words, so the
off-topic rule's test of substance lets such an answer through; the sibling rule caps one that
sits clearly nearer the sibling's model answer than its own. The graded cases run on the seed
bank, the bundled model and the committed calibration. That no dev answer people graded 3 of 5
or more is capped so is checked in `test_explain`, which grades the dev set once for several
tests."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from content.bank import Bank
from content.loader import load_bank
from content.schema import Lang
from evaluators import EmbeddingGrader, Flag
from evaluators.calibration import Calibration
from evaluators.features.similarity import SIBLING_MARGIN
from evaluators.fitting.rows import Row
from evaluators.fitting.samples import Sample
from evaluators.fitting.siblings import fit_sibling_rule, swapped
from evaluators.rules.sibling import SIBLING_CAP, SiblingRule
from evaluators.scoring import Screening
from tests.cli_process import run_quizmaster
from tests.conftest import BUNDLED_MODEL
from tests.evaluators.conftest import RELU
from tests.evaluators.measured import measured

MAIN, FOLLOW_UP = "q10", "q10.3"
SWAPS = [
    (asked, sibling, lang)
    for asked, sibling in ((MAIN, FOLLOW_UP), (FOLLOW_UP, MAIN))
    for lang in ("en", "ko")
]


def _question(bank: Bank, prompt_id: str, lang: Lang) -> str:
    text = bank.get(prompt_id).text
    return text.ko if lang == "ko" else text.en


@pytest.mark.parametrize(("asked", "sibling", "lang"), SWAPS)
async def test_a_siblings_model_answer_is_capped_and_told_which_question_it_answers(
    grader: EmbeddingGrader, bank: Bank, asked: str, sibling: str, lang: Lang
) -> None:
    await grader.prepare(bank)
    answer = bank.get(sibling).references_in(lang)[0].text
    scored = await grader.explain(bank.get(asked), answer, lang=lang)
    assert Flag.SIBLING in scored.grade.flags
    assert scored.grade.score <= SIBLING_CAP
    assert scored.grade.covered == (), "an answer to a sibling is credited with no concept"
    assert scored.explanation.sibling is not None
    assert scored.explanation.sibling.id == sibling
    assert _question(bank, sibling, lang) in scored.grade.feedback


@pytest.mark.parametrize(("prompt_id", "lang"), [(p, lang) for p, _, lang in SWAPS])
async def test_a_prompts_own_model_answer_is_not_capped(
    grader: EmbeddingGrader, bank: Bank, prompt_id: str, lang: Lang
) -> None:
    await grader.prepare(bank)
    prompt = bank.get(prompt_id)
    grade = await grader.grade(prompt, prompt.references_in(lang)[0].text, lang=lang)
    assert Flag.SIBLING not in grade.flags
    assert grade.score >= 85


def test_the_committed_calibrations_have_a_sibling_margin() -> None:
    committed = [Path("evaluators/calibration.json"), *Path("evaluators/calibrations").glob("*")]
    root = Path(__file__).resolve().parents[2]
    for path in committed:
        assert Calibration.load(root / path).siblings.margin is not None, path


def test_the_rule_caps_from_its_margin_and_never_without_one() -> None:
    rule = SiblingRule(margin=0.1)
    assert rule.applies({SIBLING_MARGIN.name: 0.1})
    assert not rule.applies({SIBLING_MARGIN.name: 0.09})
    assert not SiblingRule().applies({SIBLING_MARGIN.name: 1.0})


def _sample(margin: float, score: float) -> Sample:
    row = Row(question=RELU.text.en, answer="an answer", score=score, score_max=5)
    return Sample(row, RELU, RELU.id, Screening(text=row.answer), measured(sibling_sim=margin))


def test_the_margin_lies_halfway_between_the_right_answers_and_the_swapped_model_answers() -> None:
    # A wrong answer (2 of 5) further out does not hold the margin back; a right one (3 of 5) does.
    samples = [_sample(0.02, 5), _sample(0.05, 3), _sample(0.2, 2)]
    rule = fit_sibling_rule(samples, [0.01, 0.04, 0.09, 0.3])
    assert rule.margin == pytest.approx(0.07)
    assert not any(rule.applies(s.features or {}) for s in samples if s.target >= 0.6)


def test_no_margin_when_no_swapped_model_answer_lies_beyond_the_right_answers() -> None:
    assert fit_sibling_rule([_sample(0.3, 4)], [0.1, 0.2]) == SiblingRule()
    assert fit_sibling_rule([_sample(0.0, 4)], []) == SiblingRule()


def test_swaps_pair_each_follow_up_with_its_graded_main_question_both_ways(bank: Bank) -> None:
    pairs = list(swapped(bank))
    assert (bank.get(MAIN), bank.get(FOLLOW_UP)) in [(a, s) for a, s, _ in pairs]
    assert (bank.get(FOLLOW_UP), bank.get(MAIN)) in [(a, s) for a, s, _ in pairs]
    for asked, sibling, text in pairs:
        assert {asked.kind, sibling.kind} == {"graded"}
        assert sibling.id in {asked.parent, *(p.id for p in bank.followups(asked.id))}
        assert text in {r.text for r in sibling.references}


@pytest.mark.slow
def test_quizmaster_grade_explain_names_the_sibling(tmp_path: Path, warm_cache: Path) -> None:
    env = {
        **os.environ,
        "QUIZMASTER_EMBEDDING_MODEL": BUNDLED_MODEL,
        "QUIZMASTER_EMBEDDING_DEVICE": "cpu",
        "QUIZMASTER_CACHE_DIR": str(warm_cache),
        "HF_HUB_OFFLINE": "1",
    }
    answer = load_bank().get(FOLLOW_UP).references_in("en")[0].text
    args = ["grade", MAIN, answer, "--lang", "en", "--explain", "--json"]
    result = run_quizmaster(args, env=env, cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    explained = json.loads(lines[-1])
    assert explained["sibling"] == FOLLOW_UP
    assert "sibling" in explained["flags"]
    assert any(line.startswith(f"this answers {FOLLOW_UP} ") for line in lines)
