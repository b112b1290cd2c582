"""The web page in a real headless Chromium (Debian's `chromium` and `chromium-driver`, which
`make test` installs when missing): sign in by link, see the leaderboard, my page and the
question bank, at desktop and phone widths, with a screenshot of each.

Screenshots go to QUIZMASTER_SCREENSHOTS (the README's come from `docs/screenshots`), else to
the test's temporary folder. A missing browser fails these tests: it never skips them."""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import (
    NoSuchElementException,
    StaleElementReferenceException,
    WebDriverException,
)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.wait import WebDriverWait

from bot.core.flow.notices import send_notices
from bot.core.messages import Actor, ReplyKind
from tests.web.site import HOME, JOON, MINA, PLATFORM, Site
from tests.web.test_web_answer_groups import SORA, answered

SIZES = {"desktop": (1280, 900), "phone": (390, 844)}


@pytest.fixture(scope="session")
def chromium() -> Iterator[webdriver.Chrome]:
    binary, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if binary is None or driver is None:
        pytest.fail(
            "chromium and chromium-driver are missing: apt-get install -y chromium chromium-driver"
        )
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--lang=en-US",
    ):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"intl.accept_languages": "en-US,en"})
    browser = webdriver.Chrome(service=Service(executable_path=driver), options=options)
    browser.implicitly_wait(15)  # a busy machine: wait for the page a click leads to
    yield browser
    browser.quit()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("QUIZMASTER_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _full_page(browser: webdriver.Chrome, width: int, path: Path) -> None:
    """A screenshot of the whole page at this width (the window grown to the page's height)."""
    browser.set_window_size(width, 800)
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(width, min(int(height) + 120, 4000))
    assert browser.save_screenshot(str(path))


def _arrive(browser: webdriver.Chrome, path: str) -> None:
    """Wait for the page a click leads to (a busy machine may still show the one before)."""
    WebDriverWait(browser, 15).until(lambda shown: shown.current_url.endswith(path))


def _groups_prepared(browser: webdriver.Chrome) -> None:
    """Reload the groups page until no answer is still being prepared (their encoding runs in
    the background: `bot.core.question_groups`)."""
    for _ in range(600):
        if not browser.find_elements(By.ID, "groups-preparing"):
            return
        time.sleep(0.2)
        browser.refresh()
    raise AssertionError("the answers were never prepared")


def _text_once_it_shows(browser: webdriver.Chrome, element_id: str, words: str) -> str:
    """The text of `element_id` once the page a click leads to shows `words` there (the page
    before it may still be up, and its element goes stale under the reader)."""
    wait = WebDriverWait(
        browser, 15, ignored_exceptions=(NoSuchElementException, StaleElementReferenceException)
    )
    return str(wait.until(lambda shown: _shown_text(shown, element_id, words)))


NAVIGATING = "does not belong to the document"
"""Chrome's answer when the element read was found on the page a click is leaving: the page
before it is still being torn down, as a stale element is."""


def _shown_text(browser: webdriver.Chrome, element_id: str, words: str) -> str | bool:
    try:
        shown = str(browser.find_element(By.ID, element_id).text)
    except WebDriverException as error:
        if NAVIGATING not in str(error.msg):
            raise
        return False
    return shown if words in shown else False


def test_a_member_signs_in_by_link_and_sees_the_board_and_their_page(
    site: Site, chromium: webdriver.Chrome, shots: Path
) -> None:
    chromium.delete_all_cookies()
    chromium.get(site.link(JOON))
    chromium.find_element(By.ID, "signin").click()
    _arrive(chromium, f"/c/{PLATFORM}/{HOME}")
    assert chromium.current_url == f"{site.url}/c/{PLATFORM}/{HOME}"
    assert "t=" not in chromium.current_url
    board = chromium.find_element(By.ID, "board-table").text
    assert "Mina" in board and "Joon" in board
    assert chromium.find_element(By.CSS_SELECTOR, "svg.chart").get_attribute("role") == "img"
    for name, (width, _) in SIZES.items():
        _full_page(chromium, width, shots / f"channel-{name}.png")
    chromium.find_element(By.LINK_TEXT, "Me").click()
    assert "Joon's record" in chromium.find_element(By.TAG_NAME, "h1").text
    assert "my answer on day 1 is 75" in chromium.page_source
    for name, (width, _) in SIZES.items():
        _full_page(chromium, width, shots / f"me-{name}.png")
    assert "Questions" not in chromium.find_element(By.CSS_SELECTOR, "header nav").text


def test_an_admin_searches_the_question_bank_and_tries_the_grader(
    grading_site: Site, chromium: webdriver.Chrome, shots: Path
) -> None:
    """On the real default grader, so the screenshots in the docs show what the product says."""
    site = grading_site
    chromium.delete_all_cookies()
    chromium.get(site.link(MINA))
    chromium.find_element(By.ID, "signin").click()
    chromium.find_element(By.LINK_TEXT, "Questions").click()
    field = chromium.find_element(By.ID, "q")
    field.send_keys("gradient")
    field.submit()
    rows = chromium.find_elements(By.CSS_SELECTOR, "#questions-table tbody tr")
    assert 0 < len(rows) < len(site.service.bank.every_channel().all())
    assert "q=gradient" in chromium.current_url
    for name, (width, _) in SIZES.items():
        _full_page(chromium, width, shots / f"questions-{name}.png")
    chromium.find_element(By.LINK_TEXT, "q02").click()
    chromium.find_element(By.ID, "answer").send_keys(
        "Start from some weights, compute the gradient of the loss, and take a small step in "
        "the opposite direction, scaled by the learning rate; repeat until the loss stops "
        "going down."
    )
    chromium.find_element(By.ID, "try").click()
    result = chromium.find_element(By.ID, "try-result").text
    score = re.search(r"(\d+)/100", result)
    assert score is not None and int(score.group(1)) >= 70, result
    assert "learning rate" in result, result
    for name, (width, _) in SIZES.items():
        _full_page(chromium, width, shots / f"question-{name}.png")


def test_an_admin_writes_a_question_and_resolves_an_appeal(
    site: Site, chromium: webdriver.Chrome, shots: Path
) -> None:
    """A question refused with its error beside the field, fixed and saved; an appeal resolved
    with a new score, and the board moves (in a channel of its own: other boards stay)."""
    channel = "C-browser"
    site.run(site.service.posting.post_today(PLATFORM, channel, site.transport))
    site.say(JOON, "my browser answer 35", channel)
    site.say(JOON, "/quiz appeal the idea was there", channel)
    chromium.delete_all_cookies()
    chromium.get(site.link(MINA, channel))
    chromium.find_element(By.ID, "signin").click()
    chromium.find_element(By.LINK_TEXT, "Questions").click()
    chromium.find_element(By.ID, "new-question").click()
    typed = {
        "id": "team-browser",
        "topics": "reviews",
        "text_ko": "우리 팀의 코드 리뷰 규칙은?",
        "text_en": "What is our code review rule?",
    }
    for name, value in typed.items():
        chromium.find_element(By.ID, name).send_keys(value)
    chromium.find_element(By.ID, "save").click()
    error = chromium.find_element(By.CSS_SELECTOR, "#reference_ko + p.field-error")
    assert "needs at least one model answer" in error.text
    assert chromium.find_element(By.ID, "text_en").get_attribute("value") == typed["text_en"]
    for name, (width, _) in SIZES.items():
        _full_page(chromium, width, shots / f"question-edit-{name}.png")
    chromium.find_element(By.ID, "reference_en").send_keys(
        "Every change gets one approving review before it is merged."
    )
    chromium.find_element(By.ID, "save").click()
    _arrive(chromium, "/questions/team-browser")
    assert "team-browser" in site.service.bank.every_channel()

    chromium.find_element(By.LINK_TEXT, "Appeals").click()
    assert "my browser answer 35" in chromium.find_element(By.CSS_SELECTOR, "article.appeal").text
    for name, (width, _) in SIZES.items():
        _full_page(chromium, width, shots / f"appeals-{name}.png")
    chromium.find_element(By.CSS_SELECTOR, "article.appeal input[name=score]").send_keys("90")
    chromium.find_element(By.CSS_SELECTOR, "article.appeal textarea[name=note]").send_keys(
        "the key idea is in the second sentence"
    )
    chromium.find_element(By.CSS_SELECTOR, "article.appeal button").click()
    assert "resolved" in chromium.find_element(By.ID, "appeal-done").text
    chromium.get(f"{site.url}/c/{PLATFORM}/{channel}?period=all")
    board = chromium.find_element(By.ID, "board-table").text
    assert "Joon 90" in board, board


def test_an_admin_grades_a_group_applies_it_and_the_members_are_told(
    grouping_site: Site, chromium: webdriver.Chrome, shots: Path
) -> None:
    site, channel = grouping_site, "C-groups-browser"
    prompt_id = answered(site, channel)
    chromium.delete_all_cookies()
    chromium.get(site.link(MINA, channel))
    chromium.find_element(By.ID, "signin").click()
    _arrive(chromium, f"/c/{PLATFORM}/{channel}")
    chromium.find_element(By.LINK_TEXT, "Answer groups").click()
    chromium.find_element(By.LINK_TEXT, prompt_id).click()
    _arrive(chromium, f"/groups/{prompt_id}")
    _groups_prepared(chromium)
    first = chromium.find_element(By.CSS_SELECTOR, "article.group")
    assert "3 answers · scores 40-75" in first.find_element(By.TAG_NAME, "h2").text
    for name, (width, _) in SIZES.items():
        _full_page(chromium, width, shots / f"groups-{name}.png")
    first.find_element(By.CSS_SELECTOR, ":scope > form input[name=score]").send_keys("80")
    first.find_element(By.CSS_SELECTOR, ":scope > form textarea").send_keys("same idea")
    first.find_element(By.CSS_SELECTOR, ":scope > form button").click()
    staged = _text_once_it_shows(chromium, "staged", "same idea")
    assert "Mina: 40 → 80 · same idea" in staged and "Sora: 55 → 80" in staged
    chromium.find_element(By.ID, "apply").click()
    done = _text_once_it_shows(chromium, "groups-done", "Applied")
    assert "Applied 3 grades. 3 members whose score changed are told in the chat." in done
    assert not chromium.find_elements(By.ID, "staged")
    before = len(site.transport.sent)
    notices = site.service.repo.notices
    sent = site.run(send_notices(notices, PLATFORM, site.transport, by="a", now=datetime.now(UTC)))
    told = site.transport.sent[before:]
    assert sent == 3 and {r.user_id for r in told} == {MINA.user_id, JOON.user_id, SORA.user_id}
    assert all("to 80 points" in r.text and "same idea" in r.text for r in told)


def test_an_answer_near_a_group_the_admin_graded_is_graded_near_it_in_the_chat(
    taught_site: Site, chromium: webdriver.Chrome
) -> None:
    """The team teaches the grader: the admin grades the group of three answers that say the
    same thing and applies it on the page; a member who then says it in nearly their words is
    graded near the team's grade in the chat, where the grader alone scores it far lower."""
    site, channel = taught_site, "C-taught-browser"
    prompt_id = answered(site, channel, stated=False)
    near = "Gradient descent moves the weights opposite to the gradient of the loss"
    prompt = site.service.bank.every_channel().get(prompt_id)
    alone = site.run(site.service.grader.grade(prompt, near, lang="en")).score
    chromium.delete_all_cookies()
    chromium.get(site.link(MINA, channel))
    chromium.find_element(By.ID, "signin").click()
    _arrive(chromium, f"/c/{PLATFORM}/{channel}")
    chromium.find_element(By.LINK_TEXT, "Answer groups").click()
    chromium.find_element(By.LINK_TEXT, prompt_id).click()
    _arrive(chromium, f"/groups/{prompt_id}")
    _groups_prepared(chromium)
    first = chromium.find_element(By.CSS_SELECTOR, "article.group")
    assert "3 answers" in first.find_element(By.TAG_NAME, "h2").text
    first.find_element(By.CSS_SELECTOR, ":scope > form input[name=score]").send_keys("95")
    first.find_element(By.CSS_SELECTOR, ":scope > form button").click()
    _text_once_it_shows(chromium, "staged", "95")
    chromium.find_element(By.ID, "apply").click()
    assert "Applied 3 grades" in _text_once_it_shows(chromium, "groups-done", "Applied")

    before = len(site.transport.sent)
    site.say(Actor("U-yuna", "Yuna"), near, channel)
    [grade] = [r for r in site.transport.sent[before:] if r.kind == ReplyKind.GRADE]
    shown = re.search(r"(\d+)/100", grade.text)
    assert shown is not None, grade.text
    assert alone < 80 and abs(int(shown.group(1)) - 95) <= 10, (alone, grade.text)
