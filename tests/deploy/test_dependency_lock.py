"""uv.lock, which `make venv` installs from (`uv sync --locked`, CI included): it holds every pin
pyproject.toml makes, and torch as the CPU wheel that lies on this machine's disk, never a CUDA
build (several GB of nvidia-* wheels downloaded); and docker/requirements.txt, which the images
install from, holds the lock's versions."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==([^;\s]+)")


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _locked() -> dict[str, dict[str, Any]]:
    lock = tomllib.loads((REPO_ROOT / "uv.lock").read_text(encoding="utf-8"))
    return {_normal(package["name"]): package for package in lock["package"]}


def _pinned() -> dict[str, str]:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    pins = {}
    for requirement in requirements:
        found = PIN.match(requirement)
        assert found, f"{requirement!r}: pyproject pins every dependency with =="
        pins[_normal(found[1])] = found[2]
    return pins


def test_the_lock_holds_every_version_pyproject_pins() -> None:
    locked = _locked()
    for name, version in _pinned().items():
        assert name in locked, f"{name} is not in uv.lock: run `make lock`"
        # torch==2.13.0 is met by the local build 2.13.0+cpu (PEP 440 ignores a local label).
        assert locked[name]["version"].split("+")[0] == version, (
            f"{name}: pyproject pins {version}, uv.lock holds {locked[name]['version']}: "
            "run `make lock`"
        )


def test_torch_is_the_cpu_wheel_on_disk_and_nothing_pulls_cuda() -> None:
    locked = _locked()
    torch = locked["torch"]
    assert torch["version"].endswith("+cpu")
    assert torch["source"] == {"registry": "/opt/wheels"}
    assert [wheel["path"] for wheel in torch["wheels"]] == [
        "/opt/wheels/torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl"
    ]
    cuda = [name for name in locked if name.startswith(("nvidia-", "triton", "cuda-"))]
    assert not cuda, cuda


def test_the_images_requirements_are_the_locks_versions_of_every_dependency() -> None:
    """docker/requirements.txt (`make lock` exports it) pins uv.lock's version of every runtime
    dependency, direct or not; a pin that differs, or one missing, fails here until `make lock`
    writes it again. torch comes from the index each image names, never from this file."""
    locked = _locked()
    text = (REPO_ROOT / "docker" / "requirements.txt").read_text(encoding="utf-8")
    pins = {
        _normal(name): version
        for line in text.splitlines()
        if line and not line.startswith("#")
        for name, version in [line.split("==")]
    }
    assert pins == {name: locked[name]["version"] for name in pins}
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    direct = {_normal(found[1]) for d in project["dependencies"] if (found := PIN.match(d))}
    assert direct - {"torch"} <= set(pins), direct - set(pins)
    assert "torch" not in pins
