"""Which embedding model the bot grades with.

A deployment names its model (the docker image sets `QUIZMASTER_EMBEDDING_MODEL` and bakes the
model in); if a named model cannot load, the grader falls back to the bundled one with a loud
warning, because someone has something to fix. Left at its default, the multilingual model is
used wherever it can load: downloaded already, or (with QUIZMASTER_HUB_DOWNLOADS=true) from the
hub. The hub is off unless that setting opts in (`apply_hub_policy`), so without the model on
disk the bundled all-MiniLM-L6-v2 is chosen up front with an INFO line: nothing is wrong there.
`bundled` names the bundled model in any setting.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from bot.config import GradingSettings
from evaluators.embedder import bundled_model_path

log = logging.getLogger("quizmaster.bot")

BUNDLED = "bundled"


def is_downloaded(name: str) -> bool:
    """A model folder, or a hub model id whose files are in the local Hugging Face cache."""
    if Path(name).expanduser().is_dir():
        return True
    from huggingface_hub import try_to_load_from_cache

    try:
        return isinstance(try_to_load_from_cache(name, "config.json"), str)
    except ValueError:  # not a valid repo id
        return False


def apply_hub_policy(settings: GradingSettings) -> None:
    """Offline first: unless QUIZMASTER_HUB_DOWNLOADS is true, switch the hub off for this
    process before anything imports huggingface_hub (it reads the switch once, at import)."""
    if not settings.hub_downloads:
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"


def hub_offline() -> bool:
    from huggingface_hub import constants

    return bool(constants.HF_HUB_OFFLINE)


def embedding_model(settings: GradingSettings) -> str:
    """The model name or folder to load for `settings` (see the module docstring)."""
    name = settings.embedding_model
    if name == BUNDLED:
        return str(bundled_model_path())
    if "embedding_model" in settings.model_fields_set or not hub_offline() or is_downloaded(name):
        return name
    log.info(
        "default embedding model %s is not downloaded and the hub is offline; grading with the "
        "bundled all-MiniLM-L6-v2 (QUIZMASTER_EMBEDDING_MODEL names another)",
        name,
    )
    return str(bundled_model_path())
