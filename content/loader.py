"""Reads bank YAML files defensively: size cap, no YAML aliases, precise errors."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from yaml._yaml import CParser
from yaml.composer import Composer
from yaml.constructor import BaseConstructor, SafeConstructor
from yaml.resolver import BaseResolver, Resolver

from content import parsed_banks
from content.bank import TEAM_SUBJECT, Bank
from content.schema import BankFile, Lang, Prompt, parse_bank_file
from content.schema_problems import schema_problem

MAX_BANK_BYTES = 2_000_000
DEFAULT_BANK_DIR = Path(__file__).resolve().parent / "banks"
PARSED_DIR = DEFAULT_BANK_DIR / "__pycache__"
"""Where the shipped bank's files are kept parsed (`content.parsed_banks`)."""


@dataclass(frozen=True)
class BankError(Exception):
    """A bank problem a person can fix: which file, which prompt, which field or line, and what:
    the what as the key of a message in the bank's catalogue (`content/texts.yaml`) and the
    values that fill it, never a sentence, so the web page and the chat say it in their reader's
    language (`content.texts.problem`). `str()` is the English line the command line prints."""

    file: str
    key: str
    values: Mapping[str, object] = dataclass_field(default_factory=dict, hash=False)
    prompt_id: str | None = None
    field: str | None = None
    line: int | None = None

    @property
    def message(self) -> str:
        """The problem in English, without where (the command line's)."""
        return self.said("en")

    def said(self, lang: Lang) -> str:
        """The problem in `lang`, without where."""
        # Imported here: the catalogue reads its YAML through this module.
        from content.texts import problem

        return problem(lang, self)

    def __str__(self) -> str:
        from content.texts import located

        return located("en", self)


class _GuardedComposer:
    """Refuses anchors/aliases (what billion-laughs files rely on) and repeated mapping keys
    (PyYAML silently keeps the last one, so half of an edit would vanish without a word)."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):  # type: ignore[attr-defined]
            event = self.peek_event()  # type: ignore[attr-defined]
            raise yaml.constructor.ConstructorError(
                None, None, "YAML aliases are not allowed in bank files", event.start_mark
            )
        return super().compose_node(parent, index)  # type: ignore[misc]

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        mapping = super().construct_mapping(node, deep)  # type: ignore[misc]
        if len(mapping) < len(node.value):
            seen: set[Any] = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node)  # type: ignore[attr-defined]
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"key {key!r} appears twice", key_node.start_mark
                    )
                seen.add(key)
        return mapping


class _NoAliasLoader(_GuardedComposer, Composer, CParser, SafeConstructor, Resolver):
    """The loader for bank files: the guards above on PyYAML's composer, written in Python so
    that they see every event, over libyaml's scanner and parser (in every PyYAML wheel), which
    read the bank in a sixth of the time PyYAML's pure-Python ones take; every start of the bot
    and every command that grades reads all of it."""

    def __init__(self, stream: str) -> None:
        CParser.__init__(self, stream)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)


class _TextScalarLoader(_GuardedComposer, Composer, CParser, BaseConstructor, BaseResolver):
    """Keeps every scalar as the text its author wrote, so an answer `yes` stays "yes"."""

    def __init__(self, stream: str) -> None:
        CParser.__init__(self, stream)
        Composer.__init__(self)
        BaseConstructor.__init__(self)
        BaseResolver.__init__(self)


def read_text_file(path: Path, *, max_bytes: int = MAX_BANK_BYTES) -> str:
    """A UTF-8 file's text, reading no more than the cap even from a huge or endless file."""
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise BankError(str(path), "file_unreadable", {"reason": exc.strerror or exc}) from None
    if len(data) > max_bytes:
        raise BankError(str(path), "file_too_big", {"cap": f"{max_bytes:,}"})
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BankError(str(path), "file_not_utf8", {"offset": exc.start}) from None


def read_yaml(path: Path, *, max_bytes: int = MAX_BANK_BYTES, scalars_as_text: bool = False) -> Any:
    """Parse one YAML file within the size cap; raises BankError with the file name.

    `scalars_as_text` keeps `yes`, `1.0` or `0x10` as strings, for foreign lists (trivia) whose
    authors never meant YAML 1.1 booleans or numbers."""
    return _parsed_yaml(path, read_text_file(path, max_bytes=max_bytes), scalars_as_text)


def _parsed_yaml(path: Path, text: str, scalars_as_text: bool = False) -> Any:
    """`text`, read from `path`, parsed as `read_yaml` says."""
    loader = _TextScalarLoader(text) if scalars_as_text else _NoAliasLoader(text)
    try:
        return loader.get_single_data()  # what yaml.load does, with our (safe) loaders
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        if mark is None:
            raise BankError(str(path), "yaml_invalid", {"problem": problem}) from None
        raise BankError(
            str(path), "yaml_invalid_at", {"line": mark.line + 1, "problem": problem}
        ) from None
    except RecursionError:
        raise BankError(str(path), "yaml_too_deep") from None
    except (ValueError, OverflowError) as exc:
        # PyYAML lets these escape for values such as the date 2020-13-01 or a 5,000-digit int.
        raise BankError(str(path), "yaml_bad_value", {"problem": exc}) from None
    finally:
        loader.dispose()


def validation_errors(path: Path, raw: Any, exc: ValidationError) -> list[BankError]:
    """Every schema error of one file, each naming its prompt id (or #index) and field path."""
    prompts = raw.get("prompts") if isinstance(raw, dict) else None
    found: list[BankError] = []
    for err in exc.errors():
        loc = list(err["loc"])
        prompt_id: str | None = None
        if len(loc) >= 2 and loc[0] == "prompts" and isinstance(loc[1], int):
            index = loc[1]
            item = prompts[index] if isinstance(prompts, list) and index < len(prompts) else None
            declared = item.get("id") if isinstance(item, dict) else None
            prompt_id = declared if isinstance(declared, str) and declared else f"#{index}"
            loc = loc[2:]
        if loc == ["prompts"] and err["type"] == "too_short" and found:
            continue  # only says the broken prompts above left none valid
        key, values, named = schema_problem(err)
        field = ".".join(str(part) for part in [*loc, *([named] if named else [])]) or None
        found.append(BankError(str(path), key, values, prompt_id=prompt_id, field=field))
    return found


def load_file(path: Path) -> BankFile:
    """One bank file, parsed and checked. A file whose text was parsed before, in this process
    or, for the shipped bank's files, by another, is not parsed again (`content.parsed_banks`);
    kept data that does not pass the schema (a kept file damaged since) is set aside for the
    YAML."""
    text = read_text_file(path)
    key = parsed_banks.digest(text)
    known = parsed_banks.parsed(key)
    if known is not None:
        return known
    shipped = path.resolve().is_relative_to(DEFAULT_BANK_DIR)
    kept = parsed_banks.kept_data(PARSED_DIR, key) if shipped else None
    bank_file = _checked(kept) if isinstance(kept, dict) else None
    if bank_file is None:
        raw = _parsed_yaml(path, text)
        if not isinstance(raw, dict):
            raise BankError(str(path), "bank_top_not_mapping")
        try:
            bank_file = parse_bank_file(raw)
        except ValidationError as exc:
            raise validation_errors(path, raw, exc)[0] from None
        if shipped:
            parsed_banks.keep_data(PARSED_DIR, key, raw)
    parsed_banks.remember(key, bank_file)
    return bank_file


def _checked(kept: dict[str, Any]) -> BankFile | None:
    try:
        return parse_bank_file(kept)
    except ValidationError:
        return None


def bank_files(paths: Iterable[Path]) -> list[Path]:
    """Every *.yaml under the given folders (sorted), plus files named directly."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(path.rglob("*.yaml")))
        else:
            found.append(path)
    return found


def load_bank(paths: Sequence[Path] = (DEFAULT_BANK_DIR,), *, team: Sequence[Path] = ()) -> Bank:
    """Load and cross-check every bank file: unique ids and follow-ups whose parent exists.
    Waiting prompts (no model answer yet) and the follow-ups under them are left out of the bank:
    the bot neither schedules nor grades them; `quizmaster content check` lists them. A waiting
    main question is kept as an open question (`Bank.open_question`), which an admin may post to
    collect answers until the team writes its model answer. Each prompt's subject is its file's
    `bank:` name; a file of the `team` folders (`QUIZMASTER_BANK_DIR`) is the team's own
    questions (`TEAM_SUBJECT`), drawn from whatever subjects a channel chose, as a question saved
    on the web page is."""
    prompts: list[Prompt] = []
    origin: dict[str, Path] = {}
    subjects: dict[str, str] = {}
    teams = set(bank_files(team))
    for path in bank_files([*paths, *team]):
        loaded = load_file(path)
        for prompt in loaded.prompts:
            if prompt.id in origin:
                raise BankError(
                    str(path),
                    "id_duplicate",
                    {"first": origin[prompt.id]},
                    prompt_id=prompt.id,
                    field="id",
                )
            origin[prompt.id] = path
            subjects[prompt.id] = TEAM_SUBJECT if path in teams else loaded.bank
            prompts.append(prompt)
    for prompt in prompts:
        if prompt.parent is not None and prompt.parent not in origin:
            raise BankError(
                str(origin[prompt.id]),
                "parent_unknown",
                {"parent": prompt.parent},
                prompt_id=prompt.id,
                field="parent",
            )
    waiting = {prompt.id for prompt in prompts if prompt.status == "waiting"}
    ready = [p for p in prompts if p.id not in waiting and p.parent not in waiting]
    if not ready:
        where = ", ".join(str(p) for p in [*paths, *team])
        if prompts:
            raise BankError(where, "bank_none_ready", {"count": len(prompts)})
        raise BankError(where, "bank_no_prompts")
    open_questions = [p for p in prompts if p.status == "waiting" and p.parent is None]
    return Bank(ready, open_questions=open_questions, subjects=subjects)
