"""`bench embeddings`: the compute service's `POST /v1/embeddings` on the GPU against the same
service on the CPU, in one run on one machine.

Two real `quizmaster compute` processes, one after the other: the first sees the machine's GPU
(fp16 on CUDA), the second is started with `CUDA_VISIBLE_DEVICES=` and embeds in float32 on the
CPU. Each gets the same texts (the graded dev set's answers, numbered past the first round so
every text is distinct) from several concurrent clients, as bot replicas send them, after one
unmeasured warm-up round. The figure is texts/s on each device and their ratio. On a machine
without a GPU the first process reports `cpu`; the bench then measures the CPU alone and says so.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from dataclasses import dataclass

import httpx
import numpy as np

from bot.config import Settings
from compute.embeddings import input_problem
from evaluators.fitting.dev_set import DEV_SET_PATH
from evaluators.fitting.rows import read_rows
from tools.bench.compute_process import ComputeProcess, compute_process, wait_warm
from tools.bench.table import Cell, Outcome, percentile, report


@dataclass(frozen=True)
class DeviceRun:
    device: str
    texts_per_s: float
    tokens_per_s: float
    single_p50_ms: float
    dimension: int


def bench_texts(n: int) -> list[str]:
    """`n` distinct real answers: the dev set's, repeated with a round number when n is larger
    (the service embeds each distinct text of a batch once; repeats would flatter it). Blank
    answers, which the service refuses, are left out."""
    answers = (row.answer for row in read_rows(DEV_SET_PATH))
    base = list(dict.fromkeys(a for a in answers if a.strip() and input_problem([a]) is None))
    return [
        base[i % len(base)] if i < len(base) else f"{base[i % len(base)]} ({i // len(base)})"
        for i in range(n)
    ]


async def _post(client: httpx.AsyncClient, texts: list[str]) -> tuple[np.ndarray, int]:
    reply = await client.post("/v1/embeddings", json={"input": texts})
    if reply.status_code != 200:
        raise RuntimeError(f"/v1/embeddings answered {reply.status_code}: {reply.text[:200]}")
    body = reply.json()
    vectors = np.array([row["embedding"] for row in body["data"]], dtype=np.float32)
    if vectors.shape[0] != len(texts):
        raise RuntimeError(f"asked for {len(texts)} vectors, got {vectors.shape[0]}")
    if not np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-2):
        raise RuntimeError("the service returned vectors that are not unit length")
    return vectors, int(body["usage"]["total_tokens"])


async def _measure(
    service: ComputeProcess, texts: list[str], *, per_request: int, clients: int, singles: int
) -> DeviceRun:
    health = await wait_warm(service)
    requests = [texts[i : i + per_request] for i in range(0, len(texts), per_request)]
    async with httpx.AsyncClient(
        base_url=service.url,
        headers={"Authorization": f"Bearer {service.token}"},
        timeout=300,
        limits=httpx.Limits(max_connections=clients),
    ) as client:
        warm_up = [f"warm-up {text}" for text in texts[: clients * per_request]]
        await asyncio.gather(
            *(
                _post(client, warm_up[i : i + per_request])
                for i in range(0, len(warm_up), per_request)
            )
        )
        pending = iter(requests)
        tokens = 0
        dimension = 0

        async def worker() -> None:
            nonlocal tokens, dimension
            for request in pending:
                vectors, used = await _post(client, request)
                tokens += used
                dimension = vectors.shape[1]

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        elapsed = time.perf_counter() - started
        latencies = []
        for text in texts[:singles]:
            one = time.perf_counter()
            await _post(client, [f"single {text}"])
            latencies.append((time.perf_counter() - one) * 1000)
    return DeviceRun(
        device=str(health["device"]),
        texts_per_s=len(texts) / elapsed,
        tokens_per_s=tokens / elapsed,
        single_p50_ms=percentile(latencies, 50),
        dimension=dimension,
    )


def measure(settings: Settings, *, n: int, per_request: int, clients: int, singles: int) -> Outcome:
    texts = bench_texts(n)

    def run(env: dict[str, str]) -> DeviceRun:
        with compute_process(settings.cache_dir, env) as service:
            return asyncio.run(
                _measure(service, texts, per_request=per_request, clients=clients, singles=singles)
            )

    first = run({})
    gpu = first if first.device == "cuda" else None
    cpu = first if gpu is None else run({"CUDA_VISIBLE_DEVICES": ""})
    measured = [cpu] if gpu is None else [gpu, cpu]
    rows: list[list[Cell]] = [
        [
            run.device,
            round(run.texts_per_s, 1),
            round(run.tokens_per_s),
            round(run.single_p50_ms, 1),
            run.dimension,
        ]
        for run in measured
    ]
    ratio = None if gpu is None else gpu.texts_per_s / cpu.texts_per_s
    payload: dict[str, object] = {
        "bench": "embeddings",
        "texts": n,
        "per_request": per_request,
        "clients": clients,
        "cpu_texts_per_s": round(cpu.texts_per_s, 2),
        "cuda_texts_per_s": None if gpu is None else round(gpu.texts_per_s, 2),
        "cuda_over_cpu": None if ratio is None else round(ratio, 2),
        "cpu_single_p50_ms": round(cpu.single_p50_ms, 2),
        "cuda_single_p50_ms": None if gpu is None else round(gpu.single_p50_ms, 2),
    }
    notes = [
        f"{n} texts in requests of {per_request} from {clients} concurrent clients, after one "
        "warm-up round; single: one text per request, one at a time"
    ]
    notes.append(
        "no CUDA device visible: measured on the CPU alone"
        if gpu is None
        else f"CUDA (fp16) / CPU (float32): {ratio:.1f}x the texts per second"
    )
    return Outcome(
        title="embeddings: POST /v1/embeddings of the compute service, GPU vs CPU",
        headers=["device", "texts/s", "tokens/s", "single p50 ms", "dimension"],
        rows=rows,
        payload=payload,
        notes=notes,
    )


def main(argv: list[str], settings: Settings) -> int:
    parser = argparse.ArgumentParser(
        prog="quizmaster bench embeddings",
        description="Texts/s of the compute service's POST /v1/embeddings on CUDA (fp16) "
        "and on the CPU, same texts, same run.",
    )
    parser.add_argument("--n", type=int, default=2048, help="texts measured (default 2048)")
    parser.add_argument(
        "--per-request", type=int, default=8, help="texts in each request (default 8)"
    )
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (default 16)")
    parser.add_argument(
        "--singles", type=int, default=30, help="one-text requests for the latency (default 30)"
    )
    parser.add_argument("--json", action="store_true", help="end with one JSON line")
    args = parser.parse_args(argv)
    if min(args.n, args.per_request, args.clients, args.singles) < 1:
        parser.error("--n, --per-request, --clients and --singles must be positive")
    if args.per_request > 256:
        parser.error("--per-request: the service takes at most 256 texts per request")
    outcome = measure(
        settings,
        n=args.n,
        per_request=args.per_request,
        clients=args.clients,
        singles=args.singles,
    )
    report(outcome, as_json=args.json)
    return 0
