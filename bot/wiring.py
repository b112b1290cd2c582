"""One wiring per process: `wire` builds each part of the quiz once (the grading desk,
practice, appeals, model answers, group grading, open questions, posting, answer flow,
intake, takeover, digests and homes) on one set of stores, bank, grader and clock, and hands
each part to every other that uses it. The chat takes the `QuizService` view of the wired set,
the web page its `WebDeps` view (`bot.app.web_app`): both see the same desk, the same practice
(one in-flight set) and the same appeals.

The one optional part, answer groups, is decided here: `Wired.grading` is None only where the
grader has no embedding model of its own and none was given.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from bot.answer_vectors import grader_vectors
from bot.config import GameSettings
from bot.core.flow.dispatch import Dispatcher
from bot.core.flow.intake import Intake
from bot.core.flow.parts import Guide
from bot.core.flow.replicas import new_replica_id
from bot.core.flow.saved_questions import SavedQuestions
from bot.core.flow.takeover import Takeover
from bot.core.inflight import InFlight
from bot.core.quiz.answering import AnswerFlow
from bot.core.quiz.appeals import Appeals
from bot.core.quiz.bookmarks import Bookmarks
from bot.core.quiz.channel_settings import ChannelSettings
from bot.core.quiz.demo_commands import DemoDesk, Demos
from bot.core.quiz.desk import GradingDesk
from bot.core.quiz.group_grading import GroupGrading
from bot.core.quiz.open_answers import ModelAnswers, OpenQuestions
from bot.core.quiz.posting import ChannelDefaults, Clock, Posting, PostingStores
from bot.core.quiz.practice import Practice, PracticePolicy
from bot.core.quiz.sharing import Sharing
from bot.core.quiz.sign_in import SignIn, SignInLinks
from bot.core.quiz.topics import Topics
from bot.core.reporting.digest_posting import Digests
from bot.core.reporting.home import Homes
from bot.core.reporting.reports import Reports
from bot.core.reporting.teaching import Teaching
from bot.core.service import QuizService
from bot.core.team_grading import AnswerVectors
from bot.core.telemetry import install as install_telemetry
from bot.metrics import MeteredGrader, PrometheusTelemetry
from bot.storage.repository import Repository
from content.bank import Bank
from evaluators.grade import Grader


@dataclass(frozen=True)
class Wired(QuizService):
    """Every part of the quiz, with the stores and grader they were built on. Platforms take
    the `QuizService` view alone; the web page takes its parts through `bot.app.web_app`; the
    composition root keeps the stores for what it serves beside a bot (a Slack app's
    installations), and tests read them."""

    repo: Repository
    grader: Grader
    """The grader every part grades with (counted by the bot's metrics)."""
    desk: GradingDesk
    appeals: Appeals
    open_questions: OpenQuestions
    grading: GroupGrading | None
    """Answer groups; None where the grader has no embedding model (a test's fixed grader) and
    no `vectors` were wired: the groups page then says so."""


@dataclass(frozen=True)
class _Core:
    """The parts every other is built on: one clock, one desk, one practice (with the one
    in-flight set), one posting, one answer flow, one appeals, one model answers (the chat's and
    the web page's open questions) and one homes."""

    repo: Repository
    bank: Bank
    clock: Clock
    in_flight: InFlight
    desk: GradingDesk
    practice: Practice
    posting: Posting
    flow: AnswerFlow
    appeals: Appeals
    model_answers: ModelAnswers
    open_questions: OpenQuestions
    homes: Homes


def practice_policy(settings: GameSettings) -> PracticePolicy:
    """The practice thresholds and step, as the settings checked them."""
    again, hard, good = settings.practice_thresholds
    return PracticePolicy(
        again_below=again, hard_below=hard, good_below=good, step_days=settings.practice_step_days
    )


def wire(
    *,
    repo: Repository,
    bank: Bank,
    grader: Grader,
    defaults: ChannelDefaults,
    clock: Clock | None = None,
    demos: DemoDesk | None = None,
    practice: PracticePolicy | None = None,
    sign_in: SignInLinks | None = None,
    vectors: AnswerVectors | None = None,
) -> Wired:
    """The quiz's parts, each built once on one set of stores, bank, grader and clock. Without
    `practice`, the policy is the game's defaults (the environment unread); without `sign_in`,
    `/quiz web` says the web page is not set up; without `vectors`, answer groups use the
    grader's own model, if it has one."""
    install_telemetry(PrometheusTelemetry())
    metered = MeteredGrader(grader)
    core = _core(
        repo=repo,
        bank=bank,
        grader=metered,
        defaults=defaults,
        clock=clock or (lambda: datetime.now(UTC)),
        demos=demos,
        policy=practice,
    )
    grading = _group_grading(core, vectors if vectors is not None else grader_vectors(grader))
    digests = _digests(core, grading)
    dispatcher = Dispatcher(
        parts=(
            core.flow,
            core.posting,
            _reports(core),
            core.practice,
            SignIn(sign_in),
            core.appeals,
            ChannelSettings(channels=repo.channels, clock=core.clock),
            core.homes,
            digests,
            Sharing(store=repo.sharing, clock=core.clock),
            Topics(bank=bank, posts=repo.posts, channels=repo.channels),
            Bookmarks(store=repo.bookmarks, posts=repo.posts, bank=bank, clock=core.clock),
            Demos(demos),
            Guide(core.flow.hint_cap),
        ),
        sessions=repo.web_sessions,
    )
    intake, takeover = _intake(core, dispatcher)
    return Wired(
        bank=bank,
        clock=core.clock,
        replica_id=core.posting.replica_id,
        in_flight=core.in_flight,
        practice=core.practice,
        posting=core.posting,
        intake=intake,
        takeover=takeover,
        digests=digests,
        homes=core.homes,
        demos=demos,
        sign_in=sign_in,
        notices=repo.notices,
        heartbeats=repo.heartbeats,
        saved_questions=SavedQuestions(repo.team_questions, bank),
        model_answers=core.model_answers,
        repo=repo,
        grader=metered,
        desk=core.desk,
        appeals=core.appeals,
        open_questions=core.open_questions,
        grading=grading,
    )


def _core(
    *,
    repo: Repository,
    bank: Bank,
    grader: Grader,
    defaults: ChannelDefaults,
    clock: Clock,
    demos: DemoDesk | None,
    policy: PracticePolicy | None,
) -> _Core:
    desk = GradingDesk(grader=grader, hint_cap=defaults.hint_cap, human_grades=repo.team_grades)
    in_flight = InFlight()
    practice = Practice(
        repo=repo.practice,
        bank=bank,
        desk=desk,
        policy=policy or practice_policy(GameSettings()),
        clock=clock,
        background=in_flight,
        figures=demos,
    )
    posting = Posting(
        stores=PostingStores(
            channels=repo.channels, posts=repo.posts, answers=repo.answers, boards=repo.boards
        ),
        bank=bank,
        practice=practice,
        defaults=defaults,
        clock=clock,
        replica_id=new_replica_id(),
    )
    model_answers = ModelAnswers(
        saved=repo.model_answers,
        answers=repo.answers,
        posts=repo.posts,
        desk=desk,
        bank=bank,
        clock=clock,
    )
    return _Core(
        repo=repo,
        bank=bank,
        clock=clock,
        in_flight=in_flight,
        desk=desk,
        practice=practice,
        posting=posting,
        flow=AnswerFlow(
            repo=repo.answers,
            posts=repo.posts,
            bank=bank,
            desk=desk,
            clock=clock,
            background=in_flight,
            figures=demos,
            reviewer=practice,
        ),
        appeals=Appeals(
            repo=repo.appeals, members=repo.members, bank=bank, practice=practice, clock=clock
        ),
        model_answers=model_answers,
        open_questions=OpenQuestions(
            store=repo.answers,
            consent=repo.sharing,
            names=repo.members,
            model_answers=model_answers,
        ),
        homes=Homes(
            channels=repo.channels,
            answers=repo.answers,
            members=repo.members,
            practice=practice,
            bank=bank,
            clock=clock,
            lang=defaults.lang,
        ),
    )


def _intake(core: _Core, dispatcher: Dispatcher) -> tuple[Intake, Takeover]:
    """Intake of every message, and the takeover of other replicas' work on its parts."""
    repo = core.repo
    intake = Intake(
        claims=repo.claims,
        members=repo.members,
        answers=repo.answers,
        channels=repo.channels,
        posting=core.posting,
        dispatcher=dispatcher,
        flow=core.flow,
        practice=core.practice,
        in_flight=core.in_flight,
    )
    return intake, Takeover(posts=repo.posts, intake=intake)


def _group_grading(core: _Core, vectors: AnswerVectors | None) -> GroupGrading | None:
    if vectors is None:
        return None
    return GroupGrading(
        store=core.repo.team_grades,
        vectors=vectors,
        bank=core.bank,
        practice=core.practice,
        clock=core.clock,
    )


def _digests(core: _Core, grading: GroupGrading | None) -> Digests:
    """The weekly digests, counting the ungraded answer groups on the answer groups' own
    grouping (none without answer groups)."""
    repo = core.repo
    return Digests(
        channels=repo.channels,
        posts=repo.posts,
        answers=repo.answers,
        members=repo.members,
        digests=repo.digests,
        bank=core.bank,
        clock=core.clock,
        replica_id=core.posting.replica_id,
        teaching=None
        if grading is None
        else Teaching(store=repo.team_grades, grouping=grading.grouping),
    )


def _reports(core: _Core) -> Reports:
    repo = core.repo
    return Reports(
        posts=repo.posts,
        answers=repo.answers,
        boards=repo.boards,
        members=repo.members,
        sharing=repo.sharing,
        bank=core.bank,
        clock=core.clock,
        practice=core.practice,
    )
