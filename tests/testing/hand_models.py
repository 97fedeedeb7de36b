"""Hand-written Pydantic models for a small contract, some faithful and some deliberately not."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from pydantic import (
    MISSING,
    AnyUrl,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    StrictStr,
)


def _zulu(value: Any) -> Any:
    # Zod's .datetime(): a string ending in Z, not a number and not another offset.
    if not isinstance(value, str) or not value.endswith("Z"):
        raise ValueError("expected an ISO date-time ending in Z")
    return value


ZuluDatetime = Annotated[AwareDatetime, BeforeValidator(_zulu)]

USER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "email": {"type": "string", "format": "email"},
        "handle": {"type": "string", "minLength": 3, "maxLength": 20, "pattern": "^[a-z0-9_]+$"},
        "age": {"type": "integer", "minimum": 0, "maximum": 150},
        "weight": {"type": "number", "exclusiveMinimum": 0},
        "homepage": {"type": "string", "format": "uri"},
        "createdAt": {"type": "string", "format": "date-time"},
        "nickname": {"type": "string", "maxLength": 10},
    },
    "required": ["id", "email", "handle", "age", "weight", "createdAt"],
    "additionalProperties": False,
}


class User(BaseModel):
    """Faithful: the same constraints, optional fields absent rather than null."""

    model_config = ConfigDict(extra="forbid")

    id: UUID
    email: EmailStr
    handle: Annotated[StrictStr, Field(min_length=3, max_length=20, pattern="^[a-z0-9_]+$")]
    age: Annotated[int, Field(ge=0, le=150, strict=True)]
    weight: Annotated[float, Field(gt=0, strict=True)]
    homepage: AnyUrl | MISSING = MISSING
    created_at: Annotated[ZuluDatetime, Field(alias="createdAt")]
    nickname: Annotated[StrictStr, Field(max_length=10)] | MISSING = MISSING


class LooseUser(BaseModel):
    """Looser: no length or pattern on handle, no bounds on age."""

    id: UUID
    email: str
    handle: str
    age: int
    weight: float
    homepage: str | None = None
    created_at: str = Field(alias="createdAt")
    nickname: str | None = None


class StrictUser(BaseModel):
    """Stricter: handle at most 5 characters, age at most 20."""

    model_config = ConfigDict(extra="forbid")

    id: UUID
    email: EmailStr
    handle: Annotated[str, Field(min_length=3, max_length=5)]
    age: Annotated[int, Field(ge=0, le=20)]
    weight: Annotated[float, Field(gt=0, strict=True)]
    homepage: AnyUrl | MISSING = MISSING
    created_at: AwareDatetime = Field(alias="createdAt")
    nickname: Annotated[str, Field(max_length=10)] | None = None


class NullDumpingUser(User):
    """Optional as ``X | None = None`` and sets it: its dump has a null the schema rejects."""

    nickname: Annotated[StrictStr, Field(max_length=10)] | None = None  # type: ignore[assignment]

    def model_post_init(self, context: Any) -> None:
        if self.nickname is None:
            self.nickname = None  # marks the field as set, so exclude_unset keeps the null


class RenamingUser(User):
    """Loses information: keeps only the first three characters of the handle."""

    def model_post_init(self, context: Any) -> None:
        object.__setattr__(self, "handle", self.handle[:3])
