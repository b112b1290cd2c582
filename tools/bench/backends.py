"""`bench demos --backend ray`: the same demos through the real compute service on the local
backend and on Ray, in one run, so the ratio compares like with like.

- per job: submit to done, one job at a time, the best of `--repeat` runs per demo on each
  backend; Ray's cost is the ratio (target <= 1.3x for demos of 1 s or more).
- throughput: `--queued` jobs submitted at once, wall time until the last is done.
Both services have the same number of workers and the result cache off, and each is warmed by
one job per demo first (the fork server, or the Ray worker, imports torch and the demo once).
Ray is a local instance started here, on loopback.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import time
from dataclasses import dataclass

from compute.api.main import create_app
from compute.client import ComputeClient
from compute.config import ServiceConfig
from compute.device import cpu_cores
from compute.embedded import serve_in_thread
from compute.schemas import ParamValue
from tools.bench.table import Cell, Outcome

OVERHEAD_TARGET = 1.3
MIN_JUDGED_S = 1.0
BACKENDS = ("local", "ray")
_seeds = itertools.count(1000)


@dataclass(frozen=True)
class BackendRun:
    """One backend's best job time per demo, and its time for the queued batch."""

    job_s: dict[str, float]
    batch_s: float


async def _job(client: ComputeClient, name: str) -> float:
    """Seconds from submit to done, with a seed not used before (never a cache hit)."""
    params: dict[str, ParamValue] = {"seed": next(_seeds)}
    start = time.perf_counter()
    ticket = await client.submit(name, params)
    await client.wait(ticket.id, poll=0.02, timeout=600.0)
    return time.perf_counter() - start


async def _batch(client: ComputeClient, name: str, count: int) -> float:
    start = time.perf_counter()
    tickets = [await client.submit(name, {"seed": next(_seeds)}) for _ in range(count)]
    await asyncio.gather(*(client.wait(t.id, poll=0.05, timeout=900.0) for t in tickets))
    return time.perf_counter() - start


async def run_backend(
    backend: str, names: list[str], *, repeat: int, workers: int, queued: int, batch_demo: str
) -> BackendRun:
    config = ServiceConfig(
        backend="ray" if backend == "ray" else "local",
        workers=workers,
        queue_size=max(16, queued),
        job_timeout_s=600.0,
        cache_entries=0,
        ray_namespace=f"bench-{os.getpid()}",
    )
    async with serve_in_thread(create_app(config)) as url, ComputeClient(url) as client:
        for name in dict.fromkeys([*names, batch_demo]):
            await _job(client, name)
        job_s = {}
        for name in names:
            job_s[name] = min([await _job(client, name) for _ in range(repeat)])
        batch_s = await _batch(client, batch_demo, queued)
    return BackendRun(job_s, batch_s)


def measure(names: list[str], *, repeat: int, queued: int, batch_demo: str) -> Outcome:
    from compute.cluster.connect import start_local

    cores = cpu_cores()
    workers = max(1, cores // 2)
    start_local(num_cpus=cores)
    runs = {
        backend: asyncio.run(
            run_backend(
                backend,
                names,
                repeat=repeat,
                workers=workers,
                queued=queued,
                batch_demo=batch_demo,
            )
        )
        for backend in BACKENDS
    }
    local, ray_run = runs["local"], runs["ray"]
    rows: list[list[Cell]] = []
    demos: dict[str, dict[str, object]] = {}
    for name in names:
        ratio = ray_run.job_s[name] / local.job_s[name]
        judged = local.job_s[name] >= MIN_JUDGED_S
        met = ratio <= OVERHEAD_TARGET if judged else None
        demos[name] = {
            "local_s": round(local.job_s[name], 3),
            "ray_s": round(ray_run.job_s[name], 3),
            "ray_overhead_s": round(ray_run.job_s[name] - local.job_s[name], 3),
            "ratio": round(ratio, 3),
            "target_met": met,
        }
        rows.append([name, local.job_s[name], ray_run.job_s[name], ratio, met])
    per_min = {b: round(queued / r.batch_s * 60, 2) for b, r in runs.items()}
    rows.append([f"{queued} queued {batch_demo} (s)", local.batch_s, ray_run.batch_s, None, None])
    rows.append(["  jobs/min", per_min["local"], per_min["ray"], None, None])
    payload = {
        "bench": "demos",
        "backend": "ray",
        "workers": workers,
        "repeat": repeat,
        "demos": demos,
        "overhead_target": f"ray <= {OVERHEAD_TARGET}x local for demos of >= {MIN_JUDGED_S:g} s",
        "all_overhead_target_met": all(d["target_met"] is not False for d in demos.values()),
        "queued": {
            "demo": batch_demo,
            "jobs": queued,
            "local_s": round(local.batch_s, 2),
            "ray_s": round(ray_run.batch_s, 2),
            "jobs_per_min": per_min,
        },
    }
    return Outcome(
        title=(
            f"demos through the service, local vs ray backend: {workers} worker(s) each, "
            f"best of {repeat}, cache off"
        ),
        headers=["demo", "local s", "ray s", "ray/local", f"<= {OVERHEAD_TARGET}x"],
        rows=rows,
        payload=payload,
        notes=[
            "submit to done through the real HTTP service, one job at a time; "
            "Ray: a local instance on loopback started by the bench",
            f"the ratio is judged where the local job takes >= {MIN_JUDGED_S:g} s",
        ],
    )
