"""The quiz's parts, wired once (`bot.wiring.wire`) on one set of stores, bank,
grader and clock: daily posting (`bot.core.quiz.posting`), intake and dispatch of every command
or answer (`bot.core.flow.intake`, `bot.core.flow.dispatch`), replica takeover
(`bot.core.flow.takeover`), the weekly digests and the members' homes. Each platform runner and
the scheduler take from it the parts they use; it forwards nothing, and it holds no storage,
only the core's ports of the two stores the scheduler writes itself (notices, heartbeats), the
stored team questions it takes into the bank on each tick, and the model answers whose grading
a stopped process left, which a tick finishes.

Platforms call `intake.handle()` for each incoming message and the scheduler posts what fell
due; everything members see goes out through the platform's `Transport`. All state lives in
the stores, so a restart loses nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.flow.intake import Intake
from bot.core.flow.notices import NoticeStore
from bot.core.flow.replicas import ReplicaStore
from bot.core.flow.saved_questions import SavedQuestions
from bot.core.flow.takeover import Takeover
from bot.core.inflight import InFlight
from bot.core.quiz.demo_commands import DemoDesk
from bot.core.quiz.open_answers import ModelAnswers
from bot.core.quiz.posting import Clock, Posting
from bot.core.quiz.practice import Practice
from bot.core.quiz.sign_in import SignInLinks
from bot.core.reporting.digest_posting import Digests
from bot.core.reporting.home import Homes
from content.bank import Bank


@dataclass(frozen=True)
class QuizService:
    """The parts, ready-made and sharing one bank, clock and replica id. `demos` and `sign_in`
    are None where the bot has no demo service or web page."""

    bank: Bank
    clock: Clock
    replica_id: str
    """The id of this process's heartbeat, which its claims carry."""
    in_flight: InFlight
    practice: Practice
    posting: Posting
    intake: Intake
    takeover: Takeover
    digests: Digests
    homes: Homes
    demos: DemoDesk | None
    sign_in: SignInLinks | None
    notices: NoticeStore
    heartbeats: ReplicaStore
    saved_questions: SavedQuestions
    """The team questions another process saved, taken into `bank` on each scheduler tick."""
    model_answers: ModelAnswers
    """Open questions' model answers whose grading a stopped process left, finished on a tick."""
