"""The quality table's other data sets on tiny files in their formats, written here (no test reads
`../shared/data`): the Korean science bank a team would hold (model answers from the other fold,
rubric elements as key concepts), concept credit counted against the labels, the twins paired,
and Korean science, Mohler and KorSTS measured through the real grader on the bundled model
(`heavy`: two banks beside the seed bank and a fit by question take a minute or two on 2 cores;
the SemEval path runs the same command line in `make test`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from evaluators.fitting.rows import Row
from evaluators.grade import Flag, Grade, Verdict
from evaluators.model_settings import ModelSettings
from tests.conftest import BUNDLED_MODEL
from tools.quality.cli import main
from tools.quality.quality_korean import (
    Answer,
    credit_counts,
    fold_bank,
    kept_elements,
    picked_answers,
)
from tools.quality.quality_own import paired, twin_figures
from tools.quality.report import RowResult

QUESTION = "에어컨이 꺼져도 다른 전자제품이 꺼지지 않은 이유를 설명해 봅시다."
RUBRICS = {"q1": {"q1_병렬": ["병렬로 연결", "병렬 연결"], "q1_퓨즈": ["퓨즈가 끊어져"]}}


def _answer(id_: str, text: str, stated: set[str], score: float) -> Answer:
    return Answer(
        id=id_,
        qid="q1",
        row=Row(question=QUESTION, answer=text, score=score, score_max=2, lang="ko"),
        stated=frozenset(stated),
    )


def test_the_model_answer_takes_the_answers_that_state_the_most_elements() -> None:
    both = _answer("a", "병렬로 연결되어 있고 퓨즈가 끊어져서", {"q1_병렬", "q1_퓨즈"}, 2)
    one = _answer("b", "병렬 연결이라서", {"q1_병렬"}, 1)
    other = _answer("c", "퓨즈가 끊어졌다", {"q1_퓨즈"}, 1)
    none = _answer("d", "몰라요", set(), 0)
    assert picked_answers([none, one, both, other]) == [both]
    # Without a full answer: one per element, and nothing that adds no element.
    assert picked_answers([none, one, other]) in ([one, other], [other, one])
    # Nobody states anything: the best scored answer alone.
    assert picked_answers([none]) == [none]


def test_past_six_elements_the_bank_keeps_the_most_stated() -> None:
    rubric: dict[str, list[str]] = {f"q9_e{i}": [] for i in range(8)}
    answers = [
        Answer(f"x{i}", "q9", Row("q?", "a", 1, 8), frozenset({f"q9_e{i % 7}"})) for i in range(14)
    ]
    # e0..e6 are each stated twice, e7 never; of the seven, the first six in rubric order stay.
    assert kept_elements(rubric, answers) == [f"q9_e{i}" for i in range(6)]
    assert kept_elements({"q1_a": [], "q1_b": []}, []) == ["q1_a", "q1_b"]


def test_the_fold_bank_holds_the_rubric_as_concepts_and_the_other_folds_answer() -> None:
    other = [_answer("a", "병렬로 연결되어 있어서 전기가 흐른다", {"q1_병렬"}, 1)]
    made = fold_bank(["q1"], other, RUBRICS)
    [prompt] = made.bank_file.prompts
    assert [r.text for r in prompt.references] == ["병렬로 연결되어 있어서 전기가 흐른다"]
    assert [(c.ko, c.synonyms) for c in prompt.concepts] == [
        ("병렬", ("병렬로 연결", "병렬 연결")),
        ("퓨즈", ("퓨즈가 끊어져",)),
    ]
    [elements] = made.elements.values()
    assert sorted(elements.values()) == ["q1_병렬", "q1_퓨즈"]


def _graded(answer: Answer, covered: tuple[str, ...]) -> RowResult:
    return RowResult(answer.row, Grade(score=50, verdict=Verdict.PARTIAL, covered=covered))


def test_concept_credit_counts_against_the_labels() -> None:
    made = fold_bank(["q1"], [_answer("a", "병렬 연결", {"q1_병렬"}, 1)], RUBRICS)
    by_element = {e: c for c, e in next(iter(made.elements.values())).items()}
    first = _answer("x", "...", {"q1_병렬", "q1_퓨즈"}, 2)
    second = _answer("y", "...", set(), 0)
    results = [_graded(first, (by_element["q1_병렬"],)), _graded(second, (by_element["q1_퓨즈"],))]
    counts = credit_counts(results, [first, second], made.elements)
    # First: 병렬 credited and stated, 퓨즈 stated and missed; second: 퓨즈 credited, not stated.
    assert counts.tolist() == [[1, 0, 1], [0, 1, 0]]


def _twin(question: str, score: int, which: str, flags: tuple[Flag, ...] = ()) -> RowResult:
    row = Row(question=question, answer="...", score=0, score_max=100, answer_class=which)
    return RowResult(row, Grade(score=score, verdict=Verdict.PARTIAL, flags=flags))


def test_twins_are_paired_by_number_and_told_apart_at_20_points() -> None:
    results = [
        _twin("q1", 90, "right"),
        _twin("q1", 85, "right"),
        _twin("q1", 60, "reversed", (Flag.REVERSED,)),
        _twin("q1", 80, "reversed"),
        _twin("q2", 70, "right"),
    ]
    twins = paired(results, [1, 2, 1, 2, 3])  # pair 3 has no reversed twin: left out
    assert twins.questions == ["q1", "q1"]
    figures = {f.key: f for f in twin_figures(twins)}
    assert figures["twins/right_mean"].value == pytest.approx(87.5)
    assert figures["twins/reversed_mean"].value == pytest.approx(70.0)
    assert figures["twins/apart"].value == pytest.approx(0.5)  # 90 - 60 apart, 85 - 80 not
    assert figures["twins/flagged"].value == pytest.approx(0.5)  # the one at 60 is flagged


def _korean_rows() -> list[dict[str, Any]]:
    texts = [
        ("병렬로 연결되어 있어서 다른 제품은 전기가 계속 흐른다.", {"q1_병렬"}),
        (
            "에어컨 쪽 퓨즈가 끊어져서 에어컨만 꺼졌고 나머지는 병렬 연결이다.",
            {"q1_병렬", "q1_퓨즈"},
        ),
        ("전기가 많이 흘러서 그렇다.", set()),
        ("퓨즈가 끊어져 에어컨만 전기가 끊겼다.", {"q1_퓨즈"}),
    ]
    # Each copy ends its own way, so no two answers are word for word alike: the hash of the ids
    # puts 12 of the 16 in one fold, enough for the team to grade 5 and leave 7.
    endings = ["", " 그렇게 배웠다.", " 수업 시간에 배웠다.", " 교과서에 나온다."]
    rows = []
    for copy, ending in enumerate(endings):
        for index, (text, stated) in enumerate(texts):
            rows.append(
                {
                    "id": f"q1.{copy}{index}",
                    "qid": "q1",
                    "question": QUESTION,
                    "rubric_elements": list(RUBRICS["q1"]),
                    "element_labels": {e: int(e in stated) for e in RUBRICS["q1"]},
                    "answer": text + ending,
                    "score": float(len(stated)),
                    "score_max": 2.0,
                }
            )
    return rows


def _mohler_rows() -> list[dict[str, Any]]:
    reference = {
        "What is a leaf?": "A node with no children.",
        "What is a root?": "The node at the top, with no parent.",
        "What is a parent?": "The node directly above another node.",
    }
    answers = [("A node that has no children.", 5.0), ("The first node.", 1.0)]
    answers += [("It is a kind of list.", 0.0), ("It has no child nodes.", 4.0)]
    answers += [("A node of the tree.", 2.0), ("Some node in the tree.", 2.0)]
    answers += [("It is a sort of list.", 0.0)]
    return [
        {"question": q, "reference": r, "answer": a, "score": s, "score_max": 5}
        for q, r in reference.items()
        for a, s in answers
    ]


def _korsts_rows() -> list[dict[str, Any]]:
    same = ["고양이가 소파 위에서 잔다.", "아이들이 공원에서 축구를 한다.", "비가 많이 내린다."]
    far = ["주식 시장이 크게 올랐다.", "그는 기차를 타고 부산에 갔다.", "새 휴대폰이 출시되었다."]
    rows = [{"s1": s, "s2": s, "score": 5.0} for s in same]
    return rows + [{"s1": s, "s2": f, "score": 0.0} for s, f in zip(same, far, strict=True)]


def _write(path: Path, rows: list[dict[str, Any]]) -> None:
    lines = [json.dumps(row, ensure_ascii=False) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    data = tmp_path_factory.mktemp("shared-data")
    _write(data / "korean_science_dev.jsonl", _korean_rows())
    rubrics = {
        "q1": {
            "question": QUESTION,
            "rubric_elements": list(RUBRICS["q1"]),
            "element_examples_by_repo_authors": RUBRICS["q1"],
        }
    }
    (data / "korean_science_rubrics.json").write_text(json.dumps(rubrics), encoding="utf-8")
    _write(data / "mohler_dev.jsonl", _mohler_rows())
    _write(data / "korsts_dev.jsonl", _korsts_rows())
    cache = tmp_path_factory.mktemp("cache")
    settings = ModelSettings(model=BUNDLED_MODEL, device="cpu", cache_dir=cache)
    out = cache / "report.json"
    args = ["quality", "--data", str(data), "--out", str(out)]
    empty = cache / "empty.json"
    empty.write_text(json.dumps({"figures": []}), encoding="utf-8")
    args += ["--baseline", str(empty)]
    for name in ("korean", "mohler", "korsts"):
        args += ["--only", name]
    assert main(args, settings) == 0
    return {f["key"]: f for f in json.loads(out.read_text(encoding="utf-8"))["figures"]}


@pytest.mark.heavy
def test_korean_science_figures(report: dict[str, dict[str, Any]]) -> None:
    names = ["precision", "recall", "f1", "pearson", "reversed_full_marks"]
    names += ["taught_5/pearson", "taught_5/alone_pearson"]
    assert [k for k in report if k.startswith("korean/")] == [f"korean/{n}" for n in names]
    assert all(report[f"korean/{n}"]["n"] == 16 for n in names[:4])
    # The answer stating both elements, once per copy: full marks, and not read as reversed.
    full_marks = report["korean/reversed_full_marks"]
    assert full_marks["n"] == 4 and not full_marks["gated"]
    assert full_marks["value"] == 0.0
    # One fold holds 12 different answers: 5 graded by the team, 7 measured; the other, 4: none.
    assert report["korean/taught_5/pearson"]["n"] == 7
    assert report["korean/taught_5/pearson"]["gated"]
    assert report["korean/taught_5/alone_pearson"]["n"] == 7
    assert report["korean/f1"]["gated"] and report["korean/pearson"]["gated"]
    # Every stated element is named in its own wording, and no other answer names one.
    assert report["korean/precision"]["value"] == 1.0


@pytest.mark.heavy
def test_mohler_and_korsts_figures(report: dict[str, dict[str, Any]]) -> None:
    assert report["mohler/pearson_cv"]["n"] == 21
    # One answer a question scores 5 of 5 ("A node that has no children."): none read as reversed.
    full_marks = report["mohler/reversed_full_marks"]
    assert (full_marks["n"], full_marks["value"]) == (3, 0.0)
    # 7 answers a question, 5 of them graded by the team: the other 2 of each are measured.
    taught = report["mohler/taught_5/pearson"]
    assert taught["n"] == 6 and taught["gated"]
    assert report["mohler/taught_5/alone_pearson"]["n"] == 6
    assert not report["mohler/taught_5/alone_pearson"]["gated"]
    korsts = report["korsts/spearman"]
    assert korsts["n"] == 6 and korsts["gated"]
    # Identical sentences (5) against unrelated ones (0): the cosine puts every identical pair
    # first, so the ranks agree as far as the ties allow.
    assert korsts["value"] > 0.8
    assert np.isfinite(korsts["low"]) and korsts["low"] <= korsts["value"]
