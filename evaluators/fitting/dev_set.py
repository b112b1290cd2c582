"""The shipped dev set and its lockbox. The dev set's questions were split once, by a hash of
their prompt ids, into a tuning part (about four fifths) that every fit, feature search and
threshold choice reads, and a lockbox (about a fifth) that none of them reads: its figure tells
whether a change that helps the tuning part carries to questions it was not tuned on."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

from content.schema import Prompt

DEV_SET_PATH = Path(__file__).resolve().parents[1] / "data" / "graded_dev.jsonl"
"""Human-graded answers to the packaged bank's prompts; shipped in the package so an installed
bot or a docker image can fit a calibration for its own model."""

LOCKBOX_PROMPTS = frozenset(
    {
        "q02.2",
        "q02.6",
        "q03.1",
        "q04.2",
        "q06.5",
        "q09.1",
        "q09.2",
        "q09.3",
        "q10.2",
        "q12.1",
        "x06",
        "x09",
        "x11",
        "x13",
    }
)
"""The dev set's lockbox questions: the 14 of its 68 prompts whose sha256 of "lockbox:" + id
sorts first, fixed here so a new prompt never moves a question between the parts."""

T = TypeVar("T")


def in_lockbox(prompt: Prompt) -> bool:
    return prompt.id in LOCKBOX_PROMPTS


def split(items: Sequence[T], prompts: Sequence[Prompt]) -> tuple[list[T], list[T]]:
    """`items` (one per prompt of `prompts`) parted into (tuning, lockbox)."""
    tuning: list[T] = []
    lockbox: list[T] = []
    for item, prompt in zip(items, prompts, strict=True):
        (lockbox if in_lockbox(prompt) else tuning).append(item)
    return tuning, lockbox
