"""With a remote model the bot never imports torch: the whole service is opened and an answer
graded in a fresh process, which then reports what it imported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.embedding_servers import Behaviour, misbehaving_server
from tests.loopback import unused_port

ROOT = Path(__file__).resolve().parents[2]
HEAVY = (
    "torch",
    "sentence_transformers",
    "transformers",
    "matplotlib",
    "fastapi",
    "sklearn",
    "scipy",
)
"""Never imported by a bot grading through a server: the model stack, the chart and web
libraries, which load with the first chart and the web page (about 45 MB together), and
scikit-learn and scipy, which the calibration fit on a new model's first start does without
(about 100 MB)."""

SCRIPT = """
import asyncio, json, sys
from pathlib import Path

from bot.app import open_service
from bot.config import Settings
from bot.core.messages import Actor, Incoming, ReplyKind
from tests.bot.recording import RecordingTransport


async def main() -> None:
    db, cache, embedding_url, compute_url = sys.argv[1:5]
    settings = Settings(
        _env_file=None,
        db=Path(db),
        cache_dir=Path(cache),
        lang="en",
        embedding_url=embedding_url,
        embedding_model="served-model",
        compute_url=compute_url,
    )
    async with open_service(settings) as service:
        transport = RecordingTransport()
        post = await service.posting.post_today("console", "c1", transport)
        answer = Incoming("console", "c1", Actor("u1", "Mina"), "Gradients vanish.",
                          message_id="m1", thread_id=post.thread_id)
        await service.intake.handle(answer, transport)
        grades = len(transport.of_kind(ReplyKind.GRADE))
    print(json.dumps({"grades": grades, "loaded": [m for m in %r if m in sys.modules]}))


asyncio.run(main())
"""


def test_a_first_start_that_fits_the_calibration_and_the_next_import_none_of_them(
    tmp_path: Path,
) -> None:
    """An empty cache dir: the first process fits the model's calibration before it grades; the
    second, on the same cache dir, finds it and grades (the start every later one makes)."""
    cache = tmp_path / "cache"
    _grade_in_a_fresh_process(tmp_path / "first", cache)
    [fitted] = (cache / "calibration").glob("served-model-16d-*.json")
    written = fitted.stat().st_mtime_ns
    _grade_in_a_fresh_process(tmp_path / "next", cache)
    assert fitted.stat().st_mtime_ns == written, "the next start fitted it again"


def _grade_in_a_fresh_process(tmp_path: Path, cache: Path) -> None:
    tmp_path.mkdir()
    behaviour = Behaviour(dimension=16)
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUIZMASTER_")}
    env["PYTHONPATH"] = str(ROOT)
    with misbehaving_server(behaviour) as url:
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                SCRIPT % (HEAVY,),
                str(tmp_path / "q.db"),
                str(cache),
                url,
                f"http://127.0.0.1:{unused_port()}",
            ],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report == {"grades": 1, "loaded": []}
    assert behaviour.requests > 0 and all(
        inputs and len(inputs) <= 32 for inputs in behaviour.inputs
    )
