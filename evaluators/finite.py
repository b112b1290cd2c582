"""Non-finite numbers never become a grade. Python's `min(30.0, nan)` is 30 and a comparison with
NaN is always false, so one NaN in a vector, a feature or a calibration would pass every clamp
and every rule and read as a valid score (it read as 100). Every number a grade is made of is
checked where the grader makes it, and a NaN or an infinity is refused as the grader being
unavailable: the answer is kept and graded later, and the reason names what was not finite."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import fields, is_dataclass
from typing import TYPE_CHECKING

import numpy as np

from evaluators.embedding.vectors import EmbeddingUnavailableError

if TYPE_CHECKING:
    from evaluators.features.measurement import Measurement

SHOWN = 3
"""Non-finite numbers a reason names; the rest are counted."""


class NonFiniteError(EmbeddingUnavailableError):
    """A number a grade would be made of is NaN or infinite: nothing was graded. A kind of
    `EmbeddingUnavailableError`, so every caller keeps the answer (or says "try again later")
    exactly as when the server is down; `reason` names the numbers and where they were."""


Numbers = float | int | np.ndarray | None
"""What the check reads: a number, an array of them, or nothing measured (None)."""


def non_finite(named: Mapping[str, Numbers]) -> list[str]:
    """Each NaN or infinity in `named`, as `name = value`; an array's as how many of its values
    are not finite, and the first of them."""
    found: list[str] = []
    for name, value in named.items():
        if value is None:
            continue
        if isinstance(value, np.ndarray):
            bad = np.argwhere(~np.isfinite(value))
            if len(bad):
                first = tuple(int(i) for i in bad[0])
                found.append(
                    f"{name}: {len(bad)} of {value.size} values not finite "
                    f"(first {list(first)} = {value[first]})"
                )
        elif not math.isfinite(value):
            found.append(f"{name} = {value}")
    return found


def fields_of(record: object, prefix: str) -> Iterator[tuple[str, Numbers]]:
    """The numeric fields of a dataclass `record`, nested ones included, named under `prefix`."""
    assert is_dataclass(record) and not isinstance(record, type)
    for field in fields(record):
        value = getattr(record, field.name)
        name = f"{prefix}.{field.name}"
        if is_dataclass(value) and not isinstance(value, type):
            yield from fields_of(value, name)
        elif isinstance(value, float | int | np.ndarray) and not isinstance(value, bool):
            yield name, value


def of_measurement(measurement: Measurement) -> Iterator[tuple[str, Numbers]]:
    """What was measured of an answer and its features, each by name. Both are read: a feature
    clipped to its range (`min(1.0, nan)` is 1.0) can hide the NaN its measure holds."""
    yield from fields_of(measurement.measures, "measures")
    for name, value in measurement.features.items():
        yield f"feature {name}", value


def described(found: Iterable[str]) -> str:
    """The first few of `found`, and how many more."""
    listed = list(found)
    more = len(listed) - SHOWN
    return "; ".join(listed[:SHOWN]) + (f" (and {more} more)" if more > 0 else "")


def refuse_non_finite(what: str, named: Mapping[str, Numbers]) -> None:
    """Raises `NonFiniteError` naming each NaN or infinity of `named`, which `what` says (the
    answer's vectors, its features, the calibration, the team's evidence)."""
    found = non_finite(named)
    if found:
        raise NonFiniteError(f"non-finite numbers in {what}: {described(found)}")
