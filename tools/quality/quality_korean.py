"""Korean science in the quality table: real middle-school students' answers to 48 questions,
each labelled for every rubric element, held as a team would hold them and graded with the
committed calibration (nothing is fitted on them).

The team bank: each question imported as `content import csv` imports a row with a `concepts`
column, its rubric elements as key concepts (the element's name, its example phrasings as
synonyms) and a model answer made as an admin makes one for an open question, from the best
answers the team gave. Those answers come from the other fold: each question's answers are split
in two by a hash of their id, and the answers of one fold are graded through a bank whose model
answers were picked from the other, so no answer is graded against its own words.

Figures: concept credit (the grader's covered concepts against the element labels: precision,
recall, F1 over every answer and element) and Pearson of the grade against score / score_max;
then the teaching protocol in each fold (`quality_protocol`: 5 answers a question graded by the
team, the students' scores as its grades), Pearson of the others with and without them."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from content.bank import normalize_question
from content.importers.csv_table import import_csv
from content.importers.imported_bank import BankImportError
from content.schema import BankFile
from evaluators.fitting.correlation import pearson
from evaluators.fitting.rows import (
    HarnessError,
    Row,
    answer_field,
    read_jsonl,
    score_fields,
    text_field,
)
from evaluators.grade import Flag
from tools.quality.quality_protocol import PICKS, correlations, protocol
from tools.quality.quality_run import QualityRun
from tools.quality.quality_stats import (
    Indices,
    Statistic,
    f1,
    precision,
    recall,
    share_among,
)
from tools.quality.quality_table import Figure, measured
from tools.quality.report import RowResult
from tools.quality.team_banks import beside_seed

ANSWERS = "korean_science_dev.jsonl"
RUBRICS = "korean_science_rubrics.json"
FOLDS = 2
PICKED = 3
"""At most this many answers make a model answer, as an admin picks a few of the best."""
TEAM_CONCEPTS = 6
"""The most key concepts a team prompt may have (`content.schema.Prompt`'s team rules)."""
JOINED = "\n\n"
"""How the open-question page joins the picked answers into the model answer's box."""


@dataclass(frozen=True)
class Answer:
    """One student's answer: the graded row and the rubric elements labelled stated."""

    id: str
    qid: str
    row: Row
    stated: frozenset[str]

    @property
    def fold(self) -> int:
        return int(hashlib.sha256(self.id.encode()).hexdigest()[:8], 16) % FOLDS

    @property
    def share(self) -> float:
        return self.row.score / self.row.score_max


def _answer(data: dict[str, Any], _line: str) -> Answer:
    labels = {str(k): int(v) for k, v in dict(data["element_labels"]).items()}
    score, score_max = score_fields(data)
    return Answer(
        id=str(data["id"]),
        qid=str(data["qid"]),
        row=Row(
            question=text_field(data, "question"),
            answer=answer_field(data),
            score=score,
            score_max=score_max,
            lang="ko",
        ),
        stated=frozenset(e for e, v in labels.items() if v),
    )


def read_answers(path: Path) -> list[Answer]:
    return read_jsonl(path, _answer)


def read_rubrics(path: Path) -> dict[str, dict[str, list[str]]]:
    """Each question's elements with their example phrasings."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {
            str(qid): {
                str(element): [
                    str(x) for x in rubric["element_examples_by_repo_authors"].get(element, [])
                ]
                for element in rubric["rubric_elements"]
            }
            for qid, rubric in data.items()
        }
    except (OSError, json.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
        raise HarnessError(f"{path}: not a rubrics file ({type(exc).__name__}: {exc})") from None


def concept_name(element: str) -> str:
    """`q1_병렬` is the element 병렬 of question q1."""
    return element.split("_", 1)[-1]


def picked_answers(candidates: Sequence[Answer]) -> list[Answer]:
    """The answers an admin would pick into the model answer: greedily the one that states the
    most elements not yet stated (ties: the higher score, then a fixed order), until every
    element is stated, none adds one, or `PICKED` are taken. Full-score answers come first."""
    left = sorted(candidates, key=lambda a: (-a.share, hashlib.sha256(a.id.encode()).digest()))
    picked: list[Answer] = []
    said: set[str] = set()
    while left and len(picked) < PICKED:
        best = max(left, key=lambda a: len(a.stated - said))
        if not best.stated - said:
            break
        picked.append(best)
        said |= best.stated
        left.remove(best)
    return picked or left[:1]


def kept_elements(rubric: dict[str, list[str]], answers: Sequence[Answer]) -> list[str]:
    """The elements a team bank can hold as key concepts: all of them, or, past the team
    rules' limit, those its `answers` state most often (ties in rubric order). An element left
    out is never credited, so its stated labels count as missed."""
    order = list(rubric)
    if len(order) <= TEAM_CONCEPTS:
        return order
    stated = {e: sum(e in a.stated for a in answers) for e in order}
    kept = sorted(order, key=lambda e: -stated[e])[:TEAM_CONCEPTS]
    return [e for e in order if e in kept]


def _table(
    qids: Sequence[str], answers: Sequence[Answer], rubrics: dict[str, dict[str, list[str]]]
) -> str:
    """The CSV a team would import: each question, a model answer picked from `answers`, its
    elements as key concepts (`name|example|...`, separated by `;`)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["question", "answer", "concepts"])
    for qid in qids:
        mine = [a for a in answers if a.qid == qid]
        if not mine:
            raise HarnessError(f"{qid}: no answer in the other fold to make a model answer of")
        model = JOINED.join(a.row.answer.strip() for a in picked_answers(mine))
        concepts = [
            "|".join(dict.fromkeys(w.strip() for w in [concept_name(e), *rubrics[qid][e]]))
            for e in kept_elements(rubrics[qid], mine)
        ]
        writer.writerow([mine[0].row.question, model, ";".join(concepts)])
    return out.getvalue()


@dataclass(frozen=True)
class FoldBank:
    """The bank one fold's answers are graded through, and each of its questions' concept ids
    by the rubric element they stand for."""

    bank_file: BankFile
    elements: dict[str, dict[str, str]]
    """Question (`normalize_question`) -> concept id -> element."""


def fold_bank(
    qids: Sequence[str],
    answers: Sequence[Answer],
    rubrics: dict[str, dict[str, list[str]]],
) -> FoldBank:
    """The questions `qids` with model answers picked from `answers` (the other fold's),
    imported as `content import csv` imports their table."""
    with tempfile.TemporaryDirectory(prefix="quizmaster-korean-") as folder:
        path = Path(folder) / "korean-science.csv"
        path.write_text(_table(qids, answers, rubrics), encoding="utf-8")
        try:
            bank_file = import_csv(path).bank_file
        except BankImportError as exc:
            raise HarnessError(f"the Korean science questions do not import: {exc}") from None
    elements = {}
    for qid, prompt in zip(qids, bank_file.prompts, strict=True):
        mine = [a for a in answers if a.qid == qid]
        by_name = {concept_name(e): e for e in kept_elements(rubrics[qid], mine)}
        mapped = {c.id: by_name[c.ko] for c in prompt.concepts if c.ko in by_name}
        if len(mapped) != len(by_name):
            lost = sorted(set(by_name.values()) - set(mapped.values()))
            raise HarnessError(f"{qid}: elements {', '.join(lost)} lost their own concept")
        elements[normalize_question(prompt.text.ko)] = mapped
    return FoldBank(bank_file, elements)


def credit_counts(
    results: Sequence[RowResult], answers: Sequence[Answer], elements: dict[str, dict[str, str]]
) -> NDArray[np.float64]:
    """Per answer: elements credited and stated, credited but not stated, stated but not
    credited."""
    counts = []
    for result, answer in zip(results, answers, strict=True):
        concepts = elements[normalize_question(answer.row.question)]
        credited = {concepts[c] for c in result.grade.covered if c in concepts}
        counts.append(
            (
                len(credited & answer.stated),
                len(credited - answer.stated),
                len(answer.stated - credited),
            )
        )
    return np.array(counts, dtype=np.float64).reshape(-1, 3)


async def korean(run: QualityRun) -> list[Figure]:
    answers = read_answers(run.data / ANSWERS)
    rubrics = read_rubrics(run.data / RUBRICS)
    qids = list(dict.fromkeys(a.qid for a in answers))
    if unknown := [q for q in qids if q not in rubrics]:
        raise HarnessError(f"{run.data / RUBRICS}: no rubric for {', '.join(unknown)}")
    ordered: list[Answer] = []
    grades: list[float] = []
    reversed_: list[bool] = []
    counts: list[NDArray[np.float64]] = []
    taught: list[tuple[float, float, float, str]] = []
    for fold in range(FOLDS):
        mine = [a for a in answers if a.fold == fold]
        other = [a for a in answers if a.fold != fold]
        made = fold_bank(qids, other, rubrics)
        bank = beside_seed([made.bank_file])
        results = await run.graded([a.row for a in mine], bank)
        ordered += mine
        grades += [r.grade.score for r in results]
        reversed_ += [Flag.REVERSED in r.grade.flags for r in results]
        counts.append(credit_counts(results, mine, made.elements))
        rows = [a.row for a in mine]
        replayed = await protocol(run, rows, [a.qid for a in mine], cv=False, bank=bank)
        if replayed is not None:
            taught += [
                (w, a, mine[i].share, mine[i].qid)
                for i, w, a in zip(
                    replayed.left, replayed.with_evidence, replayed.alone, strict=True
                )
            ]
    found = figures(
        ordered,
        np.array(grades, dtype=np.float64),
        np.concatenate(counts),
        np.array(reversed_, dtype=bool),
    )
    if not taught:
        return found
    part = f"Korean science, {PICKS} answers a question graded by the team (in each fold)"
    return found + correlations("korean", part, "Pearson, grade vs score / score_max", taught)


def figures(
    answers: Sequence[Answer],
    grades: NDArray[np.float64],
    counts: NDArray[np.float64],
    reversed_: NDArray[np.bool_],
) -> list[Figure]:
    """Concept credit, agreement with the students' scores and the REVERSED flag on full-marks
    answers (issue 69: a right answer is never told it says the opposite), each with its
    interval over questions."""
    share = np.array([a.share for a in answers])
    full = share >= 1.0
    questions = [a.qid for a in answers]

    def summed(rows: Indices) -> tuple[float, float, float]:
        tp, fp, fn = counts[rows].sum(axis=0)
        return float(tp), float(fp), float(fn)

    def figure(
        name: str, slug: str, statistic: Statistic, *, gated: bool = False, n: int | None = None
    ) -> Figure:
        return measured(
            key=f"korean/{slug}",
            data_set="korean",
            part=f"Korean science, {len(set(questions))} questions, both folds",
            name=name,
            statistic=statistic,
            questions=questions,
            gated=gated,
            n=n,
        )

    return [
        figure("concept credit precision", "precision", lambda r: precision(*summed(r)[:2])),
        figure("concept credit recall", "recall", lambda r: recall(summed(r)[0], summed(r)[2])),
        figure("concept credit F1", "f1", lambda r: f1(*summed(r)), gated=True),
        figure(
            "Pearson, grade vs score / score_max",
            "pearson",
            lambda r: pearson(grades[r], share[r]),
            gated=True,
        ),
        figure(
            "share read as reversed, full marks",
            "reversed_full_marks",
            share_among(reversed_, full),
            n=int(full.sum()),
        ),
    ]
