"""`quizmaster content import notes`: study notes in the seed layouts become a bank that passes
`content check`, with unanswered questions waiting; broken notes give one line each, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from content.importers.hangul_roman import romanize
from content.importers.notes import import_notes
from content.importers.notes_markup import plain_text
from content.loader import BankError, load_bank
from content.schema import Prompt
from tests.content.cli_main import main

NOTES = Path(__file__).parent / "notes"


def _by_id(path: Path) -> dict[str, Prompt]:
    return {prompt.id: prompt for prompt in import_notes(path).bank_file.prompts}


def _reference(prompt: Prompt) -> tuple[str, str]:
    (reference,) = prompt.references
    return reference.lang, reference.text


def test_numbered_notes_keep_follow_ups_in_order_and_answer_points() -> None:
    imported = import_notes(NOTES / "numbered_ko.md")
    prompts = {p.id: p for p in imported.bank_file.prompts}
    assert [(p.id, p.parent, p.order, p.status) for p in prompts.values()] == [
        ("numbered-ko-001", None, 0, "ready"),
        ("numbered-ko-001.1", "numbered-ko-001", 1, "ready"),
        ("numbered-ko-001.2", "numbered-ko-001", 2, "waiting"),
        ("numbered-ko-002", None, 0, "ready"),
        ("numbered-ko-002.1", "numbered-ko-002", 1, "waiting"),
        ("numbered-ko-003", None, 0, "waiting"),
        ("numbered-ko-004", None, 0, "waiting"),
    ]
    main = prompts["numbered-ko-001"]
    assert main.text.ko == "드롭아웃의 효과는?"
    assert _reference(main) == (
        "ko",
        "학습 중 뉴런을 무작위로 꺼서 과적합을 줄인다.\n"
        "여러 모델을 앙상블한 것과 비슷한 효과가 있다.\n"
        "학습 시간은 조금 늘어난다.",
    )
    assert _reference(prompts["numbered-ko-001.1"]) == (
        "ko",
        r"끄고, 학습 때의 유지 확률 $p$ 로 출력을 맞춘다 ($y = p \cdot x_{i}$).",
    )
    english = prompts["numbered-ko-002"]
    assert english.text.en == "Why does batch normalization speed up training?"
    assert _reference(english) == (
        "en",
        "It keeps each layer's inputs at a steady scale, so a larger learning rate stays stable.",
    )
    assert prompts["numbered-ko-004"].text.ko == "학습률은 어떻게 정하나요?"
    assert prompts["numbered-ko-002.1"].source == "notes:numbered_ko.md line 20"
    path = NOTES / "numbered_ko.md"
    assert imported.notes == (
        f"{path}: lines 1, 28: no question (no `?`, `1.`, `+` or `##`); not imported",
        f"{path}: line 24: repeats an earlier question word for word; imported once",
    )


def test_heading_notes_take_keywords_as_concepts_and_answer_as_reference() -> None:
    prompts = _by_id(NOTES / "headings_en.md")
    momentum = prompts["headings-en-001"]
    assert _reference(momentum) == (
        "en",
        "Momentum keeps a running average of past gradients and steps along it, so updates "
        "speed up in steady directions and oscillations across a ravine damp out.",
    )
    assert [(c.id, c.ko) for c in momentum.concepts] == [
        ("velocity", "velocity"),
        ("gwanseong", "관성"),
        ("oscillation", "oscillation"),
    ]
    assert momentum.guidance is not None
    assert momentum.guidance.en.endswith("\nKey concepts: velocity, 관성, oscillation")
    high_rate = prompts["headings-en-002"]
    assert (high_rate.status, high_rate.references) == ("waiting", ())
    warmup = prompts["headings-en-002.2"]
    assert (warmup.parent, warmup.order, warmup.status) == ("headings-en-002", 2, "ready")
    assert [c.id for c in warmup.concepts] == ["chogi-bulanjeong"]
    adam = prompts["headings-en-003"]
    assert [c.id for c in adam.concepts] == ["jeokeungjeok-hakseupryul", "momenteom"]
    assert [(p.id, p.parent, p.status) for p in prompts.values() if p.id >= "headings-en-004"] == [
        ("headings-en-004", None, "waiting"),
        ("headings-en-004.1", "headings-en-004", "waiting"),
    ]


def test_heading_notes_say_what_they_left_out() -> None:
    path = NOTES / "headings_en.md"
    assert import_notes(path).notes == (
        f"{path}: 4 lines of bullet details and other text beside the `Answer:` lines not "
        "imported: each question's `Answer:` is its reference",
    )


def test_question_list_waits_and_body_below_the_rule_is_not_read() -> None:
    path = NOTES / "question_list.md"
    imported = import_notes(path)
    assert [(p.id, p.parent, p.text.ko, p.status) for p in imported.bank_file.prompts] == [
        ("question-list-001", None, "What is a convolution?", "waiting"),
        (
            "question-list-001.1",
            "question-list-001",
            "Why share weights across positions?",
            "waiting",
        ),
        ("question-list-001.2", "question-list-001", "풀링을 하는 이유는?", "waiting"),
        (
            "question-list-002",
            None,
            "알고있는 활성화 함수에 대해 알려주세요. (Sigmoid, ReLU 등)",
            "waiting",
        ),
        ("question-list-003", None, "What is a residual connection?", "waiting"),
    ]
    assert imported.notes[-1] == (
        f"{path}: lines 19-23, below the question list's `---` rule, not read; to import an "
        "answer there, write it as `A.` under the question in the list"
    )


def test_notes_of_only_unanswered_headings_become_open_questions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`## question` headings with no `Answer:` anywhere are the headings layout all the same:
    each asks a question that waits for its model answer (issue 60), as on the web page."""
    source, out = tmp_path / "to-answer.md", tmp_path / "to-answer.yaml"
    source.write_text(
        "# Questions for next week\n\n## What is dropout?\n\n- ask Mina\n\n"
        "### When is it turned off?\n\n## Why use batch norm?\n",
        encoding="utf-8",
    )
    assert main(["import", "notes", str(source), "--out", str(out)]) == 0
    assert capsys.readouterr().out == (
        f"wrote 3 prompts, 0 ready to post, 3 waiting for a model answer to {out}; "
        f"run `quizmaster content check {out}`\n"
    )
    prompts = import_notes(source).bank_file.prompts
    assert [(p.id, p.parent, p.text.en, p.status) for p in prompts] == [
        ("to-answer-001", None, "What is dropout?", "waiting"),
        ("to-answer-001.1", "to-answer-001", "When is it turned off?", "waiting"),
        ("to-answer-002", None, "Why use batch norm?", "waiting"),
    ]


def test_cli_import_then_check_lists_each_waiting_prompt(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "team.yaml"
    assert main(["import", "notes", str(NOTES / "headings_en.md"), "--out", str(out)]) == 0
    counted = "7 prompts, 2 ready to post, 5 waiting for a model answer"
    assert capsys.readouterr().out == (
        f"wrote {counted} to {out}; run `quizmaster content check {out}`\n"
    )
    assert main(["check", str(out)]) == 0
    checked = capsys.readouterr().out
    # Issue 83: the import said "7 graded prompts (3 waiting)", the check 5 not posted yet and
    # "complete 0 (0%)": one count now, in the same words.
    assert f"  total: {counted}\n" in checked
    assert "complete 0 (0%: 3+ key concepts and 2+ follow-ups, as a shipped bank needs)" in checked
    listing = checked.split("5 not posted yet, until each has what it lacks:\n")[1]
    answer = "add a model answer (references: lang ko or en, text) and delete status: waiting"
    assert listing.splitlines() == [
        f'  {out}: prompt headings-en-002: "Why can a learning rate that is too hig…" '
        f"(notes:headings_en.md line 15): {answer}",
        f'  {out}: prompt headings-en-002.1: "What does a learning rate schedule do?" '
        "(notes:headings_en.md line 21): posted once its main question headings-en-002 is ready",
        f'  {out}: prompt headings-en-002.2: "학습률 워밍업은 왜 하나요?" '
        "(notes:headings_en.md line 27): posted once its main question headings-en-002 is ready",
        f'  {out}: prompt headings-en-004: "Which optimiser does the team use by de…" '
        f"(notes:headings_en.md line 37): {answer}",
        f'  {out}: prompt headings-en-004.1: "Why that one?" '
        f"(notes:headings_en.md line 38): {answer}",
    ]


def test_loading_leaves_out_waiting_prompts_and_their_follow_ups(tmp_path: Path) -> None:
    numbered, headings = tmp_path / "numbered.yaml", tmp_path / "headings.yaml"
    assert main(["import", "notes", str(NOTES / "numbered_ko.md"), "--out", str(numbered)]) == 0
    assert main(["import", "notes", str(NOTES / "headings_en.md"), "--out", str(headings)]) == 0
    bank = load_bank([numbered, headings])
    assert sorted(p.id for p in bank.all()) == [
        "headings-en-001",
        "headings-en-003",
        "numbered-ko-001",
        "numbered-ko-001.1",
        "numbered-ko-002",
    ]
    assert [p.id for p in bank.followups("numbered-ko-001")] == ["numbered-ko-001.1"]


def test_a_bank_of_waiting_prompts_only_does_not_load(tmp_path: Path) -> None:
    out = tmp_path / "list.yaml"
    assert main(["import", "notes", str(NOTES / "question_list.md"), "--out", str(out)]) == 0
    with pytest.raises(BankError) as caught:
        load_bank([out])
    assert str(caught.value) == (
        f"{out}: no prompt is ready: all 5 prompts wait for a model answer "
        "(`quizmaster content check` lists them)"
    )


BROKEN = {
    "그냥 메모입니다.\n\n- 목록 하나\n": [
        "no questions found; write `1. question` lines with `+ follow-up`s, `## question` "
        "headings with `Answer:` lines, or a `- [question](#anchor)` list"
    ],
    "+ 팔로업이 먼저?\n1. Main question?\n": [
        "line 1: this `+` follow-up comes before any main question; add the main one above"
    ],
    "1. First?\nA.\n    1. one\nA.\n    1. two\n": [
        "line 4: a second `A.` for the question on line 1 (the first is on line 2); merge them"
    ],
    "Keyword: a\nAnswer: b\n## 질문?\n": [
        "line 1: `Keyword:` is under no `## question` heading; add one above it",
        "line 2: `Answer:` is under no `## question` heading; add one above it",
    ],
    "## Q?\nKeyword: a\nKeyword: a, b, c, d, e, f, g\nAnswer: x\nAnswer: y\n": [
        "line 3: a second `Keyword:` for the question on line 1 (the first is on line 2); merge "
        "them",
        "line 3: 7 keywords; a question takes at most 6 key concepts, keep the ones a full "
        "answer must name",
        "line 5: a second `Answer:` for the question on line 1 (the first is on line 4); merge "
        "them",
    ],
    "### 후속 질문?\nAnswer: 답\n": [
        "line 1: this `###` follow-up comes before any main question; add the main one above",
        "line 2: `Answer:` is under no `## question` heading; add one above it",
    ],
    "1. ![](only-an-image.png)\n": [
        "line 1: the question is empty once markup is removed; write its words"
    ],
    "1. " + "왜 " * 40_000 + "\nA. 답\n": [
        "line 1: the question is 79999 characters; a question takes at most 1000, so put the "
        "detail in its answer"
    ],
    "1. 드롭아웃이란?\n오해: 테스트 때도 끈다.\nA.\n    1. 뉴런을 끈다.\n    오해:\n": [
        "line 2: this wrong claim follows no `A.` answer; put it in one",
        "line 5: the wrong claim is empty; write what people wrongly say",
    ],
    "오해: 먼저 온 주장\n## 질문?\nAnswer: 답\n"
    + "".join(f"Misconception: claim {n}\n" for n in range(7)): [
        "line 1: this wrong claim is under no `## question`; add one above",
        "line 10: more than 6 wrong claims for the question on line 2; keep the ones people most "
        "often make",
    ],
    "1. 드롭아웃이란?\nA.\n    1. 뉴런을 끈다.\n\n드롭아웃이란?\nA.\n    1. 다른 답.\n": [
        "line 5: repeats the question on line 1 with an answer, keywords or follow-ups of its "
        "own; merge the two"
    ],
}


@pytest.mark.parametrize("text", [*BROKEN, "1. 인코딩이 다른 질문?\n"])
def test_broken_notes_name_the_line_and_write_nothing(
    text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source, out = tmp_path / "notes.md", tmp_path / "out.yaml"
    if text in BROKEN:
        source.write_text(text, encoding="utf-8")
        problems = BROKEN[text]
    else:
        source.write_bytes(text.encode("euc-kr"))
        problems = ["not UTF-8 text (bad byte at offset 3)"]
    assert main(["import", "notes", str(source), "--out", str(out)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        *(f"{source}: {problem}" for problem in problems),
        f"nothing written; fix {source} and run the import again",
    ]
    assert not out.exists()


def test_hangul_is_romanised_syllable_by_syllable() -> None:
    assert romanize("학습 속도 개선") == "hakseup sokdo gaeseon"
    assert romanize("같이 weight 초기화") == "gati weight chogihwa"


def test_markup_is_removed_but_latex_is_kept_as_written() -> None:
    line = (
        "<strong>See</strong> [[AI] 책](https://x.io) ![](a.png)~~not~~ **this**: "
        r"$x_{min} = {x - m \over \delta}$ &amp; `code_x`<br/>end"
    )
    assert plain_text(line) == r"See [AI] 책 this: $x_{min} = {x - m \over \delta}$ & code_x end"


CLAIMS_LISTED = """\
1. ReLU를 쓰는 이유는?
A.
    1. 양수 구간에서 기울기가 1이라 기울기 소실이 덜하다.
    2. 오해: ReLU의 출력은 0과 1 사이라 확률로 쓸 수 있다.
Misconception: ReLU outputs are bounded between 0 and 1.

+ Dying ReLU는 무엇인가?
A.
    1. 입력이 계속 음수면 기울기가 0이라 뉴런이 다시 살아나지 않는다.
"""
CLAIMS_HEADINGS = """\
## ReLU를 쓰는 이유는?
Keyword: 기울기 소실
Answer: 양수 구간에서 기울기가 1이라 기울기 소실이 덜하다.
흔한 오해: ReLU의 출력은 0과 1 사이라 확률로 쓸 수 있다.
- 세부 사항
"""


@pytest.mark.parametrize("text", [CLAIMS_LISTED, CLAIMS_HEADINGS], ids=["lists", "headings"])
def test_wrong_claims_in_notes_become_misconceptions_not_answer_points(
    text: str, tmp_path: Path
) -> None:
    source = tmp_path / "claims.md"
    source.write_text(text, encoding="utf-8")
    main_prompt = import_notes(source).bank_file.prompts[0]
    assert _reference(main_prompt) == ("ko", "양수 구간에서 기울기가 1이라 기울기 소실이 덜하다.")
    claims = [(m.lang, m.text) for m in main_prompt.misconceptions]
    assert claims[0] == ("ko", "ReLU의 출력은 0과 1 사이라 확률로 쓸 수 있다.")
    assert claims[1:] == (
        [("en", "ReLU outputs are bounded between 0 and 1.")] if text == CLAIMS_LISTED else []
    )
