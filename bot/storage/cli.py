"""`quizmaster db`: commands on the database itself (today: copy one into another)."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.config import Settings, check_database
from bot.storage.copy import CopyRefusedError, copy_database


def main(argv: list[str], settings: Settings) -> int:
    parser = argparse.ArgumentParser(prog="quizmaster db", description="Database commands.")
    commands = parser.add_subparsers(dest="command", required=True)
    copy = commands.add_parser(
        "copy",
        help="copy every row into an empty database (SQLite file or postgresql:// URL)",
        description="Copy every row of one database into another, empty one; both are "
        "migrated to the latest schema first. Example: quizmaster db copy --from "
        "quizmaster.db --to postgresql://quiz:PASSWORD@db/quizmaster",
    )
    copy.add_argument("--from", dest="source", default=None, help="default: QUIZMASTER_DB")
    copy.add_argument("--to", dest="target", required=True)
    args = parser.parse_args(argv)
    try:
        source = check_database(args.source) if args.source else settings.db
        target = check_database(args.target)
    except ValueError as exc:
        print(f"quizmaster db copy: {exc}", file=sys.stderr)
        return 2
    try:
        copied = asyncio.run(copy_database(source, target))
    except CopyRefusedError as exc:
        print(f"quizmaster db copy: refused: {exc}", file=sys.stderr)
        return 2
    for table, rows in copied.rows.items():
        print(f"{table:<18} {rows:>8} rows")
    return 0
