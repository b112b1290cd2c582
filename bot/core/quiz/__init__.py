"""The quiz itself: posting the day's question (`posting`, `selection`), grading answers in
their threads (`answering`, `threads`), spaced practice (`practice`, `mastery`), a channel's
settings, sharing, appeals, sign-in links and the `/demo` hand-off."""
