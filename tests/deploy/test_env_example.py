"""`.env.example` documents every setting with its default: derived from the settings models, so
adding, renaming or re-defaulting a setting without updating the file fails here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import BaseModel
from pydantic_settings import BaseSettings

from bot.config import Settings
from compute.config import ServiceConfig
from tests.deploy.compose_files import ROOT
from tools.docs.settings_docs import env_name
from tools.docs.settings_docs import env_value as as_env

EXAMPLE = ROOT / ".env.example"
ASSIGNMENT = re.compile(r"^#?\s*(QUIZMASTER_[A-Z0-9_]+)=(.*)$")
MODELS: tuple[type[BaseSettings], ...] = (Settings, ServiceConfig)


def documented() -> dict[str, tuple[str, str]]:
    """Variable -> (value shown, the comment line just above it)."""
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    found: dict[str, tuple[str, str]] = {}
    for index, line in enumerate(lines):
        match = ASSIGNMENT.match(line)
        if match:
            name, value = match.groups()
            assert name not in found, f"{name} is documented twice"
            found[name] = (value, lines[index - 1])
    return found


def expected() -> dict[str, object]:
    """Variable -> default, for every field of every settings model (shared names once)."""
    variables: dict[str, object] = {}
    for model in MODELS:
        prefix = model.model_config.get("env_prefix", "")
        for name, info in model.model_fields.items():
            variables.setdefault(env_name(str(prefix), name, info), info.default)
    return variables


def test_every_setting_is_documented_and_nothing_else() -> None:
    names_in_file = set(documented())
    names_in_models = set(expected())
    assert not names_in_models - names_in_file, "settings missing from .env.example"
    assert not names_in_file - names_in_models, ".env.example documents unknown settings"


def test_each_line_shows_the_default_under_its_description() -> None:
    found = documented()
    for name, default in expected().items():
        value, comment = found[name]
        assert value == as_env(default), f"{name}: .env.example shows {value!r}"
        assert comment.startswith("# ") and not ASSIGNMENT.match(comment), name
        assert f"Default: {as_env(default) or 'unset'}." in comment, name


def _field_values(model: BaseModel) -> dict[str, object]:
    return {name: getattr(model, name) for name in type(model).model_fields}


def test_the_documented_defaults_are_valid_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Uncommenting a line as it stands must not change the setting or fail validation."""
    monkeypatch.chdir(tmp_path)
    for name in expected():
        monkeypatch.delenv(name, raising=False)
    defaults = [_field_values(model()) for model in MODELS]
    for name, (value, _) in documented().items():
        if value:
            monkeypatch.setenv(name, value)
    assert [_field_values(model()) for model in MODELS] == defaults
