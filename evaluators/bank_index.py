"""The prepared bank's model answers in one matrix, each beside the question it answers: what an
answer is compared with to find the model answer of another question it comes nearest (the
off-topic rule) and of a sibling of the same thread (the sibling rule)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from content.bank import Bank
from content.catalogue import LANGS
from content.schema import Prompt
from evaluators.embedding.vectors import Matrix

SAME_QUESTION = 0.95
"""Two questions whose wordings (in either language) are this close on the model's vectors ask
the same thing: `content check` refuses two such main questions in one bank, and the grader
never reads an answer to one as an answer to the other (`BankIndex.neighbours`)."""

Indices = npt.NDArray[np.intp]


@dataclass(frozen=True)
class Elsewhere:
    """The bank prompt of another question family whose model answer an answer is closest to,
    and that model answer (`text`)."""

    sim: float
    prompt: Prompt | None
    text: str = ""


NOWHERE = Elsewhere(sim=0.0, prompt=None)


@dataclass(frozen=True)
class Neighbours:
    """The model answers of the rest of the bank an answer comes nearest: any other prompt's
    (`elsewhere`, the off-topic rule) and a sibling's (`sibling`: the answer's main question or
    one of its follow-ups, the sibling rule)."""

    elsewhere: Elsewhere = NOWHERE
    sibling: Elsewhere = NOWHERE


def family_of(prompt: Prompt) -> str:
    """The id of the main question whose thread `prompt` is asked in: its own for a main
    question, its parent's for a follow-up."""
    return prompt.parent or prompt.id


@dataclass(frozen=True)
class BankIndex:
    """Every reference of a bank (`references`, one row each) with its prompt and text, and each
    reference's question in each language (`questions`)."""

    prompts: tuple[Prompt, ...] = ()
    texts: tuple[str, ...] = ()
    references: Matrix = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))
    questions: tuple[Matrix, ...] = ()
    around: dict[tuple[str, str | None, str, str], tuple[Indices, Indices]] = field(
        default_factory=dict, compare=False
    )
    """For each prompt answered, the references of the other prompts and of its siblings: the
    same for every answer to it, and two passes over the bank's thousand references to find."""

    @classmethod
    def of(cls, bank: Bank, vectors: Mapping[str, Matrix]) -> BankIndex:
        """The index of `bank`, whose texts are all in `vectors`."""
        pairs = [(p, r.text) for p in bank.all() for r in p.references]
        return cls(
            prompts=tuple(p for p, _ in pairs),
            texts=tuple(text for _, text in pairs),
            references=np.stack([vectors[text] for _, text in pairs]).astype(
                np.float32, copy=False
            ),
            questions=tuple(
                np.stack([vectors[p.text.get(lang)] for p, _ in pairs]).astype(
                    np.float32, copy=False
                )
                for lang in LANGS
            ),
        )

    def neighbours(
        self, prompt: Prompt, vector: Matrix, vectors: Mapping[str, Matrix]
    ) -> Neighbours:
        """The answer's best cosine with a reference of another prompt of the bank, and with a
        reference of a sibling (same thread: main question and follow-ups), each with that
        reference's prompt (0 and None for an empty index, or without a sibling). One product
        with the bank's references serves both. A follow-up's main question counts as another
        prompt: the answer to the main question, given where the follow-up asks something
        else, does not answer it. Their answers overlapping is no reason for the off-topic rule
        to cap, since it also asks the answer to hold more of the other prompt's substance than
        of its own; the sibling rule asks it to sit clearly nearer the sibling's model answer
        than its own. A prompt that asks what this one asks (`SAME_QUESTION`: a team's notes
        beside the subject banks, two follow-ups of two threads) is neither: an answer nearer
        its model answer answers both. `vectors` holds the prompt's question wordings."""
        if not self.prompts:
            return Neighbours()
        sims = self.references @ vector
        others, siblings = self._around(prompt, vectors)
        return Neighbours(elsewhere=self._best(sims, others), sibling=self._best(sims, siblings))

    def _around(self, prompt: Prompt, vectors: Mapping[str, Matrix]) -> tuple[Indices, Indices]:
        """The references of the prompts other than `prompt` and not asking what it asks, and
        those of its siblings among them; kept once its wordings are encoded (a wording not
        encoded yet compares as unlike, and may be encoded by the next answer)."""
        key = (prompt.id, prompt.parent, prompt.text.ko, prompt.text.en)
        held = self.around.get(key)
        if held is not None:
            return held
        mine = [vectors.get(prompt.text.get(lang)) for lang in LANGS]
        same = np.zeros(len(self.prompts), dtype=bool)
        for questions, wording in zip(self.questions, mine, strict=True):
            if wording is not None:
                same |= questions @ wording >= SAME_QUESTION
        family = family_of(prompt)
        others = [i for i, p in enumerate(self.prompts) if p.id != prompt.id and not same[i]]
        siblings = [i for i in others if family_of(self.prompts[i]) == family]
        found = (np.array(others, dtype=np.intp), np.array(siblings, dtype=np.intp))
        if all(wording is not None for wording in mine):
            self.around[key] = found
        return found

    def _best(self, sims: Matrix, indices: Indices) -> Elsewhere:
        if not indices.size:
            return NOWHERE
        best = int(indices[int(np.argmax(sims[indices]))])
        return Elsewhere(sim=float(sims[best]), prompt=self.prompts[best], text=self.texts[best])


NO_BANK = BankIndex()
"""The index before a bank is prepared: no answer has a neighbour."""
