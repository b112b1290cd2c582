"""Issue 83: one taxonomy of subjects. `/quiz topics` offered 10 subjects while `/quiz stats`
and mastery showed 22 topics, and the chat and the web page's subjects settings did not accept
the same words. Through the chat and the served page (the shipped bank, one SQLite file), the
same subjects are listed, by the same names, by `/quiz topics`, the web page's subjects
settings and its questions filter, the member's mastery in `/quiz stats` and on their page; and
each word the chat accepts for `/quiz topics` the page accepts, and each it refuses the page
refuses."""

from __future__ import annotations

import re
from pathlib import Path

from bot.core.messages import ReplyKind
from bot.core.texts import subject_name
from tests.web.client import form_fields
from tests.web.site import HOME, MINA, PLATFORM, Site, running_site

WORDS = ("serving", "SERVING", "serv", "Optim", "team", "seed", "nope", "model")
"""An id, its capitals, a prefix of one id, a prefix of one English name, the channel's own
questions' subject (none saved here), the seed's, an unknown word, and a prefix of several."""


def chat_subjects(site: Site) -> list[str]:
    """The subject ids `/quiz topics` lists."""
    site.say(MINA, "/quiz topics")
    listed = site.transport.sent[-1].text
    return re.findall(r"^[✓·] `([^`]+)` ", listed, re.MULTILINE)


def chat_accepts(site: Site, word: str) -> bool:
    site.say(MINA, f"/quiz topics {word}")
    reply = site.transport.sent[-1]
    site.say(MINA, "/quiz topics all")
    return reply.kind is not ReplyKind.ERROR


def test_topics_stats_mastery_and_the_web_page_share_one_taxonomy(tmp_path: Path) -> None:
    with running_site(tmp_path) as site:
        subjects = chat_subjects(site)
        names = {subject_name("en", s) for s in subjects}
        assert len(subjects) >= 10 and len(names) == len(subjects)
        site.say(MINA, "/quiz practice")
        site.say(MINA, "/quiz practice answer a first practice answer 80")
        site.say(MINA, "/quiz stats")
        stats = site.transport.sent[-1].text
        base = f"{site.url}/c/{PLATFORM}/{HOME}"
        with site.signed_in(MINA, HOME) as admin:
            settings = admin.get(f"{base}/topics").text
            questions = admin.get(f"{base}/questions").text
            me = admin.get(f"{base}/me").text
            accepted = {}
            for word in WORDS:
                csrf = form_fields(admin.get(f"{base}/topics").text)["csrf"]
                posted = admin.post(f"{base}/topics", data={"subject": word, "csrf": csrf})
                accepted[word] = posted.status_code == 303
            csrf = form_fields(admin.get(f"{base}/topics").text)["csrf"]
            admin.post(f"{base}/topics", data={"subject": subjects, "csrf": csrf})
        chat = {word: chat_accepts(site, word) for word in WORDS}

    assert re.findall(r'value="([^"]+)" id="subject-', settings) == subjects
    assert [s for s in re.findall(r'<option value="([^"]*)"', questions) if s] == subjects
    # mastery: every subject, none of the bank's finer topic tags
    started = re.search(r"Mastery: (.*)", stats)
    assert started is not None, stats
    assert started.group(1).endswith(f" of {len(subjects)} subjects"), stats
    shown = {item.rsplit(" ", 1)[0] for item in started.group(1).split(", ")[:-1]}
    assert shown and shown <= names, stats
    mastery_rows = re.search(r'id="mastery-table".*?</table>', me, re.DOTALL)
    assert mastery_rows is not None, me
    assert set(re.findall(r'<th scope="row">([^<]+)</th>', mastery_rows.group(0))) == names
    assert chat == accepted, (chat, accepted)
    assert chat["serving"] and chat["serv"] and not chat["nope"] and not chat["model"]
