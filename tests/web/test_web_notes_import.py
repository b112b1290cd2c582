"""Import notes on the web page: pasted notes in either layout previewed prompt by prompt
(follow-ups under their main question, references, key concepts, those drafted from an answer
marked for review, waiting questions with what to add), saved as the channel's team questions as
the single-question form saves one (drafted marks kept), a question without an answer kept as an
open question as the command line keeps it, and refused with one line per problem (nothing
saved), over the size limit, without the form's token or to a member."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape

import httpx
import pytest

from bot.core.texts import text
from bot.web.notes_import import NOTES_CHARS
from content.loader import load_bank
from tests.team_notes import (
    DISTILLATION_FOLLOWUP,
    DISTILLATION_TEXT,
    HEADINGS_EN,
    MIXED_PRECISION_FOLLOWUP,
    MIXED_PRECISION_TEXT,
    NUMBERED_KO,
)
from tests.web.client import browser, form_fields, page_text, sign_in
from tests.web.site import HOME, JOON, MINA, PLATFORM, Site

CHANNEL = f"/c/{PLATFORM}/{HOME}"
ASKED_IN = "C-notes"  # a channel of its own: the other tests' boards stay as they were
ASKING = f"/c/{PLATFORM}/{ASKED_IN}"
BROKEN = """\
+ 먼저 나온 후속 질문은?

1. 첫 질문은?
A. 첫 답.
A. 두 번째 답.

## 제목 질문은?
"""
"""Two problems: a follow-up before any main question (line 1), a second `A.` (line 5)."""

DRAFTED_KO = """\
1. 드롭아웃은 어떻게 과적합을 줄이나요?
A. 학습 중에 뉴런을 무작위로 꺼서 특정 뉴런에 의존하지 않게 만들어 앙상블 효과를 낸다.
"""
"""A question with an answer and no `Keyword:` line: its key concepts are drafted."""


@pytest.fixture(scope="module")
def admin(site: Site) -> Iterator[httpx.Client]:
    with browser() as client:
        assert sign_in(client, site.link(MINA)).status_code == 303
        yield client


@pytest.fixture(scope="module")
def asking_admin(site: Site) -> Iterator[httpx.Client]:
    """The admin of ASKED_IN, whose page the questions asked there are written on: a question
    written on one channel's page is posted only in that channel."""
    with site.signed_in(MINA, ASKED_IN) as client:
        yield client


def _url(site: Site, channel: str = CHANNEL) -> str:
    return f"{site.url}{channel}/import-notes"


def _post(
    site: Site,
    client: httpx.Client,
    notes: str,
    name: str,
    action: str = "preview",
    *,
    channel: str = CHANNEL,
) -> httpx.Response:
    csrf = form_fields(client.get(_url(site, channel)).text)["csrf"]
    return client.post(
        _url(site, channel),
        data={"csrf": csrf, "name": name, "notes": notes, "action": action},
        timeout=120,  # not a target: Kiwi loads to draft key concepts, on a busy machine
    )


def _items(html: str, list_id: str) -> list[str]:
    found = re.search(rf'<ul id="{list_id}">(.*?)</ul>', html, re.DOTALL)
    assert found, html
    return [
        page_text(item) for item in re.findall(r"<li[^>]*>(.*?)</li>", found.group(1), re.DOTALL)
    ]


def test_the_question_bank_links_to_the_import(site: Site, admin: httpx.Client) -> None:
    bank = admin.get(f"{site.url}{CHANNEL}/questions").text
    assert f'href="{CHANNEL}/import-notes" id="import-notes">Import notes' in bank
    form = admin.get(_url(site))
    assert form.status_code == 200
    assert 'name="notes"' in form.text and 'value="preview"' in form.text


def test_preview_shows_every_prompt_and_saves_nothing(site: Site, admin: httpx.Client) -> None:
    shown = _post(site, admin, NUMBERED_KO, "web-ko")
    assert shown.status_code == 200, page_text(shown.text)
    text = page_text(shown.text)
    assert "Preview: to save 3, open questions 1, waiting 0" in text
    # the main question, then its follow-up nested under it, then the next main questions
    preview = re.search(r'<ol id="notes-preview">(.*)</ol>', shown.text, re.DOTALL)
    assert preview
    nested = re.search(
        r'<li id="note-web-ko-001">.*?<ol class="followups"><li id="note-web-ko-001.1">',
        preview.group(1),
        re.DOTALL,
    )
    assert nested, preview.group(1)
    assert (
        text.index(DISTILLATION_TEXT)
        < text.index(DISTILLATION_FOLLOWUP)
        < text.index("그래디언트 클리핑은 왜 쓰나요?")
        < text.index("레이블 스무딩은 언제 쓰나요?")
    )
    assert f"web-ko-001 · line 3 · {DISTILLATION_TEXT}" in text
    assert "Reference answer: 큰 교사 모델의 소프트맥스 출력 확률을" in text
    # Issue 83: before Save it said "Saved as an open question"; it says what Save will do.
    assert (
        "web-ko-003 · line 16 · 레이블 스무딩은 언제 쓰나요? Will be saved as an open question "
        "when you press Save (it has no model answer): then post it with /quiz now web-ko-003"
        in text
    )
    assert "Saved as" not in text
    assert "web-ko-001" not in site.service.bank.every_channel()
    assert site.service.bank.every_channel().open_question("web-ko-003") is None


def test_keywords_show_as_key_concepts_in_the_preview(site: Site, admin: httpx.Client) -> None:
    shown = _post(site, admin, HEADINGS_EN, "web-preview-en")
    assert shown.status_code == 200
    text = page_text(shown.text)
    assert "Preview: to save 2, open questions 0, waiting 0" in text
    assert "Key concepts: half precision, loss scaling, tensor cores" in text
    assert f"web-preview-en-001.1 · line 12 · {MIXED_PRECISION_FOLLOWUP}" in text
    assert "Key concepts: underflow" in text
    [skipped] = _items(shown.text, "notes-skipped")
    assert skipped.startswith("1 lines of bullet details")


def test_wrong_claims_show_as_misconceptions_in_the_preview(
    site: Site, admin: httpx.Client
) -> None:
    notes = (
        "## Why scale the loss in mixed precision?\n"
        "Keyword: underflow\n"
        "Answer: Small fp16 gradients underflow to zero; scaling the loss keeps them.\n"
        "Misconception: Loss scaling makes training converge faster.\n"
    )
    shown = _post(site, admin, notes, "web-claims")
    assert shown.status_code == 200
    assert re.findall(r'<p class="misconception" lang="en">(.*?)</p>', shown.text) == [
        "Misconception: Loss scaling makes training converge faster."
    ]


def test_concepts_drafted_from_answers_are_marked_in_the_preview_and_saved_so(
    site: Site, admin: httpx.Client
) -> None:
    shown = _post(site, admin, DRAFTED_KO, "web-drafted")
    assert shown.status_code == 200, page_text(shown.text)
    assert "they are saved marked: review them on each question's edit page" in page_text(
        shown.text
    )
    main = re.search(r'<li id="note-web-drafted-001">(.*?)</li>', shown.text, re.DOTALL)
    assert main, shown.text
    concepts = re.search(r'<p class="key-concepts">(.*?)</p>', main.group(1))
    assert concepts, main.group(1)
    labels = concepts.group(1).removeprefix("Key concepts: ").split(", ")
    assert labels and all(
        label.endswith(' <span class="badge drafted">drafted — review</span>') for label in labels
    ), labels
    keywords = _post(site, admin, HEADINGS_EN, "web-keywords")
    assert "Key concepts: half precision, loss scaling, tensor cores" in page_text(keywords.text)
    assert "badge drafted" not in keywords.text and "drafted-hint" not in keywords.text

    assert _post(site, admin, DRAFTED_KO, "web-drafted", "save").status_code == 200
    stored = {p.id: p for p in site.run(site.service.repo.team_questions.all())}
    saved = stored["web-drafted-001"]
    assert len(saved.concepts) == len(labels) and all(c.drafted for c in saved.concepts)
    assert site.service.bank.every_channel().get("web-drafted-001") == saved


def test_save_stores_the_ready_prompts_and_the_bot_asks_them(
    site: Site, asking_admin: httpx.Client
) -> None:
    admin = asking_admin  # the question is posted only in the channel whose page has it
    notes = HEADINGS_EN + "\n## Why warm up the learning rate?\n"
    saved = _post(site, admin, notes, "web-en", "save", channel=ASKING)
    assert saved.status_code == 200, page_text(saved.text)
    assert "Saved as team questions: 2." in page_text(saved.text)
    assert _items(saved.text, "notes-saved-list") == [
        f"web-en-001 {MIXED_PRECISION_TEXT}",
        f"web-en-001.1 {MIXED_PRECISION_FOLLOWUP}",
    ]
    main, followup = (
        site.service.bank.every_channel().get("web-en-001"),
        site.service.bank.every_channel().get("web-en-001.1"),
    )
    assert [c.en for c in main.concepts] == ["half precision", "loss scaling", "tensor cores"]
    assert (followup.parent, followup.order) == ("web-en-001", 1)
    assert "Saved as open questions: 1." in page_text(saved.text)
    assert "Saved as an open question, without a model answer" in page_text(saved.text)
    assert "Will be saved" not in page_text(saved.text)
    assert _items(saved.text, "notes-saved-open-list") == [
        "web-en-002 Why warm up the learning rate?"
    ]
    assert "web-en-002" not in site.service.bank.every_channel()
    assert site.service.bank.every_channel().open_question("web-en-002") is not None
    # the question pages list them as team questions written on the page (editable)
    page = admin.get(f"{site.url}{ASKING}/questions/web-en-001.1").text
    assert "Edit this question" in page and "underflow" in page

    before = len(site.transport.sent)
    site.say(MINA, "/quiz now web-en-001", ASKED_IN)
    assert any(MIXED_PRECISION_TEXT in reply.text for reply in site.transport.sent[before:])
    site.say(JOON, "half precision and loss scaling 77", ASKED_IN)
    replies = [reply.text for reply in site.transport.sent[before:]]
    graded = next(i for i, reply in enumerate(replies) if "77" in reply)
    assert any(MIXED_PRECISION_FOLLOWUP in reply for reply in replies[graded:]), replies


def test_saving_again_or_a_taken_wording_is_refused_with_one_line_each(
    site: Site, admin: httpx.Client
) -> None:
    first = _post(site, admin, NUMBERED_KO, "web-twice", action="save")
    assert first.status_code == 200 and "web-twice-001" in site.service.bank.every_channel()
    again = _post(site, admin, NUMBERED_KO, "web-twice", action="save")
    assert again.status_code == 422
    problems = _items(again.text, "notes-problems")
    assert problems[0] == (
        "line 3: web-twice-001 : id : duplicate id, first defined in bank; import the notes under "
        "another name"
    )
    assert "Nothing was saved: fix the problems below and save again." in page_text(again.text)
    renamed = _post(site, admin, NUMBERED_KO, "web-renamed", action="save")
    assert renamed.status_code == 422
    assert (
        "line 3: web-renamed-001 : text.ko : the same question wording is already used by prompt "
        "web-twice-001" in _items(renamed.text, "notes-problems")
    )
    assert "web-renamed-001" not in site.service.bank.every_channel()


def test_broken_notes_give_one_line_per_problem_and_keep_the_text(
    site: Site, admin: httpx.Client
) -> None:
    refused = _post(site, admin, BROKEN, "web-broken", action="save")
    assert refused.status_code == 422
    assert _items(refused.text, "notes-problems") == [
        "line 1: this + follow-up comes before any main question; add the main one above",
        "line 5: a second A. for the question on line 3 (the first is on line 4); merge them",
    ]
    assert "Problems to fix: 2" in page_text(refused.text)
    assert "먼저 나온 후속 질문은?" in unescape(refused.text.split('id="notes"')[1])
    assert not any(p.id.startswith("web-broken") for p in site.service.bank.every_channel().all())


def test_a_question_without_an_answer_is_kept_as_an_open_question(
    site: Site, asking_admin: httpx.Client
) -> None:
    """As `quizmaster content import notes` writes it `waiting`: the bot may post it to collect
    answers, and every process on the database finds it (a follow-up under it waits unsaved)."""
    admin = asking_admin  # the question is posted only in the channel whose page has it
    notes = "1. 답이 아직 없는 질문은?\n+ 그 후속 질문은?\nA. 후속 질문의 답이에요.\n"
    saved = _post(site, admin, notes, "web-waiting", action="save", channel=ASKING)
    assert saved.status_code == 200, page_text(saved.text)
    shown = page_text(saved.text)
    assert "Preview: to save 0, open questions 1, waiting 1" in shown
    assert "Saved as open questions: 1." in shown and "Saved as team questions" not in shown
    assert "web-waiting-001.1 · line 2 · 그 후속 질문은? Waiting, not saved: its main" in shown
    assert "web-waiting-001" not in site.service.bank.every_channel()
    assert site.service.bank.every_channel().open_question("web-waiting-001") is not None
    stored = {p.id: p for p in site.run(site.service.repo.team_questions.all())}
    assert stored["web-waiting-001"].status == "waiting" and "web-waiting-001.1" not in stored
    restarted = load_bank()
    site.run(site.service.repo.team_questions.load_into(restarted))
    in_its_channel = restarted.seen_from(PLATFORM, ASKED_IN)
    assert in_its_channel.open_question("web-waiting-001") == stored["web-waiting-001"]
    assert restarted.seen_from(PLATFORM, HOME).open_question("web-waiting-001") is None
    assert "web-waiting-001" not in restarted
    assert "web-waiting-001" in page_text(admin.get(f"{site.url}{ASKING}/open").text)

    before = len(site.transport.sent)
    site.say(MINA, "/quiz now web-waiting-001", ASKED_IN)
    site.say(JOON, "아직 모범 답안이 없는 질문에 대한 제 생각입니다.", ASKED_IN)
    replies = [reply.text for reply in site.transport.sent[before:]]
    assert any(text("en", "open_question_body") in reply for reply in replies), replies
    assert any(text("en", "open_answer_kept") in reply for reply in replies), replies

    again = _post(site, admin, notes, "web-waiting", action="save", channel=ASKING)
    assert again.status_code == 422
    assert _items(again.text, "notes-problems")[0] == (
        "line 1: web-waiting-001 : id : duplicate id, first defined in bank; import the notes "
        "under another name"
    )


def test_too_long_notes_are_refused_clearly(site: Site, admin: httpx.Client) -> None:
    long = NUMBERED_KO + "\n" + "긴 메모 " * (NOTES_CHARS // 5)
    refused = _post(site, admin, long, "web-long", action="save")
    assert refused.status_code == 413
    assert (
        f"The notes are longer than {NOTES_CHARS} characters; import them in parts."
        in page_text(refused.text)
    )
    assert long.strip() in unescape(refused.text)
    huge = _post(site, admin, "x" * (2 * 1024 * 1024), "web-huge", action="save")
    assert huge.status_code == 413
    assert f"longer than {NOTES_CHARS} characters" in page_text(huge.text)
    assert "web-long-001" not in site.service.bank.every_channel()


def test_pasted_control_characters_are_removed_as_in_every_form(
    site: Site, admin: httpx.Client
) -> None:
    notes = "1. 제어\x1b[31m 문자가 \x00섞인 질문은?\nA. 터미널\x07 제어 문자는 지워진다.\n"
    saved = _post(site, admin, notes, "web-controls", action="save")
    assert saved.status_code == 200, page_text(saved.text)
    prompt = site.service.bank.every_channel().get("web-controls-001")
    assert prompt.text.ko == "제어[31m 문자가 섞인 질문은?"
    assert prompt.references[0].text == "터미널 제어 문자는 지워진다."


def test_the_import_refuses_members_and_missing_tokens(site: Site, admin: httpx.Client) -> None:
    data = {"name": "web-refused", "notes": NUMBERED_KO, "action": "save"}
    assert admin.post(_url(site), data=data).status_code == 403
    assert admin.post(_url(site), data={**data, "csrf": "guess"}).status_code == 403
    with browser() as member:
        sign_in(member, site.link(JOON))
        member_csrf = form_fields(member.get(site.url + CHANNEL).text)["csrf"]
        assert member.get(_url(site)).status_code == 403
        assert member.post(_url(site), data={**data, "csrf": member_csrf}).status_code == 403
    assert "web-refused-001" not in site.service.bank.every_channel()


def test_an_imported_follow_up_stays_one_when_edited(site: Site, admin: httpx.Client) -> None:
    notes = "1. 편집할 본 질문은?\nA. 본 답.\n\n+ 편집할 후속 질문은?\nA. 후속 답.\n"
    assert _post(site, admin, notes, "web-edit", action="save").status_code == 200
    edit = f"{site.url}{CHANNEL}/questions/web-edit-001.1/edit"
    shown = form_fields(admin.get(edit).text)
    csrf = shown["csrf"]
    fields = {
        "version": shown["version"],
        "topics": "web-edit",
        "text_ko": "편집한 후속 질문은?",
        "text_en": "The edited follow-up?",
        "reference_ko": "고친 후속 답.",
    }
    assert admin.post(edit, data={**fields, "csrf": csrf}).status_code == 303
    edited = site.service.bank.every_channel().get("web-edit-001.1")
    assert (edited.parent, edited.order, edited.text.en) == ("web-edit-001", 1, fields["text_en"])
    assert edited.source == "notes:pasted-notes.md line 4"
