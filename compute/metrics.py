"""The compute service's Prometheus metrics, declared once per process (prometheus-client's
default registry), and the Prometheus text of that registry for `GET /metrics`."""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Gauge, generate_latest

DEMO_JOBS = Counter(
    "quizmaster_compute_demo_jobs",
    "Demo jobs ended, by demo and outcome (done, failed, cancelled, cached).",
    ["demo", "outcome"],
)
DEMO_QUEUE_DEPTH = Gauge(
    "quizmaster_compute_demo_queue_depth", "Demo jobs waiting for a worker slot (at the scrape)."
)
DEMO_RUNNING = Gauge("quizmaster_compute_demo_running", "Demo jobs running (at the scrape).")
EMBEDDING_REQUESTS = Counter(
    "quizmaster_compute_embedding_requests",
    "POST /v1/embeddings requests answered, by outcome (served, refused).",
    ["outcome"],
)
EMBEDDING_TEXTS = Counter(
    "quizmaster_compute_embedding_texts", "Texts embedded by POST /v1/embeddings."
)

PROMETHEUS_CONTENT_TYPE = CONTENT_TYPE_LATEST


def exposition() -> bytes:
    """Every metric of this process, in the Prometheus text format."""
    return generate_latest(REGISTRY)
