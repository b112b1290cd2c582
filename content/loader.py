"""Reads bank YAML files defensively: size cap, no YAML aliases, precise errors."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from content.bank import Bank
from content.schema import BankFile, Prompt

MAX_BANK_BYTES = 2_000_000
DEFAULT_BANK_DIR = Path(__file__).resolve().parent / "banks"


@dataclass(frozen=True)
class BankError(Exception):
    """A bank problem a person can fix: which file, which prompt, which field, and what."""

    file: str
    message: str
    prompt_id: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.prompt_id:
            where += f": prompt {self.prompt_id}"
        if self.field:
            where += f": {self.field}"
        return f"{where}: {self.message}"


class _NoAliasLoader(yaml.SafeLoader):
    """SafeLoader that refuses anchors/aliases, which is what billion-laughs files rely on."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.constructor.ConstructorError(
                None, None, "YAML aliases are not allowed in bank files", event.start_mark
            )
        return super().compose_node(parent, index)


def read_yaml(path: Path, *, max_bytes: int = MAX_BANK_BYTES) -> Any:
    """Parse one YAML file within the size cap; raises BankError with the file name."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise BankError(str(path), f"cannot read: {exc.strerror}") from None
    if size > max_bytes:
        raise BankError(str(path), f"file is {size:,} bytes; the limit is {max_bytes:,}")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise BankError(str(path), "not UTF-8 text") from None
    try:
        return yaml.load(text, Loader=_NoAliasLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" (line {mark.line + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise BankError(str(path), f"invalid YAML{line}: {problem}") from None


def _field_error(path: Path, raw: Any, exc: ValidationError) -> BankError:
    err = exc.errors()[0]
    loc = list(err["loc"])
    prompt_id: str | None = None
    if len(loc) >= 2 and loc[0] == "prompts" and isinstance(loc[1], int):
        prompts = raw.get("prompts") if isinstance(raw, dict) else None
        if isinstance(prompts, list) and loc[1] < len(prompts) and isinstance(prompts[loc[1]], dict):
            prompt_id = str(prompts[loc[1]].get("id", f"#{loc[1]}"))
        else:
            prompt_id = f"#{loc[1]}"
        loc = loc[2:]
    field = ".".join(str(part) for part in loc) or None
    message = err["msg"].removeprefix("Value error, ")
    return BankError(str(path), message, prompt_id=prompt_id, field=field)


def load_file(path: Path) -> BankFile:
    raw = read_yaml(path)
    if not isinstance(raw, dict):
        raise BankError(str(path), "expected a mapping with 'bank' and 'prompts' at the top")
    try:
        return BankFile.model_validate(raw)
    except ValidationError as exc:
        raise _field_error(path, raw, exc) from None


def bank_files(paths: Iterable[Path]) -> list[Path]:
    """Every *.yaml under the given folders (sorted), plus files named directly."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(path.rglob("*.yaml")))
        else:
            found.append(path)
    return found


def load_bank(paths: Sequence[Path] = (DEFAULT_BANK_DIR,)) -> Bank:
    """Load and cross-check every bank file: unique ids and follow-ups whose parent exists."""
    prompts: list[Prompt] = []
    origin: dict[str, Path] = {}
    for path in bank_files(paths):
        for prompt in load_file(path).prompts:
            if prompt.id in origin:
                raise BankError(
                    str(path), f"duplicate id, first defined in {origin[prompt.id]}", prompt.id, "id"
                )
            origin[prompt.id] = path
            prompts.append(prompt)
    for prompt in prompts:
        if prompt.parent is not None and prompt.parent not in origin:
            raise BankError(
                str(origin[prompt.id]), f"unknown parent {prompt.parent!r}", prompt.id, "parent"
            )
    if not prompts:
        raise BankError(", ".join(str(p) for p in paths), "no prompts found")
    return Bank(prompts)
