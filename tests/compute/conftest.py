"""Demos run in this process during tests: give torch the thread count the service would.

The Ray backend's tests of one file share one local Ray instance (`ray_instance`), stopped when
the file ends. They are marked `xdist_group("ray")`, which only `--dist loadgroup` reads: under
`make test`'s `--dist loadfile` each file stays on one worker.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import torch

from compute.device import threads_per_worker
from tests.compute.fake_service import Backend, backend_for_tests


@pytest.fixture(autouse=True, scope="session")
def _torch_threads() -> None:
    torch.set_num_threads(threads_per_worker(1))


@pytest.fixture(scope="module")
def ray_instance() -> Iterator[None]:
    """A local Ray instance on loopback: 2 CPUs, a 100 MB object store, no dashboard. It must
    start from the pip install alone: a failure here fails the tests that need it. Stopped with
    the file that started it: kept to the end of the session, its idle daemons spent about 1.7 s
    of CPU a minute (psutil) beside the other workers' tests, and a start and stop costs 3.6 s."""
    from compute.cluster.connect import start_local

    start_local(num_cpus=2, object_store_mb=100)
    import ray

    yield
    ray.shutdown()


@pytest.fixture(
    params=["local", pytest.param("ray", marks=pytest.mark.xdist_group("ray"))],
)
def both_backends(request: pytest.FixtureRequest) -> Iterator[Backend]:
    """Runs a test once per backend: `fake_service` serves on the local runner, then on Ray."""
    backend: Backend = request.param
    if backend == "ray":
        request.getfixturevalue("ray_instance")
    with backend_for_tests(backend):
        yield backend
