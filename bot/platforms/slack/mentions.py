"""Make text safe to post: whatever a member typed is shown, but it can never ping anyone.

Slack only parses `<!channel>`, `<!here>`, `<!everyone>`, `<@U…>` and `<!subteam^…>` when the
`<` and `>` are literal, so escaping the three control characters Slack documents (`&`, `<`, `>`)
turns every such sequence into visible text. We never send `link_names`, so bare `@here` does
not ping either; a word joiner after its `@` keeps that true even if someone turns it on later.
"""

from __future__ import annotations

import re

_WORD_JOINER = "\u2060"
_BROADCAST_WORD = re.compile(r"@(?=(?:channel|here|everyone)\b)", re.IGNORECASE)
_ENTITIES = {"&amp;": "&", "&lt;": "<", "&gt;": ">"}
_ENTITY = re.compile("|".join(map(re.escape, _ENTITIES)))


def neutralise(text: str) -> str:
    """Escape Slack's control characters and defuse broadcast words, for any text we post."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BROADCAST_WORD.sub("@" + _WORD_JOINER, escaped)


def unescape(text: str) -> str:
    """What the member actually typed: Slack sends message text with `&`, `<`, `>` escaped."""
    return _ENTITY.sub(lambda match: _ENTITIES[match.group(0)], text)


def mention(user_id: str) -> str:
    """The one deliberate ping we make: addressing the member a reply is for."""
    return f"<@{user_id}>"
