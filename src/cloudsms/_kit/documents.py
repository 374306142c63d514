"""Persisted documents: a ``type`` and a ``schema_version`` written first, checked first."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from cloudsms.errors import Problem, ValidationError, describe

if TYPE_CHECKING:
    from collections.abc import Callable

T = TypeVar("T")

__all__ = ["document"]


def document(type_name: str, *, version: int) -> Callable[[type[T]], type[T]]:
    """Mark an attrs class as a persisted document of ``type_name`` at schema ``version``.

    Examples:
        >>> import attrs
        >>> from cloudsms._kit.converter import to_dict
        >>> @document("cloudsms.example", version=1)
        ... @attrs.frozen
        ... class Note:
        ...     text: str
        >>> to_dict(Note("hi"))
        {'type': 'cloudsms.example', 'schema_version': 1, 'text': 'hi'}
    """

    def mark(cls: type[T]) -> type[T]:
        cls.__document_type__ = type_name  # type: ignore[attr-defined]
        cls.__schema_version__ = version  # type: ignore[attr-defined]
        return cls

    return mark


def unwrap(kind: object, data: object, subject: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ValidationError.single("$", "a JSON object", describe(data), subject=subject)
    problems = []
    expected_type = getattr(kind, "__document_type__")  # noqa: B009 - set by @document
    version = getattr(kind, "__schema_version__")  # noqa: B009
    if data.get("type") != expected_type:
        got = describe(data["type"]) if "type" in data else "nothing"
        problems.append(Problem("$.type", repr(expected_type), got))
    elif data.get("schema_version") != version or type(data.get("schema_version")) is not int:
        got = describe(data["schema_version"]) if "schema_version" in data else "nothing"
        problems.append(
            Problem(
                "$.schema_version",
                f"{version} (the version of {expected_type} this cloudsms reads)",
                got,
            )
        )
    if problems:
        raise ValidationError(problems, subject=subject)
    return {k: v for k, v in data.items() if k not in {"type", "schema_version"}}
