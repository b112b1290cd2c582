"""The appeals page: the queue with what judging needs, a resolution through the chat's own
`Appeals`, the member told in chat through the outbox the scheduler sends from (once, even with
several replicas), the board and the member's page following the new score; and its refusals."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import unescape

import httpx

from bot.core.flow.notices import send_notices
from bot.core.messages import Actor, Reply
from bot.storage.repository import Repository
from tests.web.client import browser, form_fields, sign_in
from tests.web.site import HOME, JOON, MINA, PLATFORM, Site


def appealed_answer(site: Site, channel: str, score: int) -> int:
    """A question posted in `channel` (a channel of the test's own, so other tests' boards
    stay), Joon's answer worth `score` and his appeal of it; the appeal's id."""
    site.run(site.service.posting.post_today(PLATFORM, channel, site.transport))
    site.say(JOON, f"my careful answer {score}", channel)
    before = len(site.transport.sent)
    site.say(JOON, "/quiz appeal I named the key idea", channel)
    [opened] = site.transport.sent[before:]
    found = re.search(r"#(\d+)", opened.text)
    assert found is not None, opened.text
    return int(found.group(1))


def _joon_total(client: httpx.Client, url: str) -> int:
    page = client.get(url, params={"period": "all"}).text
    found = re.search(r'<th scope="row">Joon</th><td class="num">(\d+)', page)
    assert found is not None, page
    return int(found.group(1))


def test_an_admin_resolves_an_appeal_the_board_follows_and_the_member_is_told_once(
    site: Site,
) -> None:
    channel = "C-appeals"
    appeal_id = appealed_answer(site, channel, 40)
    base = f"{site.url}/c/{PLATFORM}/{channel}"
    with browser() as admin, browser() as member:
        sign_in(admin, site.link(MINA, channel))
        sign_in(member, site.link(JOON, channel))
        assert _joon_total(admin, base) == 40
        queue = admin.get(base + "/appeals").text
        entry = queue[queue.index(f'id="appeal-{appeal_id}"') :]
        assert "my careful answer 40" in entry and "40/100" in entry
        assert "I named the key idea" in entry and "Reference answer" in entry
        assert "Last 4 weeks: appeals 1 (0.2 per week), resolved 0," in queue
        csrf = form_fields(queue)["csrf"]
        left_before = len(site.notices_left)
        done = admin.post(
            f"{base}/appeals/{appeal_id}", data={"score": "85", "note": "fair point", "csrf": csrf}
        )
        assert done.status_code == 303
        assert len(site.notices_left) == left_before + 1  # a bot in this process is woken
        after = admin.get(site.url + done.headers["location"]).text
        assert f"Appeal #{appeal_id} resolved" in after and "No appeals are waiting." in after
        assert "resolved 1, of which changed the score 1 (100%)" in after
        assert _joon_total(admin, base) == 85
        mine = member.get(base + "/me").text
        assert re.search(r'<span class="score">85/100', mine), mine
        again = admin.post(f"{base}/appeals/{appeal_id}", data={"score": "10", "csrf": csrf})
        assert again.status_code == 409 and _joon_total(admin, base) == 85

    before = len(site.transport.sent)
    now = datetime.now(UTC)
    sent = site.run(
        send_notices(site.service.repo.notices, PLATFORM, site.transport, by="a", now=now)
    )
    assert sent >= 1
    told = [r for r in site.transport.sent[before:] if f"appeal #{appeal_id}" in r.text]
    assert len(told) == 1 and told[0].user_id == JOON.user_id
    assert "from 40 to 85" in told[0].text and "fair point" in told[0].text
    assert told[0].channel_id == channel and told[0].thread_id is not None
    assert (
        site.run(send_notices(site.service.repo.notices, PLATFORM, site.transport, by="b", now=now))
        == 0
    )


def test_an_admin_cannot_resolve_their_own_appeal_on_the_page(site: Site) -> None:
    """Issue 83: an admin resolved their own appeal, 43 → 100. The page offers no form for it
    and refuses a resolution posted anyway; another admin resolves it."""
    channel = "C-appeals-own"
    site.run(site.service.posting.post_today(PLATFORM, channel, site.transport))
    site.say(MINA, "my own answer 43", channel)
    site.say(MINA, "/quiz appeal worth more", channel)
    [appeal] = site.run(
        site.service.repo.appeals.open_appeals(platform=PLATFORM, channel_id=channel)
    )
    base = f"{site.url}/c/{PLATFORM}/{channel}"
    with site.signed_in(MINA, channel) as admin:
        queue = admin.get(base + "/appeals").text
        entry = queue[queue.index(f'id="appeal-{appeal.id}"') :]
        assert f'id="own-{appeal.id}"' in entry and f'id="resolve-{appeal.id}"' not in entry
        assert "This appeal is your own, so you cannot resolve it" in unescape(entry)
        csrf = form_fields(queue)["csrf"]
        refused = admin.post(f"{base}/appeals/{appeal.id}", data={"score": "100", "csrf": csrf})
        assert refused.status_code == 403
        assert "This appeal is your own, so you cannot resolve it" in unescape(refused.text)
    [answer] = site.run(
        site.service.repo.answers.user_answers(
            platform=PLATFORM, channel_id=channel, user_id=MINA.user_id
        )
    )
    assert answer.score == 43
    other = Actor("U-ada", "Ada", is_admin=True)
    with site.signed_in(other, channel) as admin:
        csrf = form_fields(admin.get(base + "/appeals").text)["csrf"]
        done = admin.post(f"{base}/appeals/{appeal.id}", data={"score": "50", "csrf": csrf})
        assert done.status_code == 303


def test_the_appeal_forms_refuse_members_missing_tokens_and_other_channels_ids(
    site: Site,
) -> None:
    elsewhere = appealed_answer(site, "C-appeals-elsewhere", 30)
    home = f"{site.url}/c/{PLATFORM}/{HOME}"
    with browser() as admin:
        sign_in(admin, site.link(MINA))
        csrf = form_fields(admin.get(home + "/appeals").text)["csrf"]
        assert admin.post(f"{home}/appeals/{elsewhere}", data={"score": "90"}).status_code == 403
        # an admin of the home channel names the other channel's appeal in the home URL
        refused = admin.post(f"{home}/appeals/{elsewhere}", data={"score": "90", "csrf": csrf})
        assert refused.status_code == 404 and "no such appeal" in refused.text
        other = f"{site.url}/c/{PLATFORM}/C-appeals-elsewhere/appeals/{elsewhere}"
        assert admin.post(other, data={"score": "90", "csrf": csrf}).status_code == 403
        bad = admin.post(f"{home}/appeals/{elsewhere}", data={"score": "900", "csrf": csrf})
        assert bad.status_code == 400
    with browser() as member:
        sign_in(member, site.link(JOON))
        member_csrf = form_fields(member.get(home).text)["csrf"]
        assert member.get(home + "/appeals").status_code == 403
        posted = member.post(
            f"{home}/appeals/{elsewhere}", data={"score": "90", "csrf": member_csrf}
        )
        assert posted.status_code == 403
    with browser() as admin_there:
        sign_in(admin_there, site.link(MINA, "C-appeals-elsewhere"))
        still = admin_there.get(f"{site.url}/c/{PLATFORM}/C-appeals-elsewhere/appeals").text
        assert f'id="appeal-{elsewhere}"' in still  # nothing above resolved it


async def test_a_notice_is_claimed_by_one_replica_only(repo: Repository) -> None:
    now = datetime.now(UTC)
    for n in range(3):
        await repo.notices.queue_notice(
            platform=PLATFORM,
            reply=Reply(channel_id=HOME, text=f"notice {n}", thread_id="t1", user_id="U1"),
            queued_at=now,
        )
    await repo.notices.queue_notice(
        platform="discord",
        reply=Reply(channel_id="D", text="elsewhere", user_id="U2"),
        queued_at=now,
    )
    first = await repo.notices.claim_notices(platform=PLATFORM, by="replica-a", at=now)
    second = await repo.notices.claim_notices(platform=PLATFORM, by="replica-b", at=now)
    assert [r.text for r in first] == ["notice 0", "notice 1", "notice 2"] and second == []
    assert first[0].thread_id == "t1" and first[0].addressee == "U1"
    assert [
        r.text for r in await repo.notices.claim_notices(platform="discord", by="a", at=now)
    ] == ["elsewhere"]


def test_a_member_appeals_an_answer_picked_on_their_page(site: Site) -> None:
    """Not only the latest: any of the member's answers, from "Me", into the admins' queue."""
    channel = "C-appeal-picked"
    site.run(site.service.posting.post_today(PLATFORM, channel, site.transport))
    site.say(JOON, "my first try at it", channel)
    site.say(JOON, "my second, better answer", channel)
    base = f"{site.url}/c/{PLATFORM}/{channel}"
    with browser() as member:
        sign_in(member, site.link(JOON, channel))
        page = member.get(base + "/me").text
        forms = re.findall(r'action="[^"]*/me/answers/(\d+)/appeal"', page)
        assert len(forms) == 2  # newest first
        first = forms[-1]
        csrf = form_fields(page)["csrf"]
        action = f"{base}/me/answers/{first}/appeal"
        assert member.post(action, data={"reason": "it was right"}).status_code == 403
        done = member.post(action, data={"reason": "it was right", "csrf": csrf})
        assert done.status_code == 303 and "/me?appealed=" in done.headers["location"]
        after = member.get(site.url + done.headers["location"]).text
        assert re.search(r"Appeal #\d+ opened", after)
        assert len(re.findall(r'action="[^"]*/me/answers/\d+/appeal"', after)) == 1
        assert "you will be told in the chat when an admin decides" in after
        again = member.post(action, data={"reason": "again", "csrf": csrf})
        assert again.status_code == 409
    with browser() as admin:
        sign_in(admin, site.link(MINA, channel))
        queue = admin.get(base + "/appeals").text
        assert "my first try at it" in queue and "it was right" in queue
        assert "my second, better answer" not in queue
        # an answer that is not hers: refused, and nothing is opened
        mine_csrf = form_fields(admin.get(base + "/me").text)["csrf"]
        taken = admin.post(
            f"{base}/me/answers/{forms[0]}/appeal", data={"reason": "x", "csrf": mine_csrf}
        )
        assert taken.status_code == 404 and "no such answer" in taken.text
        assert "my second, better answer" not in admin.get(base + "/appeals").text
