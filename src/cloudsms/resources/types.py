"""Resources of cloud services: their types, allocations, usage, pools and requests (S11).

A customer holds resources of a service under its agreement: virtual CPUs, memory,
storage, IP addresses, licences, seats, bandwidth (`MeteringKind.ALLOCATED`: held
for a time and paid for by the time held), and uses others that are counted as
they are consumed: requests served, data transferred (`MeteringKind.METERED`).
`ResourceType` says what each is counted in and under which FinOps FOCUS service
category it is reported; the built-in table is data (``cloudsms/data/resource_types.json``),
read by `resource_types` and `resource_type`, and a caller may pass its own table
wherever one is read (``types=``).

An `Allocation` is one holding of a resource from an instant (``since``) until it
is released (``until``, ``None`` while held); a `Usage` is what was used over an
interval. A `ResourcePool` is the capacity the provider has per resource type in
one location. A `ResourceRequest` (allocate, release, resize) is the customer's
ask; `ResourceRequest.apply` computes the allocations it would leave, without
checking any limit (the procedure `cloudsms.procedures.resource_change` checks the
agreement's limits and the pool's capacity and carries it out as a standard change).
`reclaim_candidates` lists holdings left unused for an agreed number of days (a
list to act on through release requests: nothing is released here) and
`utilisation` compares what was used with what was held, per resource type.

Serves S11 (manage resources for cloud services) and ISO/IEC 20000-1:2011 4.4
(resource management), 6.4 (budgeting and accounting: what is held and used is
what is costed), 6.5 (capacity management: pools, free capacity, utilisation,
reclaiming), 9.1 (configuration: ``resource_id`` names the configuration item)
and 9.2 (change management: requests are standard changes).
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import json
from fractions import Fraction
from importlib import resources as _package_data
from typing import TYPE_CHECKING, Any, TypeVar, cast

import attrs
from dateutil.relativedelta import relativedelta

from cloudsms import agreements
from cloudsms._foundation.exact import to_decimal
from cloudsms._foundation.frozen import as_tuple
from cloudsms._foundation.instants import instant_key, instant_problems
from cloudsms._foundation.slots import slot_setter
from cloudsms._foundation.suggest import suggest
from cloudsms._kit.checks import ident, instant, raise_problems, text
from cloudsms._kit.documents import document
from cloudsms._kit.records import Record, check, unique_by
from cloudsms.errors import Problem, UnknownReference, ValidationError, describe
from cloudsms.periods import Period, add_calendar
from cloudsms.units import (
    Quantity,
    calendar_units,
    dimension,
    format_quantity,
    fraction_in,
    quantity,
    quantity_problems,
    same_dimension,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

__all__ = [
    "Allocation",
    "FocusServiceCategory",
    "MeteringKind",
    "PoolCapacity",
    "ReclaimCandidate",
    "ResourcePool",
    "ResourceRequest",
    "ResourceRequestKind",
    "ResourceType",
    "Usage",
    "Utilisation",
    "reclaim_candidates",
    "resource_type",
    "resource_types",
    "utilisation",
]

_UTC = dt.UTC
_Item = TypeVar("_Item")


def _utc(instant: dt.datetime) -> dt.datetime:
    return instant.astimezone(_UTC)


def _unit_text(value: Quantity) -> str:
    """The unit part of a quantity's wire text: ``vcpu`` of ``4 vcpu``, ``h*vcpu``."""
    return format_quantity(value).partition(" ")[2]


# ---------------------------------------------------------------------- enumerations
class MeteringKind(enum.StrEnum):
    """How a resource is counted: held for a time, or counted as it is used (S11).

    ``ALLOCATED`` resources (virtual CPUs, memory, storage, IP addresses, licences,
    seats, bandwidth) are held from one instant to another and cost by the time
    held; ``METERED`` ones (requests served, data transferred) cost by the amount
    used, whenever in the period it was used.
    """

    ALLOCATED = "allocated"
    METERED = "metered"


class FocusServiceCategory(enum.StrEnum):
    """The FinOps FOCUS 1.0 service categories a resource's cost is reported under.

    The nineteen allowed values of the ``ServiceCategory`` column of the FinOps
    Open Cost and Usage Specification (FOCUS) 1.0, as its file
    ``specification/columns/servicecategory.md`` lists them, spelt exactly so. They
    classify what a charge is for, so cost data lines up with other providers'
    bills; they are a different thing from the ISO/IEC 17788 category of a cloud
    service (`cloudsms.catalogue.ServiceCategory`: IaaS, PaaS, SaaS, ...), which
    says how the whole service is offered.
    """

    AI_AND_MACHINE_LEARNING = "AI and Machine Learning"
    ANALYTICS = "Analytics"
    BUSINESS_APPLICATIONS = "Business Applications"
    COMPUTE = "Compute"
    DATABASES = "Databases"
    DEVELOPER_TOOLS = "Developer Tools"
    MULTICLOUD = "Multicloud"
    IDENTITY = "Identity"
    INTEGRATION = "Integration"
    INTERNET_OF_THINGS = "Internet of Things"
    MANAGEMENT_AND_GOVERNANCE = "Management and Governance"
    MEDIA = "Media"
    MIGRATION = "Migration"
    MOBILE = "Mobile"
    NETWORKING = "Networking"
    SECURITY = "Security"
    STORAGE = "Storage"
    WEB = "Web"
    OTHER = "Other"


class ResourceRequestKind(enum.StrEnum):
    """What a resource request asks for (S11): more, less, or a different amount.

    ``ALLOCATE`` adds a new holding; ``RELEASE`` ends one; ``RESIZE`` changes the
    amount of one (the holding is closed and a new one of the new amount opened
    at the same instant, so the time before the change keeps its old amount).
    """

    ALLOCATE = "allocate"
    RELEASE = "release"
    RESIZE = "resize"


# ---------------------------------------------------------------------- resource types
_UNIT_EXAMPLE = "a unit such as 'vcpu', 'GiB', 'TB', 'ip_address', 'seat' or 'request'"


def _resource_unit_problems(value: object, path: str) -> list[Problem]:
    """A unit counting one of a resource: it parses, is not a bare number, holds no time."""
    if not isinstance(value, str) or not value.strip():
        return [Problem(path, _UNIT_EXAMPLE, describe(value))]
    try:
        one = quantity(1, value)
    except ValidationError as refused:
        return [Problem(path, refused.problems[0].expected, describe(value))]
    if calendar_units(one):
        expected = "a unit without calendar time (months and years have no fixed length)"
        return [Problem(path, expected, describe(value))]
    powers = dict(one.dimensionality.items())
    if not powers:
        return [Problem(path, f"{_UNIT_EXAMPLE} (it counts something)", describe(value))]
    if powers.get("[time]", 0) > 0:
        expected = (
            "a unit counting the resource itself, not the time it is held (vcpu, not vcpu*hour)"
        )
        return [Problem(path, expected, describe(value))]
    return []


_RESOURCE_UNIT = check(_resource_unit_problems, expected=_UNIT_EXAMPLE, total=True)


@attrs.frozen(kw_only=True)
class ResourceType(Record):
    """A kind of resource a customer holds or uses: what it is counted in, how it costs.

    ``id`` names the type in allocations, usage, pools and rate cards (``"vcpu"``);
    ``name`` is for people. ``unit`` is the unit one of the resource is counted
    in: text `cloudsms.units.quantity` reads that counts something (not a bare
    number), holds no calendar unit and no time (``vcpu``, not ``vcpu*hour``: the
    time held is what allocations add). ``kind`` says whether it is held for a time
    or counted as used (`MeteringKind`), and ``focus_category`` the FinOps FOCUS
    service category its cost is reported under (`FocusServiceCategory`).

    ``limited_by`` reconciles the type with the agreement's resource limits (S07):
    it is the `cloudsms.agreements.ResourceType` whose `cloudsms.agreements.ResourceLimit`
    caps how much of this type a customer may hold, or ``None`` when no limit kind
    measures it (IP addresses; requests served, which a request *rate* limit does
    not measure; data transferred). Several types may name one limit kind. The
    unit must then be of the limit kind's dimension, so a holding converts to the
    limit's unit.

    Serves S11 (resources and their cost) and S07 (resource limits); ISO/IEC
    20000-1:2011 4.4, 6.4 and 6.5.

    Raises:
        ValidationError: every problem of the fields, each with its path: a unit
            that does not parse, counts nothing or holds time (``$.unit``), or one of
            another dimension than ``limited_by`` measures (``$.unit``).

    Examples:
        >>> vcpu = resource_type("vcpu")
        >>> vcpu.unit, vcpu.kind.value, vcpu.focus_category.value, vcpu.limited_by.value
        ('vcpu', 'allocated', 'Compute', 'vcpu')
        >>> vcpu.dimension
        '[vcpu]'
    """

    id: str = attrs.field(validator=ident)
    name: str = attrs.field(validator=text)
    unit: str = attrs.field(validator=_RESOURCE_UNIT)
    kind: MeteringKind
    focus_category: FocusServiceCategory
    limited_by: agreements.ResourceType | None = None

    def _rules(self) -> Iterator[Problem]:
        """The unit is of the dimension the limit kind measures, where one is named."""
        if self.limited_by is not None:
            limit_unit = self.limited_by.dimension_unit
            if not same_dimension(quantity(1, self.unit), limit_unit):
                expected = (
                    f"a unit of the dimension {self.limited_by.value!r} limits are"
                    f" measured in (convertible to {limit_unit})"
                )
                yield Problem("unit", expected, describe(self.unit))

    @property
    def dimension(self) -> str:
        """What the unit measures, as `cloudsms.units.dimension` writes it: ``'[vcpu]'``."""
        return dimension(quantity(1, self.unit))


_DATA_FILE = "resource_types.json"


@functools.cache
def _built_in() -> tuple[ResourceType, ...]:
    """The shipped table, read and checked on first use."""
    raw = _package_data.files("cloudsms").joinpath("data", _DATA_FILE).read_text("utf-8")
    entries: list[dict[str, Any]] = json.loads(raw)["resource_types"]
    return tuple(
        ResourceType(
            id=entry["id"],
            name=entry["name"],
            unit=entry["unit"],
            kind=MeteringKind(entry["kind"]),
            focus_category=FocusServiceCategory(entry["focus_category"]),
            limited_by=(
                None
                if entry["limited_by"] is None
                else agreements.ResourceType(entry["limited_by"])
            ),
        )
        for entry in entries
    )


def resource_types() -> tuple[ResourceType, ...]:
    """The resource types cloudsms ships, in the order of their data file.

    Read once from ``cloudsms/data/resource_types.json``: vcpu, instance, memory,
    storage, ip_address, licence, seat, bandwidth (allocated), requests and
    data_transfer (metered).

    Examples:
        >>> [t.id for t in resource_types()][:4]
        ['vcpu', 'instance', 'memory', 'storage']
    """
    return _built_in()


def _table(
    types: Iterable[ResourceType] | None, *, subject: str = "resource types"
) -> dict[str, ResourceType]:
    """A lookup table by id: the built-in types, or the caller's own.

    The one check of a ``types=`` argument, wherever one is taken (the model's
    functions, the CSV readers, `cloudsms.procedures.resource_change`): an item
    that is not a `ResourceType` (``$.types[i]``) or an id listed twice
    (``$.types[i].id``) is refused, every problem at once, under ``subject``.
    """
    chosen: tuple[object, ...] = _built_in() if types is None else tuple(types)
    table: dict[str, ResourceType] = {}
    problems: list[Problem] = []
    for index, kind in enumerate(chosen):
        if not isinstance(kind, ResourceType):
            problems.append(Problem(f"$.types[{index}]", "a ResourceType", describe(kind)))
        elif kind.id in table:
            problems.append(Problem(f"$.types[{index}].id", "an id used once", describe(kind.id)))
        else:
            table[kind.id] = kind
    raise_problems(problems, subject)
    return table


def resource_type(type_id: str, *, types: Iterable[ResourceType] | None = None) -> ResourceType:
    """The resource type of id ``type_id``, from ``types`` or the built-in table.

    Raises:
        UnknownReference: no type of that id; the close ids are suggested.

    Examples:
        >>> resource_type("memory").unit
        'GiB'
        >>> resource_type("vpcu")
        Traceback (most recent call last):
        ...
        cloudsms.errors.UnknownReference: unknown resource type 'vpcu'; did you mean vcpu?
    """
    table = _table(types)
    try:
        return table[type_id]
    except (KeyError, TypeError):
        raise UnknownReference(
            "resource type", type_id, suggestions=suggest(type_id, table)
        ) from None


# ---------------------------------------------------------------------- allocations
def _positive_problems(value: object, path: str) -> list[Problem]:
    found = quantity_problems(value, path, example="a quantity above zero, such as '4 vcpu'")
    if found:
        return found
    held: Any = value
    if not held.magnitude > 0:
        return [Problem(path, "a quantity above zero", format_quantity(held))]
    if calendar_units(held):
        expected = "a quantity without calendar units (months and years have no fixed length)"
        return [Problem(path, expected, format_quantity(held))]
    return []


def _not_negative_problems(value: object, path: str) -> list[Problem]:
    found = quantity_problems(value, path, example="a quantity not below zero, such as '350 GiB'")
    if found:
        return found
    used: Any = value
    if used.magnitude < 0:
        return [Problem(path, "a quantity not below zero", format_quantity(used))]
    if calendar_units(used):
        expected = "a quantity without calendar units (months and years have no fixed length)"
        return [Problem(path, expected, format_quantity(used))]
    return []


_POSITIVE = check(_positive_problems, expected="a quantity above zero", total=True)
_NOT_NEGATIVE = check(_not_negative_problems, expected="a quantity not below zero", total=True)


def _optional_key(value: dt.datetime | None) -> tuple[dt.datetime, str] | None:
    return None if value is None else instant_key(value)


def _after(start: dt.datetime, end: dt.datetime, field: str, what: str) -> Iterator[Problem]:
    if _utc(end) <= _utc(start):
        yield Problem(field, f"an instant after {what} ({start.isoformat()})", end.isoformat())


@attrs.frozen
class Allocation(Record):
    """A customer's holding of a resource under an agreement, from ``since`` until released.

    Built as ``Allocation(customer, agreement, service, resource_type, quantity,
    since, until=None, *, resource_id=None, cost_centre=None, location=None)``.
    ``customer``, ``agreement`` and ``service`` are the ids of the cloud service
    customer, its agreement and the subscribed service the resource serves;
    ``resource_type`` is a `ResourceType` id (``"vcpu"``); ``quantity`` how much is
    held, above zero (``4 vcpu``). The holding is the half-open span ``[since,
    until)`` of aware instants, compared on the absolute timeline; ``until`` is
    ``None`` while the resource is held and, when given, after ``since``. The CSV
    files call ``since`` ``from``.

    ``resource_id`` names the `cloudsms.configuration.ConfigurationItem` holding
    the resource (a virtual machine, a volume) when there is one: it tells several
    holdings of one type apart and is the FOCUS ``ResourceId`` of its cost lines.
    ``cost_centre`` is the customer's own cost centre the cost is booked to;
    ``location`` is the location of the pool the resource is drawn from.

    That the quantity is of the type's unit is checked where the type table is at
    hand (`utilisation`, `ResourcePool.free`, the CSV reader), not here.

    Serves S11 (resources allocated to a customer); ISO/IEC 20000-1:2011 4.4, 6.4
    and 9.1.

    Raises:
        ValidationError: every problem of the fields, each with its path: a
            quantity of zero or less (``$.quantity``), a naive instant, an ``until``
            not after ``since`` (``$.until``).

    Examples:
        >>> import datetime as dt
        >>> from cloudsms.units import quantity
        >>> oct1 = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
        >>> held = Allocation("acme", "agr-1", "vm", "vcpu", quantity("4 vcpu"), oct1)
        >>> held.held_at(oct1), held.until is None
        (True, True)
        >>> released = held.released(dt.datetime(2026, 10, 17, 12, tzinfo=dt.UTC))
        >>> released.held(Period.month(2026, 10, "UTC")).hours
        Fraction(396, 1)
    """

    customer: str = attrs.field(validator=ident)
    agreement: str = attrs.field(validator=ident)
    service: str = attrs.field(validator=ident)
    resource_type: str = attrs.field(validator=ident)
    quantity: Quantity = attrs.field(validator=_POSITIVE)
    since: dt.datetime = attrs.field(validator=instant, eq=instant_key)
    until: dt.datetime | None = attrs.field(default=None, validator=instant, eq=_optional_key)
    resource_id: str | None = attrs.field(default=None, validator=ident, kw_only=True)
    cost_centre: str | None = attrs.field(default=None, validator=text, kw_only=True)
    location: str | None = attrs.field(default=None, validator=text, kw_only=True)

    def _rules(self) -> Iterator[Problem]:
        """A released holding ends after it starts."""
        if self.until is not None:
            yield from _after(self.since, self.until, "until", "since")

    @classmethod
    def trusted(  # noqa: PLR0917 - the constructor's own positional fields
        cls,
        customer: str,
        agreement: str,
        service: str,
        resource_type: str,
        quantity: Quantity,
        since: dt.datetime,
        until: dt.datetime | None = None,
        *,
        resource_id: str | None = None,
        cost_centre: str | None = None,
        location: str | None = None,
    ) -> Allocation:
        """An allocation of values already checked, built without checking them again.

        For hot paths that build allocations by the thousand from values another
        check has passed: the fields of a checked `Allocation` (as `released` and
        `ResourceRequest.apply` do), or rows a reader has checked cell by cell.
        Nothing is checked: values that would not pass the constructor give an
        allocation that breaks its invariants, so use the constructor for anything
        else. About ten times faster than the constructor.
        """
        made = _new_object(cls)
        _set_customer(made, customer)
        _set_agreement(made, agreement)
        _set_service(made, service)
        _set_resource_type(made, resource_type)
        _set_quantity(made, quantity)
        _set_since(made, since)
        _set_until(made, until)
        _set_resource_id(made, resource_id)
        _set_cost_centre(made, cost_centre)
        _set_location(made, location)
        return made

    @property
    def key(self) -> tuple[str, str, str, str, str | None]:
        """What identifies the holding: customer, agreement, service, type and resource id."""
        return (self.customer, self.agreement, self.service, self.resource_type, self.resource_id)

    @property
    def period(self) -> Period | None:
        """The holding as a `cloudsms.periods.Period`, or ``None`` while it is held."""
        return None if self.until is None else Period(self.since, self.until)

    def held_at(self, instant: dt.datetime) -> bool:
        """Whether the resource is held at ``instant``: from ``since``, up to but not at ``until``.

        Raises:
            ValidationError: ``instant`` is not an aware instant (at ``$.instant``).
        """
        raise_problems(instant_problems(instant, "$.instant"), "allocation query")
        moment = _utc(instant)
        return _utc(self.since) <= moment and (self.until is None or moment < _utc(self.until))

    def held(self, period: Period) -> Period | None:
        """The part of ``period`` in which the resource is held, or ``None`` if none is.

        The bounds are written in the zones of ``period``'s bounds, so the result
        splits into days and months (`Period.split`, `Period.calendar_count`) as the
        period does.

        Raises:
            ValidationError: ``period`` is not a `Period` (at ``$.period``).
        """
        if not isinstance(period, Period):
            raise ValidationError.single(
                "$.period", "a Period", describe(period), subject="allocation query"
            )
        start, end = period.start, period.end
        if self.until is not None and _utc(self.until) < _utc(end):
            end = self.until.astimezone(end.tzinfo)
        if _utc(self.since) > _utc(start):
            start = self.since.astimezone(start.tzinfo)
        if _utc(end) <= _utc(start):
            return None
        return Period(start, end)

    def held_seconds(self, period: Period) -> Fraction:
        """How long, in exact seconds, the resource is held within ``period`` (0 if not at all)."""
        part = self.held(period)
        return Fraction(0) if part is None else part.seconds

    def released(self, at: dt.datetime) -> Allocation:
        """The holding released at ``at``: the same allocation with ``until = at``.

        Raises:
            ValidationError: ``at`` is not an aware instant, is not after ``since``,
                or is after an ``until`` already set (each at ``$.at``).
        """
        problems = instant_problems(at, "$.at")
        if not problems and _utc(at) <= _utc(self.since):
            expected = f"an instant after the allocation's since ({self.since.isoformat()})"
            problems.append(Problem("$.at", expected, at.isoformat()))
        if not problems and self.until is not None and _utc(at) > _utc(self.until):
            expected = (
                f"an instant no later than the allocation's until ({self.until.isoformat()})"
            )
            problems.append(Problem("$.at", expected, at.isoformat()))
        raise_problems(problems, "allocation release")
        return _until(self, at)


_new_object = object.__new__
_set_customer = slot_setter(Allocation, "customer")
_set_agreement = slot_setter(Allocation, "agreement")
_set_service = slot_setter(Allocation, "service")
_set_resource_type = slot_setter(Allocation, "resource_type")
_set_quantity = slot_setter(Allocation, "quantity")
_set_since = slot_setter(Allocation, "since")
_set_until = slot_setter(Allocation, "until")
_set_resource_id = slot_setter(Allocation, "resource_id")
_set_cost_centre = slot_setter(Allocation, "cost_centre")
_set_location = slot_setter(Allocation, "location")


def _until(allocation: Allocation, until: dt.datetime | None) -> Allocation:
    """``allocation`` with another ``until``, already checked against its ``since``."""
    return Allocation.trusted(
        allocation.customer,
        allocation.agreement,
        allocation.service,
        allocation.resource_type,
        allocation.quantity,
        allocation.since,
        until,
        resource_id=allocation.resource_id,
        cost_centre=allocation.cost_centre,
        location=allocation.location,
    )


def _later_links(held: tuple[Allocation, ...], index: int) -> list[int]:
    """The holdings that continue ``held[index]``: its scheduled resizes, in order.

    Each has the holding's key and starts when the one before it ends (as a
    resize scheduled for later leaves them), so together they are one holding
    whose amount changes over time.
    """
    found: list[int] = []
    current = held[index]
    while current.until is not None:
        end, key = _utc(current.until), current.key
        following = next(
            (
                i
                for i, other in enumerate(held)
                if i != index and i not in found and other.key == key and _utc(other.since) == end
            ),
            None,
        )
        if following is None:
            break
        found.append(following)
        current = held[following]
    return found


def _replaced(
    held: tuple[Allocation, ...], index: int, dropped: set[int], by: Allocation | None
) -> tuple[Allocation, ...]:
    """``held`` with ``held[index]`` replaced by ``by`` (or left out) and ``dropped`` left out."""
    kept: list[Allocation] = []
    for i, allocation in enumerate(held):
        if i == index:
            if by is not None:
                kept.append(by)
        elif i not in dropped:
            kept.append(allocation)
    return tuple(kept)


# ---------------------------------------------------------------------- usage
@attrs.frozen
class Usage(Record):
    """How much of a resource a customer used over ``[start, end)``.

    Built as ``Usage(customer, agreement, service, resource_type, quantity, start,
    end, *, resource_id=None, cost_centre=None)``, the first fields as in
    `Allocation`. For a metered type the quantity is in the type's unit: the
    requests served (``1200000 request``), the data transferred (``350 GiB``). For
    an allocated type it is the use made of the resource held, in the type's unit
    times time (``120 vcpu*hour`` used of ``2976 vcpu*hour`` held): what
    `utilisation` and `reclaim_candidates` read. A quantity may be zero (a
    measured interval in which nothing was used) but not below.

    Serves S11 (consumption measured, utilisation reported to the customer);
    ISO/IEC 20000-1:2011 6.4 and 6.5.

    Raises:
        ValidationError: every problem of the fields, each with its path: a
            quantity below zero (``$.quantity``), a naive instant, an ``end`` not
            after ``start`` (``$.end``).
    """

    customer: str = attrs.field(validator=ident)
    agreement: str = attrs.field(validator=ident)
    service: str = attrs.field(validator=ident)
    resource_type: str = attrs.field(validator=ident)
    quantity: Quantity = attrs.field(validator=_NOT_NEGATIVE)
    start: dt.datetime = attrs.field(validator=instant, eq=instant_key)
    end: dt.datetime = attrs.field(validator=instant, eq=instant_key)
    resource_id: str | None = attrs.field(default=None, validator=ident, kw_only=True)
    cost_centre: str | None = attrs.field(default=None, validator=text, kw_only=True)

    def _rules(self) -> Iterator[Problem]:
        """The interval ends after it starts."""
        yield from _after(self.start, self.end, "end", "the start")

    @property
    def period(self) -> Period:
        """The interval as a `cloudsms.periods.Period`."""
        return Period(self.start, self.end)

    @property
    def key(self) -> tuple[str, str, str, str, str | None]:
        """Customer, agreement, service, type and resource id, as `Allocation.key`."""
        return (self.customer, self.agreement, self.service, self.resource_type, self.resource_id)

    def covers(self, allocation: Allocation) -> bool:
        """Whether this usage is of ``allocation``: the same key, or the same but no resource id.

        A usage without a resource id is of every holding of its type for the
        customer's service under the agreement.
        """
        return self.key[:4] == allocation.key[:4] and (
            self.resource_id is None or self.resource_id == allocation.resource_id
        )


# ---------------------------------------------------------------------- pools
def _capacity_problems(value: object, path: str) -> list[Problem]:
    found = quantity_problems(value, path, example="a quantity not below zero, such as '512 vcpu'")
    if found:
        return found
    held: Any = value
    if held.magnitude < 0:
        return [Problem(path, "a quantity not below zero", format_quantity(held))]
    return []


@attrs.frozen
class PoolCapacity(Record):
    """How much of one resource type a pool holds: ``PoolCapacity("vcpu", quantity("512 vcpu"))``.

    Raises:
        ValidationError: a malformed type id (``$.resource_type``), or a capacity
            that is not a quantity of zero or more (``$.capacity``).
    """

    resource_type: str = attrs.field(validator=ident)
    capacity: Quantity = attrs.field(
        validator=check(_capacity_problems, expected="a quantity not below zero", total=True)
    )


def _in_unit(value: Quantity, unit: str, path: str, subject: str) -> Fraction:
    """``value`` in ``unit`` exactly, or a ValidationError at ``path`` naming both."""
    try:
        return fraction_in(value, unit)
    except ValidationError:
        expected = f"a quantity convertible to {unit}"
        raise ValidationError.single(
            path, expected, format_quantity(value), subject=subject
        ) from None


def _peak(intervals: list[tuple[dt.datetime, dt.datetime | None, Fraction]]) -> Fraction:
    """The most held at any one instant, of half-open intervals (open-ended when None)."""
    changes: list[tuple[dt.datetime, int, Fraction]] = []
    for start, end, amount in intervals:
        changes.append((start, 1, amount))
        if end is not None:
            changes.append((end, 0, -amount))  # at one instant, ends come before starts
    changes.sort(key=lambda change: (change[0], change[1]))
    held = most = Fraction(0)
    for _, _, amount in changes:
        held += amount
        most = max(most, held)
    return most


@document("cloudsms.resource-pool", version=1)
@attrs.frozen
class ResourcePool(Record):
    """Capacity the provider holds in one location, per resource type (S11).

    Built as ``ResourcePool(id, name, location, capacities)``: ``location`` names
    where the pool is (a region, a data centre) and ``capacities`` the capacity of
    each resource type it serves, one `PoolCapacity` per type.

    A persisted document (``cloudsms.resource-pool``, schema version 1).

    Serves S11 (capacity adequate to demand, elasticity) and ISO/IEC 20000-1:2011
    6.5 (capacity management).

    Raises:
        ValidationError: every problem of the fields, each with its path; a
            resource type listed twice at ``$.capacities[i].resource_type``.

    Examples:
        >>> import datetime as dt
        >>> from cloudsms.units import quantity
        >>> pool = ResourcePool(
        ...     "fra-1", "Frankfurt 1", "eu-central", [PoolCapacity("vcpu", quantity("64 vcpu"))]
        ... )
        >>> oct1 = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
        >>> held = Allocation("acme", "agr-1", "vm", "vcpu", quantity("48 vcpu"), oct1)
        >>> later = Allocation(
        ...     "zeta", "agr-9", "vm", "vcpu", quantity("8 vcpu"), oct1.replace(day=20)
        ... )
        >>> pool.free([held, later], "vcpu", oct1)  # 48 now, 56 from the 20th
        <Quantity(8, 'vcpu')>
    """

    id: str = attrs.field(validator=ident)
    name: str = attrs.field(validator=text)
    location: str = attrs.field(validator=text)
    capacities: tuple[PoolCapacity, ...] = attrs.field(
        converter=as_tuple, validator=unique_by("resource_type")
    )

    def problems(self, types: Iterable[ResourceType] | None = None) -> list[Problem]:
        """What keeps the capacities from counting their types (see `check`), or ``[]``."""
        table = _table(types)
        problems: list[Problem] = []
        for index, entry in enumerate(self.capacities):
            path = f"$.capacities[{index}]"
            kind = table.get(entry.resource_type)
            if kind is None:
                close = suggest(entry.resource_type, table)
                expected = (
                    f"a known resource type (did you mean {' or '.join(close)}?)"
                    if close
                    else f"a known resource type (one of {', '.join(sorted(table))})"
                )
                problems.append(
                    Problem(f"{path}.resource_type", expected, describe(entry.resource_type))
                )
            elif not same_dimension(entry.capacity, kind.unit):
                expected = f"a quantity convertible to {kind.unit}, the unit of {kind.id}"
                problems.append(
                    Problem(f"{path}.capacity", expected, format_quantity(entry.capacity))
                )
        return problems

    def check(self, types: Iterable[ResourceType] | None = None) -> None:
        """Check that every capacity counts a known resource type, in its unit's dimension.

        The types are ``types`` or the built-in table (`resource_types`). A pool read
        from a document is checked as a record when it is built (its fields, a type
        listed twice), but not against the resource types, which the document does
        not carry: a type id typed wrong (``vpcu``) would be a capacity nothing is
        ever counted against, and a capacity in another dimension (``512 GiB`` of
        vcpu) one no allocation converts to. `cloudsms.resources.capacity.CapacityPlan.build`
        and ``cloudsms capacity show`` call this first. Serves S11 and ISO/IEC
        20000-1:2011 6.5.

        Raises:
            ValidationError: each capacity of an unknown type, with close ids suggested
                (``$.capacities[i].resource_type``), or of a quantity not convertible
                to its type's unit (``$.capacities[i].capacity``); ``types`` holding
                something that is not a `ResourceType` or an id twice (``$.types[i]``).

        Examples:
            >>> from cloudsms.units import quantity
            >>> ResourcePool(
            ...     "fra-1",
            ...     "Frankfurt 1",
            ...     "eu-central",
            ...     [PoolCapacity("vpcu", quantity("64 vcpu"))],
            ... ).check()
            Traceback (most recent call last):
            ...
            cloudsms.errors.ValidationError: Resource pool is invalid (1 problem):
              - expected a known resource type (did you mean vcpu?), got 'vpcu' (string)
                @ $.capacities[0].resource_type
        """
        raise_problems(self.problems(types), "resource pool")

    def capacity_of(self, type_id: str) -> Quantity | None:
        """The pool's capacity of the resource type ``type_id``, or ``None`` when it has none."""
        for entry in self.capacities:
            if entry.resource_type == type_id:
                return entry.capacity
        return None

    def free(self, allocations: Iterable[Allocation], type_id: str, at: dt.datetime) -> Quantity:
        """What is left of the capacity of ``type_id`` at ``at`` and at every later instant.

        ``allocations`` are the pool's allocations, of every customer (an allocation
        whose ``location`` is set to another location than the pool's is not the
        pool's and is left out; so are those of other types). The result is the
        capacity less the most held at any one instant from ``at`` on: an
        allocation starting later counts from its start, one released before
        ``at`` not at all. It is in the capacity's unit, and below zero when the
        pool is already promised beyond its capacity.

        Raises:
            UnknownReference: the pool has no capacity of ``type_id`` (close types
                suggested).
            ValidationError: ``at`` is not an aware instant (``$.at``), an item is
                not an `Allocation` (``$.allocations[i]``), or an allocation of the
                type is not convertible to the capacity's unit
                (``$.allocations[i].quantity``).
        """
        capacity = self.capacity_of(type_id)
        if capacity is None:
            raise UnknownReference(
                "resource type",
                type_id,
                scope=f"pool {self.id}",
                suggestions=suggest(type_id, [c.resource_type for c in self.capacities]),
            )
        raise_problems(instant_problems(at, "$.at"), "pool query")
        unit = _unit_text(capacity)
        moment = _utc(at)
        intervals: list[tuple[dt.datetime, dt.datetime | None, Fraction]] = []
        for index, allocation in enumerate(allocations):
            if not isinstance(allocation, Allocation):
                raise ValidationError.single(
                    f"$.allocations[{index}]",
                    "an Allocation",
                    describe(allocation),
                    subject="pool query",
                )
            if allocation.resource_type != type_id or (
                allocation.location is not None and allocation.location != self.location
            ):
                continue
            until = None if allocation.until is None else _utc(allocation.until)
            if until is not None and until <= moment:
                continue
            amount = _in_unit(
                allocation.quantity, unit, f"$.allocations[{index}].quantity", "pool query"
            )
            intervals.append((max(_utc(allocation.since), moment), until, amount))
        left = Fraction(capacity.magnitude) - _peak(intervals)
        return quantity(to_decimal(left), unit)


# ---------------------------------------------------------------------- requests
def _all_of(
    items: Iterable[_Item], kind: type[_Item], where: tuple[str, str], subject: str
) -> tuple[_Item, ...]:
    """``items`` as a tuple, each of them a ``kind``, else every other refused.

    ``where`` is the field the items are at and what each is expected to be:
    ``("allocations", "an Allocation")`` refuses at ``$.allocations[i]``.
    """
    given: tuple[object, ...] = tuple(items)
    field, expected = where
    problems = [
        Problem(f"$.{field}[{index}]", expected, describe(item))
        for index, item in enumerate(given)
        if not isinstance(item, kind)
    ]
    raise_problems(problems, subject)
    return cast("tuple[_Item, ...]", given)


def _check_allocations(allocations: Iterable[Allocation], subject: str) -> tuple[Allocation, ...]:
    return _all_of(allocations, Allocation, ("allocations", "an Allocation"), subject)


@document("cloudsms.resource-request", version=1)
@attrs.frozen(kw_only=True)
class ResourceRequest(Record):
    """A customer's request to allocate, release or resize a resource (S11).

    ``kind`` is what is asked (`ResourceRequestKind`); ``customer``, ``agreement``,
    ``service`` and ``resource_type`` name the holding as `Allocation` does.
    ``quantity`` is the amount added by an allocation, the new total of the
    holding for a resize (above zero: to give everything back is a release; and
    other than what it holds, which `apply` refuses as nothing to change), and
    ``None`` for a release. ``resource_id`` names which holding a release or a
    resize acts on (needed when the customer holds several of the type for the
    service) and the configuration item a new allocation is held by.

    ``requested_at`` is when the customer asked; ``effective_at`` when the change
    is to take effect, not before it (``None``: when it is carried out).
    ``requested_by`` says who asked (a user id or a name); ``cost_centre`` and
    ``location`` go onto a new allocation.

    `apply` computes the allocations the request leaves and `target` the holding
    it acts on, as pure functions of the allocations given: no limit or capacity
    is checked here (`cloudsms.procedures.resource_change.carry_out` checks them
    and runs the request as a standard change).

    A persisted document (``cloudsms.resource-request``, schema version 1).

    Serves S11 (requests to allocate or release resources) and ISO/IEC
    20000-1:2011 8.1 (service requests), 9.2 (standard changes) and 6.5.

    Raises:
        ValidationError: every problem of the fields, each with its path: no
            quantity, or one of zero or less, for an allocation or a resize, a
            quantity given for a release (``$.quantity``), an ``effective_at``
            before ``requested_at`` (``$.effective_at``).

    Examples:
        >>> import datetime as dt
        >>> from cloudsms.units import quantity
        >>> oct1, oct17 = (dt.datetime(2026, 10, d, tzinfo=dt.UTC) for d in (1, 17))
        >>> held = Allocation("acme", "agr-1", "vm", "vcpu", quantity("4 vcpu"), oct1)
        >>> resize = ResourceRequest(
        ...     id="rr-1",
        ...     kind=ResourceRequestKind.RESIZE,
        ...     customer="acme",
        ...     agreement="agr-1",
        ...     service="vm",
        ...     resource_type="vcpu",
        ...     quantity=quantity("8 vcpu"),
        ...     requested_at=oct1,
        ...     requested_by="ana",
        ... )
        >>> before, after = resize.apply([held], oct17)
        >>> before.until == oct17, after.since == oct17, str(after.quantity)
        (True, True, '8 vcpu')
    """

    id: str = attrs.field(validator=ident)
    kind: ResourceRequestKind
    customer: str = attrs.field(validator=ident)
    agreement: str = attrs.field(validator=ident)
    service: str = attrs.field(validator=ident)
    resource_type: str = attrs.field(validator=ident)
    quantity: Quantity | None = attrs.field(default=None, validator=_POSITIVE)
    resource_id: str | None = attrs.field(default=None, validator=ident)
    requested_at: dt.datetime = attrs.field(validator=instant, eq=instant_key)
    effective_at: dt.datetime | None = attrs.field(
        default=None, validator=instant, eq=_optional_key
    )
    requested_by: str = attrs.field(validator=text)
    cost_centre: str | None = attrs.field(default=None, validator=text)
    location: str | None = attrs.field(default=None, validator=text)

    def _rules(self) -> Iterator[Problem]:
        """A release carries no quantity, the others one; it takes effect once asked for."""
        if self.kind is ResourceRequestKind.RELEASE and self.quantity is not None:
            yield Problem(
                "quantity", "null for a release (it ends the whole holding)", str(self.quantity)
            )
        elif self.kind is not ResourceRequestKind.RELEASE and self.quantity is None:
            what = (
                "the amount to add"
                if self.kind is ResourceRequestKind.ALLOCATE
                else "the new total"
            )
            yield Problem(
                "quantity", f"a quantity above zero for {self.kind.value}: {what}", "null"
            )
        if self.effective_at is not None and _utc(self.effective_at) < _utc(self.requested_at):
            expected = f"an instant not before requested_at ({self.requested_at.isoformat()})"
            yield Problem("effective_at", expected, self.effective_at.isoformat())

    def _matches(self, allocation: Allocation) -> bool:
        return (
            allocation.customer == self.customer
            and allocation.agreement == self.agreement
            and allocation.service == self.service
            and allocation.resource_type == self.resource_type
            and (self.resource_id is None or allocation.resource_id == self.resource_id)
        )

    def _target_index(self, held: tuple[Allocation, ...], at: dt.datetime) -> int | None:
        if self.kind is ResourceRequestKind.ALLOCATE:
            return None
        found = [i for i, a in enumerate(held) if self._matches(a) and a.held_at(at)]
        if len(found) > 1:
            ids = ", ".join(
                "(no resource id)" if held[i].resource_id is None else repr(held[i].resource_id)
                for i in found
            )
            expected = (
                f"the resource id of one of the {len(found)} holdings it could act on: {ids}"
            )
            raise ValidationError.single(
                "$.resource_id", expected, describe(self.resource_id), subject="resource request"
            )
        return found[0] if found else None

    def target(self, allocations: Iterable[Allocation], at: dt.datetime) -> Allocation | None:
        """The holding the request acts on at ``at``: ``None`` for an allocation, or if none.

        The holding is the allocation of the request's customer, agreement,
        service and type (and resource id, when the request names one) held at
        ``at``.

        Raises:
            ValidationError: ``at`` is not an aware instant (``$.at``), an item is
                not an `Allocation` (``$.allocations[i]``), or several holdings
                match and the request names none of them (``$.resource_id``, the
                message listing their resource ids).
        """
        raise_problems(instant_problems(at, "$.at"), "resource request")
        held = _check_allocations(allocations, "resource request")
        index = self._target_index(held, at)
        return None if index is None else held[index]

    def apply(self, allocations: Iterable[Allocation], at: dt.datetime) -> tuple[Allocation, ...]:
        """The allocations as they stand once the request takes effect at ``at``.

        - allocate: the allocations given, then a new one of the request's
          quantity held from ``at`` (its resource id, cost centre and location
          the request's);
        - resize: the holding (`target`) released at ``at``, and a new holding of
          the same key, cost centre and location with the new quantity from
          ``at`` until the holding was to end (``None``, or the release already
          scheduled);
        - release: the holding released at ``at``: nothing of it is held from
          ``at`` on.

        A holding may already have changes scheduled after ``at``: a resize
        carried out earlier but taking effect later leaves holdings of the same
        key, each starting when the one before ends. Those are the same holding
        later on, so a release at ``at`` drops them, and a resize at ``at`` sets
        the amount from ``at`` to the end of the last of them in their place (a
        resize to the amount held at ``at`` then undoes the scheduled changes).
        A holding of the key that starts later without continuing it (allocated
        afresh after a release) is another holding and is left as it is.

        Other allocations are returned as they are, in their order, with a new
        holding last; a holding that began at ``at`` itself is replaced rather
        than closed (it would hold nothing). Nothing before ``at`` changes. No
        limit or capacity is checked.

        Raises:
            ValidationError: ``at`` is not an aware instant (``$.at``); an item is
                not an `Allocation`; nothing to resize or release at ``at``, or
                several holdings and no resource id to choose one
                (``$.resource_id``); a new allocation's resource id is held at
                ``at`` or later, scheduled included (``$.resource_id``, naming
                when it is held); a resize to a quantity of another dimension than
                the holding's, or to the amount it holds when nothing is scheduled
                after ``at`` (``$.quantity``: nothing to change).
        """
        raise_problems(instant_problems(at, "$.at"), "resource request")
        held = _check_allocations(allocations, "resource request")
        if self.kind is ResourceRequestKind.ALLOCATE:
            return (*held, self._allocation_at(at, held))
        index = self._target_index(held, at)
        if index is None:
            which = "" if self.resource_id is None else f" with resource id {self.resource_id!r}"
            expected = (
                f"a holding of {self.resource_type} by {self.customer} for {self.service}"
                f" under {self.agreement}{which} held at {at.isoformat()} to {self.kind.value}"
            )
            raise ValidationError.single(
                "$.resource_id", expected, "none held", subject="resource request"
            )
        old = held[index]
        links = _later_links(held, index)
        last = old.until if not links else held[links[-1]].until
        dropped = set(links)
        starts_now = _utc(old.since) == _utc(at)
        if self.kind is ResourceRequestKind.RELEASE:
            return _replaced(held, index, dropped, None if starts_now else _until(old, at))
        new_quantity = cast("Quantity", self.quantity)  # a resize has one: checked
        if not same_dimension(new_quantity, old.quantity):
            expected = f"a quantity of the holding's dimension ({dimension(old.quantity)})"
            raise ValidationError.single(
                "$.quantity", expected, format_quantity(new_quantity), subject="resource request"
            )
        if fraction_in(new_quantity, _unit_text(old.quantity)) == Fraction(old.quantity.magnitude):
            if links:  # the amount held now, kept: the later changes scheduled are undone
                return _replaced(held, index, dropped, _until(old, last))
            held_now = format_quantity(old.quantity)
            expected = f"a new total other than the {held_now} held (nothing to change)"
            raise ValidationError.single(
                "$.quantity", expected, format_quantity(new_quantity), subject="resource request"
            )
        resized = Allocation.trusted(
            old.customer,
            old.agreement,
            old.service,
            old.resource_type,
            new_quantity,
            at,
            last,
            resource_id=old.resource_id,
            cost_centre=old.cost_centre,
            location=old.location,
        )
        kept = _replaced(held, index, dropped, None if starts_now else _until(old, at))
        return (*kept, resized)

    def _allocation_at(self, at: dt.datetime, held: tuple[Allocation, ...]) -> Allocation:
        if self.resource_id is not None:
            moment = _utc(at)
            for other in held:
                if self._matches(other) and (other.until is None or _utc(other.until) > moment):
                    span = f"from {other.since.isoformat()}" + (
                        "" if other.until is None else f" until {other.until.isoformat()}"
                    )
                    expected = (
                        f"a resource id not held at {at.isoformat()} or later (it is held"
                        f" {span}: resize or release that holding instead)"
                    )
                    raise ValidationError.single(
                        "$.resource_id",
                        expected,
                        describe(self.resource_id),
                        subject="resource request",
                    )
        return Allocation(
            self.customer,
            self.agreement,
            self.service,
            self.resource_type,
            cast("Quantity", self.quantity),  # an allocation has one: checked
            at,
            resource_id=self.resource_id,
            cost_centre=self.cost_centre,
            location=self.location,
        )


# ---------------------------------------------------------------------- reclaiming
def _whole_days(start: dt.datetime, end: dt.datetime) -> int:
    """The whole calendar days from ``start`` to ``end`` on ``end``'s wall clock (0 or more)."""
    local = start.astimezone(end.tzinfo)
    days = max((end.date() - local.date()).days, 0)
    while days > 0 and _utc(add_calendar(local, relativedelta(days=days))) > _utc(end):
        days -= 1
    return days


@attrs.frozen
class ReclaimCandidate(Record):
    """A holding left unused long enough to be reclaimed: ``ReclaimCandidate(allocation, ...)``.

    ``unused_since`` is when it was last used (the end of its last usage above
    zero, or when it began, before any resize, when it never was) and ``days_unused`` the whole
    calendar days from then to the instant it was judged at. A candidate is a
    suggestion: the holding is released only by a release request carried out
    (`release_request`).

    Serves S11 (unused capacity recovered or surrendered) and ISO/IEC
    20000-1:2011 6.5.

    Raises:
        ValidationError: every problem of the fields, each with its path; a
            ``days_unused`` below zero (``$.days_unused``).
    """

    allocation: Allocation
    unused_since: dt.datetime = attrs.field(validator=instant, eq=instant_key)
    days_unused: int

    def _rules(self) -> Iterator[Problem]:
        """Days are counted from zero up."""
        if self.days_unused < 0:
            yield Problem(
                "days_unused", "a whole number of days not below zero", str(self.days_unused)
            )

    def release_request(
        self,
        *,
        id: str,  # noqa: A002 - the request's own field name
        requested_at: dt.datetime,
        requested_by: str,
        effective_at: dt.datetime | None = None,
    ) -> ResourceRequest:
        """A request to release the holding, to be carried out like any other request.

        The request names the holding's customer, agreement, service, type and
        resource id; a holding without a resource id is told apart from others of
        its type only when it is the customer's one holding of that type for the
        service (else `ResourceRequest.apply` refuses it as ambiguous).

        Raises:
            ValidationError: a field of the request is invalid (each at its path).
        """
        held = self.allocation
        return ResourceRequest(
            id=id,
            kind=ResourceRequestKind.RELEASE,
            customer=held.customer,
            agreement=held.agreement,
            service=held.service,
            resource_type=held.resource_type,
            resource_id=held.resource_id,
            requested_at=requested_at,
            effective_at=effective_at,
            requested_by=requested_by,
        )


def _check_usage(usage: Iterable[Usage], subject: str) -> tuple[Usage, ...]:
    return _all_of(usage, Usage, ("usage", "a Usage"), subject)


def reclaim_candidates(
    allocations: Iterable[Allocation],
    usage: Iterable[Usage],
    *,
    unused_for: int,
    as_of: dt.datetime,
) -> tuple[ReclaimCandidate, ...]:
    """The holdings left unused for at least ``unused_for`` days as of ``as_of`` (S11).

    A holding is a candidate when it is held at ``as_of`` and its last use lies
    at least ``unused_for`` whole calendar days (on ``as_of``'s calendar) before
    ``as_of``: its last use is the end of the latest usage above zero of it that
    began before ``as_of`` (cut at ``as_of``), or when it began when there is none
    or that usage ended before it began. A holding begins with the first of the
    unbroken run of holdings of its key that a resize leaves (each starting when
    the one before ends), so a resize does not reset the count. A usage is of a
    holding when it has its key, or the same key without a resource id
    (`Usage.covers`). So a holding
    younger than ``unused_for`` days is never a candidate, and usage recorded as
    zero counts as no use. Candidates come in the order of ``allocations``.

    Nothing is released: each candidate makes its own release request
    (`ReclaimCandidate.release_request`), carried out as any other.

    Raises:
        ValidationError: ``unused_for`` is not an integer of 1 or more
            (``$.unused_for``), ``as_of`` is not an aware instant (``$.as_of``),
            or an item is not an `Allocation` or a `Usage` (``$.allocations[i]``,
            ``$.usage[i]``).

    Examples:
        >>> import datetime as dt
        >>> from cloudsms.units import quantity
        >>> sep1, oct1 = (dt.datetime(2026, m, 1, tzinfo=dt.UTC) for m in (9, 10))
        >>> idle = Allocation("acme", "agr-1", "vm", "vcpu", quantity("4 vcpu"), sep1)
        >>> used = Usage(
        ...     "acme", "agr-1", "vm", "vcpu", quantity("2 vcpu*hour"), sep1, sep1.replace(day=2)
        ... )
        >>> (candidate,) = reclaim_candidates([idle], [used], unused_for=14, as_of=oct1)
        >>> candidate.unused_since.day, candidate.days_unused
        (2, 29)
    """
    problems: list[Problem] = []
    given: object = unused_for
    if isinstance(given, bool) or not isinstance(given, int) or given < 1:
        problems.append(
            Problem("$.unused_for", "a whole number of days, 1 or more", describe(unused_for))
        )
    problems += instant_problems(as_of, "$.as_of")
    raise_problems(problems, "reclaim query")
    held = _check_allocations(allocations, "reclaim query")
    used = _check_usage(usage, "reclaim query")
    moment = _utc(as_of)
    last_use: dict[tuple[str, str, str, str], list[tuple[str | None, dt.datetime]]] = {}
    for item in used:
        if item.quantity.magnitude > 0 and _utc(item.start) < moment:
            ended = min(_utc(item.end), moment)
            last_use.setdefault(item.key[:4], []).append((item.resource_id, ended))
    ending: dict[tuple[tuple[str, str, str, str, str | None], dt.datetime], Allocation] = {
        (allocation.key, _utc(allocation.until)): allocation
        for allocation in held
        if allocation.until is not None
    }
    found: list[ReclaimCandidate] = []
    for allocation in held:
        if not allocation.held_at(as_of):
            continue
        first = allocation  # a resize leaves one holding in several: count from its first
        while (earlier := ending.get((first.key, _utc(first.since)))) is not None:
            first = earlier
        since = _utc(first.since)
        ends = [
            ended
            for resource_id, ended in last_use.get(allocation.key[:4], ())
            if resource_id is None or resource_id == allocation.resource_id
        ]
        unused_since = max([since, *ends])
        days = _whole_days(unused_since, as_of)
        if days >= unused_for:
            shown = first.since if unused_since == since else unused_since.astimezone(as_of.tzinfo)
            found.append(ReclaimCandidate(allocation, shown, days))
    return tuple(found)


# ---------------------------------------------------------------------- utilisation
def _used_problems(value: object, path: str) -> list[Problem]:
    return _not_negative_problems(value, path)


@attrs.frozen(kw_only=True)
class Utilisation(Record):
    """How much of a resource type was used of what was held over a period (S11).

    ``allocated`` is the sum over the holdings of the type of quantity times the
    time held within ``period``, in the type's unit times hours (``2980 h*vcpu``);
    ``used`` the usage recorded within the period in the same dimension (a usage
    reaching past the period counts in proportion to the time inside it).
    Magnitudes are exact where their decimal expansion ends (whole seconds held
    of a whole quantity are), else 38 significant digits. `ratio` is used over
    allocated: exact when `utilisation` made the figures (it keeps the exact sums
    beside the quantities it writes); a `Utilisation` built from its quantities,
    or read back from JSON, divides its magnitudes as written.

    Serves S11 (service utilisation reported to the customer) and ISO/IEC
    20000-1:2011 6.2 and 6.5.

    Raises:
        ValidationError: every problem of the fields, each with its path: a
            quantity below zero, or a ``used`` of another dimension than
            ``allocated`` (``$.used``).
    """

    resource_type: str = attrs.field(validator=ident)
    period: Period
    allocated: Quantity = attrs.field(validator=_NOT_NEGATIVE)
    used: Quantity = attrs.field(
        validator=check(_used_problems, expected="a quantity not below zero", total=True)
    )
    # (allocated, used) as exact fractions of the type's unit times hours, when known.
    _exact: tuple[Fraction, Fraction] | None = attrs.field(
        default=None, init=False, eq=False, repr=False
    )

    def _rules(self) -> Iterator[Problem]:
        """What was used is measured as what was held."""
        if not same_dimension(self.used, self.allocated):
            expected = f"a quantity of the dimension of allocated ({dimension(self.allocated)})"
            yield Problem("used", expected, format_quantity(self.used))

    @property
    def ratio(self) -> Fraction | None:
        """Used over allocated (``None`` when nothing was held in the period).

        Exact when `utilisation` made the figures: the quotient of the exact
        sums, not of the 38-digit magnitudes a sum that never ends is written in.
        """
        if self._exact is not None:
            allocated, used = self._exact
            return used / allocated if allocated else None
        allocated = Fraction(self.allocated.magnitude)
        if not allocated:
            return None
        return fraction_in(self.used, _unit_text(self.allocated)) / allocated


_set_exact = slot_setter(Utilisation, "_exact")


def _time_unit(unit: str) -> str:
    return f"{unit}*hour"


_ZERO = Fraction(0)


class _Sums:
    """Held and used amounts per allocated type, in the type's unit times hours, exactly."""

    def __init__(self, table: dict[str, ResourceType]) -> None:
        self.table = table
        self.allocated: dict[str, Fraction] = {}
        self.used: dict[str, Fraction] = {}
        self.problems: list[Problem] = []

    def _kind(self, type_id: str, path: str) -> ResourceType | None:
        kind = self.table.get(type_id)
        if kind is None:
            close = suggest(type_id, self.table)
            hint = f" (did you mean {' or '.join(close)}?)" if close else ""
            expected = f"a resource type of the table{hint}"
            self.problems.append(Problem(path, expected, describe(type_id)))
        return kind

    def _amount(self, value: Quantity, unit: str, path: str, what: str) -> Fraction | None:
        try:
            return fraction_in(value, unit)
        except ValidationError:
            expected = f"a quantity convertible to {unit} ({what})"
            self.problems.append(Problem(path, expected, format_quantity(value)))
            return None

    def add_allocation(self, allocation: Allocation, period: Period, path: str) -> None:
        kind = self._kind(allocation.resource_type, f"{path}.resource_type")
        if kind is None:
            return
        if kind.kind is not MeteringKind.ALLOCATED:
            expected = f"an allocated resource type ({kind.id} is metered: record its usage)"
            self.problems.append(Problem(f"{path}.resource_type", expected, describe(kind.id)))
            return
        what = f"the unit of {kind.id}"
        amount = self._amount(allocation.quantity, kind.unit, f"{path}.quantity", what)
        if amount is not None:
            hours = allocation.held_seconds(period) / 3600
            self.allocated[kind.id] = self.allocated.get(kind.id, _ZERO) + amount * hours

    def add_usage(self, item: Usage, period: Period, path: str) -> None:
        kind = self._kind(item.resource_type, f"{path}.resource_type")
        if kind is None or kind.kind is not MeteringKind.ALLOCATED:
            return
        what = f"the use of {kind.id} held"
        amount = self._amount(item.quantity, _time_unit(kind.unit), f"{path}.quantity", what)
        if amount is not None:
            inside = period.intersection(item.period)
            share = _ZERO if inside is None else inside.seconds / item.period.seconds
            self.used[kind.id] = self.used.get(kind.id, _ZERO) + amount * share


def utilisation(
    allocations: Iterable[Allocation],
    usage: Iterable[Usage],
    period: Period,
    *,
    types: Iterable[ResourceType] | None = None,
) -> tuple[Utilisation, ...]:
    """Used against allocated over ``period``, per allocated resource type (S11).

    One `Utilisation` per allocated type (`MeteringKind.ALLOCATED`) that
    ``allocations`` or ``usage`` name, in the order of the type table (``types``,
    or the built-in table): what was held, quantity times the exact time held
    within the period (so a DST month counts its 743 or 745 hours), and what was
    used, in the type's unit times hours. A usage counts in proportion to the
    part of its interval inside the period. Usage of metered types is left out
    (it is not held, so there is no ratio to take). Nothing is filtered by
    customer or agreement: pass the allocations and usage to report on.

    Raises:
        ValidationError: ``period`` is not a `Period` (``$.period``), an item is
            not an `Allocation` or a `Usage`; every problem of the items at once:
            an unknown type (``$.allocations[i].resource_type``, close ids
            suggested), an allocation of a metered type, a quantity not convertible
            to the type's unit (``$.allocations[i].quantity``) or a usage of an
            allocated type not in its unit times time (``$.usage[i].quantity``).

    Examples:
        >>> from cloudsms.units import quantity
        >>> october = Period.month(2026, 10, "Europe/Berlin")
        >>> held = Allocation(
        ...     "acme", "agr-1", "vm", "vcpu", quantity("4 vcpu"), october.start, october.end
        ... )
        >>> used = Usage(
        ...     "acme",
        ...     "agr-1",
        ...     "vm",
        ...     "vcpu",
        ...     quantity("745 vcpu*hour"),
        ...     october.start,
        ...     october.end,
        ... )
        >>> (vcpu,) = utilisation([held], [used], october)
        >>> format_quantity(vcpu.allocated), vcpu.ratio
        ('2980 h*vcpu', Fraction(1, 4))
    """
    if not isinstance(period, Period):
        raise ValidationError.single(
            "$.period", "a Period", describe(period), subject="utilisation"
        )
    sums = _Sums(_table(types))
    for index, allocation in enumerate(_check_allocations(allocations, "utilisation")):
        sums.add_allocation(allocation, period, f"$.allocations[{index}]")
    for index, item in enumerate(_check_usage(usage, "utilisation")):
        sums.add_usage(item, period, f"$.usage[{index}]")
    raise_problems(sums.problems, "utilisation")
    found: list[Utilisation] = []
    for kind in sums.table.values():
        if kind.id not in sums.allocated and kind.id not in sums.used:
            continue
        allocated, used = sums.allocated.get(kind.id, _ZERO), sums.used.get(kind.id, _ZERO)
        unit = _time_unit(kind.unit)
        figures = Utilisation(
            resource_type=kind.id,
            period=period,
            allocated=quantity(to_decimal(allocated), unit),
            used=quantity(to_decimal(used), unit),
        )
        _set_exact(figures, (allocated, used))
        found.append(figures)
    return tuple(found)
