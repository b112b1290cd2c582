"""Hostile requests to the web page found by issue 41's probe: ids out of any row's range in
URLs, a session cookie kept after sign-out or after its admin lost the role, HEAD on pages, and
a client that sends its request head a byte at a time. Each against the real page on loopback,
on SQLite and on PostgreSQL where the database is involved."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from bot.core.messages import Actor
from tests.web.client import browser, form_fields, page_text, sign_in
from tests.web.site import HOME, JOON, MINA, PLATFORM, Site, database_of, running_site

HUGE_IDS = ("99999999999999999999999", "9223372036854775808", "-9223372036854775809", "0")
SLOW_HEADER_TIMEOUT_S = 0.5
SLOW_STEPS = 100  # bytes sent, a tenth of a second apart: ten seconds, far past the timeout


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def page(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    """The page on each database, shared by the module: every test signs in on its own."""
    folder = tmp_path_factory.mktemp("web-edges")
    with running_site(folder, db=database_of(request, folder)) as site:
        yield site


# Who posts, to which route (the id goes in place of {id}), with what form.
ID_ROUTES = {
    "member's appeal": (JOON, "/me/answers/{id}/appeal", {"reason": "why"}),
    "admin's resolution": (MINA, "/appeals/{id}", {"score": "90"}),
}


@pytest.mark.parametrize("route", ID_ROUTES)
@pytest.mark.parametrize("row_id", HUGE_IDS)
def test_an_id_no_row_could_have_is_not_found(page: Site, route: str, row_id: str) -> None:
    actor, path, form = ID_ROUTES[route]
    base = f"{page.url}/c/{PLATFORM}/{HOME}"
    with browser() as client:
        sign_in(client, page.link(actor))
        csrf = form_fields(client.get(base).text)["csrf"]
        refused = client.post(base + path.format(id=row_id), data={"csrf": csrf, **form})
        assert refused.status_code == 404, refused.text
        assert "Traceback" not in refused.text


@pytest.mark.parametrize("score", ["²", "9" * 5000, "1_0", "+5", "101", "1٣", "٨0"])
def test_a_score_that_is_not_a_number_to_100_is_refused_with_a_page(page: Site, score: str) -> None:
    base = f"{page.url}/c/{PLATFORM}/{HOME}"
    with browser() as client:
        sign_in(client, page.link(MINA))
        csrf = form_fields(client.get(base).text)["csrf"]
        refused = client.post(f"{base}/appeals/1", data={"csrf": csrf, "score": score})
        assert refused.status_code == 400, refused.text
        assert "score" in refused.text


def test_sign_out_revokes_the_cookie_in_every_browser_holding_it(page: Site) -> None:
    base = f"{page.url}/c/{PLATFORM}/{HOME}"
    with browser() as client, browser() as copy:
        sign_in(client, page.link(JOON))
        copy.cookies.set("qm_session", client.cookies["qm_session"])
        assert copy.get(base).status_code == 200
        csrf = form_fields(client.get(base).text)["csrf"]
        assert client.post(f"{page.url}/signout", data={"csrf": csrf}).status_code == 303
        assert copy.get(base).status_code == 403
        assert copy.get(f"{base}/me").status_code == 403


def test_an_admin_who_lost_the_role_loses_admin_rights_in_every_session(page: Site) -> None:
    base = f"{page.url}/c/{PLATFORM}/{HOME}"
    demoted = Actor(MINA.user_id, MINA.display_name, is_admin=False)
    with browser() as old, browser() as new:
        sign_in(old, page.link(MINA))
        assert old.get(f"{base}/questions").status_code == 200
        sign_in(new, page.link(demoted))  # the platform now says Mina is not an admin
        assert old.get(f"{base}/questions").status_code == 403
        assert new.get(f"{base}/questions").status_code == 403
        assert old.get(base).status_code == 200  # still a member of the channel
        sign_in(new, page.link(MINA))  # made an admin again: a new link says so
        assert new.get(f"{base}/questions").status_code == 200


@pytest.mark.parametrize("command", ["/quiz leaderboard", "/quiz reveal"])
def test_an_admin_who_lost_the_role_loses_admin_pages_on_their_next_chat_command(
    page: Site, command: str
) -> None:
    """The platform's word on a chat command, refused for want of rights or not, reaches the
    web page: no new sign-in is needed for the page to take the rights away."""
    base = f"{page.url}/c/{PLATFORM}/{HOME}"
    with browser() as admin:
        sign_in(admin, page.link(MINA))
        assert admin.get(f"{base}/questions").status_code == 200
        page.say(MINA, "my answer is 42")  # an answer says nothing of rights
        assert admin.get(f"{base}/questions").status_code == 200
        page.say(Actor(MINA.user_id, MINA.display_name, is_admin=False), command)
        assert admin.get(f"{base}/questions").status_code == 403
        assert admin.get(base).status_code == 200  # still a member of the channel


def test_head_on_pages_answers_as_get_without_a_body(page: Site) -> None:
    base = f"{page.url}/c/{PLATFORM}/{HOME}"
    with browser() as client:
        for url in (f"{page.url}/", f"{page.url}/healthz", base):
            got, head = client.get(url), client.head(url)
            assert head.status_code == got.status_code, url
            assert head.content == b"", url
            assert head.headers["content-type"] == got.headers["content-type"], url
        sign_in(client, page.link(JOON))
        got, head = client.get(base), client.head(base)
        assert (got.status_code, head.status_code) == (200, 200)
        assert head.content == b""
        assert head.headers["content-length"] == str(len(got.content))


def _closed(conn: socket.socket) -> bool:
    """True once the server has closed the connection (what is left to read is its end)."""
    try:
        return conn.recv(4096) == b""
    except TimeoutError:
        return False
    except OSError:
        return True


def test_a_request_head_sent_a_byte_at_a_time_is_cut_off(tmp_path: Path) -> None:
    with running_site(tmp_path, header_timeout_s=SLOW_HEADER_TIMEOUT_S) as site:
        host, port = site.url.removeprefix("http://").split(":")
        slow_head = b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"X-Slow: " + b"a" * SLOW_STEPS
        with socket.create_connection((host, int(port))) as slow:
            slow.settimeout(0.1)
            closed = False
            for byte in slow_head:
                try:
                    slow.sendall(bytes([byte]))
                except OSError:
                    closed = True
                if closed or _closed(slow):
                    closed = True
                    break
            assert closed, "the server kept a connection whose headers never ended"
        with socket.create_connection((host, int(port))) as prompt:
            prompt.settimeout(10)
            prompt.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            assert prompt.recv(4096).startswith(b"HTTP/1.1 200")


def test_a_question_typed_with_nul_and_controls_is_saved_under_the_member_text_rule(
    page: Site,
) -> None:
    """The question form does not pass through the chat core, so it applies the member-text
    rule itself: PostgreSQL refuses NUL in text, and a control character has no place in a
    question the bot posts."""
    base = f"{page.url}/c/{PLATFORM}/{HOME}"
    typed = {
        "id": "team-nul",
        "topics": "ops",
        "text_ko": "장애가\x00 나면?",
        "text_en": "What do we do\x00 first when\x1b[2K production is down?",
        "reference_en": "We open an incident\x00 channel and roll back the latest deploy.",
        "concepts": "rollback | 롤백 | roll back",
        "misconceptions": "",
    }
    with browser() as admin:
        sign_in(admin, page.link(MINA))
        csrf = form_fields(admin.get(f"{base}/new-question").text)["csrf"]
        saved = admin.post(f"{base}/new-question", data={**typed, "csrf": csrf, "action": "save"})
        assert saved.status_code == 303, re.findall(r"role=\"alert\">([^<]*)", saved.text)
        shown = admin.get(page.url + saved.headers["location"]).text
    assert "What do we do first when[2K production is down?" in shown
    assert "We open an incident channel and roll back" in shown


PROBE_BYTES = 300 * 900 * 1024
"""The probe's form: 300 fields of 900 KB (the hostile probe's anonymous post, once read whole
before its 403)."""
CHUNK = 64 * 1024


def _exchange(site: Site, head: str, body: Iterable[bytes] = ()) -> str:
    """Send `head` and what of `body` the server takes, then read its answer to the end."""
    host, port = site.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as conn:
        conn.settimeout(10)
        conn.sendall(head.encode())
        for part in body:
            try:
                conn.sendall(part)
            except OSError:
                break  # the server answered and stopped reading
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    return answer.decode()


def _form_head(path: str, *, length: int | None, more: str = "") -> str:
    framing = f"Content-Length: {length}" if length is not None else "Transfer-Encoding: chunked"
    return (
        f"POST /c/{PLATFORM}/{HOME}{path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
        f"Content-Type: application/x-www-form-urlencoded\r\n{framing}\r\n{more}\r\n"
    )


def test_a_body_declared_past_the_cap_is_refused_unread_in_the_reader_s_language(
    page: Site,
) -> None:
    """Only the head is sent: a server waiting for the body would never answer. Signed in, the
    page is in the channel's language (English here) though the client names none; anonymous,
    in the default (Korean): nothing says which channels exist."""
    with browser() as client:
        sign_in(client, page.link(JOON))
        cookie = client.cookies["qm_session"]
    member = _exchange(
        page,
        _form_head("/import-notes", length=PROBE_BYTES, more=f"Cookie: qm_session={cookie}\r\n"),
    )
    assert member.startswith("HTTP/1.1 413 "), member[:200]
    assert "What was sent is larger than 4 MB, so it was not read. Nothing was saved." in (
        page_text(member)
    )
    assert "content-security-policy:" in member.lower()
    anonymous = _exchange(page, _form_head("/import-notes", length=PROBE_BYTES))
    assert anonymous.startswith("HTTP/1.1 413 ")
    assert "보낸 내용이 4 MB보다 커서 읽지 않았어요." in page_text(anonymous)


def test_a_streamed_body_is_refused_where_it_passes_the_cap(page: Site) -> None:
    """No length given: the fields (each under the 1 MB a form field may hold) are counted as
    they arrive, and a signed-in admin's post is refused at the cap, not read to its end. An
    anonymous post to this page (which reads its own form) is refused before its body is read:
    the session is checked first."""
    field = b"a=" + b"x" * (900 * 1024 - 3) + b"&"
    with browser() as client:
        sign_in(client, page.link(MINA))
        cookie = client.cookies["qm_session"]
    answers = {}
    for who, cookie_line in (("admin", f"Cookie: qm_session={cookie}\r\n"), ("anonymous", "")):
        chunks = (f"{len(field):x}\r\n".encode() + field + b"\r\n" for _ in range(8))  # 7.2 MB
        head = _form_head(
            "/questions/q01", length=None, more=f"Accept-Language: en\r\n{cookie_line}"
        )
        answers[who] = _exchange(page, head, chunks)
    assert answers["admin"].startswith("HTTP/1.1 413 "), answers["admin"][:200]
    assert "larger than 4 MB" in page_text(answers["admin"])
    assert answers["anonymous"].startswith("HTTP/1.1 403 "), answers["anonymous"][:200]
    with browser() as client:
        assert client.get(f"{page.url}/healthz").status_code == 200


def test_a_streamed_field_past_the_cap_gets_the_same_refusal_as_a_declared_one(
    page: Site,
) -> None:
    """Issue 83: one answer of 5 MB sent without a length got the question page's "answer too
    long" (the form stops at its 1 MB field); declared, it got the body's 413. Both say the same."""
    field = b"answer=" + b"x" * (5 * 1024 * 1024)
    with browser() as client:
        sign_in(client, page.link(MINA))
        cookie = f"Accept-Language: en\r\nCookie: qm_session={client.cookies['qm_session']}\r\n"
    answers = {}
    for framing, length in (("declared", len(field)), ("chunked", None)):
        pieces = [field[at : at + CHUNK] for at in range(0, len(field), CHUNK)]
        if length is None:
            pieces = [f"{len(p):x}\r\n".encode() + p + b"\r\n" for p in pieces] + [b"0\r\n\r\n"]
        head = _form_head("/questions/q01", length=length, more=cookie)
        answers[framing] = _exchange(page, head, pieces)
    for framing, answer in answers.items():
        assert answer.startswith("HTTP/1.1 413 "), (framing, answer[:200])
        shown = page_text(answer)
        assert "What was sent is larger than 4 MB" in shown, (framing, shown[:300])
        assert "too long to grade" not in shown


def test_a_form_field_past_a_megabyte_is_refused_in_the_channel_s_language(page: Site) -> None:
    """The framework's own 413 (one field past what a form reads), for a member of an English
    channel whose client names no language: English, not the Korean default."""
    base = f"{page.url}/c/{PLATFORM}/{HOME}"
    with browser() as client:
        sign_in(client, page.link(JOON))
        csrf = form_fields(client.get(base).text)["csrf"]
        del client.headers["Accept-Language"]
        refused = client.post(
            f"{base}/me/answers/1/appeal", data={"csrf": csrf, "reason": "x" * (1024 * 1024 + 1)}
        )
    assert refused.status_code == 413
    assert "A form field is larger than 1 MB" in page_text(refused.text)
