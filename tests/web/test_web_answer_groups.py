"""The answer groups page through the real app on a real embedding model: a question's answers
grouped by meaning, a group graded at once, nothing changed for members until the admin
applies, then each changed member told once in the question's thread; the grades kept as the
channel's own; and the refusals (members, missing tokens, another channel's answers)."""

from __future__ import annotations

import re
import time
from collections import Counter
from datetime import UTC, datetime
from html import unescape

import httpx

from bot.answer_vectors import ModelVectors
from bot.core.flow.notices import send_notices
from bot.core.messages import Actor
from bot.core.models import earns
from bot.core.question_groups import QuestionGroups
from bot.core.reporting.digest_posting import Digests
from bot.core.reporting.teaching import Teaching
from bot.core.reporting.weeks import week_of
from bot.web.rendering import Renderer
from bot.web.texts import text
from evaluators.answer_groups import clusters
from evaluators.embedding.sentence_model import load_embedder
from evaluators.grade import contradicts
from tests.call_counts import calls_of
from tests.web.client import browser, form_fields, page_text, sign_in
from tests.web.site import JOON, MINA, PLATFORM, START, Site

SORA = Actor("U-sora", "Sora")
HANA = Actor("U-hana", "Hana")
DAMI = Actor("U-dami", "Dami")
SAME_IDEA = {
    MINA: "Gradient descent moves the weights against the gradient of the loss 40",
    JOON: "We update the weights in the opposite direction of the loss gradient 75",
    SORA: "The weights are moved against the gradient of the loss function 55",
}
OTHER_IDEA = (HANA, "I honestly have no idea about this one 10")


def answered(site: Site, channel: str, *, stated: bool = True) -> str:
    """A question posted in `channel` and answered by four members, three saying the same
    thing; the question's id. With `stated`, each answer ends in the score a fixed grader gives
    it; without, the answers are the words alone, for a grader that measures them."""
    site.run(site.service.posting.post_today(PLATFORM, channel, site.transport))
    for actor, answer in [*SAME_IDEA.items(), OTHER_IDEA]:
        site.say(actor, answer if stated else answer.rsplit(" ", 1)[0], channel)
    post = site.run(site.service.repo.posts.latest_post(platform=PLATFORM, channel_id=channel))
    assert post is not None
    return post.prompt_id


def groups_of(html: str) -> list[tuple[str, list[int]]]:
    """Each group on the page: its heading and the answer ids its grade form posts."""
    found = []
    for article in re.findall(r'<article class="day group".*?</article>', html, flags=re.S):
        head = re.search(r"<h2[^>]*>(.*?)</h2>", article, flags=re.S)
        assert head is not None
        group_form = article[article.rindex("<form") :]
        ids = [int(i) for i in re.findall(r'name="answer" value="(\d+)"', group_form)]
        found.append((unescape(head.group(1)), ids))
    return found


PREPARED_S = 120  # not a target: the bundled model encoding a few answers on a loaded machine


def prepared(admin: httpx.Client, url: str) -> httpx.Response:
    """The groups page at `url` once no answer is still being prepared: a load only starts
    their encoding in the background (`bot.core.question_groups`), and the next finds them."""
    deadline = time.monotonic() + PREPARED_S
    while True:
        page = admin.get(url)
        if "still being prepared" not in page_text(page.text):
            return page
        assert time.monotonic() < deadline, page_text(page.text)
        time.sleep(0.1)


def _score_of(admin: httpx.Client, base: str, name: str) -> int:
    page = admin.get(base, params={"period": "all"}).text
    found = re.search(rf'<th scope="row">{name}</th><td class="num">(\d+)', page)
    assert found is not None, page
    return int(found.group(1))


def test_an_admin_grades_a_group_applies_it_and_the_members_are_told_once(
    grouping_site: Site,
) -> None:
    site, channel = grouping_site, "C-groups"
    prompt_id = answered(site, channel)
    base = f"{site.url}/c/{PLATFORM}/{channel}"
    with browser() as admin:
        sign_in(admin, site.link(MINA, channel))
        index = page_text(admin.get(base + "/groups").text)
        assert f"{prompt_id}" in index and "4 answers · 0 graded by the team" in index
        page = prepared(admin, f"{base}/groups/{prompt_id}")
        assert page.status_code == 200
        groups = groups_of(page.text)
        assert [head for head, _ in groups] == ["3 answers · scores 40-75", "1 answer · score 10"]
        [(_, same), (_, alone)] = groups
        assert len(same) == 3 and len(alone) == 1
        # Before unfolding the group: each grade in it, and the answer at their median first.
        folded = page_text(page.text.split("<details>", 1)[0])
        assert re.search(r"Scores in this group now: (40|55|75)( · (40|55|75)){2} ", folded)
        assert f"Representative answer: {SAME_IDEA[SORA]}" in folded  # 55: between 40 and 75
        csrf = form_fields(page.text)["csrf"]
        left = len(site.notices_left)
        graded = admin.post(
            f"{base}/groups/{prompt_id}/grade",
            data={"answer": same, "score": "80", "note": "all three name it", "csrf": csrf},
        )
        assert graded.status_code == 303
        staged = page_text(admin.get(site.url + graded.headers["location"]).text)
        assert "Graded 3 answers. Press Apply" in staged
        assert "Mina: 40 → 80 · all three name it" in staged and "to apply: 80" in staged
        assert _score_of(admin, base, "Joon") == 75  # nothing changed before Apply
        assert len(site.notices_left) == left

        applied = admin.post(f"{base}/groups/{prompt_id}/apply", data={"csrf": csrf})
        assert applied.status_code == 303
        assert len(site.notices_left) == left + 1  # a bot in this process is woken
        after = page_text(admin.get(site.url + applied.headers["location"]).text)
        assert "Applied 3 grades. 3 members whose score changed are told" in after
        assert "Grades waiting to apply" not in after and "graded by the team" in after
        assert "3 answers · scores 80-80" in after
        assert [_score_of(admin, base, n) for n in ("Mina", "Joon", "Sora")] == [80, 80, 80]
        again = admin.post(f"{base}/groups/{prompt_id}/apply", data={"csrf": csrf})
        assert "Applied 0 grades" in page_text(admin.get(site.url + again.headers["location"]).text)

    before = len(site.transport.sent)
    now = datetime.now(UTC)
    notices = site.service.repo.notices
    assert site.run(send_notices(notices, PLATFORM, site.transport, by="a", now=now)) == 3
    told = {r.user_id: r for r in site.transport.sent[before:]}
    assert set(told) == {MINA.user_id, JOON.user_id, SORA.user_id}
    assert "from 40 to 80" in told[MINA.user_id].text
    assert "all three name it" in told[JOON.user_id].text
    post = site.run(site.service.repo.posts.latest_post(platform=PLATFORM, channel_id=channel))
    assert post is not None
    assert {(r.channel_id, r.thread_id) for r in told.values()} == {
        (channel, post.thread_id or post.message_id)
    }
    assert site.run(send_notices(notices, PLATFORM, site.transport, by="b", now=now)) == 0
    evidence = site.run(
        site.service.repo.team_grades.human_grades(
            platform=PLATFORM, channel_id=channel, prompt_id=prompt_id
        )
    )
    assert sorted((g.text, g.score) for g in evidence) == sorted(
        (text, 80) for text in SAME_IDEA.values()
    )


def test_the_group_forms_refuse_members_missing_tokens_and_other_channels_answers(
    grouping_site: Site,
) -> None:
    site = grouping_site
    home_prompt = answered(site, "C-groups-home")
    other_prompt = answered(site, "C-groups-away")
    home = f"{site.url}/c/{PLATFORM}/C-groups-home"
    away = f"{site.url}/c/{PLATFORM}/C-groups-away"
    with browser() as admin:
        sign_in(admin, site.link(MINA, "C-groups-home"))
        page = prepared(admin, f"{home}/groups/{home_prompt}").text
        csrf = form_fields(page)["csrf"]
        [(_, mine), _] = groups_of(page)
        grade = f"{home}/groups/{home_prompt}/grade"
        assert admin.post(grade, data={"answer": mine, "score": "90"}).status_code == 403
        bad = admin.post(grade, data={"answer": mine, "score": "101", "csrf": csrf})
        assert bad.status_code == 400 and "whole number from 0 to 100" in bad.text
        # the other channel's answers, named in this channel's URL, alone or in a group
        theirs = site.run(
            site.service.repo.team_grades.question_answers(
                platform=PLATFORM, channel_id="C-groups-away", prompt_id=other_prompt
            )
        )
        foreign = [a.answer.id for a in theirs]
        for posted in (foreign, [*mine, foreign[0]]):
            refused = admin.post(grade, data={"answer": posted, "score": "90", "csrf": csrf})
            assert refused.status_code == 403 and "not this channel's answers" in refused.text
        assert admin.get(f"{away}/groups/{other_prompt}").status_code == 403
        elsewhere = admin.post(
            f"{away}/groups/{other_prompt}/grade",
            data={"answer": foreign, "score": "90", "csrf": csrf},
        )
        assert elsewhere.status_code == 403
        assert admin.get(f"{home}/groups/no-such-question").status_code == 404
        assert "Grades waiting to apply" not in admin.get(f"{home}/groups/{home_prompt}").text
    with browser() as member:
        sign_in(member, site.link(JOON, "C-groups-home"))
        member_csrf = form_fields(member.get(home).text)["csrf"]
        assert member.get(f"{home}/groups").status_code == 403
        assert member.get(f"{home}/groups/{home_prompt}").status_code == 403
        as_member = member.post(grade, data={"answer": mine, "score": "90", "csrf": member_csrf})
        assert as_member.status_code == 403
        applied = member.post(f"{home}/groups/{home_prompt}/apply", data={"csrf": member_csrf})
        assert applied.status_code == 403
    untouched = site.run(
        site.service.repo.team_grades.question_answers(
            platform=PLATFORM, channel_id="C-groups-away", prompt_id=other_prompt
        )
    )
    assert all(a.staged is None and not a.human for a in untouched)


def test_the_groups_are_made_off_the_event_loop_and_kept_until_a_new_answer(
    grouping_site: Site,
) -> None:
    """Nothing of the grouping (the encoding, the clusters, the contradiction reading, the page
    drawn) runs on the event loop the chat and every other page share, and no load encodes
    (the answers are encoded in the background, `test_web_groups_prepared`); a second load of
    the same answers reuses the groups, and a new answer makes them again."""
    site, channel = grouping_site, "C-groups-loop"
    prompt_id = answered(site, channel)
    url = f"{site.url}/c/{PLATFORM}/{channel}/groups/{prompt_id}"
    with browser() as admin:
        sign_in(admin, site.link(MINA, channel))
        cookie = admin.cookies["qm_session"]
        first = groups_of(prepared(admin, url).text)
    assert [head for head, _ in first] == ["3 answers · scores 40-75", "1 answer · score 10"]

    async def load() -> tuple[list[tuple[str, list[int]]], Counter[str]]:
        """The page's groups, and what ran on the event loop's thread while it loaded."""
        with calls_of(clusters, contradicts, Renderer.render, ModelVectors.vectors) as on_loop:
            async with httpx.AsyncClient(cookies={"qm_session": cookie}, timeout=60) as client:
                page = await client.get(url)
        assert page.status_code == 200, page.text
        return groups_of(page.text), on_loop

    again, on_loop = site.run(load())
    assert again == first and on_loop["ModelVectors.vectors"] == 0  # the groups kept
    assert on_loop["clusters"] == on_loop["contradicts"] == on_loop["Renderer.render"] == 0
    site.say(DAMI, "The weights go against the gradient of the loss 60", channel)
    deadline = time.monotonic() + PREPARED_S
    after, on_loop = site.run(load())
    while [head for head, _ in after] != ["4 answers · scores 40-75", "1 answer · score 10"]:
        assert on_loop["clusters"] == on_loop["contradicts"] == on_loop["Renderer.render"] == 0
        assert time.monotonic() < deadline, after
        after, on_loop = site.run(load())
    assert on_loop["clusters"] == on_loop["contradicts"] == on_loop["Renderer.render"] == 0


def test_without_an_embedding_model_the_groups_page_says_why(site: Site) -> None:
    with browser() as admin:
        sign_in(admin, site.link(MINA))
        for page in ("groups", "groups/q01"):
            missing = admin.get(f"{site.url}/c/{PLATFORM}/C-home/{page}")
            assert missing.status_code == 404
            assert text("en", "groups_no_model") in page_text(missing.text)


def _digest(site: Site, channel: str, model_path: str) -> str:
    """This week's digest of `channel` as the bot posts it, counting ungraded groups on the
    bundled model."""
    repo = site.service.repo
    digests = Digests(
        channels=repo.channels,
        posts=repo.posts,
        answers=repo.answers,
        members=repo.members,
        digests=repo.digests,
        bank=site.service.bank.every_channel(),
        clock=site.clock,
        replica_id="digest-test",
        teaching=Teaching(
            store=repo.team_grades,
            grouping=QuestionGroups(
                vectors=ModelVectors(load_embedder(model_path, "cpu")), bank=site.service.bank
            ),
        ),
    )
    row = site.run(repo.channels.channel(platform=PLATFORM, channel_id=channel))
    assert row is not None
    return site.run(digests.reply(row, week_of(site.clock().date()))).text


def test_the_page_lists_the_groups_to_teach_and_the_digest_counts_them(
    grouping_site: Site, model_path: str
) -> None:
    site, channel = grouping_site, "C-teach"
    prompt_id = answered(site, channel)
    base = f"{site.url}/c/{PLATFORM}/{channel}"
    assert "For admins: 2 answer groups wait for a team grade" in _digest(site, channel, model_path)
    with browser() as admin:
        sign_in(admin, site.link(MINA, channel))
        prepared(admin, f"{base}/groups/{prompt_id}")
        index = admin.get(base + "/groups").text
        teach = page_text(index[index.index('id="teach"') : index.index("</section>")])
        assert "2 groups of answers have no team grade yet" in teach
        first, second = (teach.index(f"{prompt_id} · {n}") for n in ("3 answers", "1 answer ·"))
        assert first < second  # the largest group first
        assert "scores 40-75" in teach and OTHER_IDEA[1] in teach
        csrf = form_fields(index)["csrf"]
        [_, (_, alone)] = groups_of(admin.get(f"{base}/groups/{prompt_id}").text)
        staged = admin.post(
            f"{base}/groups/{prompt_id}/grade", data={"answer": alone, "score": "0", "csrf": csrf}
        )
        assert staged.status_code == 303
        teach_after = page_text(admin.get(base + "/groups").text)
        assert "1 group of answers has no team grade yet" in teach_after
        assert OTHER_IDEA[1] not in teach_after.split("Question")[0]
    digest = _digest(site, channel, model_path)
    assert "For admins: 1 answer group waits for a team grade" in digest


def test_a_grade_is_a_number_in_one_script_and_its_note_keeps_the_text_rule(
    grouping_site: Site,
) -> None:
    """A score typed in one script of digits is read as that number; `1٣` (ASCII and
    Arabic-Indic mixed) is refused, not staged as 13; the note an admin types loses control
    and bidi characters, as a member's appeal reason does (issue 60)."""
    site, channel = grouping_site, "C-groups-rules"
    prompt_id = answered(site, channel)
    base = f"{site.url}/c/{PLATFORM}/{channel}"
    with browser() as admin:
        sign_in(admin, site.link(MINA, channel))
        page = prepared(admin, f"{base}/groups/{prompt_id}").text
        csrf = form_fields(page)["csrf"]
        [(_, same), (_, alone)] = groups_of(page)
        grade = f"{base}/groups/{prompt_id}/grade"
        for mixed in ("1٣", "٨0", "１3"):
            refused = admin.post(grade, data={"answer": same, "score": mixed, "csrf": csrf})
            assert refused.status_code == 400, mixed
            assert "whole number from 0 to 100" in refused.text
        note = "close\u202e enough\x1b[2K \u2066really\u2069"
        staged = admin.post(
            grade, data={"answer": alone, "score": "٨٠", "note": note, "csrf": csrf}
        )
        assert staged.status_code == 303
        waiting = site.run(
            site.service.repo.team_grades.staged(
                platform=PLATFORM, channel_id=channel, prompt_id=prompt_id
            )
        )
        assert [(g.score, g.note) for g in waiting] == [(80, "close enough[2K really")]
        assert admin.post(f"{base}/groups/{prompt_id}/apply", data={"csrf": csrf}).is_redirect
    before = len(site.transport.sent)
    notices = site.service.repo.notices
    assert site.run(send_notices(notices, PLATFORM, site.transport, by="r", now=START)) == 1
    [told] = site.transport.sent[before:]
    assert "close enough[2K really" in told.text and "\u202e" not in told.text


ISSUE_ANSWERS = {
    "hello": "hello",
    "shrug": "I don't know",
    "reversed": "Sigmoid is used more than ReLU because ReLU saturates for large inputs and its "
    "gradient vanishes, while sigmoid keeps a gradient of 1.",
    "vague": "ReLU is just better and more popular these days.",
    "right": "Sigmoid saturates, so its gradient vanishes in deep networks; ReLU keeps a "
    "gradient of 1 for positive inputs and is cheap to compute.",
    "wrong": "ReLU is used because its output lies between 0 and 1, so it can be read as a "
    "probability.",
}


def test_on_the_default_model_a_group_never_mixes_non_answers_reversed_and_right_answers(
    default_model_site: Site,
) -> None:
    """Issue 69's groups, graded live on the default model: "hello", "I don't know", a
    reversed claim and a vague answer were one group, and a right and a wrong answer another
    (every answer to a question is 0.75 or nearer on multilingual-e5-small, past the 0.6 that
    was measured on all-MiniLM-L6-v2). Now the non-answers share a group with no attempt, the
    reversed claim shares none with an answer the grader did not read as reversed, and the
    right answer none with the wrong one."""
    site, channel = default_model_site, "C-groups-default"
    bank = site.service.bank.seen_from(PLATFORM, channel)
    site.run(
        site.service.posting.post_today(PLATFORM, channel, site.transport, prompt=bank.get("q01"))
    )
    for name, words in ISSUE_ANSWERS.items():
        site.say(Actor(f"U-{name}", name.title()), words, channel)
    stored = site.run(
        site.service.repo.team_grades.question_answers(
            platform=PLATFORM, channel_id=channel, prompt_id="q01"
        )
    )
    said = {a.answer.id: a.answer for a in stored}
    by_name = {a.user_id.removeprefix("U-"): a for a in said.values()}
    assert "reversed" in by_name["reversed"].flags and "dont_know" in by_name["shrug"].flags
    with browser() as admin:
        sign_in(admin, site.link(MINA, channel))
        page = prepared(admin, f"{site.url}/c/{PLATFORM}/{channel}/groups/q01")
    assert page.status_code == 200
    groups = [{said[i].user_id.removeprefix("U-") for i in ids} for _, ids in groups_of(page.text)]
    assert sorted(name for group in groups for name in group) == sorted(ISSUE_ANSWERS)
    non_answers = next(group for group in groups if "shrug" in group)
    assert "hello" in non_answers
    assert not any(earns(by_name[n].score, by_name[n].flags) for n in non_answers)
    assert next(group for group in groups if "reversed" in group) == {"reversed"}
    assert not any({"right", "wrong"} <= group for group in groups)
