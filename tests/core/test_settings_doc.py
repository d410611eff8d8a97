"""The configuration reference in docs/operations.md is the one the settings class generates
(`coalition-monitor settings`): a setting added, renamed or redescribed shows there."""

from pathlib import Path

from app.core.settings_doc import END_MARKER, START_MARKER, settings_table

OPERATIONS = Path(__file__).resolve().parents[2] / "docs" / "operations.md"


def test_the_documented_settings_table_is_the_generated_one():
    text = OPERATIONS.read_text(encoding="utf-8")
    documented = text[text.index(START_MARKER) : text.index(END_MARKER) + len(END_MARKER)]
    assert documented + "\n" == settings_table(), "run `coalition-monitor settings` into docs"


def test_every_setting_is_described():
    for line in settings_table().splitlines():
        if line.startswith("| `"):
            assert not line.rstrip().endswith("|  |"), line
