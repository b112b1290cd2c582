"""The one rule for digits in a command: a number may be written in the decimal digits of any
script (ASCII 0-9, fullwidth ０-９ from an East Asian keyboard, Arabic-Indic ٠-٩, ...), each
number in one script, and the core reads it as the same number in ASCII. Each part's reader of
its command applies it to every argument that holds a number; the checks after it (`schedule`,
the appeal id and score, a demo's parameters) then take ASCII digits only, so a number that
mixes scripts, left as typed, is refused there with the usual message."""

from __future__ import annotations

import unicodedata


def ascii_digits(text: str) -> str:
    """`text` with each run of decimal digits in one script written in ASCII; a run mixing
    scripts (`1٣`) stays as typed."""
    out: list[str] = []
    run: list[str] = []
    for ch in [*text, ""]:
        if ch and ch.isdecimal():
            run.append(ch)
            continue
        zeros = {ord(digit) - unicodedata.decimal(digit) for digit in run}
        out.append(
            "".join(str(unicodedata.decimal(d)) for d in run) if len(zeros) == 1 else "".join(run)
        )
        out.append(ch)
        run = []
    return "".join(out)


def score_typed(text: str) -> int | None:
    """A score typed in a form or command: a whole number from 0 to 100 in one script of
    digits (`٨٠` is 80), read as ASCII; None for anything else (`1٣`, `+5`, `1_0`, `²`)."""
    digits = ascii_digits(text.strip())
    if digits.isascii() and digits.isdigit() and len(digits) <= 3 and int(digits) <= 100:
        return int(digits)
    return None
