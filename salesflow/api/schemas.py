"""Pydantic shapes shared by the API modules: the shape check (400/422) before the service rules."""

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)]
LongText = Annotated[str, StringConstraints(max_length=20_000)]
Id = Annotated[int, Field(ge=1, le=2**31 - 1)]


class Strict(BaseModel):
    """Unknown fields are an error, not silently ignored: a typo must not look like success."""

    model_config = ConfigDict(extra="forbid", str_max_length=20_000)

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        """A NUL character is never meant, and PostgreSQL refuses to store one: a 422 on the
        field, not a 500."""
        if _has_nul(value):
            raise ValueError("Text must not contain NUL characters.")
        return value


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
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
