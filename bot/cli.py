"""The `quizmaster` command line. Each package owns its subcommands' parsing in its `cli` module;
this module loads settings once and dispatches.

The tool commands (`eval`, `grade`, `bench`, and `content check`'s model check) reach the tools
package (`tools/`) from inside the command's own function, when it runs: importing this module,
or running the bot, loads nothing of it (`tests/test_layers.py`)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bot import log_escaping
from bot.config import InvalidSettingsError, Settings, load_settings
from bot.logs import log_to_stream
from bot.model_choice import apply_hub_policy

if TYPE_CHECKING:
    from content.schema import Prompt

SubMain = Callable[[list[str], Settings], int]


def _run(argv: list[str], settings: Settings) -> int:
    from bot.run import main as run_main

    return run_main(argv, settings)


def _web(argv: list[str], settings: Settings) -> int:
    from bot.serve_web import main as web_main

    return web_main(argv, settings)


def _content(argv: list[str], settings: Settings) -> int:
    from compute.catalog import demo_names
    from content.cli import main as content_main

    return content_main(
        argv,
        demo_names=demo_names,
        bank_dir=settings.bank_dir,
        kept_answers=lambda: _kept_answers(settings.db),
        model_check=lambda prompts: _model_check(settings, prompts),
    )


def _model_check(settings: Settings, prompts: Sequence[Prompt]) -> list[tuple[str, str, str]]:
    """The checked prompts graded by the model the bot grades with, among the bank it would load
    beside them (the packaged banks and QUIZMASTER_BANK_DIR)."""
    from bot.app import model_settings
    from content.loader import DEFAULT_BANK_DIR, load_bank
    from tools.quality.bank_consistency import check_with

    bank = load_bank([DEFAULT_BANK_DIR, *([settings.bank_dir] if settings.bank_dir else [])])
    bank.put(*prompts)
    findings = check_with(model_settings(settings.grading), bank, prompts)
    return [(f.prompt_id, f.field, f.message) for f in findings]


def _kept_answers(db: Path | str) -> dict[str, int]:
    """The answers kept per open question in the bot's database; none where it has no database
    yet (a check does not create one)."""
    if isinstance(db, Path) and not db.exists():
        return {}
    import asyncio

    from bot.storage.repository import Repository

    async def counts() -> dict[str, int]:
        repo = await Repository.open(db)
        try:
            return await repo.answers.kept_counts()
        finally:
            await repo.close()

    return asyncio.run(counts())


def _eval(argv: list[str], settings: Settings) -> int:
    """The grader measured is the one the bot would grade with (the same model choice);
    `eval fit --team` also reads the team's own grades from the bot's database."""
    from bot.app import model_settings
    from tools.quality.cli import main as eval_main

    if argv[:1] == ["fit"] and "--team" in argv:
        import asyncio

        from bot.app import load_configured_bank
        from bot.human_grade_rows import human_grade_rows
        from tools.quality.cli import team_fit_main

        bank = load_configured_bank(settings.game)
        rows = asyncio.run(human_grade_rows(settings.db, bank))
        return team_fit_main(argv[1:], model_settings(settings.grading), rows, bank)
    return eval_main(argv, model_settings(settings.grading))


def _grade(argv: list[str], settings: Settings) -> int:
    """One answer graded by the grader the bot would grade with, against the configured bank."""
    from bot.app import model_settings
    from content.loader import DEFAULT_BANK_DIR
    from tools.quality.grade_cli import main as grade_main

    banks = [DEFAULT_BANK_DIR, *([settings.bank_dir] if settings.bank_dir is not None else [])]
    return grade_main(argv, model_settings(settings), banks=banks)


def _compute(argv: list[str], settings: Settings) -> int:
    from compute.cli import serve_main

    return serve_main(argv, settings.compute_service())


def _demo(argv: list[str], settings: Settings) -> int:
    from compute.cli import demo_main

    return demo_main(argv)


def _doctor(argv: list[str], settings: Settings) -> int:
    from bot.doctor import main as doctor_main

    return doctor_main(argv, settings)


def _db(argv: list[str], settings: Settings) -> int:
    from bot.storage.cli import main as db_main

    return db_main(argv, settings)


def _bench(argv: list[str], settings: Settings) -> int:
    """The benchmarks are a tool for working on the bot: they sit in `tools/bench/` of a git
    checkout, beside `bot/`, and ship in no wheel or image, so they are looked up there on
    demand."""
    import importlib
    from pathlib import Path

    checkout = Path(__file__).resolve().parents[1]
    if not (checkout / "tools" / "bench" / "cli.py").is_file():
        print(
            "quizmaster bench: the benchmarks ship in no wheel or image; run it from a git "
            "checkout: make venv, then .venv/bin/quizmaster bench NAME",
            file=sys.stderr,
        )
        return 2
    if str(checkout) not in sys.path:
        sys.path.insert(0, str(checkout))
    bench_main: SubMain = importlib.import_module("tools.bench.cli").main
    return bench_main(argv, settings)


COMMANDS: dict[str, tuple[SubMain, str]] = {
    "run": (_run, "start the bot (console, slack or discord)"),
    "web": (_web, "serve the team's web page (sign in with /quiz web in chat)"),
    "content": (_content, "check or import question banks"),
    "eval": (_eval, "measure the grader on graded answers; 'eval fit' refits calibration"),
    "grade": (_grade, "grade one answer to a prompt; --explain shows why"),
    "compute": (_compute, "serve the demo compute service"),
    "demo": (_demo, "run one demo locally and write its PNGs and metrics"),
    "doctor": (_doctor, "check settings, tokens, database, bank, model and compute; --quick"),
    "db": (_db, "copy every row into another, empty database: db copy --from X --to Y"),
    "bench": (_bench, "measure grading, ingest, demos and memory against references; --json"),
}


def usage() -> str:
    lines = ["usage: quizmaster COMMAND [ARGS...]", "", "commands:"]
    lines += [f"  {name:<10} {summary}" for name, (_, summary) in COMMANDS.items()]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(usage())
        return 0
    command = COMMANDS.get(args[0])
    if command is None:
        print(f"quizmaster: unknown command {args[0]!r}\n\n{usage()}", file=sys.stderr)
        return 2
    try:
        settings = load_settings()
    except InvalidSettingsError as exc:
        print("quizmaster: invalid settings", *exc.lines, sep="\n", file=sys.stderr)
        return 2
    apply_hub_policy(settings.grading)
    log_to_stream(settings.log_level)
    log_escaping.install()
    handler, _ = command
    return handler(args[1:], settings)


if __name__ == "__main__":
    raise SystemExit(main())
