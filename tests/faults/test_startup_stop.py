"""A stop during start-up stops: the real `quizmaster run --platform console`, started with the
hub not switched off and its endpoint a closed loopback port (a machine without network),
gets SIGTERM or SIGINT at several moments of its start-up. It asks no hub (offline-first unless
QUIZMASTER_HUB_DOWNLOADS=true), exits 0 within `docker stop`'s grace, and posts no question.

The default model starts in well under a second (its seed-bank vectors ship with the package), so
it is stopped at once; the later moments use the bundled MiniLM, whose start imports
sentence-transformers and torch and loads the model (about 4 s of CPU even on an idle machine;
its bank's vectors ship too, so the start no longer embeds the bank, and a stop 4 s in landed
after the first post once, on a lightly loaded machine): a stop that lands while the model loads
must still stop before the first post."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sqlite3
from pathlib import Path

import pytest

from bot.logs import LOG_FILE_NAME
from tests.cli_process import start_quizmaster
from tests.loopback import unused_port

pytestmark = pytest.mark.slow
DOCKER_STOP_S = 10  # `docker stop` kills what has not exited after this grace
START_GUARD_S = 120  # not a target: the first line on a loaded machine


def no_network_env(tmp_path: Path, hub_port: int, model: str) -> dict[str, str]:
    """The test's environment without any hub switch, the hub a closed port on 127.0.0.1;
    `model` is `QUIZMASTER_EMBEDDING_MODEL`, or "default" for none."""
    dropped = ("QUIZMASTER_", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_ENDPOINT")
    env = {k: v for k, v in os.environ.items() if not k.startswith(dropped)}
    chosen = {} if model == "default" else {"QUIZMASTER_EMBEDDING_MODEL": model}
    return (
        env
        | chosen
        | {
            "HF_ENDPOINT": f"http://127.0.0.1:{hub_port}",
            "HF_HOME": str(tmp_path / "hf-home"),  # nothing downloaded: the default model is not
            "QUIZMASTER_DB": str(tmp_path / "q.db"),
            "QUIZMASTER_CACHE_DIR": str(tmp_path / "cache"),
            "QUIZMASTER_EMBEDDING_DEVICE": "cpu",
            "QUIZMASTER_DEMOS": "false",
            "QUIZMASTER_LANG": "en",
        }
    )


def posts(db: Path) -> int:
    if not db.exists():
        return 0
    with contextlib.closing(sqlite3.connect(db)) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        return conn.execute("SELECT count(*) FROM posts").fetchone()[0] if "posts" in tables else 0


@pytest.mark.parametrize(
    ("model", "after_s"), [("default", 0.0), ("bundled", 1.5), ("bundled", 3.0)]
)
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
async def test_a_signal_during_start_up_stops_it_before_any_post(
    tmp_path: Path, sig: signal.Signals, model: str, after_s: float
) -> None:
    hub_port = unused_port()
    process = await start_quizmaster(
        ["run", "--platform", "console"],
        env=no_network_env(tmp_path, hub_port, model),
        cwd=tmp_path,
    )
    assert process.stdin and process.stdout and process.stderr
    first = await asyncio.wait_for(process.stderr.readline(), START_GUARD_S)
    assert b"log in" in first, first  # `run` has begun: the settings were read
    await asyncio.sleep(after_s)
    process.send_signal(sig)
    try:
        out, err = await asyncio.wait_for(process.communicate(), DOCKER_STOP_S)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    log_path = tmp_path / LOG_FILE_NAME
    log = log_path.read_text(encoding="utf-8") if log_path.exists() else ""
    assert process.returncode == 0, err.decode()[-2000:] + log[-2000:]
    assert "Traceback" not in err.decode() + log
    assert f":{hub_port}" not in err.decode() + log  # the hub was never asked
    assert posts(tmp_path / "q.db") == 0, out.decode()
