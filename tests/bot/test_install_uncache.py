"""`make venv` hands the install's large files back to the kernel unread: their pages leave the
page cache (read back with mincore), the small files' stay, and no byte changes."""

from __future__ import annotations

import ctypes
import mmap
import os
import subprocess
from pathlib import Path

import pytest

from tools.install_uncache import MIN_BYTES, main

_libc = ctypes.CDLL(None, use_errno=True)


def _cached_share(path: Path) -> float:
    """The share of `path`'s pages in the page cache (mincore on a private mapping of it)."""
    size = path.stat().st_size
    pages = (size + mmap.PAGESIZE - 1) // mmap.PAGESIZE
    with path.open("rb") as f, mmap.mmap(f.fileno(), size, access=mmap.ACCESS_COPY) as mapped:
        address = ctypes.addressof(ctypes.c_char.from_buffer(mapped))
        vector = (ctypes.c_ubyte * pages)()
        if _libc.mincore(ctypes.c_void_p(address), ctypes.c_size_t(size), vector) != 0:
            raise OSError(ctypes.get_errno(), "mincore")
        return sum(v & 1 for v in vector) / pages


def _filesystem(path: Path) -> str:
    return subprocess.run(
        ["stat", "-f", "-c", "%T", str(path)], capture_output=True, text=True, check=True
    ).stdout.strip()


def test_large_installed_files_leave_the_page_cache(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if _filesystem(tmp_path) in {"tmpfs", "ramfs"}:
        pytest.skip("a file in memory has no disk to be read back from")
    large = tmp_path / "lib" / "libbig.so"
    small = tmp_path / "small.py"
    large.parent.mkdir()
    content = os.urandom(MIN_BYTES + 12345)
    large.write_bytes(content)
    small.write_bytes(b"x = 1\n" * 1000)
    (tmp_path / "link.so").symlink_to(large)
    assert _cached_share(large) > 0.9  # just written: cached as written

    assert main([str(tmp_path)]) == 0

    assert "released 1 large files just installed (8 MB)" in capsys.readouterr().out
    assert _cached_share(large) < 0.1
    assert _cached_share(small) == 1.0
    assert large.read_bytes() == content
