"""Nothing of a channel's own questions reaches another channel (issue 70): channel B's admin
saved a question; in channel A a new member practises card after card, answers each, and asks
for `/quiz stats` and `/quiz me`, and never reads B's question, its model answer or its topic.
A member of both channels who practised B's question in B does not find its card in A either,
and a model answer B wrote for a team bank file's open question is never revealed in A.
Through the real service, the real grader, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot.app import channel_defaults
from bot.config import Settings
from bot.core.messages import Actor, Incoming, Reply
from bot.core.models import ModelAnswer, QuestionEdit
from bot.core.texts import subject_name
from bot.storage.repository import Repository
from bot.wiring import Wired, wire
from content.bank import TEAM_SUBJECT
from content.loader import load_bank
from content.schema import Concept, Localized, Prompt, Reference
from evaluators import EmbeddingGrader
from tests.bot.recording import RecordingTransport

PLATFORM, CHANNEL_A, CHANNEL_B = "test", "C-a", "C-b"
NEWCOMER = Actor("u-new", "Newcomer")
BOTH = Actor("u-both", "Both")
B_TOPIC = "bsecret"
B_REFERENCE = "Channel B's release train leaves every second Thursday at noon."
B_QUESTION = Prompt(
    # first in id order, so the old whole-bank selection offered it as the first new card
    id="aaa-b-001",
    text=Localized(
        ko="B 팀의 릴리스 열차는 언제 떠나나요?", en="When does B's release train leave?"
    ),
    topics=(B_TOPIC,),
    references=(Reference(lang="en", text=B_REFERENCE),),
    concepts=(Concept(id="thursday", ko="목요일", en="Thursday", synonyms=("thursdays",)),),
)
CARDS = 3
ADMIN = Actor("u-boss", "Boss", is_admin=True)
B_MODEL_ANSWER = "Channel B grants leave after its manager signs the form."
SHARED_OPEN = Prompt(
    id="file-open-001",
    status="waiting",
    text=Localized(ko="휴가는 언제 승인되나요?", en="When is leave granted?"),
    topics=("files",),
)
B_CONCEPT = "manager signoff"
SHARED_ANSWERED = SHARED_OPEN.model_copy(
    update={
        "status": "ready",
        "references": (Reference(lang="en", text=B_MODEL_ANSWER),),
        "concepts": (Concept(id="signoff", ko="관리자 서명", en=B_CONCEPT, drafted=True),),
    }
)


@pytest.fixture
async def service(repo: Repository, grader: EmbeddingGrader) -> AsyncIterator[Wired]:
    """The seed bank and B's saved question, loaded as a process loads them at start."""
    await repo.team_questions.create(
        [B_QUESTION],
        QuestionEdit(
            platform=PLATFORM, channel_id=CHANNEL_B, edited_by="boss", at=datetime.now(UTC)
        ),
    )
    bank = load_bank()
    await repo.team_questions.load_into(bank)
    yield wire(
        repo=repo,
        bank=bank,
        grader=grader,
        defaults=channel_defaults(Settings(_env_file=None, lang="en")),
    )


async def say(service: Wired, channel: str, actor: Actor, line: str) -> list[Reply]:
    transport = RecordingTransport()
    await service.intake.handle(Incoming(PLATFORM, channel, actor, line), transport)
    return transport.sent


def leaked(replies: list[Reply]) -> list[str]:
    """What of B's question the replies show."""
    shown = "\n".join(r.text + "".join(f"{k}{v}" for k, v in r.fields) for r in replies)
    marks = (B_QUESTION.id, B_QUESTION.text.en, B_REFERENCE, B_TOPIC)
    return [mark for mark in marks if mark in shown]


async def practise(service: Wired, channel: str, actor: Actor) -> tuple[str, list[Reply]]:
    """`/quiz practice`, then an answer to the card shown; the card's id and every reply."""
    shown = await say(service, channel, actor, "/quiz practice")
    card = await service.repo.practice.practice_pending(platform=PLATFORM, user_id=actor.user_id)
    assert card is not None, [r.text for r in shown]
    graded = await say(service, channel, actor, "/quiz practice answer every second Thursday")
    return card, shown + graded


async def test_practice_stats_and_me_in_one_channel_never_show_anothers_question(
    service: Wired,
) -> None:
    for _ in range(CARDS):
        card, replies = await practise(service, CHANNEL_A, NEWCOMER)
        assert card != B_QUESTION.id
        assert leaked(replies) == [], [r.text for r in replies]
    for command in ("/quiz stats", "/quiz me"):
        replies = await say(service, CHANNEL_A, NEWCOMER, command)
        assert replies and leaked(replies) == [], [r.text for r in replies]


async def test_a_card_practised_in_its_own_channel_stays_there(service: Wired) -> None:
    card, replies = await practise(service, CHANNEL_B, BOTH)
    assert card == B_QUESTION.id, "B's own members practise B's question"
    for command in ("/quiz review", "/quiz me", "/quiz stats"):
        replies = await say(service, CHANNEL_A, BOTH, command)
        assert leaked(replies) == [], [r.text for r in replies]
    card, replies = await practise(service, CHANNEL_A, BOTH)
    assert card != B_QUESTION.id and leaked(replies) == [], [r.text for r in replies]
    mine = await say(service, CHANNEL_B, BOTH, "/quiz me")
    # Mastery is shown by subject (one taxonomy): B's own question is its team subject.
    team = subject_name("en", TEAM_SUBJECT)
    assert team in "\n".join(r.text + str(r.fields) for r in mine), "B still sees its mastery"


async def test_a_model_answer_one_channel_wrote_is_never_revealed_in_another(
    service: Wired,
) -> None:
    """An open question from a team bank file, posted in A and B; B's admin writes its model
    answer. In A it is still open: `/quiz reveal` has nothing to show, an answer there is kept,
    never graded against B's model answer, and A's weekly digest names none of its concepts."""
    service.bank.put(SHARED_OPEN)  # as a team bank file's, every channel's
    for channel in (CHANNEL_A, CHANNEL_B):
        [posted] = await say(service, channel, ADMIN, f"/quiz now {SHARED_OPEN.id}")
        assert posted.card is not None and posted.card.prompt_id == SHARED_OPEN.id
    written = ModelAnswer(
        prompt=SHARED_ANSWERED,
        platform=PLATFORM,
        channel_id=CHANNEL_B,
        lang="en",
        written_by=ADMIN.user_id,
        written_at=datetime.now(UTC),
    )
    assert await service.model_answers.save(written) == 0
    [revealed] = await say(service, CHANNEL_B, ADMIN, "/quiz reveal")
    assert B_MODEL_ANSWER in revealed.text, "B reveals its own model answer"
    shown = await say(service, CHANNEL_A, ADMIN, "/quiz reveal")
    shown += await say(service, CHANNEL_A, NEWCOMER, "It is given only after a full review.")
    text = "\n".join(r.text for r in shown)
    assert B_MODEL_ANSWER not in text and "/100" not in text, text
    assert "no model answer to reveal yet" in text and "Your answer is saved" in text, text
    week = await say(service, CHANNEL_A, NEWCOMER, "/quiz week")
    digest = "\n".join(r.text + str(r.fields) for r in week)
    assert week and B_CONCEPT not in digest and B_MODEL_ANSWER not in digest, digest
