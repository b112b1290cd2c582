"""`quizmaster eval`, `eval teach` and the quality table's readers on rows a person could write
by mistake (issue 60, case 6; issue 70, case 8): each is refused with one line naming the file,
the line and the field, never a traceback, and a score outside 0 to score_max is no longer taken
silently; an answer past the grader's limit is read cut to it, as live grading reads it."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from evaluators.fitting.rows import read_rows
from evaluators.grade import MAX_ANSWER_CHARS
from evaluators.model_settings import ModelSettings
from tests.conftest import BUNDLED_MODEL
from tests.evaluators.test_cli import REFERENCES
from tools.fitting.teach import read_answers
from tools.quality.cli import main

QUESTION = "What does a stack push do?"
GOOD: dict[str, object] = {
    "question": QUESTION,
    "answer": "It adds an element on top of the stack.",
    "score": 5,
    "score_max": 5,
    "reference": REFERENCES[QUESTION],
}
SECOND = (
    f'{{"question": "{QUESTION}", "answer": "It removes the bottom.", {{fields}},'
    f' "reference": "{REFERENCES[QUESTION]}"}}'
)
"""The file's second line, with its score fields as raw JSON (NaN and 1e309 are not JSON a
dict would write)."""

BAD_SCORES = {
    "score_max 0": ('"score": 1, "score_max": 0', "score_max: must be above 0, not 0"),
    "score NaN": ('"score": NaN, "score_max": 5', "score: must be a finite number, not nan"),
    "score 1e309": ('"score": 1e309, "score_max": 5', "score: must be a finite number, not inf"),
    "score_max 1e309": ('"score": 1, "score_max": 1e309', "score_max: must be a finite number"),
    "negative score": ('"score": -50, "score_max": 5', "score: must be from 0 to 5, not -50"),
    "score over max": ('"score": 6, "score_max": 5', "score: must be from 0 to 5, not 6"),
    "score as text": ('"score": "high", "score_max": 5', "score: must be a number, not 'high'"),
    "score true": ('"score": true, "score_max": 5', "score: must be a number, not True"),
    "no score_max": ('"score": 1', "score_max: missing"),
}
COMMANDS = {
    "eval": lambda path: [str(path)],
    "eval teach --measure": lambda path: ["teach", str(path), "--measure", "1"],
}


@pytest.fixture
def settings(tmp_path: Path) -> ModelSettings:
    return ModelSettings(model=BUNDLED_MODEL, device="cpu", cache_dir=tmp_path)


def _file(tmp_path: Path, fields: str) -> Path:
    path = tmp_path / "graded.jsonl"
    path.write_text(
        json.dumps(GOOD) + "\n" + SECOND.replace("{fields}", fields) + "\n", encoding="utf-8"
    )
    return path


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("case", BAD_SCORES)
def test_a_bad_score_is_one_line_naming_the_line_and_field(
    tmp_path: Path,
    settings: ModelSettings,
    capsys: pytest.CaptureFixture[str],
    command: str,
    case: str,
) -> None:
    fields, says = BAD_SCORES[case]
    path = _file(tmp_path, fields)
    assert main(COMMANDS[command](path), settings) == 1
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith(f"quizmaster eval: {path}:2: "), line
    assert says in line, line


@pytest.mark.parametrize("command", COMMANDS)
def test_a_file_not_in_utf8_is_one_line_naming_its_line(
    tmp_path: Path, settings: ModelSettings, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    path = tmp_path / "latin1.jsonl"
    row = dict(GOOD, answer="Él añade un elemento arriba.")
    path.write_bytes(
        (json.dumps(GOOD) + "\n" + json.dumps(row, ensure_ascii=False) + "\n").encode("latin-1")
    )
    assert main(COMMANDS[command](path), settings) == 1
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith(f"quizmaster eval: {path}:2: not UTF-8 text"), line
    assert "save the file as UTF-8" in line


@pytest.mark.parametrize("measure", ["1000000000", "2", "-1", "1,x"])
def test_measure_refuses_a_k_that_leaves_nothing_to_measure(
    tmp_path: Path, settings: ModelSettings, capsys: pytest.CaptureFixture[str], measure: str
) -> None:
    """Two answers to the one question: teaching both leaves none to measure."""
    path = _file(tmp_path, '"score": 1, "score_max": 5')
    assert main(["teach", str(path), "--measure", measure], settings) == 1
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("quizmaster eval: --measure "), line


def test_answers_past_the_graders_limit_are_read_cut_to_it(
    tmp_path: Path, settings: ModelSettings, capsys: pytest.CaptureFixture[str]
) -> None:
    """As a live answer is graded on its first MAX_ANSWER_CHARS: `--ask` on a 2 MB answer
    embeds that much of it (the time is printed, not asserted)."""
    long = ("push puts an element on the top of the stack. " * 50_000)[: 2 * 1024 * 1024]
    path = tmp_path / "answers.jsonl"
    rows = [dict(GOOD), dict(GOOD, answer=long)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert [len(r.answer) for r in read_rows(path)] == [len(str(GOOD["answer"])), MAX_ANSWER_CHARS]
    assert [len(a.answer) for a in read_answers(path)][1] == MAX_ANSWER_CHARS
    out = tmp_path / "ask.jsonl"
    started = time.perf_counter()
    assert main(["teach", str(path), "--ask", "1", "--out", str(out)], settings) == 0
    seconds = time.perf_counter() - started
    assert len(out.read_text(encoding="utf-8").splitlines()) == 1
    assert "wrote 1 answers to 1 questions" in capsys.readouterr().out
    with capsys.disabled():
        print(f"\n--ask on a 2 MB answer: {seconds:.1f} s")


QUALITY_ROWS: dict[str, tuple[str, dict[str, object]]] = {
    "semeval": (
        "semeval2013_dev.jsonl",
        {
            "id": "t-0-0",
            "corpus": "beetle",
            "split": "train",
            "qid": "Q0",
            "question": "Why is there no current in the circuit?",
            "reference": "The switch is open, so there is a gap in the path.",
            "answer": "The switch is open.",
            "label_2way": "correct",
            "label_3way": "correct",
            "score": 1.0,
            "score_max": 1.0,
        },
    ),
    "korean": (
        "korean_science_dev.jsonl",
        {
            "id": "q1.0",
            "qid": "q1",
            "question": "에어컨이 꺼져도 다른 전자제품이 꺼지지 않은 이유를 설명해 봅시다.",
            "element_labels": {"q1_병렬": 1},
            "answer": "병렬로 연결되어 있다.",
            "score": 1.0,
            "score_max": 1.0,
        },
    ),
    "korsts": ("korsts_dev.jsonl", {"s1": "비가 내린다.", "s2": "비가 온다.", "score": 4.5}),
}
"""One good row of each real data set the quality table reads, in its format."""
QUALITY_BAD = {
    "korean score_max 0": ("korean", "score_max", "0", "score_max: must be above 0, not 0"),
    "korean score 1e309": ("korean", "score", "1e309", "score: must be a finite number, not inf"),
    "korsts score 7": ("korsts", "score", "7", "score: must be from 0 to 5, not 7"),
    "semeval score NaN": ("semeval", "score", "NaN", "score: must be a finite number, not nan"),
}


@pytest.mark.parametrize("case", QUALITY_BAD)
def test_the_quality_tables_readers_check_rows_as_eval_does(
    tmp_path: Path, settings: ModelSettings, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    """Issue 70, case 8: NaN, 1e309 or a score_max of 0 in a real data set was taken (or gave
    a traceback); now one line names the file, the line and the field."""
    name, field, raw, says = QUALITY_BAD[case]
    file, good = QUALITY_ROWS[name]
    data = tmp_path / "data"
    data.mkdir()
    bad = json.dumps(dict(good, **{field: 123456789})).replace("123456789", raw)
    path = data / file
    path.write_text(json.dumps(good) + "\n" + bad + "\n", encoding="utf-8")
    (data / "korean_science_rubrics.json").write_text(
        json.dumps(
            {"q1": {"rubric_elements": ["q1_병렬"], "element_examples_by_repo_authors": {}}}
        ),
        encoding="utf-8",
    )
    args = ["quality", "--only", name, "--data", str(data), "--out", str(tmp_path / "r.json")]
    assert main(args, settings) == 1
    err = capsys.readouterr().err
    [line] = [line for line in err.splitlines() if line.startswith("quizmaster eval:")]
    assert "Traceback" not in err
    assert line.startswith(f"quizmaster eval: {path}:2: "), line
    assert says in line, line


def test_a_quality_baseline_that_is_not_there_fails_before_measuring(
    tmp_path: Path, settings: ModelSettings, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 70, case 8: a mistyped `--baseline` ran ungated with exit 0."""
    missing = tmp_path / "no-such-baseline.json"
    args = ["quality", "--only", "twins", "--baseline", str(missing)]
    args += ["--out", str(tmp_path / "r.json")]
    assert main(args, settings) == 1
    captured = capsys.readouterr()
    [line] = [line for line in captured.err.splitlines() if line.startswith("quizmaster eval:")]
    assert line.startswith(f"quizmaster eval: --baseline {missing}: no such file"), line
    assert "twins:" not in captured.out
    assert not (tmp_path / "r.json").exists()
