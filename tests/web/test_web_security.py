"""What the web page refuses: a link that expired, was used, or was altered; a member on an
admin page; a form without its CSRF token; another channel's page by changing the URL; too
many sign-in attempts. And what a session cookie is made of."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest

from bot.app import web_tokens
from bot.web.signing import Member
from tests.web.client import browser, form_fields, sign_in
from tests.web.site import HOME, JOON, MINA, OTHER, PLATFORM, SECRET, Site


def test_a_link_signs_in_once_and_the_page_url_holds_no_secret(site: Site) -> None:
    link = site.link(JOON)
    with browser() as client:
        done = sign_in(client, link)
        assert done.status_code == 303
        assert done.headers["location"] == f"/c/{PLATFORM}/{HOME}"
        cookie = done.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie
        assert "Secure" not in cookie  # plain http on loopback
        assert client.get(site.url + done.headers["location"]).status_code == 200
    with browser() as again:
        page = again.get(link)  # the link still opens: a preview must not use it up
        reused = again.post(link.split("?")[0], data=form_fields(page.text))
        assert reused.status_code == 400
        assert "already used" in reused.text
        assert "qm_session" not in reused.headers.get("set-cookie", "")


def test_an_expired_link_is_refused(site: Site) -> None:
    earlier = web_tokens(SECRET, lambda: site.clock.now - timedelta(minutes=16))
    token = earlier.link_token(Member(PLATFORM, HOME, JOON.user_id, False))
    with browser() as client:
        assert client.get(f"{site.url}/signin", params={"t": token}).status_code == 400


def _altered(link: str, **changes: object) -> str:
    """The link with claims changed but the signature kept."""
    token = link.split("t=", 1)[1]
    body, mac = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims.update(changes)
    raw = json.dumps(claims, separators=(",", ":"), sort_keys=True).encode()
    new = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    return f"{link.split('t=', 1)[0]}t={new}.{mac}"


@pytest.mark.parametrize("changes", [{"a": True}, {"c": OTHER}, {"u": MINA.user_id}])
def test_an_altered_link_is_refused(site: Site, changes: dict[str, object]) -> None:
    forged = _altered(site.link(JOON), **changes)
    with browser() as client:
        page = client.get(forged)
        assert page.status_code == 400
        assert client.post(f"{site.url}/signin", data={"t": forged.split("t=")[1]}).status_code in {
            400,
            403,
        }


def test_a_forged_session_cookie_is_refused(site: Site) -> None:
    with browser() as client:
        done = sign_in(client, site.link(JOON))
        assert done.status_code == 303
        cookie = client.cookies["qm_session"]
        body, mac = cookie.split(".")
        claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        claims["a"] = True
        raw = json.dumps(claims, separators=(",", ":"), sort_keys=True).encode()
        client.cookies.set(
            "qm_session", base64.urlsafe_b64encode(raw).rstrip(b"=").decode() + "." + mac
        )
        assert client.get(f"{site.url}/c/{PLATFORM}/{HOME}/questions").status_code == 403
        assert client.get(f"{site.url}/c/{PLATFORM}/{HOME}").status_code == 403


def test_a_member_cannot_open_the_admin_page_and_an_admin_can(site: Site) -> None:
    with browser() as member:
        sign_in(member, site.link(JOON))
        refused = member.get(f"{site.url}/c/{PLATFORM}/{HOME}/questions")
        assert refused.status_code == 403
        assert "Only channel admins" in refused.text
        assert "/questions" not in member.get(f"{site.url}/c/{PLATFORM}/{HOME}").text
    with browser() as admin:
        sign_in(admin, site.link(MINA))
        assert admin.get(f"{site.url}/c/{PLATFORM}/{HOME}/questions").status_code == 200


def test_another_channels_pages_are_refused(site: Site) -> None:
    with browser() as client:
        sign_in(client, site.link(MINA))  # an admin of the home channel only
        for page in ("", "/me", "/questions"):
            refused = client.get(f"{site.url}/c/{PLATFORM}/{OTHER}{page}")
            assert refused.status_code == 403, page
            assert "other channel" not in refused.text
        assert client.get(f"{site.url}/c/discord/{HOME}").status_code == 403


def test_without_a_session_every_page_is_refused(site: Site) -> None:
    with browser() as client:
        for page in ("", "/me", "/questions"):
            assert client.get(f"{site.url}/c/{PLATFORM}/{HOME}{page}").status_code == 403


def test_forms_without_their_csrf_token_are_refused(site: Site) -> None:
    link = site.link(JOON)
    with browser() as client:
        page = client.get(link)
        token = form_fields(page.text)["t"]
        assert client.post(f"{site.url}/signin", data={"t": token}).status_code == 403
        assert (
            client.post(f"{site.url}/signin", data={"t": token, "csrf": "guess"}).status_code == 403
        )
        # the link was not used up by the refused posts
        assert client.post(f"{site.url}/signin", data=form_fields(page.text)).status_code == 303
        assert client.post(f"{site.url}/signout").status_code == 403
        assert client.post(f"{site.url}/signout", data={"csrf": "guess"}).status_code == 403
        assert client.get(f"{site.url}/c/{PLATFORM}/{HOME}").status_code == 200


def test_sign_out_with_the_token_ends_the_session(site: Site) -> None:
    with browser() as client:
        sign_in(client, site.link(JOON))
        page = client.get(f"{site.url}/c/{PLATFORM}/{HOME}")
        csrf = form_fields(page.text)["csrf"]
        assert client.post(f"{site.url}/signout", data={"csrf": csrf}).status_code == 303
        assert client.get(f"{site.url}/c/{PLATFORM}/{HOME}").status_code == 403


def test_sign_in_attempts_are_rate_limited_per_address(site: Site) -> None:
    """Counted per address: every test client has one of its own (`browser`)."""
    with browser() as client:
        codes = [client.get(f"{site.url}/signin", params={"t": "x"}).status_code for _ in range(12)]
    assert codes[:10] == [400] * 10
    assert codes[10:] == [429, 429]


def test_the_language_switch_only_redirects_within_the_site(site: Site) -> None:
    with browser() as client:
        for target in ("https://evil.example/", "//evil.example/"):
            moved = client.get(f"{site.url}/lang/en", params={"next": target})
            assert moved.headers["location"] == "/"
