"""`quizmaster bench all`: one table of every benchmark's figures with the machine, date and
commit, a failed benchmark shown as failed, and docs/performance.md exactly what its own
payloads render, so the page is regenerated, never edited by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.checkout import ROOT
from bench.figures import ORDER, payloads_of, render, run_bench

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
    assert set(runs) <= set(ORDER) and runs
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
