"""The grader's member-facing texts (`texts.yaml` beside this module: feedback sentences and the
rules' messages), looked up through the shared `content.catalogue`, as the bot's are."""

from __future__ import annotations

from pathlib import Path

from content.catalogue import Catalogue

GRADER = Catalogue(Path(__file__).with_name("texts.yaml"))
