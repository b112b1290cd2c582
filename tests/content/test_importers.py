"""Importers: source -> bank YAML -> `load_bank` gives back the source's questions and answers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from content.importers.csv_table import import_csv
from content.importers.imported_bank import BankImportError, bank_yaml, write_bank
from content.importers.red_trivia import import_red_trivia
from content.loader import load_bank
from content.schema import PROMPT_ID_PATTERN
from tests.content.cli_main import main

RED_LIST = """\
AUTHOR: Jane Doe
CONFIG:
  delay: 30
  bot_plays: true
Is the sky blue?:
  - yes
  - "Yes"
  - yes
What is 2 + 2?:
  - 4
  - four
Pi to two decimals?:
  - 3.14
Sixteen in hex?:
  - 0x10
  - off
"""
RED_SOURCE = {
    "Is the sky blue?": ["yes", "Yes"],
    "What is 2 + 2?": ["4", "four"],
    "Pi to two decimals?": ["3.14"],
    "Sixteen in hex?": ["0x10", "off"],
}

CSV_TABLE = """\
Question,Answer,Concepts
What is dropout?,"Randomly zeroes units in training, so none co-adapt.",regularization; ensemble
배치 정규화란?,"미니배치 통계로 활성값을 정규화합니다.
학습이 안정됩니다.",

Why shuffle data?,So mini-batches are unbiased samples.,;
"""


def test_red_trivia_round_trip_keeps_answers_as_written(tmp_path: Path) -> None:
    source = tmp_path / "quiz.yaml"
    source.write_text(RED_LIST, encoding="utf-8")
    imported = import_red_trivia(source)
    out = tmp_path / "bank" / "quiz.yaml"
    out.parent.mkdir()
    write_bank(imported.bank_file, out, force=False)
    prompts = load_bank([out]).all()
    assert [p.text.ko for p in prompts] == list(RED_SOURCE)
    assert [p.text.en for p in prompts] == list(RED_SOURCE)
    assert [p.id for p in prompts] == ["quiz-001", "quiz-002", "quiz-003", "quiz-004"]
    for prompt, answers in zip(prompts, RED_SOURCE.values(), strict=True):
        assert prompt.kind == "graded"
        assert [r.text for r in prompt.references] == list(answers)
        assert prompt.guidance is not None
        assert prompt.guidance.en == "Accepted answers: " + ", ".join(answers)
        assert prompt.guidance.ko == "정답으로 인정되는 답: " + ", ".join(answers)
        assert prompt.topics == ("quiz",)
        assert prompt.source == "red-trivia:quiz.yaml by Jane Doe"
    assert imported.notes == (
        "CONFIG ignored: quiz timing and scoring come from the bot's settings",
    )


def test_red_trivia_ids_are_stable_and_valid_for_any_bank_name(tmp_path: Path) -> None:
    source = tmp_path / "quiz.yaml"
    source.write_text(RED_LIST, encoding="utf-8")
    first = import_red_trivia(source, bank="딥러닝 퀴즈")
    again = import_red_trivia(source, bank="딥러닝 퀴즈")
    assert bank_yaml(first.bank_file) == bank_yaml(again.bank_file)
    ids = [p.id for p in first.bank_file.prompts]
    assert all(re.match(PROMPT_ID_PATTERN, prompt_id) for prompt_id in ids)
    assert len(set(ids)) == 4
    assert first.bank_file.bank == "딥러닝 퀴즈"


def test_red_trivia_reports_every_problem(tmp_path: Path) -> None:
    source = tmp_path / "bad.yaml"
    source.write_text(
        "AUTHOR: [x]\nFirst?: just a string\nSecond?:\n  - ok\n  - {a: b}\n  - ''\n",
        encoding="utf-8",
    )
    with pytest.raises(BankImportError) as caught:
        import_red_trivia(source)
    assert [str(p) for p in caught.value.problems] == [
        f"{source}: AUTHOR: must be the author's name as text",
        f'{source}: question 1 "First?": expected a list of accepted answers',
        f'{source}: question 2 "Second?": answer 2 is a mapping; expected text',
        f'{source}: question 2 "Second?": answer 3 is blank',
    ]


def test_csv_round_trip(tmp_path: Path) -> None:
    source = tmp_path / "team.csv"
    source.write_text(CSV_TABLE, encoding="utf-8-sig")
    out = tmp_path / "team.yaml"
    write_bank(import_csv(source, bank="Team Study").bank_file, out, force=False)
    prompts = load_bank([out]).all()
    assert [p.id for p in prompts] == ["team-study-001", "team-study-002", "team-study-003"]
    assert [p.text.ko for p in prompts] == [
        "What is dropout?",
        "배치 정규화란?",
        "Why shuffle data?",
    ]
    dropout, batchnorm, shuffle = prompts
    assert [(r.lang, r.text) for r in dropout.references] == [
        ("en", "Randomly zeroes units in training, so none co-adapt.")
    ]
    assert [(r.lang, r.text) for r in batchnorm.references] == [
        ("ko", "미니배치 통계로 활성값을 정규화합니다.\n학습이 안정됩니다.")
    ]
    assert [p.kind for p in prompts] == ["graded"] * 3
    assert [(c.id, c.en) for c in dropout.concepts] == [
        ("regularization", "regularization"),
        ("ensemble", "ensemble"),
    ]
    assert shuffle.concepts == ()
    assert dropout.guidance is not None
    assert dropout.guidance.en.endswith("\nKey concepts: regularization, ensemble")
    assert shuffle.guidance is not None
    assert shuffle.guidance.en == "Model answer: So mini-batches are unbiased samples."
    assert [p.source for p in prompts] == [
        "csv:team.csv row 2",
        "csv:team.csv row 3",
        "csv:team.csv row 5",
    ]


def test_csv_reports_every_problem(tmp_path: Path) -> None:
    source = tmp_path / "bad.csv"
    source.write_text("question,answer,notes\nOnly a question?,\n,An answer\n", encoding="utf-8")
    with pytest.raises(BankImportError) as caught:
        import_csv(source)
    assert [str(p) for p in caught.value.problems] == [
        f"{source}: header: unknown column 'notes'; expected question, answer[, concepts]",
        f'{source}: row 2 "Only a question?": answer is blank',
        f"{source}: row 3: question is blank",
    ]


def test_csv_without_answer_column(tmp_path: Path) -> None:
    source = tmp_path / "bad.csv"
    source.write_text("question\nWhat?\n", encoding="utf-8")
    with pytest.raises(BankImportError) as caught:
        import_csv(source)
    assert [str(p) for p in caught.value.problems] == [
        f"{source}: header: missing column 'answer'; expected question, answer[, concepts]"
    ]


def test_cli_import_then_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "quiz.yaml"
    source.write_text(RED_LIST, encoding="utf-8")
    out = tmp_path / "out.yaml"
    args = ["import", "red-trivia", str(source), "--out", str(out), "--bank", "pub quiz"]
    assert main(args) == 0
    assert f"wrote 4 prompts, 4 ready to post to {out}" in capsys.readouterr().out
    assert main(["check", str(out)]) == 0
    assert "by kind: graded 4" in capsys.readouterr().out
    assert main(args) == 2
    assert f"{out}: already exists; pass --force to overwrite it" in capsys.readouterr().err
    assert main([*args, "--force"]) == 0


def test_cli_import_failure_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "table.csv"
    source.write_bytes("question,answer\n질문,답\n".encode("euc-kr"))
    out = tmp_path / "out.yaml"
    assert main(["import", "csv", str(source), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.splitlines() == [
        f"{source}: not UTF-8 text (bad byte at offset 16)",
        f"nothing written; fix {source} and run the import again",
    ]
    assert not out.exists()


def test_csv_concepts_may_list_other_wordings(tmp_path: Path) -> None:
    source = tmp_path / "team.csv"
    source.write_text(
        "question,answer,concepts\n"
        "드롭아웃의 효과는?,학습 중 뉴런을 무작위로 꺼서 과적합을 줄입니다.,"
        "과적합 방지|overfitting|regularization; 앙상블|ensemble\n",
        encoding="utf-8",
    )
    (prompt,) = import_csv(source).bank_file.prompts
    assert [(c.ko, c.en, c.synonyms) for c in prompt.concepts] == [
        ("과적합 방지", "과적합 방지", ("overfitting", "regularization")),
        ("앙상블", "앙상블", ("ensemble",)),
    ]
    assert prompt.guidance is not None
    assert prompt.guidance.en.endswith("\nKey concepts: 과적합 방지, 앙상블")
