"""`/quiz topics`: a channel lists the bank's subjects and chooses the ones it draws from, and the
daily rotation, practice and reveal follow the choice (the real console loop and SQLite file; a
second subject written beside the seed bank)."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import channel_defaults, load_configured_bank
from bot.config import Settings
from bot.core.models import ChannelRow
from bot.platforms import console
from bot.storage.repository import Repository
from bot.wiring import Wired, wire
from content.bank import Bank
from content.loader import DEFAULT_BANK_DIR, load_bank
from tests.content.sample_banks import graded, write_bank
from tests.fixed_grader import FixedGrader


def serving_file(folder: Path, bank: str = "serving") -> Path:
    """A small second subject: two main questions, one with a follow-up and a demo. Beside the
    whole default bank, a test names it `bank` of its own, so a shipped subject file of the
    same name never adds to it."""
    return write_bank(
        folder / f"{bank}.yaml",
        graded("t72-srv01", "How do you batch requests for a model server?", demos=["activations"]),
        graded(
            "t72-srv01.1", "What does dynamic batching trade away?", parent="t72-srv01", order=1
        ),
        graded("t72-srv02", "Why quantize a model before serving it?"),
        bank=bank,
    )


@pytest.fixture(scope="module")
def two_subjects(tmp_path_factory: pytest.TempPathFactory) -> Bank:
    folder = tmp_path_factory.mktemp("subjects")
    return load_bank([DEFAULT_BANK_DIR / "seed", serving_file(folder)])


@pytest.fixture
async def service(tmp_path: Path, two_subjects: Bank) -> AsyncIterator[Wired]:
    repo = await Repository.open(tmp_path / "q.db")
    yield wire(
        repo=repo,
        bank=two_subjects,
        grader=FixedGrader(),
        defaults=channel_defaults(Settings(_env_file=None, lang="en", days="daily")),
    )
    await repo.close()


async def run_console(service: Wired, tmp_path: Path, *lines: str) -> str:
    out = io.StringIO()
    script = io.StringIO("".join(f"{line}\n" for line in lines))
    assert await console.run(service, stdin=script, stdout=out, image_dir=tmp_path) == 0
    return out.getvalue()


async def test_console_lists_chooses_and_draws_from_chosen_subjects(
    service: Wired, tmp_path: Path, two_subjects: Bank
) -> None:
    seed = sum(two_subjects.subject(p) == "seed" for p in two_subjects.mains())
    out = await run_console(
        service,
        tmp_path,
        "/quiz topics",
        "/quiz topics nothing-like-it",
        "/quiz topics model",
        "/quiz now extra",
        "/quiz reveal",
        "/quiz now extra",
        "/quiz now extra",
        "/quiz practice",
        "/quiz topics",
        "batch requests up to a size or a deadline 80",
        "/quiz stats",
    )
    listed, unknown, chosen, *rest = out.split("(only you) ")[1:]
    assert f"✓ `seed` Deep-learning basics: {seed} questions, posted here: 1" in listed
    assert "✓ `serving` Model serving: 2 questions, posted here: 0" in listed
    assert "'nothing-like-it'; nothing changed. Subject ids: seed, serving (or all)" in unknown
    assert "draw from: Model serving" in unknown  # the line after the refusal: a name's prefix
    posted = [line for line in unknown.splitlines() if line.endswith("?")]
    assert posted == [
        "How do you batch requests for a model server?",
        "Why quantize a model before serving it?",
        "How do you batch requests for a model server?",
    ], "the rotation stays in the chosen subject, round after round"
    assert "See it live: `/demo activations`" in unknown, "reveal names a new subject's demo"
    assert chosen.startswith("Practice · new") and "batch requests" in chosen
    [again] = rest
    assert f"· `seed` Deep-learning basics: {seed} questions, posted here: 1" in again
    assert "✓ `serving` Model serving: 2 questions, posted here: 2" in again
    assert "Mean by subject: Model serving 80" in again, "/quiz stats names the subject"


async def test_a_channels_subjects_are_stored_per_channel(repo: Repository) -> None:
    """SQLite and PostgreSQL: the choice is kept per channel, none (all) by default and again
    after `all`."""
    at = datetime(2026, 11, 2, tzinfo=UTC)
    for channel_id in ("c1", "c2"):
        row = ChannelRow("t", channel_id, "en", "UTC", "09:00", "daily", True, at)
        assert (await repo.channels.ensure_channel(row, created_at=at)).subjects == ()
    await repo.channels.update_subjects(
        platform="t", channel_id="c1", subjects=["serving", "evaluation"]
    )
    first = await repo.channels.channel(platform="t", channel_id="c1")
    second = await repo.channels.channel(platform="t", channel_id="c2")
    assert first is not None and first.subjects == ("serving", "evaluation")
    assert second is not None and second.subjects == ()
    await repo.channels.update_subjects(platform="t", channel_id="c1", subjects=[])
    assert [c.subjects for c in await repo.channels.channels(platform="t")] == [(), ()]


async def test_a_bank_directory_is_the_team_s_own_questions_whatever_the_channel_chose(
    tmp_path: Path,
) -> None:
    """Issue 83: a bank loaded with QUIZMASTER_BANK_DIR was a subject of its own (its file's
    `bank:` name) and was not drawn once a channel chose subjects, though the README's "Your
    team's own questions" leads there. It is the `team` subject: drawn whatever is chosen."""
    folder = tmp_path / "banks"
    folder.mkdir()
    write_bank(
        folder / "ours.yaml",
        graded("t83-own01", "How does our team version its datasets?"),
        graded("t83-own02", "Which metric do we alert on first?"),
        bank="ours",
    )
    bank = load_configured_bank(Settings(_env_file=None, bank_dir=folder).game)
    serving = load_bank([DEFAULT_BANK_DIR / "serving.yaml"]).mains()
    repo = await Repository.open(tmp_path / "q.db")
    try:
        service = wire(
            repo=repo,
            bank=bank,
            grader=FixedGrader(),
            defaults=channel_defaults(Settings(_env_file=None, lang="en", days="daily")),
        )
        drawn = len(serving) + 2
        out = await run_console(
            service,
            tmp_path,
            "/quiz topics serving",
            *["/quiz now extra"] * drawn,
            "/quiz topics",
        )
    finally:
        await repo.close()
    *_, listed = out.split("(only you) ")
    assert "`ours`" not in listed, "no subject of its own"
    assert "✓ `team` The team's own questions: 2 questions" in listed, listed
    assert "How does our team version its datasets?" in out
    assert "Which metric do we alert on first?" in out
