"""The forms of the report's codes, as regular expressions (without anchors): what a seed or
import record may hold, and what the API documents for its paths and filters."""

PERSPECTIVE_LETTER = r"[A-G]"
PERSPECTIVE_SLUG = r"[a-z]+(?:-[a-z]+)*"
# A path or filter names a perspective by its letter or its slug.
PERSPECTIVE_CODE = f"{PERSPECTIVE_LETTER}|{PERSPECTIVE_SLUG}"
GOAL_CODE = r"[A-G][1-9][0-9]?"
INDICATOR_CODE = r"M[1-9][0-9]?"
METRIC_CODE = r"M[1-9][0-9]?\.[1-9][0-9]?"


def whole(pattern: str) -> str:
    """`pattern` anchored to match a whole value (as JSON Schema and pydantic read `pattern`)."""
    return f"^(?:{pattern})$"
