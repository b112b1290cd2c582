"""Reference embeddings are encoded once per model and text, and then read from disk: an edited or
added question costs only its own texts. The bank's word rarity is counted once per bank content."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import numpy as np
import pytest

from content.bank import Bank
from content.schema import Localized
from evaluators import references
from evaluators.calibration import Calibration
from evaluators.embedding.remote import RemoteEmbedder
from evaluators.embedding.sentence_model import Embedder, load_embedder
from evaluators.reading.concept_meaning import span_texts
from evaluators.reading.concepts import AnswerText
from evaluators.references import bank_texts, concept_texts
from evaluators.service import EmbeddingGrader
from evaluators.stated_misconceptions import claims_to_read, prompt_texts
from evaluators.text_vectors import Held, KeptVectors, ShippedVectors
from evaluators.vector_provenance import Writer, digest
from tests.conftest import BUNDLED_MODEL
from tests.embedding_servers import Behaviour, misbehaving_server
from tests.evaluators.conftest import OPEN, RELU


def _fresh_grader(cache_dir: Path) -> EmbeddingGrader:
    """A grader on its own Embedder (same loaded model) and without the package's shipped
    vectors, so nothing is shared in memory and only the cache dir's file can spare the
    encoding."""
    shared = load_embedder(BUNDLED_MODEL, "cpu")
    embedder = Embedder(model=shared.model, name=shared.name, device="cpu")
    return EmbeddingGrader(
        embedder,
        cache_dir=cache_dir,
        calibration=Calibration.load(),
        shipped=ShippedVectors(cache_dir / "nothing-shipped"),
    )


async def test_unchanged_bank_hits_the_npz_cache(tmp_path: Path, mini_bank: Bank) -> None:
    first = _fresh_grader(tmp_path)
    assert await first.prepare(mini_bank) is False
    # the bank's texts, and the probe text whose vector every file records and is checked by
    assert first.embedder.texts_encoded == 1 + len(bank_texts(mini_bank))
    path = first.store.kept.path
    assert path.is_file()
    written = path.stat().st_mtime_ns

    second = _fresh_grader(tmp_path)
    assert await second.prepare(mini_bank) is True
    assert second.embedder.texts_encoded == 1  # the probe text, proving the file's model
    assert second.store.cache_hits == 1
    assert path.stat().st_mtime_ns == written
    answer = "ReLU는 계산이 빠르고 기울기 소실이 적어요."
    grade = await second.grade(RELU, answer)
    # and then only the answer, and what the first answer to a prompt encodes: its concepts'
    # phrasings, and the answer's clauses, since it names some concepts in none of their words;
    # the answer's claims that could state a misconception, and then the prompt's claims and
    # misconceptions too (`stated_misconceptions`)
    clauses = span_texts(AnswerText.of(answer))[1]
    read = claims_to_read(RELU, answer)
    claims = len(read) + (len(set(prompt_texts(RELU))) if read else 0)
    assert second.embedder.texts_encoded == 2 + len(concept_texts(RELU)) + len(clauses) + claims
    assert grade.score > 0


BURST = (
    "ReLU는 계산이 빠르고 기울기 소실이 적어요.",
    "ReLU is cheap to compute and its gradient does not vanish for positive inputs.",
    "양수 구간에서 미분값이 1이라 깊은 층에서도 학습이 잘 됩니다.",
    "Sigmoid saturates, ReLU does not, so gradients flow.",
    "max(0, x) 하나라 연산이 간단하고 sparse한 활성화가 생깁니다.",
    "It avoids the vanishing gradient and is fast.",
    "렐루는 음수를 0으로 만들어서 희소성이 생겨요.",
    "ReLU keeps the gradient at 1 for positive values.",
)


async def test_a_burst_of_answers_to_a_new_prompt_encodes_its_texts_once(
    tmp_path: Path, mini_bank: Bank
) -> None:
    """Answers that arrive together (a thread after a restart, an evaluation's gather) all find
    the prompt's concept phrasings missing: they wait on one encode of them, so the burst
    encodes what the same answers one after another encode, with the same grades."""
    await _fresh_grader(tmp_path).prepare(mini_bank)
    one_by_one = _fresh_grader(tmp_path)
    await one_by_one.prepare(mini_bank)
    alone = [await one_by_one.grade(RELU, answer) for answer in BURST]
    together = _fresh_grader(tmp_path)
    await together.prepare(mini_bank)
    burst = await asyncio.gather(*(together.grade(RELU, answer) for answer in BURST))
    assert together.embedder.texts_encoded == one_by_one.embedder.texts_encoded
    assert [g.score for g in burst] == [g.score for g in alone]
    assert [g.covered for g in burst] == [g.covered for g in alone]


async def test_a_questions_phrasings_encoded_on_its_first_answer_are_kept_for_the_next_start(
    tmp_path: Path, mini_bank: Bank
) -> None:
    """A closed grader leaves the phrasings it encoded in the cache dir's file: a grader started
    after it (a restart, a replica, another process) grades the same answer encoding only the
    answer and its clauses and claims, to the same grade. A grader not closed leaves none."""
    answer = BURST[0]
    first = _fresh_grader(tmp_path)
    await first.prepare(mini_bank)
    before = first.embedder.texts_encoded
    graded = await first.grade(RELU, answer)
    first_encoded = first.embedder.texts_encoded - before
    crashed = _fresh_grader(tmp_path / "crashed")
    await crashed.prepare(mini_bank)
    await crashed.grade(RELU, answer)
    await first.aclose()

    for cache, phrasings_encoded in ((tmp_path, 0), (tmp_path / "crashed", 1)):
        again = _fresh_grader(cache)
        await again.prepare(mini_bank)
        before = again.embedder.texts_encoded
        regraded = await again.grade(RELU, answer)
        await again.aclose()
        encoded = again.embedder.texts_encoded - before
        assert encoded == first_encoded - (1 - phrasings_encoded) * len(concept_texts(RELU))
        assert regraded.score == graded.score and regraded.covered == graded.covered
    await crashed.aclose()


async def test_a_process_that_prepared_first_reads_the_phrasings_another_kept_since(
    tmp_path: Path, mini_bank: Bank
) -> None:
    """A long-lived process (a test worker, a second replica) prepared before another process
    kept its phrasings: its next grader reads them from the changed file."""
    waiting = _fresh_grader(tmp_path)
    await waiting.prepare(mini_bank)
    other = _fresh_grader(tmp_path)
    await other.prepare(mini_bank)
    await other.grade(RELU, BURST[0])
    await other.aclose()
    later = EmbeddingGrader(
        waiting.embedder,
        cache_dir=tmp_path,
        calibration=Calibration.load(),
        shipped=ShippedVectors(tmp_path / "nothing-shipped"),
    )
    await later.prepare(mini_bank)
    before = later.embedder.texts_encoded
    await later.grade(RELU, BURST[0])
    encoded = later.embedder.texts_encoded - before
    await waiting.aclose()
    await later.aclose()
    assert 0 < encoded < len(concept_texts(RELU))


async def test_an_answer_cancelled_mid_encode_leaves_the_prompts_texts_to_the_others(
    tmp_path: Path, mini_bank: Bank
) -> None:
    await _fresh_grader(tmp_path).prepare(mini_bank)
    grader = _fresh_grader(tmp_path)
    await grader.prepare(mini_bank)
    first = asyncio.ensure_future(grader.grade(RELU, BURST[0]))
    # Polled by the clock, not by a count of turns: on a loaded machine the answer's first
    # steps in a worker thread outlasted a thousand turns of the loop.
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 60
    while loop.time() < deadline:
        if grader.measurer._encoding:
            break
        await asyncio.sleep(0)
    assert grader.measurer._encoding, "the first answer never asked for its prompt's texts"
    second = asyncio.ensure_future(grader.grade(RELU, BURST[1]))
    await asyncio.sleep(0)
    first.cancel()
    grade = await second
    assert first.cancelled()
    assert grade.score > 0 and grade.covered
    assert not grader.measurer._encoding


async def test_an_edited_or_added_question_encodes_only_its_own_texts(
    tmp_path: Path, mini_bank: Bank
) -> None:
    await _fresh_grader(tmp_path).prepare(mini_bank)
    edited = RELU.model_copy(update={"text": Localized(ko="ReLU를 쓰는 이유는?", en="Why ReLU?")})
    added = OPEN.model_copy(
        update={"id": "t-new", "text": Localized(ko="새 질문인가요?", en="A new question?")}
    )
    other = _fresh_grader(tmp_path)
    assert await other.prepare(Bank([edited, OPEN, added])) is False
    assert other.embedder.texts_encoded == 1 + 4  # the probe; both wordings of each changed one

    again = _fresh_grader(tmp_path)
    assert await again.prepare(Bank([edited, OPEN, added])) is True
    assert await again.prepare(mini_bank) is True  # the older texts are still kept
    assert again.embedder.texts_encoded == 1  # the probe text


async def test_processes_starting_together_on_one_cache_dir_encode_the_bank_once(
    tmp_path: Path, mini_bank: Bank
) -> None:
    """Two graders that share nothing but the cache dir (as replicas started together do) prepare
    one bank on a slow served model at once: the one that waited for the other's file reads it
    and asks the model only for its probe. Without the turn, both send the bank to the server
    (each finds no file while the other is still encoding) and the last to write wins."""
    behaviour = Behaviour(dimension=16, delay_s=0.5)
    with misbehaving_server(behaviour) as url:
        graders = [
            EmbeddingGrader(
                RemoteEmbedder(url, model="our-team/served-16d", prefix="none"),
                cache_dir=tmp_path,
                calibration=Calibration.load(),
            )
            for _ in range(2)
        ]
        hits = await asyncio.gather(*(grader.prepare(mini_bank) for grader in graders))
    texts = [text for request in behaviour.inputs for text in request]
    assert sorted(hits) == [False, True]
    assert len(texts) == len(set(texts)) + 1  # the probe text, once a grader
    assert set(bank_texts(mini_bank)) <= set(texts)


async def test_an_unreadable_vector_file_is_encoded_again_and_rewritten(
    tmp_path: Path, mini_bank: Bank, caplog: pytest.LogCaptureFixture
) -> None:
    path = _fresh_grader(tmp_path).store.kept.path
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not an npz")
    grader = _fresh_grader(tmp_path)
    assert await grader.prepare(mini_bank) is False
    assert "vector file set aside, unreadable" in caplog.text and f"{path} moved to" in caplog.text
    assert await _fresh_grader(tmp_path).prepare(mini_bank) is True


def test_the_kept_file_keeps_the_current_bank_first_within_its_rows(tmp_path: Path) -> None:
    kept = KeptVectors(tmp_path / "v.npz", max_rows=3)
    writer = Writer("a test model", np.full(4, 0.5, dtype=np.float32))
    row = np.eye(4, dtype=np.float32)
    older = Held({digest(f"old {i}"): row[i % 4] for i in range(5)})
    kept.write(writer, Held({digest("now a"): row[0], digest("now b"): row[1]}), older)
    stored = kept.read(writer)
    assert list(stored.rows) == [digest("now a"), digest("now b"), digest("old 0")]


async def test_the_banks_word_rarity_is_counted_once_and_then_read_from_disk(
    tmp_path: Path, mini_bank: Bank
) -> None:
    """The counts (Kiwi over every bank text) are written on first use and read by the next
    grader: a stored file with other counts is what the next grader weighs with."""
    first = _fresh_grader(tmp_path)
    await first.prepare(mini_bank)
    counted = first.store.rarity()
    path = first.store.rarity_path(mini_bank)
    assert counted.prompts == len(mini_bank.all()) and counted.counts
    assert json.loads(path.read_text(encoding="utf-8"))["counts"] == counted.counts

    planted = {"planted": 1}
    path.write_text(json.dumps({"prompts": counted.prompts, "counts": planted}), encoding="utf-8")
    second = _fresh_grader(tmp_path)
    await second.prepare(mini_bank)
    assert second.store.rarity().counts == planted


async def test_an_unreadable_or_foreign_rarity_file_is_counted_again(
    tmp_path: Path, mini_bank: Bank
) -> None:
    grader = _fresh_grader(tmp_path)
    path = grader.store.rarity_path(mini_bank)
    path.parent.mkdir(parents=True)
    path.write_text("{not json", encoding="utf-8")
    await grader.prepare(mini_bank)
    counted = grader.store.rarity()
    assert counted.prompts == len(mini_bank.all()) and counted.counts

    # Counts of another number of prompts are not this bank's.
    path.write_text(json.dumps({"prompts": 999, "counts": {"planted": 1}}), encoding="utf-8")
    again = _fresh_grader(tmp_path)
    await again.prepare(mini_bank)
    assert again.store.rarity().counts == counted.counts


async def test_a_prompts_stacked_vectors_follow_what_the_store_gains_and_stay_bounded(
    tmp_path: Path, mini_bank: Bank, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A prompt's vectors are stacked once and kept for the next answers, but a text the store
    gains (its concept phrasings, encoded on its first answer) stacks them again; and only the
    `STACKED_PROMPTS` most recently stacked prompts are kept (a team that edits its notes makes
    new prompts)."""
    grader = _fresh_grader(tmp_path)
    await grader.prepare(mini_bank)
    store = grader.measurer.store
    before = store.vectors_for(RELU)
    assert store.vectors_for(RELU) is before
    await grader.grade(RELU, BURST[0])
    after = store.vectors_for(RELU)
    assert sum(m.shape[0] for m in after.concepts) > sum(m.shape[0] for m in before.concepts)
    monkeypatch.setattr(references, "STACKED_PROMPTS", 2)
    for prompt in list(mini_bank.all())[:3]:
        store.vectors_for(prompt)
    assert len(store._stacked) == 2
    await grader.aclose()
