"""A question card's post, kept with its Discord message for good: an invisible mark at the end
of the embed's footer.

Discord's enforced nonce returns a question sent twice as one message only for a few minutes; a
process killed after Discord took the question and restarted later must find it in the
channel's history (`ChannelTransport.find_question`). A message read back carries no nonce, so
the post must be in what it shows. It goes in as zero-width characters (the post's number in
binary after an invisible separator): members see the footer as before, a visible number would
be a database id that means nothing to them (and jumps between a team's questions), and Discord
keeps these characters as sent (a field of one zero-width space is its usual "blank")."""

from __future__ import annotations

_START = "\u2063"  # INVISIBLE SEPARATOR: where the mark begins
_BITS = "\u200b\u200c"  # ZERO WIDTH SPACE for 0, ZERO WIDTH NON-JOINER for 1


def post_mark(post_id: int) -> str:
    """The mark of post `post_id`, to append to a footer."""
    return _START + "".join(_BITS[int(bit)] for bit in format(post_id, "b"))


def marked_post(footer: str | None) -> int | None:
    """The post whose mark ends `footer`; None for a footer without one."""
    if not footer or _START not in footer:
        return None
    bits = footer.rpartition(_START)[2]
    if not bits or any(char not in _BITS for char in bits):
        return None
    return int("".join(str(_BITS.index(char)) for char in bits), 2)
