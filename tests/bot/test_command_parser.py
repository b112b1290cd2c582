"""The command grammar every platform shares (`bot.core.flow.parts.parse`, read from the parts'
words): each form, each
refusal, and odd input. Strings in, commands out: no database, no model."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.commands import Command, Help, Invalid
from bot.core.demo_records import MAX_PARAMS
from bot.core.flow.parts import GRAMMAR, parse
from bot.core.member_text import ECHO_CHARS, shown
from bot.core.quiz.answering import Answer, Hint, Next, Skip
from bot.core.quiz.appeals import ResolveAppeal
from bot.core.quiz.channel_settings import SetLang, SetSchedule
from bot.core.quiz.demo_commands import DemoList, DemoRun
from bot.core.quiz.posting import Now
from bot.core.quiz.practice import PracticeAnswer, Review, ShowPractice
from bot.core.reporting.digest_posting import SetDigest
from bot.core.reporting.reports import Leaderboard, Reveal, Stats
from bot.core.schedule import ScheduleError, parse_time
from compute.schemas import MAX_PARAMS as SERVICE_MAX_PARAMS

FORMS: list[tuple[str, Command]] = [
    ("/quiz", Help()),
    ("/quiz help", Help()),
    ("/help", Help()),
    ("/quiz next", Next()),
    ("/quiz skip", Skip()),
    ("/quiz hint", Hint()),
    ("/quiz reveal", Reveal()),
    ("/quiz review", Review()),
    ("/quiz now", Now()),
    ("/quiz now q01", Now("q01")),
    ("/quiz now Team-001", Now("team-001")),
    ("/quiz now extra", Now(extra=True)),
    ("/quiz answer ReLU keeps  gradients", Answer("ReLU keeps  gradients")),
    ("/quiz answer", Answer("")),
    ("/quiz practice", ShowPractice()),
    ("/quiz practice answer Adam adapts the step", PracticeAnswer("Adam adapts the step")),
    ("/quiz practice answer", PracticeAnswer("")),
    ("/quiz leaderboard", Leaderboard("week")),
    ("/quiz leaderboard month", Leaderboard("month")),
    ("/quiz leaderboard ALL", Leaderboard("all")),
    ("/quiz stats", Stats(None)),
    ("/quiz stats @Mina", Stats("Mina")),
    ("/quiz stats Mina Park", Stats("Mina Park")),
    ("/quiz schedule 09:00", SetSchedule("09:00", None, None)),
    ("/quiz schedule 09:00 Asia/Seoul", SetSchedule("09:00", "Asia/Seoul", None)),
    ("/quiz schedule 09:00 Asia/Seoul weekdays", SetSchedule("09:00", "Asia/Seoul", "weekdays")),
    ("/quiz schedule 09:00 mon,wed,fri UTC", SetSchedule("09:00", "UTC", "mon,wed,fri")),
    ("/quiz schedule 9:30 daily", SetSchedule("9:30", None, "daily")),
    ("/quiz lang ko", SetLang("ko")),
    ("/quiz lang EN", SetLang("en")),
    ("/demo", DemoList()),
    ("/demo list", DemoList()),
    ("/demo help", DemoList()),
    ("/demo run", DemoList()),
    ("/demo gan", DemoRun("gan", {})),
    ("/demo run gan", DemoRun("gan", {})),
    ("/demo GAN epochs=3 lr=0.1", DemoRun("gan", {"epochs": "3", "lr": "0.1"})),
    ("/demo init scheme=he=x", DemoRun("init", {"scheme": "he=x"})),
]

DIGITS: list[tuple[str, Command]] = [
    ("/quiz schedule ٠٩:٣٠ daily", SetSchedule("09:30", None, "daily")),
    ("/quiz schedule ０９:３０ daily", SetSchedule("09:30", None, "daily")),
    ("/quiz digest mon ٣:00", SetDigest("mon", "3:00")),
    ("/quiz digest mon ７:００", SetDigest("mon", "7:00")),
    ("/quiz digest mon 1٣:00", SetDigest("mon", "1٣:00")),
    ("/quiz appeals resolve ٣ ８０ fair", ResolveAppeal(3, 80, "fair")),
    ("/quiz appeals resolve #１２ keep", ResolveAppeal(12, None, "")),
    ("/quiz appeals resolve 1٣ 80", Invalid("appeal_bad_id", "1٣")),
    ("/quiz appeals resolve 3 ８0", Invalid("appeal_bad_score", "８0")),
    ("/demo gan epochs=３ lr=٠.١", DemoRun("gan", {"epochs": "3", "lr": "0.1"})),
    ("/demo gan epochs=1٣", DemoRun("gan", {"epochs": "1٣"})),
]
"""One rule for digits in every command: a number in any script's decimal digits reads as the
same number in ASCII; one that mixes scripts stays as typed, so the check after refuses it."""


@pytest.mark.parametrize(("text", "command"), DIGITS, ids=[text for text, _ in DIGITS])
def test_every_number_in_a_command_takes_one_script_of_digits(text: str, command: Command) -> None:
    assert parse(text) == command


def test_a_time_with_digits_not_ascii_is_refused_where_it_is_checked() -> None:
    for typed in ("٣:00", "７:００", "1٣:00"):
        with pytest.raises(ScheduleError):
            parse_time(typed)


@pytest.mark.parametrize(("text", "command"), FORMS, ids=[text for text, _ in FORMS])
def test_each_command_form(text: str, command: Command) -> None:
    assert parse(text) == command


REFUSALS: list[tuple[str, Invalid]] = [
    ("/quiz now q01 q02", Invalid("now_usage")),
    ("/quiz practice later", Invalid("practice_usage")),
    ("/quiz leaderboard year", Invalid("bad_period", "year")),
    ("/quiz schedule", Invalid("schedule_usage")),
    ("/quiz schedule 09:00 Asia/Seoul weekdays extra", Invalid("schedule_usage")),
    ("/quiz lang fr", Invalid("lang_usage", "fr")),
    ("/quiz lang", Invalid("lang_usage", "")),
    ("/quiz dance", Invalid("unknown_quiz", "dance")),
    ("/quiz leaderbord", Invalid("unknown_quiz_near", "leaderbord", near="leaderboard")),
    ("/quiz Shcedule 09:00", Invalid("unknown_quiz_near", "shcedule", near="schedule")),
    ("/quiz topic all", Invalid("unknown_quiz_near", "topic", near="topics")),
    ("/demo gan epochs", Invalid("demo_param", "epochs")),
    ("/demo gan =3", Invalid("demo_param", "=3")),
    ("/demo gan epochs=", Invalid("demo_param", "epochs=")),
    ("/quizz next", Invalid("unknown_command_near", "/quizz", near="/quiz next")),
    (
        "/Qiuz  leaderboard month",
        Invalid("unknown_command_near", "/Qiuz", near="/quiz leaderboard month"),
    ),
    ("/hepl", Invalid("unknown_command_near", "/hepl", near="/help")),
    ("/dance", Invalid("unknown_command", "/dance")),
    ("/", Invalid("unknown_command", "/")),
]


@pytest.mark.parametrize(("text", "refusal"), REFUSALS, ids=[text for text, _ in REFUSALS])
def test_each_refusal_names_its_message(text: str, refusal: Invalid) -> None:
    assert parse(text) == refusal


@pytest.mark.parametrize("name", GRAMMAR.quiz_names)
def test_every_name_offered_for_a_typo_is_a_command(name: str) -> None:
    command = parse(f"/quiz {name}")
    assert not (isinstance(command, Invalid) and command.key.startswith("unknown_quiz")), command


def test_a_demo_with_too_many_parameters_is_refused() -> None:
    """The core's grammar holds the service's own limit: it refuses no command the service
    would take, and passes none it would refuse."""
    assert MAX_PARAMS == SERVICE_MAX_PARAMS
    params = " ".join(f"p{i}=1" for i in range(MAX_PARAMS + 1))
    assert parse(f"/demo gan {params}") == Invalid("demo_too_many_params", str(MAX_PARAMS))
    at_limit = " ".join(f"p{i}=1" for i in range(MAX_PARAMS))
    assert isinstance(parse(f"/demo gan {at_limit}"), DemoRun)


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("  /quiz next  ", Next()),
        ("/QUIZ NEXT", Next()),
        ("/quiz\tskip", Skip()),
        ("/quiz   leaderboard \n month", Leaderboard("month")),
        ("/Help", Help()),
    ],
)
def test_spacing_and_case_do_not_matter(text: str, command: Command) -> None:
    assert parse(text) == command


@pytest.mark.parametrize(
    "text",
    ["ReLU keeps gradients alive", "", "   ", "ReLU/sigmoid", "과적합 /quiz next", " \n "],
)
def test_a_line_not_starting_with_a_slash_is_an_answer_as_typed(text: str) -> None:
    assert parse(text) == Answer(text)


@given(st.text(max_size=200))
def test_any_line_parses_and_only_a_slash_makes_a_command(text: str) -> None:
    command = parse(text)
    if not text.strip().startswith("/"):
        assert command == Answer(text)
    else:
        assert not (isinstance(command, Answer) and command.text == text)


def test_an_echoed_detail_is_cut_to_the_limit() -> None:
    assert shown("x" * ECHO_CHARS) == "x" * ECHO_CHARS
    cut = shown("y" * (ECHO_CHARS + 40))
    assert len(cut) == ECHO_CHARS and cut.endswith("…")
