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
_TYPE_PROBLEMS = {
    "int_parsing": "integer",
    "int_type": "integer",
    "int_from_float": "integer",
    "float_parsing": "number",
    "float_type": "number",
    "bool_parsing": "boolean",
    "bool_type": "boolean",
    "string_type": "text",
}
"""Pydantic's error types as the `FieldError.problem` codes, each with its English message."""
_TYPE_MESSAGES = {
    "integer": "must be an integer",
    "number": "must be a number",
    "boolean": "must be true or false",
    "text": "must be text",
}
_COMPARISONS = {
    "less_than_equal": ("<=", "le", "at_most"),
    "less_than": ("<", "lt", "below"),
    "greater_than_equal": (">=", "ge", "at_least"),
    "greater_than": (">", "gt", "above"),
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
            problem="unknown",
            limit=list[JsonValue](known),
        )
    allowed = _allowed(demo, field)
    ctx = err.get("ctx") or {}
    if err["type"] in _COMPARISONS:
        op, key, problem = _COMPARISONS[err["type"]]
        bound = ctx.get(key)
        return FieldError(
            field=field,
            message=f"must be {op} {bound}",
            allowed=allowed,
            problem=problem,
            limit=bound if isinstance(bound, int | float) else str(bound),
        )
    if err["type"] == "literal_error":
        choices = (allowed or {}).get("enum")
        return FieldError(
            field=field,
            message=f"must be one of {ctx.get('expected')}",
            allowed=allowed,
            problem="one_of",
            limit=choices if isinstance(choices, list) else str(ctx.get("expected")),
        )
    kind = _TYPE_PROBLEMS.get(err["type"])
    message = err["msg"] if kind is None else _TYPE_MESSAGES[kind]
    return FieldError(field=field, message=message, allowed=allowed, problem=kind)


def _allowed(demo: Demo, field: str) -> dict[str, JsonValue] | None:
    properties = demo.params.model_json_schema().get("properties", {})
    spec = properties.get(field) if isinstance(properties, dict) else None
    if not isinstance(spec, dict):
        return None
    allowed: dict[str, JsonValue] = {k: spec[k] for k in _BOUND_KEYS if k in spec}
    if "default" in spec:
        allowed["default"] = spec["default"]
    return allowed
