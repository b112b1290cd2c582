"""What the pages show, read over HTTP: the leaderboard and recent days, the member's own
history, the admins' question figures; and that every chart has its text equivalent and every
form field its label."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from html.parser import HTMLParser

import httpx
import pytest

from tests.web.client import browser, sign_in
from tests.web.site import HOME, JOON, MINA, OTHER, PLATFORM, Site

CHANNEL = f"/c/{PLATFORM}/{HOME}"


@pytest.fixture(scope="module")
def admin(site: Site) -> Iterator[httpx.Client]:
    with browser() as client:
        assert sign_in(client, site.link(MINA)).status_code == 303
        yield client


def test_the_channel_page_shows_the_board_and_the_recent_days(
    site: Site, admin: httpx.Client
) -> None:
    page = admin.get(site.url + CHANNEL + "?period=all").text
    rows = re.findall(
        r'<tr[^>]*><td>(\d+)</td><th scope="row">(\w+)</th><td class="num">(\d+)', page
    )
    assert rows == [("1", "Mina", "170"), ("2", "Joon", "130")]
    assert page.count('<article class="day">') == 2
    assert "answers: 2 · members: 2 · mean 72 · best: Mina (90)" in page
    # day one was revealed: its reference is there; day two's is not yet
    assert page.count("<summary>Reference answer</summary>") == 1
    assert "shown after the reveal" in page


def test_my_page_shows_my_answers_streak_mastery_and_due_cards(site: Site) -> None:
    with browser() as client:
        sign_in(client, site.link(JOON))
        page = client.get(site.url + CHANNEL + "/me").text
    assert "Joon&#39;s record" in page or "Joon's record" in page
    assert "Streak (scheduled days in a row): 2" in page
    assert "my answer on day 0 is 55" in page and "my answer on day 1 is 75" in page
    assert "other channel 42" not in page  # another channel's answer is not this page's
    assert 'id="mastery-table"' in page and 'id="scores-table"' in page
    assert "Practice cards due now" in page


def test_the_questions_page_searches_the_bank_with_figures(site: Site, admin: httpx.Client) -> None:
    everything = admin.get(site.url + CHANNEL + "/questions").text
    found = admin.get(site.url + CHANNEL + "/questions", params={"q": "zzz-nothing"}).text
    assert "Questions found: 0" in found
    total = int(re.search(r"Questions found: (\d+)", everything).group(1))  # type: ignore[union-attr]
    assert total == len(site.service.bank.seen_from(PLATFORM, HOME).all())
    asked = re.findall(r'<td class="num">(\d+)</td>\s*<td class="num">(\d+)</td>', everything)
    assert ("2", "2") in asked or ("1", "2") in asked  # the posted questions were asked


def test_the_pages_follow_the_chosen_language(site: Site, admin: httpx.Client) -> None:
    admin.get(site.url + "/lang/ko", params={"next": CHANNEL})
    try:
        page = admin.get(site.url + CHANNEL).text
        assert '<html lang="ko">' in page and "리더보드" in page
    finally:
        admin.get(site.url + "/lang/en", params={"next": CHANNEL})


class _Audit(HTMLParser):
    """Charts with their titles and the table beside them; form fields with their labels."""

    def __init__(self) -> None:
        super().__init__()
        self.svgs: list[dict[str, str | None]] = []
        self.titles = 0
        self.tables = 0
        self.fields: list[str | None] = []
        self.labels: set[str] = set()
        self._in_svg = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "svg":
            self.svgs.append(found)
            self._in_svg = True
        elif tag == "title" and self._in_svg:
            self.titles += 1
        elif tag == "table":
            self.tables += 1
        elif tag == "label":
            self.labels.add(found.get("for") or "")
        elif tag in {"input", "select", "textarea"} and found.get("type") != "hidden":
            self.fields.append(found.get("id"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self._in_svg = False


@pytest.mark.parametrize(
    "path",
    ["", "?period=month", "/me", "/questions", "/questions/q01", "/new-question", "/appeals"],
)
def test_every_chart_has_a_text_equivalent_and_every_field_a_label(
    site: Site, admin: httpx.Client, path: str
) -> None:
    audit = _Audit()
    audit.feed(admin.get(site.url + CHANNEL + path).text)
    assert all(svg.get("role") == "img" and svg.get("aria-labelledby") for svg in audit.svgs)
    assert audit.titles == len(audit.svgs)
    assert audit.tables >= len(audit.svgs)  # each chart's figures again, as a table
    assert all(field and field in audit.labels for field in audit.fields), audit.fields


def test_a_new_answer_shows_on_the_next_load(site: Site) -> None:
    """The page keeps computed boards between loads, never past a new answer."""
    board = f"{site.url}/c/{PLATFORM}/{OTHER}?period=all"
    total = re.compile(r'<th scope="row">Joon</th><td class="num">(\d+)')
    with browser() as client:
        sign_in(client, site.link(JOON, OTHER))
        before = int(total.search(client.get(board).text).group(1))  # type: ignore[union-attr]
        assert before == int(total.search(client.get(board).text).group(1))  # type: ignore[union-attr]
        site.say(JOON, "a follow-up answer worth 30", OTHER)
        after = int(total.search(client.get(board).text).group(1))  # type: ignore[union-attr]
    assert after == before + 30


def test_a_bad_address_gets_a_page_not_a_trace(site: Site, admin: httpx.Client) -> None:
    page = admin.get(site.url + CHANNEL, params={"period": "decade"})
    assert page.status_code == 400 and "This address is not valid." in page.text


def test_an_admin_tries_the_grader_on_a_question(site: Site, admin: httpx.Client) -> None:
    prompt = site.service.bank.every_channel().mains()[0]
    address = f"{site.url}{CHANNEL}/questions/{prompt.id}"
    page = admin.get(address).text
    assert prompt.text.en in page and '<label for="answer">' in page
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    graded = admin.post(address, data={"answer": "a fair try worth 64", "csrf": csrf})
    assert graded.status_code == 200 and "64/100" in graded.text
    assert admin.post(address, data={"answer": "no token 64"}).status_code == 403
    empty = admin.post(address, data={"answer": "  ", "csrf": csrf})
    assert "Write an answer first." in empty.text
    assert admin.get(f"{site.url}{CHANNEL}/questions/no-such-id").status_code == 404


@pytest.mark.parametrize("invisible", ["\u0378", "\ue000", "\u0301\u0308", "\u200b\u200b"])
def test_try_the_grader_refuses_an_answer_that_shows_nothing(
    site: Site, admin: httpx.Client, invisible: str
) -> None:
    """Issue 83: unassigned, private-use, lone combining and zero-width characters were graded
    as an answer; they are refused as the chat refuses them."""
    prompt = site.service.bank.every_channel().mains()[0]
    address = f"{site.url}{CHANNEL}/questions/{prompt.id}"
    csrf = re.search(r'name="csrf" value="([^"]+)"', admin.get(address).text).group(1)  # type: ignore[union-attr]
    page = admin.post(address, data={"answer": invisible, "csrf": csrf})
    assert page.status_code == 200 and "/100" not in page.text
    assert "An answer with no visible character isn't graded" in html.unescape(page.text)


@pytest.mark.parametrize("unread", ["過学習はモデルが訓練データに過度に適合すること", "过拟合"])
def test_try_the_grader_refuses_a_japanese_or_chinese_answer(
    site: Site, admin: httpx.Client, unread: str
) -> None:
    """Issue 83: such an answer was graded "incorrect"; it is refused as the chat refuses it,
    saying which languages are read."""
    prompt = site.service.bank.every_channel().mains()[0]
    address = f"{site.url}{CHANNEL}/questions/{prompt.id}"
    csrf = re.search(r'name="csrf" value="([^"]+)"', admin.get(address).text).group(1)  # type: ignore[union-attr]
    page = admin.post(address, data={"answer": unread, "csrf": csrf})
    assert page.status_code == 200 and "/100" not in page.text
    assert "Answers are read in Korean and English only" in html.unescape(page.text)


def test_an_answer_over_a_megabyte_gets_the_question_page_saying_so(
    site: Site, admin: httpx.Client
) -> None:
    prompt = site.service.bank.every_channel().mains()[0]
    address = f"{site.url}{CHANNEL}/questions/{prompt.id}"
    csrf = re.search(r'name="csrf" value="([^"]+)"', admin.get(address).text).group(1)  # type: ignore[union-attr]
    page = admin.post(address, data={"answer": "x" * (1024 * 1024 + 1), "csrf": csrf})
    assert page.status_code == 413
    assert prompt.text.en in page.text and '<label for="answer">' in page.text
    assert "The answer is too long to grade: the grader reads at most 4000 characters." in page.text
    assert admin.get(address).status_code == 200  # still signed in


def test_a_member_cannot_see_a_questions_references(site: Site) -> None:
    prompt = site.service.bank.every_channel().mains()[0]
    with browser() as member:
        sign_in(member, site.link(JOON))
        page = member.get(f"{site.url}{CHANNEL}/questions/{prompt.id}")
    assert page.status_code == 403
    assert prompt.references[0].text not in page.text
