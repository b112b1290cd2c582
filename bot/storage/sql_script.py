"""Cutting a SQLite script into statements, for the legacy SQL migrations and the head snapshot
alike: a trigger's body holds statements of its own, so the script is cut where SQLite says a
statement is complete (`sqlite3.complete_statement`), not at every semicolon."""

from __future__ import annotations

import sqlite3


def statements(script: str) -> list[str]:
    """The script's statements, each whole, in order."""
    found, pending = [], ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            found.append(pending.strip())
            pending = ""
    if pending.strip():
        found.append(pending.strip())
    return found
