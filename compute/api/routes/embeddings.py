"""POST /v1/embeddings: OpenAI-compatible sentence vectors from the service's model, so a bot can
grade without loading a model (QUIZMASTER_EMBEDDING_URL=http://compute:8700/v1)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, status

from compute.api.deps import require_token
from compute.embeddings import Embeddings, input_problem, serves
from compute.schemas import Embedding, EmbeddingList, EmbeddingRequest, EmbeddingUsage, ErrorBody

router = APIRouter(prefix="/v1", tags=["embeddings"], dependencies=[Depends(require_token)])


def get_embeddings(request: Request) -> Embeddings:
    service: Embeddings = request.app.state.embeddings
    return service


EmbeddingsDep = Annotated[Embeddings, Depends(get_embeddings)]


@router.post(
    "/embeddings",
    responses={
        status.HTTP_401_UNAUTHORIZED: {"model": ErrorBody},
        status.HTTP_404_NOT_FOUND: {"model": ErrorBody},
        status.HTTP_422_UNPROCESSABLE_CONTENT: {"model": ErrorBody},
    },
)
async def create_embeddings(body: EmbeddingRequest, service: EmbeddingsDep) -> EmbeddingList:
    texts = [body.input] if isinstance(body.input, str) else body.input
    problem = input_problem(texts)
    if problem is not None:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, problem)
    name = await service.model_name()
    if not serves(name, body.model):
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            f"model {body.model!r} is not served here; this server has {name!r} "
            "(set QUIZMASTER_COMPUTE_EMBEDDING_MODEL to change it)",
        )
    result = await service.embed([str(text) for text in texts])
    served = result.vectors.shape[1]
    if body.dimensions is not None and body.dimensions != served:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            f"dimensions {body.dimensions} is not served: this model gives {served}",
        )
    return EmbeddingList(
        data=[
            Embedding(index=index, embedding=row.tolist())
            for index, row in enumerate(result.vectors)
        ],
        model=name,
        usage=EmbeddingUsage(prompt_tokens=result.tokens, total_tokens=result.tokens),
    )
