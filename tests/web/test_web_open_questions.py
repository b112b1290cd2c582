"""Open questions through the real app: a question imported without a model answer is posted
with `/quiz now <id>`, its answers are kept and their members told they will be graded later;
an admin picks the best answers (names only of members who share) into the model answer, which
makes the question ready with drafted key concepts; the kept answers are graded and each member
told once in the question's thread; and the refusals."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from html import unescape
from pathlib import Path

from bot.core.flow.notices import send_notices
from bot.core.messages import Actor
from tests import team_notes as notes
from tests.cli_process import run_quizmaster
from tests.web.client import browser, form_fields, page_text, sign_in
from tests.web.site import JOON, MINA, PLATFORM, Site

SORA = Actor("U-sora", "Sora")
SORA_SAYS = "Label smoothing mixes the one-hot target with a uniform distribution 40"
JOON_SAYS = "It softens the targets so the model is less overconfident 70"


def _kept_ids(html: str) -> dict[str, int]:
    """Each kept answer's text on the page and its checkbox's id."""
    found = re.findall(r'<li id="kept-(\d+)">.*?<p>(.*?)</p>', html, flags=re.S)
    return {unescape(text): int(i) for i, text in found}


def test_an_open_question_collects_answers_then_its_model_answer_grades_them(
    open_site: Site, open_notes: Path
) -> None:
    site, channel = open_site, "C-open"
    site.say(MINA, f"/quiz now {notes.WAITING}", channel)
    posted = site.transport.sent[-1]
    assert "An open question: it has no model answer yet" in posted.text
    assert "Extra question" not in posted.text and "a follow-up" not in posted.text
    site.say(SORA, "/quiz share on", channel)
    before = len(site.transport.sent)
    site.say(SORA, SORA_SAYS, channel)
    site.say(JOON, JOON_SAYS, channel)
    site.say(JOON, "/quiz hint", channel)
    site.say(MINA, "/quiz reveal", channel)
    said = [r.text for r in site.transport.sent[before:]]
    assert sum("This is an open question: it will be graded" in t for t in said) == 2
    assert any("no hints, skips or follow-ups yet" in t for t in said)
    assert any("no model answer to reveal yet" in t for t in said)
    assert not any("/100" in t for t in said)  # nothing graded yet
    site.say(JOON, "/quiz week", channel)
    week = site.transport.sent[-1].text
    assert "**Open questions** (graded once an admin writes the model answer" in week
    assert f"• {notes.WAITING} · {notes.WAITING_TEXT} · 2 answers kept" in week
    checked = run_quizmaster(
        ["content", "check"],
        env={
            **os.environ,
            "HF_HUB_OFFLINE": "1",
            "QUIZMASTER_DB": str(site.db),
            "QUIZMASTER_BANK_DIR": str(open_notes),
        },
        cwd=open_notes,
    )
    assert checked.returncode == 0, checked.stderr
    [line] = [ln for ln in checked.stdout.splitlines() if f"prompt {notes.WAITING}:" in ln]
    assert line.endswith("(2 answers kept as an open question)"), line

    base = f"{site.url}/c/{PLATFORM}/{channel}"
    with browser() as admin:
        sign_in(admin, site.link(MINA, channel))
        listed = page_text(admin.get(base + "/open").text)
        assert f"{notes.WAITING}" in listed and "2 answers" in listed
        page = admin.get(f"{base}/open/{notes.WAITING}").text
        kept = _kept_ids(page)
        assert set(kept) == {SORA_SAYS, JOON_SAYS}
        shown = page_text(page)
        assert "Sora" in shown and "Joon" not in shown  # only a member who shares is named
        # It was posted and has answers: the page says so, not how to post it.
        assert "2 answers are kept" in shown and "Post it in the chat" not in shown
        assert "a member who does not share" in shown
        csrf = form_fields(page)["csrf"]
        drafted = admin.post(
            f"{base}/open/{notes.WAITING}/compose",
            data={"answer": [kept[SORA_SAYS]], "csrf": csrf},
        )
        assert drafted.status_code == 200
        box = re.search(r'<textarea id="model_answer"[^>]*>(.*?)</textarea>', drafted.text, re.S)
        assert box is not None and unescape(box.group(1)) == SORA_SAYS
        # An English draft is saved as English by default, on a page read in Korean too.
        admin.get(f"{site.url}/lang/ko", params={"next": base})
        in_korean = admin.post(
            f"{base}/open/{notes.WAITING}/compose",
            data={"answer": [kept[SORA_SAYS]], "csrf": csrf},
        )
        admin.get(f"{site.url}/lang/en", params={"next": base})
        assert '<html lang="ko">' in in_korean.text
        assert '<option value="en" selected>' in in_korean.text, in_korean.text
        empty = admin.post(
            f"{base}/open/{notes.WAITING}/save",
            data={"model_answer": "  ", "answer_lang": "en", "csrf": csrf},
        )
        assert empty.status_code == 400 and "Write the model answer." in empty.text
        model = (
            "Label smoothing replaces the one-hot target with a mixture of it and a uniform "
            "distribution over the classes, so the model stops pushing its logits toward "
            "infinity and becomes less overconfident and better calibrated."
        )
        saved = admin.post(
            f"{base}/open/{notes.WAITING}/save",
            data={"model_answer": model, "answer_lang": "en", "csrf": csrf},
            timeout=120,  # not a target: Kiwi loads on the first draft, on a busy machine
        )
        assert saved.status_code == 303
        after = page_text(admin.get(site.url + saved.headers["location"]).text)
        assert f"Saved the model answer of {notes.WAITING}. 2 kept answers were graded" in after
        assert "No open questions." in after
        assert admin.get(f"{base}/open/{notes.WAITING}").status_code == 404
        question = page_text(admin.get(f"{base}/questions/{notes.WAITING}").text)
        assert "less overconfident and better calibrated" in question
        assert "drafted" in question  # key concepts drafted from the model answer

    prompt = site.service.bank.every_channel().get(notes.WAITING)
    assert prompt.status == "ready" and prompt.concepts
    before = len(site.transport.sent)
    now = datetime.now(UTC)
    notices = site.service.repo.notices
    assert site.run(send_notices(notices, PLATFORM, site.transport, by="a", now=now)) == 2
    told = {r.user_id: r.text for r in site.transport.sent[before:]}
    assert "your answer scores 40 points" in told[SORA.user_id]
    assert "your answer scores 70 points" in told[JOON.user_id]
    assert site.run(send_notices(notices, PLATFORM, site.transport, by="b", now=now)) == 0
    answers = site.run(
        site.service.repo.answers.channel_answers(platform=PLATFORM, channel_id=channel)
    )
    assert sorted(a.score for a in answers if a.prompt_id == notes.WAITING) == [40, 70]


def test_the_open_question_forms_refuse_members_tokens_and_other_channels_answers(
    open_site: Site,
) -> None:
    site = open_site
    question = notes.WAITING
    site.say(MINA, f"/quiz now {question}", "C-open-away")
    site.say(JOON, "an answer kept elsewhere", "C-open-away")
    home = f"{site.url}/c/{PLATFORM}/C-open-home"
    away = f"{site.url}/c/{PLATFORM}/C-open-away"
    site.say(MINA, f"/quiz now {question}", "C-open-home")
    with browser() as admin:
        sign_in(admin, site.link(MINA, "C-open-away"))
        [elsewhere] = _kept_ids(admin.get(f"{away}/open/{question}").text).values()
    with browser() as admin:
        sign_in(admin, site.link(MINA, "C-open-home"))
        csrf = form_fields(admin.get(f"{home}/open/{question}").text)["csrf"]
        compose = f"{home}/open/{question}/compose"
        assert admin.post(compose, data={"answer": [elsewhere]}).status_code == 403
        refused = admin.post(compose, data={"answer": [elsewhere], "csrf": csrf})
        assert refused.status_code == 403 and "not answers kept for this question" in refused.text
        assert admin.get(f"{away}/open/{question}").status_code == 403
        save = f"{home}/open/{question}/save"
        assert admin.post(save, data={"model_answer": "x"}).status_code == 403
        assert admin.get(f"{home}/open/no-such-question").status_code == 404
    with browser() as member:
        sign_in(member, site.link(JOON, "C-open-home"))
        member_csrf = form_fields(member.get(home).text)["csrf"]
        assert member.get(f"{home}/open").status_code == 403
        posted = member.post(save, data={"model_answer": "mine", "csrf": member_csrf})
        assert posted.status_code == 403
    assert site.service.bank.every_channel().open_question(question) is not None  # nothing saved it
