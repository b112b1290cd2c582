"""The Ray backend beyond the shared job-API suite: several front ends on one cluster answer for
each other's jobs, embeddings are served by a batching Ray replica, and the local Ray instance
listens on loopback only (issue 18)."""

from __future__ import annotations

import asyncio
import ipaddress
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest

from compute.client import ComputeClient
from compute.config import ServiceConfig
from compute.schemas import JobStatus
from tests.compute.fake_service import backend_for_tests, fake_service, remove_board

pytestmark = pytest.mark.xdist_group("ray")


@pytest.fixture
def on_ray(ray_instance: None) -> Iterator[None]:
    with backend_for_tests("ray"):
        yield


async def _until(client: ComputeClient, job_id: str, state: str) -> JobStatus:
    for _ in range(400):
        status = await client.job(job_id)
        if status.status == state:
            return status
        await asyncio.sleep(0.05)
    raise AssertionError(f"job {job_id} never reached {state}: {status}")


@pytest.mark.usefixtures("on_ray")
async def test_a_job_posted_to_one_front_end_is_read_cancelled_and_fetched_through_another() -> (
    None
):
    shared = f"two-fronts-{os.getpid()}"
    async with (
        fake_service(ray_namespace=shared) as first_url,
        fake_service(ray_namespace=shared) as second_url,
        ComputeClient(first_url) as first,
        ComputeClient(second_url) as second,
    ):
        sleeper = await first.submit("polite-sleep", {"seconds": 30})
        running = await _until(second, sleeper.id, "running")
        seen_by_second = await second.health()
        cancelled = await second.cancel(sleeper.id)
        seen_by_first = await first.job(sleeper.id)

        quick = await first.submit("quick", {"lr": 0.7, "steps": 4})
        done = await second.wait(quick.id, poll=0.05)
        png = await second.image(done.images[0])
        again = await second.submit("quick", {"lr": 0.7, "steps": 4})
    remove_board(shared)
    assert running.demo == "polite-sleep"
    assert seen_by_second.running == 1 and seen_by_second.device == "ray/cpu"
    assert cancelled.status == "cancelled" and seen_by_first.status == "cancelled"
    assert done.status == "done" and done.metrics["lr"] == 0.7
    assert png.startswith(b"\x89PNG")
    assert again.cached and again.status == "done"


def _descendants(root: int) -> set[int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rpartition(")")[2].split()[1])
    found: set[int] = set()
    frontier = {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _socket_inodes(pids: set[int]) -> set[str]:
    inodes = set()
    for pid in pids:
        try:
            fds = list(Path(f"/proc/{pid}/fd").iterdir())
        except OSError:
            continue
        for fd in fds:
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    return inodes


def _listening(inodes: set[str]) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """Local addresses of the LISTEN sockets (state 0A) among `inodes`, from /proc/net."""
    addresses: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = []
    for table, width in (("tcp", 8), ("tcp6", 32)):
        for line in Path(f"/proc/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] != "0A" or fields[9] not in inodes:
                continue
            raw = bytes.fromhex(fields[1].split(":")[0][:width])
            # /proc/net stores each 32-bit word in host (little-endian) order
            packed = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
            addresses.append(ipaddress.ip_address(packed))
    return addresses


def test_the_local_ray_instance_listens_on_loopback_only(ray_instance: None) -> None:
    addresses = _listening(_socket_inodes(_descendants(os.getpid())))
    assert addresses, "found none of Ray's listening sockets"
    exposed = [
        a
        for a in addresses
        if not (
            a.is_loopback
            or (
                isinstance(a, ipaddress.IPv6Address)
                and a.ipv4_mapped is not None
                and a.ipv4_mapped.is_loopback
            )
        )
    ]
    assert not exposed, f"Ray listens off loopback: {exposed}"


@pytest.mark.usefixtures("on_ray")
async def test_embeddings_run_on_a_ray_replica_that_batches_concurrent_requests() -> None:
    namespace = f"embeddings-{os.getpid()}"
    async with (
        fake_service(ray_namespace=namespace) as url,
        # The first request waits for the replica to load the model: slow on a busy machine.
        httpx.AsyncClient(base_url=url, timeout=300) as http,
    ):
        pair = await http.post("/v1/embeddings", json={"input": ["a cat sat", "a dog ran"]})
        burst = await asyncio.gather(
            *(http.post("/v1/embeddings", json={"input": f"answer {i}"}) for i in range(8))
        )
        again = await http.post(
            "/v1/embeddings", json={"input": "a cat sat", "model": "all-MiniLM-L6-v2"}
        )
        other = await http.post("/v1/embeddings", json={"input": "x", "model": "text-ada-002"})
    import ray

    from compute.cluster.embeddings import REPLICA_NAME

    replica = ray.get_actor(f"{REPLICA_NAME}-0", namespace=namespace)
    passes: list[int] = ray.get(replica.batch_sizes.remote())
    ray.kill(replica)
    remove_board(namespace)
    assert pair.status_code == 200 and all(r.status_code == 200 for r in burst)
    rows = np.array([row["embedding"] for row in pair.json()["data"]])
    assert rows.shape == (2, 384) and np.allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-3)
    assert np.allclose(again.json()["data"][0]["embedding"], rows[0], atol=1e-4)
    assert other.status_code == 404
    assert sum(passes) == 10 and max(passes) > 1, passes


@pytest.mark.parametrize(
    ("settings", "cluster", "workers"),
    [
        ({}, {"CPU": 8.0}, 8),
        ({"demo_cpus": 2.0}, {"CPU": 7.0}, 3),
        ({"demo_gpus": 0.25}, {"CPU": 16.0, "GPU": 1.0}, 4),
        ({"demo_gpus": 0.25}, {"CPU": 2.0, "GPU": 1.0}, 2),
        ({"demo_gpus": 1.0}, {"CPU": 16.0}, 1),
        ({"workers": 5, "demo_gpus": 0.5}, {"CPU": 1.0, "GPU": 1.0}, 5),
    ],
)
def test_unset_workers_are_as_many_demos_as_the_cluster_holds_at_once(
    ray_instance: None, settings: dict[str, float], cluster: dict[str, float], workers: int
) -> None:
    from compute.cluster.board import BoardLimits

    limits = BoardLimits.of(ServiceConfig.model_validate(settings), cluster)
    assert limits.workers == workers
