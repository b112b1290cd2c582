"""Every file the grader reads from disk (calibrations, word rarity counts, the wheel's reference
probe, a derived model's record) is read through one strict pydantic model of it, never as loose
JSON: a number written as a string ("0.4", "NaN"), a NaN or an infinity, a scale of 0 or knots
in reverse order once loaded and then broke or silently moved every grade (issue 83). A file that
fails is refused with one message naming the file and the first field that is wrong; its reader
decides what then grades (a cache file is set aside and rebuilt, a committed one is reported)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

SHOWN_INPUT_CHARS = 40
"""Of a wrong value, what the message shows (a long string is cut short)."""
SCALARS = (str, int, float, bool)
"""The wrong values a message shows; a whole object or list would bury the field's name."""


class StrictFile(BaseModel):
    """Types exact (strict: no string for a number, no float for an integer), numbers finite,
    no key the file's model does not name, and every key without a default present."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, allow_inf_nan=False)


class RefusedFileError(ValueError):
    """A file the grader reads that failed its model: the message names the file and the field."""


File = TypeVar("File", bound=BaseModel)
"""A `StrictFile`, or a strict root model of a file keyed by names (`same_meaning_file`)."""


def read_strict(path: Path, schema: type[File]) -> File:
    """`path`'s contents as `schema`; `RefusedFileError` when they are not JSON of it (cut short,
    not UTF-8, a wrong type, value or key). OSError when it cannot be read at all."""
    data = path.read_bytes()
    try:
        return schema.model_validate_json(data)
    except ValidationError as exc:
        raise RefusedFileError(f"{path}: {first_problem(exc)}") from None


def first_problem(error: ValidationError) -> str:
    """The first thing wrong, where it is (`heads.concepts.scale[3]`) and what it held, and how
    many more there are."""
    problems = error.errors(include_url=False)
    first = problems[0]
    where = field_path(first["loc"])
    message = str(first["msg"]).removeprefix("Value error, ")
    said = f"{where}: {message}" if where else message
    found = first.get("input")
    if first["type"] not in {"missing", "json_invalid"} and isinstance(found, SCALARS):
        said += f" (found {_shown(found)})"
    more = len(problems) - 1
    return said + (f" (and {more} more)" if more > 0 else "")


def field_path(loc: tuple[int | str, ...]) -> str:
    """A pydantic location as a reader writes it: keys joined by dots, indexes in brackets."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= SHOWN_INPUT_CHARS else text[: SHOWN_INPUT_CHARS - 3] + "..."
