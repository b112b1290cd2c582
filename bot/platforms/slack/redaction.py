"""Slack tokens out of slack_sdk's DEBUG records.

slack_sdk logs every response body at DEBUG, and the body of `oauth.v2.access` (an install) is
the workspace's new bot token (and refresh token). The Authorization header is already hidden
by slack_sdk; this filter, on the Web API client's logger, hides any token in the text too.
"""

from __future__ import annotations

import logging
import re

_TOKEN = re.compile(r"xox[a-z]-[A-Za-z0-9-]+")
REDACTED = "xox?-(redacted)"


class RedactTokens(logging.Filter):
    """Rewrites a record whose text holds a Slack token; never drops one."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        if _TOKEN.search(text):
            record.msg = _TOKEN.sub(REDACTED, text)
            record.args = None
        return True


REDACT_TOKENS = RedactTokens()
