# Slim, non-root image serving the API: docker build -t coalition-monitor . &&
# docker run -p 8000:8000 [-e DATABASE_URL=postgresql://user:pw@host/db] coalition-monitor
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# The package installs its own copy of the seed (pyproject.toml's data-files), so the image
# needs no SEED_DIR.
COPY pyproject.toml README.md ./
COPY app ./app
COPY migrations ./migrations
COPY seed ./seed
RUN pip install . && rm -rf build *.egg-info app migrations seed

RUN useradd --system --uid 10001 --no-create-home --home-dir /app coalition \
    && mkdir -p /app/data \
    && chown coalition /app/data
USER coalition

# Defaults for the container; DATABASE_URL in the environment (e.g. PostgreSQL) overrides SQLite.
ENV HOST=0.0.0.0 \
    PORT=8000 \
    MALLOC_ARENA_MAX=2 \
    DATABASE_URL=sqlite:////app/data/coalition-monitor.db
VOLUME ["/app/data"]
EXPOSE 8000

# Migrates, seeds an empty database, then runs the production server (granian, one worker per
# core; see README "Running in production").
CMD ["coalition-monitor", "serve", "--workers", "2"]
