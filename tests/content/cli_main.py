"""`quizmaster content` as the bot's command line calls it: with the real demo catalog."""

from __future__ import annotations

from functools import partial

from compute.catalog import demo_names
from content.cli import main as content_main

main = partial(content_main, demo_names=demo_names)
