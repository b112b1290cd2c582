"""The bank's subjects: a main question's is its file's `bank:` name, a follow-up's its main
question's, a channel's saved question is its "team" subject; what a channel that chose some
subjects draws from."""

from __future__ import annotations

from pathlib import Path

from content.bank import TEAM_SUBJECT
from content.loader import load_bank
from content.schema import Localized, Prompt, Reference
from tests.content.sample_banks import graded, write_bank

OWN = Prompt(
    id="own-1",
    text=Localized(ko="우리 팀 질문인가요?", en="Our own question?"),
    topics=("team",),
    references=(Reference(lang="en", text="Ours."),),
)


def test_subjects_come_from_the_files_and_the_channels_own_questions(tmp_path: Path) -> None:
    write_bank(tmp_path / "a.yaml", graded("a1"), graded("a1.1", parent="a1", order=1), bank="zeta")
    write_bank(tmp_path / "b.yaml", graded("b1"), graded("b2"), bank="alpha")
    bank = load_bank([tmp_path])
    mine, other = bank.seen_from("slack", "C1"), bank.seen_from("slack", "C2")
    mine.put(OWN)

    assert bank.subject(bank.get("a1.1")) == "zeta" and bank.subject(bank.get("b2")) == "alpha"
    assert mine.subjects() == ["alpha", "zeta", TEAM_SUBJECT] and other.subjects() == [
        "alpha",
        "zeta",
    ]
    assert [p.id for p in mine.drawn_mains(["zeta"])] == ["a1", "own-1"], "team always counts"
    assert [p.id for p in other.drawn_mains(["alpha"])] == ["b1", "b2"]
    gone = other.drawn_mains(["removed-subject"])
    assert [p.id for p in gone] == ["a1", "b1", "b2"], "a choice no longer in the bank: all"
