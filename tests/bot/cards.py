"""Practice cards planted the way the bot stores one from practice: with the member's row and a
practice answer that carries the card (`PracticeStore.record_practice_answer`)."""

from __future__ import annotations

from bot.core.models import GradedText, PracticeCardRow
from bot.core.ports import MemberStore
from bot.core.quiz.practice import PracticeStore, PracticeWrite


async def plant_card(
    members: MemberStore, practice: PracticeStore, card: PracticeCardRow, *, rating: int = 1
) -> None:
    """Store `card` as a practice answer at its score (rated `rating`, "Again" by default)
    would: the card is then the member's latest for its prompt."""
    await members.ensure_member(
        platform=card.platform, user_id=card.user_id, display_name=card.user_id
    )
    await practice.record_practice_answer(
        PracticeWrite(
            platform=card.platform,
            graded=GradedText(
                user_id=card.user_id,
                prompt_id=card.prompt_id,
                message_id=None,
                text="a practice answer",
                score=card.score,
                verdict="partial",
                covered=(),
                missed=(),
                flags=(),
                answered_at=card.updated_at,
            ),
            rating=rating,
            card=card,
        )
    )
