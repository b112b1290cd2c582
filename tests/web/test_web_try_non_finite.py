""" "Try the grader" on a grader that refuses a NaN: the page says the grader is unavailable and
shows no score, as when its server is down; an answer the damaged model reads intact is graded as
usual. Through the real app, the bundled model with one token's weights NaN, a SQLite file."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.web.texts import text
from evaluators.embedding.sentence_model import load_embedder
from evaluators.service import grader_on
from tests.evaluators.broken_weights import BROKEN_WORD, with_nan_token
from tests.web.client import browser, sign_in
from tests.web.site import HOME, MINA, PLATFORM, Site, running_site

CHANNEL = f"/c/{PLATFORM}/{HOME}"


@pytest.fixture(scope="module")
def site(
    tmp_path_factory: pytest.TempPathFactory, model_path: str, embedding_cache: Path
) -> Iterator[Site]:
    damaged = with_nan_token(load_embedder(model_path, "cpu"))
    with running_site(
        tmp_path_factory.mktemp("try-nan"),
        try_grader=lambda: grader_on(damaged, cache_dir=embedding_cache),
    ) as running:
        yield running


def _tried(site: Site, admin: httpx.Client, answer: str) -> str:
    prompt = site.service.bank.mains()[0]
    address = f"{site.url}{CHANNEL}/questions/{prompt.id}"
    csrf = re.search(r'name="csrf" value="([^"]+)"', admin.get(address).text)
    assert csrf is not None
    tried = admin.post(address, data={"answer": answer, "csrf": csrf.group(1)})
    assert tried.status_code == 200
    return tried.text


def test_a_tried_answer_refused_for_nan_says_unavailable_and_shows_no_score(site: Site) -> None:
    with browser() as admin:
        admin.timeout = httpx.Timeout(60)  # the first grade finds the calibration
        assert sign_in(admin, site.link(MINA)).status_code == 303
        refused = _tried(site, admin, f"It saturates, like a {BROKEN_WORD} in the sun.")
        graded = _tried(site, admin, "It saturates for large inputs, so the gradient vanishes.")
    assert text("en", "try_unavailable") in refused
    assert not re.search(r'<p class="score">\d+/100', refused)
    assert re.search(r'<p class="score">\d+/100', graded)
