"""What an admin types keeps the text rule members' answers keep (issue 60, cases 2, 3 and 7): a
model answer, a question's wording and imported notes lose control and bidi characters, and
one of only spaces and zero-width marks is refused with nothing graded; a form field over the
size a form reads is refused saying so, with nothing saved. Through the real page, on SQLite and
PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from bot.web.routes.notes_import import FORM_BYTES
from tests.web.client import form_fields, page_text
from tests.web.site import JOON, MINA, PLATFORM, Site, database_of, running_site

CHANNEL = "C-admin-text"
NOTES = """\
1. 드롭아웃은 언제 끄나요?

2. 학습률 감쇠는 왜 하나요?

3. 조기 종료는 무엇을 보고 멈추나요?
"""
"""Three open questions (no answers): txt-001, txt-002, txt-003."""
INVISIBLE = ("   \u200b ", "\u2060\u3000\ufeff", "\u3164\u115f", "\u202e\u200f\n\t")
BIDI_AND_CONTROLS = "\x00\x01\x1b\u202e\u2066\u200f\u061c"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def page(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    """The page on each database with three open questions imported, the first two posted in
    the channel and answered by two members each (kept for the model answer)."""
    folder = tmp_path_factory.mktemp("web-admin-text")
    with running_site(folder, db=database_of(request, folder)) as site:
        site.import_notes(CHANNEL, name="txt", notes=NOTES)
        for question in ("txt-001", "txt-002"):
            site.say(MINA, f"/quiz now {question}", CHANNEL)
            site.say(JOON, "검증 손실이 다시 오를 때 멈춥니다 40", CHANNEL)
            site.say(MINA, "평가할 때는 끕니다 60", CHANNEL)
        yield site


@pytest.fixture
def admin(page: Site) -> Iterator[httpx.Client]:
    with page.signed_in(MINA, CHANNEL) as client:
        yield client


def _base(page: Site) -> str:
    return f"{page.url}/c/{PLATFORM}/{CHANNEL}"


def _kept(page: Site, question: str) -> int:
    kept = page.service.repo.answers.open_answers(
        platform=PLATFORM, channel_id=CHANNEL, prompt_id=question
    )
    return len(page.run(kept))


@pytest.mark.parametrize("typed", INVISIBLE)
def test_a_model_answer_that_shows_nothing_is_refused_and_grades_nothing(
    page: Site, admin: httpx.Client, typed: str
) -> None:
    base = _base(page)
    csrf = form_fields(admin.get(base).text)["csrf"]
    refused = admin.post(
        f"{base}/open/txt-001/save", data={"csrf": csrf, "model_answer": typed, "answer_lang": "en"}
    )
    assert refused.status_code == 400, page_text(refused.text)
    assert "Write the model answer." in page_text(refused.text)
    assert page.service.bank.every_channel().open_question("txt-001") is not None
    assert _kept(page, "txt-001") == 2
    stored = {p.id: p for p in page.run(page.service.repo.team_questions.all())}
    assert stored["txt-001"].status == "waiting" and not stored["txt-001"].references


def test_a_model_answer_loses_control_and_bidi_characters(page: Site, admin: httpx.Client) -> None:
    base = _base(page)
    csrf = form_fields(admin.get(base).text)["csrf"]
    typed = (
        f"Learning rate decay takes smaller{BIDI_AND_CONTROLS} steps near a minimum, so the "
        "loss settles instead of bouncing around it."
    )
    saved = admin.post(
        f"{base}/open/txt-002/save",
        data={"csrf": csrf, "model_answer": typed, "answer_lang": "en"},
        timeout=120,  # not a target: Kiwi loads on the first draft, on a busy machine
    )
    assert saved.status_code == 303, page_text(saved.text)
    clean = typed.replace(BIDI_AND_CONTROLS, "")
    [reference] = page.service.bank.every_channel().get("txt-002").references
    assert reference.text == clean
    stored = {p.id: p for p in page.run(page.service.repo.team_questions.all())}
    assert stored["txt-002"].references[0].text == clean
    assert _kept(page, "txt-002") == 0  # graded against the clean text


def test_a_question_typed_or_imported_loses_bidi_controls_and_must_show_something(
    page: Site, admin: httpx.Client
) -> None:
    base = _base(page)
    csrf = form_fields(admin.get(f"{base}/new-question").text)["csrf"]
    form = {
        "csrf": csrf,
        "id": "txt-typed",
        "topics": "txt",
        "text_ko": "왜\u202e 정규화를 하나요?",
        "text_en": "Why\u2067 normalize\u200e inputs?",
        "reference_en": "So\u202d every feature\x1b[2K has a similar scale.",
    }
    blank = admin.post(f"{base}/new-question", data={**form, "text_en": "\u200b\u3000"})
    assert blank.status_code == 422 and "must not be blank" in page_text(blank.text)
    huge = admin.post(f"{base}/new-question", data={**form, "text_en": "Why? " * 16_000})
    assert huge.status_code == 422 and "at most 1000 characters" in page_text(huge.text)
    saved = admin.post(f"{base}/new-question", data=form)
    assert saved.status_code == 303, page_text(saved.text)
    prompt = page.service.bank.every_channel().get("txt-typed")
    assert (prompt.text.ko, prompt.text.en) == ("왜 정규화를 하나요?", "Why normalize inputs?")
    assert prompt.references[0].text == "So every feature[2K has a similar scale."
    url = f"{base}/import-notes"
    csrf = form_fields(admin.get(url).text)["csrf"]
    notes = "1. 배치\u202e 크기는\u2066 어떻게 정하나요?\nA. 메모리가\u200f 허락하는 만큼 키운다.\n"
    imported = admin.post(
        url,
        data={"csrf": csrf, "name": "txt-bidi", "notes": notes, "action": "save"},
        timeout=120,  # not a target: Kiwi loads to draft key concepts, on a busy machine
    )
    assert imported.status_code == 200, page_text(imported.text)
    prompt = page.service.bank.every_channel().get("txt-bidi-001")
    assert prompt.text.ko == "배치 크기는 어떻게 정하나요?"
    assert prompt.references[0].text == "메모리가 허락하는 만큼 키운다."
    before = len(page.transport.sent)
    page.say(MINA, "/quiz now txt-bidi-001", CHANNEL)
    page.say(MINA, "/quiz reveal", CHANNEL)
    told = "\n".join(reply.text for reply in page.transport.sent[before:])
    assert "배치 크기는 어떻게 정하나요?" in told and "메모리가 허락하는 만큼 키운다." in told
    assert not any(ch in told for ch in "\u202e\u2066\u200f")


@pytest.mark.parametrize("path", ["/open/txt-003/save", "/open/txt-003/compose"])
def test_a_form_field_over_a_megabyte_is_refused_saying_so(
    page: Site, admin: httpx.Client, path: str
) -> None:
    base = _base(page)
    csrf = form_fields(admin.get(base).text)["csrf"]
    huge = admin.post(
        base + path,
        data={"csrf": csrf, "model_answer": "x" * (FORM_BYTES + 1), "answer_lang": "en"},
    )
    assert huge.status_code == 413, page_text(huge.text)
    shown = page_text(huge.text)
    assert "larger than 1 MB" in shown and "Nothing was saved" in shown
    assert "Sign in" not in shown
    assert page.service.bank.every_channel().open_question("txt-003") is not None
