"""`quizmaster content import` and `content check` at their edges, through the real command line:
control characters, a source too big for a bank, a bad `--out`, a bank that collides with the
banks beside it, degenerate notes and notes in both layouts in one file."""

from __future__ import annotations

import os
import time
from pathlib import Path

import yaml

from content.importers.imported_bank import bank_yaml, least_prompt_bytes
from content.importers.notes import import_notes as notes_to_bank
from content.loader import DEFAULT_BANK_DIR, MAX_BANK_BYTES, load_bank
from tests.cli_process import run_quizmaster

ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
ENV.pop("QUIZMASTER_BANK_DIR", None)


def quizmaster(*args: str | Path, cwd: Path) -> tuple[int, str, str]:
    result = run_quizmaster([str(arg) for arg in args], env=ENV, cwd=cwd)
    return result.returncode, result.stdout, result.stderr


def import_notes(source: Path, *args: str | Path) -> tuple[int, str, str]:
    return quizmaster("content", "import", "notes", source, *args, cwd=source.parent)


def bank_texts(path: Path) -> list[str]:
    """Every string in a written bank file."""
    found: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    return found


def test_imported_notes_lose_control_and_bidi_characters_as_the_web_import_does(
    tmp_path: Path,
) -> None:
    source, out = tmp_path / "ctl.md", tmp_path / "ctl.yaml"
    source.write_text(
        "## What does ReLU\x07\u202e do?\n"
        "Answer: It keeps\x00 positive\x1b[31m values,\u2066 zeroes\u200f the rest.\n"
        "\tTab and newline stay.\n",
        encoding="utf-8",
    )
    code, _, err = import_notes(source, "--out", out)
    assert code == 0, err
    texts = bank_texts(out)
    assert not [t for t in texts if any(ch in t for ch in "\x00\x07\x1b\u202e\u2066\u200f")]
    assert "What does ReLU do?" in texts
    assert "It keeps positive[31m values, zeroes the rest. Tab and newline stay." in texts


def test_csv_import_loses_control_characters_too(tmp_path: Path) -> None:
    source, out = tmp_path / "ctl.csv", tmp_path / "ctl.yaml"
    source.write_text("question,answer\nWhat is \x1bdropout?,Zeroing\x00 units.\n", "utf-8")
    code, _, err = quizmaster("content", "import", "csv", source, "--out", out, cwd=tmp_path)
    assert code == 0, err
    assert {"What is dropout?", "Zeroing units."} <= set(bank_texts(out))


def test_an_80000_character_question_is_refused_by_every_import_in_one_line(
    tmp_path: Path,
) -> None:
    """Issue 83: the notes import refused it, the CSV and trivia imports ended in the schema's
    traceback. Each now names the question and the limit, and writes nothing."""
    question = "x" * 80_000
    sources = {
        "csv": ("long.csv", f"question,answer\n{question},An answer.\n", 'row 2 "'),
        "red-trivia": (
            "long.yaml",
            f'AUTHOR: me\n? "{question}?"\n: - an answer\n',
            'question 1 "',
        ),
        "notes": ("long.md", f"1. {question}?\nA. An answer.\n", "line 1"),
    }
    for kind, (name, text, where) in sources.items():
        source, out = tmp_path / name, tmp_path / f"out-{kind}.yaml"
        source.write_text(text, encoding="utf-8")
        code, _, err = quizmaster("content", "import", kind, source, "--out", out, cwd=tmp_path)
        assert code == 2, (kind, err[-400:])
        first, last = err.splitlines()
        assert first.startswith(f"{source}: {where}"), first[:200]
        assert first.endswith(
            "characters; a question takes at most 1000, so put the detail in its answer"
        ), first[-200:]
        assert last == f"nothing written; fix {source} and run the import again"
        assert not out.exists()


def _refused_by_check(folder: Path, ko: str, en: str, reference: str) -> tuple[Path, list[str]]:
    """`quizmaster content check` on a one-question team bank with these texts, each written as
    a YAML double-quoted scalar (escapes such as `\\a` and `\\u202e` as YAML reads them); the
    bank's path and the lines it printed, after checking it exited 1."""
    bank = folder / "team.yaml"
    bank.write_text(
        f'bank: team\nversion: 1\nprompts:\n- id: team-001\n  text:\n    ko: "{ko}"\n'
        f'    en: "{en}"\n  topics: [team]\n  references:\n  - lang: en\n'
        f'    text: "{reference}"\n',
        encoding="utf-8",
    )
    code, out, err = quizmaster("content", "check", bank, cwd=folder)
    assert code == 1, out
    return bank, err.splitlines()


def test_check_refuses_control_and_bidi_characters_in_a_bank(tmp_path: Path) -> None:
    bank, said = _refused_by_check(tmp_path, "Why\\a?", "Why\\u202e?", "a\\0b\\ec")
    assert said == [
        f"{bank}: prompt team-001: text.ko: holds the control character U+0007; remove it",
        f"{bank}: prompt team-001: text.en: holds the control character U+202E; remove it",
        f"{bank}: prompt team-001: references.0.text: holds the control characters U+0000, "
        "U+001B; remove them",
        "3 problems found; fix them and run `quizmaster content check` again",
    ]


def test_check_refuses_a_wording_or_answer_that_shows_nothing(tmp_path: Path) -> None:
    bank, said = _refused_by_check(tmp_path, "\\u0378\\ue000", "\\u200b\\u3000", "\\u3164\\u2060")
    assert said == [
        f"{bank}: prompt team-001: text.ko: must not be blank",
        f"{bank}: prompt team-001: text.en: must not be blank",
        f"{bank}: prompt team-001: references.0.text: must not be blank",
        "3 problems found; fix them and run `quizmaster content check` again",
    ]


def test_a_source_too_big_for_a_bank_is_refused_before_it_is_built(tmp_path: Path) -> None:
    source, out = tmp_path / "big.md", tmp_path / "big.yaml"
    source.write_text("".join(f"{n}. Q{n}?\n" for n in range(1, 100_001)), encoding="utf-8")
    started = time.perf_counter()
    code, _, err = import_notes(source, "--out", out)
    seconds = time.perf_counter() - started
    print(f"{source.stat().st_size:,} bytes of notes refused in {seconds:.2f} s")
    assert code == 2
    first, last = err.splitlines()
    assert first.startswith(f"{source}: 100,000 questions make a bank of at least ")
    assert first.endswith(
        f" bytes, over the {MAX_BANK_BYTES:,} the loader accepts; split the file into smaller ones"
    )
    assert last == f"nothing written; fix {source} and run the import again"
    assert not out.exists()


NOTES = "## What is dropout?\nAnswer: Randomly zeroes units while training.\n"


def test_a_missing_out_folder_is_named_not_the_source(tmp_path: Path) -> None:
    source = tmp_path / "good.md"
    source.write_text(NOTES, encoding="utf-8")
    out = tmp_path / "nowhere" / "good.yaml"
    code, _, err = import_notes(source, "--out", out)
    assert code == 2
    assert err.splitlines() == [
        f"{out}: the folder {out.parent} does not exist; create it or choose another --out",
        "nothing written; fix --out and run the import again",
    ]


def test_a_folder_as_out_is_named_even_with_force(tmp_path: Path) -> None:
    source = tmp_path / "good.md"
    source.write_text(NOTES, encoding="utf-8")
    folder = tmp_path / "bank"
    folder.mkdir()
    code, _, err = import_notes(source, "--out", folder, "--force")
    assert code == 2
    assert err.splitlines() == [
        f"{folder}: is a folder; give --out a file name such as {folder / 'good.yaml'}",
        "nothing written; fix --out and run the import again",
    ]
    assert list(folder.iterdir()) == []


def test_an_existing_out_without_force_says_what_to_do(tmp_path: Path) -> None:
    source, out = tmp_path / "good.md", tmp_path / "good.yaml"
    source.write_text(NOTES, encoding="utf-8")
    out.write_text("kept", encoding="utf-8")
    code, _, err = import_notes(source, "--out", out)
    assert code == 2
    assert err.splitlines() == [
        f"{out}: already exists; pass --force to overwrite it",
        "nothing written; fix --out and run the import again",
    ]
    assert out.read_text(encoding="utf-8") == "kept"


def test_a_second_bank_with_the_same_name_in_one_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "bank"
    folder.mkdir()
    first, second = tmp_path / "first.md", tmp_path / "second.md"
    first.write_text(NOTES, encoding="utf-8")
    second.write_text(
        "## What is weight decay?\nAnswer: A penalty on large weights.\n"
        "## What is early stopping?\nAnswer: Stopping when validation loss rises.\n",
        encoding="utf-8",
    )
    assert import_notes(first, "--bank", "team", "--out", folder / "one.yaml")[0] == 0
    code, _, err = import_notes(second, "--bank", "team", "--out", folder / "two.yaml")
    assert code == 2
    assert err.splitlines() == [
        f"{folder / 'two.yaml'}: id team-001 is already used in {folder / 'one.yaml'}; import "
        "with another --bank",
        f"nothing written; fix {second} and run the import again",
    ]
    assert not (folder / "two.yaml").exists()
    assert [p.id for p in load_bank([folder]).all()] == ["team-001"]


def test_a_question_worded_like_a_seed_question_is_refused(tmp_path: Path) -> None:
    source, out = tmp_path / "relu.md", tmp_path / "relu.yaml"
    source.write_text(
        "## 요즘 Sigmoid 보다 ReLU를 많이 쓰는데 그 이유는?\nAnswer: 기울기가 덜 사라진다.\n",
        encoding="utf-8",
    )
    code, _, err = import_notes(source, "--out", out)
    assert code == 2
    seed = DEFAULT_BANK_DIR / "seed" / "q01.yaml"
    assert err.splitlines() == [
        f"{out}: question relu-001 (notes:relu.md line 1, like q01) is worded like a prompt in "
        f"{seed}; reword it or leave it out",
        f"nothing written; fix {source} and run the import again",
    ]
    assert not out.exists()


DEGENERATE = {
    "## ?\nAnswer: Something.\n": "line 1: the question has no words; write what it asks",
    "## Is this fine?\nAnswer: \u200b\u200b\u200b\n": (
        "line 2: the answer has nothing visible (only spaces or zero-width marks); write it, "
        "or leave `Answer:` empty to import the question as waiting"
    ),
    "1. Fine?\nA.\n    1. \u200b\u2060\n": (
        "line 2: the answer has nothing visible (only spaces or zero-width marks); write it, "
        "or leave `A.` empty to import the question as waiting"
    ),
}


def test_degenerate_notes_are_refused_with_one_line_each(tmp_path: Path) -> None:
    for number, (text, problem) in enumerate(DEGENERATE.items()):
        source, out = tmp_path / f"bad{number}.md", tmp_path / f"bad{number}.yaml"
        source.write_text(text, encoding="utf-8")
        code, _, err = import_notes(source, "--out", out)
        assert (code, err.splitlines()) == (
            2,
            [f"{source}: {problem}", f"nothing written; fix {source} and run the import again"],
        ), text
        assert not out.exists()


def test_a_heading_inside_a_code_block_is_not_a_question(tmp_path: Path) -> None:
    source, out = tmp_path / "fenced.md", tmp_path / "fenced.yaml"
    source.write_text(
        "## What does a Markdown heading look like?\nAnswer: A line that starts with #.\n\n"
        "```markdown\n## Is this a question?\nAnswer: no, an example.\n```\n",
        encoding="utf-8",
    )
    code, printed, err = import_notes(source, "--out", out)
    assert code == 0, err
    assert printed.startswith("wrote 1 prompt, 1 ready to post to ")
    assert f"note: {source}: lines 4-7: a code block; not read for questions" in err.splitlines()


MIXED = """\
1. Why is ReLU used more than sigmoid?
A.
    1. Its gradient does not saturate for positive inputs.

+ What is the problem with ReLU?
A.
    1. Units can die: a negative input always gives a zero gradient.

2. What does gradient descent do?
+ Why must it use the gradient?

## What is batch normalization?

Keyword: mean, variance
Answer: It normalizes each layer's inputs over the mini-batch.

### Why does it speed up training?
Answer: Steadier input scales allow a larger learning rate.

## What is dropout?
Answer: Randomly zeroes units while training.

### Why does it help?
Answer: No unit can rely on another.
"""


def test_notes_in_both_layouts_import_every_question(tmp_path: Path) -> None:
    source, out = tmp_path / "mixed.md", tmp_path / "mixed.yaml"
    source.write_text(MIXED, encoding="utf-8")
    code, printed, err = import_notes(source, "--out", out, "--no-draft-concepts")
    assert code == 0, err
    assert printed.startswith("wrote 8 prompts, 6 ready to post, 2 waiting for a model answer to ")
    prompts = {p.id: p for p in load_bank([out]).all()}
    assert sorted(prompts) == [
        "mixed-001",
        "mixed-001.1",
        "mixed-003",
        "mixed-003.1",
        "mixed-004",
        "mixed-004.1",
    ]
    assert prompts["mixed-001.1"].text.en == "What is the problem with ReLU?"
    assert prompts["mixed-003"].text.en == "What is batch normalization?"
    assert prompts["mixed-004.1"].source == "notes:mixed.md line 23"


def test_an_a_answer_below_heading_sections_is_refused(tmp_path: Path) -> None:
    source, out = tmp_path / "late.md", tmp_path / "late.yaml"
    source.write_text(
        "## What is dropout?\nAnswer: Randomly zeroes units.\n\n1. What is ReLU?\nA.\n"
        "    1. max(0, x).\n",
        encoding="utf-8",
    )
    code, _, err = import_notes(source, "--out", out)
    assert code == 2
    assert err.splitlines() == [
        f"{source}: line 5: an `A.` answer below `## question` sections; put the numbered "
        "questions (`1.`, `+`, `A.`) above the first `##` question, or in a file of their own",
        f"nothing written; fix {source} and run the import again",
    ]


def test_the_least_size_of_a_bank_is_never_more_than_its_written_size() -> None:
    """The early refusal refuses only banks that are over the cap once written."""
    for source in sorted((Path(__file__).parent / "notes").glob("*.md")):
        bank_file = notes_to_bank(source).bank_file
        mains = sum(prompt.parent is None for prompt in bank_file.prompts)
        least = sum(
            least_prompt_bytes(
                bank=bank_file.bank,
                count=mains,
                question=prompt.text.en,
                answers=[reference.text for reference in prompt.references],
                source=prompt.source or "",
            )
            for prompt in bank_file.prompts
        )
        written = len(bank_yaml(bank_file).encode())
        print(f"{source.name}: at least {least:,} bytes, written {written:,}")
        assert 0 < least <= written
