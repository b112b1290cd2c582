"""Checking a request's parameters against a demo's model, with errors a chat user can act on.

Values typed in chat arrive as strings ("lr=0.1"); pydantic's lax mode turns them into the
field's type, so the service and the local CLI accept the same text.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import JsonValue, ValidationError
from pydantic_core import ErrorDetails

from compute.catalog import Demo, DemoParams
from compute.schemas import SHOWN_ERRORS, FieldError, ParamValue

_BOUND_KEYS = ("type", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "enum")
_TYPE_MESSAGES = {
    "int_parsing": "must be an integer",
    "int_type": "must be an integer",
    "int_from_float": "must be an integer",
    "float_parsing": "must be a number",
    "float_type": "must be a number",
    "bool_parsing": "must be true or false",
    "bool_type": "must be true or false",
    "string_type": "must be text",
}


class ParamsError(ValueError):
    """The parameters do not fit the demo; `errors` names each bad field."""

    def __init__(self, demo: str, errors: list[FieldError]) -> None:
        self.demo = demo
        self.errors = errors
        fields = ", ".join(e.field[:40] for e in errors[:SHOWN_ERRORS])
        if len(errors) > SHOWN_ERRORS:
            fields += f" and {len(errors) - SHOWN_ERRORS} more"
        super().__init__(f"invalid parameters for demo {demo!r}: {fields}")


def parse_params(demo: Demo, raw: Mapping[str, ParamValue]) -> DemoParams:
    """The demo's params model filled from `raw` (strings coerced), or ParamsError."""
    try:
        return demo.params.model_validate(dict(raw))
    except ValidationError as exc:
        raise ParamsError(demo.name, [_field_error(demo, err) for err in exc.errors()]) from None


def parse_assignments(pairs: list[str]) -> dict[str, ParamValue]:
    """`["lr=0.1", "k=8"]` as a mapping of strings; a pair without `=` is a ValueError."""
    values: dict[str, ParamValue] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"expected NAME=VALUE, got {pair!r}")
        values[key.strip()] = value.strip()
    return values


def schema_of(demo: Demo) -> dict[str, JsonValue]:
    """JSON Schema of the demo's parameters, as /demos shows it."""
    schema: dict[str, JsonValue] = demo.params.model_json_schema()
    return schema


def _field_error(demo: Demo, err: ErrorDetails) -> FieldError:
    field = ".".join(str(part) for part in err["loc"]) or "params"
    known = sorted(demo.params.model_fields)
    if err["type"] == "extra_forbidden":
        return FieldError(
            field=field,
            message=f"unknown parameter; known: {', '.join(known)}",
            allowed={"known": list[JsonValue](known)},
        )
    return FieldError(field=field, message=_message(err), allowed=_allowed(demo, field))


def _message(err: ErrorDetails) -> str:
    ctx = err.get("ctx") or {}
    comparisons = {
        "less_than_equal": ("<=", "le"),
        "less_than": ("<", "lt"),
        "greater_than_equal": (">=", "ge"),
        "greater_than": (">", "gt"),
    }
    if err["type"] in comparisons:
        op, key = comparisons[err["type"]]
        return f"must be {op} {ctx.get(key)}"
    if err["type"] == "literal_error":
        return f"must be one of {ctx.get('expected')}"
    return _TYPE_MESSAGES.get(err["type"], err["msg"])


def _allowed(demo: Demo, field: str) -> dict[str, JsonValue] | None:
    properties = demo.params.model_json_schema().get("properties", {})
    spec = properties.get(field) if isinstance(properties, dict) else None
    if not isinstance(spec, dict):
        return None
    allowed: dict[str, JsonValue] = {k: spec[k] for k in _BOUND_KEYS if k in spec}
    if "default" in spec:
        allowed["default"] = spec["default"]
    return allowed
