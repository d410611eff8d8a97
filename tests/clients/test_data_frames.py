"""The CSV recipes of the README, run as written against a real server: pandas and R's
read.csv get every row of a collection (no `pageSize`: the whole collection) with the right
column types, and the printed figure (`valueText`, Dutch `437.608`) stays text."""

import shutil
import subprocess

import pandas

from tests.conftest import collect


def _recipe_frames(base: str):
    # README, "Clients": pandas.
    goals = pandas.read_csv(f"{base}/v1/goals?format=csv")
    measurements = pandas.read_csv(
        f"{base}/v1/measurements?format=csv", dtype={"valueText": "string"}
    )
    return goals, measurements


def test_pandas_reads_every_row_with_typed_columns(client, live_server):
    goals, measurements = _recipe_frames(live_server)
    assert len(goals) == len(collect(client, "/v1/goals"))
    assert len(measurements) == len(collect(client, "/v1/measurements"))
    assert goals["order"].dtype == "int64"
    assert measurements["periodStart"].dtype == "int64"
    assert measurements["value"].dtype == "float64"
    assert measurements["valueText"].dtype == "string"
    printed = set(measurements["valueText"].dropna())
    json_printed = {item["valueText"] for item in collect(client, "/v1/measurements")} - {None}
    assert printed == json_printed


R_RECIPE = """
base <- commandArgs(trailingOnly = TRUE)[1]
goals <- read.csv(paste0(base, "/v1/goals?format=csv"))
measurements <- read.csv(paste0(base, "/v1/measurements?format=csv"),
                         colClasses = c(valueText = "character"))
cat(nrow(goals), nrow(measurements), class(goals$order), class(measurements$value),
    class(measurements$periodStart), class(measurements$valueText), "\\n")
"""


def test_r_read_csv_reads_every_row_with_typed_columns(client, live_server, tmp_path):
    rscript = shutil.which("Rscript")
    assert rscript, "R is part of CI: .ci/run installs r-base-core"
    script = tmp_path / "recipe.R"
    script.write_text(R_RECIPE)
    result = subprocess.run(
        [rscript, str(script), live_server], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    goals, measurements, order, value, start, printed = result.stdout.split()
    assert int(goals) == len(collect(client, "/v1/goals"))
    assert int(measurements) == len(collect(client, "/v1/measurements"))
    assert (order, value, start, printed) == ("integer", "numeric", "integer", "character")
