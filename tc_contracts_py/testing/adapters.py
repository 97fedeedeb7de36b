"""A schema's generated type, whatever its kind, validated and dumped through one ``TypeAdapter``.

A models package exports each schema under its name, and what it exports depends on the
schema's root: a ``BaseModel`` for an object, a ``RootModel`` for a root union, array or
constrained primitive, an ``Enum``/``StrEnum`` for ``z.enum``/``z.nativeEnum``, and in a
hand-written package maybe a plain alias (``Slug = Annotated[str, Field(min_length=3)]``,
``Ref = Id | Link``). Pydantic's ``TypeAdapter`` validates and dumps every one of them, and for
a ``BaseModel`` it runs the model's own validator and serializer, so the kit never branches
on the kind.
"""

from __future__ import annotations

import json
import typing
from typing import Any, Literal

import typing_extensions
from pydantic import TypeAdapter
from pydantic.errors import PydanticSchemaGenerationError, PydanticUserError

__all__ = ["adapter_for", "dump", "is_type_form", "type_label", "validate"]

# Adapters by the id of their type; the type is kept with it so the id stays its own.
_ADAPTERS: dict[int, tuple[Any, TypeAdapter[Any]]] = {}


def is_type_form(value: Any) -> bool:
    """Whether ``value`` names a type (a class, a generic or ``Annotated`` form, an alias)."""
    if isinstance(value, type):
        return True
    if isinstance(value, typing_extensions.TypeAliasType):
        return True
    alias_type = getattr(typing, "TypeAliasType", None)  # Python 3.12+
    if alias_type is not None and isinstance(value, alias_type):
        return True
    return typing.get_origin(value) is not None


def adapter_for(tp: Any) -> TypeAdapter[Any]:
    """The (cached) ``TypeAdapter`` of a generated type; ``TypeError`` when it is not one."""
    if isinstance(tp, TypeAdapter):
        return tp
    cached = _ADAPTERS.get(id(tp))
    if cached is not None and cached[0] is tp:
        return cached[1]
    if not is_type_form(tp):
        raise TypeError(f"{tp!r} is not a type")
    try:
        adapter: TypeAdapter[Any] = TypeAdapter(tp)
    except (PydanticSchemaGenerationError, PydanticUserError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise TypeError(f"{type_label(tp)} cannot be validated by pydantic: {first}") from None
    _ADAPTERS[id(tp)] = (tp, adapter)
    return adapter


def type_label(tp: Any) -> str:
    """A short name for messages: the class or alias name, else its repr."""
    name = getattr(tp, "__name__", None)
    return name if isinstance(name, str) else repr(tp)


def validate(tp: Any, payload: Any, mode: Literal["json", "python"] = "python") -> Any:
    """Parse ``payload`` (a JSON value) into ``tp``; ``mode="json"`` goes through JSON text.

    Raises pydantic's ``ValidationError``.
    """
    adapter = adapter_for(tp)
    if mode == "json":
        return adapter.validate_json(json.dumps(payload))
    return adapter.validate_python(payload)


def dump(tp: Any, value: Any, *, exclude_unset: bool = True) -> Any:
    """``value`` of ``tp`` as a JSON value, by alias, as a service would emit it."""
    return adapter_for(tp).dump_python(
        value, mode="json", by_alias=True, exclude_unset=exclude_unset
    )
