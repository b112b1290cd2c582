"""The subjects settings on the web page: an admin ticks the subjects the channel draws from
(CSRF-checked, unknown ones refused), and the chat's next question follows; members see no such
page."""

from __future__ import annotations

from pathlib import Path

from content.loader import DEFAULT_BANK_DIR
from tests.bot.test_topics import serving_file
from tests.web.client import form_fields, page_text
from tests.web.site import JOON, MINA, PLATFORM, running_site

CHANNEL = "C-topics"


def test_an_admin_chooses_the_channels_subjects_and_the_chat_follows(tmp_path: Path) -> None:
    serving_file(tmp_path, "our-serving")
    with running_site(tmp_path, bank_dirs=(DEFAULT_BANK_DIR, tmp_path)) as site:
        url = f"{site.url}/c/{PLATFORM}/{CHANNEL}/topics"
        with site.signed_in(JOON, CHANNEL) as member:
            assert member.get(url).status_code == 403
        with site.signed_in(MINA, CHANNEL) as admin:
            page = admin.get(url).text
            assert 'value="seed" id="subject-seed" checked' in page
            assert 'value="our-serving" id="subject-our-serving" checked' in page
            assert "our-serving our-serving 2 0" in page_text(page)
            csrf = form_fields(page)["csrf"]

            assert admin.post(url, data={"subject": "our-serving"}).status_code == 403
            assert admin.post(url, data={"subject": "nope", "csrf": csrf}).status_code == 400
            saved = admin.post(url, data={"subject": "our-serving", "csrf": csrf})
            assert saved.status_code == 303
            page = admin.get(site.url + saved.headers["location"]).text
            assert 'id="topics-saved"' in page
            assert 'value="seed" id="subject-seed">' in page
            assert 'value="our-serving" id="subject-our-serving" checked' in page

        channel = site.run(site.service.posting.channel(PLATFORM, CHANNEL))
        assert channel.subjects == ("our-serving",)
        site.say(MINA, "/quiz now", CHANNEL)
        question = site.transport.sent[-1]
        assert question.card is not None and question.card.prompt_id == "t72-srv01"
