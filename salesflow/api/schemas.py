"""Pydantic shapes shared by the API modules: the shape check (400/422) before the service rules.

Every id, date, month, moment, version and text of the API is one of the types below, built on the
app's one parser of each (salesflow.validation), so the API refuses what the forms refuse, with
the same words, and the OpenAPI document shows each limit.
"""

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from salesflow import validation

# Ids in a query string arrive as text; in a JSON body they must be numbers ("12" is a client
# bug, answered 422). Either way, never beyond what the id columns hold.
Id = Annotated[int, Field(ge=1, le=validation.MAX_ID)]
BodyId = Annotated[int, Field(strict=True, ge=1, le=validation.MAX_ID)]
Version = Annotated[
    int,
    Field(
        strict=True,
        ge=1,
        le=validation.MAX_ID,
        description="The `version` you read: without it the update is a 422, a stale one a 409.",
    ),
]
Query = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]


def _day(value: date) -> date:
    if problem := validation.day_problem(value):
        raise ValueError(str(problem))
    return value


def _moment(value: datetime) -> datetime:
    if problem := validation.moment_problem(value):
        raise ValueError(str(problem))
    return value


def _month(value: str) -> date:
    month = validation.parse_month(value)
    assert month is not None  # the pattern has made sure it is not blank
    return month


Day = Annotated[
    date,
    AfterValidator(_day),
    Field(description="YYYY-MM-DD, from 1900 to 2199.", json_schema_extra={"format": "date"}),
]
Moment = Annotated[
    datetime,
    AfterValidator(_moment),
    Field(description="ISO 8601 with its offset, e.g. 2026-11-20T10:00:00+08:00, 1900 to 2199."),
]
Month = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$"),
    AfterValidator(_month),
    Field(description="YYYY-MM, from 1900 to 2199."),
]


class PageQuery(BaseModel):
    """The paging of a list with no filters of its own (page_params checks the values)."""

    limit: int | None = Field(None, description="1 to API_MAX_PAGE_SIZE (200); default 50.")
    cursor: str | None = Field(None, description="The `next_cursor` of the previous page.")


def text(column: Any, *, required: bool = False) -> Any:
    """A text field bound for `column`: at most what the column holds (its length is the one
    place the limit comes from); `required` ones must not be blank."""
    return Annotated[
        str,
        StringConstraints(
            strip_whitespace=True,
            min_length=1 if required else None,
            max_length=validation.max_length(column),
        ),
    ]


class Strict(BaseModel):
    """Unknown fields are an error, not silently ignored: a typo must not look like success."""

    model_config = ConfigDict(extra="forbid", str_max_length=20_000)

    @field_validator("*", mode="before")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        """A NUL character or a lone surrogate is never meant, and neither engine stores one: a
        422 on the field, not a 500. (The services refuse the other control characters.)"""
        if _unstorable(value):
            raise ValueError("Text must not contain NUL characters or lone surrogates.")
        return value


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _unstorable(value: Any) -> bool:
    if isinstance(value, str):
        return _UNSTORABLE.search(value) is not None
    if isinstance(value, dict):
        return any(_unstorable(k) or _unstorable(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_unstorable(v) for v in value)
    return False


class ErrorBody(BaseModel):
    code: str
    message: str
    fields: dict[str, list[str]] | None = None


class ErrorOut(BaseModel):
    error: ErrorBody


def provided(model: BaseModel) -> dict[str, Any]:
    """Only the fields the client sent (PATCH semantics), as plain Python values."""
    return model.model_dump(exclude_unset=True)
