"""Every refusal of the web page's forms is said in the page's language (issue 84): the question
form's field and rule errors (from the bank checker `quizmaster content check` runs), the notes
import's problems (the importer's, and the checker's on save), and a model answer the team rules
refuse. Each is driven in a Korean channel and in an English one, over HTTP on the real page,
and the whole refused page is read by the one-language checker (`tests.one_language`): in Korean
no English word the page wrote (code, ids and what the admin typed aside), in English no Hangul.
Before the errors carried catalogue keys, every one of them was an English sentence on the
Korean page."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from content.loader import DEFAULT_BANK_DIR
from content.schema import Lang
from tests.one_language import Quoted, foreign_lines
from tests.web.client import browser, form_fields, shown_lines, sign_in
from tests.web.site import MINA, PLATFORM, Site, running_site

CHANNELS: dict[Lang, str] = {"ko": "C-errors-ko", "en": "C-errors-en"}
OPEN_BANK = """\
bank: retro
rules: team
prompts:
  - id: retro-open
    kind: open
    status: waiting
    topics: [team]
    text:
      ko: 회고에서 가장 먼저 나눌 이야기는 무엇인가요?
      en: What should a retrospective talk about first?
"""
"""An opinion question waiting for its guidance: a model answer cannot make it ready."""
QUESTION = {
    "topics": "ops",
    "text_ko": "배포가 실패하면 가장 먼저 무엇을 하나요?",
    "text_en": "What do we do first when a deploy fails?",
    "reference_en": "We roll back the deploy and then look for the cause.",
    "concepts": "rollback | 롤백 | roll back",
    "misconceptions": "",
}
FORMS: dict[str, dict[str, str]] = {
    "field errors": {
        **QUESTION,
        "id": "Bad Id!",
        "topics": "",
        "text_en": "",
        "concepts": "rollback | 롤백",
    },
    "no model answer": {**QUESTION, "id": "err-no-answer", "reference_en": ""},
    "a seed question's wording": {**QUESTION, "id": "err-seed-wording"},
}
"""The question form's refusals: each posted with Save (the third's Korean wording is set to a
seed question's below)."""
NOTES = {
    "broken notes": "+ 먼저 나온 후속 질문은?\n\n1. 첫 질문은?\nA. 첫 답.\nA. 두 번째 답.\n",
    "a question past the limit": "1. " + "가" * 1001 + "?\nA. 답이에요.\n",
}
"""The notes import's own problems: a follow-up before any main question, a second answer, a
question over the length a chat message holds."""
SAVED_NOTES = "1. 테스트 노트의 질문은?\nA. 테스트 노트의 답이에요.\n"
"""Saved once, then again under the same name: its id is taken."""
MODEL_ANSWER = "먼저 잘된 점을 나눠요."
TYPED = ("Bad Id!", "retro-open", "err-no-answer", "err-seed-wording", "err-ko-001", "err-en-001")


@pytest.fixture(scope="module")
def errors_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """A page on the seed bank and `OPEN_BANK`, with a Korean and an English channel."""
    folder = tmp_path_factory.mktemp("web-errors")
    banks = folder / "banks"
    banks.mkdir()
    (banks / "retro.yaml").write_text(OPEN_BANK, encoding="utf-8")
    with running_site(folder, bank_dirs=(DEFAULT_BANK_DIR, banks)) as site:
        for lang, channel in CHANNELS.items():
            site.say(MINA, f"/quiz lang {lang}", channel)
        yield site


def refused_pages(site: Site, lang: Lang) -> dict[str, httpx.Response]:
    """Every refusal, by what was refused, on the page of the channel speaking `lang`."""
    base = f"{site.url}/c/{PLATFORM}/{CHANNELS[lang]}"
    seed_wording = next(p.text.ko for p in site.service.bank.all() if p.parent is None)
    pages: dict[str, httpx.Response] = {}
    with browser() as admin:
        admin.timeout = httpx.Timeout(120)  # notes and model answers are read by Kiwi (loaded once)
        assert sign_in(admin, site.link(MINA, CHANNELS[lang])).status_code == 303
        csrf = form_fields(admin.get(f"{base}/new-question").text)["csrf"]
        for name, fields in FORMS.items():
            worded = {"text_ko": seed_wording} if name == "a seed question's wording" else {}
            form = {**fields, **worded, "csrf": csrf, "action": "save"}
            pages[name] = admin.post(f"{base}/new-question", data=form)
        notes_url = f"{base}/import-notes"
        imports = {**NOTES, "saved": SAVED_NOTES, "the same notes again": SAVED_NOTES}
        for name, notes in imports.items():
            form = {"csrf": csrf, "name": f"err-{lang}", "notes": notes, "action": "save"}
            pages[name] = admin.post(notes_url, data=form)
        answer = {"model_answer": MODEL_ANSWER, "answer_lang": "ko", "csrf": csrf}
        pages["a model answer for an opinion"] = admin.post(
            f"{base}/open/retro-open/save", data=answer
        )
    return pages


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_every_refusal_of_the_page_is_in_its_language(errors_site: Site, lang: Lang) -> None:
    pages = refused_pages(errors_site, lang)
    saved = pages.pop("saved")
    assert saved.status_code == 200, saved.text
    for name, page in pages.items():
        assert page.status_code in (400, 422), (name, page.status_code, page.text)
        assert 'class="error' in page.text, (name, page.text)
    notes = [line for text in (*NOTES.values(), SAVED_NOTES) for line in text.splitlines()]
    own = [*TYPED, *QUESTION.values(), *notes, MODEL_ANSWER]
    quoted = Quoted.of(errors_site.service.bank, own)
    typed = frozenset({"notes"})  # the notes' name field's placeholder: an example of an id
    found = [
        f"{name}: {problem}"
        for name, page in pages.items()
        for problem in foreign_lines(shown_lines(page.text), lang, quoted=quoted, typed=typed)
    ]
    assert found == [], "\n".join(found)
    if lang == "ko":  # where a problem is, as the Korean page says it
        again = shown_lines(pages["the same notes again"].text)
        assert any(line.startswith("1행: `err-ko-001`: `id`: 중복된 `id`") for line in again), again
