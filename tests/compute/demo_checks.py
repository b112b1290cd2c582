"""What every demo result must be: real PNGs of a readable size, and finite numeric metrics."""

from __future__ import annotations

import io
import math

from PIL import Image

from compute.catalog import Demo, DemoResult, MetricValue

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def assert_readable_png(data: bytes) -> None:
    assert data.startswith(PNG_SIGNATURE)
    with Image.open(io.BytesIO(data)) as image:
        image.verify()
    with Image.open(io.BytesIO(data)) as image:
        width, height = image.size
    assert 400 <= width <= 3000 and 300 <= height <= 2000, (width, height)


def run_demo(demo: Demo, **params: object) -> DemoResult:
    """Run in this process, as `quizmaster demo` does, and check the images and summaries."""
    reports: list[float] = []
    result = demo.run(demo.params.model_validate(params), lambda f, _m: reports.append(f))
    assert result.images, "a demo returns at least one figure"
    for image in result.images:
        assert_readable_png(image)
    assert result.summary_ko.strip() and result.summary_en.strip()
    assert reports and all(0.0 <= f <= 1.0 for f in reports) and reports[-1] == 1.0
    return result


def number(metrics: dict[str, MetricValue], key: str) -> float:
    """A scalar metric, failing the test if it is missing or not a finite number."""
    value = metrics[key]
    assert isinstance(value, int | float) and not isinstance(value, bool), (key, value)
    assert math.isfinite(value), (key, value)
    return float(value)


def numbers(metrics: dict[str, MetricValue], key: str) -> list[float]:
    value = metrics[key]
    assert isinstance(value, list) and all(isinstance(v, int | float) for v in value), (key, value)
    return [float(v) for v in value]
