"""Where log lines go, for every `quizmaster` command.

Our own records (`quizmaster.*`) follow `QUIZMASTER_LOG_LEVEL`; a library's records show only from
WARNING up, unless the level is DEBUG: httpx alone logs a line per request, and the bot polls a
running demo twice a second. The console keeps the terminal for the chat: everything goes to a
file next to the database, and only our own warnings reach the screen, one short line each.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import TextIO

OWN = "quizmaster"
PROGRESS = "quizmaster.progress"
LOG_FILE_NAME = "quizmaster.log"
FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
SCREEN_CHARS = 120


def is_own(record: logging.LogRecord) -> bool:
    return record.name == OWN or record.name.startswith(OWN + ".")


class LibrariesFromWarning(logging.Filter):
    """Lets our records through at the configured level, a library's only from WARNING up
    (from DEBUG when that is the level: a DEBUG run is for seeing everything)."""

    def __init__(self, level: int) -> None:
        super().__init__()
        self._library_floor = level if level <= logging.DEBUG else max(level, logging.WARNING)

    def filter(self, record: logging.LogRecord) -> bool:
        return is_own(record) or record.levelno >= self._library_floor


class OwnOnly(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return is_own(record)


class ScreenLine(logging.Formatter):
    """A warning as one short line for a person at a terminal; the full record (and any
    traceback) is in the log file it names."""

    def __init__(self, log_path: Path) -> None:
        super().__init__()
        self._log_path = log_path

    def format(self, record: logging.LogRecord) -> str:
        lines = record.getMessage().strip().splitlines()
        first = lines[0] if lines else record.levelname
        if len(first) > SCREEN_CHARS:
            first = first[: SCREEN_CHARS - 1].rstrip() + "…"
        return f"quizmaster: {record.levelname.lower()}: {first} (details: {self._log_path})"


def _install(handlers: list[logging.Handler], level: str) -> None:
    """Replace the root handlers; library progress bars (tqdm on stderr, not logging) go too,
    unless the level is DEBUG. Python warnings become log records like any other."""
    if level != "DEBUG":
        # Read when huggingface_hub and transformers are imported, which has not happened yet.
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    root = logging.getLogger()
    for old in root.handlers[:]:
        root.removeHandler(old)
        old.close()
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)
    logging.captureWarnings(True)


def log_to_stream(level: str, stream: TextIO | None = None) -> None:
    """Every command but the console bot: log lines on stderr (where services collect them)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(LibrariesFromWarning(logging.getLevelName(level)))
    _install([handler], level)


class ProgressOnly(logging.Filter):
    """The plain lines of a long step (`evaluators.progress`), below WARNING."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.name == PROGRESS and record.levelno < logging.WARNING


def log_to_file(path: Path, level: str, screen: TextIO | None = None) -> None:
    """The console bot: every record to `path`, our warnings and errors also to `screen` as one
    short line each. Where `screen` is no terminal (a pipe, a file), a long step's plain progress
    lines go there too: on a terminal it draws its bar instead."""
    path.parent.mkdir(parents=True, exist_ok=True)
    screen = screen or sys.stderr
    to_file = logging.FileHandler(path, encoding="utf-8")
    to_file.setFormatter(logging.Formatter(FORMAT))
    to_file.addFilter(LibrariesFromWarning(logging.getLevelName(level)))
    to_screen = logging.StreamHandler(screen)
    to_screen.setLevel(logging.WARNING)
    to_screen.setFormatter(ScreenLine(path))
    to_screen.addFilter(OwnOnly())
    handlers: list[logging.Handler] = [to_file, to_screen]
    if not screen.isatty():
        progress = logging.StreamHandler(screen)
        progress.setFormatter(logging.Formatter("quizmaster: %(message)s"))
        progress.addFilter(ProgressOnly())
        handlers.append(progress)
    _install(handlers, level)
