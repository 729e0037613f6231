"""Stored decisions on held changes: accepted and rejected ones keep their word across syncs.

A decision covers a change while the graph and the README say what they said when it was
made (the same `old` and `new`): then the plan shows it as `rejected` (or `accepted`) with
who decided and when, and proposes nothing. When the README changes that cell again, the
old decision no longer covers it and the change is proposed anew.
"""

import dataclasses
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlmodel import Session, col, select

import models as m
from api.services.survey_sync.plan import Change, Plan

ACCEPTED = "accepted"
REJECTED = "rejected"


def apply_decisions(session: Session, plan: Plan) -> None:
    """Mark the plan's held changes that a stored decision still covers."""
    held = {change.id: index for index, change in enumerate(plan.changes) if change.held}
    if not held:
        return
    reviews = session.exec(
        select(m.SurveyReview).where(col(m.SurveyReview.change_id).in_(list(held)))
    )
    for review in reviews:
        index = held[review.change_id]
        change = plan.changes[index]
        if (change.old, change.new) != (review.old, review.new):
            continue  # the README (or the graph) moved on: propose it again
        plan.changes[index] = dataclasses.replace(
            change,
            review=review.decision,
            reviewed_by=review.decided_by,
            reviewed_at=_iso(review.decided_at),
        )


def _iso(moment: datetime) -> str:
    # SQLite hands back naive datetimes; they were written in UTC.
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat(timespec="seconds")


def record(session: Session, changes: Sequence[Change], decision: str, by: str) -> None:
    """Store (or replace) the decision on each change, in the caller's transaction."""
    now = datetime.now(UTC)
    stored = {
        review.change_id: review
        for review in session.exec(
            select(m.SurveyReview).where(col(m.SurveyReview.change_id).in_([c.id for c in changes]))
        )
    }
    for change in changes:
        review = stored.get(change.id) or m.SurveyReview(
            change_id=change.id, kind=change.kind, decision=decision, decided_by=by, decided_at=now
        )
        review.kind, review.old, review.new = change.kind, change.old, change.new
        review.decision, review.decided_by, review.decided_at = decision, by[:200], now
        session.add(review)


def list_reviews(session: Session) -> list[dict[str, str | None]]:
    """Every stored decision, newest first."""
    reviews = session.exec(
        select(m.SurveyReview).order_by(
            col(m.SurveyReview.decided_at).desc(), col(m.SurveyReview.id).desc()
        )
    )
    return [
        {
            "change_id": review.change_id,
            "kind": review.kind,
            "old": review.old,
            "new": review.new,
            "decision": review.decision,
            "decided_by": review.decided_by,
            "decided_at": _iso(review.decided_at),
        }
        for review in reviews
    ]
