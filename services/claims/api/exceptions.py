"""Exceptions: open the typed ones staff own, work them, append notes, read them."""

from __future__ import annotations

from fastapi import APIRouter

from services.claims.api.deps import ContextDep, Id, Reader, Staff
from services.claims.api.errors import problems
from services.claims.api.schemas.work import (
    ExceptionDetailOut,
    ExceptionIn,
    ExceptionOut,
    ExceptionTransitionIn,
    NoteIn,
)
from services.claims.domain.review import ExceptionAction
from services.claims.service import reviews

router = APIRouter(prefix="/v1", tags=["exceptions"])


@router.post(
    "/service-jobs/{job_id}/exceptions", status_code=201, summary="Open an exception on a job",
    description="SS-Credit/Debit Memo Request (CRDT: we owe the service pro; DBT: the pro owes "
    "us) or SS-Unauthorized Claim Review (UNAUTH), with its first note. An SS-Claim Credit "
    "Review is opened by its claim, not by hand. One exception of a type may be open on a job "
    "at a time: a second is a 409 conflict.",
    response_description="The exception, Open", responses=problems(403, 404, 409),
)
async def open_exception(
    job_id: Id, body: ExceptionIn, app: ContextDep, actor: Staff
) -> ExceptionDetailOut:
    view = await reviews.open_exception(app, actor, job_id, body.type, body.comment_code,
                                        body.note)
    return ExceptionDetailOut.of_view(view)


@router.get(
    "/exceptions/{exception_id}", summary="Read an exception",
    response_description="The exception with its notes, oldest first", responses=problems(404),
)
async def get_exception(
    exception_id: Id, app: ContextDep, viewer: Reader
) -> ExceptionDetailOut:
    return ExceptionDetailOut.of_view(await reviews.get_exception(app, viewer, exception_id))


@router.post(
    "/exceptions/{exception_id}/notes", status_code=201, summary="Append a note to an exception",
    description="Notes are appended, never edited or deleted (there is no such endpoint).",
    response_description="The exception with its notes", responses=problems(403, 404),
)
async def add_exception_note(
    exception_id: Id, body: NoteIn, app: ContextDep, actor: Staff
) -> ExceptionDetailOut:
    view = await reviews.add_exception_note(app, actor, exception_id, body.text)
    return ExceptionDetailOut.of_view(view)


@router.post(
    "/exceptions/{exception_id}/transitions", summary="Work an exception",
    description="Start, pend, follow up or resume; complete the types staff open. An "
    "SS-Claim Credit Review completes by itself when its claim is paid or rejected.",
    response_description="The exception after the transition", responses=problems(403, 404, 409),
)
async def transition_exception(
    exception_id: Id, body: ExceptionTransitionIn, app: ContextDep, actor: Staff
) -> ExceptionOut:
    row = await reviews.transition_exception(
        app, actor, exception_id, ExceptionAction(body.action), body.note
    )
    return ExceptionOut.of(row)
