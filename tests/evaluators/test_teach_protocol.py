"""The teaching protocol: `eval teach --ask K` picks K answers per question from a file without
scores, and `eval --taught` grades the rest with those grades as evidence, counting only them."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from content.schema import Prompt
from evaluators.fitting.rows import external_prompt
from evaluators.model_settings import ModelSettings
from tests.conftest import BUNDLED_MODEL
from tests.evaluators.test_cli import REFERENCES, ROWS
from tools.fitting.teach import choose, representatives
from tools.quality.cli import main


@pytest.fixture
def settings(tmp_path: Path) -> ModelSettings:
    return ModelSettings(model=BUNDLED_MODEL, device="cpu", cache_dir=tmp_path)


def _write(path: Path, *, scores: bool) -> Path:
    lines = []
    for question, answer, score in ROWS:
        row: dict[str, object] = {
            "question": question,
            "answer": answer,
            "reference": REFERENCES[question],
        }
        if scores:
            row |= {"score": score, "score_max": 5}
        lines.append(json.dumps(row))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _unit(angles: list[float]) -> np.ndarray:
    return np.array([[np.cos(a), np.sin(a)] for a in angles], dtype=np.float32)


def test_representatives_pick_the_centres_of_groups_before_an_outlier() -> None:
    # Three answers around 0 rad, a pair around 0.85 rad and one outlier at 1.5 rad.
    vectors = _unit([-0.1, 0.0, 0.1, 0.8, 0.9, 1.5])
    sums = (vectors @ vectors.T).sum(axis=1)
    picks = representatives(vectors, 2)
    assert picks[0] == int(np.argmax(sums))
    assert {0, 1, 2} & set(picks)
    assert {3, 4} & set(picks)
    assert representatives(vectors, 3)[2] == 5
    assert representatives(vectors, 0) == []
    assert representatives(vectors, 9) == [0, 1, 2, 3, 4, 5]


def test_choose_picks_k_per_question_and_random_is_seeded() -> None:
    a = external_prompt("q a", "ref a")
    b = external_prompt("q b", "ref b")
    prompts: list[Prompt] = [a, a, a, b, b, a, b]
    vectors = _unit([0.0, 0.5, 1.0, 0.0, 2.0, 1.5, 1.0])
    chosen = choose(prompts, vectors, 2)
    assert sum(prompts[i] is a for i in chosen) == 2
    assert sum(prompts[i] is b for i in chosen) == 2
    assert choose(prompts, vectors, 2, seed=7) == choose(prompts, vectors, 2, seed=7)
    assert len(choose(prompts, vectors, 5)) == len(prompts)


def test_teach_asks_k_per_question_from_a_file_without_scores(
    tmp_path: Path, settings: ModelSettings, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = _write(tmp_path / "answers.jsonl", scores=False)
    out = tmp_path / "ask.jsonl"
    assert main(["teach", str(answers), "--ask", "2", "--out", str(out)], settings) == 0
    asked = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    per_question = {q: sum(row["question"] == q for row in asked) for q in REFERENCES}
    assert per_question == dict.fromkeys(REFERENCES, 2)
    written = {json.dumps(json.loads(line)) for line in answers.read_text().splitlines()}
    assert all(json.dumps(row) in written for row in asked)
    assert "score" not in asked[0]
    assert f"--taught {out}" in capsys.readouterr().out

    random_out = tmp_path / "random.jsonl"
    argv = ["teach", str(answers), "--ask", "2", "--ask-random", "3", "--out", str(random_out)]
    assert main(argv, settings) == 0
    assert len(random_out.read_text(encoding="utf-8").splitlines()) == 4


def test_eval_with_team_grades_counts_only_the_other_answers(
    tmp_path: Path, settings: ModelSettings, capsys: pytest.CaptureFixture[str]
) -> None:
    graded = _write(tmp_path / "graded.jsonl", scores=True)
    taught = tmp_path / "taught.jsonl"
    assert main(["teach", str(graded), "--ask", "1", "--out", str(taught)], settings) == 0
    taught_answers = {json.loads(line)["answer"] for line in taught.read_text().splitlines()}
    assert len(taught_answers) == 2
    rows_out = tmp_path / "rows.jsonl"
    argv = [str(graded), "--taught", str(taught), "--rows", str(rows_out), "--json"]
    assert main(argv, settings) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["n"] == len(ROWS) - 2
    counted = [json.loads(line)["answer"] for line in rows_out.read_text().splitlines()]
    assert len(counted) == len(ROWS) - 2
    assert not taught_answers & set(counted)


def test_team_grades_are_no_cross_validation_input(
    tmp_path: Path, settings: ModelSettings, capsys: pytest.CaptureFixture[str]
) -> None:
    graded = _write(tmp_path / "graded.jsonl", scores=True)
    assert main([str(graded), "--cv", "--taught", str(graded)], settings) == 1
    assert "no --cv" in capsys.readouterr().err


def test_teach_without_a_mode_says_what_it_needs(
    tmp_path: Path, settings: ModelSettings, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = _write(tmp_path / "answers.jsonl", scores=False)
    assert main(["teach", str(answers)], settings) == 1
    assert "--ask K --out ASK.jsonl" in capsys.readouterr().err
