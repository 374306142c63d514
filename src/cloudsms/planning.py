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

import attrs

from cloudsms._kit.checks import as_tuple, id_problems, text_problems
from cloudsms.errors import Problem, ValidationError, describe

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


def _date_problems(value: object, path: str, *, optional: bool) -> list[Problem]:
    if (value is None and optional) or (type(value) is dt.date):
        return []
    return [Problem(path, "a date" + (" or null" if optional else ""), describe(value))]


@attrs.frozen(kw_only=True)
class Objective:
    """A service management objective: what, how it is measured, the target, by when."""

    id: str
    statement: str
    measure: str
    target: str
    due: dt.date | None = None

    def __attrs_post_init__(self) -> None:
        problems = id_problems(self.id, "$.id") + text_problems(self.statement, "$.statement")
        problems += text_problems(self.measure, "$.measure") + text_problems(
            self.target, "$.target"
        )
        problems += _date_problems(self.due, "$.due", optional=True)
        if problems:
            raise ValidationError(problems, subject="Objective")


@attrs.frozen(kw_only=True)
class Prerequisite:
    """Something a release needs first, and the day it is (or is expected) ready.

    ``ready_on`` of ``None`` means nobody can yet say when it will be ready.
    """

    id: str
    kind: PrerequisiteKind
    description: str
    ready_on: dt.date | None = None

    def __attrs_post_init__(self) -> None:
        kind: object = self.kind
        problems = id_problems(self.id, "$.id")
        if not isinstance(kind, PrerequisiteKind):
            problems.append(Problem("$.kind", "a PrerequisiteKind", describe(kind)))
        problems += text_problems(self.description, "$.description")
        problems += _date_problems(self.ready_on, "$.ready_on", optional=True)
        if problems:
            raise ValidationError(problems, subject="Prerequisite")

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
        problems = _date_problems(day, "$.day", optional=False)
        if problems:
            raise ValidationError(problems, subject="Prerequisite")
        return self.ready_on is not None and self.ready_on <= day


@attrs.frozen(kw_only=True)
class PlannedRelease:
    """A planned release of a service: when, and the prerequisites it waits for (by id)."""

    id: str
    service_id: str
    name: str
    planned_for: dt.date
    prerequisites: tuple[str, ...] = attrs.field(default=(), converter=as_tuple)

    def __attrs_post_init__(self) -> None:
        problems = id_problems(self.id, "$.id") + id_problems(self.service_id, "$.service_id")
        problems += text_problems(self.name, "$.name")
        problems += _date_problems(self.planned_for, "$.planned_for", optional=False)
        needed: object = self.prerequisites
        if not isinstance(needed, tuple):
            problems.append(
                Problem("$.prerequisites", "a list of prerequisite ids", describe(needed))
            )
        else:
            for index, item in enumerate(needed):
                problems += id_problems(item, f"$.prerequisites[{index}]")
        if problems:
            raise ValidationError(problems, subject="PlannedRelease")


@attrs.frozen(kw_only=True)
class ServicePlan:
    """Objectives, prerequisites and planned releases, checked against each other.

    Raises:
        ValidationError: a repeated id, or a release waiting for an unknown prerequisite.
    """

    objectives: tuple[Objective, ...] = attrs.field(default=(), converter=as_tuple)
    prerequisites: tuple[Prerequisite, ...] = attrs.field(default=(), converter=as_tuple)
    releases: tuple[PlannedRelease, ...] = attrs.field(default=(), converter=as_tuple)

    def __attrs_post_init__(self) -> None:
        problems: list[Problem] = []
        parts = {
            "objectives": (self.objectives, Objective),
            "prerequisites": (self.prerequisites, Prerequisite),
            "releases": (self.releases, PlannedRelease),
        }
        for name, (values, kind) in parts.items():
            given: object = values
            if not isinstance(given, tuple) or not all(isinstance(v, kind) for v in given):
                problems.append(
                    Problem(f"$.{name}", f"a list of {kind.__name__}", describe(given))
                )
                continue
            seen: set[str] = set()
            for index, value in enumerate(given):
                if value.id in seen:
                    problems.append(
                        Problem(f"$.{name}[{index}].id", "an id used once", describe(value.id))
                    )
                seen.add(value.id)
        if not problems:
            known = {p.id for p in self.prerequisites}
            for index, release in enumerate(self.releases):
                problems += [
                    Problem(
                        f"$.releases[{index}].prerequisites[{position}]",
                        "the id of a prerequisite in the plan",
                        describe(needed),
                    )
                    for position, needed in enumerate(release.prerequisites)
                    if needed not in known
                ]
        if problems:
            raise ValidationError(problems, subject="ServicePlan")

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
    problems += _date_problems(as_of, "$.as_of", optional=False)
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
