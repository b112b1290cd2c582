"""Every user-facing string the Slack adapter itself shows, in one place (the core writes the rest).

A question card's buttons and confirmation are in its channel's language (the card's reply says
which). The answer dialog carries both, since it opens from a button with no language of its own.
"""

from __future__ import annotations

from content.schema import Lang

Phrase = tuple[str, str]
"""Korean, English."""

BUTTON_ANSWER: Phrase = ("답하기", "Answer")
BUTTON_HINT: Phrase = ("힌트", "Hint")
BUTTON_REVEAL: Phrase = ("정답", "Reveal")
LANGUAGES = (("ko", "한국어"), ("en", "English"))

REVEAL_CONFIRM_TITLE: Phrase = ("정답을 공개할까요?", "Reveal the answer?")
REVEAL_CONFIRM_TEXT: Phrase = (
    "채널의 모두가 모범 답안을 보게 돼요.",
    "Everyone in the channel will see the model answer.",
)
REVEAL_CONFIRM_YES: Phrase = ("공개", "Reveal")
REVEAL_CONFIRM_NO: Phrase = ("아직", "Not yet")

MODAL_TITLE = "내 답 · Your answer"
MODAL_SUBMIT = "제출 · Submit"
MODAL_CLOSE = "취소 · Cancel"
MODAL_LABEL = "자신의 말로 답해 주세요 · Answer in your own words"


def said(phrase: Phrase, lang: Lang | None) -> str:
    """The phrase in `lang`; in both where the language is not known."""
    ko, en = phrase
    if lang is None:
        return f"{ko} · {en}"
    return en if lang == "en" else ko


IMAGE_ONLY = "📈"

# Told before the member's language is known, so in both, as Discord's error text is.
FAILED = (
    "Sorry, that did not work on my side; it has been logged. Try again, or `/quiz help`. · "
    "처리 중 오류가 발생했어요 (기록해 두었어요). 다시 시도하거나 `/quiz help`를 입력해 주세요."
)
NOT_IN_CHANNEL = (
    "I am not in this channel yet: `/invite @quizmaster`, then try again. · "
    "아직 이 채널에 없어요: `/invite @quizmaster` 후 다시 시도해 주세요."
)
