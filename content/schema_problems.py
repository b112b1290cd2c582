"""A schema error of a bank file or prompt as the bank catalogue's key and values
(`content/texts.yaml`), never pydantic's English sentence: its rules' refusals (`RuleError`)
and the field types' (missing, too short, not one of the choices, ...), so the web page and the
chat say them in their reader's language and the command line in English."""

from __future__ import annotations

import re

from pydantic_core import ErrorDetails

from content.schema import RuleError

_SCHEMA_TYPES = {
    "missing": "schema_missing",
    "extra_forbidden": "schema_extra_forbidden",
    "string_type": "schema_string_type",
    "string_too_short": "schema_string_too_short",
    "string_pattern_mismatch": "schema_string_pattern_mismatch",
    "too_short": "schema_too_short",
    "literal_error": "schema_literal_error",
    "int_type": "schema_integer",
    "int_parsing": "schema_integer",
    "int_from_float": "schema_integer",
    "greater_than_equal": "schema_greater_than_equal",
    "bool_type": "schema_boolean",
    "bool_parsing": "schema_boolean",
    "tuple_type": "schema_list",
    "list_type": "schema_list",
    "model_type": "schema_mapping",
    "model_attributes_type": "schema_mapping",
    "dict_type": "schema_mapping",
}
"""Pydantic's error types a bank file can meet, each as the bank catalogue's message; any other
is `schema_invalid`, which names the type."""
_CHOICE = re.compile(r"'([^']*)'|(\d+)")


def schema_problem(err: ErrorDetails) -> tuple[str, dict[str, object], str | None]:
    """One schema error as the bank catalogue's key, its values and the field a rule of the
    prompt names (None for a field's own error, which its location names): pydantic's English
    sentence is not kept."""
    ctx = dict(err.get("ctx") or {})
    rule = ctx.get("error")
    if isinstance(rule, RuleError):
        return rule.key, dict(rule.values), rule.field
    key = _SCHEMA_TYPES.get(err["type"])
    if key is None:
        return "schema_invalid", {"type": err["type"]}, None
    if err["type"] == "literal_error":
        choices = [text or number for text, number in _CHOICE.findall(str(ctx["expected"]))]
        ctx = {"choices": ", ".join(f"`{choice}`" for choice in choices)}
    return key, ctx, None
