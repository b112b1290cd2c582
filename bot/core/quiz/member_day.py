"""A member's day across a channel's posts: the day's question, extra ones (`/quiz now`), open
ones. Three answers the answer flow asks of it:

- where a message with no thread goes (the console): the latest post, and once the member has
  finished it, the newest of today's posts they started and did not finish, so an extra question
  posted meanwhile never strands their follow-ups of an earlier one;
- the member's points today, counted as the leaderboard counts them (the best answer per post and
  prompt, on the day it was given), so "done for today" and `/quiz leaderboard` agree;
- what `/quiz next` reopens once a post is done: a prompt of today's posts the member skipped and
  has not answered since, before the lowest best score of any of today's posts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.core.counted import tally
from bot.core.models import PostRow
from bot.core.ports import AnswerStore, PostStore
from bot.core.quiz.threads import sequence
from content.bank import Bank


@dataclass(frozen=True)
class Retry:
    """A prompt to reopen: its post and its step there, and the member's best score on it (0
    for one they skipped)."""

    post: PostRow
    step: int
    score: int


@dataclass(frozen=True)
class MemberDay:
    posts: PostStore
    answers: AnswerStore
    bank: Bank

    def _bank(self, post: PostRow) -> Bank:
        """The bank as the post's channel sees it."""
        return self.bank.seen_from(post.platform, post.channel_id)

    async def todays_posts(self, latest: PostRow, today: date) -> list[PostRow]:
        """The channel's sent posts of `today`, newest first (`latest` among them if it is of
        today), leaving out any whose question the bank no longer has."""
        posts = await self.posts.posts(platform=latest.platform, channel_id=latest.channel_id)
        bank = self._bank(latest)
        return sorted(
            (
                post
                for post in posts
                if post.day == today
                and post.message_id is not None
                and (post.prompt_id in bank or bank.open_question(post.prompt_id))
            ),
            key=lambda post: post.id,
            reverse=True,
        )

    async def standing(self, post: PostRow, user_id: str) -> tuple[bool, bool]:
        """Whether the member started `post` (answered or skipped a step of it), and whether
        they finished it (every step; for an open question still waiting for its model answer,
        their answer kept: started and finished at once)."""
        if self._bank(post).open_question(post.prompt_id) is not None:
            kept = await self.answers.open_answers(
                platform=post.platform, channel_id=post.channel_id, prompt_id=post.prompt_id
            )
            answered = any(k.post_id == post.id and k.user_id == user_id for k in kept)
            return answered, answered
        prompts = sequence(self.bank, post)
        progress = await self.answers.member_progress(
            post, user_id=user_id, prompt_ids=[p.id for p in prompts]
        )
        return progress.step > 0 or bool(progress.best), progress.step >= len(prompts)

    async def finished(self, post: PostRow, user_id: str) -> bool:
        return (await self.standing(post, user_id))[1]

    async def pending(
        self, latest: PostRow, user_id: str, today: date, *, besides: PostRow
    ) -> PostRow | None:
        """The newest of today's posts (but `besides`) the member started and did not finish:
        follow-ups an extra question came between them and."""
        for post in await self.todays_posts(latest, today):
            if post.id != besides.id and (await self.standing(post, user_id)) == (True, False):
                return post
        return None

    async def points(self, latest: PostRow, user_id: str, today: date) -> int:
        """The member's points today in the channel, as the leaderboard sums them."""
        answers = await self.answers.user_answers(
            platform=latest.platform, channel_id=latest.channel_id, user_id=user_id
        )
        return tally(a for a in answers if a.day == today).points

    async def skipped(self, latest: PostRow, user_id: str, today: date) -> Retry | None:
        """The first prompt of today's posts (the newest post first, its prompts in order) that
        the member moved past with `/quiz skip` and has not answered since: a prompt before
        their step there with no answer."""
        for post in await self.todays_posts(latest, today):
            if post.prompt_id not in self.bank:
                continue  # an open question still waiting: nothing to skip
            prompts = sequence(self.bank, post)
            progress = await self.answers.member_progress(
                post, user_id=user_id, prompt_ids=[p.id for p in prompts]
            )
            for step, prompt in enumerate(prompts[: progress.step]):
                if prompt.id not in progress.best:
                    return Retry(post=post, step=step, score=0)
        return None

    async def lowest(self, latest: PostRow, user_id: str, today: date) -> Retry | None:
        """The graded prompt of today's posts the member scored lowest on, below 100 (None:
        every one at full marks, or none answered); of equal scores, the newer post's and then
        the earlier prompt."""
        found: Retry | None = None
        for post in await self.todays_posts(latest, today):
            if post.prompt_id not in self._bank(post):
                continue  # an open question still waiting: nothing graded to retry
            prompts = sequence(self.bank, post)
            progress = await self.answers.member_progress(
                post, user_id=user_id, prompt_ids=[p.id for p in prompts]
            )
            for step, prompt in enumerate(prompts):
                score = progress.best.get(prompt.id, 100)
                lower = found is None or score < found.score
                if prompt.kind == "graded" and score < 100 and lower:
                    found = Retry(post=post, step=step, score=score)
        return found
