"""`quizmaster compute` (serve the API) and `quizmaster demo` (run one demo here, write files)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Mapping
from pathlib import Path

from pydantic import SecretStr

from compute.catalog import Demo, catalog
from compute.config import InsecureBindError, ServiceConfig, check_bind
from compute.device import limit_threads, threads_per_worker
from compute.params import ParamsError, parse_assignments, parse_params


def serve_main(args: list[str], config: ServiceConfig) -> int:
    """`quizmaster compute ARGS`: serve with `config`, or with the token from --token-file."""
    parser = argparse.ArgumentParser(prog="quizmaster compute", description="Serve the demo API.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8700, help="port to listen on")
    parser.add_argument(
        "--token-file",
        type=Path,
        help="file holding the bearer token (default: QUIZMASTER_COMPUTE_TOKEN)",
    )
    parser.add_argument("--token", help=argparse.SUPPRESS)
    options = parser.parse_args(args)
    if options.token is not None:
        print(
            "quizmaster compute: --token is not accepted: a token on the command line shows in "
            "`ps` to every user. Set QUIZMASTER_COMPUTE_TOKEN or pass --token-file PATH.",
            file=sys.stderr,
        )
        return 2
    if options.token_file is not None:
        try:
            token = options.token_file.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            print(f"quizmaster compute: cannot read --token-file: {exc}", file=sys.stderr)
            return 2
        if not token:
            print(f"quizmaster compute: {options.token_file} is empty", file=sys.stderr)
            return 2
        config = config.model_copy(update={"token": SecretStr(token)})
    try:
        check_bind(options.host, config.token)
    except InsecureBindError as exc:
        print(f"quizmaster compute: {exc}", file=sys.stderr)
        return 2

    from compute.api.main import create_app
    from compute.embeddings import end_during_a_load
    from compute.serving import StoppableServer

    StoppableServer.serve_app(
        create_app(config, warm_embeddings=True), host=options.host, port=options.port
    )
    end_during_a_load(0)
    return 0


def demo_main(args: list[str]) -> int:
    """`quizmaster demo ARGS`: needs no settings, only the catalog."""
    parser = argparse.ArgumentParser(
        prog="quizmaster demo",
        description="Run one demo here and write its PNGs, metrics.json and summary.txt.",
        epilog="'quizmaster demo list' shows the demos and their parameters.",
    )
    parser.add_argument("name", help="demo name, or 'list'")
    parser.add_argument(
        "--param", "-p", action="append", default=[], metavar="NAME=VALUE", help="repeatable"
    )
    parser.add_argument("--out", type=Path, help="output folder (default: out/<name>)")
    options = parser.parse_args(args)
    demos = catalog()
    if options.name == "list":
        print(_listing(demos))
        return 0
    demo = demos.get(options.name)
    if demo is None:
        print(
            f"quizmaster demo: unknown demo {options.name!r}; known: {', '.join(sorted(demos))}",
            file=sys.stderr,
        )
        return 2
    try:
        params = parse_params(demo, parse_assignments(options.param))
    except ValueError as exc:
        print(f"quizmaster demo: {exc}", file=sys.stderr)
        if isinstance(exc, ParamsError):
            for err in exc.errors:
                print(f"  {err.field}: {err.message} (allowed: {err.allowed})", file=sys.stderr)
        return 2

    def progress(fraction: float, message: str) -> None:
        print(f"\r[{fraction:4.0%}] {message:<40}", end="", file=sys.stderr, flush=True)

    limit_threads(threads_per_worker(1))
    started = time.perf_counter()
    result = demo.run(params, progress)
    print(f"\n{demo.name}: {time.perf_counter() - started:.1f} s", file=sys.stderr)
    out: Path = options.out or Path("out") / demo.name
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for i, image in enumerate(result.images):
        path = out / f"{i}.png"
        path.write_bytes(image)
        written.append(path)
    metrics = out / "metrics.json"
    metrics.write_text(json.dumps(result.metrics, indent=2, ensure_ascii=False) + "\n")
    summary = out / "summary.txt"
    summary.write_text(f"{result.summary_ko}\n\n{result.summary_en}\n", encoding="utf-8")
    for path in [*written, metrics, summary]:
        print(path)
    return 0


def _listing(demos: Mapping[str, Demo]) -> str:
    lines = []
    for name in sorted(demos):
        demo = demos[name]
        lines.append(f"{name:<18} {demo.title_ko} / {demo.title_en} (~{demo.expected_seconds:g} s)")
        for field, info in demo.params.model_fields.items():
            lines.append(f"    {field}={info.default!r:<10} {info.description or ''}")
    return "\n".join(lines)
