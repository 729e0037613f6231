"""The run review queue: imported runs held because their engine, model or device matched
nothing stored, and the curator's decisions on them. Accepting one teaches the file's names as
aliases and writes every other held run they now resolve, in the same transaction."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

import models as m
from api.errors import ConflictError, InvalidInputError, NotFoundError, Problem
from api.services.ingest.readers.runs import RunRecord, model_key, name_key
from api.services.ingest.runs import Names, RunImportReport, Writer
from api.services.ingest.transactions import run_exclusive
from models.benchmarks import ReviewStatus


@dataclass(frozen=True)
class RunReviewView:
    id: int
    identity: str
    import_format: str
    origin_file: str
    status: ReviewStatus
    unresolved: dict[str, Any]
    record: dict[str, Any]
    note: str | None
    created_at: datetime
    decided_at: datetime | None


def _view(review: m.RunReview) -> RunReviewView:
    return RunReviewView(
        id=int(review.id or 0),
        identity=review.identity,
        import_format=review.import_format,
        origin_file=review.origin_file,
        status=review.status,
        unresolved=review.unresolved,
        record=review.record,
        note=review.note,
        created_at=_utc(review.created_at),
        decided_at=_utc(review.decided_at) if review.decided_at else None,
    )


def list_run_reviews(
    session: Session, status: ReviewStatus | None = ReviewStatus.PENDING, *, limit: int = 100
) -> list[RunReviewView]:
    """Held runs (or those of any `status`; None for all), oldest first."""
    statement = select(m.RunReview).order_by(col(m.RunReview.id)).limit(limit)
    if status is not None:
        statement = statement.where(m.RunReview.status == status)
    return [_view(review) for review in session.exec(statement)]


@dataclass(frozen=True)
class ReviewDecision:
    """The curator's choice per unresolved kind: an existing slug, or create it as named."""

    engine: str | None = None
    model: str | None = None
    device: str | None = None
    create_missing: bool = False
    note: str | None = None


def accept_run_review(
    engine: sa.Engine, review_id: int, decision: ReviewDecision
) -> tuple[RunReviewView, RunImportReport]:
    """Write the held run with the chosen entities, teach their names as aliases, and write
    every other held run those aliases now resolve."""

    def work(connection: sa.Connection) -> tuple[RunReviewView, RunImportReport]:
        with Session(bind=connection, expire_on_commit=False) as session:
            review = _get_review(session, review_id, decision.note)
            report = RunImportReport()
            writer = Writer(session, report, create_missing=decision.create_missing)
            chosen = {"engine": decision.engine, "model": decision.model, "device": decision.device}
            problems = []
            for kind, slug in chosen.items():
                if slug is None:
                    continue
                if kind not in review.unresolved:
                    problems.append(Problem(f"the run's {kind} is not unresolved", field=kind))
                    continue
                target = next(
                    (e for e in writer.names.entities[kind].values() if e.slug == slug), None
                )
                if target is None:
                    suggestions = review.unresolved[kind].get("suggestions") or []
                    problems.append(
                        Problem(
                            f"unknown {kind}"
                            + (f"; did you mean {', '.join(suggestions)}?" if suggestions else ""),
                            field=kind,
                            value=slug,
                        )
                    )
                    continue
                _teach(session, writer.names, kind, review.unresolved[kind]["name"], target.id)
            missing = [
                k
                for k in review.unresolved
                if chosen.get(k) is None and not decision.create_missing
            ]
            if missing:
                problems.append(
                    Problem(
                        f"choose the {' and '.join(missing)} (or create them as named)",
                        field=missing[0],
                    )
                )
            if problems:
                # Well-formed, but what is stored rules it out: an unknown slug is a 404 (as for
                # technique slugs); choices the review's state needs or forbids are a 409.
                unknown = all(p.message.startswith("unknown ") for p in problems)
                refusal = NotFoundError if unknown else ConflictError
                raise refusal(f"run review {review_id} cannot be accepted", problems)
            record = RunRecord.from_json(review.record)
            resolved = writer.resolve(record)
            review.status = ReviewStatus.ACCEPTED
            review.decided_at = datetime.now(UTC)
            review.note = decision.note
            session.add(review)
            session.flush()
            writer.write_one(record, resolved, review.source_id)
            report.records = 1
            _retry_pending(session, writer)
            session.flush()
            view = _view(review)
        return view, report

    return run_exclusive(engine, work)


def _utc(moment: datetime) -> datetime:
    """Stored in UTC; SQLite hands the time back without its offset."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def reject_run_review(engine: sa.Engine, review_id: int, note: str | None = None) -> RunReviewView:
    """Reject a held run: it is not written, and importing it again skips it."""

    def work(connection: sa.Connection) -> RunReviewView:
        with Session(bind=connection, expire_on_commit=False) as session:
            review = _get_review(session, review_id, note)
            review.status = ReviewStatus.REJECTED
            review.decided_at = datetime.now(UTC)
            review.note = note
            session.add(review)
            session.flush()
            return _view(review)

    return run_exclusive(engine, work)


def _get_review(session: Session, review_id: int, note: str | None) -> m.RunReview:
    review = session.get(m.RunReview, review_id)
    if review is None:
        raise NotFoundError(
            f"no run review with id {review_id}",
            [Problem("not found", field="id", value=review_id)],
        )
    if note is not None and "\x00" in note:
        raise InvalidInputError("the note contains a NUL character", [Problem("NUL", field="note")])
    return review


def _teach(session: Session, names: Names, kind: str, name: str, target_id: int) -> None:
    """Remember `name` as another name of the chosen entity, so later imports resolve it."""
    current = names.find(kind, name)
    if current == target_id:
        return
    if current is not None:
        # Taught by another review since this run was held: one name, one entity.
        raise ConflictError(
            f"{name!r} already names the {kind} {names.slug(kind, current)}",
            [Problem("choose that one, or reject the review", field=kind)],
        )
    alias: Any
    if kind == "engine":
        alias = m.EngineAlias(
            engine_id=target_id, alias=name[:200], normalized=name.casefold()[:200]
        )
        clash = session.exec(
            select(m.EngineAlias).where(m.EngineAlias.normalized == alias.normalized)
        ).first()
        if clash is not None:
            return
    elif kind == "model":
        alias = m.ModelAlias(model_id=target_id, alias=name[:300], normalized=model_key(name)[:300])
    else:
        alias = m.DeviceAlias(
            device_id=target_id, alias=name[:300], normalized=name_key(name)[:300]
        )
    session.add(alias)
    session.flush()
    names.add_term(kind, target_id, name)


def _retry_pending(session: Session, writer: Writer) -> None:
    """Held runs that the names just taught resolve are written now."""
    pending = session.exec(
        select(m.RunReview).where(m.RunReview.status == ReviewStatus.PENDING)
    ).all()
    for review in pending:
        record = RunRecord.from_json(review.record)
        resolved = writer.resolve(record)
        if resolved.unresolved:
            continue
        review.status = ReviewStatus.ACCEPTED
        review.decided_at = writer.now
        review.note = "resolved by names taught in an accepted review"
        session.add(review)
        writer.write_one(record, resolved, review.source_id)
        writer.report.records += 1
