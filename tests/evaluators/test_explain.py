"""A grade read feature by feature: the registry declares each feature once, the live grader and
the evaluation's scoring give every dev-set answer the same score, and the explanation adds up
to it (`quizmaster grade --explain --json`'s contract)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from content.bank import Bank
from evaluators import EmbeddingGrader
from evaluators.calibration import CALIBRATION_PATH, Calibration, link
from evaluators.features import BY_NAME, FEATURES, HEAD_INPUTS, PROFILES
from evaluators.fitting.dev_set import DEV_SET_PATH
from evaluators.fitting.rows import read_rows, resolve_prompts
from evaluators.fitting.samples import collect
from evaluators.grade_cli import as_json
from evaluators.scoring import explain
from tests.cli_process import run_quizmaster
from tests.conftest import BUNDLED_MODEL


def test_every_feature_is_declared_once_and_every_head_reads_registered_ones() -> None:
    names = [f.name for f in FEATURES]
    assert len(names) == len(set(names))
    assert all(f.meaning and "\n" not in f.meaning for f in FEATURES)
    assert all(f.stand_in is None or f.stand_in in BY_NAME for f in FEATURES)
    for profile in PROFILES:
        assert HEAD_INPUTS[profile], profile
        assert set(HEAD_INPUTS[profile]) <= set(BY_NAME)
    committed = Calibration.load()
    for name, head in committed.heads.items():
        assert set(head.features) <= set(BY_NAME), name


def test_a_calibration_whose_head_reads_an_unregistered_feature_does_not_load(
    tmp_path: Path,
) -> None:
    data = json.loads(CALIBRATION_PATH.read_text(encoding="utf-8"))
    data["heads"]["concepts"]["features"][0] = "no_such_feature"
    path = tmp_path / "calibration.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match="no_such_feature"):
        Calibration.load(path)


def test_a_calibration_fitted_on_other_features_than_a_head_reads_now_does_not_load(
    tmp_path: Path,
) -> None:
    """A feature added to a head (one entry in its family's module) makes every calibration
    fitted before it stale, so it is refitted rather than graded without the feature."""
    data = json.loads(CALIBRATION_PATH.read_text(encoding="utf-8"))
    head = data["heads"]["concepts"]
    for key in ("features", "knots"):
        head[key] = head[key][1:]
    path = tmp_path / "calibration.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match="other features"):
        Calibration.load(path)


def check_contract(explained: dict[str, Any]) -> None:
    """`link(base + sum of contributions)` x 100 is `raw` within a point, and the score is `raw`
    under every cap; where a guardrail or an open prompt decided, there is no head to add up."""
    assert set(explained) >= {
        *("score", "verdict", "covered", "missed", "flags", "head", "link", "base"),
        *("features", "raw", "feedback"),
    }
    if explained["head"] is None:
        assert explained["features"] == [] and explained["score"] == explained["raw"]
        return
    assert explained["link"] == "logistic"
    total = explained["base"] + sum(f["contribution"] for f in explained["features"])
    assert abs(100 * link(total) - explained["raw"]) <= 1
    assert [f["name"] for f in explained["features"]] == list(HEAD_INPUTS[explained["head"]])
    cap = explained["cap"]
    assert explained["score"] == (explained["raw"] if cap is None else min(explained["raw"], cap))
    assert (cap is not None) == any(f in explained["flags"] for f in ("one_word", "off_topic"))


@pytest.mark.slow
async def test_the_live_grader_and_the_evaluation_score_every_dev_answer_alike(
    grader: EmbeddingGrader, bank: Bank
) -> None:
    """Each dev-set answer graded live (`quizmaster grade`) and measured for the evaluation, then
    scored by the same function with the same calibration: the same explanation (score, flags,
    concepts, every contribution), and one that adds up. One answer at a time, so each is
    encoded alone both ways (a batch's padding moves the last digits of a vector)."""
    rows = read_rows(DEV_SET_PATH)
    prompts = resolve_prompts(rows, bank)
    await grader.prepare(bank)
    calibration = grader.calibration
    for row, prompt in zip(rows, prompts, strict=True):
        live = await grader.explain(prompt, row.answer, lang="en")
        [sample] = await collect(grader, [row], [prompt])
        offline = explain(prompt, sample.screening, sample.evidence, calibration)
        assert live.explanation == offline, row.answer
        check_contract(as_json(live))


@pytest.mark.slow
def test_quizmaster_grade_explains_one_answer_as_json(tmp_path: Path, warm_cache: Path) -> None:
    env = {
        **os.environ,
        "QUIZMASTER_EMBEDDING_MODEL": BUNDLED_MODEL,
        "QUIZMASTER_EMBEDDING_DEVICE": "cpu",
        "QUIZMASTER_CACHE_DIR": str(warm_cache),
        "HF_HUB_OFFLINE": "1",
    }
    answer = "ReLU does not saturate for positive inputs, so gradients do not vanish."
    args = ["grade", "q01", answer, "--lang", "en", "--explain", "--json"]
    result = run_quizmaster(args, env=env, cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    explained = json.loads(lines[-1])
    check_contract(explained)
    assert explained["head"] == "concepts"
    assert lines[0] == f"{explained['score']}/100 {explained['verdict']}"
    for feature in explained["features"]:
        assert any(line.split()[:1] == [feature["name"]] for line in lines), feature["name"]


def test_quizmaster_grade_names_an_unknown_prompt(tmp_path: Path) -> None:
    env = {**os.environ, "QUIZMASTER_CACHE_DIR": str(tmp_path), "HF_HUB_OFFLINE": "1"}
    result = run_quizmaster(["grade", "no-such-id", "an answer"], env=env, cwd=tmp_path)
    assert result.returncode == 1
    assert "no prompt 'no-such-id' in the bank" in result.stderr
