""" "Try the grader" grades as the channel would: through the same grading desk as the chat, with
the channel's own team grades as evidence. An answer the team graded, tried on the question's
page, scores near the team's grade and says so; the same answer tried in a channel whose team
graded nothing keeps the grader's own score. Through the real app, the answer groups page, the
bundled model and a SQLite file."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.answer_vectors import ModelVectors
from evaluators import create_grader
from evaluators.embedding.sentence_model import load_embedder
from tests.web.client import browser, form_fields, page_text, sign_in
from tests.web.site import JOON, MINA, PLATFORM, Site, running_site
from tests.web.test_web_answer_groups import prepared

TAUGHT, PLAIN = "C-taught", "C-plain"
GROUP = (
    "I had pizza for lunch and the meeting moved to Friday 10",
    "I had pizza for lunch and the meeting moved to Friday 20",
)
"""Two answers that say nothing of the question, which the chat's fixed grader scored 10 and 20
and the team grades 95: the grader alone scores such an answer low."""
TRIED = "I had pizza for lunch and the meeting moved to Friday"
TEAM_SCORE = 95


@pytest.fixture(scope="module")
def site(
    tmp_path_factory: pytest.TempPathFactory, model_path: str, embedding_cache: Path
) -> Iterator[Site]:
    with running_site(
        tmp_path_factory.mktemp("try-taught"),
        try_grader=lambda: create_grader(
            model_name=model_path, device="cpu", cache_dir=embedding_cache
        ),
        vectors=lambda: ModelVectors(load_embedder(model_path, "cpu")),
    ) as running:
        yield running


def _signed_in(site: Site, client: httpx.Client, channel: str) -> httpx.Client:
    """`client` signed in as the channel's admin (the channel set up by a post)."""
    site.run(site.service.posting.post_today(PLATFORM, channel, site.transport))
    assert sign_in(client, site.link(MINA, channel)).status_code == 303
    return client


def _graded_by_the_team(site: Site, admin: httpx.Client) -> str:
    """Today's question in `TAUGHT`, the `GROUP` answers to it graded `TEAM_SCORE` by the team on
    the answer groups page and applied; the question's id."""
    for actor, answer in zip((MINA, JOON), GROUP, strict=True):
        site.say(actor, answer, TAUGHT)
    post = site.run(site.service.repo.posts.latest_post(platform=PLATFORM, channel_id=TAUGHT))
    assert post is not None
    base = f"{site.url}/c/{PLATFORM}/{TAUGHT}/groups/{post.prompt_id}"
    page = prepared(admin, base).text
    ids = sorted({int(i) for i in re.findall(r'name="answer" value="(\d+)"', page)})
    assert len(ids) == len(GROUP), page_text(page)
    csrf = form_fields(page)["csrf"]
    score = str(TEAM_SCORE)
    graded = admin.post(f"{base}/grade", data={"answer": ids, "score": score, "csrf": csrf})
    assert graded.status_code == 303
    assert admin.post(f"{base}/apply", data={"csrf": csrf}).status_code == 303
    return post.prompt_id


def _tried(site: Site, admin: httpx.Client, channel: str, prompt_id: str) -> tuple[int, str]:
    """`TRIED` on the question's page in `channel`: the score shown, and the page's text."""
    address = f"{site.url}/c/{PLATFORM}/{channel}/questions/{prompt_id}"
    csrf = form_fields(admin.get(address).text)["csrf"]
    page = admin.post(address, data={"answer": TRIED, "csrf": csrf}, timeout=120)
    assert page.status_code == 200
    found = re.search(r'<p class="score">(\d+)/100', page.text)
    assert found is not None, page_text(page.text)[:2000]
    return int(found.group(1)), page_text(page.text)


def test_try_the_grader_reads_the_channels_own_team_grades(site: Site) -> None:
    with browser() as taught_browser, browser() as plain_browser:
        taught_admin = _signed_in(site, taught_browser, TAUGHT)
        plain_admin = _signed_in(site, plain_browser, PLAIN)
        prompt_id = _graded_by_the_team(site, taught_admin)
        alone, plain_page = _tried(site, plain_admin, PLAIN, prompt_id)
        taught, taught_page = _tried(site, taught_admin, TAUGHT, prompt_id)
    assert alone <= 40, plain_page
    assert "your team graded" not in plain_page
    assert taught >= alone + 40, (alone, taught)
    assert f"Near an answer your team graded {TEAM_SCORE}." in taught_page
