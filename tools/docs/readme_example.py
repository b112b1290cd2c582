"""The README's console example from a real run, so the page cannot drift from the grader:
`python -m tools.docs.readme_example --write` runs the README's own scripted session (its
`printf ... | .venv/bin/quizmaster run --platform console` line, in a fresh folder, started as
`make run` starts it) and puts what it printed from the grade to the first follow-up in the
block under it; `--check` writes nothing and exits 1 when that block is stale, and with neither
it prints the block. `tests/bot/test_first_minutes.py` compares the block to its own run of the
same line. Runs from a git checkout (it reads README.md and `.venv`)."""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from bot.core.texts import template

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
_COMMAND = re.compile(
    r"```sh\n(printf '[^`]*?\| \.venv/bin/quizmaster run --platform console[^\n]*)\n```"
)
_SHOWN = re.compile(r"```text\n(.*?)```", re.DOTALL)
_ANSWERED = template("en", "answer_to").split("{", 1)[0]
_FOLLOW_UP = re.compile("@you " + template("en", "followup").split("{", 1)[0] + r"\d+/\d+: ")
RUN_TIMEOUT_S = 900.0


def command(readme: str) -> str:
    """The README's scripted console session, as a shell line."""
    found = _COMMAND.search(readme)
    if found is None:
        raise ValueError("README.md has no `printf ... | .venv/bin/quizmaster run` console example")
    return found.group(1)


def _block(readme: str) -> re.Match[str]:
    """The output block the README shows after its scripted session."""
    session = _COMMAND.search(readme)
    found = None if session is None else _SHOWN.search(readme, session.end())
    if found is None:
        raise ValueError("README.md shows no ```text block after its console example")
    return found


def shown(readme: str) -> str:
    """What the README says the session prints."""
    return _block(readme).group(1)


def excerpt(output: str) -> str:
    """What the README shows of a run's output: from the grade's "Your answer to:" line to the
    first follow-up question, both included."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(_ANSWERED))
    end = next(i for i in range(start, len(lines)) if _FOLLOW_UP.match(lines[i]))
    return "\n".join(lines[start : end + 1]) + "\n"


def with_block(readme: str, block: str) -> str:
    """`readme` with `block` as the output it shows."""
    found = _block(readme)
    return readme[: found.start(1)] + block + readme[found.end(1) :]


def run(line: str) -> str:
    """What `line` prints on a fresh database in a fresh folder, started as `make run` starts
    the bot (no QUIZMASTER_ setting but the cache folder, the member named `you`), with this
    checkout's code and virtual environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUIZMASTER_")}
    if "QUIZMASTER_CACHE_DIR" in os.environ:
        env["QUIZMASTER_CACHE_DIR"] = os.environ["QUIZMASTER_CACHE_DIR"]
    env |= {"QUIZMASTER_WEB_CONSOLE": "false", "PYTHONPATH": str(ROOT)}
    env |= {"USER": "you", "LOGNAME": "you", "MPLBACKEND": "Agg"}
    with tempfile.TemporaryDirectory(prefix="quizmaster-readme-") as folder:
        (Path(folder) / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
        done = subprocess.run(
            ["bash", "-c", line],
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT_S,
            check=False,
        )
    if done.returncode != 0:
        raise RuntimeError(f"the README's example exited {done.returncode}:\n{done.stderr}")
    return done.stdout


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.docs.readme_example",
        description="Run the README's console example and show, check or write its output.",
    )
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--write", action="store_true", help="put the output in README.md")
    action.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 when README.md is stale"
    )
    args = parser.parse_args(argv)
    readme = README.read_text(encoding="utf-8")
    block = excerpt(run(command(readme)))
    if args.check:
        if block != shown(readme):
            print(
                "README.md's console example is stale: python -m tools.docs.readme_example --write",
                file=sys.stderr,
            )
            return 1
        return 0
    if args.write:
        README.write_text(with_block(readme, block), encoding="utf-8")
        return 0
    print(block, end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
