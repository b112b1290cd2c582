"""What a study channel sees: fair scores, concept names, feedback language, caps, open prompts."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from content.schema import Prompt
from evaluators import EmbeddingGrader, Flag, Verdict, create_grader
from evaluators.fitting.rows import external_prompt
from tests.conftest import BUNDLED_MODEL
from tests.evaluators.conftest import GOOD_EN, GOOD_KO, MISCONCEPTION_KO

_HANGUL = re.compile(r"[가-힣]")


async def test_correct_korean_answer_beats_confident_misconception(
    grader: EmbeddingGrader, relu: Prompt
) -> None:
    good = await grader.grade(relu, GOOD_KO)
    wrong = await grader.grade(relu, MISCONCEPTION_KO)
    assert good.score >= 65
    assert wrong.score <= 35
    assert good.score > wrong.score + 30
    assert Flag.MISCONCEPTION in wrong.flags
    assert Flag.MISCONCEPTION not in good.flags
    assert "오해" in wrong.feedback


async def test_english_answer_to_korean_prompt_is_graded_on_content(
    grader: EmbeddingGrader, relu: Prompt
) -> None:
    grade = await grader.grade(relu, GOOD_EN, lang="en")
    assert grade.score >= 65
    assert grade.verdict in {Verdict.CORRECT, Verdict.MOSTLY_CORRECT}
    assert {"vanishing-gradient", "saturation", "unit-gradient", "cheap"} <= set(grade.covered)


async def test_covered_and_missed_are_the_prompts_concept_ids(
    grader: EmbeddingGrader, relu: Prompt
) -> None:
    grade = await grader.grade(relu, "Sigmoid는 포화되어서 기울기 소실이 생기기 때문입니다.")
    ids = {c.id for c in relu.concepts}
    assert set(grade.covered) == {"vanishing-gradient", "saturation"}
    assert set(grade.covered) | set(grade.missed) | set(grade.unsure) == ids
    assert len(grade.covered) + len(grade.missed) + len(grade.unsure) == len(ids)
    assert "cheap" in grade.missed, "nothing in the answer comes near computation cost"


async def test_partial_answer_scores_between_wrong_and_full(
    grader: EmbeddingGrader, relu: Prompt
) -> None:
    partial = await grader.grade(relu, "ReLU는 계산이 간단해서 빠르기 때문입니다.")
    full = await grader.grade(relu, GOOD_KO)
    wrong = await grader.grade(relu, MISCONCEPTION_KO)
    assert wrong.score < partial.score < full.score


async def test_feedback_follows_the_requested_language(
    grader: EmbeddingGrader, relu: Prompt
) -> None:
    partial = "ReLU is cheap to compute."
    korean = await grader.grade(relu, partial, lang="ko")
    english = await grader.grade(relu, partial, lang="en")
    assert _HANGUL.search(korean.feedback)
    assert not _HANGUL.search(english.feedback)
    assert english.feedback.startswith("A full answer ")
    assert "cheap" in english.covered
    assert "vanishing-gradient" in english.missed


async def test_hint_cap_limits_the_score_and_says_so(grader: EmbeddingGrader, relu: Prompt) -> None:
    free = await grader.grade(relu, GOOD_KO)
    capped = await grader.grade(relu, GOOD_KO, cap=50)
    assert free.score > 50
    assert capped.score == 50
    assert Flag.CAPPED in capped.flags
    assert "50" in capped.feedback
    loose = await grader.grade(relu, GOOD_KO, cap=100)
    assert Flag.CAPPED not in loose.flags
    assert loose.score == free.score


async def test_open_prompt_is_acknowledged_not_judged(
    grader: EmbeddingGrader, open_prompt: Prompt
) -> None:
    grade = await grader.grade(open_prompt, "저는 PyTorch를 제일 좋아해요. 디버깅이 편하거든요.")
    assert grade.verdict is Verdict.ACKNOWLEDGED
    assert grade.score == 100
    assert grade.covered == grade.missed == ()
    shrug = await grader.grade(open_prompt, "모르겠어요")
    assert shrug.score <= 20
    assert shrug.verdict is Verdict.NO_ANSWER


async def test_200_concurrent_answers_each_get_their_own_grade(
    grader: EmbeddingGrader, relu: Prompt
) -> None:
    answers = [
        GOOD_KO,
        GOOD_EN,
        MISCONCEPTION_KO,
        "ReLU는 계산이 간단해서 빠르기 때문입니다.",
        "Sigmoid는 포화되어서 기울기 소실이 생기기 때문입니다.",
        "ReLU has a gradient of 1 for positive inputs.",
        "Because ReLU is newer and more popular.",
        "모르겠어요",
    ]
    expected = {a: await grader.grade(relu, a) for a in answers}
    assert len({g.score for g in expected.values()}) >= 6  # distinct answers, distinct scores
    batches_before = len(grader.batcher.batch_sizes)
    stream = [answers[i % len(answers)] for i in range(200)]
    grades = await asyncio.gather(*(grader.grade(relu, a) for a in stream))
    for answer, grade in zip(stream, grades, strict=True):
        assert grade == expected[answer]
    new_batches = list(grader.batcher.batch_sizes)[batches_before:]
    assert max(new_batches) > 1  # concurrent calls were gathered into shared encodes
    assert len(new_batches) < 100


def test_graders_share_one_model_and_build_outside_a_loop(tmp_path: Path) -> None:
    first = create_grader(model_name=BUNDLED_MODEL, device="cpu", cache_dir=tmp_path)
    second = create_grader(model_name=BUNDLED_MODEL, device="cpu", cache_dir=tmp_path / "b")
    assert first.embedder is second.embedder


async def test_reference_only_prompts_use_token_alignment_and_bank_prompts_skip_it(
    grader: EmbeddingGrader, relu: Prompt
) -> None:
    external = external_prompt(
        "What is the role of a prototype program in problem solving?",
        "To simulate the behaviour of portions of the desired software product.",
    )
    close = await grader.measure(
        external, "It simulates how parts of the final software product behave."
    )
    far = await grader.measure(external, "A loop repeats a block of statements.")
    assert close.measures.tok_recall is not None and far.measures.tok_recall is not None
    assert close.measures.tok_recall > far.measures.tok_recall
    banked = await grader.measure(relu, GOOD_EN)
    assert banked.measures.tok_recall is None  # bank prompts are judged on concepts instead


async def test_reference_only_prompts_read_the_reference_framed_by_its_question(
    grader: EmbeddingGrader, relu: Prompt
) -> None:
    """A fragment of a reference ("At the main function.") is read as the answer to its
    question: its sentence vector and its tokens come from the question and reference encoded as
    one text, so restating the question gains nothing over a right answer."""
    external = external_prompt("Where does a C++ program begin executing?", "At the main function.")
    right = await grader.measure(external, "A C++ program begins executing at the main function.")
    restated = await grader.measure(external, "A C++ program begins executing somewhere.")
    assert right.measures.framed_sim is not None and restated.measures.framed_sim is not None
    assert right.features["framed_gain"] > restated.features["framed_gain"] + 0.05
    # The reference's own tokens, as many as it has alone, but read in the question's context.
    (framed,) = grader.store.reference_tokens(external)
    _, (alone,) = grader.embedder.encode_with_tokens(["At the main function."])
    assert framed.shape == alone.shape
    assert not np.allclose(framed.astype(np.float32), alone.astype(np.float32), atol=0.05)
    banked = await grader.measure(relu, GOOD_EN)
    assert banked.measures.framed_sim is None  # bank prompts: no framed references encoded
    assert banked.features["framed_gain"] == -banked.features["q_margin"]


def test_a_grader_keeps_numpys_blas_to_one_thread(tmp_path: Path) -> None:
    """Small products beside torch's threads: OpenBLAS's own threads only contend (see
    `evaluators.service._one_blas_thread`). A fresh process, as the limit is process-wide."""
    script = (
        "import sys; from pathlib import Path\n"
        "from threadpoolctl import threadpool_info, threadpool_limits\n"
        "threadpool_limits(limits=2, user_api='blas')\n"
        "from evaluators import EmbeddingGrader\n"
        "from evaluators.calibration import Calibration\n"
        "from evaluators.embedding.remote import remote_embedder\n"
        "def blas(): return [p['num_threads'] for p in threadpool_info()"
        " if p['user_api'] == 'blas']\n"
        "before = blas()\n"
        "embedder = remote_embedder('http://127.0.0.1:9', model='m')\n"
        "EmbeddingGrader(embedder, cache_dir=Path(sys.argv[1]), calibration=Calibration.load())\n"
        "print(before, blas())\n"
    )
    # Without the suite's per-worker OMP_NUM_THREADS (tests/conftest.py), which caps OpenBLAS
    # at one thread before the grader could.
    env = {key: value for key, value in os.environ.items() if key != "OMP_NUM_THREADS"}
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    before, after = done.stdout.strip().split("] [")
    assert "2" in before
    assert set(after.rstrip("]").split(", ")) == {"1"}


async def test_a_concept_the_question_names_is_no_new_coverage(
    grader: EmbeddingGrader, relu: Prompt
) -> None:
    asks_about_vanishing = relu.model_copy(
        update={
            "text": relu.text.model_copy(
                update={"en": "Why does ReLU avoid the vanishing gradient that Sigmoid has?"}
            )
        }
    )
    echo = await grader.measure(asks_about_vanishing, "Because of the vanishing gradient.")
    assert echo.covered == ("vanishing-gradient",)
    assert echo.measures.new_coverage == 0.0
    answer = await grader.measure(
        asks_about_vanishing, "Sigmoid saturates, while ReLU is cheap to compute."
    )
    assert answer.measures.new_coverage == pytest.approx(2 / 3)


async def test_a_follow_up_is_read_as_one(grader: EmbeddingGrader, relu: Prompt) -> None:
    follow_up = relu.model_copy(update={"id": "t-relu.1", "parent": relu.id})
    assert (await grader.measure(follow_up, GOOD_EN)).features["follow_up"] == 1.0
    assert (await grader.measure(relu, GOOD_EN)).features["follow_up"] == 0.0


async def test_concepts_named_in_a_fragment_are_read_against_the_model_answer_length(
    grader: EmbeddingGrader, relu: Prompt
) -> None:
    terse = "Sigmoid saturates and gradients vanish; ReLU is cheap to compute."
    english = next(r for r in relu.references if r.lang == "en")
    longer = relu.model_copy(
        update={
            "references": (
                *(r for r in relu.references if r.lang != "en"),
                english.model_copy(
                    update={
                        "text": f"{english.text} He initialization keeps the variance of each "
                        "layer's activations steady, and leaky variants keep dead units alive."
                    }
                ),
            )
        }
    )
    short_key = (await grader.measure(relu, terse)).features
    long_key = (await grader.measure(longer, terse)).features
    assert short_key["coverage"] == long_key["coverage"] > 0
    assert short_key["log_words"] == long_key["log_words"]
    assert long_key["coverage_rel_length"] < short_key["coverage_rel_length"] < 0
