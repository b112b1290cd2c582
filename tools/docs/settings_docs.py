"""`docs/configuration.md`, written from the settings models' own field descriptions, defaults and
constraints, so the page cannot drift from the code: `python -m tools.docs.settings_docs` rewrites
it, `--check` says whether it is current (a test runs the check)."""

from __future__ import annotations

import argparse
import json
import sys
import types
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import annotated_types
from pydantic import AfterValidator, AliasChoices, BaseModel, PlainValidator, SecretStr
from pydantic.fields import FieldInfo

from bot.config import Settings, check_database, check_folder_path, check_http_url
from compute.config import ServiceConfig

PAGE = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"
MODELS: tuple[type[BaseModel], ...] = (Settings, ServiceConfig)
CHECKS = {
    check_http_url: "an http:// or https:// URL with a host",
    check_folder_path: "a folder path (made when missing)",
    check_database: "a file path or a postgresql://USER:PASSWORD@HOST/DBNAME URL",
}
"""What each shared validator accepts, in words."""


@dataclass(frozen=True)
class Variable:
    """One environment variable of a settings model."""

    name: str
    description: str
    default: str
    allowed: str


def env_value(default: object) -> str:
    """A default as it is written in an env file: JSON for sequences, lower-case booleans."""
    if default is None:
        return ""
    if isinstance(default, bool):
        return str(default).lower()
    if isinstance(default, tuple | list):
        return json.dumps(list(default), separators=(",", ":"))
    return str(default)


def env_name(prefix: str, name: str, info: FieldInfo) -> str:
    """The variable a field is read from: its first alias choice, else prefix and name."""
    alias = info.validation_alias
    if isinstance(alias, AliasChoices):
        return str(alias.choices[0]).upper()
    if isinstance(alias, str):
        return alias.upper()
    return f"{prefix}{name}".upper()


def _nested_model(annotation: object) -> type[BaseModel] | None:
    return (
        annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
    )


def variables(model: type[BaseModel], prefix: str | None = None) -> Iterator[Variable]:
    """Every variable of `model`, in field order; a field that is itself a model (a group of
    settings) contributes its own fields under its own prefix, else the same one: the names
    stay flat."""
    if prefix is None:
        prefix = str(model.model_config.get("env_prefix", ""))
    for name, info in model.model_fields.items():
        nested = _nested_model(info.annotation)
        if nested is not None:
            yield from variables(nested, str(nested.model_config.get("env_prefix") or prefix))
            continue
        variable = env_name(prefix, name, info)
        if not info.description:
            raise ValueError(f"{model.__name__}.{name} ({variable}) has no description")
        yield Variable(
            name=variable,
            description=info.description,
            default=env_value(info.default),
            allowed=allowed(info.annotation, info.metadata),
        )


_LOW: dict[type, tuple[str, str]] = {
    annotated_types.Ge: ("ge", "{}"),
    annotated_types.Gt: ("gt", "above {}"),
    annotated_types.MinLen: ("min_length", "{}"),
}
_HIGH: dict[type, tuple[str, str]] = {
    annotated_types.Le: ("le", "{}"),
    annotated_types.Lt: ("lt", "below {}"),
    annotated_types.MaxLen: ("max_length", "{}"),
}


def _bounds(metadata: Sequence[object]) -> str:
    """A field's numeric or length bounds in words: "1..100", "above 0, finite", "1 or more"."""
    found = {"low": "", "high": ""}
    for item in metadata:
        for side, table in (("low", _LOW), ("high", _HIGH)):
            if type(item) in table:
                attribute, form = table[type(item)]
                found[side] = form.format(getattr(item, attribute))
    low, high = found["low"], found["high"]
    finite = any(getattr(item, "allow_inf_nan", True) is False for item in metadata)
    if low.startswith("above") and high:
        text = f"{low}, at most {high}"
    elif low and high:
        text = f"{low}..{high}"
    elif low:
        text = low if low.startswith("above") else f"{low} or more"
    elif high:
        text = f"at most {high}"
    else:
        text = ""
    return f"{text}, finite" if finite and text else ("finite" if finite else text)


def _checks(metadata: Sequence[object]) -> str:
    for item in metadata:
        if isinstance(item, AfterValidator | PlainValidator) and item.func in CHECKS:
            return CHECKS[item.func]
    return ""


def _pattern(metadata: Sequence[object]) -> str:
    for item in metadata:
        pattern = getattr(item, "pattern", None)
        if isinstance(pattern, str):
            return f"matching `{pattern}`"
    return ""


def allowed(annotation: object, metadata: Sequence[object] = ()) -> str:
    """The values a field takes, in words, from its type and constraints."""
    origin = get_origin(annotation)
    if origin is Annotated:
        inner, *extra = get_args(annotation)
        return allowed(inner, [*metadata, *extra])
    checked = _checks(metadata)
    if checked:
        return checked
    if origin in (Union, types.UnionType):
        kinds = [arg for arg in get_args(annotation) if arg is not type(None)]
        return allowed(kinds[0] if len(kinds) == 1 else Any, metadata)
    if origin is Literal:
        return ", ".join(f"`{choice}`" for choice in get_args(annotation))
    if origin is tuple:
        return f"a JSON list of {len(get_args(annotation))} integers"
    bounds = _bounds(metadata)
    kind: str
    if annotation is bool:
        return "`true`, `false`"
    if annotation is int:
        kind = "integer"
    elif annotation is float:
        kind = "number"
    elif annotation is SecretStr:
        kind = "text, kept secret"
    elif annotation is Path:
        kind = "a path"
    else:
        kind = "text"
        bounds = ", ".join(
            part for part in (f"{bounds} characters" if bounds else "", _pattern(metadata)) if part
        )
    return f"{kind}, {bounds}" if bounds else kind


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(model: type[BaseModel]) -> list[str]:
    lines = ["| variable | meaning | default | allowed values |", "|---|---|---|---|"]
    for v in variables(model):
        default = f"`{v.default}`" if v.default else "unset"
        lines.append(
            f"| `{v.name}` | {_cell(v.description)} | {_cell(default)} | {_cell(v.allowed)} |"
        )
    return lines


SECTIONS: tuple[tuple[type[BaseModel], str, str], ...] = (
    (
        Settings,
        "The bot",
        "Read by every `quizmaster` command (`bot/config.py`, `Settings`).",
    ),
    (
        ServiceConfig,
        "The compute service",
        "Read by `quizmaster compute` and by the compute service the bot starts embedded "
        "(`compute/config.py`, `ServiceConfig`). The bot also checks them at start.",
    ),
)


def render() -> str:
    """The whole page."""
    lines = [
        "# Configuration",
        "",
        "<!-- Written by `python -m tools.docs.settings_docs` from the settings' field",
        "descriptions; edit the descriptions in the code, not this page. -->",
        "",
        "Settings come from environment variables, or from a `.env` file in the working folder",
        "(`cp .env.example .env`, then uncomment what you change; `.env.example` lists the same",
        "variables with their defaults). Every command checks all of them at start: a bad value",
        "stops it with exit status 2 and one line per variable, naming the variable and the value",
        "(never a secret's value). Secrets are never logged. Under docker compose,",
        "`QUIZMASTER_DB`, `QUIZMASTER_CACHE_DIR`, `QUIZMASTER_COMPUTE_URL` and",
        "`QUIZMASTER_EMBEDDING_URL` are set by `docker-compose.yml` (see",
        "[deploy](deploy.md#settings-and-tokens-env)).",
        "",
    ]
    for model, title, intro in SECTIONS:
        lines += [f"## {title}", "", intro, "", *_table(model), ""]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.docs.settings_docs",
        description="Write docs/configuration.md from the settings' field descriptions.",
    )
    parser.add_argument("--out", type=Path, default=PAGE, help=f"default {PAGE}")
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 when the page is stale"
    )
    args = parser.parse_args(argv)
    page = render()
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.is_file() else ""
        if current != page:
            print(f"{args.out} is stale: run python -m tools.docs.settings_docs", file=sys.stderr)
            return 1
        return 0
    args.out.write_text(page, encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
