"""The `team_grades` store on SQLite and PostgreSQL: grades staged on a channel's answers,
applied once with the answers rescored and the members' notices queued, and every read and
write kept to its own channel: another channel's (or workspace's) answers are refused, and its
grades are never read as this team's evidence."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.core.messages import Reply
from bot.core.models import AnswerWrite, ChannelRow, GradedAnswer, GradedText, PostClaim, PostRow
from bot.core.quiz.appeals import AppealResolution
from bot.core.team_grading import AppliedGrade, GroupGrade
from bot.storage.repository import Repository

AT = datetime(2026, 11, 2, 0, 30, tzinfo=UTC)
DAY = date(2026, 11, 2)
PROMPT = "q01"


async def channel_post(repo: Repository, platform: str, channel_id: str) -> PostRow:
    channel = ChannelRow(
        platform=platform,
        channel_id=channel_id,
        lang="en",
        timezone="UTC",
        post_time="09:00",
        days="daily",
        catch_up=True,
        checked_until=AT,
    )
    await repo.channels.ensure_channel(channel, created_at=AT)
    post = await repo.posts.claim_post(
        PostClaim(
            platform=platform,
            channel_id=channel_id,
            day=DAY,
            prompt_id=PROMPT,
            scheduled=True,
            posted_at=AT,
        )
    )
    assert post is not None
    await repo.posts.set_post_location(
        post_id=post.id, message_id=f"m-{channel_id}", thread_id=None
    )
    return post


async def _answer(repo: Repository, post: PostRow, user: str, text: str, score: int) -> int:
    await repo.members.ensure_member(platform=post.platform, user_id=user, display_name=user)
    graded = GradedText(
        user_id=user,
        prompt_id=PROMPT,
        message_id=f"{post.channel_id}-{user}",
        text=text,
        score=score,
        verdict="partial",
        covered=(),
        missed=(),
        flags=(),
        answered_at=AT,
    )
    assert await repo.answers.record_answer(AnswerWrite(post=post, graded=graded, next_step=1))
    answered = await repo.appeals.latest_answer(
        platform=post.platform, channel_id=post.channel_id, user_id=user
    )
    assert answered is not None
    return answered.id


def _notice(answer: GradedAnswer, body: str) -> Reply:
    return Reply(
        channel_id=answer.channel_id, text=body, thread_id=answer.thread_id, user_id=answer.user_id
    )


async def test_team_grades_are_staged_applied_once_and_kept_to_their_own_channel(
    repo: Repository,
) -> None:
    home = await channel_post(repo, "slack", "C-home")
    other = await channel_post(repo, "slack", "C-other")
    elsewhere = await channel_post(repo, "discord", "C-home")  # another workspace, same channel id
    mina = await _answer(repo, home, "U-mina", "weights move against the gradient", 40)
    joon = await _answer(repo, home, "U-joon", "parameters step opposite the gradient", 80)
    theirs = await _answer(repo, other, "U-sora", "weights move against the gradient", 30)
    far = await _answer(repo, elsewhere, "U-mina", "weights move against the gradient", 20)
    grades = repo.team_grades
    home_at = {"platform": "slack", "channel_id": "C-home", "prompt_id": PROMPT}

    # another channel's answer (or another workspace's) in the group: nothing is staged
    for foreign in (theirs, far):
        assert not await grades.stage(
            GroupGrade(**home_at, answer_ids=[mina, foreign], score=90, note="", by="U-admin"),
            at=AT,
        )
    assert not await grades.stage(
        GroupGrade(
            platform="slack", channel_id="C-home", prompt_id="q99", answer_ids=[mina], score=90,
            note="", by="U-admin",
        ),
        at=AT,
    )  # fmt: skip
    assert await grades.staged(**home_at) == []

    assert await grades.stage(
        GroupGrade(**home_at, answer_ids=[mina, joon], score=85, note="both name it", by="U-admin"),
        at=AT,
    )
    listed = {a.answer.id: a for a in await grades.question_answers(**home_at)}
    assert set(listed) == {mina, joon}
    assert (listed[mina].staged, listed[mina].note, listed[mina].human) == (
        85,
        "both name it",
        False,
    )
    [tally] = await grades.answered_questions(platform="slack", channel_id="C-home")
    assert (tally.prompt_id, tally.answers, tally.human, tally.staged) == (PROMPT, 2, 0, 2)
    assert await grades.human_grades(**home_at) == []  # staged is not yet the team's grade

    staged = await grades.staged(**home_at)
    applied = [
        AppliedGrade(
            grade_id=g.id,
            answer_id=g.answer.id,
            score=g.score,
            verdict="correct",
            card=None,
            notice=_notice(g.answer, f"now {g.score}") if g.score != g.answer.score else None,
        )
        for g in staged
    ]
    assert sorted(await grades.apply(platform="slack", grades=applied, at=AT)) == [mina, joon]
    assert await grades.apply(platform="slack", grades=applied, at=AT) == []  # once only
    answers = {a.answer.id: a.answer.score for a in await grades.question_answers(**home_at)}
    assert answers == {mina: 85, joon: 85}
    told = await repo.notices.claim_notices(platform="slack", by="r", at=AT)
    assert [(r.user_id, r.text, r.channel_id) for r in told] == [
        ("U-mina", "now 85", "C-home"),
        ("U-joon", "now 85", "C-home"),
    ]
    assert told[0].thread_id == "m-C-home"
    evidence = await grades.human_grades(**home_at)
    assert [(g.answer_id, g.text, g.score) for g in evidence] == [
        (mina, "weights move against the gradient", 85),
        (joon, "parameters step opposite the gradient", 85),
    ]

    # the other teams answered the same question with the same words: their evidence is theirs
    for platform, channel, answer in (("slack", "C-other", theirs), ("discord", "C-home", far)):
        at = {"platform": platform, "channel_id": channel, "prompt_id": PROMPT}
        assert await grades.human_grades(**at) == []
        assert await grades.stage(
            GroupGrade(**at, answer_ids=[answer], score=10, note="", by="A"), at=AT
        )
        [grade] = await grades.staged(**at)
        one = AppliedGrade(grade.id, answer, 10, "incorrect", None, None)
        assert await grades.apply(platform=platform, grades=[one], at=AT) == [answer]
        assert [(g.answer_id, g.score) for g in await grades.human_grades(**at)] == [(answer, 10)]
    assert [g.score for g in await grades.human_grades(**home_at)] == [85, 85]

    # a staged grade of this channel cannot be applied through another's staged id
    assert await grades.stage(
        GroupGrade(**home_at, answer_ids=[mina], score=5, note="", by="A"), at=AT
    )
    [again] = await grades.staged(**home_at)
    crossed = AppliedGrade(again.id, theirs, 5, "incorrect", None, None)
    assert await grades.apply(platform="slack", grades=[crossed], at=AT) == []
    assert await grades.discard(**home_at) == 1
    assert await grades.staged(**home_at) == []
    scores = {a.answer.id: a.answer.score for a in await grades.question_answers(**home_at)}
    assert scores == {mina: 85, joon: 85}


async def _appealed(repo: Repository, post: PostRow, user: str, score: int | None) -> int:
    """`user` answers in `post`'s channel and appeals; resolved to `score` unless None."""
    answer_id = await _answer(repo, post, user, "an answer", 40)
    answer = await repo.appeals.latest_answer(
        platform=post.platform, channel_id=post.channel_id, user_id=user
    )
    assert answer is not None
    appeal = await repo.appeals.open_appeal(answer=answer, reason="", opened_at=AT)
    assert appeal is not None
    if score is not None:
        await repo.appeals.resolve_appeal(
            AppealResolution(
                appeal_id=appeal.id,
                final_score=score,
                verdict="partial",
                note="",
                resolved_by="A",
                resolved_at=AT,
                card=None,
            )
        )
    return answer_id


async def test_a_resolved_appeal_is_a_team_grade_of_its_channel(repo: Repository) -> None:
    home = await channel_post(repo, "slack", "C-home")
    mina = await _appealed(repo, home, "U-mina", 70)
    joon = await _appealed(repo, home, "U-joon", None)  # still open: the grader's score stands
    await _appealed(repo, await channel_post(repo, "slack", "C-other"), "U-sora", 10)
    await _appealed(repo, await channel_post(repo, "discord", "C-home"), "U-mina", 20)
    at = {"platform": "slack", "channel_id": "C-home", "prompt_id": PROMPT}
    assert [(g.answer_id, g.score) for g in await repo.team_grades.human_grades(**at)] == [
        (mina, 70)
    ]
    listed = {
        a.answer.id: (a.human, a.staged) for a in await repo.team_grades.question_answers(**at)
    }
    assert listed == {mina: (True, None), joon: (False, None)}
