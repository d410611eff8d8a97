"""Settings, read from the environment only when asked for (never at import time)."""

import os
import sysconfig
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///./data/coalition-monitor.db"
# Where pyproject.toml's data-files install the seed, under the environment's data directory.
INSTALLED_SEED_PATH = Path("share", "coalition-monitor", "seed")
SEED_MARKER = "goals.json"


@dataclass(frozen=True)
class TextLimits:
    """The longest free text a write accepts, in characters (see the settings of the same name).
    `text`: prose (a status text, its evidence, a footnote); `short_text`: a label or a
    reference (a source, a printed value)."""

    text: int = 20_000
    short_text: int = 1_000


class Settings(BaseSettings):
    """Runtime configuration; every field can be set with the upper-case environment variable."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore")

    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        description="SQLAlchemy URL; postgresql:// URLs use psycopg 3.",
    )
    seed_dir: Path = Field(
        default_factory=lambda: default_seed_dir(),
        description="Directory with the seed files; by default the repository's `seed/` or, "
        "when installed with pip, the copy installed with the package.",
    )
    host: str = Field(default="127.0.0.1", description="Where `serve` listens.")
    port: int = Field(default=8000, ge=1, le=65535, description="Where `serve` listens.")
    public_base_url: str | None = Field(
        default=None,
        description="The service's public address (`https://data.example.org`); every link "
        "the API serves starts with it, whatever Host a request names. Default: "
        "http://HOST:PORT.",
    )
    forwarded_allow_ips: str = Field(
        default="127.0.0.1",
        description="Comma-separated addresses or networks of trusted reverse proxies; "
        "`X-Forwarded-For` and `X-Forwarded-Proto` are honoured only from these (`*`: any).",
    )
    log_level: str = Field(default="info", description="Level of the JSON log lines.")
    sqlite_busy_timeout_ms: int = Field(
        default=5000, ge=0, description="How long a SQLite writer waits for the write lock."
    )
    sqlite_cache_kib: int = Field(
        default=512, ge=64, description="Page cache of each SQLite connection, in KiB."
    )
    max_request_body_bytes: int = Field(
        default=1024 * 1024, ge=1, description="Larger request bodies are refused with 413."
    )
    request_body_timeout_seconds: float = Field(
        default=10,
        gt=0,
        description="A write's whole body must arrive within this time, else 408; no database "
        "work starts before it has arrived.",
    )
    max_text_length: int = Field(
        default=TextLimits.text,
        ge=1,
        description="Longest prose field a write accepts, in characters (status `text` and "
        "`progressEvidence`, measurement `footnote`, an import file's `note`); longer is 400.",
    )
    max_short_text_length: int = Field(
        default=TextLimits.short_text,
        ge=1,
        description="Longest short text field a write accepts, in characters (`source`, "
        "`valueText`, an import file's `title`); longer is 400.",
    )
    write_cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Browser origins allowed to write (comma-separated); reads allow any origin.",
    )
    # Speed and robustness.
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
        description="Writes per API key, in the `limits` notation (`120/minute`, `10/second`): "
        "a fixed window from the key's first write. Counted in the database, so all workers "
        "and instances share one budget.",
    )
    auth_failure_limit: str = Field(
        default="20/minute",
        description="Failed authentications (unknown or revoked keys) per client address, in "
        "the `limits` notation, counted in the database like `WRITE_RATE_LIMIT`; beyond it "
        "the address gets 429 until the window passes.",
    )
    max_query_string_bytes: int = Field(
        default=8192,
        ge=1,
        description="Longer query strings are refused with 414 (every query string the "
        "OpenAPI document allows is shorter than the default).",
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
    search_ranked_statuses: int = Field(
        default=500,
        ge=1,
        description="A search ranks every matching goal, indicator and metric and this many of "
        "the matching statuses, the most recently added ones; older matching statuses are not "
        "in its results.",
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

    @field_validator("public_base_url")
    @classmethod
    def _check_public_base_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("PUBLIC_BASE_URL must be an absolute http(s) URL")
        if parts.query or parts.fragment:
            raise ValueError("PUBLIC_BASE_URL takes no query or fragment")
        return value.strip().rstrip("/")

    @field_validator("write_rate_limit", "auth_failure_limit")
    @classmethod
    def _check_rate_limit(cls, value: str) -> str:
        from limits import parse

        parse(value)  # a notation `limits` cannot read fails at startup, not at the first write
        return value

    @property
    def base_url(self) -> str:
        """Where links point: PUBLIC_BASE_URL, else this server's own HOST and PORT."""
        if self.public_base_url:
            return self.public_base_url
        host = "localhost" if self.host in ("0.0.0.0", "::", "") else self.host
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    @property
    def text_limits(self) -> TextLimits:
        return TextLimits(text=self.max_text_length, short_text=self.max_short_text_length)

    @property
    def sqlalchemy_url(self) -> str:
        return normalise_database_url(self.database_url)


def default_seed_dir() -> Path:
    """The seed beside the code in a checkout (or an editable install), else the copy that
    `pip install .` put under the environment's data directory (pyproject's data-files), so
    the service starts from any working directory."""
    checkout = Path(__file__).resolve().parents[2] / "seed"
    if (checkout / SEED_MARKER).exists():
        return checkout
    for scheme in (sysconfig.get_default_scheme(), f"{os.name}_user"):
        installed = Path(sysconfig.get_path("data", scheme)) / INSTALLED_SEED_PATH
        if (installed / SEED_MARKER).exists():
            return installed
    return checkout


def normalise_database_url(url: str) -> str:
    """Route plain PostgreSQL URLs (as Heroku-style platforms hand them out) to psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


@lru_cache
def get_settings() -> Settings:
    return Settings()
