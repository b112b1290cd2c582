"""What a demo is, and the catalog of all demos found in `compute.demos`.

Each module in `compute/demos/` defines `DEMO = Demo(...)`; the catalog discovers them, so adding a
demo is adding one module.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from functools import cache

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

MetricValue = float | int | str | bool | list[float] | list[int] | list[str]


class DemoParams(BaseModel):
    """Every demo's parameters: unknown fields are rejected, a seed makes runs repeatable."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    seed: int = Field(default=0, ge=0, le=2**31 - 1, description="random seed")

    @field_validator("*", mode="before")
    @classmethod
    def _no_boolean_numbers(cls, value: object, info: ValidationInfo) -> object:
        """`true` is not a number: pydantic's lax mode would read it as 1 (text such as "8",
        typed in chat, is still read as a number)."""
        assert info.field_name is not None
        annotation = cls.model_fields[info.field_name].annotation
        if isinstance(value, bool) and annotation in {int, float}:
            kind = "int_type" if annotation is int else "float_type"
            raise PydanticCustomError(kind, "a boolean is not a number")
        return value


@dataclass(frozen=True)
class DemoResult:
    """PNG images (bytes), flat metrics, and a one-paragraph summary in both languages."""

    images: list[bytes]
    metrics: dict[str, MetricValue]
    summary_ko: str
    summary_en: str


ProgressFn = Callable[[float, str], None]
"""Called with (fraction 0-1, short message); it may raise to cancel the run."""


@dataclass(frozen=True)
class Demo:
    """A small, deterministic training run tied to bank prompts."""

    name: str
    title_ko: str
    title_en: str
    description_ko: str
    description_en: str
    params: type[DemoParams]
    run: Callable[[DemoParams, ProgressFn], DemoResult]
    expected_seconds: float
    prompt_ids: tuple[str, ...] = field(default_factory=tuple)


@cache
def catalog() -> Mapping[str, Demo]:
    """Every demo in `compute.demos`, by name."""
    from compute import demos

    found: dict[str, Demo] = {}
    for info in sorted(pkgutil.iter_modules(demos.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{demos.__name__}.{info.name}")
        demo = getattr(module, "DEMO", None)
        if isinstance(demo, Demo):
            found[demo.name] = demo
    return found


def demo_names() -> Collection[str]:
    """The catalog's demo names, for a bank check; calling it imports every demo (and torch)."""
    return catalog().keys()
