"""Reads compose files the way `docker compose` does, for the parts these tests look at.

No Docker engine runs where the tests run, so the files are checked statically: parsed with a
loader that knows compose's `!reset` and `!override` tags, and merged by the compose spec's rules
(mappings merge key by key, sequences append, `command`/`entrypoint`/`healthcheck.test` are
replaced, `!reset` removes, `!override` replaces).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
BASE = ROOT / "docker-compose.yml"
CPU = ROOT / "docker-compose.cpu.yml"

_REPLACED = {("command",), ("entrypoint",), ("healthcheck", "test")}


@dataclass(frozen=True)
class Reset:
    """`!reset`: the attribute is removed from the merged model."""


@dataclass(frozen=True)
class Override:
    """`!override`: the value replaces the earlier one instead of merging with it."""

    value: Any


class ComposeLoader(yaml.SafeLoader):
    """SafeLoader plus compose's two merge tags."""


def _reset(loader: yaml.SafeLoader, node: yaml.Node) -> Reset:
    return Reset()


def _override(loader: yaml.SafeLoader, node: yaml.Node) -> Override:
    if isinstance(node, yaml.MappingNode):
        return Override(loader.construct_mapping(node, deep=True))
    if isinstance(node, yaml.SequenceNode):
        return Override(loader.construct_sequence(node, deep=True))
    assert isinstance(node, yaml.ScalarNode)
    return Override(loader.construct_scalar(node))


ComposeLoader.add_constructor("!reset", _reset)
ComposeLoader.add_constructor("!override", _override)


def load(path: Path) -> dict[str, Any]:
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=ComposeLoader)
    assert isinstance(data, dict), f"{path.name}: top level is not a mapping"
    return data


def merge(base: Any, override: Any, path: tuple[str, ...] = ()) -> Any:
    """`override` applied on top of `base`, as `docker compose -f base -f override` would."""
    if isinstance(override, Override):
        return override.value
    if isinstance(override, dict):
        merged = dict(base) if isinstance(base, dict) else {}
        for key, value in override.items():
            if isinstance(value, Reset):
                merged.pop(key, None)
            else:
                merged[key] = merge(merged.get(key), value, (*path, str(key)))
        return merged
    if isinstance(base, list) and isinstance(override, list) and _tail(path) not in _REPLACED:
        return base + override
    return override


def _tail(path: tuple[str, ...]) -> tuple[str, ...]:
    """The attribute path inside one service (`services.<name>.` dropped)."""
    return path[2:] if path[:1] == ("services",) else path
