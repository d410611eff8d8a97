"""`pip install .` gives a service that starts from any directory: the wheel carries the seed,
and the default seed directory finds it there when there is no checkout around the code."""

import subprocess
import sys
import zipfile
from pathlib import Path

from app.core import config
from app.seed import SEED_FILES

REPOSITORY = Path(__file__).resolve().parents[1]


def test_the_wheel_carries_every_seed_file_and_an_spdx_licence(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", tmp_path, REPOSITORY],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("coalition_monitor-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = next(name for name in names if name.endswith(".dist-info/METADATA"))
        headers = archive.read(metadata).decode()
    installed = {Path(name).name for name in names if "/share/coalition-monitor/seed/" in name}
    assert set(SEED_FILES) <= installed
    assert "License-Expression: EUPL-1.2" in headers


def test_default_seed_dir_is_the_checkout_here():
    assert config.default_seed_dir() == REPOSITORY / "seed"


def test_default_seed_dir_falls_back_to_the_installed_copy(tmp_path, monkeypatch):
    installed = tmp_path / config.INSTALLED_SEED_PATH
    installed.mkdir(parents=True)
    (installed / config.SEED_MARKER).write_text("[]")
    monkeypatch.setattr(config, "__file__", str(tmp_path / "site" / "app" / "core" / "config.py"))
    monkeypatch.setattr(config.sysconfig, "get_path", lambda name, scheme=None: str(tmp_path))
    assert config.default_seed_dir() == installed
