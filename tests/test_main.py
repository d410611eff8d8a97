"""What the app sets up for each worker process at start-up (app/main.py)."""

import gc

import anyio.to_thread
from fastapi.testclient import TestClient

from app.main import create_app


def test_start_up_caps_the_thread_pool_and_freezes_what_it_built(settings):
    application = create_app(settings.model_copy(update={"worker_threads": 3}))
    seen = {}

    @application.get("/v1/start-up-probe")
    async def probe() -> dict:
        seen["tokens"] = anyio.to_thread.current_default_thread_limiter().total_tokens
        seen["frozen"] = gc.get_freeze_count()
        return {}

    with TestClient(application) as client:
        assert client.get("/v1/start-up-probe").status_code == 200
    assert seen["tokens"] == 3
    assert seen["frozen"] > 10_000  # the imported modules, the app, its routes
