"""Composition root: settings in, the quiz's parts out (`bot.wiring.wire`, on the stores,
bank, grader and demos opened here), and the web page over them (`web_app`).

The only place the bot's `Settings` is read into the other packages: each of them (content,
evaluators, compute) and the core take the narrow values or small settings of their own built here.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot.compute_demos import ComputeDemoClient, ComputeDemos
from bot.config import (
    ComputeSettings,
    GameSettings,
    GradingSettings,
    Settings,
    SlackSettings,
    WebSettings,
)
from bot.core.quiz.demos import DemoHandoff
from bot.core.quiz.posting import ChannelDefaults, Clock
from bot.core.quiz.sign_in import SignInLinks
from bot.logs import PROGRESS
from bot.model_choice import embedding_model
from bot.storage.repository import Repository
from bot.storage.web_store import DashboardReads
from bot.web.signing import LinkIssuer, Signer, Tokens
from bot.wiring import Wired, practice_policy, wire
from compute.client import ComputeClient
from compute.on_demand import OnDemandService
from content.bank import Bank
from content.loader import DEFAULT_BANK_DIR, load_bank
from evaluators import EmbeddingGrader, EmbeddingUnavailableError, ModelSettings
from evaluators.grade import Grader

if TYPE_CHECKING:
    from fastapi import FastAPI

    from bot.platforms.slack.installation import OAuthStores

log = logging.getLogger("quizmaster.bot")
start_log = logging.getLogger(PROGRESS)
"""A start's steps, where the plain progress lines go: a pipe's reader sees the start talk."""


def load_configured_bank(settings: GameSettings) -> Bank:
    """The seed bank plus every team bank in `bank_dir`, which are the team's own questions
    (the `team` subject, as the README's "Your team's own questions" says); raises BankError
    with file and field."""
    team = [settings.bank_dir] if settings.bank_dir is not None else []
    return load_bank([DEFAULT_BANK_DIR], team=team)


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


def slack_oauth_stores(settings: SlackSettings, repo: Repository) -> OAuthStores | None:
    """Where a Slack app installed through OAuth keeps its workspaces' tokens (sealed with the
    secret key) and spends its OAuth states' nonces; None for one workspace by its bot token.
    Slack's modules are imported here, not at start: a bot on another platform never loads
    them."""
    if not settings.slack_oauth:
        return None
    from bot.platforms.slack.installation import OAuthStores

    assert settings.secret_key is not None
    return OAuthStores(
        installations=repo.slack_installations(settings.secret_key.get_secret_value()),
        nonces=repo.nonces,
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
    wired: Wired,
    *,
    tokens: Tokens,
    notice_left: Callable[[], None] | None = None,
) -> FastAPI:
    """The web page over the wired quiz: its desk for "Try the grader", its practice (mastery
    is computed as in the chat), its appeals, open questions and answer groups, the same parts
    the chat uses. Each notice it leaves for the chat calls `notice_left` (a bot in this process
    sends it now). The web framework is imported here, not at start: a bot without the page
    never loads it."""
    from bot.web.app import create_app
    from bot.web.deps import WebDeps

    repo = wired.repo
    return create_app(
        WebDeps(
            store=DashboardReads(repo),
            nonces=repo.nonces,
            sessions=repo.web_sessions,
            bank=wired.bank,
            scheduler=wired.practice.policy.scheduler(),
            tokens=tokens,
            clock=wired.clock,
            questions=repo.team_questions,
            channels=repo.channels,
            body_limit=settings.web_body_limit,
            public_https=(settings.web_url or "").startswith("https://"),
            desk=wired.desk,
            appeals=wired.appeals,
            open_questions=wired.open_questions,
            grading=wired.grading,
            notice_left=notice_left,
            metrics_token=settings.web_metrics_token,
        )
    )


async def _open_demos(
    settings: ComputeSettings, stack: AsyncExitStack, clock: Clock | None
) -> DemoHandoff | None:
    """The compute client: the configured service, or one started in-process on loopback, seen
    by the core through `ComputeDemos` in its own records."""
    if not settings.demos:
        return None
    service: ComputeDemoClient
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
        ComputeDemos(service),
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


def game_wiring(
    settings: Settings,
    *,
    repo: Repository,
    bank: Bank,
    grader: Grader,
    clock: Clock | None,
    demos: DemoHandoff | None = None,
    sign_in: SignInLinks | None = None,
) -> Wired:
    """The quiz wired as the settings' game asks (its channels' defaults, its practice
    policy): for the chat, with its demos and sign-in links; for the page alone, with
    neither (`page_wiring`)."""
    return wire(
        repo=repo,
        bank=bank,
        grader=grader,
        defaults=channel_defaults(settings.game),
        clock=clock,
        demos=demos,
        practice=practice_policy(settings.game),
        sign_in=sign_in,
    )


def page_wiring(
    settings: Settings,
    *,
    repo: Repository,
    bank: Bank,
    grader: Grader,
    clock: Clock | None = None,
) -> Wired:
    """The quiz wired for `quizmaster web`, the page alone: no chat runs in its process, so
    there are no sign-in links to give and no demos to draw."""
    return game_wiring(settings, repo=repo, bank=bank, grader=grader, clock=clock)


@asynccontextmanager
async def open_service(
    settings: Settings,
    *,
    grader: Grader | None = None,
    clock: Clock | None = None,
    sign_in: SignInLinks | None = None,
    page_alone: bool = False,
) -> AsyncIterator[Wired]:
    """Everything a platform or the web page needs, closed in reverse order on exit: the one
    start-up of `quizmaster run` and `quizmaster web`. Pass `grader` to share an already-loaded
    one (tests, several platforms in one process), and `sign_in` for links to a web page served
    beside it (else the settings' `quizmaster web`, if set up). `page_alone` opens it for
    `quizmaster web`, wired as `page_wiring`: no demo service is opened and no links given."""
    bank = load_configured_bank(settings.game)
    async with AsyncExitStack() as stack:
        repo = await Repository.open(settings.storage.db, pool_size=settings.storage.db_pool_size)
        stack.push_async_callback(repo.close)
        await repo.team_questions.load_into(bank)
        if grader is None:
            start_log.info("loading the embedding model")
            owned = await asyncio.to_thread(configured_grader, settings.grading)
            stack.push_async_callback(owned.aclose)
            await prepare_references(owned, bank)
            grader = owned
        if page_alone:
            yield page_wiring(settings, repo=repo, bank=bank, grader=grader, clock=clock)
            return
        yield game_wiring(
            settings,
            repo=repo,
            bank=bank,
            grader=grader,
            clock=clock,
            demos=await _open_demos(settings.compute, stack, clock),
            sign_in=sign_in or chat_sign_in_links(settings.web, clock),
        )
