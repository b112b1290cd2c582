"""Fixtures both chat platforms' suites share."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.team_notes import import_notes_bank


@pytest.fixture(scope="module")
def notes_bank(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The team notes bank of `tests.team_notes`, imported by the real CLI."""
    folder, _ = import_notes_bank(tmp_path_factory.mktemp("notes"))
    return folder
