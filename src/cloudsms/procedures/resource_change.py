"""Carry out a resource request (S11): checked, then run as a standard change, or refused.

A customer asks for more or less of a resource under its agreement (a
`cloudsms.resources.ResourceRequest`: allocate, resize or release). Granting it
moves several model objects together, so it is a procedure: `carry_out` checks the
request against the agreement's resource limits in force when it takes effect and
against the free capacity of the pool it draws from, and then either

- carries it out: the allocations as the request leaves them
  (`ResourceRequest.apply`), the configuration record of the resource's item with
  a new version under the change (relations to other items kept), and a standard
  `cloudsms.operations.Change` implemented without a separate approval (standard
  changes are approved in advance, as a class), both recorded at the instant the
  request takes effect; or
- refuses it: every limit it would break, each a `Refusal` saying which limit
  and how much is free, the change rejected, and the allocations and records
  returned as they were given (the same objects).

Releasing, and resizing down, take nothing: they are never refused. Input that
cannot describe a request of this agreement at all (another customer, an
unsubscribed service, an unknown or metered resource type, nothing to resize or a
resize to what is held, an instant before ``as_of``) is an error, not a refusal:
a `ValidationError` naming every problem at its path, and nothing is built.

Serves S11 (manage resources for cloud services: requests checked against the
agreement, configuration updated, changes controlled) and ISO/IEC 20000-1:2011 4.4
(resource management), 6.5 (capacity management), 8.1 (service requests), 9.1
(configuration management) and 9.2 (change management: standard changes).
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Iterable, Mapping
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import attrs

from cloudsms._foundation.exact import to_decimal
from cloudsms._foundation.frozen import as_frozen_mapping, as_tuple
from cloudsms._foundation.instants import instant_key, instant_problems
from cloudsms._foundation.suggest import suggest
from cloudsms._kit.checks import ident, instance_problems, instant, raise_problems, text
from cloudsms._kit.records import Record
from cloudsms.agreements import CloudServiceAgreement, TermKind, terms_on
from cloudsms.configuration import (
    ConfigurationItem,
    ConfigurationRecord,
    ConfigurationVersion,
    Relation,
    RelationKind,
)
from cloudsms.errors import Problem, ValidationError, describe
from cloudsms.lifecycle import ACTOR_ID, advance
from cloudsms.operations import Change, ChangeKind
from cloudsms.resources import (
    Allocation,
    MeteringKind,
    ResourcePool,
    ResourceRequest,
    ResourceRequestKind,
    ResourceType,
)
from cloudsms.resources.types import _check_allocations, _peak, _table
from cloudsms.units import Quantity, format_quantity, fraction_in, quantity

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from cloudsms.agreements import ResourceLimit

__all__ = ["LimitKind", "Refusal", "ResourceChange", "attribute_key", "carry_out"]

_SUBJECT = "resource change"
_UTC = dt.UTC


def _utc(instant: dt.datetime) -> dt.datetime:
    return instant.astimezone(_UTC)


class LimitKind(enum.StrEnum):
    """Which limit a refused request would break (S11).

    ``agreement limit``: the most of a resource the customer's agreement lets it
    hold (a `cloudsms.agreements.ResourceLimit` in force when the request takes
    effect). ``pool capacity``: what the provider's `cloudsms.resources.ResourcePool`
    has left for everyone.
    """

    AGREEMENT_LIMIT = "agreement limit"
    POOL_CAPACITY = "pool capacity"


@attrs.frozen
class Refusal(Record):
    """A limit a request would break: ``Refusal(limit, resource_type, requested, free, message)``.

    ``limit`` says which (`LimitKind`), ``resource_type`` the type asked for;
    ``requested`` is what the request adds, in the type's unit (the amount of an
    allocation, the increase of a resize), and ``free`` how much could still be
    added under that limit from the instant the request takes effect (zero when
    nothing is left). ``at_most`` is the limit itself: the agreement's
    ``at_most``, or the pool's capacity (``None`` when the pool has no capacity of
    the type at all). ``message`` says all of it in one sentence for people.

    Serves S11 (a refused request says which limit and how much is free) and
    ISO/IEC 20000-1:2011 6.5.
    """

    limit: LimitKind
    resource_type: str = attrs.field(validator=ident)
    requested: Quantity
    free: Quantity
    message: str = attrs.field(validator=text)
    at_most: Quantity | None = attrs.field(default=None, kw_only=True)


@attrs.frozen(kw_only=True)
class ResourceChange(Record):
    """What `carry_out` made of a resource request: carried out, or refused (S11).

    ``request`` is the request, ``effective_at`` the instant it takes (or would
    have taken) effect and ``change`` the standard `cloudsms.operations.Change`
    it ran as: ``implemented`` (at ``effective_at``) when it was carried out,
    ``rejected`` (when it was judged) when it was refused. ``allocations`` and
    ``records`` are the allocations and the configuration records (by item id)
    after the request: new ones when it was carried out, the ones given (the same
    objects) when it was refused.
    ``refusals`` lists every limit the request would break; `accepted` is true
    when there is none.

    Raises:
        ValidationError: every problem of the fields, each with its path; a change
            in a state that contradicts the refusals (``$.change``), a record kept
            under another item's id (``$.records.<id>``).
    """

    request: ResourceRequest
    effective_at: dt.datetime = attrs.field(validator=instant, eq=instant_key)
    change: Change
    allocations: tuple[Allocation, ...] = attrs.field(converter=as_tuple)
    records: Mapping[str, ConfigurationRecord] = attrs.field(converter=as_frozen_mapping)
    refusals: tuple[Refusal, ...] = attrs.field(default=(), converter=as_tuple)

    def _rules(self) -> Iterator[Problem]:
        """The change was implemented when nothing was refused, else rejected; records by id."""
        state = "rejected" if self.refusals else "implemented"
        if self.change.state != state:
            why = "a refused request" if self.refusals else "a request carried out"
            expected = f"a change in state {state!r} for {why}"
            yield Problem("change", expected, f"a change in state {self.change.state!r}")
        for key, record in self.records.items():
            if record.current.id != key:
                yield Problem(
                    f"records.{key}", f"the record of item {key!r}", repr(record.current.id)
                )

    @property
    def accepted(self) -> bool:
        """Whether the request was carried out (no limit refused it)."""
        return not self.refusals


# ---------------------------------------------------------------------- arguments
def _argument_problems(  # noqa: PLR0917 - the arguments of carry_out, in its order
    request: object,
    agreement: object,
    pool: object,
    records: object,
    as_of: object,
    by: object,
) -> list[Problem]:
    problems = instance_problems(request, ResourceRequest, "$.request")
    problems += instance_problems(agreement, CloudServiceAgreement, "$.agreement")
    problems += instance_problems(pool, ResourcePool, "$.pool")
    if not isinstance(records, Mapping) or not all(
        isinstance(key, str) and isinstance(value, ConfigurationRecord)
        for key, value in records.items()
    ):
        expected = "a mapping of item ids to ConfigurationRecord"
        problems.append(Problem("$.records", expected, describe(records)))
    else:
        problems += [
            Problem(f"$.records.{key}", f"the record of item {key!r}", repr(r.current.id))
            for key, r in records.items()
            if r.current.id != key
        ]
    problems += instant_problems(as_of, "$.as_of")
    if by is not None and not (isinstance(by, str) and ACTOR_ID.fullmatch(by)):
        expected = "a pseudonymous actor id such as 'actor:ops-7', or null"
        problems.append(Problem("$.by", expected, describe(by, sensitive=True)))
    return problems


def _allocations(allocations: object) -> tuple[Allocation, ...]:
    if isinstance(allocations, str | bytes | Mapping) or not isinstance(allocations, Iterable):
        raise ValidationError.single(
            "$.allocations", "a list of Allocation", describe(allocations), subject=_SUBJECT
        )
    return _check_allocations(allocations, _SUBJECT)


def _unit_of(value: Quantity) -> str:
    """The unit part of a quantity's text: ``vcpu`` of ``16 vcpu``."""
    return format_quantity(value).partition(" ")[2]


def _shown(amount: Fraction, unit: str) -> str:
    return format_quantity(quantity(to_decimal(amount), unit))


_CHANGE_PREFIX = "chg-"
_LONGEST_ID = 64


class _Checked:
    """A request found to be one of the agreement's, with what its checks need."""

    def __init__(
        self,
        request: ResourceRequest,
        *,
        agreement: CloudServiceAgreement,
        pool: ResourcePool,
        table: dict[str, ResourceType],
        as_of: dt.datetime,
        actor: str,
    ) -> None:
        self.request = request
        self.agreement = agreement
        self.pool = pool
        self.table = table
        self.as_of = as_of
        self.actor = actor
        self.effective = as_of if request.effective_at is None else request.effective_at
        self.kind = table.get(request.resource_type)

    def problems(self, held: tuple[Allocation, ...]) -> list[Problem]:
        """Every reason the request cannot be a request of this agreement, carried out now."""
        return [
            *self._parties(),
            *self._type(),
            *self._instants(),
            *self._place(),
            *self._identity(),
            *self._held_types(held),
        ]

    def _parties(self) -> Iterator[Problem]:
        request, agreement = self.request, self.agreement
        if request.customer != agreement.customer_id:
            expected = f"the agreement's customer ({agreement.customer_id!r})"
            yield Problem("$.request.customer", expected, describe(request.customer))
        if request.agreement != agreement.id:
            expected = f"the agreement's id ({agreement.id!r})"
            yield Problem("$.request.agreement", expected, describe(request.agreement))
        subscribed = sorted(s.service_id for s in agreement.subscriptions)
        if request.service not in subscribed:
            expected = f"a service the agreement subscribes ({', '.join(subscribed)})"
            yield Problem("$.request.service", expected, describe(request.service))

    def _type(self) -> Iterator[Problem]:
        request, kind = self.request, self.kind
        if kind is None:
            close = suggest(request.resource_type, self.table)
            hint = f" (did you mean {' or '.join(close)}?)" if close else ""
            expected = f"a resource type of the table{hint}"
            yield Problem("$.request.resource_type", expected, describe(request.resource_type))
            return
        if kind.kind is not MeteringKind.ALLOCATED:
            expected = f"an allocated resource type ({kind.id} is metered: it is used, not held)"
            yield Problem("$.request.resource_type", expected, describe(kind.id))
        if request.quantity is not None:
            try:
                fraction_in(request.quantity, kind.unit)
            except ValidationError:
                expected = f"a quantity convertible to {kind.unit}, the unit of {kind.id}"
                yield Problem("$.request.quantity", expected, format_quantity(request.quantity))

    def _instants(self) -> Iterator[Problem]:
        request, agreement, as_of = self.request, self.agreement, self.as_of
        if _utc(as_of) < _utc(request.requested_at):
            expected = f"an instant not before the request ({request.requested_at.isoformat()})"
            yield Problem("$.as_of", expected, as_of.isoformat())
        effective = self.effective
        if request.effective_at is not None and _utc(effective) < _utc(as_of):
            expected = (
                f"an instant not before as_of ({as_of.isoformat()}): the past stays as it was"
            )
            yield Problem("$.request.effective_at", expected, effective.isoformat())
        path = "$.as_of" if request.effective_at is None else "$.request.effective_at"
        if _utc(effective) < _utc(agreement.effective_from):
            expected = (
                f"an instant within the agreement's term (from "
                f"{agreement.effective_from.isoformat()})"
            )
            yield Problem(path, expected, effective.isoformat())
        if agreement.end is not None and _utc(effective) >= _utc(agreement.end):
            expected = (
                f"an instant within the agreement's term (before {agreement.end.isoformat()})"
            )
            yield Problem(path, expected, effective.isoformat())

    def _place(self) -> Iterator[Problem]:
        location = self.request.location
        if location is not None and location != self.pool.location:
            expected = f"the pool's location ({self.pool.location!r}) or null"
            yield Problem("$.request.location", expected, describe(location))

    def _identity(self) -> Iterator[Problem]:
        request = self.request
        if len(_CHANGE_PREFIX) + len(request.id) > _LONGEST_ID:
            longest = _LONGEST_ID - len(_CHANGE_PREFIX)
            expected = (
                f"an id of at most {longest} characters (its change is "
                f"{_CHANGE_PREFIX!r} followed by it)"
            )
            yield Problem("$.request.id", expected, f"{len(request.id)} characters")
        if not ACTOR_ID.fullmatch(self.actor):
            expected = (
                "a pseudonymous actor id such as 'actor:ops-7' (the change's trail names it), "
                "or give carry_out's by"
            )
            yield Problem("$.request.requested_by", expected, describe(self.actor, sensitive=True))

    def _held_types(self, held: tuple[Allocation, ...]) -> Iterator[Problem]:
        """The agreement's holdings are of known types: limits are reckoned by type."""
        for index, allocation in enumerate(held):
            if (
                allocation.agreement == self.request.agreement
                and allocation.resource_type not in self.table
            ):
                close = suggest(allocation.resource_type, self.table)
                hint = f" (did you mean {' or '.join(close)}?)" if close else ""
                yield Problem(
                    f"$.allocations[{index}].resource_type",
                    f"a resource type of the table{hint}",
                    describe(allocation.resource_type),
                )


# ---------------------------------------------------------------------- the limits
def _most_held(
    allocations: Iterable[Allocation],
    keep: Callable[[Allocation], bool],
    unit: str,
    at: dt.datetime,
    to: dt.datetime | None = None,
) -> Fraction:
    """The most the kept allocations hold at one instant from ``at`` on, in ``unit``.

    A holding starting later counts from its start, one released at or before
    ``at`` not at all; each distinct unit is converted once. With ``to``, only
    the instants before it count.
    """
    moment = _utc(at)
    stop = None if to is None else _utc(to)
    factors: dict[Any, Fraction] = {}
    intervals: list[tuple[dt.datetime, dt.datetime | None, Fraction]] = []
    for allocation in allocations:
        if not keep(allocation):
            continue
        until = None if allocation.until is None else _utc(allocation.until)
        if until is not None and until <= moment:
            continue
        if stop is not None:
            if _utc(allocation.since) >= stop:
                continue
            until = stop if until is None else min(until, stop)
        held = allocation.quantity
        magnitude = Fraction(held.magnitude)
        factor = factors.get(held.units)
        if factor is None:
            factor = factors[held.units] = fraction_in(held, unit) / magnitude
        intervals.append((max(_utc(allocation.since), moment), until, magnitude * factor))
    return _peak(intervals)


class _Limits:
    """The two limits a request that adds something must keep to."""

    def __init__(
        self,
        checked: _Checked,
        kind: ResourceType,
        before: tuple[Allocation, ...],
        after: tuple[Allocation, ...],
        added: Fraction,
    ) -> None:
        self.checked = checked
        self.kind = kind
        self.before = before
        self.after = after
        self.added = added

    def refusals(self) -> list[Refusal]:
        found = [self._agreement()] if self.kind.limited_by is not None else []
        found.append(self._pool())
        return [refusal for refusal in found if refusal is not None]

    def _requested(self) -> Quantity:
        return quantity(to_decimal(self.added), self.kind.unit)

    def _in_type_unit(self, amount: Fraction, unit: str) -> Quantity:
        """``amount`` of ``unit`` (zero when below) as a quantity of the type's unit."""
        factor = fraction_in(quantity(1, unit), self.kind.unit)
        return quantity(to_decimal(max(amount, Fraction(0)) * factor), self.kind.unit)

    def _windows(self) -> list[tuple[dt.datetime, dt.datetime | None]]:
        """The spans from the effect on in each of which one set of resource limits is in force.

        The first starts when the request takes effect; each amendment of the
        resource limits taking effect later starts another.
        """
        checked = self.checked
        moment = _utc(checked.effective)
        starts = [checked.effective] + [
            applied.effective_at
            for applied in checked.agreement.amendments
            if applied.amendment.term is TermKind.RESOURCE_LIMITS
            and _utc(applied.effective_at) > moment
        ]
        starts.sort(key=_utc)
        return [
            (start, starts[i + 1] if i + 1 < len(starts) else None)
            for i, start in enumerate(starts)
        ]

    def _agreement(self) -> Refusal | None:
        """The first span in which the customer would hold more than the limit then in force."""
        for start, end in self._windows():
            terms = terms_on(self.checked.agreement, start)
            limit = next(
                (x for x in terms.resource_limits if x.resource_type == self.kind.limited_by),
                None,
            )
            if limit is not None:
                refusal = self._over(limit, start, end)
                if refusal is not None:
                    return refusal
        return None

    def _over(
        self, limit: ResourceLimit, start: dt.datetime, end: dt.datetime | None
    ) -> Refusal | None:
        checked, table = self.checked, self.checked.table
        request = checked.request

        def counted(allocation: Allocation) -> bool:
            held_kind = table.get(allocation.resource_type)
            return (
                allocation.agreement == request.agreement
                and allocation.customer == request.customer
                and held_kind is not None
                and held_kind.limited_by == limit.resource_type
            )

        unit = _unit_of(limit.at_most)
        at_most = Fraction(limit.at_most.magnitude)
        most_after = _most_held(self.after, counted, unit, start, end)
        if most_after <= at_most:
            return None
        most_before = _most_held(self.before, counted, unit, start, end)
        free = self._in_type_unit(at_most - most_before, unit)
        requested = self._requested()
        amended = (
            ""
            if _utc(start) == _utc(checked.effective)
            else f" (as amended from {start.isoformat()}, after the request takes effect)"
        )
        message = (
            f"agreement {checked.agreement.id} limits {limit.resource_type.value} to"
            f" {format_quantity(limit.at_most)}{amended}: {format_quantity(free)} free from"
            f" {start.isoformat()} ({_shown(most_before, unit)} held), and the"
            f" request adds {format_quantity(requested)}"
        )
        return Refusal(
            LimitKind.AGREEMENT_LIMIT,
            self.kind.id,
            requested,
            free,
            message,
            at_most=limit.at_most,
        )

    def _pool(self) -> Refusal | None:
        checked = self.checked
        pool, type_id = checked.pool, self.kind.id
        capacity = pool.capacity_of(type_id)
        requested = self._requested()
        where = f"pool {pool.id} ({pool.location})"
        if capacity is None:
            free = quantity(0, self.kind.unit)
            message = (
                f"{where} has no {type_id} capacity, and the request adds"
                f" {format_quantity(requested)}"
            )
            return Refusal(LimitKind.POOL_CAPACITY, type_id, requested, free, message)
        left = pool.free(self.after, type_id, checked.effective)
        if left.magnitude >= 0:
            return None
        unit = _unit_of(capacity)
        before = Fraction(pool.free(self.before, type_id, checked.effective).magnitude)
        free = self._in_type_unit(before, unit)
        message = (
            f"{where} has a {type_id} capacity of {format_quantity(capacity)}:"
            f" {format_quantity(free)} free from {checked.effective.isoformat()}, and the"
            f" request adds {format_quantity(requested)}"
        )
        return Refusal(
            LimitKind.POOL_CAPACITY, type_id, requested, free, message, at_most=capacity
        )


# ---------------------------------------------------------------------- the procedure
def _amount(value: Quantity, unit: str) -> Fraction:
    return fraction_in(value, unit)


def _added(request: ResourceRequest, kind: ResourceType, target: Allocation | None) -> Fraction:
    """What the request adds to what is held, in the type's unit (below zero: it gives back)."""
    old = Fraction(0) if target is None else _amount(target.quantity, kind.unit)
    if request.kind is ResourceRequestKind.RELEASE or request.quantity is None:
        return -old
    new = _amount(request.quantity, kind.unit)
    return new if request.kind is ResourceRequestKind.ALLOCATE else new - old


def _placed(
    after: tuple[Allocation, ...], held: tuple[Allocation, ...], pool: ResourcePool
) -> tuple[Allocation, ...]:
    """``after`` with the holdings the request made or changed in ``pool``'s location.

    A new holding of a request that names no location (and of a resize of a
    holding that named none) is in the pool's location, so it counts against that
    pool alone (`cloudsms.resources.ResourcePool.free` counts a holding without a
    location in every pool).
    """
    given = {id(allocation) for allocation in held}
    return tuple(
        allocation
        if id(allocation) in given or allocation.location is not None
        else attrs.evolve(allocation, location=pool.location)
        for allocation in after
    )


def _in_request(error: ValidationError) -> ValidationError:
    """A refusal of `ResourceRequest.apply`, its paths moved under ``$.request``."""
    moved = [p._replace(path="$.request" + p.path[1:]) for p in error.problems]
    return ValidationError(moved, subject=_SUBJECT)


_KEY_CHARACTERS = re.compile(r"[^a-z0-9_]")


def attribute_key(type_id: str) -> str:
    """The configuration item attribute that holds a resource type's amount: ``vcpu``.

    The type's id in lower case, with any character an attribute key cannot hold
    (``.``, ``:``, ``-``) as ``_``, and ``r_`` in front of one not starting with a
    letter.

    Examples:
        >>> attribute_key("vcpu"), attribute_key("GPU-A100"), attribute_key("2fa.seat")
        ('vcpu', 'gpu_a100', 'r_2fa_seat')
    """
    key = _KEY_CHARACTERS.sub("_", type_id.lower())
    return key if key[:1].isalpha() else f"r_{key}"


def _summary(request: ResourceRequest, target: Allocation | None) -> str:
    """One line saying what the change does, for people reading the change log."""
    holding = "" if request.resource_id is None else f" on {request.resource_id}"
    if target is not None and target.resource_id is not None:
        holding = f" on {target.resource_id}"
    asked = f"resource request {request.id}"
    if request.kind is ResourceRequestKind.ALLOCATE and request.quantity is not None:
        return (
            f"Allocate {format_quantity(request.quantity)} of {request.resource_type}{holding}"
            f" for {request.service} ({asked})"
        )
    if request.kind is ResourceRequestKind.RESIZE and request.quantity is not None:
        was = "" if target is None else f" from {format_quantity(target.quantity)}"
        return (
            f"Resize {request.resource_type}{holding} for {request.service}{was} to"
            f" {format_quantity(request.quantity)} ({asked})"
        )
    return f"Release {request.resource_type}{holding} for {request.service} ({asked})"


def _held_by(
    allocations: tuple[Allocation, ...], resource_id: str, kind: ResourceType, at: dt.datetime
) -> Fraction:
    """How much of ``kind`` the item ``resource_id`` holds at ``at``, in the type's unit."""
    return sum(
        (
            _amount(a.quantity, kind.unit)
            for a in allocations
            if a.resource_id == resource_id and a.resource_type == kind.id and a.held_at(at)
        ),
        Fraction(0),
    )


def _version_item(
    base: ConfigurationItem, attributes: dict[str, str], key: str, total: Fraction, unit: str
) -> ConfigurationItem:
    """``base`` with the resource's attribute showing ``total`` (removed when zero)."""
    shown = dict(attributes)
    if total:
        shown[key] = _shown(total, unit)
    else:
        shown.pop(key, None)
    return ConfigurationItem(
        id=base.id, name=base.name, kind=base.kind, attributes=shown, relations=base.relations
    )


def _appended(
    record: ConfigurationRecord | None,
    item: ConfigurationItem,
    *,
    by: str,
    at: dt.datetime,
    change: str | None,
) -> ConfigurationRecord:
    """``record`` with ``item`` as a new version (a new record when there is none)."""
    if record is None:
        return ConfigurationRecord.create(item, by=by, at=at, change=change)
    version = ConfigurationVersion(
        version=len(record.versions) + 1, item=item, changed_by=by, changed_at=at, change=change
    )
    return ConfigurationRecord(versions=(*record.versions, version))


def _updated_records(
    checked: _Checked,
    kind: ResourceType,
    *,
    records: Mapping[str, ConfigurationRecord],
    after: tuple[Allocation, ...],
    resource_id: str | None,
    change_id: str,
) -> dict[str, ConfigurationRecord]:
    """``records`` with the resource's item showing what it holds from the change on.

    Versions of the item recorded for after the change (requests taking effect
    later, carried out before this one) are superseded: the record keeps its
    versions up to the change, takes the change's version, and then each later
    version again with the resource's attribute as the allocations now hold it
    at that version's instant (a version that then changes nothing is dropped).
    They never took effect, so no history is rewritten.
    """
    updated = dict(records)
    if resource_id is None:
        return updated
    request, effective = checked.request, checked.effective
    key = attribute_key(kind.id)
    record = records.get(resource_id)
    moment = _utc(effective)
    earlier = (
        [] if record is None else [v for v in record.versions if _utc(v.changed_at) <= moment]
    )
    later = [] if record is None else [v for v in record.versions if _utc(v.changed_at) > moment]
    rebuilt = ConfigurationRecord(versions=earlier) if earlier else None
    total = _held_by(after, resource_id, kind, effective)
    if rebuilt is None:
        if total:
            relations = (
                ()
                if resource_id == request.service
                else (Relation(kind=RelationKind.PART_OF, target=request.service),)
            )
            base = (
                later[0].item  # the item as first recorded, for later: its name, kind, relations
                if later
                else ConfigurationItem(
                    id=resource_id, name=resource_id, kind="resource", relations=relations
                )
            )
            rebuilt = _appended(
                None,
                _version_item(base, {}, key, total, kind.unit),
                by=checked.actor,
                at=effective,
                change=change_id,
            )
    else:
        current = rebuilt.current
        item = _version_item(current, dict(current.attributes), key, total, kind.unit)
        if item != current:
            rebuilt = _appended(rebuilt, item, by=checked.actor, at=effective, change=change_id)
    for version in later:
        then = _held_by(after, resource_id, kind, version.changed_at)
        item = _version_item(version.item, dict(version.item.attributes), key, then, kind.unit)
        if rebuilt is None and not item.attributes:
            continue  # the record was there for this resource alone, which is not held
        if rebuilt is None or item != rebuilt.current:
            rebuilt = _appended(
                rebuilt,
                item,
                by=version.changed_by,
                at=version.changed_at,
                change=version.change,
            )
    if rebuilt is None:
        updated.pop(resource_id, None)
    elif rebuilt != record:
        updated[resource_id] = rebuilt
    return updated


def carry_out(
    request: ResourceRequest,
    agreement: CloudServiceAgreement,
    pool: ResourcePool,
    allocations: Iterable[Allocation],
    records: Mapping[str, ConfigurationRecord],
    *,
    as_of: dt.datetime,
    types: Iterable[ResourceType] | None = None,
    by: str | None = None,
) -> ResourceChange:
    """Check a resource request and carry it out as a standard change, or refuse it (S11).

    ``allocations`` must hold every allocation of the customer under
    ``agreement``, in every pool (the agreement's limit is reckoned from all of
    them), and every allocation of ``pool``, of every customer (its free capacity
    is reckoned from those: ones of another location are left out of it, and one
    without a location counts in every pool); a holding left out is taken as not
    held. ``records`` maps configuration item ids to their records. The request
    takes effect at its ``effective_at``, or at ``as_of`` (when it is carried out)
    when it names none; ``types`` is the
    resource type table (default: the built-in one, `cloudsms.resources.resource_types`).
    ``by`` is the actor id (``actor:ops-7``) that carries the change out and updates
    the records; by default the request's ``requested_by``, which must then be an
    actor id.

    A request that adds something (an allocation; a resize up, by its increase)
    is refused for each limit it would break, from the instant it takes effect:

    - **agreement limit**: when the type has a limit kind (`ResourceType.limited_by`),
      the most the customer would hold of that kind under the agreement at any
      one instant (every type of that kind, converted to the limit's unit) must
      not exceed the ``at_most`` of the terms in force at that instant
      (`cloudsms.agreements.terms_on`): from the effect to the next amendment of
      the resource limits against the terms then, and from each later amendment
      on against the terms it brings, so a limit lowered later refuses a request
      that would hold too much from then on (the refusal names the instant);
    - **pool capacity**: the pool must have a capacity of the type, and the most
      held of it at any one instant from then on must not exceed it
      (`cloudsms.resources.ResourcePool.free` of the allocations after the request
      not below zero).

    Refused: `ResourceChange.refusals` lists each, with what is free, the change
    (``chg-`` and the request's id) is ``rejected`` at ``as_of`` with the refusals'
    messages in its history, and the allocations and records are the ones given.
    Carried out: the allocations are ``request.apply(allocations, effective)``, the
    holdings it makes or changes given the pool's location where they name none; the
    configuration item of the resource (the request's ``resource_id``, or the
    holding's) gets a new version under the change whose attribute named after the
    type (`attribute_key`: ``vcpu``) is the amount it then holds (``"8 vcpu"``; the
    attribute is removed once it holds none), its relations kept; an item without a
    record gets one, ``part of`` the service; and the change is ``implemented`` (a
    standard change needs no approval of its own). Everything returned is new;
    nothing given is changed.

    A request is recorded as carried out when it takes effect: the record's new
    version and the change's implementation are stamped with the effective
    instant, which is ``as_of`` for a request that names no ``effective_at`` and
    later for a scheduled one, so the record never claims an amount before it is
    held. A refusal is decided, and stamped, at ``as_of``. A request taking effect
    before changes already scheduled on its holding supersedes them
    (`ResourceRequest.apply`: a release ends the holding and what was scheduled
    for it, a resize sets the amount from its effect on), and the item's record
    too: its versions after the effect, which never took effect, are recorded
    again after the new one with the resource's attribute as it is then held (a
    version that then changes nothing is left out; the other attributes are
    kept; a record only those versions made, for this resource alone, is dropped).

    Raises:
        ValidationError: every problem of the input at its path, nothing built: an
            argument of the wrong type; a request of another customer or agreement,
            or for a service the agreement does not subscribe (``$.request.*``); an
            unknown or metered resource type, or a quantity not in the type's unit;
            ``as_of`` before the request was made, an ``effective_at`` before
            ``as_of`` or outside the agreement's term; a location other than the
            pool's; nothing to resize or release, or several holdings to choose from
            (``$.request.resource_id``); a resize to the amount already held
            (``$.request.quantity``: nothing to change); no actor id to name
            (``$.by``).

    ``docs/resources.md`` and ``examples/resize_and_bill.py`` show a refused and an
    accepted resize of a customer's virtual CPUs.
    """
    problems = _argument_problems(request, agreement, pool, records, as_of, by)
    raise_problems(problems, _SUBJECT)
    held = _allocations(allocations)
    table = _table(types, subject=_SUBJECT)
    checked = _Checked(
        request,
        agreement=agreement,
        pool=pool,
        table=table,
        as_of=as_of,
        actor=by or request.requested_by,
    )
    raise_problems(checked.problems(held), _SUBJECT)
    kind = checked.kind
    assert kind is not None  # noqa: S101 - an unknown type is a problem raised above
    try:
        target = request.target(held, checked.effective)
        after = _placed(request.apply(held, checked.effective), held, pool)
    except ValidationError as error:
        raise _in_request(error) from None
    if target is not None and target.location not in {None, pool.location}:
        expected = f"the pool the holding is drawn from (location {target.location!r})"
        raise ValidationError.single(
            "$.pool", expected, f"pool {pool.id!r} at {pool.location!r}", subject=_SUBJECT
        )
    resource_id = target.resource_id if target is not None else request.resource_id
    added = _added(request, kind, target)
    refusals = _Limits(checked, kind, held, after, added).refusals() if added > 0 else []
    change = Change(
        id=_CHANGE_PREFIX + request.id,
        kind=ChangeKind.STANDARD,
        summary=_summary(request, target),
        services={request.service},
        customers={request.customer},
        requested_at=request.requested_at,
    )
    if refusals:
        reasons = [f"{r.limit.value}: {r.message}" for r in refusals]
        change = advance(
            change, "reject", who=checked.actor, when=as_of, data={"refusals": reasons}
        )
        return ResourceChange(
            request=request,
            effective_at=checked.effective,
            change=change,
            allocations=held,
            records=records,
            refusals=refusals,
        )
    change = advance(
        change,
        "implement",
        who=checked.actor,
        when=checked.effective,
        data={"request": request.id, "effective_at": checked.effective.isoformat()},
    )
    updated = _updated_records(
        checked, kind, records=records, after=after, resource_id=resource_id, change_id=change.id
    )
    return ResourceChange(
        request=request,
        effective_at=checked.effective,
        change=change,
        allocations=after,
        records=updated,
    )
