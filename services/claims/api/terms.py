"""The Terms and Conditions the platform publishes, which a payee accepts by version."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import Field

from services.claims.api.deps import Reader
from services.claims.api.errors import problems
from services.claims.domain import terms
from services.claims.domain.errors import NotFound
from shared.schemas import Output

router = APIRouter(prefix="/v1/terms", tags=["terms"])


class TermsOut(Output):
    version: str = Field(examples=[terms.CURRENT.version])
    effective: date
    title: str
    text: str
    current: bool = Field(description="Only the current version can be accepted.")
    published_versions: list[str] = Field(
        description="Every published version, oldest first.", examples=[["2026-01"]],
    )

    @classmethod
    def of(cls, version: terms.TermsVersion) -> TermsOut:
        return cls(
            version=version.version, effective=version.effective, title=version.title,
            text=version.text, current=version is terms.CURRENT,
            published_versions=[published.version for published in terms.PUBLISHED],
        )


@router.get(
    "", summary="The current Terms and Conditions",
    description="What a payee reads and accepts before a claim is paid: send its `version` as "
    "`terms_version` when selecting a payment option or accepting a payment confirmation.",
    response_description="The current version and its text", responses=problems(),
)
async def current_terms(_: Reader) -> TermsOut:
    return TermsOut.of(terms.CURRENT)


@router.get(
    "/{version}", summary="A published version of the Terms and Conditions",
    description="The text a recorded acceptance refers to.",
    response_description="That version and its text", responses=problems(404),
)
async def terms_version(
    version: Annotated[str, Path(max_length=32, examples=["2026-01"])], _: Reader
) -> TermsOut:
    for published in terms.PUBLISHED:
        if published.version == version:
            return TermsOut.of(published)
    raise NotFound("terms version", version)
