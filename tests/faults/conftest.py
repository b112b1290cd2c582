"""What the fault tests' bot processes share: a cache dir of the test's own. They run on the
default model, whose reference vectors ship and whose calibration is committed, so a start on an
empty cache dir is quick, and a killed process and its restart see the same files."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def run_cache(tmp_path: Path) -> Path:
    cache = tmp_path / "cache"
    cache.mkdir()
    return cache
