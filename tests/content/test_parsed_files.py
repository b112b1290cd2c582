"""A bank file is parsed once per text in a process (`content.loader.load_file`): the service
opened again reads every file but parses none it parsed before, and a file edited since, even to
the same size within the same clock tick, is parsed anew."""

from __future__ import annotations

import shutil
from pathlib import Path

from content.loader import DEFAULT_BANK_DIR, load_bank
from tests.content.sample_banks import graded, write_bank


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
