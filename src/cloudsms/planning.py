"""Strategy and plan: objectives with measures, planned releases and what must be ready first.

Serves S02 (establish strategy and plan for the management of cloud services):
service management objectives with a measure and a target, services scheduled into
releases with dates, and the prerequisites a release waits for — supplier
agreements, trained support staff, hardware in place; ISO/IEC 20000-1:2011 4.5.2
and 5.2.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

import attrs

from cloudsms._foundation.frozen import as_tuple
from cloudsms._kit.checks import ident, text
from cloudsms._kit.records import Check, Record, each, unique_by
from cloudsms.errors import Problem, ValidationError, describe

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = [
    "Objective",
    "PlannedRelease",
    "Prerequisite",
    "PrerequisiteKind",
    "ServicePlan",
    "unmet_prerequisites",
]


class PrerequisiteKind(enum.StrEnum):
    """What a release can wait for before the service is commercially available."""

    SUPPLIER_AGREEMENT = "supplier agreement"
    TRAINED_SUPPORT_STAFF = "trained support staff"
    HARDWARE_IN_PLACE = "hardware in place"
    SPECIALIST_STAFF = "specialist staff allocated"
    OTHER = "other"


def _date_problems(value: object, path: str) -> list[Problem]:
    """``[]`` for a date; a datetime is not one (it would compare by its time too)."""
    return [] if type(value) is dt.date else [Problem(path, "a date", describe(value))]


_day = Check(_date_problems, expected="a date")
"""A date, not a datetime (the annotation alone accepts a datetime, a subclass)."""

_ids_once = unique_by("id")


def _prerequisite_ids(value: object, path: str) -> list[Problem]:
    """A list of ids, each bad one told at its index, whatever its type."""
    if not isinstance(value, tuple):
        return [Problem(path, "a list of prerequisite ids", describe(value))]
    return each(ident).problems(value, path)


@attrs.frozen(kw_only=True)
class Objective(Record):
    """A service management objective: what, how it is measured, the target, by when (S02)."""

    id: str = attrs.field(validator=ident)
    statement: str = attrs.field(validator=text)
    measure: str = attrs.field(validator=text)
    target: str = attrs.field(validator=text)
    due: dt.date | None = attrs.field(validator=_day, default=None)


@attrs.frozen(kw_only=True)
class Prerequisite(Record):
    """Something a release needs first, and the day it is (or is expected) ready (S02).

    ``ready_on`` of ``None`` means nobody can yet say when it will be ready.
    """

    id: str = attrs.field(validator=ident)
    kind: PrerequisiteKind
    description: str = attrs.field(validator=text)
    ready_on: dt.date | None = attrs.field(validator=_day, default=None)

    def ready_by(self, day: dt.date) -> bool:
        """Whether it is ready on ``day``.

        Raises:
            ValidationError: ``day`` is not a date (a datetime is not one: at ``$.day``).

        Examples:
            >>> lease = Prerequisite(
            ...     id="dc-lease",
            ...     kind=PrerequisiteKind.SUPPLIER_AGREEMENT,
            ...     description="Colocation lease signed",
            ...     ready_on=dt.date(2026, 5, 1),
            ... )
            >>> lease.ready_by(dt.date(2026, 5, 1))
            True
            >>> lease.ready_by(None)
            Traceback (most recent call last):
            ...
            cloudsms.errors.ValidationError: Prerequisite is invalid (1 problem):
              - expected a date, got null @ $.day
        """
        problems = _date_problems(day, "$.day")
        if problems:
            raise ValidationError(problems, subject="Prerequisite")
        return self.ready_on is not None and self.ready_on <= day


@attrs.frozen(kw_only=True)
class PlannedRelease(Record):
    """A planned release of a service: when, and the prerequisites it waits for (by id; S02)."""

    id: str = attrs.field(validator=ident)
    service_id: str = attrs.field(validator=ident)
    name: str = attrs.field(validator=text)
    planned_for: dt.date = attrs.field(validator=_day)
    prerequisites: tuple[str, ...] = attrs.field(
        validator=Check(_prerequisite_ids, total=True), default=(), converter=as_tuple
    )


@attrs.frozen(kw_only=True)
class ServicePlan(Record):
    """Objectives, prerequisites and planned releases, checked against each other (S02).

    Raises:
        ValidationError: a repeated id, or a release waiting for an unknown prerequisite.
    """

    objectives: tuple[Objective, ...] = attrs.field(
        validator=_ids_once, default=(), converter=as_tuple
    )
    prerequisites: tuple[Prerequisite, ...] = attrs.field(
        validator=_ids_once, default=(), converter=as_tuple
    )
    releases: tuple[PlannedRelease, ...] = attrs.field(
        validator=_ids_once, default=(), converter=as_tuple
    )

    def _rules(self) -> Iterator[Problem]:
        """A release waits only for prerequisites the plan holds."""
        known = {p.id for p in self.prerequisites}
        for index, release in enumerate(self.releases):
            for position, needed in enumerate(release.prerequisites):
                if needed not in known:
                    yield Problem(
                        f"releases[{index}].prerequisites[{position}]",
                        "the id of a prerequisite in the plan",
                        describe(needed),
                    )

    def prerequisite(self, prerequisite_id: str) -> Prerequisite:
        """The prerequisite with this id.

        Raises:
            UnknownReference: no such prerequisite.
        """
        for item in self.prerequisites:
            if item.id == prerequisite_id:
                return item
        from cloudsms.errors import UnknownReference  # noqa: PLC0415

        raise UnknownReference("prerequisite", prerequisite_id)


def unmet_prerequisites(plan: ServicePlan, as_of: dt.date) -> dict[str, tuple[Prerequisite, ...]]:
    """For each planned release, the prerequisites not ready on ``as_of`` (S02).

    Only releases with something unmet appear; their prerequisites keep the order the
    release lists them in. A prerequisite with no ready date is unmet.

    Raises:
        ValidationError: ``plan`` is not a ServicePlan or ``as_of`` is not a date.

    Examples:
        >>> import datetime as dt
        >>> plan = ServicePlan(
        ...     prerequisites=(
        ...         Prerequisite(
        ...             id="dc-lease",
        ...             kind=PrerequisiteKind.SUPPLIER_AGREEMENT,
        ...             description="Colocation lease signed",
        ...             ready_on=dt.date(2026, 5, 1),
        ...         ),
        ...         Prerequisite(
        ...             id="l2-training",
        ...             kind=PrerequisiteKind.TRAINED_SUPPORT_STAFF,
        ...             description="Second-line staff trained",
        ...         ),
        ...     ),
        ...     releases=(
        ...         PlannedRelease(
        ...             id="r1",
        ...             service_id="crm",
        ...             name="CRM GA",
        ...             planned_for=dt.date(2026, 6, 1),
        ...             prerequisites=("dc-lease", "l2-training"),
        ...         ),
        ...     ),
        ... )
        >>> {
        ...     r: [p.id for p in ps]
        ...     for r, ps in unmet_prerequisites(plan, dt.date(2026, 5, 15)).items()
        ... }
        {'r1': ['l2-training']}
    """
    given: object = plan  # typed ServicePlan, yet a caller may pass anything
    problems = (
        []
        if isinstance(given, ServicePlan)
        else [Problem("$.plan", "a ServicePlan", describe(plan))]
    )
    problems += _date_problems(as_of, "$.as_of")
    if problems:
        raise ValidationError(problems, subject="Prerequisite check")
    blocked: dict[str, tuple[Prerequisite, ...]] = {}
    for release in plan.releases:
        unmet = tuple(
            plan.prerequisite(p)
            for p in release.prerequisites
            if not plan.prerequisite(p).ready_by(as_of)
        )
        if unmet:
            blocked[release.id] = unmet
    return blocked
