"""Service requirements, classified and traced from who asked to what satisfies them.

Serves S04 (identify and manage service requirements for cloud services);
ISO/IEC 20000-1:2011 4, 5.2, 5.3, 6.1, 7.1, 7.2, 9.1 and 9.2. The customer's
acknowledgement of terms and obligations, also part of S04, is
`cloudsms.parties.Acknowledgement`.

A `ServiceRequirement` says what is required, who or what asked for it (its
`RequirementSource`), which capability layer it concerns (application, platform or
infrastructure — required for functional requirements), which quality
characteristic it is about, the criteria that accept it, and the ids of what
satisfies it. A `RequirementRegister` holds the requirements; with a
`cloudsms.catalogue.Catalogue` it checks those ids exist, and `trace()` follows a
requirement from its source to the entries, offerings, services and components
that satisfy it, while `untraced()` lists the requirements that cannot be traced.
"""

from __future__ import annotations

import enum
import functools
import re
from typing import TYPE_CHECKING

import attrs

from cloudsms._foundation.frozen import as_tuple
from cloudsms._kit.checks import ID, id_problems, ident, member_of, text, texts
from cloudsms._kit.records import Check, Record
from cloudsms.catalogue import Catalogue
from cloudsms.errors import Problem, UnknownReference, ValidationError, describe

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = [
    "CapabilityType",
    "QualityCharacteristic",
    "RequirementRegister",
    "RequirementSource",
    "ServiceRequirement",
    "SourceKind",
    "Trace",
    "TraceLink",
]


class CapabilityType(enum.StrEnum):
    """The capability layer a functional requirement uses."""

    APPLICATION = "application"
    PLATFORM = "platform"
    INFRASTRUCTURE = "infrastructure"


class QualityCharacteristic(enum.StrEnum):
    """The quality of delivery a requirement is about."""

    FUNCTIONALITY = "functionality"
    AVAILABILITY = "availability"
    SCALABILITY = "scalability"
    RESILIENCE = "resilience"
    INFORMATION_SECURITY = "information security"
    PRIVACY = "privacy"
    PORTABILITY = "portability"
    INTEROPERABILITY = "interoperability"
    PERFORMANCE = "performance"
    MAINTAINABILITY = "maintainability"


class SourceKind(enum.StrEnum):
    """Who or what a requirement came from."""

    CUSTOMER = "customer"
    USER = "user"
    INTERESTED_PARTY = "interested party"
    PROVIDER = "provider"
    SUPPLIER = "supplier"
    STATUTORY = "statutory"
    REGULATORY = "regulatory"
    CONTRACTUAL = "contractual"


_KINDS = {"service": "service", "component": "component", "catalogue-entry": "catalogue entry"}
_TARGET = re.compile(rf"(?:(?:{'|'.join([*_KINDS, 'offering'])}):)?{ID.pattern}(?::{ID.pattern})?")


def _target_list_problems(value: object, path: str) -> list[Problem]:
    """``[]`` for distinct targets: an id, ``ENTRY:OFFERING``, either with its kind in front.

    A target may name anything whose id is well formed in its qualified form
    (``catalogue-entry:`` and a 64-character id), so targets are checked by shape,
    not by the length of one id.
    """
    if not isinstance(value, tuple):
        return [Problem(path, "a list of targets", describe(value))]
    expected = (
        "a target: an id, ENTRY:OFFERING, or either after service:, component:, "
        "catalogue-entry: or offering:"
    )
    problems = [
        Problem(f"{path}[{index}]", expected, describe(item))
        for index, item in enumerate(value)
        if not (isinstance(item, str) and _TARGET.fullmatch(item))
    ]
    if not problems and len(set(value)) != len(value):
        problems.append(Problem(path, "distinct targets", describe(value)))
    return problems


_target_list = Check(_target_list_problems, total=True)


@attrs.frozen(kw_only=True)
class RequirementSource(Record):
    """Where a requirement came from: the kind of source and a reference to it (S04).

    ``reference`` names the party or the document (``"customer acme"``,
    ``"GDPR art. 32"``, ``"contract C-2026-14 §4"``).
    """

    kind: SourceKind
    reference: str = attrs.field(validator=text)

    def __str__(self) -> str:
        return f"{self.kind.value}: {self.reference}"


@attrs.frozen(kw_only=True)
class ServiceRequirement(Record):
    """One requirement on the SMS or a cloud service (S04; 20000-1:2011 5.2, 6.1, 7.1).

    ``source`` is ``None`` while nobody has recorded where it came from, and
    ``satisfied_by`` empty while nothing meets it: both make it untraced.
    ``capability`` is required when ``quality`` is functionality, and optional for
    the other characteristics. At least one acceptance criterion is required, so the
    requirement can be verified.

    Raises:
        ValidationError: every problem of the fields, each with its path.

    Examples:
        >>> req = ServiceRequirement(
        ...     id="REQ-1",
        ...     statement="Customers can export their data in an open format",
        ...     source=RequirementSource(kind=SourceKind.CUSTOMER, reference="acme"),
        ...     capability=CapabilityType.APPLICATION,
        ...     quality=QualityCharacteristic.PORTABILITY,
        ...     acceptance_criteria=("a full export opens in a CSV reader",),
        ...     satisfied_by=("crm-standard",),
        ... )
        >>> req.traced
        True
    """

    id: str = attrs.field(validator=ident)
    statement: str = attrs.field(validator=text)
    source: RequirementSource | None = None
    capability: CapabilityType | None = None
    quality: QualityCharacteristic
    acceptance_criteria: tuple[str, ...] = attrs.field(
        validator=texts(at_least_one=True), converter=as_tuple
    )
    satisfied_by: tuple[str, ...] = attrs.field(
        validator=_target_list, default=(), converter=as_tuple
    )

    def _rules(self) -> Iterator[Problem]:
        """A functional requirement names the capability layer it uses."""
        if self.capability is None and self.quality is QualityCharacteristic.FUNCTIONALITY:
            yield Problem("capability", "a capability type for a functional requirement", "null")

    @property
    def traced(self) -> bool:
        """Whether the requirement has a source and something that satisfies it."""
        return self.source is not None and bool(self.satisfied_by)


@attrs.frozen(kw_only=True)
class TraceLink(Record):
    """One thing that satisfies a requirement: its id, what it is, its name."""

    id: str
    kind: str
    name: str

    def __str__(self) -> str:
        return f"{self.id} ({self.kind}: {self.name})"


@attrs.frozen(kw_only=True)
class Trace(Record):
    """A requirement followed from its source to what satisfies it (S04)."""

    requirement: ServiceRequirement
    source: RequirementSource | None
    satisfied_by: tuple[TraceLink, ...] = attrs.field(converter=as_tuple)

    @property
    def complete(self) -> bool:
        """Whether the trace runs from a source to at least one satisfying object."""
        return self.source is not None and bool(self.satisfied_by)

    def __str__(self) -> str:
        start = "no source" if self.source is None else str(self.source)
        end = ", ".join(map(str, self.satisfied_by)) or "nothing satisfies it"
        return f"{start} -> {self.requirement.id} -> {end}"


@attrs.frozen(kw_only=True)
class RequirementRegister(Record):
    """The service requirements, optionally checked against a catalogue (S04).

    With a ``catalogue``, every id in ``satisfied_by`` must be a catalogue entry,
    an offering (``"entry-id:offering-id"``, or a bare offering id used once), or a
    service or component of the catalogue's graph; `trace` names each one. Without
    a catalogue the ids are kept as given and traced as ``"unresolved"``.

    Raises:
        ValidationError: a repeated requirement id, or (with a catalogue) an id that
            names nothing in it.

    Examples:
        >>> register = RequirementRegister(
        ...     requirements=(
        ...         ServiceRequirement(
        ...             id="REQ-2",
        ...             statement="Recover from the loss of one data centre",
        ...             quality=QualityCharacteristic.RESILIENCE,
        ...             acceptance_criteria=("a fail-over drill passes every quarter",),
        ...         ),
        ...     )
        ... )
        >>> [r.id for r in register.untraced()]
        ['REQ-2']
        >>> print(register.trace("REQ-2"))
        no source -> REQ-2 -> nothing satisfies it
    """

    requirements: tuple[ServiceRequirement, ...] = attrs.field(default=(), converter=as_tuple)
    catalogue: Catalogue | None = None

    def _rules(self) -> Iterator[Problem]:
        """Each requirement id is used once; with a catalogue, each target names one thing."""
        seen: set[str] = set()
        for index, requirement in enumerate(self.requirements):
            if requirement.id in seen:
                yield Problem(
                    f"requirements[{index}].id", "an id used once", describe(requirement.id)
                )
            seen.add(requirement.id)
            if self._targets is not None:
                yield from self._targets.requirement_problems(
                    requirement, f"requirements[{index}]"
                )

    @functools.cached_property
    def _by_id(self) -> dict[str, ServiceRequirement]:
        return {r.id: r for r in self.requirements}

    @functools.cached_property
    def _targets(self) -> _Targets | None:
        return None if self.catalogue is None else _Targets(self.catalogue)

    def __iter__(self) -> Iterator[ServiceRequirement]:
        return iter(self.requirements)

    def __len__(self) -> int:
        return len(self.requirements)

    def requirement(self, requirement_id: str) -> ServiceRequirement:
        """The requirement with this id.

        Raises:
            UnknownReference: no such requirement (with close matches).
        """
        key: object = requirement_id
        found = self._by_id.get(key) if isinstance(key, str) else None
        if found is None:
            from cloudsms._foundation.suggest import suggest  # noqa: PLC0415

            raise UnknownReference(
                "service requirement",
                str(key),
                suggestions=suggest(key, self._by_id) if isinstance(key, str) else (),
            )
        return found

    def trace(self, requirement: ServiceRequirement | str) -> Trace:
        """Follow ``requirement`` (or its id) from its source to what satisfies it.

        Raises:
            UnknownReference: the register has no requirement with that id.
        """
        found = self.requirement(
            requirement.id if isinstance(requirement, ServiceRequirement) else requirement
        )
        links = tuple(self._link(t) for t in found.satisfied_by)
        return Trace(requirement=found, source=found.source, satisfied_by=links)

    def _link(self, target: str) -> TraceLink:
        if self._targets is None:
            return TraceLink(id=target, kind="unresolved", name=target)
        return self._targets.resolve(target)

    def untraced(self) -> tuple[ServiceRequirement, ...]:
        """The requirements with no source, or nothing that satisfies them, in order."""
        return tuple(r for r in self.requirements if not r.traced)

    def satisfied_by(self, target: str) -> tuple[ServiceRequirement, ...]:
        """The requirements that ``target`` (an entry, offering, service or component) meets.

        With a catalogue, every way of naming the same thing finds the same
        requirements (``"vm:std"`` and a bare ``"std"``, ``"crm"`` and ``"service:crm"``).

        Raises:
            ValidationError: with a catalogue, ``target`` names nothing in it, or is ambiguous.
        """
        if self._targets is None:
            _raise_unless_id(target)
            return tuple(r for r in self.requirements if target in r.satisfied_by)
        problem = self._targets.problem(target, "$.target")
        if problem is not None:
            raise ValidationError([problem], subject="requirement query")
        wanted = self._targets.resolve(target)
        return tuple(
            r for r in self.requirements if any(self._link(t) == wanted for t in r.satisfied_by)
        )

    def by_quality(self, quality: QualityCharacteristic | str) -> tuple[ServiceRequirement, ...]:
        """The requirements about one quality characteristic, in order.

        Raises:
            ValidationError: ``quality`` is not a quality characteristic.
        """
        wanted = member_of(
            QualityCharacteristic, quality, "$.quality", subject="requirement query"
        )
        return tuple(r for r in self.requirements if r.quality is wanted)

    def with_requirement(self, requirement: ServiceRequirement) -> RequirementRegister:
        """A new register with ``requirement`` added, or replacing the one with its id.

        Raises:
            ValidationError: ``requirement`` is not a `ServiceRequirement`, or its
                targets are not in the register's catalogue.
        """
        given: object = requirement
        if not isinstance(given, ServiceRequirement):
            raise ValidationError.single(
                "$.requirement",
                "a ServiceRequirement",
                describe(given),
                subject="RequirementRegister",
            )
        kept = [r for r in self.requirements if r.id != requirement.id]
        position = next(
            (i for i, r in enumerate(self.requirements) if r.id == requirement.id), len(kept)
        )
        kept.insert(position, requirement)
        return RequirementRegister(requirements=tuple(kept), catalogue=self.catalogue)


def _raise_unless_id(target: object) -> None:
    problems = id_problems(target, "$.target")
    if problems:
        raise ValidationError(problems, subject="requirement query")


class _Targets:
    """The names requirement targets may use in a catalogue, and what each one names.

    Services, components and entries are named by id, or by ``service:ID``,
    ``component:ID`` and ``catalogue-entry:ID``; offerings by ``ENTRY:OFFERING`` or
    ``offering:ENTRY:OFFERING``, or by the bare offering id. A name that would name
    two different things (ids may contain ``:``) is ambiguous and refused.
    """

    def __init__(self, catalogue: Catalogue) -> None:
        self.names: dict[str, list[TraceLink]] = {}
        graph = catalogue.graph
        things = [("service", s.id, s.name) for s in graph.services]
        things += [("component", c.id, c.name) for c in graph.components]
        things += [("catalogue-entry", e.id, e.name) for e in catalogue.entries]
        for prefix, thing_id, name in things:
            link = TraceLink(id=thing_id, kind=_KINDS[prefix], name=name)
            self._add(f"{prefix}:{thing_id}", link)
            self._add(thing_id, link)
        for entry in catalogue.entries:
            for offering in entry.offerings:
                qualified = f"{entry.id}:{offering.id}"
                link = TraceLink(id=qualified, kind="offering", name=offering.name)
                self._add(f"offering:{qualified}", link)
                self._add(qualified, link)
                self._add(offering.id, link)

    def _add(self, name: str, link: TraceLink) -> None:
        links = self.names.setdefault(name, [])
        if link not in links:
            links.append(link)

    def problem(self, target: object, path: str) -> Problem | None:
        links = self.names.get(target, []) if isinstance(target, str) else []
        if len(links) == 1:
            return None
        if links:
            kinds = " and ".join(f"{link.kind} {link.id!r}" for link in links)
            return Problem(
                path, f"an unambiguous name ({target!r} names the {kinds})", describe(target)
            )
        return Problem(
            path, "an entry, offering, service or component of the catalogue", describe(target)
        )

    def resolve(self, target: str) -> TraceLink:
        return self.names[target][0]

    def requirement_problems(self, requirement: ServiceRequirement, path: str) -> list[Problem]:
        """Each target of ``requirement`` names one thing, and no thing is named twice."""
        problems: list[Problem] = []
        seen: dict[TraceLink, str] = {}
        for position, target in enumerate(requirement.satisfied_by):
            where = f"{path}.satisfied_by[{position}]"
            problem = self.problem(target, where)
            if problem is not None:
                problems.append(problem)
                continue
            link = self.resolve(target)
            if link in seen:
                problems.append(
                    Problem(where, "each target once", f"{target!r}, which {seen[link]!r} names")
                )
            seen[link] = target
        return problems
