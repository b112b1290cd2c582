"""Composition root: settings in, the quiz's parts out (`QuizService`: intake, posting, takeover,
digests, homes, sign-in; built on the stores, bank, grader and demos opened here).

The only place the bot's `Settings` is read into the other packages: each of them (content,
evaluators, compute) and the core take the narrow values or small settings of their own built here.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot.answer_vectors import grader_vectors
from bot.config import (
    ComputeSettings,
    GameSettings,
    GradingSettings,
    Settings,
    SlackSettings,
    WebSettings,
)
from bot.core.flow.dispatch import DemoDesk, Dispatcher
from bot.core.flow.intake import Intake
from bot.core.flow.replicas import new_replica_id
from bot.core.flow.saved_questions import SavedQuestions
from bot.core.flow.takeover import Takeover
from bot.core.inflight import InFlight
from bot.core.ports import DemoService
from bot.core.question_groups import QuestionGroups
from bot.core.quiz.answering import AnswerFlow
from bot.core.quiz.appeals import Appeals
from bot.core.quiz.demos import DemoHandoff
from bot.core.quiz.desk import GradingDesk
from bot.core.quiz.group_grading import GroupGrading
from bot.core.quiz.open_answers import ModelAnswers, OpenQuestions
from bot.core.quiz.posting import ChannelDefaults, Clock, Posting, PostingStores
from bot.core.quiz.practice import Practice, PracticePolicy
from bot.core.quiz.sign_in import SignInLinks
from bot.core.reporting.digest_posting import Digests
from bot.core.reporting.home import Homes
from bot.core.reporting.reports import Reports
from bot.core.reporting.teaching import Teaching
from bot.core.service import QuizService
from bot.core.team_grading import AnswerVectors
from bot.core.telemetry import install as install_telemetry
from bot.logs import PROGRESS
from bot.metrics import MeteredGrader, PrometheusTelemetry
from bot.model_choice import embedding_model
from bot.storage.repository import Repository
from bot.storage.team_questions import TeamQuestionTable
from bot.storage.web_sessions import WebSessionTable
from bot.storage.web_store import DashboardReads, NonceLedger
from bot.web.signing import LinkIssuer, Signer, Tokens
from compute.client import ComputeClient
from compute.on_demand import OnDemandService
from content.bank import Bank
from content.loader import DEFAULT_BANK_DIR, load_bank
from evaluators import EmbeddingGrader, EmbeddingUnavailableError
from evaluators.grade import Grader
from evaluators.model_settings import ModelSettings

if TYPE_CHECKING:
    from fastapi import FastAPI

    from bot.platforms.slack.installation import OAuthStores

log = logging.getLogger("quizmaster.bot")
start_log = logging.getLogger(PROGRESS)
"""A start's steps, where the plain progress lines go: a pipe's reader sees the start talk."""


def load_configured_bank(settings: GameSettings) -> Bank:
    """The seed bank plus every team bank in `bank_dir`; raises BankError with file and field."""
    paths = [DEFAULT_BANK_DIR]
    if settings.bank_dir is not None:
        paths.append(settings.bank_dir)
    return load_bank(paths)


def channel_defaults(settings: GameSettings) -> ChannelDefaults:
    """What a new channel starts with: the settings' defaults, already checked there."""
    return ChannelDefaults(
        lang=settings.lang,
        timezone=settings.timezone,
        post_time=settings.post_time,
        days=settings.days,
        catch_up=settings.catch_up,
        hint_cap=settings.hint_cap,
        prefer_due=settings.prefer_due,
    )


def practice_policy(settings: GameSettings) -> PracticePolicy:
    """The practice thresholds and step, as the settings checked them."""
    again, hard, good = settings.practice_thresholds
    return PracticePolicy(
        again_below=again, hard_below=hard, good_below=good, step_days=settings.practice_step_days
    )


def model_settings(settings: GradingSettings) -> ModelSettings:
    """The model the bot grades with (its model choice, unless an embeddings server is named),
    for the grader here and for `quizmaster eval`, so both measure the same one. Blocking: the
    model choice may look into the Hugging Face cache."""
    return ModelSettings(
        model=settings.embedding_model if settings.embedding_url else embedding_model(settings),
        cache_dir=settings.cache_dir,
        device=settings.embedding_device,
        embedding_url=settings.embedding_url,
        embedding_token=settings.embedding_token,
        embedding_prefix=settings.embedding_prefix,
        embedding_timeout_s=settings.embedding_timeout_s,
    )


def _teaching(repo: Repository, grader: Grader, bank: Bank) -> Teaching | None:
    """The digest's count of ungraded answer groups, on the grader's own model (none for a
    grader without one)."""
    vectors = grader_vectors(grader)
    if vectors is None:
        return None
    return Teaching(store=repo.team_grades, grouping=QuestionGroups(vectors=vectors, bank=bank))


@dataclass(frozen=True)
class WiredQuiz(QuizService):
    """The quiz's parts with the stores and grader they were built on: the composition root
    keeps these for what it serves beside a bot (`bot.run`: the web page, a Slack app's
    installations), and tests read the stores. Platforms take the `QuizService` alone."""

    repo: Repository
    grader: Grader


def build_quiz_service(
    *,
    repo: Repository,
    bank: Bank,
    grader: Grader,
    defaults: ChannelDefaults,
    clock: Clock | None = None,
    demos: DemoDesk | None = None,
    practice: PracticePolicy | None = None,
    sign_in: SignInLinks | None = None,
) -> WiredQuiz:
    """The quiz's parts, wired on one set of stores, bank, grader and clock: each is built once
    here and handed to every part that uses it. Without `practice`, the policy is the settings'
    defaults (the environment unread); without `sign_in`, `/quiz web` says the web page is not
    set up."""
    now: Clock = clock or (lambda: datetime.now(UTC))
    install_telemetry(PrometheusTelemetry())
    grader = MeteredGrader(grader)
    desk = grading_desk(repo, grader=grader, hint_cap=defaults.hint_cap)
    in_flight = InFlight()
    reviewer = Practice(
        repo=repo.practice,
        bank=bank,
        desk=desk,
        policy=practice or practice_policy(GameSettings()),
        clock=now,
        background=in_flight,
        figures=demos,
    )
    posting = Posting(
        stores=PostingStores(
            channels=repo.channels,
            posts=repo.posts,
            answers=repo.answers,
            boards=repo.boards,
        ),
        bank=bank,
        practice=reviewer,
        defaults=defaults,
        clock=now,
        replica_id=new_replica_id(),
    )
    flow = AnswerFlow(
        repo=repo.answers,
        posts=repo.posts,
        bank=bank,
        desk=desk,
        clock=now,
        background=in_flight,
        figures=demos,
        reviewer=reviewer,
    )
    homes = Homes(
        channels=repo.channels,
        answers=repo.answers,
        members=repo.members,
        practice=reviewer,
        bank=bank,
        clock=now,
        lang=defaults.lang,
    )
    digests = Digests(
        channels=repo.channels,
        posts=repo.posts,
        answers=repo.answers,
        members=repo.members,
        digests=repo.digests,
        bank=bank,
        clock=now,
        replica_id=posting.replica_id,
        teaching=_teaching(repo, grader, bank),
    )
    dispatcher = Dispatcher(
        posting=posting,
        answers=flow,
        reports=Reports(
            posts=repo.posts,
            answers=repo.answers,
            boards=repo.boards,
            members=repo.members,
            sharing=repo.sharing,
            bank=bank,
            clock=now,
            practice=reviewer,
            cards=repo.practice,
        ),
        practice=reviewer,
        appeals=chat_appeals(repo, bank=bank, practice=reviewer, clock=now),
        homes=homes,
        digests=digests,
        demos=demos,
        sign_in=sign_in,
        sessions=WebSessionTable(repo.db),
    )
    intake = Intake(
        claims=repo.claims,
        members=repo.members,
        answers=repo.answers,
        channels=repo.channels,
        posting=posting,
        dispatcher=dispatcher,
        flow=flow,
        in_flight=in_flight,
    )
    return WiredQuiz(
        bank=bank,
        clock=now,
        replica_id=posting.replica_id,
        in_flight=in_flight,
        practice=reviewer,
        posting=posting,
        intake=intake,
        takeover=Takeover(
            posts=repo.posts,
            claims=repo.claims,
            members=repo.members,
            answers=repo.answers,
            posting=posting,
            dispatcher=dispatcher,
            flow=flow,
            in_flight=in_flight,
            intake=intake,
        ),
        digests=digests,
        homes=homes,
        demos=demos,
        sign_in=sign_in,
        notices=repo.notices,
        heartbeats=repo.heartbeats,
        saved_questions=SavedQuestions(TeamQuestionTable(repo.db), bank),
        model_answers=model_answers(repo, bank=bank, desk=desk, clock=now),
        repo=repo,
        grader=grader,
    )


def grading_desk(repo: Repository, *, grader: Grader, hint_cap: int) -> GradingDesk:
    """The grading desk on the repository's human grades: the one way the bot asks for a grade."""
    return GradingDesk(grader=grader, hint_cap=hint_cap, human_grades=repo.team_grades)


def model_answers(repo: Repository, *, bank: Bank, desk: GradingDesk, clock: Clock) -> ModelAnswers:
    """Open questions' model answers and the grading of their kept answers, as one unit, on
    the repository's stores (the web page saves them; a start or a tick finishes them)."""
    return ModelAnswers(
        saved=repo.model_answers,
        answers=repo.answers,
        posts=repo.posts,
        desk=desk,
        bank=bank,
        clock=clock,
    )


def chat_appeals(repo: Repository, *, bank: Bank, practice: Practice, clock: Clock) -> Appeals:
    """Appeals on the repository's appeal and member stores, as the chat and web page share."""
    return Appeals(
        repo=repo.appeals, members=repo.members, bank=bank, practice=practice, clock=clock
    )


def slack_oauth_stores(settings: SlackSettings, repo: Repository) -> OAuthStores | None:
    """Where a Slack app installed through OAuth keeps its workspaces' tokens (sealed with the
    secret key) and spends its OAuth states' nonces; None for one workspace by its bot token.
    Slack's modules are imported here, not at start: a bot on another platform never loads
    them."""
    if not settings.slack_oauth:
        return None
    from bot.platforms.slack.installation import OAuthStores
    from bot.storage.slack_installations import SlackInstallationTable, TokenSeal

    assert settings.secret_key is not None
    return OAuthStores(
        installations=SlackInstallationTable(
            repo.db, TokenSeal(settings.secret_key.get_secret_value())
        ),
        nonces=NonceLedger(repo.db),
    )


def web_tokens(secret: str, clock: Clock | None = None) -> Tokens:
    """The web page's link and session tokens, on the shared secret."""
    return Tokens(Signer(secret), clock or (lambda: datetime.now(UTC)))


def chat_sign_in_links(settings: WebSettings, clock: Clock | None = None) -> LinkIssuer | None:
    """`/quiz web` links for a chat bot whose web page runs as `quizmaster web`: both the
    page's address and the shared secret are needed, else the command says it is not set up."""
    if settings.web_url is None or settings.web_secret is None:
        return None
    return LinkIssuer(web_tokens(settings.web_secret.get_secret_value(), clock), settings.web_url)


def web_app(
    settings: Settings,
    *,
    repo: Repository,
    bank: Bank,
    tokens: Tokens,
    clock: Clock | None = None,
    grader: Grader | None = None,
    notice_left: Callable[[], None] | None = None,
    vectors: AnswerVectors | None = None,
) -> FastAPI:
    """The web page on the bot's repository and bank, with the practice scheduler of the
    settings (mastery is computed as in the chat), and `grader` for "Try the grader". With a
    grader it has the appeals page too, resolving through the chat's own `Appeals`; each
    notice it leaves for the chat calls `notice_left` (a bot in this process sends it now).
    With `vectors` (the grader's embedding model) too, it has the answer groups page.
    The web framework is imported here, not at start: a bot without the page never loads it."""
    from bot.web.app import create_app
    from bot.web.deps import WebDeps

    now: Clock = clock or (lambda: datetime.now(UTC))
    policy = practice_policy(settings.game)
    desk = (
        None
        if grader is None
        else grading_desk(repo, grader=grader, hint_cap=settings.game.hint_cap)
    )
    practice = (
        None
        if desk is None
        else Practice(
            repo=repo.practice,
            bank=bank,
            desk=desk,
            policy=policy,
            clock=now,
            background=InFlight(),
        )
    )
    appeals = (
        None if practice is None else chat_appeals(repo, bank=bank, practice=practice, clock=now)
    )
    grading = (
        None
        if practice is None or vectors is None
        else GroupGrading(
            store=repo.team_grades, vectors=vectors, bank=bank, practice=practice, clock=now
        )
    )
    return create_app(
        WebDeps(
            store=DashboardReads(repo),
            nonces=NonceLedger(repo.db),
            sessions=WebSessionTable(repo.db),
            bank=bank,
            scheduler=policy.scheduler(),
            tokens=tokens,
            clock=now,
            questions=TeamQuestionTable(repo.db),
            channels=repo.channels,
            body_limit=settings.web_body_limit,
            public_https=(settings.web_url or "").startswith("https://"),
            desk=desk,
            appeals=appeals,
            notice_left=notice_left,
            metrics_token=settings.web_metrics_token,
            grading=grading,
            open_questions=None
            if desk is None
            else OpenQuestions(
                store=repo.answers,
                consent=repo.sharing,
                names=repo.members,
                model_answers=model_answers(repo, bank=bank, desk=desk, clock=now),
            ),
        )
    )


async def _open_demos(
    settings: ComputeSettings, stack: AsyncExitStack, clock: Clock | None
) -> DemoHandoff | None:
    """The compute client: the configured service, or one started in-process on loopback."""
    if not settings.demos:
        return None
    service: DemoService
    if settings.compute_url is not None:
        client = ComputeClient(settings.compute_url, token=settings.compute_token)
        stack.push_async_callback(client.aclose)
        service = client
    else:
        # Started on the first demo asked for (compute.on_demand): the embedded service loads
        # torch, which a start, and a bot whose members never ask for a demo, need not pay for.
        on_demand = OnDemandService(settings.compute_service())
        stack.push_async_callback(on_demand.aclose)
        service = on_demand
    return DemoHandoff(
        service,
        rate_per_hour=settings.demo_rate_per_hour,
        clock=clock or (lambda: datetime.now(UTC)),
    )


def configured_grader(settings: GradingSettings) -> EmbeddingGrader:
    """The grader the settings ask for: the model in this process, or the embeddings server at
    QUIZMASTER_EMBEDDING_URL. Blocking (it may load a model): call it from a worker thread."""
    return model_settings(settings).grader()


async def prepare_references(grader: EmbeddingGrader, bank: Bank) -> None:
    """Encode the bank's reference texts now, or, with the embeddings server down, on the first
    answers after it is back: the bot starts either way."""
    try:
        hit = await grader.prepare(bank.every_channel())
    except EmbeddingUnavailableError as exc:
        log.warning("reference embeddings postponed, embedding server unavailable: %s", exc)
        return
    start_log.info(
        "reference embeddings ready (%s)",
        "every text from disk" if hit else "the texts no file held encoded",
    )


@asynccontextmanager
async def open_service(
    settings: Settings,
    *,
    grader: Grader | None = None,
    clock: Clock | None = None,
    sign_in: SignInLinks | None = None,
) -> AsyncIterator[WiredQuiz]:
    """Everything a platform needs, closed in reverse order on exit. Pass `grader` to share an
    already-loaded one (tests, several platforms in one process), and `sign_in` for links to a
    web page served beside it (else the settings' `quizmaster web`, if set up)."""
    bank = load_configured_bank(settings.game)
    async with AsyncExitStack() as stack:
        repo = await Repository.open(settings.storage.db, pool_size=settings.storage.db_pool_size)
        stack.push_async_callback(repo.close)
        await TeamQuestionTable(repo.db).load_into(bank)
        if grader is None:
            start_log.info("loading the embedding model")
            owned = await asyncio.to_thread(configured_grader, settings.grading)
            stack.push_async_callback(owned.aclose)
            await prepare_references(owned, bank)
            grader = owned
        yield build_quiz_service(
            repo=repo,
            bank=bank,
            grader=grader,
            defaults=channel_defaults(settings.game),
            clock=clock,
            demos=await _open_demos(settings.compute, stack, clock),
            practice=practice_policy(settings.game),
            sign_in=sign_in or chat_sign_in_links(settings.web, clock),
        )
