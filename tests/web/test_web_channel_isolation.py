"""Each channel's questions stay its own (issue 60): channel B's admin imports notes with a ready
question and an open one; channel A's admin, on A's own pages, neither sees them listed nor
reaches them by id (404), and a form posted to A's URL with B's id changes nothing of B's. On
SQLite and PostgreSQL, through the real page."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from content.check import ID_TAKEN
from content.texts import BANK
from tests.web.client import browser, form_fields, page_text, sign_in
from tests.web.site import JOON, MINA, PLATFORM, Site, database_of, running_site

CHANNEL_A = "C-iso-a"
CHANNEL_B = "C-iso-b"
B_NOTES = """\
1. 배치 정규화는 무엇을 정규화하나요?
A. 미니배치마다 각 특성의 평균과 분산으로 활성값을 정규화해 학습을 안정시킨다.

2. 가중치 감쇠는 왜 쓰나요?
"""
"""B's notes: a ready question (iso-b-001) and an open one without an answer (iso-b-002)."""
B_READY = "iso-b-001"
B_OPEN = "iso-b-002"
B_REFERENCE = "미니배치마다 각 특성의 평균과 분산으로 활성값을 정규화해 학습을 안정시킨다."
B_OPEN_TEXT = "가중치 감쇠는 왜 쓰나요?"
B_READY_TEXT = "배치 정규화는 무엇을 정규화하나요?"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def page(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    """The page on each database, where B's admin has imported B's notes and posted B's open
    question, which a member answered (kept for its model answer)."""
    folder = tmp_path_factory.mktemp("web-isolation")
    with running_site(folder, db=database_of(request, folder)) as site:
        site.import_notes(CHANNEL_B, name="iso-b", notes=B_NOTES)
        site.say(MINA, f"/quiz now {B_OPEN}", CHANNEL_B)
        site.say(JOON, "가중치가 너무 커지지 않게 막아 과적합을 줄입니다", CHANNEL_B)
        yield site


@pytest.fixture
def admin_of_a(page: Site) -> Iterator[httpx.Client]:
    with page.signed_in(MINA, CHANNEL_A) as client:
        yield client


def _stored(page: Site) -> dict[str, tuple[str, str, str]]:
    """Each stored team question's id, channel and body, by id."""
    rows = page.run(
        page.service.repo.db.fetch("SELECT prompt_id, channel_id, body FROM team_questions")
    )
    return {str(r[0]): (str(r[0]), str(r[1]), str(r[2])) for r in rows}


def test_another_channels_questions_are_never_listed(page: Site, admin_of_a: httpx.Client) -> None:
    base = f"{page.url}/c/{PLATFORM}/{CHANNEL_A}"
    listed = admin_of_a.get(f"{base}/questions")
    assert listed.status_code == 200
    assert B_READY not in listed.text and "iso-b" not in listed.text
    assert "q01" in listed.text  # the shipped bank is every channel's
    searched = admin_of_a.get(f"{base}/questions", params={"q": "iso-b"})
    assert B_READY not in searched.text
    opened = admin_of_a.get(f"{base}/open")
    assert opened.status_code == 200 and B_OPEN not in opened.text
    with browser() as admin_of_b:
        sign_in(admin_of_b, page.link(MINA, CHANNEL_B))
        own = f"{page.url}/c/{PLATFORM}/{CHANNEL_B}"
        assert B_READY in admin_of_b.get(f"{own}/questions").text
        assert B_OPEN in admin_of_b.get(f"{own}/open").text


@pytest.mark.parametrize(
    "path", [f"/questions/{B_READY}", f"/questions/{B_READY}/edit", f"/open/{B_OPEN}"]
)
def test_another_channels_question_is_not_found_by_id(
    page: Site, admin_of_a: httpx.Client, path: str
) -> None:
    got = admin_of_a.get(f"{page.url}/c/{PLATFORM}/{CHANNEL_A}{path}")
    assert got.status_code == 404, got.text
    assert B_REFERENCE not in got.text and B_OPEN_TEXT not in got.text


def test_forms_posted_with_another_channels_ids_change_nothing(
    page: Site, admin_of_a: httpx.Client
) -> None:
    base = f"{page.url}/c/{PLATFORM}/{CHANNEL_A}"
    csrf = form_fields(admin_of_a.get(base).text)["csrf"]
    before = _stored(page)
    edit = admin_of_a.post(
        f"{base}/questions/{B_READY}/edit",
        data={
            "csrf": csrf,
            "topics": "hijack",
            "text_ko": "바뀐 질문인가요?",
            "text_en": "A changed question?",
            "reference_en": "Overwritten by another channel's admin.",
        },
    )
    assert edit.status_code == 404, page_text(edit.text)
    tried = admin_of_a.post(f"{base}/questions/{B_READY}", data={"csrf": csrf, "answer": "x"})
    assert tried.status_code == 404
    compose = admin_of_a.post(f"{base}/open/{B_OPEN}/compose", data={"csrf": csrf})
    assert compose.status_code == 404
    save = admin_of_a.post(
        f"{base}/open/{B_OPEN}/save",
        data={"csrf": csrf, "model_answer": "Hijacked model answer.", "answer_lang": "en"},
    )
    assert save.status_code == 404, page_text(save.text)
    assert _stored(page) == before
    assert before[B_READY][1] == CHANNEL_B and B_REFERENCE in before[B_READY][2]
    assert page.service.bank.every_channel().open_question(B_OPEN) is not None
    kept = page.run(
        page.service.repo.answers.open_answers(
            platform=PLATFORM, channel_id=CHANNEL_B, prompt_id=B_OPEN
        )
    )
    assert len(kept) == 1  # B's kept answer is still waiting, graded by no one


def test_a_members_page_shows_nothing_of_another_channels_questions(page: Site) -> None:
    """Mina practises B's question in B; her page in A lists no topic, card or question of B."""
    page.say(MINA, "/quiz practice", CHANNEL_B)
    page.say(MINA, f"/quiz practice answer {B_REFERENCE}", CHANNEL_B)
    with page.signed_in(MINA, CHANNEL_A) as member:
        mine = member.get(f"{page.url}/c/{PLATFORM}/{CHANNEL_A}/me")
    assert mine.status_code == 200
    assert "iso-b" not in mine.text and B_READY_TEXT not in mine.text, page_text(mine.text)
    with page.signed_in(MINA, CHANNEL_B) as member:
        own = member.get(f"{page.url}/c/{PLATFORM}/{CHANNEL_B}/me")
    assert "iso-b" in own.text, "B's own page still shows B's topic"


def test_saving_in_one_channel_never_names_anothers_question(
    page: Site, admin_of_a: httpx.Client
) -> None:
    """Notes imported in A under B's name, worded as B's: B's ids are refused with a message
    that names nothing of B's questions, and B's wordings are not taken. A's admin may word a
    question as B's is worded (it is A's own), and a question with B's id is refused alike."""
    imported = f"{page.url}/c/{PLATFORM}/{CHANNEL_A}/import-notes"
    csrf = form_fields(admin_of_a.get(imported).text)["csrf"]
    again = admin_of_a.post(
        imported,
        data={"csrf": csrf, "name": "iso-b", "notes": B_NOTES, "action": "save"},
        timeout=120,
    )
    assert again.status_code == 422
    lines = page_text(again.text)
    taken_en = BANK.text("en", ID_TAKEN)
    assert f"{B_READY} : id : {taken_en}" in lines and f"{B_OPEN} : id : {taken_en}" in lines, lines
    assert "already used by prompt" not in lines and "duplicate" not in lines, lines
    new = f"{page.url}/c/{PLATFORM}/{CHANNEL_A}/new-question"
    same_wording = {
        "csrf": csrf,
        "action": "save",
        "id": "iso-a-001",
        "topics": "iso-a",
        "text_ko": B_READY_TEXT,
        "text_en": "What does batch normalization normalize?",
        "reference_en": "Each feature's activations over the mini-batch, by its mean and variance.",
    }
    saved = admin_of_a.post(new, data=same_wording)
    assert saved.status_code == 303, page_text(saved.text)
    assert _stored(page)["iso-a-001"][1] == CHANNEL_A
    taken = admin_of_a.post(
        new, data={**same_wording, "id": B_READY, "text_ko": "다른 질문?", "text_en": "Other?"}
    )
    assert taken.status_code == 422
    shown = page_text(taken.text)
    assert BANK.text("en", ID_TAKEN) in shown, shown
    assert "duplicate" not in shown and B_REFERENCE not in shown
    assert _stored(page)[B_READY][1] == CHANNEL_B
