"""`quizmaster bench` finds `tools/bench/` beside the `bot/` it runs from, and says what to do
where there is none (an installed wheel or an image). Each case is a real `python -m bot.cli`
whose path holds `bot/` and the other packages but not `tools/bench/`, as an install's
site-packages does."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from compute.catalog import catalog
from tests.cli_process import run_quizmaster
from tools.bench.demos import time_demo

ROOT = Path(__file__).resolve().parents[2]
OTHER_PACKAGES = ("content", "evaluators", "compute")


def _env(site: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(site), "HF_HUB_OFFLINE": "1"}


def _site(tmp_path: Path) -> Path:
    """A folder for the child's path with the other packages linked in, and no `tools/bench/`."""
    site = tmp_path / "site"
    site.mkdir()
    for package in OTHER_PACKAGES:
        (site / package).symlink_to(ROOT / package)
    return site


def test_from_a_checkout_it_finds_the_bench_beside_bot(tmp_path: Path) -> None:
    """`bot/` is linked in, so it resolves to this checkout, where `tools/bench/` lies beside it."""
    site = _site(tmp_path)
    (site / "bot").symlink_to(ROOT / "bot")
    done = run_quizmaster(["bench"], env=_env(site), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "usage: quizmaster bench NAME" in done.stdout
    assert all(name in done.stdout for name in ("grading", "ingest", "demos", "memory"))


def test_without_a_checkout_it_says_in_one_line_what_to_do(tmp_path: Path) -> None:
    """`bot/` is a copy, as an install has: nothing named `bench` lies beside it."""
    site = _site(tmp_path)
    shutil.copytree(ROOT / "bot", site / "bot", ignore=shutil.ignore_patterns("__pycache__"))
    done = run_quizmaster(["bench", "grading"], env=_env(site), cwd=tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1
    assert "run it from a git checkout" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_demo_without_a_twin_is_timed_alone_and_not_judged() -> None:
    timing = time_demo(catalog()["gradient-descent"], repeat=1)
    assert timing.total_s > 0 and timing.plain_s is None
    assert timing.compute_ratio is None and timing.total_ratio is None
    assert timing.overhead_met is None
