"""Test-only demos: quick, slow, stubborn, crashing.

They live here, not in `compute/demos/`, so users never see them; `create_app(demos_override=)`
puts them in the catalog. Worker processes import this module by name to unpickle the demos,
so it stays light (no FastAPI, no uvicorn).
"""

from __future__ import annotations

import io
import os
import signal
import time
from collections.abc import Callable

from PIL import Image
from pydantic import Field

from compute.catalog import Demo, DemoParams, DemoResult, ProgressFn

DemoRun = Callable[[DemoParams, ProgressFn], DemoResult]


class QuickParams(DemoParams):
    lr: float = Field(default=0.1, gt=0.0, le=1.0, description="learning rate")
    steps: int = Field(default=3, ge=1, le=100, description="steps")
    flag: bool = Field(default=False, description="a switch")


class SleepParams(DemoParams):
    seconds: float = Field(default=30.0, gt=0.0, le=120.0)


def _png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (40, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def _quick(params: DemoParams, progress: ProgressFn) -> DemoResult:
    assert isinstance(params, QuickParams)
    for step in range(params.steps):
        progress(step / params.steps, f"step {step}")
    return DemoResult(
        images=[_png(64, 48), _png(32, 32)],
        metrics={"lr": params.lr, "steps": params.steps, "flag": params.flag, "pid": os.getpid()},
        summary_ko="빠른 데모",
        summary_en="quick demo",
    )


def _polite_sleep(params: DemoParams, progress: ProgressFn) -> DemoResult:
    """Reports progress often, so it notices a cancel within a fraction of a second."""
    assert isinstance(params, SleepParams)
    started = time.monotonic()
    while (elapsed := time.monotonic() - started) < params.seconds:
        progress(elapsed / params.seconds, "sleeping")
        time.sleep(0.02)
    return DemoResult(images=[], metrics={}, summary_ko="", summary_en="")


def _stubborn_sleep(params: DemoParams, progress: ProgressFn) -> DemoResult:
    """Never reports progress, so only a kill stops it."""
    assert isinstance(params, SleepParams)
    time.sleep(params.seconds)
    return DemoResult(images=[], metrics={}, summary_ko="", summary_en="")


def _exits(params: DemoParams, progress: ProgressFn) -> DemoResult:
    os._exit(3)


def _segfaults(params: DemoParams, progress: ProgressFn) -> DemoResult:
    os.kill(os.getpid(), signal.SIGSEGV)
    time.sleep(10)
    raise AssertionError("unreachable")


def _raises(params: DemoParams, progress: ProgressFn) -> DemoResult:
    raise ValueError("the loss is NaN")


def _demo(name: str, params: type[DemoParams], run: DemoRun, seconds: float) -> Demo:
    return Demo(
        name=name,
        title_ko=f"{name} 제목",
        title_en=f"{name} title",
        description_ko="시험용",
        description_en="for tests",
        params=params,
        run=run,
        expected_seconds=seconds,
        prompt_ids=("test.prompt",),
    )


FAKE_DEMOS: dict[str, Demo] = {
    demo.name: demo
    for demo in [
        _demo("quick", QuickParams, _quick, 0.5),
        _demo("polite-sleep", SleepParams, _polite_sleep, 30.0),
        _demo("stubborn-sleep", SleepParams, _stubborn_sleep, 30.0),
        _demo("exits", DemoParams, _exits, 1.0),
        _demo("segfaults", DemoParams, _segfaults, 1.0),
        _demo("raises", DemoParams, _raises, 1.0),
    ]
}
