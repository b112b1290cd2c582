"""Team questions written on the web page: the same check as `quizmaster content check` with
each error beside its field, saved in the database and put in the running bank at once (askable
with `/quiz now <id>`, graded on its new references), loaded again by a process that starts
later; the key concepts the notes import drafted, marked until an admin edits them or ticks
"reviewed"; and the form's refusals."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from html import unescape
from pathlib import Path

import httpx
import pytest

from bot.core.models import QuestionEdit
from bot.storage.repository import Repository
from content.check import check_draft
from content.loader import load_bank
from content.schema import Prompt
from evaluators.service import EmbeddingGrader
from tests.web.client import browser, form_fields, page_text, sign_in
from tests.web.site import HOME, JOON, MINA, OTHER, PLATFORM, Site

CHANNEL = f"/c/{PLATFORM}/{HOME}"
DRAFTED = "drafted — review"
DLQ_ANSWER = (
    "A dead letter queue holds the poison messages a consumer failed to process after its retry "
    "limit, so an operator can inspect and replay them without blocking the main message flow."
)
ASKED_IN = "C-edits"  # a channel of its own: the other tests' boards stay as they were
ASKING = f"/c/{PLATFORM}/{ASKED_IN}"
GOOD = {
    "topics": "incidents, ops",
    "text_ko": "장애가 났을 때 가장 먼저 무엇을 하나요?",
    "text_en": "What do we do first when production is down?",
    "reference_en": "We open an incident channel, name an incident lead and roll back the "
    "latest deploy before looking for the root cause.",
    "concepts": "rollback | 롤백 | roll back | revert",
    "misconceptions": "en: Debug the root cause in production first.",
}


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


def _csrf(client: httpx.Client, url: str) -> str:
    return form_fields(client.get(url).text)["csrf"]


def _shown_fields(html: str) -> dict[str, str]:
    """The question form's fields as the page fills them (what a browser sends back untouched)."""
    inputs = re.findall(r'<input id="(\w+)" name="\w+" value="([^"]*)"', html)
    areas = re.findall(r'<textarea id="(\w+)" name="\w+"[^>]*>(.*?)</textarea>', html, re.DOTALL)
    return {name: unescape(value) for name, value in [*inputs, *areas]}


def _stored(site: Site, prompt_id: str) -> Prompt:
    """The question as the database holds it, read back through the store."""
    stored = site.run(site.service.repo.team_questions.all())
    return next(prompt for prompt in stored if prompt.id == prompt_id)


def _drafted(prompt: Prompt) -> dict[str, bool]:
    return {concept.id: concept.drafted for concept in prompt.concepts}


def _marked(html: str) -> list[str]:
    """The key concept labels of a question's page that carry the drafted mark, in order."""
    found = re.search(r'<p id="key-concepts">(.*?)</p>', html, re.DOTALL)
    assert found, html
    return re.findall(rf'(?:: |, )([^,<]+) <span class="badge drafted">{DRAFTED}</span>', found[1])


def _import_drafted(site: Site, client: httpx.Client, name: str) -> Prompt:
    """A question saved by the web page's notes import, with concepts drafted from its answer."""
    url = f"{site.url}{CHANNEL}/import-notes"
    notes = f"1. {name}: what does a dead letter queue hold?\nA. {DLQ_ANSWER}\n"
    data = {"csrf": _csrf(client, url), "name": name, "notes": notes, "action": "save"}
    saved = client.post(url, data=data)
    assert saved.status_code == 200, page_text(saved.text)
    prompt = _stored(site, f"{name}-001")
    assert len(prompt.concepts) >= 3 and all(_drafted(prompt).values()), prompt.concepts
    return prompt


def test_an_admin_writes_a_question_fixes_its_errors_and_the_bot_asks_it(
    site: Site, asking_admin: httpx.Client
) -> None:
    admin = asking_admin  # the question is posted only in the channel whose page has it
    new = f"{site.url}{ASKING}/new-question"
    csrf = _csrf(admin, new)
    no_reference = {**GOOD, "id": "team-incident", "reference_en": "", "csrf": csrf}
    refused = admin.post(new, data={**no_reference, "action": "save"})
    assert refused.status_code == 422
    # the error right after its own field, and what was typed is still there
    assert re.search(
        r'id="reference_ko"[^>]*aria-describedby="error-reference_ko"[^>]*></textarea>\s*'
        r'<p class="error field-error" id="error-reference_ko" role="alert">'
        r"<code>references</code>: a graded prompt needs at least one model answer",
        refused.text,
    ), refused.text
    assert "장애가 났을 때 가장 먼저 무엇을 하나요?" in refused.text
    half_concept = admin.post(
        new, data={**GOOD, "id": "team-incident", "concepts": "rollback | 롤백", "csrf": csrf}
    )
    assert half_concept.status_code == 422
    assert re.search(
        r'>rollback \| 롤백</textarea>\s*<p class="error field-error" id="error-concepts"'
        r' role="alert"><code>concepts.0.en</code>: Field required',
        half_concept.text,
    )
    assert "team-incident" not in site.service.bank.every_channel()

    saved = admin.post(new, data={**GOOD, "id": "team-incident", "csrf": csrf, "action": "save"})
    assert saved.status_code == 303
    assert saved.headers["location"] == f"{ASKING}/questions/team-incident"
    shown = admin.get(site.url + saved.headers["location"]).text
    assert "roll back the latest deploy" in shown and "Edit this question" in shown

    before = len(site.transport.sent)
    site.say(MINA, "/quiz now team-incident", ASKED_IN)
    assert any(GOOD["text_en"] in reply.text for reply in site.transport.sent[before:])
    site.say(JOON, "open an incident and roll back 81", ASKED_IN)
    assert any("81" in reply.text for reply in site.transport.sent[before:])


def test_an_edit_replaces_the_question_and_a_taken_wording_is_refused(
    site: Site, admin: httpx.Client
) -> None:
    new = f"{site.url}{CHANNEL}/new-question"
    csrf = _csrf(admin, new)
    assert (
        admin.post(
            new,
            data={
                **GOOD,
                "id": "team-edited",
                "text_ko": "배포 전에 무엇을 확인하나요?",
                "text_en": "What do we check before a deploy?",
                "csrf": csrf,
            },
        ).status_code
        == 303
    )
    edit = f"{site.url}{CHANNEL}/questions/team-edited/edit"
    form = admin.get(edit).text
    assert "What do we check before a deploy?" in form and "readonly" in form
    version = form_fields(form)["version"]
    shipped = site.service.bank.every_channel().mains()[0]
    taken = admin.post(
        edit, data={**GOOD, "text_en": shipped.text.en, "csrf": csrf, "version": version}
    )
    assert taken.status_code == 422
    assert f"the same question wording is already used by prompt {shipped.id}" in taken.text
    release = {
        **GOOD,
        "id": "ignored",
        "text_en": "What do we check before a release?",
        "text_ko": "릴리스 전에 무엇을 확인하나요?",
        "csrf": csrf,
        "version": version,
    }
    changed = admin.post(edit, data=release)
    assert changed.status_code == 303
    assert (
        site.service.bank.every_channel().get("team-edited").text.en
        == "What do we check before a release?"
    )
    assert "ignored" not in site.service.bank.every_channel()
    # a second admin's edit of the version the first one changed saves nothing, and says so
    stale = admin.post(edit, data={**release, "text_en": "What do we check before a merge?"})
    assert stale.status_code == 409
    assert "another admin saved this question after you opened it" in page_text(stale.text)
    assert (
        site.service.bank.every_channel().get("team-edited").text.en
        == "What do we check before a release?"
    )
    assert _stored(site, "team-edited").text.en == "What do we check before a release?"


def test_drafted_concepts_are_marked_on_the_list_the_page_and_the_editor(
    site: Site, admin: httpx.Client
) -> None:
    prompt = _import_drafted(site, admin, "web-marked")
    labels = [concept.en for concept in prompt.concepts]
    listed = page_text(admin.get(f"{site.url}{CHANNEL}/questions", params={"q": prompt.id}).text)
    assert f"{prompt.id} drafted key concepts: {len(labels)} — review" in listed
    assert "have key concepts the notes import drafted from the model answer" in listed
    page = admin.get(f"{site.url}{CHANNEL}/questions/{prompt.id}").text
    assert _marked(page) == labels
    assert "on Edit this question , fix or delete the wrong ones, tick reviewed" in page_text(page)
    editor = admin.get(f"{site.url}{CHANNEL}/questions/{prompt.id}/edit").text
    marked = re.findall(r"<li><code>([^<]+)</code> ([^<]+) <span class=\"badge drafted\">", editor)
    assert marked == [(c.id, c.en) for c in prompt.concepts]
    assert 'name="reviewed" value="1">' in editor  # offered, not ticked
    admin.get(site.url + "/lang/ko", params={"next": CHANNEL})
    try:
        korean = page_text(admin.get(f"{site.url}{CHANNEL}/questions/{prompt.id}").text)
        assert f"{labels[0]} 초안 · 검토 필요" in korean
        assert "이 질문 고치기 에서 틀린 것은 고치거나 지우고" in korean
        korean_editor = page_text(admin.get(f"{site.url}{CHANNEL}/questions/{prompt.id}/edit").text)
        assert "초안 핵심 개념을 모두 검토했어요" in korean_editor
    finally:
        admin.get(site.url + "/lang/en", params={"next": CHANNEL})
    # a question with concepts of its own carries no mark
    plain = admin.get(
        f"{site.url}{CHANNEL}/questions/{site.service.bank.every_channel().mains()[0].id}"
    ).text
    assert "badge drafted" not in plain and "drafted-hint" not in plain


def test_an_unchanged_drafted_concept_stays_drafted_and_an_edited_one_is_reviewed(
    site: Site, admin: httpx.Client
) -> None:
    prompt = _import_drafted(site, admin, "web-kept")
    edit = f"{site.url}{CHANNEL}/questions/{prompt.id}/edit"
    shown = _shown_fields(admin.get(edit).text)
    csrf = _csrf(admin, edit)
    # the question reworded, its concepts as drafted: each keeps its flag
    reworded = {**shown, "text_en": "What does our dead letter queue hold?", "csrf": csrf}
    assert admin.post(edit, data=reworded).status_code == 303
    kept = _stored(site, prompt.id)
    assert kept.text.en == reworded["text_en"] and all(_drafted(kept).values())
    assert site.service.bank.every_channel().get(prompt.id) == kept

    # one line reworded (same id) and one added: those two are the admin's, the rest stay
    first, *others = prompt.concepts
    lines = shown["concepts"].splitlines()
    lines[0] = f"{first.id} | 처리 실패 메시지 | messages that failed"
    edited = {
        **reworded,
        "concepts": "\n".join([*lines, "replay | 재처리 | replay"]),
        "version": form_fields(admin.get(edit).text)["version"],  # the page as it is now
    }
    assert admin.post(edit, data=edited).status_code == 303
    assert _drafted(_stored(site, prompt.id)) == {
        first.id: False,
        **{c.id: True for c in others},
        "replay": False,
    }
    page = admin.get(f"{site.url}{CHANNEL}/questions/{prompt.id}").text
    assert _marked(page) == [c.en for c in others]
    assert "Key concepts: messages that failed, " in page_text(page)
    assert f"drafted key concepts: {len(others)} — review" in page_text(
        admin.get(f"{site.url}{CHANNEL}/questions", params={"q": prompt.id}).text
    )


def test_ticking_reviewed_clears_every_drafted_mark(site: Site, admin: httpx.Client) -> None:
    prompt = _import_drafted(site, admin, "web-reviewed")
    edit = f"{site.url}{CHANNEL}/questions/{prompt.id}/edit"
    shown = _shown_fields(admin.get(edit).text)
    csrf = _csrf(admin, edit)
    # a refused save keeps the box as ticked and the marks, and stores nothing
    refused = admin.post(edit, data={**shown, "reviewed": "1", "text_en": "", "csrf": csrf})
    assert refused.status_code == 422
    assert 'name="reviewed" value="1" checked>' in refused.text
    assert refused.text.count('class="badge drafted"') == len(prompt.concepts)
    assert all(_drafted(_stored(site, prompt.id)).values())

    saved = admin.post(edit, data={**shown, "reviewed": "1", "csrf": csrf})
    assert saved.status_code == 303
    reviewed = _stored(site, prompt.id)
    assert [(c.id, c.en) for c in reviewed.concepts] == [(c.id, c.en) for c in prompt.concepts]
    assert not any(_drafted(reviewed).values())
    page = admin.get(f"{site.url}{CHANNEL}/questions/{prompt.id}").text
    assert "badge drafted" not in page and "drafted-hint" not in page
    assert 'id="drafted-concepts"' not in admin.get(edit).text


def test_the_grader_can_be_tried_on_an_unsaved_draft(site: Site, admin: httpx.Client) -> None:
    new = f"{site.url}{CHANNEL}/new-question"
    csrf = _csrf(admin, new)
    tried = admin.post(
        new,
        data={
            **GOOD,
            "id": "team-draft",
            "text_ko": "초안 질문입니다?",
            "text_en": "A draft question?",
            "answer": "roll back first 58",
            "action": "try",
            "csrf": csrf,
        },
    )
    assert tried.status_code == 200 and "58/100" in tried.text
    assert "team-draft" not in site.service.bank.every_channel()


def test_a_draft_tried_with_an_answer_that_shows_nothing_is_refused(
    site: Site, admin: httpx.Client
) -> None:
    """Issue 83: the editor's "Try the grader" graded unassigned and private-use characters."""
    new = f"{site.url}{CHANNEL}/new-question"
    csrf = _csrf(admin, new)
    tried = admin.post(
        new,
        data={
            **GOOD,
            "id": "team-unseen",
            "text_ko": "초안 질문입니다?",
            "text_en": "A draft question?",
            "answer": "\u0378\ue000\u0301",
            "action": "try",
            "csrf": csrf,
        },
    )
    assert tried.status_code == 200 and "/100" not in tried.text
    assert "An answer with no visible character isn't graded" in unescape(tried.text)


def test_a_draft_tried_with_an_answer_over_a_megabyte_gets_the_form_saying_so(
    site: Site, admin: httpx.Client
) -> None:
    new = f"{site.url}{CHANNEL}/new-question"
    csrf = _csrf(admin, new)
    tried = admin.post(
        new,
        data={**GOOD, "answer": "x" * (1024 * 1024 + 1), "action": "try", "csrf": csrf},
    )
    assert tried.status_code == 413 and 'name="text_ko"' in tried.text
    assert "The answer is too long to grade" in tried.text
    assert admin.get(new).status_code == 200


def test_the_question_forms_refuse_members_missing_tokens_and_shipped_questions(
    site: Site, admin: httpx.Client
) -> None:
    new = f"{site.url}{CHANNEL}/new-question"
    assert admin.post(new, data={**GOOD, "id": "team-no-token"}).status_code == 403
    assert admin.post(new, data={**GOOD, "id": "team-no-token", "csrf": "guess"}).status_code == 403
    shipped = site.service.bank.every_channel().mains()[0].id
    assert admin.get(f"{site.url}{CHANNEL}/questions/{shipped}/edit").status_code == 404
    csrf = _csrf(admin, new)
    assert (
        admin.post(
            f"{site.url}{CHANNEL}/questions/{shipped}/edit", data={**GOOD, "csrf": csrf}
        ).status_code
        == 404
    )
    with browser() as member:
        sign_in(member, site.link(JOON))
        member_csrf = form_fields(member.get(site.url + CHANNEL).text)["csrf"]
        assert member.get(new).status_code == 403
        refused = member.post(new, data={**GOOD, "id": "team-member", "csrf": member_csrf})
        assert refused.status_code == 403
    assert (
        "team-no-token" not in site.service.bank.every_channel()
        and "team-member" not in site.service.bank.every_channel()
    )


async def test_saved_questions_are_loaded_by_a_process_that_starts_later(
    repo: Repository, database: Path | str
) -> None:
    bank = load_bank()
    draft = {
        "id": "team-kept",
        "topics": ["ops"],
        "text": {"ko": "우리 팀의 배포 요일은?", "en": "Which day do we deploy?"},
        "references": [{"lang": "ko", "text": "화요일과 목요일에 배포해요."}],
    }
    [*_, prompt] = check_draft(draft, bank).prompts
    await repo.team_questions.create(
        [prompt],
        QuestionEdit(
            platform=PLATFORM, channel_id=HOME, edited_by=MINA.user_id, at=datetime.now(UTC)
        ),
    )
    later = await Repository.open(database)
    try:
        fresh = load_bank()
        assert await later.team_questions.load_into(fresh) == 1
        assert await later.team_questions.owned() == [(prompt, (PLATFORM, HOME))]
    finally:
        await later.close()
    seen = fresh.seen_from(PLATFORM, HOME)
    assert seen.get("team-kept") == prompt and seen.find_by_text("Which day do we deploy") == prompt
    assert "team-kept" not in fresh.seen_from(PLATFORM, OTHER), "another channel's question"


async def test_a_saved_question_is_graded_on_its_own_references_without_a_restart(
    grader: EmbeddingGrader,
) -> None:
    bank = load_bank()
    draft = {
        "id": "team-graded",
        "topics": ["ops"],
        "text": {
            "ko": "우리 서비스의 캐시는 어디에 있나요?",
            "en": "Where does our service cache live?",
        },
        "references": [
            {
                "lang": "en",
                "text": "Our cache is a Redis cluster next to the API servers, with "
                "keys expiring after ten minutes.",
            }
        ],
    }
    [*_, prompt] = check_draft(draft, bank).prompts
    bank.put(prompt)
    right = await grader.grade(
        prompt,
        "It is a Redis cluster beside the API servers; keys expire after ten minutes.",
        lang="en",
    )
    wrong = await grader.grade(prompt, "Bananas are yellow and grow in bunches.", lang="en")
    assert right.score >= 90 and wrong.score <= right.score - 30, (right, wrong)


def test_team_is_refused_as_a_questions_topic_in_the_pages_language(site: Site) -> None:
    """`team` is the subject of a channel's own questions (`/quiz topics`), so the form refuses
    it as a topic, in the page's language; on main the question was saved with the topic
    `team`. A bank file imported as `team` keeps its tag (`content check` accepts it)."""
    new = f"{site.url}{CHANNEL}/new-question"
    said = {
        "en": "<code>topics.0</code>: <code>Team</code> is the subject of the channel's own"
        " questions (<code>/quiz topics</code>), not a question's topic; use another word",
        "ko": "<code>topics.0</code>: <code>Team</code>은(는) 채널이 직접 저장한 질문의 분야",
    }
    for lang, message in said.items():
        with site.signed_in(MINA) as admin:
            admin.get(f"{site.url}/lang/{lang}")
            typed = {**GOOD, "id": f"team-topic-{lang}", "topics": "Team, ops"}
            refused = admin.post(new, data={**typed, "csrf": _csrf(admin, new), "action": "save"})
        assert refused.status_code == 422, page_text(refused.text)
        errors = re.search(
            r'<p class="error field-error" id="error-topics"[^>]*>(.*?)</p>', unescape(refused.text)
        )
        assert errors and message in errors[1], refused.text
        assert f"team-topic-{lang}" not in site.service.bank.every_channel()
