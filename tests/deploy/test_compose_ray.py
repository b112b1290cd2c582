"""docker-compose.ray.yml, checked statically like the other compose files: a Ray head and one
GPU worker from the compute image, on the internal network only, and a compute service whose
Ray settings are ones it accepts (issue 18)."""

from __future__ import annotations

from typing import Any

import pytest

from compute.config import ServiceConfig
from tests.deploy.compose_files import BASE, ROOT, load, merge

RAY = ROOT / "docker-compose.ray.yml"


@pytest.fixture(scope="module")
def merged() -> dict[str, Any]:
    result = merge(load(BASE), load(RAY))
    assert isinstance(result, dict)
    return result


def test_a_ray_head_and_one_gpu_worker_run_the_compute_image(merged: dict[str, Any]) -> None:
    services = merged["services"]
    head, worker = services["ray-head"], services["ray-gpu-worker"]
    assert head["image"] == worker["image"] == services["compute"]["image"]
    assert head["command"][:3] == ["ray", "start", "--head"]
    assert "--address=ray-head:6379" in worker["command"]
    devices = worker["deploy"]["resources"]["reservations"]["devices"]
    assert devices == [{"driver": "nvidia", "count": 1, "capabilities": ["gpu"]}]


def test_ray_stays_on_the_internal_network_behind_a_token(merged: dict[str, Any]) -> None:
    for name in ("ray-head", "ray-gpu-worker", "compute"):
        service = merged["services"][name]
        assert service["networks"] == ["internal"], name
        assert "ports" not in service, name
        assert service["environment"]["RAY_AUTH_MODE"] == "token", name
        assert service["environment"]["RAY_AUTH_TOKEN"].startswith("${QUIZMASTER_RAY_TOKEN:?")


def test_the_compute_service_accepts_its_ray_settings(
    merged: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    environment = merged["services"]["compute"]["environment"]
    for name, value in environment.items():
        if name.startswith("QUIZMASTER_") and not str(value).startswith("$"):
            monkeypatch.setenv(name, str(value))
    config = ServiceConfig(_env_file=None)
    assert config.backend == "ray" and config.ray_address == "ray-head:6379"
    assert config.demo_gpus == 0.25 and config.workers == 3
    assert config.workers * config.demo_gpus + config.embedding_gpus <= 1.0  # the one GPU
    assert "deploy" not in merged["services"]["compute"]  # its models run on the worker
