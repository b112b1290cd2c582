"""The one mechanism behind every text a member reads: a catalogue per surface (the chat's
`bot/core/texts.yaml`, the web page's `bot/web/texts.yaml`, the grader's feedback and rule
messages in `evaluators/texts.yaml`), each message under its key in Korean and English, read and
checked once when the surface's module is imported. It lives on the ground floor so the grader,
which never imports the bot, reads its texts through the same lookup.

The messages are data, not code, so a translator edits one file per surface and the two surfaces
share the lookup and the formatting below instead of writing them twice. An English count is
written `{answers:answer|answers}` ("1 answer", "2 answers"; Korean counters need no plural), a
place in a queue `{position:ordinal}` ("1st", "2nd").
"""

from __future__ import annotations

import string
from pathlib import Path

from content.loader import read_yaml
from content.schema import Lang

LANGS: tuple[Lang, ...] = ("ko", "en")


class CatalogueError(Exception):
    """A catalogue file that is not a mapping of keys to a Korean and an English text: named
    with its file and key, at import, so a broken edit never reaches a member."""


def _ordinal(position: int) -> str:
    """1st, 2nd, 3rd, 4th, ... 21st (English)."""
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(position if position < 20 else position % 10, "th")
    return f"{position}{suffix}"


class _Counts(string.Formatter):
    """`str.format`, plus the `{n:one|many}` field (the number, then the word that agrees) and
    the `{n:ordinal}` field (1st, 2nd, ...)."""

    def format_field(self, value: object, format_spec: str) -> str:
        if format_spec == "ordinal" and isinstance(value, int):
            return _ordinal(value)
        if "|" in format_spec:
            one, many = format_spec.split("|", 1)
            return f"{value} {one if value == 1 else many}"
        return str(super().format_field(value, format_spec))


_FORMATTER = _Counts()


def _entries(path: Path) -> dict[str, tuple[str, str]]:
    """The file's messages as (Korean, English) by key; CatalogueError on anything else."""
    data = read_yaml(path, scalars_as_text=True)
    if not isinstance(data, dict):
        raise CatalogueError(f"{path}: expected a mapping of message keys")
    entries: dict[str, tuple[str, str]] = {}
    for key, message in data.items():
        if not isinstance(message, dict) or set(message) != set(LANGS):
            raise CatalogueError(f"{path}: {key}: expected exactly the keys ko and en")
        ko, en = message["ko"], message["en"]
        if not isinstance(ko, str) or not isinstance(en, str) or not ko or not en:
            raise CatalogueError(f"{path}: {key}: ko and en must both be non-empty text")
        entries[str(key)] = (ko, en)
    return entries


class Catalogue:
    """One surface's messages: look one up by key and language, filled in or not."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._entries = _entries(path)

    def message_keys(self) -> list[str]:
        """Every message key (tests render each one)."""
        return list(self._entries)

    def has(self, key: str) -> bool:
        return key in self._entries

    def template(self, lang: Lang, key: str) -> str:
        """The message `key` in `lang` (Korean unless 'en') before its values are filled in."""
        ko, en = self._entries[key]
        return en if lang == "en" else ko

    def text(self, lang: Lang, key: str, **values: object) -> str:
        """The message `key` in `lang`, with `values` filled in."""
        return _FORMATTER.format(self.template(lang, key), **values)
