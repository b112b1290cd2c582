"""The `/demo` hand-off: ask the compute service for a job, show progress in one message that is
edited in place, then post the figures and the summary. Every failure of the service becomes a
clear reply; quizzes never wait on it."""

from __future__ import annotations

import logging
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import KW_ONLY, dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from bot.core.demo_records import (
    Demo,
    DemoBusyError,
    DemoError,
    DemoFailedError,
    DemoParamsRefusedError,
    DemoServiceDownError,
    DemoStatus,
    DemoTicket,
    ParamProblem,
    ParamValue,
    UnknownDemoError,
)
from bot.core.member_text import shown
from bot.core.messages import Image, Posted, ReplyKind
from bot.core.texts import CHAT, text
from bot.core.turn import Turn
from content.schema import Lang

log = logging.getLogger("quizmaster.core")

RATE_WINDOW = timedelta(hours=1)
FIGURE_TIMEOUT_S = 30.0


class DemoService(Protocol):
    """The demo service as the `/demo` hand-off uses it, in the core's own records
    (`bot/compute_demos.py` adapts the compute service's client); every failure is a
    `DemoError`."""

    async def demos(self) -> list[Demo]: ...

    async def submit(
        self, demo: str, params: Mapping[str, ParamValue] | None = None
    ) -> DemoTicket: ...

    async def wait(
        self,
        job_id: str,
        on_progress: Callable[[DemoStatus], Awaitable[None]] | None = None,
        *,
        poll: float = 0.5,
        timeout: float = 300.0,  # noqa: ASYNC109 (on timeout the job is also cancelled)
    ) -> DemoStatus:
        """Poll until the job is done or cancelled; DemoFailedError when it failed or outlasts
        `timeout` seconds (it is then cancelled)."""
        ...

    async def image(self, url: str) -> bytes:
        """PNG bytes of one of `DemoStatus.images`."""
        ...


def _queue_place(turn: Turn, position: int) -> str:
    if position <= 0:
        return turn.t("demo_running_now")
    return turn.t("demo_in_queue", position=position)


def _stage(turn: Turn, status: DemoStatus) -> str:
    """Where a run stands: in English the demo's own words ("plain: epoch 50"), which the
    compute service writes in English only; in Korean its state (queued, running, done)."""
    if turn.lang == "en" and status.message:
        return status.message
    return turn.t(f"demo_state_{status.status}")


@dataclass(eq=False)
class DemoHandoff:
    """Implements the core's DemoDesk against the demo service's port (`DemoService`)."""

    client: DemoService
    _: KW_ONLY
    rate_per_hour: int
    clock: Callable[[], datetime]
    wait_timeout: float = 600.0
    poll: float = 0.5
    _recent: dict[tuple[str, str], deque[datetime]] = field(
        init=False, default_factory=lambda: defaultdict(deque)
    )
    # Seconds each demo's latest run took here, from the command to its figures: what
    # `/demo list` shows once it is known (the catalog's estimate is for a warm service on
    # a fast machine; a first run here also starts the service and loads torch).
    _took: dict[str, float] = field(init=False, default_factory=dict)

    async def demo_names(self) -> list[str]:
        return sorted(demo.name for demo in await self.client.demos())

    async def list_demos(self, turn: Turn) -> None:
        try:
            demos = await self.client.demos()
        except DemoError as exc:
            await self._service_error(turn, exc)
            return
        lines = [turn.t("demo_list_head")]
        for demo in demos:
            title = demo.title.get(turn.lang)
            took = self._took.get(demo.name)
            when = (
                turn.t("demo_expected", seconds=round(demo.expected_seconds))
                if took is None
                else turn.t("demo_took", seconds=f"{took:.1f}")
            )
            lines.append(f"`{demo.name}` · {title} ({when})")
        lines.append(turn.t("demo_list_usage"))
        await turn.say("\n".join(lines), kind=ReplyKind.DEMO)

    def _recent_runs(self, turn: Turn) -> deque[datetime]:
        """This member's accepted runs within the sliding window (older ones are dropped)."""
        now = self.clock()
        recent = self._recent[(turn.incoming.platform, turn.user)]
        while recent and now - recent[0] >= RATE_WINDOW:
            recent.popleft()
        return recent

    async def run_demo(self, turn: Turn, name: str, params: dict[str, str]) -> None:
        recent = self._recent_runs(turn)
        if len(recent) >= self.rate_per_hour:
            wait = RATE_WINDOW - (self.clock() - recent[0])
            minutes = max(1, int(wait.total_seconds() // 60) + 1)
            await turn.error("demo_rate", minutes=minutes, limit=self.rate_per_hour)
            return
        try:
            ticket = await self.client.submit(name, params)
        except DemoError as exc:
            await self._service_error(turn, exc)
            return
        started = self.clock()
        recent.append(started)
        queue = _queue_place(turn, ticket.queue_position)
        progress = await turn.say(
            turn.t("demo_started", name=name, queue=queue), kind=ReplyKind.DEMO
        )

        async def show(status: DemoStatus) -> None:
            body = turn.t(
                "demo_progress",
                name=name,
                percent=round(status.progress * 100),
                message=_stage(turn, status),
            )
            await turn.transport.edit(progress, turn.reply(body, kind=ReplyKind.DEMO))

        try:
            status = await self.client.wait(
                ticket.id, show, poll=self.poll, timeout=self.wait_timeout
            )
            images = await self._images(name, status, turn.lang)
        except DemoError as exc:
            await self._service_error(turn, exc, progress=progress)
            return
        if status.status == "cancelled":
            await turn.transport.edit(
                progress, turn.reply(turn.t("demo_cancelled", name=name), kind=ReplyKind.DEMO)
            )
            return
        summary = "" if status.summary is None else status.summary.get(turn.lang)
        self._took[name] = (self.clock() - started).total_seconds()
        await turn.transport.edit(
            progress, turn.reply(turn.t("demo_done", name=name), kind=ReplyKind.DEMO)
        )
        await turn.say(f"**/demo {name}**\n{summary}".strip(), kind=ReplyKind.DEMO, images=images)

    async def _images(self, name: str, status: DemoStatus, lang: Lang) -> tuple[Image, ...]:
        images = []
        for index, url in enumerate(status.images):
            data = await self.client.image(url)
            alt = text(lang, "demo_figure_alt", name=name, index=index + 1)
            images.append(Image(f"{name}-{index}.png", data, alt=alt))
        return tuple(images)

    async def figure(self, name: str, lang: Lang) -> Image | None:
        """The first figure of a demo at its defaults (served from the service's cache after the
        first run), for follow-ups that talk about "that graph"; None if it cannot be had."""
        try:
            ticket = await self.client.submit(name, {})
            status = await self.client.wait(ticket.id, poll=self.poll, timeout=FIGURE_TIMEOUT_S)
            images = await self._images(name, status, lang)
        except DemoError as exc:
            log.warning("figure %s unavailable: %s", name, exc)
            return None
        return images[0] if images else None

    async def _service_error(
        self, turn: Turn, exc: DemoError, *, progress: Posted | None = None
    ) -> None:
        if isinstance(exc, UnknownDemoError):
            body = turn.t("demo_unknown", known=", ".join(f"`{k}`" for k in exc.known))
        elif isinstance(exc, DemoParamsRefusedError):
            fields = "; ".join(param_problem(turn.lang, e) for e in exc.problems)
            fields = fields or param_problem(turn.lang, ParamProblem(field="params", message=""))
            if exc.more:
                fields += turn.t("demo_more_problems", count=exc.more)
            body = turn.t("demo_bad_params", fields=fields)
        elif isinstance(exc, DemoBusyError):
            body = turn.t("demo_busy", seconds=max(1, round(exc.retry_after)))
        elif isinstance(exc, DemoFailedError) and exc.waited is not None:
            body = turn.t("demo_timed_out", seconds=round(exc.waited))
        elif isinstance(exc, DemoFailedError):
            log.info("demo failed: %s", exc)
            body = turn.t("demo_failed")
        elif isinstance(exc, DemoServiceDownError):
            log.warning("compute service unavailable: %s", exc)
            body = turn.t("demo_down")
        else:
            log.warning("compute error: %s", exc)
            body = turn.t("demo_down")
        if progress is not None:
            await turn.transport.edit(progress, turn.reply(body, kind=ReplyKind.ERROR))
        else:
            await turn.say(body, kind=ReplyKind.ERROR, ephemeral=True)


def param_problem(lang: Lang, error: ParamProblem) -> str:
    """One parameter the demo service refused, as the chat says it: its name, then the problem
    worded from the service's code and bound (`demo_param_<problem>`), or the catalogue's plain
    refusal for a problem the service gave no code for (its English `message` is left to logs)."""
    key = f"demo_param_{error.problem}"
    if error.problem is None or not CHAT.has(key):
        key = "demo_param_bad"
    limit = error.limit
    shown_limit = ", ".join(f"`{v}`" for v in limit) if isinstance(limit, list) else f"`{limit}`"
    return f"`{shown(error.field)}`: " + text(lang, key, limit=shown_limit)
