"""Appending status updates. The history is append-only: a correction is a new entry that names
the one it supersedes, and the superseded entry stays as it was."""

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.core.config import TextLimits
from app.core.errors import ProblemError
from app.models import StatusUpdate
from app.schemas import TEXT_LIMITS, StatusUpdateIn
from app.services.goals import StatusView, require_goal
from app.services.milestones import MilestoneFields, add_milestones
from app.services.validation import bad_request, latest_allowed_date, parse_body
from app.services.write_support import lock_goal, utc_now


@dataclass
class NewStatus:
    """A validated status update for one goal, from the API or from an imported report."""

    goal_code: str
    as_of: date
    as_of_label: str
    text: str
    progress: str | None = None
    progress_evidence: str | None = None
    source: str | None = None
    shared_with: list[str] | None = None
    supersedes_id: int | None = None
    # Dated steps the text prints; each quote occurs in `text` (validated by the caller).
    milestones: list[MilestoneFields] = field(default_factory=list)


def append_status_from_request(
    session: Session, goal_code: str, raw_body: bytes, *, author: str, text_limits: TextLimits
) -> StatusView:
    """POST /goals/{code}/statuses: validate everything, then append in one transaction."""
    require_goal(session, goal_code)
    now = utc_now()
    body, problems = parse_body(
        StatusUpdateIn,
        raw_body,
        context={"latest_as_of": latest_allowed_date(now.date()), TEXT_LIMITS: text_limits},
    )
    if body is None:
        raise bad_request(problems)
    new = NewStatus(
        goal_code=goal_code,
        as_of=body.as_of,
        as_of_label=body.as_of_label or body.as_of.isoformat(),
        text=body.text,
        progress=body.progress,
        progress_evidence=body.progress_evidence,
        source=body.source,
        supersedes_id=body.supersedes,
        milestones=body.milestones,
    )
    try:
        record = append_status(session, new, author=author, recorded_at=now)
        session.commit()
    except IntegrityError as error:
        session.rollback()
        if new.supersedes_id is None:
            raise
        # The unique index on supersedes_id: two corrections of one entry (the goal lock makes
        # this unreachable; the index keeps it impossible).
        raise ProblemError(
            409, f"Status update {new.supersedes_id} has already been superseded."
        ) from error
    except Exception:
        session.rollback()
        raise
    session.refresh(record)
    return StatusView(record)


def append_status(
    session: Session, new: NewStatus, *, author: str, recorded_at: datetime
) -> StatusUpdate:
    """Append one entry inside the caller's transaction (the caller commits)."""
    lock_goal(session, new.goal_code)
    if new.supersedes_id is not None:
        check_can_supersede(session, new.goal_code, new.supersedes_id)
    record = StatusUpdate(
        goal_code=new.goal_code,
        as_of=new.as_of,
        as_of_label=new.as_of_label,
        text=new.text,
        progress=new.progress,
        progress_evidence=new.progress_evidence,
        source=new.source,
        shared_with=list(new.shared_with or []),
        author=author,
        recorded_at=recorded_at,
        supersedes_id=new.supersedes_id,
    )
    session.add(record)
    session.flush()
    add_milestones(session, new.goal_code, record.id, new.milestones)
    session.flush()
    return record


def check_can_supersede(session: Session, goal_code: str, status_id: int) -> None:
    target = session.get(StatusUpdate, status_id)
    if target is None or target.goal_code != goal_code:
        raise bad_request(
            [
                {
                    "name": "supersedes",
                    "reason": f"goal {goal_code} has no status update {status_id}",
                }
            ]
        )
    correction = session.exec(
        select(StatusUpdate.id).where(StatusUpdate.supersedes_id == status_id)
    ).first()
    if correction is not None:
        raise ProblemError(
            409,
            f"Status update {status_id} is already superseded by {correction}; "
            f"a further correction supersedes {correction}.",
        )
