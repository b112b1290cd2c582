"""Every user-facing string the Slack adapter itself shows, in one place (the core writes the rest).

Labels carry both languages because a button is drawn once, before anyone picks a language.
"""

from __future__ import annotations

BUTTON_ANSWER = "답하기 · Answer"
BUTTON_HINT = "힌트 · Hint"
BUTTON_REVEAL = "정답 · Reveal"
LANGUAGES = (("ko", "한국어"), ("en", "English"))

REVEAL_CONFIRM_TITLE = "Reveal the answer?"
REVEAL_CONFIRM_TEXT = "Everyone in the channel will see the model answer."
REVEAL_CONFIRM_YES = "Reveal"
REVEAL_CONFIRM_NO = "Not yet"

MODAL_TITLE = "Your answer"
MODAL_SUBMIT = "Submit"
MODAL_CLOSE = "Cancel"
MODAL_LABEL = "Answer in your own words"

IMAGE_ONLY = "📈"

FAILED = "Sorry, that did not work on my side; it has been logged. Try again, or `/quiz help`."
NOT_IN_CHANNEL = "I am not in this channel yet: `/invite @quizmaster`, then try again."
