"""Write routes for benchmark result files: import runs, review the runs held for review."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from api.errors import InvalidInputError, Problem
from api.rest.auth import AUTH_ERRORS, WriteAccess
from api.rest.common import SessionDep
from api.rest.run_file_schema import FILLED_PATTERN, MLPERF_CSV, RESULT_FILE
from api.rest.schemas import STORABLE_TEXT, ErrorResponse, RequestBody
from api.services.ingest.readers.runs import RunContext
from api.services.ingest.run_reviews import (
    ReviewDecision,
    RunReviewView,
    accept_run_review,
    list_run_reviews,
    reject_run_review,
)
from api.services.ingest.runs import RunFile, RunImportReport, import_runs
from models.benchmarks import ReviewStatus

router = APIRouter(tags=["curation"])

RESULT_EXAMPLE = {
    "date": "20260314-190304",
    "backend": "vllm",
    "model_id": "zai-org/GLM-4.7",
    "max_concurrency": 1,
    "request_rate": "inf",
    "request_throughput": 0.0275,
    "output_throughput": 18.52,
    "mean_ttft_ms": 166.4,
    "p99_ttft_ms": 222.2,
}
CSV_EXAMPLE = "ID,Model,Scenario,Result,Units\n4.1-0001,llama2-70b-99,Offline,1234.5,Tokens/s\n"
# A name the importer gives: storable text that is not blank.
_Name = Annotated[str | None, Query(max_length=200, pattern=FILLED_PATTERN)]


class FileOut(BaseModel):
    name: str
    format: str
    records: int


class RunImportOut(BaseModel):
    files: list[FileOut]
    records: int
    added: int = Field(description="Runs (one per number of a record) written new.")
    updated: int
    unchanged: int
    removed: int = Field(description="Numbers a corrected file no longer reports.")
    held: int = Field(description="Records held for review: a name matched nothing.")
    rejected: int = Field(description="Records skipped: rejected in an earlier review.")
    created: dict[str, list[str]] = Field(description="Slugs created by `create_missing`.")
    reviews: list[int] = Field(description="Ids of the reviews holding records.")


class RunReviewOut(BaseModel):
    id: int
    identity: str = Field(description="`<format>:<record id>` of the held run.")
    format: str
    file: str
    status: ReviewStatus
    unresolved: dict[str, Any] = Field(
        description="Per kind (engine, model, device): the file's name and suggested slugs."
    )
    record: dict[str, Any] = Field(description="The run as read, verbatim values included.")
    note: str | None
    created_at: datetime
    decided_at: datetime | None


class AcceptRequest(RequestBody):
    engine: str | None = Field(
        default=None, max_length=120, description="Engine slug.", json_schema_extra=STORABLE_TEXT
    )
    model: str | None = Field(
        default=None, max_length=120, description="Model slug.", json_schema_extra=STORABLE_TEXT
    )
    device: str | None = Field(
        default=None, max_length=120, description="Device slug.", json_schema_extra=STORABLE_TEXT
    )
    create_missing: bool = Field(default=False, description="Create the rest as named.")
    note: str | None = Field(default=None, max_length=2000, json_schema_extra=STORABLE_TEXT)


class RejectRequest(RequestBody):
    note: str | None = Field(default=None, max_length=2000, json_schema_extra=STORABLE_TEXT)


class AcceptOut(BaseModel):
    review: RunReviewOut
    written: RunImportOut


def _report(report: RunImportReport) -> RunImportOut:
    return RunImportOut.model_validate(report.as_dict())


def _review(view: RunReviewView) -> RunReviewOut:
    return RunReviewOut(
        id=view.id,
        identity=view.identity,
        format=view.import_format,
        file=view.origin_file,
        status=view.status,
        unresolved=view.unresolved,
        record=view.record,
        note=view.note,
        created_at=view.created_at,
        decided_at=view.decided_at,
    )


@router.post(
    "/ingest/runs",
    responses={**AUTH_ERRORS, 413: {"model": ErrorResponse, "description": "File too large."}},
    response_model=RunImportOut,
    summary="Import benchmark runs from a result file",
    description="The request body is one result file, told apart by its content: an MLPerf "
    "Inference summary (JSON, or its CSV table as `text/csv`), an llmperf summary, a `vllm "
    "bench serve --save-result` JSON, a GuideLLM report or InferenceX aggregated results; "
    "their schemas say what each must hold (docs/benchmarks.md). Written in one transaction; "
    "the same file again changes nothing. Runs whose engine, model or device match nothing "
    "stored are held for review unless `create_missing`. The other parameters give what the "
    "file does not say.",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": RESULT_FILE, "example": RESULT_EXAMPLE},
                "text/csv": {"schema": MLPERF_CSV, "example": CSV_EXAMPLE},
            },
        }
    },
)
async def post_ingest_runs(
    request: Request,
    _: WriteAccess,
    file_name: Annotated[str, Query(max_length=200, pattern=r"^[^/\\\x00]+$")] = "upload.json",
    create_missing: bool = False,
    engine: Annotated[
        str | None,
        Query(
            max_length=200,
            pattern=FILLED_PATTERN,
            description="The engine, optionally with its version as the files write it "
            "(`vLLM 0.6.3`).",
        ),
    ] = None,
    model: _Name = None,
    device: _Name = None,
    device_count: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
    precision: Annotated[str | None, Query(max_length=60, pattern=FILLED_PATTERN)] = None,
    submitter: _Name = None,
) -> Any:
    from starlette.concurrency import run_in_threadpool

    # BodySizeLimit refuses a body over INFERGRAPH_MAX_INGEST_BYTES before it is read whole.
    raw = await request.body()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidInputError(
            f"{file_name} is not UTF-8 text", [Problem(str(error), location=file_name)]
        ) from error
    context = RunContext(
        engine=engine,
        model=model,
        device=device,
        device_count=device_count,
        precision=precision,
        submitter=submitter,
    )
    with request.app.state.ingest_slots.held():
        report = await run_in_threadpool(
            lambda: import_runs(
                request.app.state.engine,
                [RunFile(file_name, text)],
                create_missing=create_missing,
                context=context,
            )
        )
    return _report(report)


@router.get("/run-reviews", response_model=list[RunReviewOut], summary="Runs held for review")
def get_run_reviews(
    session: SessionDep,
    status: Annotated[
        ReviewStatus | None, Query(description="Default: pending.")
    ] = ReviewStatus.PENDING,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Any:
    return [_review(v) for v in list_run_reviews(session, status, limit=limit)]


@router.post(
    "/run-reviews/{review_id}/accept",
    responses={
        **AUTH_ERRORS,
        404: {"model": ErrorResponse, "description": "No such review, or an unknown slug."},
        409: {
            "model": ErrorResponse,
            "description": "The review needs choices it was not given (or names a kind it "
            "does not hold unresolved), or the file's name already names another entity.",
        },
    },
    response_model=AcceptOut,
    summary="Accept a held run",
    description="Write it with the chosen engine, model and device (slugs) or create them as "
    "named; the file's names become aliases, and other held runs they resolve are written too.",
)
def accept_review(
    review_id: Annotated[int, Field(ge=1, le=2**31 - 1)],
    request: Request,
    _: WriteAccess,
    body: AcceptRequest | None = None,
) -> Any:
    body = body or AcceptRequest()
    decision = ReviewDecision(body.engine, body.model, body.device, body.create_missing, body.note)
    view, report = accept_run_review(request.app.state.engine, review_id, decision)
    return AcceptOut(review=_review(view), written=_report(report))


@router.post(
    "/run-reviews/{review_id}/reject",
    responses=AUTH_ERRORS,
    response_model=RunReviewOut,
    summary="Reject a held run",
)
def reject_review(
    review_id: Annotated[int, Field(ge=1, le=2**31 - 1)],
    request: Request,
    _: WriteAccess,
    body: RejectRequest | None = None,
) -> Any:
    return _review(
        reject_run_review(request.app.state.engine, review_id, body.note if body else None)
    )
