"""Slack's manifests carry the usage hints written from the parts' words: it fails here when a
committed manifest is stale (a part's command missing from `/quiz`'s hint), when the generator
would not catch a stale one, or when a manifest's slash commands are not the parts'."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tools.docs import slack_manifests


def test_the_committed_manifests_are_current(capsys: pytest.CaptureFixture[str]) -> None:
    assert slack_manifests.main(["--check"]) == 0, capsys.readouterr().err


@pytest.mark.parametrize("manifest", slack_manifests.MANIFESTS, ids=lambda path: path.name)
def test_a_stale_hint_is_caught_and_rewritten_from_the_parts(
    manifest: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stale = tmp_path / manifest.name
    committed = manifest.read_text(encoding="utf-8")
    stale.write_text(committed.replace(" | due", "", 1), encoding="utf-8")
    assert stale.read_text(encoding="utf-8") != committed
    assert slack_manifests.main(["--check", str(stale)]) == 1
    assert "stale" in capsys.readouterr().err
    assert slack_manifests.main([str(stale)]) == 0
    assert stale.read_text(encoding="utf-8") == committed
    app = yaml.safe_load(committed)
    hints = {c["command"]: c["usage_hint"] for c in app["features"]["slash_commands"]}
    assert "due" in hints["/quiz"].split(" | ")


def test_a_manifest_without_a_parts_command_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lacking = tmp_path / "manifest.yml"
    committed = slack_manifests.MANIFESTS[0].read_text(encoding="utf-8")
    lacking.write_text(committed.replace("- command: /demo", "- command: /demos"), "utf-8")
    assert slack_manifests.main(["--check", str(lacking)]) == 1
    assert "by hand" in capsys.readouterr().err
