"""POST /v1/embeddings and GET /v1/models: OpenAI-compatible sentence vectors from the service's
model, so a bot (or the official OpenAI client) can embed without loading a model
(QUIZMASTER_EMBEDDING_URL=http://compute:8700/v1)."""

from __future__ import annotations

import base64
import time
from typing import Annotated

import numpy as np
from fastapi import APIRouter, Depends, HTTPException, Request, status

from compute.api.deps import require_token
from compute.embeddings import Embeddings, input_problem, serves
from compute.metrics import EMBEDDING_REQUESTS, EMBEDDING_TEXTS
from compute.schemas import (
    Embedding,
    EmbeddingList,
    EmbeddingRequest,
    EmbeddingUsage,
    ErrorBody,
    ModelCard,
    ModelList,
)

router = APIRouter(prefix="/v1", tags=["embeddings"], dependencies=[Depends(require_token)])

_STARTED = int(time.time())
"""`created` of the model card: OpenAI's field is a Unix time; ours is when this process began."""


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
    try:
        reply = await _embedded(body, service)
    except HTTPException:
        EMBEDDING_REQUESTS.labels(outcome="refused").inc()
        raise
    EMBEDDING_REQUESTS.labels(outcome="served").inc()
    EMBEDDING_TEXTS.inc(len(reply.data))
    return reply


async def _embedded(body: EmbeddingRequest, service: Embeddings) -> EmbeddingList:
    texts = [body.input] if isinstance(body.input, str) else body.input
    problem = input_problem(texts)
    if problem is not None:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, problem)
    name = await _served(service, body.model)
    result = await service.embed([str(text) for text in texts])
    served = result.vectors.shape[1]
    if body.dimensions is not None and body.dimensions != served:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            f"dimensions {body.dimensions} is not served: this model gives {served}",
        )
    return EmbeddingList(
        data=[
            Embedding(index=index, embedding=_encoded(row, body.encoding_format))
            for index, row in enumerate(result.vectors)
        ],
        model=name,
        usage=EmbeddingUsage(prompt_tokens=result.tokens, total_tokens=result.tokens),
    )


@router.get("/models", responses={status.HTTP_401_UNAUTHORIZED: {"model": ErrorBody}})
async def list_models(service: EmbeddingsDep) -> ModelList:
    return ModelList(data=[ModelCard(id=await service.model_name(), created=_STARTED)])


@router.get(
    "/models/{model:path}",
    responses={
        status.HTTP_401_UNAUTHORIZED: {"model": ErrorBody},
        status.HTTP_404_NOT_FOUND: {"model": ErrorBody},
    },
)
async def retrieve_model(model: str, service: EmbeddingsDep) -> ModelCard:
    return ModelCard(id=await _served(service, model), created=_STARTED)


async def _served(service: Embeddings, asked: str | None) -> str:
    """The served model's name when a request naming `asked` gets it; a named 404 when not."""
    name = await service.model_name()
    if not serves(name, asked):
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            f"model {asked!r} is not served here; this server has {name!r} "
            "(set QUIZMASTER_COMPUTE_EMBEDDING_MODEL to change it)",
        )
    return name


def _encoded(row: np.ndarray, encoding: str) -> list[float] | str:
    """A row as floats, or as base64 of its little-endian float32 bytes (OpenAI's packing)."""
    if encoding == "base64":
        return base64.b64encode(row.astype("<f4").tobytes()).decode("ascii")
    values: list[float] = row.tolist()
    return values
