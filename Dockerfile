# Entrepôt fraud detection service: `entrepot serve` (web) or `entrepot worker` (jobs).
# Build: docker build -t entrepot .      Run everything: docker compose up (see README).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# LightGBM and XGBoost need the OpenMP runtime.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgomp1 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/entrepot
COPY pyproject.toml requirements.lock README.md ./
COPY src ./src
COPY scripts/city-hourly.sh ./scripts/
# Every extra the product uses (all of pyproject's but dev, and torch which is kept out of
# the lock), at the versions of the lock file; tests/e2e/test_image.py builds the same set
# in a fresh virtual environment and runs the compose services' commands with it.
ARG EXTRAS=postgres,ml,city,web,oidc,mongodb,mlflow,remote,dask
RUN pip install uv \
    && uv pip install --system --constraint requirements.lock ".[${EXTRAS}]" \
    && pip uninstall -y uv

# Never run as root; /data holds the cache and temporary files (ephemeral is fine: the
# store and the catalog are elsewhere).
RUN useradd --create-home --uid 10001 entrepot && mkdir -p /data && chown entrepot /data
USER entrepot
WORKDIR /data
ENV ENTREPOT_ENV=production \
    ENTREPOT_CACHE_DIR=/data/cache \
    ENTREPOT_VAR_DIR=/data/var

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health/live', timeout=4)"
CMD ["entrepot", "serve", "--host", "0.0.0.0", "--port", "8000", "--no-migrate", "--no-worker"]
