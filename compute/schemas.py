"""The HTTP API's bodies, shared by the service (responses) and the client (parsing).

A text in both UI languages is the question bank's `Localized` (non-empty in each language):
the bank's schema is the one definition, and the compute image ships `content` beside it."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from compute.catalog import MetricValue
from content.schema import Localized

JobState = Literal["queued", "running", "done", "failed", "cancelled"]
ParamValue = str | int | float | bool
"""What a chat command can carry: the service coerces strings like "0.1" against the schema."""


class DemoInfo(BaseModel):
    """One catalog entry; `params` is the JSON Schema of its parameters (bounds, defaults)."""

    name: str
    title: Localized
    description: Localized
    prompt_ids: list[str]
    params: dict[str, JsonValue]
    expected_seconds: float


MAX_PARAMS = 32
"""More parameters than any demo has; a request with more is refused before it is checked."""


class JobRequest(BaseModel):
    """Body of POST /jobs."""

    model_config = ConfigDict(extra="forbid")

    demo: str = Field(min_length=1, max_length=100)
    params: dict[str, ParamValue] = Field(default_factory=dict, max_length=MAX_PARAMS)


class JobTicket(BaseModel):
    """Answer to POST /jobs: where the job stands right after submission."""

    id: str
    status: JobState
    queue_position: int = Field(description="1 = next to run; 0 = running or finished")
    cached: bool = False


class JobStatus(BaseModel):
    """Everything a poller needs: state, progress, and once done the summary, metrics, images."""

    model_config = ConfigDict(ser_json_inf_nan="strings")

    id: str
    demo: str
    params: dict[str, ParamValue]
    status: JobState
    queue_position: int
    progress: float = Field(ge=0.0, le=1.0)
    message: str
    summary: Localized | None = None
    metrics: dict[str, MetricValue] = Field(default_factory=dict)
    images: list[str] = Field(default_factory=list, description="relative URLs of PNGs")
    error: str | None = None
    cached: bool = False
    elapsed_s: float | None = None


class Health(BaseModel):
    """Liveness and load, open to all (no token) so probes and the bot can check it."""

    status: Literal["ok"] = "ok"
    version: str
    device: str
    workers: int
    running: int
    queue_depth: int
    queue_capacity: int
    warming_up: bool = False
    """True while the service loads its embedding model after a start: the load imports torch
    in this process, and every answer is slower until it ends."""


class FieldError(BaseModel):
    """One bad parameter: its name, what is wrong, and what it accepts (schema bounds)."""

    field: str
    message: str
    allowed: dict[str, JsonValue] | None = None
    problem: str | None = None
    """What is wrong as a code, for a client that words it in its reader's language: `unknown`,
    `integer`, `number`, `boolean`, `text`, `at_most`, `below`, `at_least`, `above` or
    `one_of`; None for any other problem (`message` says it, in English)."""
    limit: JsonValue = None
    """What `problem` is measured against: the bound of a comparison, the choices of `one_of`,
    the known parameters of `unknown`."""


SHOWN_ERRORS = 5
"""An error answer lists at most this many problems and counts the rest, so its size does not grow
with the input (100k unknown parameters once made a 24 MB answer)."""
SHOWN_FIELD_CHARS = 80
"""A field name is cut to this many characters in an error answer (names come from the caller)."""


class OpenAIError(BaseModel):
    """The `error` object OpenAI clients read their exception message from."""

    message: str
    type: Literal["invalid_request_error", "authentication_error", "not_found_error"]


class ErrorBody(BaseModel):
    """Every error answer: `detail` always; `errors`, `known` or `retry_after` when they apply.
    `more_errors` counts the problems left out of `errors`. Under /v1 `error` repeats the problem
    in OpenAI's shape, so the official client's exception names it."""

    detail: str
    errors: list[FieldError] = Field(default_factory=list)
    more_errors: int = 0
    known: list[str] = Field(default_factory=list)
    retry_after: int | None = None
    error: OpenAIError | None = None

    @classmethod
    def listing(cls, detail: str, errors: list[FieldError]) -> ErrorBody:
        """`detail` with the first SHOWN_ERRORS of `errors` and a count of the others."""
        return cls(
            detail=detail,
            errors=[
                e.model_copy(update={"field": e.field[:SHOWN_FIELD_CHARS]})
                for e in errors[:SHOWN_ERRORS]
            ],
            more_errors=max(0, len(errors) - SHOWN_ERRORS),
        )


class EmbeddingRequest(BaseModel):
    """Body of POST /v1/embeddings, as OpenAI clients send it. `input` items are checked by the
    route, so a bad request gets one short message, not one error per text. Strict types: `true`
    is not a number of dimensions. `dimensions` is the model's own or refused (vectors are
    never cut). `encoding_format` "base64" (the official client's default) packs each row as
    little-endian float32 bytes, as OpenAI does."""

    model_config = ConfigDict(strict=True)

    model: str | None = Field(None, max_length=300)
    input: str | list[JsonValue]
    encoding_format: Literal["float", "base64"] = "float"
    dimensions: int | None = Field(None, gt=0)
    user: str | None = Field(None, max_length=300)


class Embedding(BaseModel):
    """One row: a list of floats, or with `encoding_format` "base64" their float32 bytes."""

    object: Literal["embedding"] = "embedding"
    index: int
    embedding: list[float] | str


class EmbeddingUsage(BaseModel):
    prompt_tokens: int
    total_tokens: int


class EmbeddingList(BaseModel):
    """Reply of POST /v1/embeddings: one unit-length row per input, in input order."""

    object: Literal["list"] = "list"
    data: list[Embedding]
    model: str
    usage: EmbeddingUsage


class ModelCard(BaseModel):
    """One entry of GET /v1/models, in OpenAI's shape (`created`: when this service started)."""

    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str = "quizmaster"


class ModelList(BaseModel):
    """Reply of GET /v1/models: the one model this service embeds with."""

    object: Literal["list"] = "list"
    data: list[ModelCard]
