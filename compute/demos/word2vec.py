"""Skip-gram word2vec with negative sampling on a generated Korean corpus.

Answers "is 남자 nearer 여자 or 자동차?" (q05.3) with measured cosine similarities, and makes the
two weight matrices of the usual diagram concrete (q05.1, q05.2): the left (input) matrix holds a
vector per word as a centre word, which is what is used as the embedding; the right (output)
matrix holds a vector per word as a context, and a dot product of the two scores how likely one
word is to appear near the other. The corpus is templated, so nothing is downloaded and words
that share contexts (people vs vehicles) must end up close.
"""

from __future__ import annotations

import numpy as np
import torch
from pydantic import Field
from torch import Tensor, nn

from compute.catalog import Demo, DemoParams, DemoResult, ProgressFn
from compute.demos._figures import new_figure, to_png
from compute.demos._plot import style_panels

_MALE = ("남자", "왕", "소년", "아버지")
_FEMALE = ("여자", "여왕", "소녀", "어머니")
_VEHICLES = ("자동차", "버스", "기차", "자전거", "트럭")
_ROYAL = ("왕", "여왕")
_YOUNG = ("소년", "소녀")
_PARENT = ("아버지", "어머니")

_PERSON_TEMPLATES = (
    "{w} 는 사람 이다",
    "{w} 가 밥 을 먹는다",
    "{w} 가 웃으며 말한다",
    "{w} 가 책 을 읽는다",
    "{w} 는 친구 를 만난다",
    "{w} 가 잠 을 잔다",
    "{w} 는 {pron} 의 이름 을 말한다",
    "{pron} 는 {w} 이다",
)
_GROUP_TEMPLATES = {
    _ROYAL: ("{w} 가 왕국 을 다스린다", "{w} 는 왕관 을 쓴다", "{w} 가 궁전 에 산다"),
    _YOUNG: ("{w} 가 학교 에 간다", "{w} 가 운동장 에서 논다"),
    _PARENT: ("{w} 가 아이 를 돌본다", "{w} 는 가족 을 위해 일한다"),
}
_VEHICLE_TEMPLATES = (
    "{w} 가 도로 를 달린다",
    "{w} 는 바퀴 가 있다",
    "{w} 를 주차장 에 세운다",
    "{w} 가 승객 을 태운다",
    "{w} 를 타고 출근 한다",
    "{w} 가 빠르게 움직인다",
    "{w} 를 정비소 에서 고친다",
)
_SHOWN = _MALE + _FEMALE + _VEHICLES
_PARTICLES = frozenset({"는", "가", "을", "를", "의", "에", "에서", "이다"})


class Word2VecParams(DemoParams):
    """Corpus size and skip-gram settings."""

    sentences: int = Field(default=3000, ge=200, le=20000, description="generated sentences")
    dim: int = Field(default=16, ge=2, le=128, description="embedding dimension")
    window: int = Field(default=2, ge=1, le=5, description="context words on each side")
    negatives: int = Field(default=5, ge=1, le=20, description="negative samples per pair")
    epochs: int = Field(
        default=5, ge=1, le=50, description="passes over all (centre, context) pairs"
    )
    batch_size: int = Field(default=512, ge=16, le=8192, description="pairs per update")
    learning_rate: float = Field(default=0.01, gt=0.0, le=1.0, description="Adam learning rate")


def corpus(n: int, rng: np.random.Generator) -> list[list[str]]:
    """Templated sentences, tokenised with particles split off (so they are shared contexts)."""
    sentences = []
    for _ in range(n):
        if rng.random() < 0.6:
            word = str(rng.choice(_MALE + _FEMALE))
            pron = "그" if word in _MALE else "그녀"
            templates = list(_PERSON_TEMPLATES)
            for group, extra in _GROUP_TEMPLATES.items():
                if word in group:
                    templates += extra
            template = str(rng.choice(templates))
            sentences.append(template.format(w=word, pron=pron).split())
        else:
            word = str(rng.choice(_VEHICLES))
            sentences.append(str(rng.choice(_VEHICLE_TEMPLATES)).format(w=word).split())
    return sentences


def _pairs(sentences: list[list[str]], index: dict[str, int], window: int) -> Tensor:
    pairs = [
        (index[s[i]], index[s[j]])
        for s in sentences
        for i in range(len(s))
        for j in range(max(0, i - window), min(len(s), i + window + 1))
        if j != i
    ]
    return torch.tensor(pairs, dtype=torch.long)


def _cosine(a: Tensor, b: Tensor) -> float:
    return float(nn.functional.cosine_similarity(a, b, dim=0))


def _pca(matrix: Tensor) -> Tensor:
    centred = matrix - matrix.mean(dim=0)
    _, _, v = torch.linalg.svd(centred, full_matrices=False)
    projected: Tensor = centred @ v[:2].T
    return projected


def run(params: DemoParams, progress: ProgressFn) -> DemoResult:
    """Train skip-gram with negative sampling, then compare similarities and the two matrices."""
    p = Word2VecParams.model_validate(params.model_dump())
    sentences = corpus(p.sentences, np.random.default_rng(p.seed))
    vocab = list(dict.fromkeys(token for s in sentences for token in s))
    index = {word: i for i, word in enumerate(vocab)}
    pairs = _pairs(sentences, index, p.window)
    counts = torch.bincount(pairs[:, 0], minlength=len(vocab)).float()
    noise_dist = counts**0.75 / (counts**0.75).sum()

    torch.manual_seed(p.seed)
    w_in = nn.Embedding(len(vocab), p.dim)  # left matrix: centre-word vectors
    w_out = nn.Embedding(len(vocab), p.dim)  # right matrix: context-word vectors
    nn.init.uniform_(w_in.weight, -0.5 / p.dim, 0.5 / p.dim)
    nn.init.zeros_(w_out.weight)
    optimizer = torch.optim.Adam([w_in.weight, w_out.weight], lr=p.learning_rate)
    sampler = torch.Generator().manual_seed(p.seed)
    logsig = nn.functional.logsigmoid
    losses: list[float] = []
    for epoch in range(p.epochs):
        total = 0.0
        for batch in torch.split(torch.randperm(len(pairs), generator=sampler), p.batch_size):
            centre, context = pairs[batch, 0], pairs[batch, 1]
            negative = torch.multinomial(
                noise_dist, len(batch) * p.negatives, replacement=True, generator=sampler
            ).view(len(batch), p.negatives)
            v: Tensor = w_in(centre)
            positive_score = (v * w_out(context)).sum(dim=1)
            negative_score = torch.bmm(w_out(negative), v.unsqueeze(2)).squeeze(2)
            loss = -(logsig(positive_score) + logsig(-negative_score).sum(dim=1)).mean()
            optimizer.zero_grad()
            torch.autograd.backward(loss)
            optimizer.step()
            total += loss.item() * len(batch)
        losses.append(total / len(pairs))
        progress(0.75 * (epoch + 1) / p.epochs, f"epoch {epoch + 1}: loss {losses[-1]:.3f}")

    progress(0.8, "plotting")
    emb_in, emb_out = w_in.weight.detach(), w_out.weight.detach()
    man = emb_in[index["남자"]]
    cos_in = {w: _cosine(man, emb_in[index[w]]) for w in _SHOWN if w != "남자"}
    cos_woman, cos_car = cos_in["여자"], cos_in["자동차"]
    cos_out_woman = _cosine(emb_out[index["남자"]], emb_out[index["여자"]])
    cos_out_car = _cosine(emb_out[index["남자"]], emb_out[index["자동차"]])
    # What the right matrix is for: scores of every word as a context of 남자.
    context_scores = torch.sigmoid(emb_out @ man)
    ranked = [vocab[int(i)] for i in context_scores.argsort(descending=True)]
    top_contexts = [w for w in ranked if w not in _PARTICLES][:5]
    analogy = emb_in[index["왕"]] - emb_in[index["남자"]] + emb_in[index["여자"]]
    candidates = [w for w in vocab if w not in {"왕", "남자", "여자"}]
    analogy_word = max(candidates, key=lambda w: _cosine(analogy, emb_in[index[w]]))

    groups = {"tab:blue": _MALE, "tab:red": _FEMALE, "tab:green": _VEHICLES}
    fig = new_figure(2, width=5.8, height=5.0)
    for ax, (matrix, title) in zip(
        fig.axes,
        (
            (emb_in, "입력(왼쪽) 가중치 = 임베딩 / input (left) matrix"),
            (emb_out, "출력(오른쪽) 가중치 = 문맥 벡터 / output (right) matrix"),
        ),
        strict=True,
    ):
        shown_rows = torch.tensor([index[w] for w in _SHOWN])
        projected = dict(zip(_SHOWN, _pca(matrix[shown_rows]).tolist(), strict=True))
        for color, words in groups.items():
            for w in words:
                x, y = projected[w]
                ax.scatter([x], [y], color=color, s=25)
                ax.annotate(w, (x, y), xytext=(3, 3), textcoords="offset points", color=color)
        ax.set_title(title, fontsize=10)
    style_panels(*fig.axes, xlabel="PC1", ylabel="PC2", legend=False)
    fig.suptitle("사람·탈것 단어 벡터의 PCA / PCA of the person and vehicle word vectors")
    pca_png = to_png(fig)

    fig = new_figure(2, width=5.5, height=4.2)
    ax_cos, ax_loss = fig.axes
    others = list(cos_in)
    colors = [next(c for c, ws in groups.items() if w in ws) for w in others]
    ax_cos.barh(others, [cos_in[w] for w in others], color=colors)
    ax_cos.invert_yaxis()
    ax_cos.axvline(0, color="black", linewidth=0.8)
    ax_cos.set_xlabel("코사인 유사도 / cosine similarity")
    ax_cos.set_title("'남자'와의 코사인 유사도 / similarity to '남자'")
    ax_loss.plot(np.arange(1, p.epochs + 1), losses, "o-")
    ax_loss.set_xlabel("에폭 / epoch")
    ax_loss.set_ylabel("네거티브 샘플링 손실 / SGNS loss")
    ax_loss.set_title("학습 손실 / training loss")
    style_panels(ax_loss, legend=False)
    cos_png = to_png(fig)

    progress(1.0, "done")
    nearer_ko = "여자" if cos_woman > cos_car else "자동차"
    nearer_en = "여자 (woman)" if cos_woman > cos_car else "자동차 (car)"
    return DemoResult(
        images=[pca_png, cos_png],
        metrics={
            "cos_man_woman": cos_woman,
            "cos_man_car": cos_car,
            "cos_man_woman_output": cos_out_woman,
            "cos_man_car_output": cos_out_car,
            "vocab_size": len(vocab),
            "training_pairs": len(pairs),
            "final_loss": losses[-1],
            "top_contexts_man": top_contexts,
            "analogy_king_minus_man_plus_woman": analogy_word,
        },
        summary_ko=(
            f"생성한 문장 {p.sentences}개로 학습한 skip-gram에서 cos(남자, 여자) = "
            f"{cos_woman:.2f}, cos(남자, 자동차) = {cos_car:.2f}로 남자는 {nearer_ko}에 더 "
            "가깝습니다(비슷한 문맥에 나오기 때문). 왼쪽(입력) 행렬의 행은 중심 단어 벡터라 "
            "임베딩으로 쓰고, 오른쪽(출력) 행렬의 행은 문맥 단어 벡터로, 둘의 내적이 '함께 "
            "나올 점수'입니다. 예: 남자의 문맥 점수 상위(조사 제외)는 "
            f"{', '.join(top_contexts)}입니다."
        ),
        summary_en=(
            f"Skip-gram trained on {p.sentences} generated sentences gives cos(남자, 여자) = "
            f"{cos_woman:.2f} and cos(남자, 자동차) = {cos_car:.2f}: 'man' is nearer {nearer_en}, "
            "because they occur in similar contexts. Rows of the left (input) matrix are "
            "centre-word vectors, used as the embeddings; rows of the right (output) matrix are "
            "context-word vectors, and their dot product scores co-occurrence: the top contexts "
            f"scored for 남자 (particles left out) are {', '.join(top_contexts)}."
        ),
    )


DEMO = Demo(
    name="word2vec",
    title_ko="Word2Vec: 남자는 여자와 자동차 중 어디에 가까울까?",
    title_en="Word2Vec: is 'man' nearer 'woman' or 'car'?",
    description_ko=(
        "템플릿으로 만든 한국어 문장으로 skip-gram(네거티브 샘플링)을 학습해, 입력/출력 가중치를 "
        "PCA로 그리고 남자-여자, 남자-자동차의 코사인 유사도를 비교합니다."
    ),
    description_en=(
        "Skip-gram with negative sampling on generated Korean sentences: PCA of the input and "
        "output matrices, and cosine similarity of man-woman vs man-car."
    ),
    params=Word2VecParams,
    run=run,
    expected_seconds=4.0,
    prompt_ids=("q05", "q05.1", "q05.2", "q05.3"),
)
