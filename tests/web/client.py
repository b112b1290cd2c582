"""Signing in over HTTP as a browser does: open the link, press the button (the form's CSRF
token and cookie included)."""

from __future__ import annotations

import itertools
import re
from html import unescape

import httpx

_FIELD = re.compile(r'name="(t|csrf|version)" value="([^"]*)"')
_HIDDEN = re.compile(r"<(script|style)\b.*?</\1>", re.DOTALL)
_SHOWN_ATTRIBUTE = re.compile(r'\b(?:alt|aria-label|title|placeholder)="([^"]*)"')
_TAG = re.compile(r"<[^>]+>")
_CODE = re.compile(r"<code>(.*?)</code>", re.DOTALL)


def form_fields(html: str) -> dict[str, str]:
    return dict(_FIELD.findall(html))


def page_text(html: str) -> str:
    """The page's text without tags, one space between words."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def sign_in(client: httpx.Client, link: str) -> httpx.Response:
    """The response to pressing "Sign in" on the link's page (a 303 to the channel when it
    worked)."""
    page = client.get(link)
    assert page.status_code == 200, page.text
    return client.post(link.split("?", maxsplit=1)[0], data=form_fields(page.text))


_ADDRESSES = itertools.count(1)


def browser(address: str | None = None) -> httpx.Client:
    """A client that reads English, as a browser set to it asks, from a loopback address of its
    own (all of 127/8 is loopback): sign-in is rate-limited per address, and each test is
    another machine to it."""
    n = next(_ADDRESSES)
    local = address or f"127.0.{1 + n // 250}.{1 + n % 250}"
    return httpx.Client(
        headers={"Accept-Language": "en-US,en;q=0.9"},
        transport=httpx.HTTPTransport(local_address=local),
    )


def shown_lines(html: str) -> list[str]:
    """What a reader of the page sees, a line per text between tags (code kept in backticks,
    as the chat writes it), with the texts of the attributes a screen reader or a hover
    shows."""
    page = _CODE.sub(r"`\1`", _HIDDEN.sub(" ", html))
    said = [*_SHOWN_ATTRIBUTE.findall(page), *_TAG.sub("\n", page).splitlines()]
    return [line for line in (unescape(" ".join(text.split())) for text in said) if line]
