"""The channel page shows a revealed day's best answer from a member who shares theirs
(`/quiz share on`), and never a non-consenting member's; switching off hides it at the next
load (the page's cache knows a consent changed)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.web.client import browser, sign_in
from tests.web.site import HOME, JOON, MINA, PLATFORM, Site

CHANNEL = f"/c/{PLATFORM}/{HOME}"
MINA_DAY0 = "my answer on day 0 is 90"
JOON_DAY0 = "my answer on day 0 is 55"
JOON_DAY1 = "my answer on day 1 is 75"  # day one is not revealed


@pytest.fixture(scope="module")
def member(site: Site) -> Iterator[httpx.Client]:
    with browser() as client:
        assert sign_in(client, site.link(JOON)).status_code == 303
        yield client


def test_only_consenting_members_answers_show_and_off_hides_them_again(
    site: Site, member: httpx.Client
) -> None:
    def page() -> str:
        return member.get(site.url + CHANNEL + "?period=all").text

    before = page()
    assert "Shared answer" not in before and MINA_DAY0 not in before

    site.say(JOON, "/quiz share on")
    joon = page()
    assert f"Shared answer · Joon (55): {JOON_DAY0}" in joon
    assert MINA_DAY0 not in joon and JOON_DAY1 not in joon

    site.say(MINA, "/quiz share on")
    assert f"Shared answer · Mina (90): {MINA_DAY0}" in page()

    site.say(MINA, "/quiz share off")
    after = page()
    assert MINA_DAY0 not in after
    assert f"Shared answer · Joon (55): {JOON_DAY0}" in after

    site.say(JOON, "/quiz share off")  # the page is shared by the session's tests: as it was
    assert JOON_DAY0 not in page()
