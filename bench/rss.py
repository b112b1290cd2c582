"""`bench rss`: the resident memory of one process grading many distinct answers as the bot does,
to show whether it levels off.

The real grader (the configured model, references prepared) behind the real core on a real SQLite
file: each answer is a new member's, in the thread of a question posted in its own channel, so
every answer takes the daily path (claim, member row, grade, transaction, replies). The answers
are the shipped dev set's for those questions, each made distinct by a number, since a grader
caches by text and repeats would flatter it. RSS is read after every step of answers; the figures
are ratios within the run: the growth per answer over the last step against the first, and RSS at
the end against RSS after the first step. The per-process caches keyed by text are listed with
their sizes and bounds, since a cache still filling is growth that stops at its bound.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import itertools
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import _lru_cache_wrapper
from pathlib import Path

from bench.grading import prepared_grader
from bench.ingest_service import CountingTransport
from bench.table import Cell, Outcome, report
from bot.app import build_quiz_service, channel_defaults
from bot.config import Settings
from bot.core.messages import Actor, Incoming
from bot.storage.repository import Repository
from content.schema import Prompt
from evaluators import morphology, signals
from evaluators.fitting.dev_set import DEV_SET_PATH
from evaluators.fitting.rows import read_rows, resolve_prompts

PLATFORM = "bench"
QUESTIONS = 8
"""Questions answered, each posted in its own channel."""
LRU_CACHES: dict[str, Callable[..., object]] = {
    "morphology of a text (evaluators.morphology)": morphology._analysed,
    "prompt as answered (evaluators.signals)": signals._named_in,
    "question's own concepts (evaluators.signals)": signals._question_concepts,
}


def rss_mb() -> float:
    """This process's resident memory, from /proc (Linux)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


@dataclass(frozen=True)
class Step:
    answers: int
    rss_mb: float


def _questions(prompts: list[Prompt], answers: list[str]) -> list[tuple[Prompt, list[str]]]:
    """The first QUESTIONS main graded prompts of the dev set with their answers."""
    by_prompt: dict[str, tuple[Prompt, list[str]]] = {}
    for prompt, answer in zip(prompts, answers, strict=True):
        if prompt.kind == "graded" and prompt.parent is None:
            by_prompt.setdefault(prompt.id, (prompt, []))[1].append(answer)
    return list(by_prompt.values())[:QUESTIONS]


async def measure(settings: Settings, *, n: int, step: int, concurrency: int) -> list[Step]:
    rows = read_rows(DEV_SET_PATH)
    async with prepared_grader(settings) as (bank, grader):
        questions = _questions(resolve_prompts(rows, bank), [r.answer for r in rows])
        with tempfile.TemporaryDirectory(prefix="bench-rss-") as folder:
            repo = await Repository.open(Path(folder) / "rss.db")
            try:
                service = build_quiz_service(
                    repo=repo,
                    bank=bank,
                    grader=grader,
                    defaults=channel_defaults(Settings(_env_file=None, lang="en")),
                )
                transport = CountingTransport()
                threads = [
                    (
                        await service.posting.post_today(PLATFORM, f"c{k}", transport, prompt=p)
                    ).thread_id
                    for k, (p, _) in enumerate(questions)
                ]
                gate = asyncio.Semaphore(concurrency)

                async def answer(i: int) -> None:
                    k = i % len(questions)
                    texts = questions[k][1]
                    text = f"{texts[(i // len(questions)) % len(texts)]} ({i})"
                    incoming = Incoming(
                        PLATFORM,
                        f"c{k}",
                        Actor(f"u{i}", f"Member {i}"),
                        text,
                        message_id=f"msg-{i}",
                        thread_id=threads[k],
                    )
                    async with gate:
                        await service.intake.handle(incoming, transport)

                steps = []
                for first in range(0, n, step):
                    await asyncio.gather(*(answer(i) for i in range(first, min(n, first + step))))
                    gc.collect()
                    steps.append(Step(min(n, first + step), rss_mb()))
                    print(f"  {first + step} answers: RSS {steps[-1].rss_mb:.1f} MB", flush=True)
            finally:
                await repo.close()
    return steps


def _cache_rows() -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    for name, cached in LRU_CACHES.items():
        assert isinstance(cached, _lru_cache_wrapper)
        info = cached.cache_info()
        rows.append([f"cache: {name}, entries", info.currsize, f"<= {info.maxsize}", None])
    return rows


def outcome(steps: list[Step]) -> Outcome:
    first, last = steps[0], steps[-1]
    per_answer_kb = [
        (b.rss_mb - a.rss_mb) * 1024 / (b.answers - a.answers) for a, b in itertools.pairwise(steps)
    ]
    rows: list[list[Cell]] = [
        [f"RSS after {s.answers} answers, MB", round(s.rss_mb, 1), None, None] for s in steps
    ]
    if per_answer_kb:
        rows += [
            ["growth per answer, first step after, KB", round(per_answer_kb[0], 2), None, None],
            ["growth per answer, last step, KB", round(per_answer_kb[-1], 2), None, None],
            [
                f"RSS after {last.answers} / after {first.answers}",
                round(last.rss_mb / first.rss_mb, 3),
                None,
                None,
            ],
        ]
    rows += _cache_rows()
    payload: dict[str, object] = {
        "bench": "rss",
        "answers": last.answers,
        "rss_mb": {str(s.answers): round(s.rss_mb, 1) for s in steps},
        "growth_kb_per_answer": [round(kb, 2) for kb in per_answer_kb],
        "rss_last_over_first": round(last.rss_mb / first.rss_mb, 3),
        "caches": {name: row[1] for name, row in zip(LRU_CACHES, _cache_rows(), strict=True)},
    }
    return Outcome(
        title=f"rss: one process grading {last.answers} distinct answers through the core",
        headers=["metric", "value", "bound", "met"],
        rows=rows,
        payload=payload,
        notes=["RSS read after a gc.collect() at each step; the real grader on a SQLite file"],
    )


def main(argv: list[str], settings: Settings) -> int:
    parser = argparse.ArgumentParser(
        prog="quizmaster bench rss",
        description="RSS of one process grading distinct answers through the core and grader.",
    )
    parser.add_argument("--answers", type=int, default=10_000, help="answers (default 10000)")
    parser.add_argument("--step", type=int, default=1_000, help="RSS read every (default 1000)")
    parser.add_argument("--concurrency", type=int, default=8, help="answers in flight (8)")
    parser.add_argument("--json", action="store_true", help="end with one JSON line")
    args = parser.parse_args(argv)
    if args.answers < 2 * args.step or args.step < 1 or args.concurrency < 1:
        parser.error("--answers must be at least two --step, and both positive")
    steps = asyncio.run(
        measure(settings, n=args.answers, step=args.step, concurrency=args.concurrency)
    )
    report(outcome(steps), as_json=args.json)
    return 0
