"""`quizmaster content check`: the packaged bank passes; each cross-file rule catches its case."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from content.check import check_banks, summary_lines
from content.loader import DEFAULT_BANK_DIR, load_bank
from tests.content.cli_main import main
from tests.content.sample_banks import complete_main, graded, write_bank

SEED_PROMPTS = Path(__file__).resolve().parents[1] / "data" / "seed_prompts.txt"


def no_demos() -> tuple[str, ...]:
    return ()


def messages(paths: list[Path], known_demos: tuple[str, ...] = ()) -> list[str]:
    return [str(e) for e in check_banks(paths, demo_names=lambda: known_demos).errors]


def test_packaged_bank_passes_the_real_check(capsys: pytest.CaptureFixture[str]) -> None:
    """The CLI with default paths, the real demo catalog included."""
    code = main(["check"], bank_dir=None)
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "total: " in out
    assert "by kind: " in out
    assert "by topic: " in out
    assert "references by language: " in out


def test_packaged_seed_bank_is_complete() -> None:
    """77 prompts from the notes (they name their `source`), and the 28 follow-ups we wrote so
    that each of the notes' main questions has at least two."""
    bank = load_bank([DEFAULT_BANK_DIR / "seed"])
    assert sum(p.source is not None for p in bank.all()) == 77
    assert len(bank) == 77 + 28
    for prompt in bank.all():
        if prompt.kind == "graded":
            assert {r.lang for r in prompt.references} == {"ko", "en"}, prompt.id
            assert 2 <= len(prompt.concepts) <= 6, prompt.id
            langs = [m.lang for m in prompt.misconceptions]
            assert 1 <= langs.count("ko") == langs.count("en") <= 3, prompt.id
    assert sum(len(bank.followups(main.id)) for main in bank.mains()) == 48 + 28
    opinion = [main.id for main in bank.mains() if main.kind == "open"]
    assert all(len(bank.followups(main.id)) >= 2 for main in bank.mains() if main.kind == "graded")
    assert opinion == ["q11", "x03", "x05"]


def test_every_seed_prompt_is_in_the_bank_verbatim() -> None:
    def squash(text: str) -> str:
        return re.sub(r"\s+", "", text)

    lines = [line for line in SEED_PROMPTS.read_text(encoding="utf-8").splitlines() if line]
    assert len(lines) == len(set(lines)) == 77
    bank = load_bank()
    wordings = {squash(t) for p in bank.all() for t in (p.text.ko, *p.aliases)}
    missing = [line for line in lines if squash(line) not in wordings]
    assert missing == []


def test_errors_from_all_files_are_reported(tmp_path: Path) -> None:
    write_bank(tmp_path / "a.yaml", graded("a1", concepts=[]), rules="seed")
    write_bank(tmp_path / "b.yaml", graded("b1", topics=[" "]))
    found = messages([tmp_path])
    assert found == [
        f"{tmp_path / 'a.yaml'}: prompt a1: concepts: a graded prompt needs 2 to 6 key concepts",
        f"{tmp_path / 'b.yaml'}: prompt b1: topics.0: must not be blank",
    ]


def test_team_rules_grade_from_one_reference_in_either_language(tmp_path: Path) -> None:
    """A team prompt needs one model answer; the same prompt fails the seed bank's rules."""
    team_prompt = graded(
        "t1",
        references=[{"lang": "ko", "text": "미니배치 통계로 정규화합니다."}],
        concepts=[],
        misconceptions=[],
    )
    team = write_bank(tmp_path / "team.yaml", team_prompt)
    assert messages([team]) == []
    assert load_bank([team]).get("t1").kind == "graded"
    seed = write_bank(tmp_path / "seed.yaml", team_prompt, rules="seed")
    assert messages([seed]) == [
        f"{seed}: prompt t1: references: a graded prompt needs at least 2, with Korean and English"
    ]
    bare = write_bank(tmp_path / "bare.yaml", graded("t2", references=[], concepts=[]))
    assert messages([bare]) == [
        f"{bare}: prompt t2: references: a graded prompt needs at least one model answer, in "
        "Korean or English (or make it kind: open)"
    ]


def test_seed_misconceptions_come_in_both_languages(tmp_path: Path) -> None:
    """The seed bank writes each misconception in Korean and English; a team bank may write it in
    one language, and up to three claims in both (six lines)."""
    english_only = [{"lang": "en", "text": "A plausible wrong answer."}]
    seed = write_bank(
        tmp_path / "seed.yaml", graded("s1", misconceptions=english_only), rules="seed"
    )
    assert messages([seed]) == [
        f"{seed}: prompt s1: misconceptions: a graded prompt needs 1 to 3, each in Korean and "
        "English"
    ]
    team = write_bank(tmp_path / "team.yaml", graded("t1", misconceptions=english_only))
    assert messages([team]) == []
    seven = [{"lang": "en", "text": f"Wrong claim {i}."} for i in range(7)]
    crowded = write_bank(tmp_path / "crowded.yaml", graded("t2", misconceptions=seven))
    assert messages([crowded]) == [
        f"{crowded}: prompt t2: misconceptions: at most 6 (3 wrong claims, each in both languages)"
    ]


def test_duplicate_id_across_files_names_the_first_file(tmp_path: Path) -> None:
    first = write_bank(tmp_path / "a.yaml", graded("same", "First?"))
    write_bank(tmp_path / "b.yaml", graded("same", "Second?"))
    assert messages([tmp_path]) == [
        f"{tmp_path / 'b.yaml'}: prompt same: id: duplicate id, first defined in {first}"
    ]


def test_followup_links(tmp_path: Path) -> None:
    write_bank(
        tmp_path / "a.yaml",
        graded("m1", "Main?"),
        graded("m1.1", "One?", parent="m1", order=1),
        graded("m1.2", "Two?", parent="m1", order=1),
        graded("orphan", "Orphan?", parent="nobody", order=1),
    )
    path = tmp_path / "a.yaml"
    assert messages([path]) == [
        f"{path}: prompt m1.2: order: order 1 is already used by m1.1 under m1",
        f"{path}: prompt orphan: parent: unknown parent 'nobody'",
    ]


def test_followup_of_an_invalid_parent_is_not_also_reported(tmp_path: Path) -> None:
    path = write_bank(
        tmp_path / "a.yaml",
        graded("m1", "Main?", references=[]),
        graded("m1.1", "One?", parent="m1", order=1),
    )
    found = messages([path])
    assert len(found) == 1
    assert found[0].startswith(f"{path}: prompt m1: references:")


def test_two_prompts_with_the_same_wording(tmp_path: Path) -> None:
    path = write_bank(
        tmp_path / "a.yaml",
        graded("p1", "What is dropout?"),
        graded(
            "p2",
            text={"ko": "드롭아웃은?", "en": "What is dropout!"},
            aliases=["  what IS dropout  "],
        ),
    )
    assert messages([path]) == [
        f"{path}: prompt p2: text.en: the same question wording is already used by prompt p1",
        f"{path}: prompt p2: aliases.0: the same question wording is already used by prompt p1",
    ]


def test_unknown_demo_names_are_errors(tmp_path: Path) -> None:
    path = write_bank(
        tmp_path / "a.yaml", graded("p1", demos=["batchnorm", "nope"], figure_demo="gone")
    )
    assert messages([path], known_demos=("batchnorm", "overfitting")) == [
        f"{path}: prompt p1: demos.1: unknown demo 'nope' (known: batchnorm, overfitting)",
        f"{path}: prompt p1: figure_demo: unknown demo 'gone' (known: batchnorm, overfitting)",
    ]


def test_empty_demo_catalog_skips_the_demo_check_with_a_note(tmp_path: Path) -> None:
    path = write_bank(tmp_path / "a.yaml", graded("p1", demos=["anything"]))
    report = check_banks([path], demo_names=no_demos)
    assert report.ok
    assert report.notes == ["the demo catalog is empty: demo names were not checked"]


def test_catalog_is_not_consulted_when_no_prompt_names_a_demo(tmp_path: Path) -> None:
    def unreachable() -> tuple[str, ...]:
        raise AssertionError("the demo catalog was loaded for a bank without demos")

    report = check_banks([write_bank(tmp_path / "a.yaml", graded("p1"))], demo_names=unreachable)
    assert report.ok


def test_team_bank_dir_from_settings_is_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_bank(tmp_path / "team.yaml", graded("q01", "Clash with the seed id?"))
    code = main(["check"], bank_dir=tmp_path)
    err = capsys.readouterr().err
    assert code == 1
    assert f"{tmp_path / 'team.yaml'}: prompt q01: id: duplicate id, first defined in" in err


def test_valid_files_print_counts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_bank(
        tmp_path / "a.yaml",
        graded("p1", "One?", topics=["cnn", "fundamentals"]),
        graded("p2", "Two?", topics=["cnn"]),
        {
            "id": "p3",
            "kind": "open",
            "text": {"ko": "셋?", "en": "Three?"},
            "topics": ["career"],
            "guidance": {"ko": "자유롭게", "en": "Anything goes"},
        },
    )
    other = write_bank(
        tmp_path / "b.yaml",
        graded("s1", "Four?", topics=["cnn"]),
        graded("s1.1", "Five?", parent="s1", order=1),
        bank="serving",
    )
    assert main(["check", str(path), str(other)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "checked 2 files",
        "  main questions: 4, complete 1 (25%: 3+ key concepts and 2+ follow-ups, as a shipped "
        "bank needs), with a misconception 3 of 3 graded",
        "  by kind: graded 4, open 1",
        "  by topic: cnn 3, fundamentals 2, career 1",
        "  by subject: team 3, serving 1",
        "  references by language: en 4, ko 4",
        "  total: 5 prompts, 5 ready to post",
    ]


def test_waiting_prompts_are_listed_not_errors_and_never_in_a_seed_bank(tmp_path: Path) -> None:
    team = write_bank(
        tmp_path / "team.yaml",
        graded("t1", "Unanswered?", references=[], status="waiting"),
        graded("t2", "Answered since?", status="waiting"),
    )
    report = check_banks([team], demo_names=no_demos)
    assert report.errors == []
    assert [str(line) for line in report.waiting] == [
        f'{team}: prompt t1: "Unanswered? (ko)": add a model answer (references: lang ko or en, '
        "text) and delete status: waiting",
        f'{team}: prompt t2: "Answered since? (ko)": has what it needs: delete status: waiting to '
        "post it",
    ]
    seed = write_bank(tmp_path / "seed.yaml", graded("s1", status="waiting"), rules="seed")
    assert messages([seed]) == [
        f"{seed}: prompt s1: status: a seed bank prompt is never waiting; give it its answers"
    ]


def test_shipped_bank_main_questions_are_complete(tmp_path: Path) -> None:
    """A main question of a `rules: seed` bank has at least 3 key concepts and 2 follow-ups; an
    opinion prompt (kind: open) and a team bank's questions are not held to it."""
    seed = write_bank(
        tmp_path / "seed.yaml",
        graded("m1", "Thin?"),
        graded("m1.1", "Only follow-up?", parent="m1", order=1),
        *complete_main("m2", "Whole?"),
        {**graded("m3", "Opinion?", kind="open", guidance={"ko": "안내", "en": "guide"})},
        rules="seed",
    )
    assert messages([seed]) == [
        f"{seed}: prompt m1: concepts: a main question needs at least 3 key concepts (has 2)",
        f"{seed}: prompt m1: a main question needs at least 2 follow-ups (has 1): add prompts "
        "with parent: m1 and an order",
    ]
    team = write_bank(tmp_path / "team.yaml", graded("t1", "Team?"))
    assert messages([team]) == []


def test_summary_counts_complete_main_questions() -> None:
    report = check_banks([DEFAULT_BANK_DIR], demo_names=no_demos)
    first = summary_lines(report.prompts, report.subjects)[0]
    mains = len(load_bank().mains())
    assert first.startswith(f"main questions: {mains}, complete ")


def test_a_question_past_the_length_of_a_chat_message_is_refused(tmp_path: Path) -> None:
    """Issue 83: an 80,000-character question imported; a question is posted in one message."""
    long = write_bank(tmp_path / "long.yaml", graded("t1", "왜" * 80_000))
    assert messages([long]) == [
        f"{long}: prompt t1: text: a question takes at most 1000 characters (this one has "
        "80005); put the detail in its model answer"
    ]
    fits = write_bank(tmp_path / "fits.yaml", graded("t2", "왜" * 995))
    assert messages([fits]) == []
