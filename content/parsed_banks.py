"""Bank files parsed before, found by their text's digest: in this process's memory, and, for
the shipped bank's files, on disk beside them (`content/banks/__pycache__/`), as Python keeps
bytecode beside its sources.

Parsing the shipped bank is a third of a second of CPU, nearly all of it YAML, and every start
of the bot and every command that grades reads all of it; a process may open the service several
times (the test suite opens it hundreds of times). What is kept is the YAML's data, read back as
JSON (a twelfth of the time) and checked against the schema at every load as before: a file
edited since has another digest and is parsed anew, and a kept file that cannot be read, or
written (a read-only install), costs only the parse. Team files are kept in memory only: their
folder is theirs, and each edit would leave a file behind."""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path
from typing import Any

import yaml

from content.schema import BankFile

KEPT_IN_MEMORY = 64
"""Parsed files kept in memory: the shipped bank's 26 and a team's own."""
FORMAT = f"1-pyyaml{yaml.__version__}"
"""Part of every kept file's name: a new format, or a PyYAML that reads YAML otherwise, never
reads an older one."""

_memory: dict[bytes, BankFile] = {}
_memory_lock = threading.Lock()


def digest(text: str) -> bytes:
    """What a file's text is found by: an edit, even to the same size within one clock tick,
    gives another."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=20).digest()


def parsed(key: bytes) -> BankFile | None:
    """The file of this digest as parsed before in this process, if it was."""
    with _memory_lock:
        return _memory.get(key)


def remember(key: bytes, bank_file: BankFile) -> None:
    """Keep a parsed file (immutable, so every bank loaded from the same text shares it)."""
    with _memory_lock:
        if len(_memory) >= KEPT_IN_MEMORY:
            del _memory[next(iter(_memory))]
        _memory[key] = bank_file


def kept_data(folder: Path, key: bytes) -> Any | None:
    """The YAML data of the file of this digest, as a process kept it in `folder`; None when
    none did or it cannot be read."""
    try:
        return json.loads(_kept_path(folder, key).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def keep_data(folder: Path, key: bytes, data: Any) -> None:
    """Keep a file's YAML data in `folder` for the next process, written whole (a reader never
    sees half of it); data JSON would not give back as it is (a date, a number as a key) is not
    kept."""
    try:
        text = json.dumps(data, ensure_ascii=False)
        if json.loads(text) != data:
            return
    except (TypeError, ValueError):
        return
    path = _kept_path(folder, key)
    partial = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.partial")
    try:
        folder.mkdir(exist_ok=True)
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, path)
    except OSError:
        partial.unlink(missing_ok=True)


def _kept_path(folder: Path, key: bytes) -> Path:
    return folder / f"bank-{key.hex()}.{FORMAT}.json"
