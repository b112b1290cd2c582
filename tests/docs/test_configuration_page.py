"""docs/configuration.md is written from the settings' field descriptions: it fails here when
it is stale, when a variable of `.env.example` is missing from it, or when a field has no
description to write."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from tools.docs import settings_docs

ROOT = Path(__file__).resolve().parents[2]
_VARIABLE = re.compile(r"^#?\s*(QUIZMASTER_[A-Z0-9_]+)=", re.MULTILINE)


def test_the_page_is_current(capsys: pytest.CaptureFixture[str]) -> None:
    assert settings_docs.main(["--check"]) == 0, capsys.readouterr().err


def test_a_stale_page_is_caught(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "configuration.md"
    assert settings_docs.main(["--out", str(page)]) == 0
    assert settings_docs.main(["--check", "--out", str(page)]) == 0
    page.write_text(page.read_text(encoding="utf-8").replace("| `4` |", "| `5` |"), "utf-8")
    assert settings_docs.main(["--check", "--out", str(page)]) == 1
    assert "stale" in capsys.readouterr().err


def test_every_variable_of_the_env_example_is_on_the_page() -> None:
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    page = settings_docs.PAGE.read_text(encoding="utf-8")
    names = _VARIABLE.findall(example)
    assert len(names) > 60
    missing = [name for name in names if f"| `{name}` |" not in page]
    assert not missing


class _Limits(BaseModel):
    """A group of settings, as a grouped Settings would hold them."""

    burst: int = Field(3, ge=1, le=9, description="Answers at once.")


class _Grouped(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="QUIZMASTER_")

    mode: str = Field("a", description="Which mode.")
    limits: _Limits = Field(default_factory=_Limits)


def test_grouped_settings_keep_their_flat_names() -> None:
    found = list(settings_docs.variables(_Grouped))
    assert [(v.name, v.default, v.allowed) for v in found] == [
        ("QUIZMASTER_MODE", "a", "text"),
        ("QUIZMASTER_BURST", "3", "integer, 1..9"),
    ]


def test_a_field_without_a_description_is_refused() -> None:
    class Bare(BaseSettings):
        model_config = SettingsConfigDict(env_prefix="QUIZMASTER_")
        size: int = 1

    with pytest.raises(ValueError, match=r"QUIZMASTER_SIZE\) has no description"):
        list(settings_docs.variables(Bare))
