# Slim, non-root image serving the API: docker build -t coalition-monitor . &&
# docker run -p 8000:8000 [-e DATABASE_URL=postgresql://user:pw@host/db] coalition-monitor
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies and code first; the seed data last, so data edits do not reinstall packages.
COPY pyproject.toml README.md ./
COPY app ./app
COPY migrations ./migrations
RUN pip install . && rm -rf build *.egg-info

COPY seed/perspectives.json seed/goals.json seed/indicators.json seed/measurements.csv ./seed/

RUN useradd --system --uid 10001 --no-create-home --home-dir /app coalition \
    && mkdir -p /app/data \
    && chown coalition /app/data
USER coalition

# Defaults for the container; DATABASE_URL in the environment (e.g. PostgreSQL) overrides SQLite.
ENV HOST=0.0.0.0 \
    PORT=8000 \
    MALLOC_ARENA_MAX=2 \
    SEED_DIR=/app/seed \
    DATABASE_URL=sqlite:////app/data/coalition-monitor.db
VOLUME ["/app/data"]
EXPOSE 8000

# Migrates, seeds an empty database, then runs the production server (granian, one worker per
# core; see README "Running in production").
CMD ["coalition-monitor", "serve", "--workers", "2"]
