"""The contract: schemathesis with every check (`--checks all`) over every operation of the
OpenAPI document, reads and keyed writes, in every phase (examples, coverage, fuzzing and the
stateful phase that chains operations by their links), against a real server on the test
database: zero failures. No 5xx, no response outside its documented status, content type,
headers and schema, no schema-valid request refused and no schema-violating request accepted,
`Allow` as documented. tests/contract/ holds its configuration and hooks.

The example budget is kept small so that the suite stays within minutes; raise FUZZ_EXAMPLES
locally for a longer hunt.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from app.main import create_app
from tests.servers import running_server

REPOSITORY = Path(__file__).resolve().parents[1]
EXAMPLES = os.environ.get("FUZZ_EXAMPLES", "20")


def _schemathesis() -> str:
    beside_python = Path(sys.executable).parent / "schemathesis"
    return str(beside_python) if beside_python.exists() else shutil.which("schemathesis") or ""


def test_every_operation_keeps_the_contract(writable_settings, api_key, tmp_path):
    # Fuzzing writes far faster than any tool: lift the rate limit for this server only.
    unlimited = writable_settings.model_copy(update={"write_rate_limit": "100000/minute"})
    with running_server(create_app(unlimited)) as base:
        result = subprocess.run(
            [
                _schemathesis(),
                "--config-file",
                str(REPOSITORY / "tests" / "contract" / "schemathesis.toml"),
                "run",
                f"{base}/v1/openapi.json",
                "--url",
                f"{base}/v1",
                "--checks",
                "all",
                "--header",
                f"Authorization: Bearer {api_key}",
                "--max-examples",
                EXAMPLES,
                "--seed",
                "20221",
                "--workers",
                "1",
                "--report-dir",
                str(tmp_path),
                "--no-color",
            ],
            cwd=tmp_path,
            env={
                **os.environ,
                "SCHEMATHESIS_HOOKS": "tests.contract.schemathesis_hooks",
                "PYTHONPATH": str(REPOSITORY),
            },
            capture_output=True,
            text=True,
            timeout=900,
        )
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-5000:]
