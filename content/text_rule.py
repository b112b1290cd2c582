"""The one rule for text that comes in from outside, whichever way it comes: a member typing in
chat or on the web page, an admin typing on the web page (a model answer, a question, a grade's
note), and a file given to `quizmaster content import`. Everything after intake (parsing, the
bank files, storage, grading, replies) sees the same text, and `content check` refuses a bank
that holds what the rule takes out.

NUL and the other C0 control characters except newline and tab are removed (PostgreSQL refuses
NUL in text, and a terminal acts on ESC), and so are the bidi controls (an override such as
U+202E would reorder what a member reads after it, on the console and in Slack alike); lone
UTF-16 surrogates, which JSON can carry and UTF-8 cannot encode, become U+FFFD. What an admin
writes must also hold a visible character (`visible`): spaces, zero-width marks, unassigned and
private-use code points alone are no model answer, question or wording.
"""

from __future__ import annotations

import unicodedata

BIDI_CONTROLS = (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
"""The Arabic letter mark, the left-to-right and right-to-left marks, the embeddings and
overrides (U+202A-U+202E) and the isolates (U+2066-U+2069)."""
_REMOVED: dict[int, str | None] = dict.fromkeys(
    [*(code for code in range(0x20) if chr(code) not in "\n\t"), *BIDI_CONTROLS]
)
_UNSEEN = {"Cc", "Cf", "Zs", "Zl", "Zp", "Mn", "Me", "Cn", "Co", "Cs"}
"""Unicode categories that show nothing on their own: controls, format marks (zero-width),
spaces, combining marks with nothing to combine with; and code points no font can be relied on
to draw: unassigned ones (U+0378, noncharacters), private-use ones (U+E000-U+F8FF and planes
15-16, which only a font that chose a glyph for them shows, a box or nothing elsewhere) and
surrogates. Unassigned is as Python's Unicode database says, so a character newer than it
(an emoji of a later Unicode version) does not count either, beside visible ones it stays."""
_BLANK_LETTERS = {0x115F, 0x1160, 0x3164, 0xFFA0, 0x2800}
"""Letters that draw nothing: the Hangul fillers and the blank Braille pattern."""


def well_formed(text: str) -> str:
    """`text` with each lone surrogate replaced by U+FFFD (a split pair is joined back): the
    half of the rule every part of the pipeline needs, since the tokenizer rejects a lone
    surrogate and SQLite cannot store one as UTF-8 (the grader and the embeddings service apply
    it to text that did not come through intake)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def incoming_text(text: str) -> str:
    """`text` under the rule: C0 controls but newline and tab gone, bidi controls gone, lone
    surrogates replaced by U+FFFD (a split pair is joined back)."""
    return well_formed(text).translate(_REMOVED)


def removed_controls(text: str) -> list[str]:
    """The characters of `text` the rule removes, each once, as `U+XXXX` in order."""
    found = sorted({ord(ch) for ch in text if ord(ch) in _REMOVED})
    return [f"U+{code:04X}" for code in found]


def visible(text: str) -> bool:
    """Whether `text` shows anything: a character that is not a space, a control, a zero-width
    or combining mark, a blank filler, or an unassigned, private-use or surrogate code point."""
    return any(
        unicodedata.category(ch) not in _UNSEEN and ord(ch) not in _BLANK_LETTERS for ch in text
    )
