"""Hostile bank files end as one clear line each and a non-zero exit, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from content.loader import MAX_BANK_BYTES
from tests.content.cli_main import main
from tests.content.sample_banks import complete_main, graded, write_bank

BILLION_LAUGHS = "\n".join(
    ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]" for i in range(8)]
)


def _bytes(data: bytes) -> Callable[[Path], object]:
    return lambda path: path.write_bytes(data)


def _text(text: str) -> Callable[[Path], object]:
    return lambda path: path.write_text(text, encoding="utf-8")


def _huge(path: Path) -> None:
    with path.open("wb") as handle:  # sparse: 50 MB on paper, nothing on disk
        handle.truncate(50_000_000)


def _missing_concepts(path: Path) -> None:
    write_bank(path, *complete_main("p1"), graded("p2", "Second?", concepts=[]), rules="seed")


def _duplicate_ids(path: Path) -> None:
    write_bank(path, graded("p1", "One?"), graded("p1", "Two?"))


HOSTILE: dict[str, tuple[Callable[[Path], object], str]] = {
    "bad YAML": (_text("bank: [unclosed\nprompts: 1\n"), "invalid YAML (line "),
    "billion laughs": (_text(BILLION_LAUGHS), "YAML aliases are not allowed"),
    "deep nesting": (_text("[" * 100_000), "nested too deeply"),
    "huge file": (_huge, f"larger than the limit of {MAX_BANK_BYTES:,} bytes"),
    "not UTF-8": (_bytes("bank: 팀\n".encode("euc-kr")), "not UTF-8 text"),
    "top-level list": (_text("- bank: x\n- prompts: []\n"), "got a list"),
    "empty file": (_text(""), "got an empty file"),
    "repeated key": (_text("bank: a\nbank: b\nprompts: []\n"), "key 'bank' appears twice"),
    "impossible date": (_text("bank: 2020-13-01\n"), "invalid YAML value: month must be in 1..12"),
    "missing fields": (
        _missing_concepts,
        "prompt p2: concepts: a graded prompt needs 2 to 6 key concepts",
    ),
    "missing prompts": (_text("bank: team\n"), "prompts: Field required"),
    "duplicate ids": (_duplicate_ids, "prompt p1: id: duplicate id, first defined in"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_file_gives_one_clear_line(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write, expected = HOSTILE[case]
    path = tmp_path / "bad.yaml"
    write(path)
    code = main(["check", str(path)])
    out, err = capsys.readouterr()
    assert code == 1
    assert "Traceback" not in out + err
    problem = err.splitlines()[0]
    assert problem.startswith(f"{path}: ")
    assert expected in problem
    assert err.splitlines()[-1].startswith("1 problem found; fix them and run")


def test_missing_path_and_empty_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    code = main(["check", str(tmp_path / "nope.yaml"), str(empty)])
    assert code == 1
    assert capsys.readouterr().err.splitlines()[:2] == [
        f"{tmp_path / 'nope.yaml'}: no such file or folder",
        f"{empty}: no *.yaml bank files in this folder",
    ]


def test_bad_arguments_return_usage_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["frobnicate"]) == 2
    assert "invalid choice" in capsys.readouterr().err


def test_installed_command_prints_no_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("- just\n- a list\n", encoding="utf-8")
    command = Path(sys.executable).with_name("quizmaster")
    done = subprocess.run(
        [str(command), "content", "check", str(bad)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stdout + done.stderr
    assert (
        f"{bad}: expected a mapping with 'bank' and 'prompts' at the top, got a list" in done.stderr
    )
