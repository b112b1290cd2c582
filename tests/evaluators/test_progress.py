"""The one progress display (a first start embedding the whole bank, a calibration fit): rich's
bar on a terminal and a log line per 10% elsewhere; and encoding in steps gives the same vectors
as one call."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import numpy as np
import pytest

from evaluators.embedding.sentence_model import load_embedder
from evaluators.progress import Progress
from evaluators.references import ReferenceStore


class Terminal(io.StringIO):
    """A text stream that says it is a terminal, as sys.stderr does in an interactive shell."""

    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_rich_s_bar_and_no_log_lines(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="quizmaster.evaluators")
    screen = Terminal()
    with Progress("embedding", 40, stream=screen) as progress:
        for _ in range(4):
            progress.advance(10)
    drawn = screen.getvalue()
    shown = [percent for percent in ("25%", "50%", "75%", "100%") if percent in drawn]
    assert shown == ["25%", "50%", "75%", "100%"]
    assert drawn.index("25%") < drawn.index("50%") < drawn.index("75%") < drawn.index("100%")
    assert "embedding" in drawn and "40/40" in drawn and "━" in drawn
    last = drawn[drawn.rindex("40/40") :]
    assert "\n" in last, "the bar's line is ended, so what follows starts on its own"
    assert not caplog.records


def test_elsewhere_a_log_line_per_tenth(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="quizmaster.evaluators")
    stream = io.StringIO()
    progress = Progress("embedding", 95, stream=stream)
    for _ in range(6):
        progress.advance(16)
    progress.finish()
    percents = [r.getMessage().split(": ")[1].split("%")[0] for r in caplog.records]
    assert percents == [str(p) for p in range(10, 101, 10)]
    assert stream.getvalue() == ""


def test_a_log_line_names_the_unit_counted(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="quizmaster.evaluators")
    with Progress("fitting", 25, unit="answers", stream=io.StringIO()) as progress:
        for _ in range(25):
            progress.advance()
    lines = [record.getMessage() for record in caplog.records]
    assert lines[0] == "fitting: 10% (3/25 answers)"
    assert lines[-1] == "fitting: 100% (25/25 answers)"
    assert len(lines) == 10


def test_encoding_in_steps_matches_one_call(
    model_path: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="quizmaster.evaluators")
    embedder = load_embedder(model_path, "cpu")
    texts = [f"answer {i}: " + "the gradient vanishes " * (i % 7) for i in range(40)]
    stepped = ReferenceStore(embedder, tmp_path).encode_with_progress(texts)
    np.testing.assert_allclose(stepped, embedder.encode(texts), atol=1e-5)
    assert sum("embedding the question bank" in r.getMessage() for r in caplog.records) == 10
