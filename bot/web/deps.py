"""What every route shares: the composition root's `WebDeps`, the app's own state beside it
(`Web`), and the checks a page makes before it shows anything (whose session, which channel,
admin or not, the form's CSRF token, an id in range).

Every page under `/c/{platform}/{channel_id}` is for the one channel the session was signed
for: another id in the URL is refused, not looked up.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import Depends, Request, Response
from fastapi.responses import HTMLResponse
from fsrs import Scheduler
from pydantic import SecretStr

from bot.core.models import ChannelRow, QuestionEdit
from bot.core.ports import ChannelStore, DashboardStore
from bot.core.quiz.appeals import Appeals
from bot.core.quiz.desk import GradingDesk
from bot.core.quiz.group_grading import GroupGrading
from bot.core.quiz.open_answers import OpenQuestions
from bot.core.reporting import dashboards
from bot.web.channel_questions import ChannelQuestions
from bot.web.errors import PageError
from bot.web.ports import NonceStore, QuestionStore, SessionStore
from bot.web.rate_limit import SlidingWindow
from bot.web.rendering import Renderer, lang_of, request_lang
from bot.web.signing import Session, Tokens
from compute.result_cache import ResultCache
from content.bank import Bank
from content.schema import Lang, Prompt

SESSION_COOKIE = "qm_session"
SIGNIN_LIMIT = 10
SIGNIN_WINDOW_S = 60.0
PAGES_KEPT = 64
PAGE_TTL_S = 60.0
ROW_ID_MAX = 2**63 - 1


@dataclass(frozen=True)
class WebDeps:
    """What the composition root gives the app: a view over the wired quiz (`bot.wiring`), the
    same desk, practice, appeals and open questions the chat uses."""

    store: DashboardStore
    nonces: NonceStore
    sessions: SessionStore
    bank: Bank
    scheduler: Scheduler
    tokens: Tokens
    clock: Callable[[], datetime]
    questions: QuestionStore
    channels: ChannelStore
    """Where the subjects settings save the channel's choice (`/quiz topics` in the chat)."""
    body_limit: int  # bytes of a request body read at most (`bot.web.body_limit`)
    desk: GradingDesk  # "Try the grader"
    appeals: Appeals
    open_questions: OpenQuestions
    grading: GroupGrading | None
    """Answer groups; None where the wiring has no embedding model (`bot.wiring.Wired.grading`):
    the groups pages then say so."""
    public_https: bool = False
    notice_left: Callable[[], None] | None = None  # a chat bot in this process sends it now
    metrics_token: SecretStr | None = None  # None: /metrics answers loopback clients only


def _signins() -> SlidingWindow:
    return SlidingWindow(SIGNIN_LIMIT, SIGNIN_WINDOW_S, time.monotonic)


def _pages() -> ResultCache[dashboards.ChannelPage]:
    """A team opens the channel page far more often than it answers: each load would otherwise
    sum every answer of the year again for the all-time board. A page is kept by its data's
    version (`DashboardStore.data_version`: no answer or post added, none revealed, no appeal
    resolved, the channel's row unchanged), and for at most `PAGE_TTL_S`, since a member's
    display name can change without a new answer."""
    return ResultCache(max_entries=PAGES_KEPT, ttl_s=PAGE_TTL_S)


@dataclass
class Web:
    """One app's dependencies and its own state: sign-in attempts per address, and the
    channel pages kept while their data holds."""

    deps: WebDeps
    renderer: Renderer = field(default_factory=Renderer)
    signins: SlidingWindow = field(default_factory=_signins)
    pages: ResultCache[dashboards.ChannelPage] = field(default_factory=_pages)

    def set_cookie(
        self,
        request: Request,
        response: Response,
        name: str,
        value: str,
        *,
        max_age: int,
        samesite: Literal["lax", "strict"] = "lax",
        path: str = "/",
    ) -> None:
        """A cookie no script can read, marked Secure when the page is served over HTTPS."""
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            httponly=True,
            samesite=samesite,
            secure=self.deps.public_https or request.url.scheme == "https",
            path=path,
        )

    async def create_questions(self, session: Session, prompts: Sequence[Prompt]) -> bool:
        """Store new questions in the session's channel, written now by the session's member
        (the question editor, imported notes), all or none; False when one's id was saved
        meanwhile. The process's bank takes them too."""
        created = await self.deps.questions.create(prompts, self._edit(session))
        if created:
            self.bank_of(session).put(*prompts)
        return created

    async def save_question(self, session: Session, prompt: Prompt, *, version: int) -> bool:
        """Replace the session's channel's question with `prompt`, edited now by the session's
        member, if no other save came after `version` (the one the editor showed); the
        process's bank takes it too. False: nothing saved."""
        saved = await self.deps.questions.save(prompt, self._edit(session), version=version)
        if saved:
            self.bank_of(session).put(prompt)
        return saved

    def _edit(self, session: Session) -> QuestionEdit:
        """The session's member editing their channel's questions now."""
        member = session.member
        return QuestionEdit(
            platform=member.platform,
            channel_id=member.channel_id,
            edited_by=member.user_id,
            at=self.deps.clock(),
        )

    def bank_of(self, session: Session) -> Bank:
        """The bank as the session's channel sees it: its own questions and the files'."""
        return self.deps.bank.seen_from(session.member.platform, session.member.channel_id)

    async def session_of(self, request: Request) -> Session | None:
        """The cookie's session while its row on the server lives, with the admin rights the
        row gives (sign-out and a member's demotion revoke what the cookie says)."""
        token = request.cookies.get(SESSION_COOKIE)
        claimed = self.deps.tokens.read_session(token) if token else None
        if claimed is None:
            return None
        admin = await self.deps.sessions.admin_rights(claimed.id, now=self.deps.clock())
        if admin is None:
            return None
        return replace(claimed, member=replace(claimed.member, is_admin=admin))


def web_of(request: Request) -> Web:
    web: Web = request.app.state.web
    return web


WebDep = Annotated[Web, Depends(web_of)]


@dataclass(frozen=True)
class Signed:
    """A page of the channel the URL names, asked for by a member signed in to exactly that
    channel (`SignedIn`; `AdminIn`, its admins only): the request, the app, the session, the
    channel's row and the page's language, checked before the route runs."""

    request: Request
    web: Web
    session: Session
    channel: ChannelRow
    lang: Lang

    @property
    def platform(self) -> str:
        return self.session.member.platform

    @property
    def channel_id(self) -> str:
        return self.session.member.channel_id

    @property
    def base(self) -> str:
        """The channel's own address, which its pages' links and redirects start with."""
        return channel_url(self.session)

    def render(self, name: str, *, status: int = 200, **values: Any) -> HTMLResponse:
        """The page `name` of the session's channel, its links made from `base`."""
        return self.web.renderer.render(
            self.request,
            name,
            self.lang,
            status=status,
            session=self.session,
            base=self.base,
            **values,
        )

    def check_csrf(self, given: str) -> None:
        """The form posted back the session's CSRF token; refused otherwise."""
        check_csrf(self.session, given, self.lang)

    def questions(self) -> ChannelQuestions:
        """The channel's questions, looked up for its admin pages (404 for others)."""
        return ChannelQuestions(bank=self.web.bank_of(self.session), lang=self.lang)

    def grading(self) -> GroupGrading:
        """The answer groups, or a page that says they need the grader's embedding model."""
        grading = self.web.deps.grading
        if grading is None:
            raise PageError(404, "groups_no_model", self.lang)
        return grading


async def signed_in(request: Request, web: WebDep, platform: str, channel_id: str) -> Signed:
    """The session for exactly this channel, its row and the page's language; refused
    otherwise (a session of another channel sees nothing of this one)."""
    session = await web.session_of(request)
    lang = request_lang(request)
    if session is None or (session.member.platform, session.member.channel_id) != (
        platform,
        channel_id,
    ):
        raise PageError(403, "forbidden", lang)
    channel = await web.deps.store.channel(platform=platform, channel_id=channel_id)
    if channel is None:
        raise PageError(404, "not_found", lang)
    return Signed(request, web, session, channel, lang_of(request, channel.lang))


SignedIn = Annotated[Signed, Depends(signed_in)]


async def admin_in(signed: SignedIn) -> Signed:
    """As `signed_in`, for an admin of the channel only."""
    if not signed.session.member.is_admin:
        raise PageError(403, "admin_only", signed.lang)
    return signed


AdminIn = Annotated[Signed, Depends(admin_in)]


def check_csrf(session: Session | None, given: str, lang: Lang) -> Session:
    """The session whose CSRF token the form posted back; refused otherwise."""
    if session is None or not secrets.compare_digest(given.encode(), session.csrf.encode()):
        raise PageError(403, "csrf_bad", lang)
    return session


def stored_id(value: int, lang: Lang) -> int:
    """An id from a URL or form, refused as unknown (404) before it reaches a query when no
    row could have it: the databases keep ids in signed 64 bits."""
    if not 0 < value <= ROW_ID_MAX:
        raise PageError(404, "not_found", lang)
    return value


def client_address(request: Request) -> str:
    return request.client.host if request.client else "?"


def channel_url(session: Session) -> str:
    member = session.member
    return f"/c/{quote(member.platform, safe='')}/{quote(member.channel_id, safe='')}"
