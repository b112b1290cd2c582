"""A bank file is parsed once per text (`content.parsed_banks`): the service opened again in a
process reads every file but parses none it parsed before, a new process reads the shipped files
as another kept them, and a file edited since, even to the same size within the same clock tick,
is parsed anew."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from content import parsed_banks
from content.loader import DEFAULT_BANK_DIR, PARSED_DIR, load_bank
from tests.content.sample_banks import graded, write_bank

ROOT = Path(__file__).resolve().parents[2]


def test_the_default_bank_loaded_again_shares_every_parsed_prompt() -> None:
    first, again = load_bank(), load_bank()
    assert [p.id for p in again.all()] == [p.id for p in first.all()]
    assert all(again.get(p.id) is p for p in first.all())


def test_the_same_text_under_another_path_shares_its_parse(tmp_path: Path) -> None:
    copied = tmp_path / "banks"
    shutil.copytree(DEFAULT_BANK_DIR, copied)
    original, copy = load_bank(), load_bank([copied])
    assert all(copy.get(p.id) is p for p in original.all())


def test_an_edited_file_is_parsed_anew_even_at_the_same_size(tmp_path: Path) -> None:
    path = write_bank(tmp_path / "team.yaml", graded("t1", "Why warm up the learning rate?"))
    before = load_bank([path]).get("t1")
    write_bank(path, graded("t1", "Why warm up the learning rata?"))
    after = load_bank([path]).get("t1")
    assert before is not None and after is not None
    assert before.text.en == "Why warm up the learning rate?"
    assert after.text.en == "Why warm up the learning rata?"
    write_bank(path, graded("t1", "Why warm up the learning rate?"))
    assert load_bank([path]).get("t1") is before


def test_kept_data_is_read_back_as_written_and_damage_reads_as_none(tmp_path: Path) -> None:
    key = parsed_banks.digest("bank: team\n")
    data = {"bank": "team", "prompts": [{"id": "p1", "text": {"ko": "질문", "en": "Q?"}}]}
    assert parsed_banks.kept_data(tmp_path, key) is None
    parsed_banks.keep_data(tmp_path, key, data)
    assert parsed_banks.kept_data(tmp_path, key) == data
    assert [p.suffix for p in tmp_path.iterdir()] == [".json"]  # no partial file left
    [kept] = tmp_path.iterdir()
    kept.write_bytes(kept.read_bytes()[:20])
    assert parsed_banks.kept_data(tmp_path, key) is None


@pytest.mark.parametrize(
    "data", [{"bank": date(2026, 11, 29)}, {1: "a number as a key"}], ids=["date", "number key"]
)
def test_data_json_would_not_give_back_as_it_is_is_not_kept(tmp_path: Path, data: object) -> None:
    key = parsed_banks.digest(repr(data))
    parsed_banks.keep_data(tmp_path, key, data)
    assert list(tmp_path.iterdir()) == []


def _load_in_a_fresh_process(root: Path) -> dict[str, str]:
    """Each shipped prompt's English question, from a process that loads the bank of the
    `content` package copied under `root` (its own banks and kept files)."""
    script = (
        "import json; from content.loader import load_bank; "
        "print(json.dumps({p.id: p.text.en for p in load_bank().all()}))"
    )
    env = {**os.environ, "PYTHONPATH": str(root)}
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    loaded: dict[str, str] = json.loads(done.stdout)
    return loaded


def test_a_process_reads_the_shipped_files_another_kept_and_the_yaml_past_a_damaged_one(
    tmp_path: Path,
) -> None:
    """In a copy of the `content` package, so that no other test's process reads what is
    damaged here: a first process keeps every shipped file parsed, the next reads what was kept
    (a question changed in a kept file shows), and kept data that fails the schema is set aside
    for the YAML."""
    shutil.copytree(
        ROOT / "content", tmp_path / "content", ignore=shutil.ignore_patterns("__pycache__")
    )
    kept_dir = tmp_path / PARSED_DIR.relative_to(ROOT)
    shipped = load_bank()
    assert _load_in_a_fresh_process(tmp_path) == {p.id: p.text.en for p in shipped.all()}
    yaml_files = list((tmp_path / DEFAULT_BANK_DIR.relative_to(ROOT)).rglob("*.yaml"))
    assert len(list(kept_dir.glob("bank-*.json"))) == len(yaml_files)

    prompt = shipped.all()[0]
    holding = next(p for p in kept_dir.glob("bank-*.json") if f'"{prompt.id}"' in p.read_text())
    data = json.loads(holding.read_text(encoding="utf-8"))
    [entry] = [p for p in data["prompts"] if p["id"] == prompt.id]
    entry["text"]["en"] = "A question changed in the kept file"
    holding.write_text(json.dumps(data), encoding="utf-8")
    assert _load_in_a_fresh_process(tmp_path)[prompt.id] == "A question changed in the kept file"

    entry["text"]["en"] = ""  # fails the schema
    holding.write_text(json.dumps(data), encoding="utf-8")
    assert _load_in_a_fresh_process(tmp_path)[prompt.id] == prompt.text.en
