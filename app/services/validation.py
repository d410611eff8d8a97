"""Turning pydantic's validation errors on a request body into one 400 that lists them all."""

from datetime import date, timedelta
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from app.core.errors import ProblemError

ModelT = TypeVar("ModelT", bound=BaseModel)


def problems_of(error: ValidationError) -> list[dict[str, str]]:
    problems = []
    for item in error.errors():
        name = ".".join(str(part) for part in item.get("loc", ())) or "body"
        reason = item.get("msg", "invalid").removeprefix("Value error, ")
        problems.append({"name": name, "reason": reason})
    return problems


def bad_request(problems: list[dict[str, str]]) -> ProblemError:
    names = ", ".join(dict.fromkeys(problem["name"] for problem in problems))
    return ProblemError(400, f"The request has invalid values: {names}", invalid_params=problems)


def parse_body(
    model: type[ModelT], raw: bytes, *, context: dict | None = None
) -> tuple[ModelT | None, list[dict[str, str]]]:
    """The validated body, or None and every problem found in it."""
    try:
        return model.model_validate_json(raw, context=context), []
    except ValidationError as error:
        return None, problems_of(error)


def latest_allowed_date(today: date) -> date:
    """Statuses may be dated at most one day ahead (time zones, a report published at midnight)."""
    return today + timedelta(days=1)
