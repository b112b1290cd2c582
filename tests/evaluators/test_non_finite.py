"""Non-finite numbers never become a grade. A NaN in a vector, a calibration or the team's evidence
once read as a score of 100 (`min(30.0, nan)` is 30 in the link); now each is refused as the
grader being unavailable, or the calibration holding it is never used, and a fit never stores
one. Real model (its weights damaged where a test says so), real calibration files."""

from __future__ import annotations

import json
import logging
import math
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from pathlib import Path

import pytest

from content.bank import Bank
from content.schema import Prompt
from evaluators import EmbeddingGrader, create_grader
from evaluators.calibration import CALIBRATION_PATH, Calibration, link
from evaluators.embedding.identity import identify
from evaluators.embedding.sentence_model import Embedder, load_embedder
from evaluators.fitting.calibration_fit import fit_calibration
from evaluators.fitting.store import cache_path, calibration_for
from evaluators.grade import EmbeddingUnavailableError, NonFiniteError
from evaluators.service import grader_on
from evaluators.taught import Kernel, TeamGrade
from tests.conftest import BUNDLED_MODEL
from tests.evaluators.broken_weights import BROKEN_WORD, with_nan_token

RELU_QUESTION = "요즘 Sigmoid 보다 ReLU를 많이 쓰는데 그 이유는?"
PARTIAL = "ReLU is faster to compute since it is only max(0, x), while sigmoid needs exp."
"""Half an answer: graded well below 100, so a grade of 100 is the fault showing."""
WITH_THE_WORD = f"ReLU is cheap to compute, like a {BROKEN_WORD} is striped: max(0, x) is fast."


@pytest.fixture
def relu(bank: Bank) -> Prompt:
    prompt = bank.find_by_text(RELU_QUESTION)
    assert prompt is not None
    return prompt


@pytest.fixture(scope="module")
def damaged(model_path: str) -> Embedder:
    """The bundled model with `BROKEN_WORD`'s token row NaN (its probe is intact: the identity,
    and so the committed calibration, are the bundled model's)."""
    return with_nan_token(load_embedder(model_path, "cpu"))


@pytest.fixture
async def damaged_grader(damaged: Embedder, tmp_path: Path) -> AsyncIterator[EmbeddingGrader]:
    grader = grader_on(damaged, cache_dir=tmp_path / "cache")
    yield grader
    await grader.aclose()


def test_the_link_refuses_a_sum_that_is_not_a_number() -> None:
    for z in (math.nan, math.inf, -math.inf):
        with pytest.raises(NonFiniteError, match="head's sum"):
            link(z)
    assert link(100.0) == pytest.approx(1.0) and link(0.0) == 0.5


def _nan_intercept(data: dict[str, object]) -> str:
    data["heads"]["concepts"]["intercept"] = math.nan  # type: ignore[index]
    return json.dumps(data)


def _infinite_coef(data: dict[str, object]) -> str:
    data["heads"]["concepts"]["coef"][0] = -math.inf  # type: ignore[index]
    return json.dumps(data)


def _overflowing_scale(data: dict[str, object]) -> str:
    return json.dumps(data).replace('"scale": [', '"scale": [1e999, ', 1)


def _truncated(data: dict[str, object]) -> str:
    text = json.dumps(data)
    return text[: len(text) // 2]


def _stale_identity(data: dict[str, object]) -> str:
    data["identity"]["fingerprint"] = "0000000000000000"  # type: ignore[index]
    data["heads"]["concepts"]["intercept"] = 30.0  # type: ignore[index]
    return json.dumps(data)


def _a_list(data: dict[str, object]) -> str:
    return json.dumps([data])


FAULTS: dict[str, Callable[[dict[str, object]], str]] = {
    "nan": _nan_intercept,
    "inf": _infinite_coef,
    "1e999": _overflowing_scale,
    "truncated": _truncated,
    "stale identity": _stale_identity,
    "not an object": _a_list,
}


@pytest.mark.parametrize("fault", FAULTS)
async def test_a_damaged_calibration_file_is_never_graded_with(
    fault: str,
    tmp_path: Path,
    grader: EmbeddingGrader,
    relu: Prompt,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The cache dir's calibration for the model, damaged each way: the file is passed over
    with a warning naming it (the committed file answers for the bundled model), and the answer
    gets exactly its clean grade."""
    clean = (await grader.grade(relu, PARTIAL)).score
    assert clean < 90
    data = json.loads(CALIBRATION_PATH.read_text(encoding="utf-8"))
    damaged_file = cache_path(tmp_path, identify(grader.embedder))
    damaged_file.parent.mkdir(parents=True)
    damaged_file.write_text(FAULTS[fault](data), encoding="utf-8")
    caplog.set_level(logging.WARNING, logger="quizmaster.evaluators")
    fresh = create_grader(model_name=BUNDLED_MODEL, device="cpu", cache_dir=tmp_path)
    try:
        assert (await fresh.grade(relu, PARTIAL)).score == clean
    finally:
        await fresh.aclose()
    assert fresh.calibration_source.startswith("committed")
    if fault in {"nan", "inf", "1e999"}:
        assert f"calibration refused, {damaged_file}: heads.concepts" in caplog.text
        assert "Input should be a finite number" in caplog.text


async def test_a_calibration_holding_nan_grades_nothing(
    model_path: str, embedding_cache: Path, relu: Prompt
) -> None:
    """Handed to the grader as it is (not from a file): every grade is refused, naming it; so is
    a team kernel of NaN, which would weigh the team's evidence."""
    committed = Calibration.load(CALIBRATION_PATH)
    nan_head = replace(committed.heads["concepts"], intercept=math.nan)
    for broken, named in (
        (
            replace(committed, heads={**committed.heads, "concepts": nan_head}),
            "heads.concepts.intercept = nan",
        ),
        (replace(committed, team_kernel=Kernel(tau=math.nan)), "team_kernel.tau = nan"),
    ):
        graded = EmbeddingGrader(
            load_embedder(model_path, "cpu"), cache_dir=embedding_cache, calibration=broken
        )
        try:
            with pytest.raises(NonFiniteError, match="non-finite numbers in the calibration") as e:
                await graded.grade(relu, PARTIAL)
        finally:
            await graded.aclose()
        assert named in e.value.reason
        assert isinstance(e.value, EmbeddingUnavailableError)


async def test_nan_vectors_are_refused_and_the_answer_grades_once_they_are_gone(
    damaged_grader: EmbeddingGrader,
    grader: EmbeddingGrader,
    relu: Prompt,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An answer whose vector is NaN is refused with one error line naming the answer's vector;
    the same answer through an intact model gets a number, and an answer without the damaged
    word gets its usual grade from the damaged model."""
    caplog.set_level(logging.ERROR, logger="quizmaster.evaluators")
    with pytest.raises(NonFiniteError, match="answer vector") as refused:
        await damaged_grader.grade(relu, WITH_THE_WORD)
    lines = [r.getMessage() for r in caplog.records if r.name == "quizmaster.evaluators"]
    assert lines == [f"refused to grade an answer to {relu.id}: {refused.value.reason}"]
    assert (await grader.grade(relu, WITH_THE_WORD)).score < 100
    assert (await damaged_grader.grade(relu, PARTIAL)) == await grader.grade(relu, PARTIAL)


async def test_nan_team_evidence_is_refused_never_read_as_no_shift(
    damaged_grader: EmbeddingGrader, grader: EmbeddingGrader, relu: Prompt
) -> None:
    """A graded answer whose vector is NaN would weigh NaN: the grade it is evidence for is
    refused (once read as a shift of 0, a grade made from NaN), and the graded answer is not held,
    so an intact model's measure of it is taken afresh."""
    taught = [TeamGrade(relu.id, WITH_THE_WORD, 95, by="admin")]
    with pytest.raises(NonFiniteError):
        await damaged_grader.grade(relu, PARTIAL, taught=taught)
    assert len(damaged_grader.team_evidence) == 0
    with_evidence = await grader.explain(relu, PARTIAL, taught=taught)
    assert with_evidence.explanation.taught is not None
    assert math.isfinite(with_evidence.explanation.taught.shift)


def test_a_calibration_holding_nan_is_never_written(tmp_path: Path) -> None:
    committed = Calibration.load(CALIBRATION_PATH)
    head = committed.heads["concepts"]
    nan_coef = replace(head, coef=(math.nan, *head.coef[1:]))
    broken = replace(committed, heads={**committed.heads, "concepts": nan_coef})
    path = tmp_path / "calibration.json"
    with pytest.raises(ValueError, match=r"heads\.concepts\.coef\[0\] = nan"):
        broken.save(path)
    assert not path.exists()


async def test_a_fit_on_a_model_giving_nan_stores_nothing(
    model_path: str, tmp_path: Path, dev_slice: Path
) -> None:
    """Damage that reaches the probe text (its "dropout") gives the model another identity, with
    no calibration: the fit is refused before minutes of measuring, and nothing is stored; the
    grader asks for no second fit."""
    broken = with_nan_token(load_embedder(model_path, "cpu"), "dropout")
    with pytest.raises(NonFiniteError, match="probe"):
        calibration_for(broken, cache_dir=tmp_path, dev=dev_slice)
    assert not (tmp_path / "calibration").exists()
    graded = grader_on(broken, cache_dir=tmp_path)
    try:
        with pytest.raises(NonFiniteError, match="probe"):
            _ = graded.calibration
        encoded = broken.texts_encoded
        with pytest.raises(NonFiniteError, match="probe"):
            _ = graded.calibration
        assert broken.texts_encoded == encoded
    finally:
        await graded.aclose()
    assert not (tmp_path / "calibration").exists()


def _dev_with_the_word(dev_slice: Path, folder: Path) -> Path:
    """The dev slice's first 3 rows, the first answer opening with `BROKEN_WORD` (at its end,
    the model's 128 tokens could cut it off a long Korean answer)."""
    rows = dev_slice.read_text(encoding="utf-8").splitlines()[:3]
    first = json.loads(rows[0])
    first["answer"] = f"A {BROKEN_WORD}: {first['answer']}"
    dev = folder / "dev.jsonl"
    dev.write_text("\n".join([json.dumps(first), *rows[1:]]) + "\n", encoding="utf-8")
    return dev


async def test_a_fit_on_answers_measured_as_nan_stores_nothing(
    damaged: Embedder, warm_cache: Path, dev_slice: Path, tmp_path: Path
) -> None:
    """Damage that spares the probe but reaches one dev answer: the answers are measured (the
    bank's vectors come from the cache the intact model filled), and the fit is refused before
    any head is fitted on a NaN measure (it once fitted NaN coefficients)."""
    dev = _dev_with_the_word(dev_slice, tmp_path)
    refused = "answers measured for the fit have non-finite measures"
    with pytest.raises(NonFiniteError, match=refused):
        await fit_calibration(damaged, cache_dir=warm_cache, dev=dev)
