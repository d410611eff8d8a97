"""Settings, read from the environment only when asked for (never at import time)."""

from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///./data/coalition-monitor.db"


class Settings(BaseSettings):
    """Runtime configuration; every field can be set with the upper-case environment variable."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore")

    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        description="SQLAlchemy URL; postgresql:// URLs use psycopg 3.",
    )
    seed_dir: Path = Field(default=Path("seed"), description="Directory with the seed files.")
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    log_level: str = "info"
    sqlite_busy_timeout_ms: int = Field(default=5000, ge=0)
    sqlite_cache_kib: int = Field(
        default=512, ge=64, description="Page cache of each SQLite connection, in KiB."
    )
    max_request_body_bytes: int = Field(
        default=1024 * 1024, ge=1, description="Larger request bodies are refused with 413."
    )
    write_cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Browser origins allowed to write (comma-separated); reads allow any origin.",
    )
    # Speed and robustness (issue 6).
    response_cache_enabled: bool = Field(
        default=True, description="Serve repeated reads from the in-process response cache."
    )
    response_cache_max_bytes: int = Field(
        default=64 * 1024 * 1024, ge=0, description="Total size of cached response bodies."
    )
    response_cache_max_entry_bytes: int = Field(
        default=4 * 1024 * 1024, ge=0, description="Larger responses are not cached."
    )
    worker_threads: int = Field(
        default=40,
        ge=1,
        description="Threads per worker process for database work (reads that miss the cache, "
        "writes). Keep it well above the connection pool (15): a sync route's response is "
        "validated in a second thread while its session still holds a connection, so with "
        "fewer threads than waiting requests the pool and the threads can wait on each other "
        "until the pool's 30 s timeout.",
    )
    request_log: bool = Field(
        default=True, description="One structured JSON log line per request (the access log)."
    )
    write_rate_limit: str = Field(
        default="120/minute",
        description="Writes per API key, in the `limits` notation (`120/minute`, `10/second`); "
        "each worker process counts on its own.",
    )
    max_query_string_bytes: int = Field(
        default=2048, ge=1, description="Longer query strings are refused with 414."
    )
    max_search_query_length: int = Field(
        default=200, ge=1, description="Longer `q` search terms are refused with 400."
    )
    search_max_words: int = Field(
        default=16, ge=1, description="A search `q` with more different words is refused with 400."
    )
    search_min_prefix_length: int = Field(
        default=3,
        ge=1,
        description="Search words this long or longer also match as the start of a longer word; "
        "shorter words match only themselves.",
    )
    search_timeout_ms: int = Field(
        default=500,
        ge=1,
        description="Time budget of one search statement; a search that exceeds it is stopped "
        "and answered with 503.",
    )
    database_retry_after_seconds: int = Field(
        default=5, ge=1, description="`Retry-After` on the 503 answered while the database is down."
    )

    @field_validator("write_cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("write_rate_limit")
    @classmethod
    def _check_rate_limit(cls, value: str) -> str:
        from limits import parse

        parse(value)  # a notation `limits` cannot read fails at startup, not at the first write
        return value

    @property
    def sqlalchemy_url(self) -> str:
        return normalise_database_url(self.database_url)


def normalise_database_url(url: str) -> str:
    """Route plain PostgreSQL URLs (as Heroku-style platforms hand them out) to psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


@lru_cache
def get_settings() -> Settings:
    return Settings()
