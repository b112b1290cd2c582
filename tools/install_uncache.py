"""Hand an install's large files back to the kernel's page cache as unread: `make venv` runs this
after `uv sync`, and says so in one line ("page cache: released 25 large files ...").

An installer writes a wheel's files through the page cache (uv into its cache, then hard-linked into
the venv; pip into the venv), and the pages stay cached as written (in large folios). On this
machine's kernel (Linux 6.18) a page fault then maps much more of such a file at once than of one
read back on demand: a bot started after a fresh install had libtorch_cpu.so 123 MB resident (and
the bundled model 84 MB) where the same bot maps 64 MB (55 MB) once those pages have left the cache
and been read back as it touches them. In fresh clones straight after `make venv` and `make test`,
`quizmaster bench memory` measured 914 MB peak RSS on a first start without this step and 815 MB
with it (a restart 880 against 778 MB), the anonymous memory the same (594-597 MB). The pages are
clean and shared, but they count in the resident set of every process that maps them until memory
pressure evicts them, which an idle machine may not see for hours.

Each large file is synced and then dropped from the cache with `posix_fadvise(DONTNEED)`: no
root, nothing changes on disk, and the next read of a page costs one disk read.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

MIN_BYTES = 8 * 1024 * 1024
"""Shared libraries, model weights and Kiwi's model; the many small files are not worth it."""


def large_files(root: Path, min_bytes: int = MIN_BYTES) -> Iterator[Path]:
    """Regular files of at least `min_bytes` under `root` (links not followed)."""
    for folder, _, names in os.walk(root):
        for name in names:
            path = Path(folder) / name
            if not path.is_symlink() and path.is_file() and path.stat().st_size >= min_bytes:
                yield path


def drop_from_cache(path: Path) -> None:
    """Write the file's dirty pages back (a dirty page cannot be dropped), then drop them all."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fdatasync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def main(argv: list[str]) -> int:
    """Drop the large files under each folder named (`make venv` names the venv)."""
    if not hasattr(os, "posix_fadvise"):
        print("page cache: posix_fadvise is not available here; nothing dropped")
        return 0
    dropped = [path for root in argv for path in large_files(Path(root))]
    for path in dropped:
        drop_from_cache(path)
    total = sum(path.stat().st_size for path in dropped)
    print(
        f"page cache: released {len(dropped)} large files just installed ({total / 2**20:.0f} MB),"
        " so the bot keeps in memory only the parts it reads"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
