"""The bases of every API's request and response schemas.

``Input``: unknown fields are refused (a typo is a 422, never silently dropped), whitespace is
stripped and a NUL anywhere is refused (``shared.text_input``). ``Output``: rendered from the
attributes of the records a use case returns.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator

from shared.text_input import refuse_nul


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        return refuse_nul(data)


class Output(BaseModel):
    model_config = ConfigDict(from_attributes=True)
