"""The bot's Prometheus metrics: the core's `Telemetry` port counted here, and a grader wrapper
that counts and times every grade. Declared once per process in prometheus-client's default
registry, which `/metrics` of the web page serves (with the compute service's metrics too when
the service runs embedded in this process)."""

from __future__ import annotations

import time
from typing import Unpack

from prometheus_client import Counter, Gauge, Histogram

from content.schema import Prompt
from evaluators.grade import EmbeddingUnavailableError, Grade, GradeOptions, Grader

ANSWERS_GRADED = Counter(
    "quizmaster_answers_graded",
    "Answers the grader was asked to grade, by outcome (graded, unavailable, failed).",
    ["outcome"],
)
GRADING_SECONDS = Histogram(
    "quizmaster_grading_seconds",
    "Seconds one grade took, embedding included (answers that were graded).",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
ANSWERS_KEPT_PENDING = Counter(
    "quizmaster_answers_kept_pending",
    "Channel answers stored ungraded while the embedding server was unavailable.",
)
PENDING_ANSWERS = Gauge(
    "quizmaster_pending_answers",
    "Kept answers still waiting after the last pending round (up to 50 looked at per round).",
    ["platform"],
)
POSTS_SENT = Counter("quizmaster_posts_sent", "Question posts sent.")
POSTS_RETRIED = Counter(
    "quizmaster_posts_retried",
    "Question posts claimed by a replica that stopped, sent (or found sent) by another.",
)


class PrometheusTelemetry:
    """The core's `Telemetry`, counted in the metrics above."""

    def answer_kept_pending(self) -> None:
        ANSWERS_KEPT_PENDING.inc()

    def pending_answers_left(self, platform: str, count: int) -> None:
        PENDING_ANSWERS.labels(platform=platform).set(count)

    def post_sent(self, *, retried: bool) -> None:
        POSTS_SENT.inc()
        if retried:
            POSTS_RETRIED.inc()


class MeteredGrader:
    """A `Grader` that counts each grade by outcome and times the ones that were graded."""

    def __init__(self, grader: Grader) -> None:
        self.grader = grader

    async def grade(self, prompt: Prompt, answer: str, **options: Unpack[GradeOptions]) -> Grade:
        started = time.perf_counter()
        try:
            grade = await self.grader.grade(prompt, answer, **options)
        except EmbeddingUnavailableError:
            ANSWERS_GRADED.labels(outcome="unavailable").inc()
            raise
        except Exception:
            ANSWERS_GRADED.labels(outcome="failed").inc()
            raise
        GRADING_SECONDS.observe(time.perf_counter() - started)
        ANSWERS_GRADED.labels(outcome="graded").inc()
        return grade
