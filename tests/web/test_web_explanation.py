""" "Try the grader" on the web page shows why a score is what it is, as `quizmaster grade
--explain` does: each feature's value and contribution, the head and its link, and every rule
that fired, and where the answer names each covered concept; graded by the real bundled
model."""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from evaluators import create_grader
from tests.web.client import browser, sign_in
from tests.web.site import HOME, MINA, PLATFORM, Site, running_site

CHANNEL = f"/c/{PLATFORM}/{HOME}"
ROW = re.compile(r"<tr><td>(\w+)</td><td>(-?[\d.]+)</td><td>([+-][\d.]+)</td></tr>")
SUM = re.compile(r"logistic\((-?[\d.]+) \+ Σ\) × 100 = (\d+)")
EVIDENCE = re.compile(r'<p id="try-evidence">[^:]+: (.*?)</p>')


@pytest.fixture(scope="module")
def site(
    tmp_path_factory: pytest.TempPathFactory, model_path: str, embedding_cache: Path
) -> Iterator[Site]:
    with running_site(
        tmp_path_factory.mktemp("explain"),
        try_grader=lambda: create_grader(
            model_name=model_path, device="cpu", cache_dir=embedding_cache
        ),
    ) as running:
        yield running


@pytest.fixture(scope="module")
def admin(site: Site) -> Iterator[httpx.Client]:
    with browser() as client:
        assert sign_in(client, site.link(MINA)).status_code == 303
        yield client


def _tried(site: Site, admin: httpx.Client, answer: str) -> str:
    prompt = site.service.bank.every_channel().mains()[0]
    address = f"{site.url}{CHANNEL}/questions/{prompt.id}"
    csrf = re.search(r'name="csrf" value="([^"]+)"', admin.get(address).text)
    assert csrf is not None
    tried = admin.post(address, data={"answer": answer, "csrf": csrf.group(1)})
    assert tried.status_code == 200
    return tried.text


def test_a_tried_answer_shows_each_feature_and_the_sum_gives_its_score(
    site: Site, admin: httpx.Client
) -> None:
    prompt = site.service.bank.every_channel().mains()[0]
    page = _tried(site, admin, prompt.references_in("en")[0].text)
    score = re.search(r'<p class="score">(\d+)/100', page)
    assert score is not None and "Why this score" in page
    rows = ROW.findall(page)
    found = SUM.search(page)
    assert rows and found, page[page.find("try-why") :][:2000]
    base, raw = float(found.group(1)), int(found.group(2))
    total = base + sum(float(contribution) for _, _, contribution in rows)
    assert abs(100 / (1 + math.exp(-total)) - raw) <= 1
    assert int(score.group(1)) <= raw + 1  # caps only ever lower the score


def test_a_guardrail_answer_says_which_rule_decided_its_score(
    site: Site, admin: httpx.Client
) -> None:
    page = _tried(site, admin, "I don't know")
    assert "A guardrail or the open-question rule decided the score" in page
    assert "Rules that fired: dont_know" in page
    assert not ROW.findall(page)


def test_a_tried_answer_shows_where_it_names_each_covered_concept(
    site: Site, admin: httpx.Client
) -> None:
    prompt = site.service.bank.every_channel().mains()[0]
    answer = prompt.references_in("en")[0].text
    page = _tried(site, admin, answer)
    found = EVIDENCE.search(page)
    assert found, page[page.find("try-why") :][:2000]
    shown = dict(
        item.split(" “", 1) for item in html.unescape(found.group(1)).removesuffix("”").split("”; ")
    )
    assert set(shown) <= {c.id for c in prompt.concepts} and shown
    for passage in shown.values():
        assert all(piece in answer for piece in passage.split(" … ")), passage


NEAREST = re.compile(r"Nearest other question: “(.*?)” \(here, its model answer scores (\d+)\)")


def test_a_tried_answer_names_the_other_question_it_comes_nearest(
    site: Site, admin: httpx.Client
) -> None:
    """What the off-topic rule weighs is on the page: another question's model answer, tried
    here, comes nearest that question, whose model answer's score here is shown."""
    asked, other = site.service.bank.every_channel().mains()[:2]
    page = _tried(site, admin, other.references_in("en")[0].text)
    found = NEAREST.search(html.unescape(page))
    assert found, page[page.find("try-why") :][:2000]
    shown = {p.text.en for p in site.service.bank.every_channel().all() if p.id != asked.id}
    assert found.group(1) in shown
    assert 0 <= int(found.group(2)) <= 100
