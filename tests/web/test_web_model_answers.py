"""Saving a model answer, grading the kept answers and making the question ready are one unit
(issue 60, cases 4 and 5): concurrent saves of one open question, or of notes under one name,
leave one winner and tell the others; a save whose grading cannot finish keeps the question
waiting with the saved text, and grading resumes exactly once against it. Through the real
page, on SQLite and PostgreSQL; the grader scores each answer with the number its question's
reference ends in, so every grade says which text it was graded against."""

from __future__ import annotations

import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from html import unescape

import httpx
import pytest

from bot.core.messages import Actor
from tests.fixed_grader import ReferenceScore
from tests.web.client import browser, form_fields, page_text, sign_in
from tests.web.site import MINA, PLATFORM, Site, database_of, running_site

CHANNEL = "C-model"
NOTES = """\
1. 가중치 초기화는 왜 중요한가요?

2. 잔차 연결은 무엇을 돕나요?

3. 어텐션의 스케일링은 왜 하나요?
"""
"""Three open questions: mdl-001 (concurrent saves), mdl-002 (the server down), mdl-003."""
MEMBERS = [Actor(f"U-m{n}", f"Member {n}") for n in range(1, 5)]


GRADER = ReferenceScore()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def page(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    """The page on each database with three open questions imported; the first two posted and
    answered by four members each (kept for the model answer)."""
    folder = tmp_path_factory.mktemp("web-model-answers")
    GRADER.down = False
    with running_site(
        folder,
        db=database_of(request, folder),
        chat_grader=lambda: GRADER,
    ) as site:
        site.import_notes(CHANNEL, name="mdl", notes=NOTES)
        for question in ("mdl-001", "mdl-002"):
            site.say(MINA, f"/quiz now {question}", CHANNEL)
            for n, member in enumerate(MEMBERS):
                site.say(member, f"{question}: what member {n} thinks", CHANNEL)
        yield site


def _admins(site: Site, n: int) -> list[httpx.Client]:
    clients = [browser() for _ in range(n)]
    for client in clients:
        assert sign_in(client, site.link(MINA, CHANNEL)).status_code == 303
    return clients


def _kept(site: Site, question: str) -> int:
    kept = site.service.repo.answers.open_answers(
        platform=PLATFORM, channel_id=CHANNEL, prompt_id=question
    )
    return len(site.run(kept))


def _graded(site: Site, question: str) -> list[int]:
    answers = site.service.repo.answers.channel_answers(platform=PLATFORM, channel_id=CHANNEL)
    return sorted(a.score for a in site.run(answers) if a.prompt_id == question)


def _box(html: str) -> str:
    found = re.search(r'<textarea id="model_answer"[^>]*>(.*?)</textarea>', html, re.S)
    assert found is not None, html
    return unescape(found.group(1))


def test_concurrent_model_answers_of_one_question_one_wins_and_the_others_are_told(
    page: Site,
) -> None:
    base = f"{page.url}/c/{PLATFORM}/{CHANNEL}"
    texts = [
        "Good initialisation keeps activations and gradients at a steady scale, score 11",
        "It stops signals from vanishing or exploding through many layers, score 22",
    ]
    clients = _admins(page, 6)
    try:
        forms = [
            {
                "csrf": form_fields(c.get(base).text)["csrf"],
                "model_answer": texts[i % 2],
                "answer_lang": "en",
            }
            for i, c in enumerate(clients)
        ]
        with ThreadPoolExecutor(len(clients)) as pool:
            posted = list(
                pool.map(
                    lambda pair: pair[0].post(
                        f"{base}/open/mdl-001/save", data=pair[1], timeout=120
                    ),
                    zip(clients, forms, strict=True),
                )
            )
    finally:
        for client in clients:
            client.close()
    won = [i for i, r in enumerate(posted) if r.status_code == 303]
    assert len(won) == 1, [r.status_code for r in posted]
    winner = texts[won[0] % 2]
    for i, refused in enumerate(posted):
        if i in won:
            continue
        assert refused.status_code == 409, page_text(refused.text)
        assert "Another admin saved this question's model answer first" in page_text(refused.text)
        assert _box(refused.text) == texts[i % 2]  # the admin's own text, kept in the box
    stored = {p.id: p for p in page.run(page.service.repo.team_questions.all())}
    assert stored["mdl-001"].status == "ready"
    assert stored["mdl-001"].references[0].text == winner
    assert page.service.bank.every_channel().get("mdl-001").references[0].text == winner
    number = int(winner.rsplit(" ", 1)[1])
    assert _graded(page, "mdl-001") == [number] * len(MEMBERS)  # each once, against the winner
    assert _kept(page, "mdl-001") == 0


def test_a_model_answer_whose_grading_cannot_finish_keeps_the_question_waiting(
    page: Site, admin_clients: list[httpx.Client]
) -> None:
    """The grader's server is down while the kept answers are graded: nothing is graded, the
    question stays open with the saved text shown, and a second save is told it is saved; the
    next start grades every kept answer once, against the saved text."""
    [admin] = admin_clients
    base = f"{page.url}/c/{PLATFORM}/{CHANNEL}"
    csrf = form_fields(admin.get(base).text)["csrf"]
    saved_text = "Residual connections give gradients a short path through the network, 33"
    GRADER.down = True
    try:
        waiting = admin.post(
            f"{base}/open/mdl-002/save",
            data={"csrf": csrf, "model_answer": saved_text, "answer_lang": "en"},
            timeout=120,
        )
    finally:
        GRADER.down = False
    assert waiting.status_code == 503, page_text(waiting.text)
    assert "The model answer is saved" in page_text(waiting.text)
    assert page.service.bank.every_channel().open_question("mdl-002") is not None
    assert _kept(page, "mdl-002") == len(MEMBERS) and _graded(page, "mdl-002") == []
    shown = page_text(admin.get(f"{base}/open/mdl-002").text)
    assert "A model answer is saved" in shown and saved_text in shown
    again = admin.post(
        f"{base}/open/mdl-002/save",
        data={"csrf": csrf, "model_answer": "Another text, 44", "answer_lang": "en"},
    )
    assert again.status_code == 409

    assert page.run(page.service.model_answers.resume(saved_before=page.clock())) == 1
    assert page.run(page.service.model_answers.resume(saved_before=page.clock())) == 0
    assert _graded(page, "mdl-002") == [33] * len(MEMBERS)
    stored = {p.id: p for p in page.run(page.service.repo.team_questions.all())}
    assert stored["mdl-002"].status == "ready"
    assert stored["mdl-002"].references[0].text == saved_text
    assert page.service.bank.every_channel().get("mdl-002").references[0].text == saved_text


def test_concurrent_notes_saves_under_one_name_one_wins_and_the_others_are_told(
    page: Site,
) -> None:
    url = f"{page.url}/c/{PLATFORM}/{CHANNEL}/import-notes"
    versions = [
        f"1. 배치 크기 {n}는 언제 쓰나요?\nA. 메모리가 허락하고 일반화가 나빠지지 않을 때 {n}.\n"
        for n in range(4)
    ]
    clients = _admins(page, len(versions))
    try:
        forms = [
            {
                "csrf": form_fields(c.get(url).text)["csrf"],
                "name": "race",
                "notes": notes,
                "action": "save",
            }
            for c, notes in zip(clients, versions, strict=True)
        ]
        with ThreadPoolExecutor(len(clients)) as pool:
            posted = list(
                pool.map(
                    lambda pair: pair[0].post(url, data=pair[1], timeout=120),
                    zip(clients, forms, strict=True),
                )
            )
    finally:
        for client in clients:
            client.close()
    saved = [i for i, r in enumerate(posted) if "Saved as team questions: 1." in r.text]
    assert len(saved) == 1, [page_text(r.text)[-300:] for r in posted]
    for i, refused in enumerate(posted):
        if i not in saved:
            assert refused.status_code in (409, 422), page_text(refused.text)
            assert "Nothing was saved" in page_text(refused.text)
    stored = {p.id: p for p in page.run(page.service.repo.team_questions.all())}
    assert stored["race-001"].text.ko == f"배치 크기 {saved[0]}는 언제 쓰나요?"
    assert (
        page.service.bank.every_channel().get("race-001").text.ko
        == f"배치 크기 {saved[0]}는 언제 쓰나요?"
    )


@pytest.fixture
def admin_clients(page: Site) -> Iterator[list[httpx.Client]]:
    clients = _admins(page, 1)
    yield clients
    for client in clients:
        client.close()
