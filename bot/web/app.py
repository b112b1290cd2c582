"""The web page's FastAPI app: server-rendered pages, a session cookie from a sign-in link,
CSRF tokens on every form, and the same admin rule as the chat (what the platform said when
the link was made).

Every page under `/c/{platform}/{channel_id}` is for the one channel the session was signed
for: another id in the URL is refused, not looked up.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Protocol
from urllib.parse import quote

from fastapi import FastAPI, Form, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from fsrs import Scheduler
from markupsafe import Markup
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.core import dashboards
from bot.core.appeals import AppealRefusedError, Appeals
from bot.core.commands import Period
from bot.core.mastery import percent
from bot.core.models import ChannelRow
from bot.core.ports import DashboardStore
from bot.core.turn import channel_schedule
from bot.web import charts
from bot.web.head import HeadAsGet
from bot.web.page_cache import PageCache
from bot.web.question_form import GENERAL, QuestionForm
from bot.web.rate_limit import SlidingWindow
from bot.web.signing import SESSION_LIFETIME, Session, Tokens
from bot.web.texts import template, text
from content.bank import Bank
from content.check import check_draft
from content.schema import Lang, Prompt
from evaluators.grade import EmbeddingUnavailableError, Grader

HERE = Path(__file__).parent
SESSION_COOKIE = "qm_session"
FORM_COOKIE = "qm_form"
LANG_COOKIE = "qm_lang"
SIGNIN_LIMIT = 10
SIGNIN_WINDOW_S = 60.0
PAGES_KEPT = 64
ANSWER_CHARS = 4000
PAGE_TTL_S = 60.0
ROW_ID_MAX = 2**63 - 1


class QuestionStore(Protocol):
    """What the app needs of the team questions table (`bot.storage.team_questions`)."""

    async def save(
        self, prompt: Prompt, *, platform: str, channel_id: str, edited_by: str, at: datetime
    ) -> None: ...

    async def ids(self) -> set[str]:
        """The questions written on the web page: the ones it may edit."""
        ...


class NonceStore(Protocol):
    """What the app needs of the nonce ledger (`bot.storage.web_store.NonceLedger`)."""

    async def use(self, nonce: str, *, now: datetime, expires_at: datetime) -> bool:
        """True the first time `nonce` is used."""
        ...


class SessionStore(Protocol):
    """What the app needs of the sessions table (`bot.storage.web_sessions.WebSessions`)."""

    async def start(
        self,
        session_id: str,
        *,
        platform: str,
        channel_id: str,
        user_id: str,
        is_admin: bool,
        now: datetime,
        expires_at: datetime,
    ) -> None: ...

    async def admin_rights(self, session_id: str, *, now: datetime) -> bool | None:
        """Whether the session carries admin rights; None once it has ended or expired."""
        ...

    async def end(self, session_id: str) -> None: ...


@dataclass(frozen=True)
class WebDeps:
    """What the composition root gives the app."""

    store: DashboardStore
    nonces: NonceStore
    sessions: SessionStore
    bank: Bank
    scheduler: Scheduler
    tokens: Tokens
    clock: Callable[[], datetime]
    questions: QuestionStore
    public_https: bool = False
    grader: Grader | None = None  # None: the question page has no "Try the grader"
    appeals: Appeals | None = None  # None: no appeals page (a page built for timing only)
    notice_left: Callable[[], None] | None = None  # a chat bot in this process sends it now


class PageError(Exception):
    """A refusal shown as a page: its status and the text key that explains it."""

    def __init__(self, status: int, key: str, lang: Lang = "ko") -> None:
        super().__init__(key)
        self.status = status
        self.key = key
        self.lang = lang


def _lang_of(request: Request, fallback: Lang) -> Lang:
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen == "ko":
        return "ko"
    if chosen == "en":
        return "en"
    return fallback


def _browser_lang(request: Request) -> Lang:
    return "en" if request.headers.get("accept-language", "").lower().startswith("en") else "ko"


def _secure(request: Request, deps: WebDeps) -> bool:
    return deps.public_https or request.url.scheme == "https"


def stored_id(value: int, lang: Lang) -> int:
    """An id from a URL or form, refused as unknown (404) before it reaches a query when no
    row could have it: the databases keep ids in signed 64 bits."""
    if not 0 < value <= ROW_ID_MAX:
        raise PageError(404, "not_found", lang)
    return value


def _safe_next(target: str) -> str:
    """Only a path on this site: never another host (`//evil`, `https://...`)."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def create_app(deps: WebDeps) -> FastAPI:
    app = FastAPI(title="quizmaster", docs_url=None, redoc_url=None, openapi_url=None)
    templates = Jinja2Templates(directory=HERE / "templates")
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.add_middleware(HeadAsGet)
    signins = SlidingWindow(SIGNIN_LIMIT, SIGNIN_WINDOW_S, time.monotonic)
    pages: PageCache[dashboards.ChannelPage] = PageCache(size=PAGES_KEPT, ttl_s=PAGE_TTL_S)

    def render(
        request: Request,
        name: str,
        lang: Lang,
        status: int = 200,
        session: Session | None = None,
        **values: Any,
    ) -> HTMLResponse:
        def t(key: str, **more: object) -> Markup:
            return Markup(template(lang, key)).format(**more)

        return templates.TemplateResponse(
            request,
            name,
            {"t": t, "lang": lang, "session": session, "here": request.url.path, **values},
            status_code=status,
        )

    @app.middleware("http")
    async def headers(request: Request, call_next: Callable[[Request], Any]) -> Response:
        response: Response = await call_next(request)
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none'; "
            "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = (
            "no-referrer" if request.url.path == "/signin" else "same-origin"
        )
        if not request.url.path.startswith("/static"):
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.exception_handler(PageError)
    async def page_error(request: Request, exc: PageError) -> HTMLResponse:
        return render(request, "error.html", exc.lang, status=exc.status, message_key=exc.key)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> HTMLResponse:
        lang = _lang_of(request, _browser_lang(request))
        return render(request, "error.html", lang, status=400, message_key="bad_request")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> HTMLResponse:
        key = "not_found" if exc.status_code == 404 else "forbidden"
        lang = _lang_of(request, _browser_lang(request))
        return render(request, "error.html", lang, status=exc.status_code, message_key=key)

    async def session_of(request: Request) -> Session | None:
        """The cookie's session while its row on the server lives, with the admin rights the
        row gives (sign-out and a member's demotion revoke what the cookie says)."""
        token = request.cookies.get(SESSION_COOKIE)
        claimed = deps.tokens.read_session(token) if token else None
        if claimed is None:
            return None
        admin = await deps.sessions.admin_rights(claimed.id, now=deps.clock())
        if admin is None:
            return None
        return replace(claimed, member=replace(claimed.member, is_admin=admin))

    async def signed_in(
        request: Request, platform: str, channel_id: str
    ) -> tuple[Session, ChannelRow, Lang]:
        """The session for exactly this channel, its row and the page's language; refused
        otherwise (a session of another channel sees nothing of this one)."""
        session = await session_of(request)
        lang = _lang_of(request, _browser_lang(request))
        if session is None or (session.member.platform, session.member.channel_id) != (
            platform,
            channel_id,
        ):
            raise PageError(403, "forbidden", lang)
        channel = await deps.store.channel(platform=platform, channel_id=channel_id)
        if channel is None:
            raise PageError(404, "not_found", lang)
        return session, channel, _lang_of(request, channel.lang)

    def check_csrf(session: Session | None, given: str, lang: Lang) -> None:
        if session is None or not secrets.compare_digest(given.encode(), session.csrf.encode()):
            raise PageError(403, "csrf_bad", lang)

    async def graded_try(prompt: Prompt, answer: str, lang: Lang) -> dict[str, Any] | None:
        """Try the grader: `answer` graded as the channel would grade it, stored nowhere."""
        if not answer.strip():
            return {"error": "try_empty"}
        if deps.grader is None:
            return None
        try:
            grade = await deps.grader.grade(prompt, answer[:ANSWER_CHARS], lang=lang)
        except EmbeddingUnavailableError:
            return {"error": "try_unavailable"}
        labels = {c.id: c.label(lang) for c in prompt.concepts}
        return {
            "grade": grade,
            "covered": [labels.get(c, c) for c in grade.covered],
            "missed": [labels.get(c, c) for c in grade.missed],
        }

    def client(request: Request) -> str:
        return request.client.host if request.client else "?"

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/", response_class=HTMLResponse)
    async def home(request: Request) -> Response:
        session = await session_of(request)
        if session is not None:
            return RedirectResponse(_channel_url(session), status_code=303)
        return render(request, "home.html", _lang_of(request, _browser_lang(request)))

    @app.get("/lang/{code}")
    async def choose_lang(request: Request, code: str, next: str = "/") -> Response:
        """The language the pages are shown in (a preference cookie, no account data)."""
        response = RedirectResponse(_safe_next(next), status_code=303)
        if code in ("ko", "en"):
            response.set_cookie(
                LANG_COOKIE,
                code,
                max_age=365 * 86400,
                httponly=True,
                samesite="lax",
                secure=_secure(request, deps),
            )
        return response

    @app.get("/signin", response_class=HTMLResponse)
    async def signin_form(request: Request, t: str = "") -> Response:
        """The link opens a confirmation with a button: a link preview (chat apps fetch links
        to draw them) cannot use up a single-use link, only the member's click can."""
        lang = _lang_of(request, _browser_lang(request))
        if not signins.allow(client(request)):
            raise PageError(429, "too_many", lang)
        claims = deps.tokens.read_link(t)
        if claims is None:
            raise PageError(400, "link_bad", lang)
        form = deps.tokens.form_token()
        response = render(
            request, "signin.html", lang, token=t, form=form, channel=claims.member.channel_id
        )
        response.set_cookie(
            FORM_COOKIE,
            form,
            max_age=15 * 60,
            httponly=True,
            samesite="strict",
            secure=_secure(request, deps),
            path="/signin",
        )
        return response

    @app.post("/signin")
    async def signin(
        request: Request,
        t: Annotated[str, Form()] = "",
        csrf: Annotated[str, Form()] = "",
    ) -> Response:
        lang = _lang_of(request, _browser_lang(request))
        if not signins.allow(client(request)):
            raise PageError(429, "too_many", lang)
        expected = request.cookies.get(FORM_COOKIE, "")
        if not expected or not secrets.compare_digest(csrf.encode(), expected.encode()):
            raise PageError(403, "csrf_bad", lang)
        claims = deps.tokens.read_link(t)
        if claims is None or not await deps.nonces.use(
            claims.nonce, now=deps.clock(), expires_at=claims.expires
        ):
            raise PageError(400, "link_bad", lang)
        member = claims.member
        token, session = deps.tokens.session_token(member)
        await deps.sessions.start(
            session.id,
            platform=member.platform,
            channel_id=member.channel_id,
            user_id=member.user_id,
            is_admin=member.is_admin,
            now=deps.clock(),
            expires_at=session.expires,
        )
        response = RedirectResponse(_channel_url(session), status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            token,
            max_age=int(SESSION_LIFETIME.total_seconds()),
            httponly=True,
            samesite="lax",
            secure=_secure(request, deps),
        )
        response.delete_cookie(FORM_COOKIE, path="/signin")
        return response

    @app.post("/signout")
    async def signout(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
        session = await session_of(request)
        check_csrf(session, csrf, _lang_of(request, _browser_lang(request)))
        assert session is not None  # check_csrf refuses a request without one
        await deps.sessions.end(session.id)
        response = RedirectResponse("/", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    @app.get("/c/{platform}/{channel_id}", response_class=HTMLResponse)
    async def channel_view(
        request: Request,
        platform: str,
        channel_id: str,
        period: Annotated[Period, Query()] = "week",
    ) -> Response:
        session, channel, lang = await signed_in(request, platform, channel_id)
        now = deps.clock()
        key = (platform, channel_id, period, lang, channel_schedule(channel).local_day(now))
        version = (await deps.store.data_version(), channel)
        page = pages.get(key, version)
        if page is None:
            page = await dashboards.channel_page(
                deps.store, deps.bank, channel=channel, now=now, lang=lang, period=period
            )
            pages.put(key, version, page)
        period_name = text(lang, f"period_{period}")
        chart = charts.bar_chart(
            [charts.Bar(line.name, line.total, str(line.total)) for line in page.board],
            title=text(lang, "board_chart", period=period_name),
            chart_id="board",
        )
        return render(
            request,
            "channel.html",
            lang,
            session=session,
            page=page,
            period=period,
            periods=dashboards.PERIODS,
            chart=chart,
            base=_channel_url(session),
        )

    @app.post("/c/{platform}/{channel_id}/me/answers/{answer_id}/appeal")
    async def appeal_answer(
        request: Request,
        platform: str,
        channel_id: str,
        answer_id: int,
        *,
        reason: Annotated[str, Form()] = "",
        csrf: Annotated[str, Form()] = "",
    ) -> Response:
        """A member appeals one of their own answers, picked on their page, through the core's
        `Appeals.open_on` (what `/quiz appeal` does for the latest answer)."""
        session, _, lang = await signed_in(request, platform, channel_id)
        check_csrf(session, csrf, lang)
        stored_id(answer_id, lang)
        try:
            appeal = await appeals_of(lang).open_on(
                platform=platform,
                channel_id=channel_id,
                user_id=session.member.user_id,
                answer_id=answer_id,
                reason=reason,
            )
        except AppealRefusedError as exc:
            status = 404 if exc.key == "appeal_answer_unknown" else 409
            raise PageError(status, exc.key, lang) from None
        return RedirectResponse(f"{_channel_url(session)}/me?appealed={appeal.id}", status_code=303)

    @app.get("/c/{platform}/{channel_id}/me", response_class=HTMLResponse)
    async def me_view(
        request: Request, platform: str, channel_id: str, appealed: int | None = None
    ) -> Response:
        session, channel, lang = await signed_in(request, platform, channel_id)
        zone = channel_schedule(channel).zone
        page = await dashboards.member_page(
            deps.store,
            deps.bank,
            scheduler=deps.scheduler,
            channel=channel,
            user_id=session.member.user_id,
            now=deps.clock(),
            lang=lang,
        )
        scores = charts.line_chart(page.days, title=text(lang, "scores_chart"), chart_id="scores")
        mastery = charts.bar_chart(
            [
                charts.Bar(
                    f"{row.topic} ({row.seen}/{row.total})",
                    None if row.value is None else row.value * 100,
                    percent(row, lang),
                )
                for row in page.mastery
            ],
            title=text(lang, "mastery_chart"),
            chart_id="mastery",
            maximum=100.0,
        )
        return render(
            request,
            "me.html",
            lang,
            session=session,
            page=page,
            scores=scores,
            mastery=mastery,
            percent=percent,
            local=lambda instant: instant.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z"),
            base=_channel_url(session),
            appealed=appealed,
            can_appeal=deps.appeals is not None,
        )

    @app.get("/c/{platform}/{channel_id}/questions", response_class=HTMLResponse)
    async def questions_view(
        request: Request,
        platform: str,
        channel_id: str,
        topic: str = "",
        q: str = "",
    ) -> Response:
        session, channel, lang = await signed_in(request, platform, channel_id)
        if not session.member.is_admin:
            raise PageError(403, "admin_only", lang)
        lines = await dashboards.question_lines(
            deps.store, deps.bank, channel, lang, topic=topic or None, query=q[:200]
        )
        return render(
            request,
            "questions.html",
            lang,
            session=session,
            lines=lines,
            topics=dashboards.topics(deps.bank),
            topic=topic,
            q=q[:200],
            base=_channel_url(session),
        )

    async def question_view(
        request: Request,
        platform: str,
        channel_id: str,
        prompt_id: str,
        *,
        answer: str | None = None,
        csrf: str = "",
    ) -> Response:
        """A bank question with its references and concepts (admins only: they are the answer),
        and "Try the grader": an answer graded as the channel would grade it, stored nowhere."""
        session, _, lang = await signed_in(request, platform, channel_id)
        if not session.member.is_admin:
            raise PageError(403, "admin_only", lang)
        if prompt_id not in deps.bank:
            raise PageError(404, "not_found", lang)
        prompt = deps.bank.get(prompt_id)
        tried: dict[str, Any] | None = None
        if answer is not None:
            check_csrf(session, csrf, lang)
            tried = await graded_try(prompt, answer, lang)
        return render(
            request,
            "question.html",
            lang,
            session=session,
            prompt=prompt,
            references=[r.text for r in (prompt.references_in(lang) or prompt.references)],
            guidance=prompt.guidance.get(lang) if prompt.guidance else None,
            concepts=[c.label(lang) for c in prompt.concepts],
            can_try=deps.grader is not None,
            answer=answer or "",
            tried=tried,
            editable=prompt_id in await deps.questions.ids(),
            base=_channel_url(session),
        )

    @app.get("/c/{platform}/{channel_id}/questions/{prompt_id}", response_class=HTMLResponse)
    async def question_page(
        request: Request, platform: str, channel_id: str, prompt_id: str
    ) -> Response:
        return await question_view(request, platform, channel_id, prompt_id)

    @app.post("/c/{platform}/{channel_id}/questions/{prompt_id}", response_class=HTMLResponse)
    async def try_grader(
        request: Request,
        platform: str,
        channel_id: str,
        prompt_id: str,
        *,
        answer: Annotated[str, Form()] = "",
        csrf: Annotated[str, Form()] = "",
    ) -> Response:
        return await question_view(
            request, platform, channel_id, prompt_id, answer=answer, csrf=csrf
        )

    async def admin_in(request: Request, platform: str, channel_id: str) -> tuple[Session, Lang]:
        session, _, lang = await signed_in(request, platform, channel_id)
        if not session.member.is_admin:
            raise PageError(403, "admin_only", lang)
        return session, lang

    async def stored_question(prompt_id: str, lang: Lang) -> Prompt:
        """A question written on the web page: the only ones it edits (the shipped bank and
        team bank files are edited as files)."""
        if prompt_id not in deps.bank or prompt_id not in await deps.questions.ids():
            raise PageError(404, "not_found", lang)
        return deps.bank.get(prompt_id)

    def edit_page(
        request: Request,
        session: Session,
        lang: Lang,
        form: QuestionForm,
        *,
        editing: str | None,
        answer: str = "",
        tried: dict[str, Any] | None = None,
    ) -> HTMLResponse:
        return render(
            request,
            "question_edit.html",
            lang,
            status=422 if form.errors else 200,
            session=session,
            form=form,
            general=form.errors.get(GENERAL, []),
            editing=editing,
            can_try=deps.grader is not None,
            answer=answer,
            tried=tried,
            base=_channel_url(session),
        )

    async def save_or_try(
        request: Request, session: Session, lang: Lang, editing: str | None
    ) -> Response:
        """Check the typed question as `quizmaster content check` would; save it (database and
        this process's bank), or grade the typed answer against the unsaved draft."""
        given = {
            key: value for key, value in (await request.form()).items() if isinstance(value, str)
        }
        check_csrf(session, given.get("csrf", ""), lang)
        form = QuestionForm.typed(given)
        if editing is not None:
            form.values["id"] = editing
        report = check_draft(form.draft(), deps.bank, replaces=editing)
        form.place(report.errors)
        answer = given.get("answer", "")[:ANSWER_CHARS]
        if form.errors:
            return edit_page(request, session, lang, form, editing=editing, answer=answer)
        prompt = report.prompts[-1]
        if given.get("action") == "try":
            tried = await graded_try(prompt, answer, lang)
            return edit_page(
                request, session, lang, form, editing=editing, answer=answer, tried=tried
            )
        member = session.member
        await deps.questions.save(
            prompt,
            platform=member.platform,
            channel_id=member.channel_id,
            edited_by=member.user_id,
            at=deps.clock(),
        )
        deps.bank.put(prompt)
        return RedirectResponse(
            f"{_channel_url(session)}/questions/{quote(prompt.id, safe='')}", status_code=303
        )

    @app.get("/c/{platform}/{channel_id}/new-question", response_class=HTMLResponse)
    async def new_question(request: Request, platform: str, channel_id: str) -> Response:
        session, lang = await admin_in(request, platform, channel_id)
        return edit_page(request, session, lang, QuestionForm.typed({}), editing=None)

    @app.post("/c/{platform}/{channel_id}/new-question", response_class=HTMLResponse)
    async def create_question(request: Request, platform: str, channel_id: str) -> Response:
        session, lang = await admin_in(request, platform, channel_id)
        return await save_or_try(request, session, lang, None)

    @app.get("/c/{platform}/{channel_id}/questions/{prompt_id}/edit", response_class=HTMLResponse)
    async def edit_question(
        request: Request, platform: str, channel_id: str, prompt_id: str
    ) -> Response:
        session, lang = await admin_in(request, platform, channel_id)
        prompt = await stored_question(prompt_id, lang)
        return edit_page(request, session, lang, QuestionForm.of(prompt), editing=prompt.id)

    @app.post("/c/{platform}/{channel_id}/questions/{prompt_id}/edit", response_class=HTMLResponse)
    async def save_question(
        request: Request, platform: str, channel_id: str, prompt_id: str
    ) -> Response:
        session, lang = await admin_in(request, platform, channel_id)
        prompt = await stored_question(prompt_id, lang)
        return await save_or_try(request, session, lang, prompt.id)

    def appeals_of(lang: Lang) -> Appeals:
        if deps.appeals is None:
            raise PageError(404, "not_found", lang)
        return deps.appeals

    @app.get("/c/{platform}/{channel_id}/appeals", response_class=HTMLResponse)
    async def appeals_view(
        request: Request, platform: str, channel_id: str, done: int | None = None
    ) -> Response:
        """The queue of open appeals with what judging one needs, and how often the grader was
        corrected lately (the chat's `/quiz appeals` figures)."""
        session, lang = await admin_in(request, platform, channel_id)
        appeals = appeals_of(lang)
        waiting = await appeals.repo.open_appeals(platform=platform, channel_id=channel_id)
        entries = []
        for appeal in waiting:
            answer = appeal.answer
            prompt = deps.bank.get(answer.prompt_id) if answer.prompt_id in deps.bank else None
            labels = {c.id: c.label(lang) for c in prompt.concepts} if prompt else {}
            entries.append(
                {
                    "appeal": appeal,
                    "name": await deps.store.display_name(
                        platform=platform, user_id=answer.user_id
                    ),
                    "question": prompt.text.get(lang) if prompt else answer.prompt_id,
                    "reference": (
                        (prompt.references_in(lang) or prompt.references)[0].text
                        if prompt and prompt.references
                        else None
                    ),
                    "concepts": [c.label(lang) for c in prompt.concepts] if prompt else [],
                    "covered": [labels.get(c, c) for c in answer.covered],
                    "missed": [labels.get(c, c) for c in answer.missed],
                }
            )
        return render(
            request,
            "appeals.html",
            lang,
            session=session,
            entries=entries,
            figures=await appeals.figures(platform=platform, channel_id=channel_id),
            done=done,
            base=_channel_url(session),
        )

    @app.post("/c/{platform}/{channel_id}/appeals/{appeal_id}", response_class=HTMLResponse)
    async def resolve_appeal(
        request: Request,
        platform: str,
        channel_id: str,
        appeal_id: int,
        *,
        score: Annotated[str, Form()] = "",
        note: Annotated[str, Form()] = "",
        csrf: Annotated[str, Form()] = "",
    ) -> Response:
        """Resolve through the core's own `Appeals.settle` (the chat command's path); the
        member's notice goes to the outbox the bot's scheduler sends from, in the appeal's own
        transaction, since this page may run in a process with no chat connection (a bot in
        this one is woken to send it now)."""
        session, channel, lang = await signed_in(request, platform, channel_id)
        if not session.member.is_admin:
            raise PageError(403, "admin_only", lang)
        check_csrf(session, csrf, lang)
        stored_id(appeal_id, lang)
        appeals = appeals_of(lang)
        given = score.strip().lower()
        if given in ("", "keep"):
            new_score = None
        elif given.isdigit() and int(given) <= 100:
            new_score = int(given)
        else:
            raise PageError(400, "appeal_score_bad", lang)
        try:
            resolved = await appeals.settle(
                platform=platform,
                channel_id=channel_id,
                appeal_id=appeal_id,
                score=new_score,
                note=note,
                by=session.member.user_id,
                queue_notice_in=channel.lang,
            )
        except AppealRefusedError as exc:
            status = 404 if exc.key == "appeal_unknown" else 409
            raise PageError(status, exc.key, lang) from None
        if deps.notice_left is not None:
            deps.notice_left()
        return RedirectResponse(
            f"{_channel_url(session)}/appeals?done={resolved.id}", status_code=303
        )

    return app


def _channel_url(session: Session) -> str:
    member = session.member
    return f"/c/{quote(member.platform, safe='')}/{quote(member.channel_id, safe='')}"
