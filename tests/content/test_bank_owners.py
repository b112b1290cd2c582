"""The bank's one owner filter (`Bank.seen_from`): a channel's saved question is seen from that
channel only, the bank files' prompts from every channel, and a file's open question one
channel gave its model answer stays open in the others."""

from __future__ import annotations

from content.bank import Bank
from content.schema import Localized, Prompt, Reference

SHARED_OPEN = Prompt(
    id="file-open",
    status="waiting",
    text=Localized(ko="팀 파일의 열린 질문인가요?", en="An open question from a file?"),
    topics=("files",),
)
ANSWERED = SHARED_OPEN.model_copy(
    update={"status": "ready", "references": (Reference(lang="en", text="B's model answer."),)}
)
OWN = Prompt(
    id="b-own",
    text=Localized(ko="B 채널만의 질문인가요?", en="A question of B's own?"),
    topics=("b-only",),
    references=(Reference(lang="en", text="Only B reads this."),),
)


def test_a_channels_question_is_seen_from_that_channel_only() -> None:
    bank = Bank([], open_questions=[SHARED_OPEN])
    b, a = bank.seen_from("slack", "B"), bank.seen_from("slack", "A")
    b.put(OWN, ANSWERED)
    assert b.get(OWN.id) == OWN and b.get(SHARED_OPEN.id) == ANSWERED and b.owns(OWN.id)
    assert b.find_by_text(OWN.text.en) == OWN and b.open_questions() == []
    assert OWN.id not in a and a.find_by_text(OWN.text.en) is None and not a.owns(OWN.id)
    assert a.held_elsewhere(OWN.id) and not b.held_elsewhere(OWN.id)
    assert [p.id for p in a.all()] == [] and len(a) == 0
    # the file's open question stays open in A (and in the bank as loaded), not answered by B
    assert a.open_question(SHARED_OPEN.id) == SHARED_OPEN and SHARED_OPEN.id not in a
    assert not a.held_elsewhere(SHARED_OPEN.id), "a file's id: A is told as of any file's"
    assert bank.open_questions() == [SHARED_OPEN] and len(bank) == 0
    assert {p.id for p in bank.every_channel().all()} == {OWN.id, SHARED_OPEN.id}
