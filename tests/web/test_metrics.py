"""`/metrics` after real traffic: an answer graded by the real model through the quiz service,
read from the web page's Prometheus text; a demo job and an embedding request through the
compute service's HTTP API, read from its own `/metrics`. Each guard refuses a stranger."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from bot.app import channel_defaults, page_wiring, web_app, web_tokens
from bot.config import Settings
from bot.core.messages import Actor, Incoming
from bot.storage.repository import Repository
from bot.web.server import bind, port_of, serving_beside
from bot.wiring import wire
from compute.api.main import create_app
from compute.client import ComputeClient
from compute.config import ServiceConfig
from compute.embedded import serve_in_thread
from content.bank import Bank
from evaluators import EmbeddingGrader
from tests.bot.recording import RecordingTransport
from tests.fixed_grader import FixedGrader

TOKEN = "metrics-test-token"
SECRET = "metrics-test-secret-0123456789"
MINA = Actor("U-mina", "Mina")


def sample(text: str, name: str, **labels: str) -> float:
    """The value of sample `name` with `labels` in Prometheus text (0 when absent)."""
    for family in text_string_to_metric_families(text):
        for found in family.samples:
            if found.name == name and all(found.labels.get(k) == v for k, v in labels.items()):
                return float(found.value)
    return 0.0


@pytest.fixture
async def repo(tmp_path: Path) -> AsyncIterator[Repository]:
    opened = await Repository.open(tmp_path / "metrics.db")
    yield opened
    await opened.close()


async def test_the_web_page_counts_a_graded_answer_and_a_post(
    repo: Repository, grader: EmbeddingGrader, bank: Bank, tmp_path: Path
) -> None:
    settings = Settings(_env_file=None, lang="en", days="daily", db=tmp_path / "metrics.db")
    service = wire(repo=repo, bank=bank, grader=grader, defaults=channel_defaults(settings))
    app = web_app(settings, service, tokens=web_tokens(SECRET))
    sock = bind("127.0.0.1", 0, any_port_if_busy=False)
    url = f"http://127.0.0.1:{port_of(sock)}"
    transport = RecordingTransport()
    async with serving_beside(app, sock), httpx.AsyncClient(base_url=url, timeout=60) as http:
        before = (await http.get("/metrics")).text
        await service.posting.post_today("slack", "C-home", transport)
        answer = "ReLU keeps gradients alive for positive inputs, so deep nets train faster."
        await service.intake.handle(
            Incoming(platform="slack", channel_id="C-home", actor=MINA, text=answer), transport
        )
        scraped = await http.get("/metrics")
    assert scraped.status_code == 200
    assert scraped.headers["content-type"].startswith("text/plain")
    after = scraped.text
    graded = "quizmaster_answers_graded_total"
    assert sample(after, graded, outcome="graded") == sample(before, graded, outcome="graded") + 1
    count = "quizmaster_grading_seconds_count"
    assert sample(after, count) == sample(before, count) + 1
    assert sample(after, "quizmaster_grading_seconds_sum") > sample(
        before, "quizmaster_grading_seconds_sum"
    )
    sent = "quizmaster_posts_sent_total"
    assert sample(after, sent) == sample(before, sent) + 1
    assert "quizmaster_posts_retried_total" in after
    assert "quizmaster_answers_kept_pending_total" in after


async def test_the_web_page_metrics_are_for_loopback_or_the_token(
    repo: Repository, bank: Bank, tmp_path: Path
) -> None:
    open_settings = Settings(_env_file=None, db=tmp_path / "metrics.db")
    wired = page_wiring(open_settings, repo=repo, bank=bank, grader=FixedGrader())
    app = web_app(open_settings, wired, tokens=web_tokens(SECRET))
    stranger = httpx.ASGITransport(app=app, client=("203.0.113.9", 40000))
    local = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
    async with httpx.AsyncClient(transport=stranger, base_url="http://quiz") as http:
        refused = await http.get("/metrics")
    async with httpx.AsyncClient(transport=local, base_url="http://quiz") as http:
        served = await http.get("/metrics")
    assert refused.status_code == 403 and "QUIZMASTER_WEB_METRICS_TOKEN" in refused.text
    assert served.status_code == 200 and "quizmaster_answers_graded_total" in served.text

    guarded_settings = open_settings.updated(web_metrics_token=SecretStr(TOKEN))
    guarded = web_app(guarded_settings, wired, tokens=web_tokens(SECRET))
    local = httpx.ASGITransport(app=guarded, client=("127.0.0.1", 40000))
    async with httpx.AsyncClient(transport=local, base_url="http://quiz") as http:
        without = await http.get("/metrics")
        wrong = await http.get("/metrics", headers={"Authorization": "Bearer nope"})
        right = await http.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert without.status_code == wrong.status_code == 401
    assert right.status_code == 200


async def test_the_compute_service_counts_a_demo_job_and_embeddings() -> None:
    app = create_app(ServiceConfig(token=SecretStr(TOKEN)))
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with serve_in_thread(app) as url, httpx.AsyncClient(base_url=url, timeout=120) as http:
        refused = await http.get("/metrics")
        before = (await http.get("/metrics", headers=headers)).text
        async with ComputeClient(url, token=TOKEN, timeout=60) as client:
            ticket = await client.submit("gradient-descent", {"steps": 5})
            await client.wait(ticket.id, poll=0.1, timeout=120)
        embedded = await http.post(
            "/v1/embeddings", json={"input": ["a cat sat", "a dog ran"]}, headers=headers
        )
        empty = await http.post("/v1/embeddings", json={"input": [""]}, headers=headers)
        after = (await http.get("/metrics", headers=headers)).text
    assert refused.status_code == 401
    assert embedded.status_code == 200 and empty.status_code == 422
    jobs = "quizmaster_compute_demo_jobs_total"
    done = {"demo": "gradient-descent", "outcome": "done"}
    assert sample(after, jobs, **done) == sample(before, jobs, **done) + 1
    requests = "quizmaster_compute_embedding_requests_total"
    for outcome in ("served", "refused"):
        assert sample(after, requests, outcome=outcome) == (
            sample(before, requests, outcome=outcome) + 1
        )
    texts = "quizmaster_compute_embedding_texts_total"
    assert sample(after, texts) == sample(before, texts) + 2
    assert sample(after, "quizmaster_compute_demo_queue_depth") == 0
    assert "quizmaster_compute_demo_running" in after
