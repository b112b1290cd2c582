"""Slack's app manifests (`slack/manifest.yml`, `slack/manifest-oauth.yml`) hold the slash
commands' usage hints written from the parts' words (`bot.core.flow.parts`), so a command a
part adds shows in Slack's hint without a hand edit: `python -m tools.docs.slack_manifests`
rewrites each `usage_hint` in place (comments and the rest kept), `--check` says whether they
are current (a test runs the check).

What is not derived stays written by hand: each command's description, its URL in the OAuth
manifest, and the scopes. A slash command the parts declare that a manifest lacks, or one it
has that no part declares, is an error to fix by hand, since its description is needed."""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.core.flow.parts import GRAMMAR

SLACK = Path(__file__).resolve().parents[2] / "slack"
MANIFESTS = (SLACK / "manifest.yml", SLACK / "manifest-oauth.yml")

_COMMAND = re.compile(r"^(\s*)- command: (/\S+)\s*$")
_HINT = re.compile(r"^(\s*)usage_hint: .*$")


class ManifestError(Exception):
    """A manifest whose slash commands are not the ones the parts declare."""


def usage_hints() -> dict[str, str]:
    """Each Slack slash command's usage hint: `/quiz`'s words joined, and each line of its own
    (`/demo`) that Slack offers (one with a usage)."""
    quiz = " | ".join(verb.usage for verb in GRAMMAR.verbs if not verb.line and verb.usage)
    lines = {verb.name: verb.usage for verb in GRAMMAR.verbs if verb.line and verb.usage}
    return {"/quiz": quiz, **lines}


def rewritten(manifest: str, hints: dict[str, str]) -> str:
    """`manifest` with each slash command's `usage_hint` line set to `hints`'; raises
    `ManifestError` when its commands are not `hints`' commands."""
    out: list[str] = []
    command: str | None = None
    found: list[str] = []
    for line in manifest.splitlines(keepends=True):
        head = _COMMAND.match(line)
        if head is not None:
            command = head.group(2)
            found.append(command)
        hint = _HINT.match(line)
        if hint is not None and command in hints:
            quoted = json.dumps(hints[command], ensure_ascii=False)
            out.append(f"{hint.group(1)}usage_hint: {quoted}\n")
            command = None
        else:
            out.append(line)
    if sorted(found) != sorted(hints):
        raise ManifestError(
            f"the manifest's slash commands {sorted(found)} are not the parts' {sorted(hints)}:"
            " add or remove the entry (with its description) by hand"
        )
    return "".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.docs.slack_manifests",
        description="Write the Slack manifests' usage hints from the parts' command words.",
    )
    parser.add_argument(
        "manifests", nargs="*", type=Path, default=list(MANIFESTS), help="default slack/*.yml"
    )
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 when a manifest is stale"
    )
    args = parser.parse_args(argv)
    hints = usage_hints()
    stale = False
    for path in args.manifests:
        current = path.read_text(encoding="utf-8")
        try:
            wanted = rewritten(current, hints)
        except ManifestError as error:
            print(f"{path}: {error}", file=sys.stderr)
            return 1
        if wanted == current:
            continue
        if args.check:
            print(f"{path} is stale: run python -m tools.docs.slack_manifests", file=sys.stderr)
            stale = True
        else:
            path.write_text(wanted, encoding="utf-8")
            print(f"wrote {path}")
    return 1 if stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
