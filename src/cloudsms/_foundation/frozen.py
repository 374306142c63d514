"""Frozen containers and the attrs converters that build them.

Used by every layer that holds read-only values: the lifecycle core keeps an
instance's context and each entry's data in a `FrozenMapping`, and the model's
records convert list-like fields with `as_tuple` and `as_frozenset`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NoReturn, TypeVar

__all__ = ["FrozenMapping", "as_frozen_mapping", "as_frozenset", "as_tuple"]

K = TypeVar("K")
V = TypeVar("V")


class FrozenMapping(dict[K, V]):
    """A read-only, hashable dict for the mapping fields of frozen values.

    It is a dict — so ``json.dumps``, ``attrs.asdict`` and ``==`` treat it as one —
    whose every mutating method raises `TypeError`, so nobody can change it after
    the value's checks have run. Like an attrs frozen class, which
    ``object.__setattr__`` still changes, it guards against mistakes, not against
    code that calls ``dict``'s own methods on it on purpose.

    Examples:
        >>> m = FrozenMapping({"vcpus": "4"})
        >>> m == {"vcpus": "4"}, m["vcpus"], m
        (True, '4', {'vcpus': '4'})
        >>> m["vcpus"] = "8"
        Traceback (most recent call last):
        ...
        TypeError: a FrozenMapping cannot be changed; build a new value instead
        >>> m.__init__({"vcpus": "8"})  # a second __init__ refills nothing
        >>> m
        {'vcpus': '4'}
    """

    __slots__ = ()

    def __new__(cls, *args: Any, **kwargs: Any) -> FrozenMapping[K, V]:  # noqa: ANN401
        # Filled here, once: dict's own __init__ fills again whenever it is called.
        mapping = super().__new__(cls)
        dict.__init__(mapping, *args, **kwargs)
        return mapping

    def __init__(self, *_: object, **__: object) -> None:
        """Filled by ``__new__``; calling it again changes nothing."""

    def _refuse(self, *_: object, **__: object) -> NoReturn:
        msg = "a FrozenMapping cannot be changed; build a new value instead"
        raise TypeError(msg)

    __setitem__ = __delitem__ = __ior__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(frozenset(self.items()))

    def __reduce__(self) -> tuple[type[FrozenMapping[K, V]], tuple[dict[K, V]]]:
        return (type(self), (dict(self),))

    def __repr__(self) -> str:
        return dict.__repr__(self)

    def __copy__(self) -> FrozenMapping[K, V]:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> FrozenMapping[K, V]:
        from copy import deepcopy  # noqa: PLC0415

        return type(self)(deepcopy(dict(self), memo))


def as_frozen_mapping(value: Any) -> Any:  # noqa: ANN401 - an attrs converter takes anything
    """An attrs converter: any mapping as a `FrozenMapping` copy (anything else kept as given)."""
    if isinstance(value, FrozenMapping):
        return value
    return FrozenMapping(value) if isinstance(value, Mapping) else value


def as_tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    """An attrs converter: any list-like value as a tuple.

    Anything else (text, a mapping, a number) is kept as given, so the class's own
    check reports it with its path instead of the converter failing without one.
    """
    if type(value) is tuple or type(value) is list:  # the usual cases, without ABC checks
        return tuple(value)
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        return value  # type: ignore[return-value]
    return tuple(value)


def as_frozenset(value: Iterable[Any]) -> frozenset[Any]:
    """An attrs converter: any list-like value as a frozenset (else kept, as `as_tuple`)."""
    if type(value) is frozenset:  # the usual case, without ABC checks
        return value
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        return value  # type: ignore[return-value]
    try:
        return frozenset(value)
    except TypeError:  # unhashable items: the class's check names them
        return value  # type: ignore[return-value]
