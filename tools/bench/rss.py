"""`bench rss`: the resident memory of one process grading many distinct answers as the bot does,
to show whether it levels off.

The real grader (the configured model, references prepared) behind the real core on a real SQLite
file: each answer is a new member's, in the thread of a question posted in its own channel, so
every answer takes the daily path (claim, member row, grade, transaction, replies). The answers
are the shipped dev set's for those questions, each made distinct by a number, since a grader
caches by text and repeats would flatter it. RSS is read after every step of answers, with glibc's
own count of what malloc holds and what of that is in use: a leak in native code grows "in use",
fragmentation grows only "held", and growth in neither is memory malloc never saw (a model
file's pages, reported apart, Kiwi's own allocator, thread stacks). The figure judged is the slope
of RSS over the second half of the run, in MB per 1,000 answers, fitted through every step there,
so one step's jump or drop does not decide it; the first steps fill caches and touch model pages
and are reported, not judged. The per-process caches keyed by text are listed with their sizes and
bounds, since a cache still filling is growth that stops at its bound.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import _lru_cache_wrapper
from pathlib import Path

from bot.app import channel_defaults
from bot.config import Settings
from bot.core.messages import Actor, Incoming
from bot.storage.repository import Repository
from bot.wiring import wire
from content import language_tools
from content.schema import Prompt
from evaluators import signals
from evaluators.embedding.allocator import malloc_totals
from evaluators.fitting.dev_set import DEV_SET_PATH
from evaluators.fitting.rows import read_rows, resolve_prompts
from evaluators.reading import morphology
from tools.bench.grading import prepared_grader
from tools.bench.ingest_service import CountingTransport
from tools.bench.table import Cell, Outcome, report

PLATFORM = "bench"
QUESTIONS = 8
"""Questions answered, each posted in its own channel."""
LEVEL_SLOPE_MB = 1.0
"""RSS levels off when it grows at most this much per 1,000 answers over the second half: a team
of 20 answering every day gives about 7,000 answers a year, so under 7 MB a year."""
LRU_CACHES: dict[str, Callable[..., object]] = {
    "morphology of a text (evaluators.reading.morphology)": morphology._analysed,
    "morphology of a bank's text (evaluators.reading.morphology)": morphology._bank_analysed,
    "lemmas of a bank's text (evaluators.reading.morphology)": morphology.bank_words,
    "Kiwi similarity of two morphemes (evaluators.reading.morphology)": morphology._similarity,
    "English stem of a word (content.language_tools)": language_tools.stem_en,
    "prompt as answered (evaluators.signals)": signals._named_in,
    "question's own concepts (evaluators.signals)": signals._question_concepts,
}


def status_mb(field: str) -> float:
    """One memory figure of this process from /proc (Linux): VmRSS is all of it resident,
    RssFile the part that is pages of mapped files (the model's weights), which the kernel can
    drop and read again."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


@dataclass(frozen=True)
class Step:
    answers: int
    rss_mb: float
    rss_file_mb: float
    malloc_in_use_mb: float | None
    malloc_held_mb: float | None


def step_after(answers: int) -> Step:
    totals = malloc_totals()
    mb = 1024 * 1024
    return Step(
        answers,
        status_mb("VmRSS"),
        status_mb("RssFile"),
        None if totals is None else totals.in_use / mb,
        None if totals is None else totals.held / mb,
    )


def slope_per_1000(points: list[tuple[int, float]]) -> float:
    """Least-squares slope of (answers, MB) points, in MB per 1,000 answers."""
    mean_x = sum(x for x, _ in points) / len(points)
    mean_y = sum(y for _, y in points) / len(points)
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    return 1000 * sum((x - mean_x) * (y - mean_y) for x, y in points) / spread


def second_half(steps: list[Step]) -> list[Step]:
    """The steps from the middle of the run on, at least the last two."""
    middle = steps[-1].answers / 2
    late = [s for s in steps if s.answers >= middle]
    return late if len(late) >= 2 else steps[-2:]


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
                service = wire(
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
                    steps.append(step_after(min(n, first + step)))
                    print(f"  {_step_line(steps[-1])}", flush=True)
            finally:
                await repo.close()
    return steps


def _step_line(s: Step) -> str:
    malloc = (
        ""
        if s.malloc_held_mb is None or s.malloc_in_use_mb is None
        else f", malloc held {s.malloc_held_mb:.1f} MB, in use {s.malloc_in_use_mb:.1f} MB"
    )
    return f"{s.answers} answers: RSS {s.rss_mb:.1f} MB (file pages {s.rss_file_mb:.1f}){malloc}"


def _cache_rows() -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    for name, cached in LRU_CACHES.items():
        assert isinstance(cached, _lru_cache_wrapper)
        info = cached.cache_info()
        rows.append([f"cache: {name}, entries", info.currsize, f"<= {info.maxsize}", None])
    return rows


def outcome(steps: list[Step]) -> Outcome:
    first, last = steps[0], steps[-1]
    late = second_half(steps)
    rss_slope = slope_per_1000([(s.answers, s.rss_mb) for s in late])
    file_slope = slope_per_1000([(s.answers, s.rss_file_mb) for s in late])
    in_use = [(s.answers, s.malloc_in_use_mb) for s in late if s.malloc_in_use_mb is not None]
    held = [(s.answers, s.malloc_held_mb) for s in late if s.malloc_held_mb is not None]
    in_use_slope = slope_per_1000(in_use) if len(in_use) == len(late) else None
    held_slope = slope_per_1000(held) if len(held) == len(late) else None
    levels_off = rss_slope <= LEVEL_SLOPE_MB
    span = f"{late[0].answers}-{last.answers} answers"
    rows: list[list[Cell]] = [
        [
            f"after {s.answers} answers: RSS / file pages / malloc held / in use, MB",
            _mb_triple(s),
            None,
            None,
        ]
        for s in steps
    ]
    rows += [
        [
            f"RSS slope over {span}, MB per 1000",
            round(rss_slope, 2),
            f"<= {LEVEL_SLOPE_MB}",
            levels_off,
        ],
        [f"RSS of file pages slope over {span}, MB per 1000", round(file_slope, 2), None, None],
        [f"malloc held slope over {span}, MB per 1000", _rounded(held_slope), None, None],
        [f"malloc in use slope over {span}, MB per 1000", _rounded(in_use_slope), None, None],
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
        "rss_file_mb": {str(s.answers): round(s.rss_file_mb, 1) for s in steps},
        "malloc_held_mb": {str(s.answers): _rounded(s.malloc_held_mb) for s in steps},
        "malloc_in_use_mb": {str(s.answers): _rounded(s.malloc_in_use_mb) for s in steps},
        "second_half_from": late[0].answers,
        "rss_slope_mb_per_1000": round(rss_slope, 2),
        "rss_file_slope_mb_per_1000": round(file_slope, 2),
        "malloc_held_slope_mb_per_1000": _rounded(held_slope),
        "malloc_in_use_slope_mb_per_1000": _rounded(in_use_slope),
        "level_slope_mb_per_1000": LEVEL_SLOPE_MB,
        "levels_off": levels_off,
        "rss_last_over_first": round(last.rss_mb / first.rss_mb, 3),
        "caches": {name: row[1] for name, row in zip(LRU_CACHES, _cache_rows(), strict=True)},
    }
    return Outcome(
        title=f"rss: one process grading {last.answers} distinct answers through the core",
        headers=["metric", "value", "bound", "met"],
        rows=rows,
        payload=payload,
        notes=[
            "file pages: the part of RSS that is mapped files (RssFile), such as the model's "
            "weights, touched as new tokens are first seen",
            "RSS read after a gc.collect() at each step; the real grader on a SQLite file",
            "malloc: glibc's mallinfo2 over all arenas; '-' where the C library is not glibc",
        ],
    )


def _rounded(mb: float | None) -> float | None:
    return None if mb is None else round(mb, 2)


def _mb_triple(s: Step) -> str:
    parts = [s.rss_mb, s.rss_file_mb, s.malloc_held_mb, s.malloc_in_use_mb]
    return " / ".join("-" if mb is None else f"{mb:.1f}" for mb in parts)


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
