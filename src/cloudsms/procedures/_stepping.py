"""What the procedures share: bounded parse caches, and moving a procedure record on.

Every procedure (S08, S13, S14, S15) is a record holding its ``id`` and its
`cloudsms.lifecycle.LifecycleInstance`, whose context holds the procedure's plan.
Its guards parse that context, and the events' data, once per distinct canonical
text and keep the result in a `BoundedCache`; a step builds the next record with
`moved`, the instance having been checked by `LifecycleInstance.apply` already.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, TypeVar

from cloudsms._kit.checks import binding_problems
from cloudsms.errors import Problem

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from cloudsms.lifecycle import LifecycleInstance

__all__ = ["BoundedCache", "moved", "procedure_problems"]

K = TypeVar("K")
V = TypeVar("V")


class BoundedCache(dict[K, V]):
    """A dict of at most ``size`` entries: when full, the older half (at least one) is dropped.

    A cache, never a state: what it holds is exactly what computing it again would
    give (a plan parsed from the text that is its key), so dropping entries changes
    nothing but the time. Reads are plain dict reads (``get``, ``in``).
    """

    __slots__ = ("size",)

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def remember(self, key: K, value: V) -> V:
        """Keep ``value`` under ``key`` (dropping the older half first when full); return it."""
        if len(self) >= self.size:
            for stale in list(self)[: max(1, self.size // 2)]:
                del self[stale]
        self[key] = value
        return value


class _Procedure(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def lifecycle(self) -> LifecycleInstance: ...


P = TypeVar("P", bound=_Procedure)


def moved(record: P, instance: LifecycleInstance) -> P:
    """``record`` holding ``instance`` instead: its next step, already checked by ``apply``.

    The record's own checks ran when it was built and the instance's when its entry
    was applied, so the copy skips attrs' validators (a step is on the hot path).
    """
    made = object.__new__(type(record))
    object.__setattr__(made, "id", record.id)
    object.__setattr__(made, "lifecycle", instance)
    return made


def procedure_problems(
    record: _Procedure,
    context_problems: Callable[[str], tuple[object, list[Problem]]],
    *,
    recorded: str,
) -> Iterator[Problem]:
    """A procedure record's own rules, each problem at its path.

    Its trail is bound to its id and begun ``recorded`` (no origin), and its context
    holds a valid snapshot, which ``context_problems`` reads.
    """
    yield from binding_problems(record)
    if record.lifecycle.origin is not None:
        expected = f"a trail recorded {recorded} (no origin)"
        yield Problem("lifecycle.origin", expected, repr(record.lifecycle.origin))
    _, problems = context_problems(record.lifecycle.context_json)
    for problem in problems:
        yield problem._replace(path="lifecycle.context" + problem.path[1:])
