"""Answers a team graded move the grades of answers near them toward their grade (real model, the
seed bank), each team's grades only, and each graded answer is measured once."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from content.bank import Bank
from content.loader import DEFAULT_BANK_DIR
from content.schema import Prompt
from evaluators.calibration import CALIBRATION_PATH, Calibration
from evaluators.embedding.vectors import Matrix
from evaluators.fitting.store import COMMITTED_DIR
from evaluators.model_settings import ModelSettings
from evaluators.service import EmbeddingGrader
from evaluators.taught import Kernel, TeamGrade
from evaluators.team_evidence import TeamEvidence
from tests.conftest import BUNDLED_MODEL
from tools.quality.grade_cli import main as grade_main

RELU_QUESTION = "요즘 Sigmoid 보다 ReLU를 많이 쓰는데 그 이유는?"
# Answers that give only the cheaper computation (the dev set's people gave such answers 2/5).
SPEED_ONLY = (
    "ReLU is just max(0, x), so it is much cheaper to compute than the exponential in sigmoid.",
    "Because ReLU has no exp in it, it is faster to compute than sigmoid.",
    "ReLU is used because computing max(0, x) is quicker than computing an exponential.",
)
NEW = "ReLU is faster to compute since it is only max(0, x), while sigmoid needs exp."
FAR = (
    "Sigmoid squashes large inputs so its gradient vanishes across deep layers; ReLU keeps a "
    "gradient of 1 for positive inputs, so deep networks train."
)


@pytest.fixture
def relu_prompt(bank: Bank) -> Prompt:
    prompt = bank.find_by_text(RELU_QUESTION)
    assert prompt is not None
    return prompt


def _graded(prompt: Prompt, texts: tuple[str, ...], score: int) -> list[TeamGrade]:
    return [TeamGrade(prompt.id, text, score, by="admin") for text in texts]


async def test_an_answer_near_a_graded_group_moves_toward_its_grade(
    grader: EmbeddingGrader, bank: Bank, relu_prompt: Prompt
) -> None:
    await grader.prepare(bank)
    alone = (await grader.grade(relu_prompt, NEW)).score
    high = await grader.explain(relu_prompt, NEW, taught=_graded(relu_prompt, SPEED_ONLY, 100))
    low = await grader.explain(relu_prompt, NEW, taught=_graded(relu_prompt, SPEED_ONLY, 0))
    assert low.grade.score < alone < high.grade.score
    assert high.explanation.taught is not None
    assert high.explanation.taught.nearest.score == 100
    assert high.explanation.taught.nearest.answer in SPEED_ONLY
    assert "near an answer your team graded 100" in high.explanation.taught.describe()
    assert high.explanation.as_json()["taught"]["n"] == len(SPEED_ONLY)


async def test_the_feedback_names_the_team_grade_only_when_it_moved_the_score(
    grader: EmbeddingGrader, bank: Bank, relu_prompt: Prompt
) -> None:
    await grader.prepare(bank)
    graded = _graded(relu_prompt, SPEED_ONLY, 100)
    alone = await grader.grade(relu_prompt, NEW, lang="en")
    english = await grader.explain(relu_prompt, NEW, lang="en", taught=graded)
    korean = await grader.grade(relu_prompt, NEW, lang="ko", taught=graded)
    assert english.explanation.moved_by_team and english.grade.score > alone.score
    assert english.grade.feedback.startswith("Near an answer your team graded 100.")
    assert korean.feedback.startswith("팀이 100점으로 채점한 답과 가까운 답이에요.")
    assert "your team graded" not in alone.feedback
    # an answer far from the graded ones: the evidence carries little (if it moves the score a
    # point or two), and the member is not told of a team grade they are not near
    far = await grader.explain(relu_prompt, FAR, lang="en", taught=graded)
    assert far.explanation.taught is not None and not far.explanation.taught.near
    assert "your team graded" not in far.grade.feedback
    # a hint's cap below both scores absorbs the shift: the score is the cap, and no team
    # grade is named for it
    capped = await grader.explain(relu_prompt, NEW, lang="en", cap=10, taught=graded)
    assert capped.grade.score == 10 and capped.explanation.taught is not None
    assert not capped.explanation.moved_by_team
    assert "your team graded" not in capped.grade.feedback


async def test_a_far_graded_answer_is_trusted_less_than_a_near_group(
    grader: EmbeddingGrader, relu_prompt: Prompt
) -> None:
    near = await grader.explain(relu_prompt, NEW, taught=_graded(relu_prompt, SPEED_ONLY, 0))
    far = await grader.explain(relu_prompt, NEW, taught=_graded(relu_prompt, (FAR,), 0))
    assert near.explanation.taught is not None
    assert far.explanation.taught is not None
    assert far.explanation.taught.trust < near.explanation.taught.trust


async def test_only_the_grades_handed_in_are_read(
    grader: EmbeddingGrader, relu_prompt: Prompt
) -> None:
    """Two teams graded the same answer text; the grader holds its measurement once, but a
    grade is read only from the team whose list is handed in, and no list means no evidence."""
    team_a = _graded(relu_prompt, (NEW,), 100)
    team_b = _graded(relu_prompt, (NEW,), 0)
    by_a = await grader.grade(relu_prompt, NEW, taught=team_a)
    by_b = await grader.grade(relu_prompt, NEW, taught=team_b)
    alone = await grader.grade(relu_prompt, NEW)
    assert by_b.score < alone.score < by_a.score
    assert (await grader.explain(relu_prompt, NEW)).explanation.taught is None
    assert len(grader.team_evidence) == 1


async def test_each_graded_answer_is_measured_once(
    grader: EmbeddingGrader, relu_prompt: Prompt
) -> None:
    taught = _graded(relu_prompt, SPEED_ONLY, 40)
    await grader.grade(relu_prompt, NEW, taught=taught)
    await grader.grade(relu_prompt, FAR, taught=taught)
    assert len(grader.team_evidence) == len(SPEED_ONLY)


async def test_a_grade_of_another_prompt_is_refused(
    grader: EmbeddingGrader, relu_prompt: Prompt
) -> None:
    other = TeamGrade("another-prompt", NEW, 100)
    with pytest.raises(ValueError, match="another-prompt"):
        await grader.grade(relu_prompt, NEW, taught=[other])


async def test_guardrail_answers_are_not_moved(
    grader: EmbeddingGrader, relu_prompt: Prompt
) -> None:
    taught = [*_graded(relu_prompt, SPEED_ONLY, 100), TeamGrade(relu_prompt.id, "몰라요", 100)]
    scored = await grader.explain(relu_prompt, "모르겠어요", taught=taught)
    assert scored.explanation.taught is None
    assert scored.grade.score == (await grader.grade(relu_prompt, "모르겠어요")).score
    # "몰라요" is decided by a guardrail: held, but no evidence about any vector.
    assert len(grader.team_evidence) == len(SPEED_ONLY) + 1


def test_a_team_grade_is_0_to_100_with_an_answer() -> None:
    with pytest.raises(ValueError, match="0-100"):
        TeamGrade("p", "an answer", 101)
    with pytest.raises(ValueError, match="answer"):
        TeamGrade("p", "  ", 50)


def test_quizmaster_grade_explain_names_the_team_evidence(
    tmp_path: Path, embedding_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    grades = tmp_path / "grades.jsonl"
    rows = [
        {"question": RELU_QUESTION, "answer": text, "score": 100, "score_max": 100}
        for text in SPEED_ONLY
    ]
    rows.append(
        {"question": "No such question in the bank?", "answer": NEW, "score": 0, "score_max": 100}
    )
    grades.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    settings = ModelSettings(model=BUNDLED_MODEL, device="cpu", cache_dir=embedding_cache)
    argv = ["q01", NEW, "--taught", str(grades), "--explain", "--json"]
    assert grade_main(argv, settings, banks=[DEFAULT_BANK_DIR]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert any(
        line.startswith("team evidence: near an answer your team graded 100") for line in lines
    )
    explained = json.loads(lines[-1])
    assert explained["taught"]["n"] == len(SPEED_ONLY)


async def test_the_kernel_is_the_calibrations(
    grader: EmbeddingGrader, relu_prompt: Prompt, tmp_path: Path
) -> None:
    """A model's calibration carries the kernel fitted for it (its cosines are its own scale):
    the same evidence moves a grade less under a kernel that trusts evidence less."""
    calibration = grader.calibration
    cautious = replace(calibration, team_kernel=Kernel(tau=0.05, lam=50.0))
    cautious.save(tmp_path / "cautious.json")
    other = EmbeddingGrader(
        grader.embedder,
        cache_dir=tmp_path,
        calibration=Calibration.load(tmp_path / "cautious.json"),
    )
    taught = _graded(relu_prompt, SPEED_ONLY, 100)
    try:
        usual = await grader.explain(relu_prompt, NEW, taught=taught)
        shy = await other.explain(relu_prompt, NEW, taught=taught)
    finally:
        await other.aclose()
    assert usual.explanation.taught is not None and shy.explanation.taught is not None
    assert 0 < shy.explanation.taught.shift < usual.explanation.taught.shift
    assert shy.explanation.taught.trust < 0.1 < usual.explanation.taught.trust


def test_each_committed_calibration_carries_its_models_kernel() -> None:
    files = [CALIBRATION_PATH, *sorted(COMMITTED_DIR.glob("*.json"))]
    kernels = {path.name: Calibration.load(path).team_kernel for path in files}
    assert all(kernel is not None for kernel in kernels.values()), kernels


async def test_held_grades_are_bounded_least_recently_read_first_out(
    grader: EmbeddingGrader, relu_prompt: Prompt
) -> None:
    measured: list[str] = []

    async def measure(prompt: Prompt, answer: str) -> tuple[Matrix, int] | None:
        measured.append(answer)
        return await grader.alone(prompt, answer)

    evidence = TeamEvidence(limit=2)
    first, second, third = _graded(relu_prompt, SPEED_ONLY, 60)
    held = await evidence.held(relu_prompt, [first, second, third], measure)
    assert [h.grade for h in held] == [first, second, third]  # all read, though only 2 are kept
    assert len(evidence) == 2
    await evidence.held(relu_prompt, [second, third], measure)
    assert measured == list(SPEED_ONLY)  # the two kept were not measured again
    await evidence.held(relu_prompt, [first], measure)
    assert measured == [*SPEED_ONLY, first.answer]  # the one dropped is measured again
    assert len(evidence) == 2
