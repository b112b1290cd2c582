"""A Korean channel's web pages, read over HTTP by a browser that asks for English (as most do):
the sign-in page and every page behind it are in the channel's language, with no English the
page wrote but the terms of art (`tests.one_language`); topics show by their Korean names; and
the open question's model-answer language follows the draft."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from tests.one_language import Quoted, foreign_lines
from tests.web.client import browser, form_fields, shown_lines
from tests.web.site import JOON, MINA, PLATFORM, Site

KOREAN = "C-korean"
CHANNEL = f"/c/{PLATFORM}/{KOREAN}"
ANSWERS = ("기울기가 사라지지 않아서 학습이 빨라요", "잘 모르겠어요")


@pytest.fixture(scope="module")
def korean(site: Site) -> Site:
    """A channel switched to Korean by its admin, with a question posted and answered."""
    site.say(MINA, "/quiz lang ko", KOREAN)
    site.run(site.service.posting.post_today(PLATFORM, KOREAN, site.transport))
    for actor, answer in zip((MINA, JOON), ANSWERS, strict=True):
        site.say(actor, answer, KOREAN)
    return site


@pytest.fixture(scope="module")
def reader(korean: Site) -> Iterator[tuple[httpx.Client, list[str]]]:
    """The channel's admin signed in from an English browser; the sign-in page they saw."""
    with browser() as client:
        link = korean.link(MINA, KOREAN)
        page = client.get(link)
        assert page.status_code == 200, page.text
        signed = client.post(link.split("?", maxsplit=1)[0], data=form_fields(page.text))
        assert signed.status_code == 303
        yield client, shown_lines(page.text)


def test_the_sign_in_page_of_a_korean_channel_is_korean(
    reader: tuple[httpx.Client, list[str]],
) -> None:
    _, signin = reader
    assert "로그인" in signin
    found = foreign_lines(signin, "ko", quoted=Quoted((KOREAN,)))
    assert found == [], "\n".join(found)


@pytest.mark.parametrize(
    "page",
    ["", "/me", "/questions", "/topics", "/appeals", "/open", "/new-question", "/import-notes"],
)
def test_every_page_of_a_korean_channel_shows_no_english_of_its_own(
    korean: Site, reader: tuple[httpx.Client, list[str]], page: str
) -> None:
    client, _ = reader
    response = client.get(korean.url + CHANNEL + page)
    assert response.status_code == 200, response.text
    assert '<html lang="ko">' in response.text
    own = (*ANSWERS, MINA.display_name, JOON.display_name, KOREAN)
    # The notes' name is typed in the letters of an id: its placeholder is an example of one.
    typed = frozenset({"notes"})
    found = foreign_lines(
        shown_lines(response.text), "ko", quoted=Quoted.of(korean.service.bank, own), typed=typed
    )
    assert found == [], "\n".join(found)


def test_a_question_page_names_its_topics_in_korean(
    korean: Site, reader: tuple[httpx.Client, list[str]]
) -> None:
    client, _ = reader
    post = korean.run(korean.service.repo.posts.latest_post(platform=PLATFORM, channel_id=KOREAN))
    assert post is not None
    prompt = korean.service.bank.get(post.prompt_id)
    page = client.get(f"{korean.url}{CHANNEL}/questions/{post.prompt_id}").text
    heading = re.search(r"<h1>.*?</h1>", page, re.DOTALL)
    assert heading is not None
    for topic in prompt.topics:
        assert topic not in heading.group(0), heading.group(0)
    own = Quoted.of(korean.service.bank, ())
    assert foreign_lines(shown_lines(heading.group(0)), "ko", quoted=own) == []
