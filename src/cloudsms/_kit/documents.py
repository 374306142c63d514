"""Persisted documents: a ``type`` and a ``schema_version`` written first, checked first.

A document class names its type and its current schema version (`document`); the
converter writes both before the fields of a top-level value, and reading a document
of another type or of a version cloudsms does not read fails first. Values nested in
another document carry no header.

A class whose shape changed may go on reading its older versions. It declares, for
each older version, an upgrade step that turns a body of that version into a body of
the next, and a function that tells a body's version from its shape (``version_of``).
The shape is what a nested value has to go by, since it carries no header, and it is
what a document written before its class carried a header has too: such a headerless
body is read at the top level when its shape is of an older version. Where a header
is present, its version is the body's version. Whatever is read is built as the
current version, so it is written back in the current version. A step reports a field
it cannot carry over as a `Problem` (with its path in the old body) and leaves it out;
those problems are reported together with every other problem of the body.

A registry finds a document class by its type name (`document_class`), so that a
reader handed a document of any type (``cloudsms document validate``) can build it.
Like the lifecycle registry, it maps each name to the dotted path of its class and
imports that path only when the name is first looked up: this module never imports
the model, and nothing is imported before a document needs it. The documents
cloudsms ships are registered already; `register_document` adds others.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, TypeVar

from cloudsms._foundation.dotted import resolve
from cloudsms._foundation.frozen import FrozenMapping
from cloudsms._foundation.suggest import suggest
from cloudsms.errors import (
    InvalidDefinition,
    Problem,
    UnknownReference,
    ValidationError,
    describe,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping
    from typing import TypeAlias

    Upgrade: TypeAlias = Callable[[dict[str, Any]], tuple[dict[str, Any], list[Problem]]]
    """A step from a body of one version to the next, with the problems it found."""

T = TypeVar("T")

__all__ = [
    "document",
    "document_class",
    "register_document",
    "registered_documents",
    "suggest_types",
]

_HEADER = frozenset({"type", "schema_version"})


def document(
    type_name: str,
    *,
    version: int,
    upgrades: Mapping[int, Upgrade] | None = None,
    version_of: Callable[[dict[str, Any]], int] | None = None,
) -> Callable[[type[T]], type[T]]:
    """Mark an attrs class as a persisted document of ``type_name`` at schema ``version``.

    ``upgrades`` maps each older version the class still reads to its step: a
    function from a body of that version (a dict without the header) to the body at
    the next version and the problems of the fields it could not carry over (each
    left out of the new body). ``version_of`` tells the version of a body from its
    shape: the oldest version whose shape it has. Both are given together, with a
    step for every version from the oldest read up to ``version - 1``; each step
    leaves a body that is already valid at the next version as it is, since a shape
    several versions share is read as the oldest of them.

    Raises:
        InvalidDefinition: ``version`` is not a positive integer, or the upgrades do
            not lead from each older version to ``version`` one step at a time, or
            only one of ``upgrades`` and ``version_of`` is given.

    Examples:
        >>> import attrs
        >>> from cloudsms._kit.converter import from_dict, to_dict
        >>> @document("cloudsms.example", version=1)
        ... @attrs.frozen
        ... class Note:
        ...     text: str
        >>> to_dict(Note("hi"))
        {'type': 'cloudsms.example', 'schema_version': 1, 'text': 'hi'}

        Version 2 renamed ``text`` to ``body``; a version-1 body is told by its key:

        >>> def renamed(body):
        ...     old = dict(body)
        ...     return {"body": old.pop("text"), **old}, []
        >>> @document(
        ...     "cloudsms.example",
        ...     version=2,
        ...     upgrades={1: renamed},
        ...     version_of=lambda body: 1 if "text" in body else 2,
        ... )
        ... @attrs.frozen
        ... class Note:
        ...     body: str
        >>> from_dict(Note, {"type": "cloudsms.example", "schema_version": 1, "text": "hi"})
        Note(body='hi')
        >>> to_dict(from_dict(Note, {"text": "hi"}))
        {'type': 'cloudsms.example', 'schema_version': 2, 'body': 'hi'}
    """
    steps = dict(upgrades or {})
    faults = _declaration_faults(version, steps, version_of)
    if faults:
        raise InvalidDefinition(f"document {type_name!r}", faults)

    def mark(cls: type[T]) -> type[T]:
        cls.__document_type__ = type_name  # type: ignore[attr-defined]
        cls.__schema_version__ = version  # type: ignore[attr-defined]
        cls.__document_upgrades__ = steps  # type: ignore[attr-defined]
        cls.__document_version_of__ = version_of  # type: ignore[attr-defined]
        return cls

    return mark


def _declaration_faults(version: object, steps: dict[Any, Any], version_of: object) -> list[str]:
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        return [f"the version must be a positive integer, not {describe(version)}"]
    faults: list[str] = []
    if bool(steps) != (version_of is not None):
        faults.append("upgrades and version_of are given together, or neither")
    if version_of is not None and not callable(version_of):
        faults.append(f"version_of must be a function, not {describe(version_of)}")
    if steps:
        oldest = min((k for k in steps if isinstance(k, int)), default=version)
        wanted = set(range(oldest, version))
        faults += [
            f"{describe(k)} is not an older version (1 to {version - 1})"
            for k in steps
            if k not in wanted
        ]
        faults += [f"no upgrade from version {v}" for v in sorted(wanted - set(steps))]
        faults += [
            f"the upgrade from {k} is not a function" for k, f in steps.items() if not callable(f)
        ]
    return faults


def _readable(kind: object) -> tuple[int, ...]:
    """The versions of ``kind`` cloudsms reads, oldest first."""
    current: int = getattr(kind, "__schema_version__")  # noqa: B009 - set by @document
    steps: Mapping[int, object] = getattr(kind, "__document_upgrades__", {})
    return (*sorted(steps), current)


def _header_problems(kind: object, data: Mapping[str, Any]) -> list[Problem]:
    """Problems of a header: ``type`` of another document, a ``schema_version`` not read."""
    expected_type = getattr(kind, "__document_type__")  # noqa: B009 - set by @document
    if data.get("type") != expected_type:
        got = describe(data["type"]) if "type" in data else "nothing"
        return [Problem("$.type", repr(expected_type), got)]
    readable = _readable(kind)
    found = data.get("schema_version")
    if type(found) is int and found in readable:
        return []
    got = describe(found) if "schema_version" in data else "nothing"
    if len(readable) == 1:
        expected = f"{readable[0]} (the version of {expected_type} this cloudsms reads)"
    else:
        shown = ", ".join(str(v) for v in readable)
        expected = f"one of {shown} (the versions of {expected_type} this cloudsms reads)"
    return [Problem("$.schema_version", expected, got)]


def unwrap(kind: object, data: object, subject: str) -> dict[str, Any]:
    """A top-level document's body, after its header is checked.

    The header is taken off, except for a class that reads older versions: its
    reader (`read_versions`) takes the header's version, or the body's shape where
    there is no header. A headerless body is read only when its shape is of an
    older version (written before the class carried a header).

    Raises:
        ValidationError: not an object, another type, or a version not read.
    """
    if not isinstance(data, dict):
        raise ValidationError.single("$", "a JSON object", describe(data), subject=subject)
    version_of = getattr(kind, "__document_version_of__", None)
    if version_of is not None:
        current: int = getattr(kind, "__schema_version__")  # noqa: B009 - set by @document
        if _HEADER.isdisjoint(data) and version_of(data) < current:
            return data
    problems = _header_problems(kind, data)
    if problems:
        raise ValidationError(problems, subject=subject)
    if version_of is not None:
        return data
    return {k: v for k, v in data.items() if k not in _HEADER}


def read_versions(
    kind: object,
    structure: Callable[[object, Any], T],
    problems_of: Callable[[BaseException], list[Problem]],
) -> Callable[[object, Any], T]:
    """``structure`` for a document class that reads older versions; else ``structure`` itself.

    The returned function takes a body of any version the class reads — with a
    header (its version) or without one (its shape's version) — upgrades it step by
    step, and builds the current version with ``structure``. Problems the steps
    found are reported with those ``structure`` finds in the rest of the body;
    ``problems_of`` turns whatever ``structure`` raises into problems.
    """
    version_of = getattr(kind, "__document_version_of__", None)
    if version_of is None:
        return structure
    steps: Mapping[int, Upgrade] = getattr(kind, "__document_upgrades__")  # noqa: B009
    current: int = getattr(kind, "__schema_version__")  # noqa: B009 - set by @document

    def read(value: object, kind_asked: Any) -> T:
        if type(value) is not dict:
            return structure(value, kind_asked)
        problems: list[Problem] = []
        if _HEADER.isdisjoint(value):
            body, version = value, version_of(value)
        else:
            problems = _header_problems(kind, value)
            if problems:
                raise ValidationError(problems)
            body = {k: v for k, v in value.items() if k not in _HEADER}
            version = value["schema_version"]
        for step in range(version, current):
            body, found = steps[step](body)
            problems += found
        if not problems:
            return structure(body, kind_asked)
        try:
            structure(body, kind_asked)
        except Exception as exc:  # noqa: BLE001 - reported with the upgrade's problems
            problems += problems_of(exc)
        raise ValidationError(problems)

    return read


# ---------------------------------------------------------------------- the registry
_BUILT_IN: Mapping[str, str] = FrozenMapping(
    {
        "cloudsms.cloud-service": "cloudsms.services:CloudService",
        "cloudsms.cloud-service-agreement": "cloudsms.agreements.agreement:CloudServiceAgreement",
        "cloudsms.complaint": "cloudsms.parties.complaints:Complaint",
        "cloudsms.incident": "cloudsms.operations.incidents:Incident",
        "cloudsms.service-request": "cloudsms.operations.requests:ServiceRequest",
        "cloudsms.problem": "cloudsms.operations.problems:Problem",
        "cloudsms.change": "cloudsms.operations.changes:Change",
        "cloudsms.release": "cloudsms.operations.releases:Release",
        "cloudsms.resource-pool": "cloudsms.resources.types:ResourcePool",
        "cloudsms.resource-request": "cloudsms.resources.types:ResourceRequest",
        "cloudsms.rate-card": "cloudsms.resources.pricing:RateCard",
        "cloudsms.pool-cost": "cloudsms.resources.provider_cost:PoolCost",
        "cloudsms.exit-procedure": "cloudsms.procedures.termination:ExitProcedure",
        "cloudsms.exit-confirmation": "cloudsms.procedures.termination:ExitConfirmation",
        "cloudsms.onboarding-procedure": "cloudsms.procedures.onboarding:OnboardingProcedure",
        "cloudsms.transfer-procedure": "cloudsms.procedures.transfer:TransferProcedure",
        "cloudsms.removal-procedure": "cloudsms.procedures.removal:RemovalProcedure",
        "cloudsms.evidence-register": "cloudsms.conformity._records:EvidenceRegister",
        "cloudsms.improvement-register": "cloudsms.improvement.register:ImprovementRegister",
    }
)
"""The documents cloudsms ships, by type name, each at the dotted path of its class."""

_REGISTERED: dict[str, str] = dict(_BUILT_IN)
_RESOLVED: dict[str, type] = {}
_TYPE_NAME = re.compile(r"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*")
_PATH = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*:[A-Za-z_]\w*(\.[A-Za-z_]\w*)*")


def register_document(type_name: str, path: str) -> None:
    """Make the document class at ``path`` findable by its type name ``type_name``.

    ``path`` is ``"package.module:Class"``: the module and the class marked with
    `document` under ``type_name``. Nothing is imported now; the path is resolved
    the first time the name is looked up (`document_class`), so a module may
    register its own documents while it is being imported, and registering costs
    nothing for documents never read. Registering a name again with the same path
    changes nothing. Serves every scenario whose records are kept as documents
    (S03, S06, S07 and later), under ISO/IEC 20000-1:2011 4.3.

    Raises:
        InvalidDefinition: ``type_name`` is not dotted words of letters, digits,
            ``-`` and ``_``; ``path`` is not of the form ``"module:Class"``; or
            ``type_name`` is already registered with another path (the documents
            cloudsms ships included).

    Examples:
        >>> register_document("cloudsms.complaint", "cloudsms.parties.complaints:Complaint")
        >>> try:
        ...     register_document("cloudsms.complaint", "mine:Complaint")
        ... except InvalidDefinition as exc:
        ...     print(exc)
        document 'cloudsms.complaint' is declared inconsistently:
          - it is registered as 'cloudsms.parties.complaints:Complaint', not 'mine:Complaint'
    """
    given: tuple[object, object] = (type_name, path)
    faults: list[str] = []
    if not isinstance(given[0], str) or not _TYPE_NAME.fullmatch(given[0]):
        faults.append(
            "the type name must be dotted words of letters, digits, '-' and '_',"
            f" not {describe(type_name)}"
        )
    if not isinstance(given[1], str) or not _PATH.fullmatch(given[1]):
        faults.append(f"the path must be 'package.module:Class', not {describe(path)}")
    subject = f"document {type_name!r}"
    if faults:
        raise InvalidDefinition(subject, faults)
    known = _REGISTERED.setdefault(type_name, path)
    if known != path:
        raise InvalidDefinition(subject, [f"it is registered as {known!r}, not {path!r}"])


def document_class(type_name: str) -> type:
    """The registered document class of ``type_name``, imported from its path on first use.

    Raises:
        UnknownReference: no document of that type is registered (close names
            suggested).
        InvalidDefinition: its path names no module or attribute, or what it names
            is not a class marked with `document` under ``type_name``.

    Examples:
        >>> document_class("cloudsms.complaint").__name__
        'Complaint'
        >>> try:
        ...     document_class("cloudsms.complaints")
        ... except UnknownReference as exc:
        ...     print(exc)
        unknown document type 'cloudsms.complaints'; did you mean cloudsms.complaint?
    """
    key: object = type_name
    found = _RESOLVED.get(type_name) if isinstance(key, str) else None
    if found is not None:
        return found
    path = _REGISTERED.get(type_name) if isinstance(key, str) else None
    if path is None:
        raise UnknownReference(
            "document type", type_name, suggestions=suggest_types(type_name, _REGISTERED)
        )
    resolved, fault = resolve(path)
    declared = getattr(resolved, "__document_type__", None)
    if isinstance(resolved, type) and declared == type_name:
        _RESOLVED[type_name] = resolved
        return resolved
    if fault is None:
        fault = (
            f"{path!r} is the document {declared!r}, not {type_name!r}"
            if isinstance(resolved, type) and isinstance(declared, str)
            else f"{path!r} is {describe(resolved)}, not a class marked with @document"
        )
    raise InvalidDefinition(f"document {type_name!r}", [fault])


def suggest_types(type_name: object, known: Iterable[str]) -> tuple[str, ...]:
    """The known type names close to ``type_name``, closest first (at most three).

    Type names share their ``cloudsms.`` prefix, which says nothing about which one
    was meant, so names are compared without it (``complaints`` with ``complaint``,
    not with ``change``).

    Examples:
        >>> suggest_types("cloudsms.cloud-servce", registered_documents())
        ('cloudsms.cloud-service', 'cloudsms.cloud-service-agreement')
        >>> suggest_types("cloudsms.complaints", registered_documents())
        ('cloudsms.complaint',)
        >>> suggest_types("cloudsms.invoice", registered_documents())
        ()
    """
    if not isinstance(type_name, str):
        return ()
    bare = {name.removeprefix(_SHARED): name for name in known}
    return tuple(bare[name] for name in suggest(type_name.removeprefix(_SHARED), bare, cutoff=0.6))


_SHARED = "cloudsms."


def registered_documents() -> dict[str, str]:
    """Every registered document type with the dotted path of its class, sorted (a copy).

    Examples:
        >>> registered_documents()["cloudsms.cloud-service"]
        'cloudsms.services:CloudService'
    """
    return dict(sorted(_REGISTERED.items()))
