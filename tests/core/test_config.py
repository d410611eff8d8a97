"""Settings come from the environment, read when asked for (app/core/config.py)."""

from app.core.config import DEFAULT_DATABASE_URL, Settings, normalise_database_url


def test_defaults_serve_sqlite_under_data(monkeypatch):
    for name in ("DATABASE_URL", "HOST", "PORT", "LOG_LEVEL", "SEED_DIR"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.database_url.startswith("sqlite:///./data/")
    assert (settings.host, settings.port, settings.log_level) == ("127.0.0.1", 8000, "info")


def test_environment_overrides(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@db/coalition")
    monkeypatch.setenv("PORT", "9000")
    settings = Settings()
    assert settings.port == 9000
    assert settings.sqlalchemy_url == "postgresql+psycopg://u:p@db/coalition"


def test_postgres_urls_use_psycopg_3():
    assert normalise_database_url("postgres://x/y") == "postgresql+psycopg://x/y"
    assert normalise_database_url("postgresql+psycopg://x/y") == "postgresql+psycopg://x/y"
    assert normalise_database_url("sqlite:///a.db") == "sqlite:///a.db"


def test_building_the_app_reads_no_settings(monkeypatch):
    from app.core.config import get_settings
    from app.main import create_app

    get_settings.cache_clear()
    monkeypatch.setenv("PORT", "not-a-port")
    # An invalid environment only matters once the app starts, not when it is imported or built.
    create_app()
    assert get_settings.cache_info().currsize == 0
    get_settings.cache_clear()
