"""A quiz service grading through an embeddings server (the project's compute service, or one
that is down): shared by the tests of text on that path and of answers held while it is away."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr

from bot.app import channel_defaults
from bot.config import Settings
from bot.storage.repository import Repository
from bot.wiring import Wired, wire
from content.bank import Bank
from evaluators import EmbeddingGrader, create_grader
from evaluators.grade import Grader
from tests.conftest import SERVED_MODEL


def grader_at(url: str, cache_dir: Path, token: str) -> EmbeddingGrader:
    """A grader asking the server at `url` (its `/v1` base) for the served model's vectors."""
    return create_grader(
        model_name=SERVED_MODEL,
        cache_dir=cache_dir,
        embedding_url=url,
        embedding_token=SecretStr(token),
    )


def service_on(repo: Repository, bank: Bank, grader: Grader) -> Wired:
    """The quiz service an English-speaking channel gets, on `repo` and `grader`."""
    return wire(
        repo=repo,
        bank=bank,
        grader=grader,
        defaults=channel_defaults(Settings(_env_file=None, lang="en")),
    )
