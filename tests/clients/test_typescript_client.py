"""The TypeScript consumer of clients/typescript/ (a plain openapi-fetch `createClient<paths>()`
with types generated from the committed openapi.json), compiled with `tsc --strict` and run
with node against a real server: it reads what the API serves, pages through `_links.next`,
and gets a 404 as a Problem."""

import json
import shutil
import subprocess
from pathlib import Path

from tests.conftest import collect

CLIENT = Path(__file__).resolve().parents[2] / "clients" / "typescript"


def _npm(*arguments: str) -> None:
    npm = shutil.which("npm")
    assert npm, "node and npm are part of CI (.ci/run)"
    result = subprocess.run(
        [npm, *arguments], cwd=CLIENT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_typescript_program_reads_the_api(client, live_server):
    if not (CLIENT / "node_modules").exists():
        _npm("ci", "--no-audit", "--no-fund")
    _npm("run", "--silent", "build")
    result = subprocess.run(
        [shutil.which("node") or "node", "dist/run.js", f"{live_server}/v1"],
        cwd=CLIENT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)

    goals = collect(client, "/v1/goals?perspective=C")
    assert len(goals) > 10  # more than one page of the program's pageSize=10
    assert summary["goals"] == [
        {
            "code": goal["code"],
            "text": goal["text"],
            **(
                {"progress": goal["latestStatus"]["progress"], "asOf": goal["latestStatus"]["asOf"]}
                if goal["latestStatus"]
                else {}
            ),
        }
        for goal in goals
    ]
    measurements = collect(client, "/v1/metrics/M5.1/measurements")
    assert summary["series"] == [
        {"period": m["period"], "value": m["value"], "unit": m["unit"]} for m in measurements
    ]
    assert summary["missing"]["goal"] is None
    problem = summary["missing"]["problem"]
    assert problem["status"] == 404 and problem["title"] == "Not Found"
