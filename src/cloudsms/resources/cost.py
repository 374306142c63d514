"""Cost profiles: what an agreement's resources cost over a period, exact to the cent (S11).

`CostProfile.build` prices the allocations and usage of one agreement over a period
with a `cloudsms.resources.RateCard`, one `CostLine` per allocation or usage (and per
tier a usage reaches, and per minimum commitment not reached):

- an allocation is prorated by the time it was held inside the period, on the
  absolute timeline (October 2026 has 745 hours in Berlin, since the clocks go back
  once): a price per unit and exact time (EUR 0.042 per ``vcpu*hour``) is charged
  for the exact seconds held; a price per calendar period (EUR 0.021 per ``GiB`` per
  month) for the share of each calendar period held, counted in the period's time
  zone, so half of February and half of March cost half a month each;
- a usage of a metered resource is charged in full in the period its interval
  starts in, at its rate's price, or split over the tiers it reaches when the rate is
  graduated (tiers count from zero at the start of each billing period of the rate
  card's cycle, anchored on the agreement's start, and usage of the same billing
  period before the profile's period counts towards them; a rate for every service
  counts the usage of all the services it prices together, a service's own rate
  that service's alone). A usage of an allocated
  resource records the use made of what is held (`cloudsms.resources.utilisation`):
  it is never charged, since the holding is;
- a `cloudsms.resources.MinimumCommitment` whose scope costs less than its minimum
  over the period adds the shortfall as a line of its own; commitments are
  reckoned from the narrowest scope to the widest, and a narrower one's shortfall
  counts as spent in the wider scopes holding it, so overlapping minimums are not
  charged twice.

Every line's exact amount is the exact cost `cloudsms.money.Price.exact_cost` gives
for its quantity and time held; the total is the exact sum of the lines, rounded once,
half to even, to the currency's minor unit, and every split of it
(`CostProfile.split`: by day, service, cost centre or resource type) is handed out by
`cloudsms.money.allocate`, so the parts add up to the total exactly.

`revise` prices a resource request: the profile of the rest of the billing period
and the next one, before and after the request, and the `cloudsms.agreements.Notice`
that tells the customer (payload `CostChange`).

Building is fast: the time each allocation is held is counted in whole microseconds,
the exact amounts are summed as integers scaled by one exact factor per price and
unit (units are converted once per distinct unit, never per line), and a line keeps
what it was computed from, so its exact fraction, its money and its period are built
only when asked for.

Serves S11 (the revised cost profile and the notification of the customer);
ISO/IEC 20000-1:2011 6.4 (budgeting and accounting for services), 6.5 and 7.1.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import math
import re
from collections import defaultdict
from decimal import (
    MAX_EMAX,
    MAX_PREC,
    MIN_EMIN,
    Context,
    Decimal,
    Inexact,
    InvalidOperation,
    Overflow,
    localcontext,
)
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Literal, cast

import attrs

from cloudsms._foundation.exact import (
    MAX_DIGITS,
    MAX_EXPONENT,
    bounded_fraction,
    nearest_amount,
)
from cloudsms._foundation.instants import instant_key, instant_problems
from cloudsms._kit.checks import ID, instant, raise_problems
from cloudsms._kit.datetimes import format_datetime, structure_datetime
from cloudsms._kit.records import Record
from cloudsms.agreements import CloudServiceAgreement, Notice, NoticePayload
from cloudsms.errors import Problem, ValidationError, describe
from cloudsms.money import Money, Price, allocate, round_to_minor
from cloudsms.periods import Period, add_calendar, offset_changes, timezone
from cloudsms.resources.pricing import MinimumCommitment, Rate, RateCard, _price_basis
from cloudsms.resources.types import (
    Allocation,
    MeteringKind,
    ResourceRequest,
    ResourceType,
    Usage,
    resource_types,
)
from cloudsms.units import (
    Quantity,
    format_quantity,
    fraction_in,
    is_quantity,
    quantity,
    registry,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping

    from dateutil.relativedelta import relativedelta

__all__ = [
    "COST_CHANGE",
    "CostChange",
    "CostLine",
    "CostProfile",
    "CostRevision",
    "LeftOut",
    "LineKind",
    "SplitBy",
    "billing_period",
    "revise",
]

LineKind = Literal["allocation", "usage", "commitment"]
"""What a cost line prices: an allocation held, a usage, or a commitment's shortfall."""

SplitBy = Literal["day", "service", "cost_centre", "resource_type"]
"""How `CostProfile.split` divides a total."""

COST_CHANGE = "cost-change"
"""The kind of the `cloudsms.agreements.NoticePayload` of a `CostChange`."""

_SUBJECT = "cost profile"
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)
_PER_SECOND = 10**6
# Sums of exact products: no digit is ever dropped (any that would be raises Inexact).
_SUMS = Context(
    prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN, traps=[Inexact, InvalidOperation, Overflow]
)
_MAX_ROW_PROBLEMS = 50
_SHIFT_DAYS = 400
_SPLITS = ("day", "service", "cost_centre", "resource_type")


def _micros(instant: dt.datetime) -> int:
    """An aware instant as whole microseconds since 1970-01-01T00:00Z."""
    return (instant - _EPOCH) // _MICROSECOND


def _instant(micros: int, zone: dt.tzinfo | None) -> dt.datetime:
    return (_EPOCH + dt.timedelta(microseconds=micros)).astimezone(zone)


# ---------------------------------------------------------------------- what lines share
class _Frame:
    """The part of a profile's period that is priced, as the hot loop reads it.

    That part is the period cut to the agreement's term (from its ``effective_from``
    to its ``end``: nothing is charged outside it), written in the agreement's time
    zone, whatever zone the period's bounds are written in: calendar periods (months
    of a price per month, days of a split) are counted there. ``start_us`` and
    ``end_us`` bound it in microseconds (equal when the term and the period do not
    meet: ``empty``); ``clipped`` tells whether the term cut the period.

    ``shifts`` lets the loop read an instant of the agreement's zone without
    converting it: for a wall time inside the part priced (not in a repeated hour's
    second pass), its microseconds are the start's plus the wall-clock difference,
    less the change of UTC offset since the start, which changes only at the zone's
    transitions (``(first wall time with the new offset, its correction)``).
    ``None`` for a part longer than `_SHIFT_DAYS` days, starting in a second pass or
    empty: the loop converts every instant then.
    """

    __slots__ = (
        "clipped",
        "currency",
        "empty",
        "end",
        "end_us",
        "period",
        "period_end_us",
        "period_start_us",
        "shifts",
        "start",
        "start_us",
        "window",
        "zone",
    )

    def __init__(self, period: Period, code: str, agreement: CloudServiceAgreement) -> None:
        self.period = period
        self.currency = code
        self.zone = zone = timezone(agreement.timezone)
        self.period_start_us = _micros(period.start)
        self.period_end_us = _micros(period.end)
        begin, finish = _term_window(agreement, self.period_start_us, self.period_end_us)
        self.clipped = (begin, finish) != (self.period_start_us, self.period_end_us)
        self.empty = finish <= begin
        self.start_us = begin
        self.end_us = max(begin, finish)
        same = begin == self.period_start_us
        self.start = period.start.astimezone(zone) if same else _instant(begin, zone)
        self.end = _instant(self.end_us, zone)
        if self.end_us == self.period_end_us:
            self.end = period.end.astimezone(zone)
        self.window = None if self.empty else Period(self.start, self.end)
        self.shifts = self._shifts()

    def _shifts(self) -> tuple[tuple[dt.datetime, int], ...] | None:
        if (
            self.window is None
            or self.start.fold
            or self.end_us - self.start_us > _SHIFT_DAYS * 86_400 * _PER_SECOND
        ):
            return None
        first = cast("dt.timedelta", self.start.utcoffset())
        before = first
        shifts = []
        for changed, after in offset_changes(self.window):
            # The first wall time with the new offset, read on the clock before it.
            wall = (changed.astimezone(dt.UTC).replace(tzinfo=None) + before).replace(
                tzinfo=self.zone
            )
            shifts.append((wall, (first - after) // _MICROSECOND))
            before = after
        return tuple(shifts)

    def held(self, start_us: int, end_us: int) -> Period:
        """The period of ``[start_us, end_us)`` written in the agreement's zone."""
        start = self.start if start_us == self.start_us else _instant(start_us, self.zone)
        end = self.end if end_us == self.end_us else _instant(end_us, self.zone)
        return Period(start, end)

    def in_period(self, since: dt.datetime, until: dt.datetime | None) -> bool:
        """Whether ``[since, until)`` overlaps the profile's whole period (term aside)."""
        return _micros(since) < self.period_end_us and (
            until is None or _micros(until) > self.period_start_us
        )


def _term_window(agreement: CloudServiceAgreement, start: int, end: int) -> tuple[int, int]:
    """``[start, end)`` (microseconds) cut to the agreement's term; maybe empty."""
    begin = max(start, _micros(agreement.effective_from))
    finish = end if agreement.end is None else min(end, _micros(agreement.end))
    return begin, finish


def _shift(wall: dt.datetime, shifts: tuple[tuple[dt.datetime, int], ...]) -> int:
    """The correction of a wall time of the period's zone for the offset changes before it."""
    found = 0
    for threshold, correction in shifts:
        if wall < threshold:
            break
        found = correction
    return found


class _Calendar:
    """The calendar units of one kind (months, ...) the part priced touches, in its zone.

    Each unit's share of a span is its overlap over the unit's length; the shares
    are counted as integers scaled by ``scale`` (a common multiple of the lengths).
    """

    __slots__ = ("bounds", "full", "scale", "weights")

    def __init__(self, frame: _Frame, unit: str) -> None:
        pieces = cast("Period", frame.window).split(unit)  # type: ignore[arg-type]
        first = pieces[0].enclosing(unit)  # type: ignore[arg-type]
        last = pieces[-1].enclosing(unit)  # type: ignore[arg-type]
        walls = [first.start, *(piece.start for piece in pieces[1:]), last.end]
        self.bounds = [_micros(wall) for wall in walls]
        lengths = [b - a for a, b in itertools.pairwise(self.bounds)]
        self.scale = math.lcm(*lengths)
        self.weights = [self.scale // length for length in lengths]
        self.full = self.share(frame.start_us, frame.end_us)

    def share(self, start: int, end: int) -> int:
        """The calendar units ``[start, end)`` spans, times ``scale``."""
        bounds, weights = self.bounds, self.weights
        index = bisect.bisect_right(bounds, start) - 1
        total = 0
        while True:
            upper = bounds[index + 1]
            if end <= upper:
                return total + (end - start) * weights[index]
            total += (upper - start) * weights[index]
            start = upper
            index += 1


class _Bucket:
    """The allocations of one service, resource type and unit priced at one price.

    An allocation's scaled amount is its quantity's magnitude times the microseconds
    it was held (a price per exact time) or times its calendar share scaled to an
    integer (a price per calendar period); ``factor`` turns a scaled amount into money.
    ``full`` sums the magnitudes held through the whole period and ``partial`` the
    scaled amounts of the others, exactly.
    """

    __slots__ = (
        "calendar",
        "factor",
        "frame",
        "full",
        "partial",
        "price",
        "resource_type",
        "service",
        "span",
        "units",
    )
    kind: LineKind = "allocation"

    def __init__(
        self,
        frame: _Frame,
        *,
        service: str,
        resource_type: str,
        price: Price,
        factor: Fraction,
        calendar: _Calendar | None,
        units: object,
    ) -> None:
        self.frame = frame
        self.units = units
        self.service = service
        self.resource_type = resource_type
        self.price = price
        self.factor = factor
        self.calendar = calendar
        self.span = frame.end_us - frame.start_us if calendar is None else calendar.full
        self.full = Decimal(0)
        self.partial = Decimal(0)

    @property
    def currency(self) -> str:
        return self.frame.currency

    def scaled(self, magnitude: Decimal, start: int, end: int) -> Decimal:
        """The scaled amount of ``magnitude`` held over ``[start, end)``, exactly."""
        calendar = self.calendar
        with localcontext(_SUMS):
            if calendar is None:
                return magnitude * (end - start)
            return magnitude * calendar.share(start, end)

    def exact(self) -> Fraction:
        """The exact cost of every allocation of the bucket."""
        return (Fraction(self.full) * self.span + Fraction(self.partial)) * self.factor


class _UsageBasis:
    __slots__ = ("currency", "price")
    kind: LineKind = "usage"

    def __init__(self, price: Price, code: str) -> None:
        self.price = price
        self.currency = code


class _CommitmentBasis:
    __slots__ = ("currency", "zone")
    kind: LineKind = "commitment"
    price = None

    def __init__(self, code: str, zone: dt.tzinfo) -> None:
        self.currency = code
        self.zone = zone


class _HeldBasis:
    """An allocation line made by `CostLine.of`: its price and the time it was held."""

    __slots__ = ("currency", "held", "price")
    kind: LineKind = "allocation"

    def __init__(self, price: Price, code: str, held: Period) -> None:
        self.price = price
        self.currency = code
        self.held = held


_Basis = _Bucket | _UsageBasis | _CommitmentBasis | _HeldBasis


# ---------------------------------------------------------------------- lines
class CostLine:
    """One line of a `CostProfile`: a holding, a usage or a commitment's shortfall, priced.

    Lines are made by `CostProfile.build` and read through these attributes:

    - ``kind``: ``"allocation"``, ``"usage"`` or ``"commitment"`` (`LineKind`);
    - ``service``, ``resource_type``, ``resource_id``, ``cost_centre``: those of the
      allocation or usage; a commitment's line has its scope's service and type
      (``None`` for every one) and no resource id or cost centre;
    - ``quantity``: the quantity held, or used (the part inside one tier, for a
      graduated rate); ``None`` for a commitment;
    - ``price``: the `cloudsms.money.Price` charged; ``None`` for a commitment;
    - ``held``: the time the allocation was held inside the period (and the
      agreement's term), written in the agreement's time zone; ``None`` for a usage
      or a commitment;
    - ``during``: for a commitment's shortfall, the part of one calendar period of
      the commitment's ``per`` (a month) it is owed for, inside the profile's period
      and the agreement's term, written in the agreement's zone; ``None`` for an
      allocation or a usage;
    - ``exact``: the exact amount, a `Fraction` of the currency: for an allocation or
      a usage, ``price.exact_cost(quantity, held)``; for a commitment, the minimum
      owed ``during`` its part of a calendar period less what its scope cost then
      (the shortfalls of narrower commitments inside its scope included);
    - ``amount``: ``exact`` as `cloudsms.money.Money`, exact where it fits the amount
      bounds, else to 38 significant digits half to even: never rounded to the cent
      (the profile rounds once, at its total);
    - ``source``: the `cloudsms.resources.Allocation`, `cloudsms.resources.Usage` or
      `cloudsms.resources.MinimumCommitment` the line prices.

    Lines compare equal when these attributes are (``source`` aside). Serves S11;
    ISO/IEC 20000-1:2011 6.4.
    """

    __slots__ = ("_row",)

    # What the line shares with others and what it prices, then: for an allocation
    # (since, until) held in microseconds; for a usage (exact, quantity); for a
    # commitment's shortfall (exact, minimum, spent, start, end of its part).
    _row: tuple[Any, ...]

    def __init__(self) -> None:
        raise TypeError("cost lines are made by CostProfile.build or CostLine.of")

    @classmethod
    def of(
        cls,
        source: Allocation | Usage | MinimumCommitment,
        *,
        exact: Fraction,
        currency: str,
        price: Price | None = None,
        quantity: Quantity | None = None,
        held: Period | None = None,
        during: Period | None = None,
    ) -> CostLine:
        """A line of values priced elsewhere, such as a line read back from a file.

        Nothing is priced again: ``exact`` is taken as the line's exact amount, in
        ``currency``. The line's kind follows from ``source``: an `Allocation` takes
        the ``price`` charged and the time ``held`` (its quantity is the
        allocation's); a `Usage` takes the ``price`` and the ``quantity`` charged at
        it (for a graduated rate, the part inside one tier); a `MinimumCommitment`
        takes the part of a calendar period its shortfall is owed for, ``during``,
        and neither price nor quantity. A line made so equals (``==``) the line
        `CostProfile.build` made when every value is the same. Serves S11 (cost
        profiles exchanged with other tools, `cloudsms.reports.focus`).

        Raises:
            ValidationError: every problem, each at its argument (``$.source``,
                ``$.exact``, ``$.currency``, ``$.price``, ``$.quantity``, ``$.held``,
                ``$.during``): a value of the wrong type, a price in another
                currency, a value the kind needs missing or one it does not take
                given, a quantity other than the allocation's.
        """
        problems = _given_problems(source, exact, currency, price, quantity)
        given = {"price": price, "quantity": quantity, "held": held, "during": during}
        problems += _kind_problems(source, given)
        raise_problems(problems, _SUBJECT)
        fraction = Fraction(exact)
        if isinstance(source, Usage):
            return _line((_UsageBasis(cast("Price", price), currency), source, fraction, quantity))
        span = cast("Period", held if isinstance(source, Allocation) else during)
        start, end = _micros(span.start), _micros(span.end)
        if isinstance(source, Allocation):
            basis: _Basis = _HeldBasis(cast("Price", price), currency, span)
        else:
            basis = _CommitmentBasis(currency, cast("dt.tzinfo", span.start.tzinfo))
        return _line((basis, source, fraction, None, None, start, end))

    @property
    def kind(self) -> LineKind:
        """What the line prices: an allocation, a usage or a commitment's shortfall."""
        return cast("_Basis", self._row[0]).kind

    @property
    def source(self) -> Allocation | Usage | MinimumCommitment:
        """The allocation, usage or minimum commitment the line prices."""
        return cast("Allocation | Usage | MinimumCommitment", self._row[1])

    @property
    def service(self) -> str | None:
        """The service of the allocation or usage; a commitment's (``None``: every service)."""
        return self.source.service

    @property
    def resource_type(self) -> str | None:
        """The resource type id; a commitment's (``None``: every type)."""
        return self.source.resource_type

    @property
    def resource_id(self) -> str | None:
        """The configuration item holding the resource, when the source names one."""
        return getattr(self._row[1], "resource_id", None)

    @property
    def cost_centre(self) -> str | None:
        """The customer's cost centre the cost is booked to, when the source names one."""
        return getattr(self._row[1], "cost_centre", None)

    @property
    def quantity(self) -> Quantity | None:
        """The quantity held or used (the tier's part of a usage); ``None`` for a commitment."""
        kind = self.kind
        if kind == "allocation":
            return cast("Allocation", self._row[1]).quantity
        if kind == "usage":
            return cast("Quantity", self._row[3])
        return None

    @property
    def price(self) -> Price | None:
        """The price charged; ``None`` for a commitment's shortfall."""
        return cast("_Basis", self._row[0]).price

    @property
    def held(self) -> Period | None:
        """The time held inside the period (in its zone), for an allocation; else ``None``."""
        basis, _, start, end = self._row[:4]
        if isinstance(basis, _Bucket):
            return basis.frame.held(start, end)
        if isinstance(basis, _HeldBasis):
            return basis.held
        return None

    @property
    def during(self) -> Period | None:
        """For a commitment's shortfall, the part of a calendar period it is owed for."""
        basis = self._row[0]
        if isinstance(basis, _CommitmentBasis):
            start, end = self._row[5:7]
            return Period(_instant(start, basis.zone), _instant(end, basis.zone))
        return None

    @property
    def exact(self) -> Fraction:
        """The exact amount, in the profile's currency."""
        basis = self._row[0]
        if isinstance(basis, _Bucket):
            _, held, start, end = self._row
            return Fraction(basis.scaled(held.quantity.magnitude, start, end)) * basis.factor
        return cast("Fraction", self._row[2])

    @property
    def amount(self) -> Money:
        """The exact amount as Money: exact where it fits, else to 38 significant digits."""
        return _money(self.exact, cast("_Basis", self._row[0]).currency)

    def _key(self) -> tuple[object, ...]:
        return (
            self.kind,
            self.service,
            self.resource_type,
            self.resource_id,
            self.cost_centre,
            self.quantity,
            self.price,
            None if self.held is None else instant_key(self.held.start),
            None if self.held is None else instant_key(self.held.end),
            None if self.kind != "commitment" else self._row[5:7],
            self.exact,
            cast("_Basis", self._row[0]).currency,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CostLine):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        what = "" if self.quantity is None else f" {format_quantity(self.quantity)}"
        during = self.during
        if during is not None:
            what = f" {during}"
        return (
            f"<CostLine {self.kind} {self.service or '*'}/{self.resource_type or '*'}"
            f"{what}: {self.amount}>"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (_restored, (self._row,))


_new = object.__new__


def _line(row: tuple[Any, ...]) -> CostLine:
    """A line of values already computed: the trusted constructor (the hot loop inlines it)."""
    line = _new(CostLine)
    line._row = row  # noqa: SLF001 - set once, on a new line
    return line


def _restored(row: tuple[Any, ...]) -> CostLine:
    return _line(row)


# What each kind of line made by CostLine.of needs (the others must be null); an
# allocation's quantity may be given too, as the allocation's.
_NEEDED: dict[type, tuple[str, tuple[str, ...]]] = {
    Allocation: ("allocation", ("price", "held")),
    Usage: ("usage", ("price", "quantity")),
    MinimumCommitment: ("commitment", ("during",)),
}


def _kind_problems(source: object, given: Mapping[str, object]) -> list[Problem]:
    """The values `CostLine.of` needs for the kind of ``source`` and got, or got but takes none."""
    problems = [
        Problem(f"$.{name}", "a Period", describe(given[name]))
        for name in ("held", "during")
        if given[name] is not None and not isinstance(given[name], Period)
    ]
    found = _NEEDED.get(type(source))
    if found is None:
        return problems
    kind, needed = found
    taken = (*needed, "quantity") if kind == "allocation" else needed
    for name, value in given.items():
        if name in needed and value is None:
            problems.append(Problem(f"$.{name}", f"a {name} for a line of {kind}", "null"))
        elif name not in taken and value is not None:
            problems.append(Problem(f"$.{name}", f"null for a line of {kind}", describe(value)))
    return problems


def _given_problems(
    source: object, exact: object, currency: object, price: object, amount: object
) -> list[Problem]:
    """What is wrong with the values `CostLine.of` takes whatever the line's kind."""
    problems: list[Problem] = []
    if not isinstance(source, Allocation | Usage | MinimumCommitment):
        expected = "an Allocation, a Usage or a MinimumCommitment"
        problems.append(Problem("$.source", expected, describe(source)))
    if type(exact) not in (Fraction, int):
        problems.append(Problem("$.exact", "an exact amount (a Fraction)", describe(exact)))
    try:
        Money.zero(currency)  # type: ignore[arg-type]
    except ValidationError:
        problems.append(Problem("$.currency", "an ISO 4217 code", describe(currency)))
    if price is not None and not isinstance(price, Price):
        problems.append(Problem("$.price", "a Price", describe(price)))
    elif isinstance(price, Price) and price.amount.currency != currency:
        expected = f"a price in the line's currency ({currency})"
        problems.append(Problem("$.price", expected, str(price)))
    if amount is not None and not is_quantity(amount):
        problems.append(Problem("$.quantity", "a Quantity", describe(amount)))
    elif isinstance(source, Allocation) and amount is not None and amount != source.quantity:
        expected = f"the allocation's quantity ({format_quantity(source.quantity)})"
        problems.append(Problem("$.quantity", expected, str(amount)))
    return problems


def _money(exact: Fraction, code: str, *, subject: str = _SUBJECT) -> Money:
    """``exact`` as Money: exact where it fits, else to 38 significant digits.

    Shared with `cloudsms.resources.provider_cost`, which names its own ``subject``.
    """
    try:
        return Money(nearest_amount(exact), code)
    except OverflowError:
        raise ValidationError.single(
            "$", "an amount below 1E+31", f"about {float(exact):.3E} {code}", subject=subject
        ) from None


def _rounded(exact: Fraction, code: str, *, subject: str = _SUBJECT) -> Money:
    """``exact`` rounded once, half to even, to the currency's minor unit (`round_to_minor`).

    ``code`` is a currency checked already, so only the size can be refused.
    """
    try:
        return round_to_minor(exact, code)
    except ValidationError:  # only the size can be wrong: the caller checked the code
        raise ValidationError.single(
            "$", "a total below 1E+31", f"about {float(exact):.3E} {code}", subject=subject
        ) from None


# ---------------------------------------------------------------------- building
class _Builder:
    """One build of a cost profile: the inputs, the buckets, the lines and the problems."""

    def __init__(
        self,
        agreement: CloudServiceAgreement,
        period: Period,
        rates: RateCard,
        types: dict[str, ResourceType],
    ) -> None:
        self.agreement = agreement
        self.rates = rates
        self.types = types
        self.frame = _Frame(period, rates.currency, agreement)
        self.services = agreement.service_ids
        self.problems: list[Problem] = []
        self.more = 0
        self.buckets: list[_Bucket] = []
        self.calendars: dict[str, _Calendar] = {}
        self.lines: list[CostLine] = []
        # What each usage line charged: (its start in microseconds, service, type, exact).
        self.usage_costs: list[tuple[int, str, str, Fraction]] = []
        self.factors: dict[tuple[Any, str, bool], Fraction] = {}
        # What was left out: rows per other agreement, and rows outside the term.
        self.others: dict[str, int] = {}
        self.outside_term = 0
        self.left_allocations = 0
        self.left_usage = 0

    def left_out(self) -> LeftOut:
        """What the build left out, counted."""
        return LeftOut(
            agreement=self.agreement.id,
            other_agreements=tuple(sorted(self.others.items())),
            outside_term=self.outside_term,
            allocations=self.left_allocations,
            usage=self.left_usage,
        )

    # -------------------------------------------------------------- problems
    def refuse(self, path: str, expected: str, got: str) -> None:
        if len(self.problems) < _MAX_ROW_PROBLEMS:
            self.problems.append(Problem(path, expected, got))
        else:
            self.more += 1

    def raise_problems(self) -> None:
        problems = list(self.problems)
        if self.more:
            problems.append(
                Problem("$", "every row priced", f"{self.more} more rows with problems")
            )
        raise_problems(problems, _SUBJECT)

    def _service_problem(self, row: Allocation | Usage) -> tuple[str, str, str] | None:
        """A row for a service the agreement does not subscribe, as (field, expected, got)."""
        if row.service in self.services:
            return None
        subscribed = ", ".join(sorted(self.services))
        return ("service", f"a service the agreement subscribes ({subscribed})", row.service)

    def _customer_problem(self, path: str, row: Allocation | Usage) -> bool:
        """Refuse a row of the agreement that names another customer."""
        if row.customer == self.agreement.customer_id:
            return False
        self.refuse(
            f"{path}.customer",
            f"the agreement's customer ({self.agreement.customer_id})",
            describe(row.customer),
        )
        return True

    def _rate(self, row: Allocation | Usage) -> Rate | tuple[str, str, str]:
        """The rate of a row's service and type, or why there is none (field, expected, got)."""
        refused = self._service_problem(row)
        if refused is not None:
            return refused
        if row.resource_type not in self.types:
            known = ", ".join(sorted(self.types))
            return ("resource_type", f"a known resource type ({known})", row.resource_type)
        rate = self.rates.rate_for(row.service, row.resource_type)
        if rate is None:
            known = ", ".join(self.rates.known) or "none"
            expected = f"a service and resource type the rate card prices (it prices {known})"
            return ("resource_type", expected, f"{row.service}/{row.resource_type}")
        return rate

    # -------------------------------------------------------------- units
    def _factor(self, value: Quantity, price: Price, *, timed: bool) -> Fraction:
        """One of ``value``'s unit (times a second, if ``timed``) in the price's unit, exactly."""
        units = cast("Any", value)._units  # noqa: SLF001 - pint's hashable units, the cache key
        key = (units, price.unit, timed)
        found = self.factors.get(key)
        if found is None:
            one: Any = registry().Quantity(Decimal(1), units)
            if timed:
                one = one * registry().Unit("second")
            found = fraction_in(one, price.unit)
            self.factors[key] = found
        return found

    # -------------------------------------------------------------- allocations
    def bucket(self, held: Allocation) -> _Bucket | tuple[str, str, str]:
        """The bucket of an allocation's service, type and unit, or why it cannot be priced."""
        rate = self._rate(held)
        if isinstance(rate, tuple):
            return rate
        kind = self.types[held.resource_type]
        if kind.kind is not MeteringKind.ALLOCATED or rate.price is None:
            expected = "an allocated resource type, priced by the time held"
            return ("resource_type", expected, f"{held.resource_type} ({kind.kind.value})")
        price = rate.price
        timed = _price_basis(price.unit, price.per is not None, kind.unit) == "time"
        try:
            unit = self._factor(held.quantity, price, timed=timed)
        except ValidationError:
            expected = f"a quantity of {kind.unit}, which the price {price} charges"
            return ("quantity", expected, str(held.quantity))
        amount = Fraction(price.amount.amount)
        calendar: _Calendar | None = None
        if timed:
            factor = amount * unit / _PER_SECOND
        else:
            per = cast("str", price.per)
            calendar = self.calendars.get(per)
            if calendar is None:
                calendar = self.calendars[per] = _Calendar(self.frame, per)
            factor = amount * unit / calendar.scale
        return _Bucket(
            self.frame,
            service=held.service,
            resource_type=held.resource_type,
            price=price,
            factor=factor,
            calendar=calendar,
            units=cast("Any", held.quantity)._units,  # noqa: SLF001
        )

    def allocations(self, allocations: Iterable[object]) -> None:  # noqa: C901, PLR0912, PLR0915 - the hot loop
        """A line per allocation of the agreement held inside the period and the term.

        Allocations of other agreements are counted per agreement, and those of the
        agreement held in the period only outside its term are counted too.
        """
        frame = self.frame
        agreement_id = self.agreement.id
        customer = self.agreement.customer_id
        zone, first, last = frame.zone, frame.start, frame.end
        start_us, end_us, shifts = frame.start_us, frame.end_us, frame.shifts
        clipped, others = frame.clipped, self.others
        outside = 0
        # Wall times of the agreement's zone, neither in a repeated hour's second
        # pass, compare as their instants do and convert by the frame's shifts; with
        # one change of offset in the period (a DST change), its shift is inlined.
        fast = shifts is not None
        fast_end = fast and not last.fold
        one = shifts is not None and len(shifts) == 1
        change, shifted = shifts[0] if shifts and one else (last, 0)
        many = bool(shifts) and not one
        buckets: dict[tuple[str, str, Any], _Bucket | tuple[str, str, str]] = {}
        latest: dict[str, _Bucket] = {}  # per type, the bucket of the row before
        append = self.lines.append
        new, line_class, allocation_class = _new, CostLine, Allocation
        microsecond = _MICROSECOND
        with localcontext(_SUMS):
            for index, held in enumerate(allocations):
                if type(held) is not allocation_class and not isinstance(held, Allocation):
                    self.refuse(f"$.allocations[{index}]", "an Allocation", describe(held))
                    continue
                if held.agreement != agreement_id:
                    others[held.agreement] = others.get(held.agreement, 0) + 1
                    continue
                since = held.since
                until = held.until
                if fast and since.tzinfo is zone and not since.fold:
                    if since <= first:
                        s = start_us
                    elif fast_end and since >= last:
                        if clipped and frame.in_period(since, until):
                            outside += 1
                        continue
                    else:
                        s = start_us + (since - first) // microsecond
                        if one:
                            if since >= change:
                                s += shifted
                        elif many:
                            s += _shift(since, shifts)  # type: ignore[arg-type]
                else:
                    s = max(_micros(since), start_us)
                if until is None:
                    e = end_us
                elif fast_end and until.tzinfo is zone and not until.fold:
                    if until >= last:
                        e = end_us
                    elif until <= first:
                        if clipped and frame.in_period(since, until):
                            outside += 1
                        continue
                    else:
                        e = start_us + (until - first) // microsecond
                        if one:
                            if until >= change:
                                e += shifted
                        elif many:
                            e += _shift(until, shifts)  # type: ignore[arg-type]
                else:
                    e = min(_micros(until), end_us)
                if e <= s:
                    if clipped and frame.in_period(since, until):
                        outside += 1
                    continue
                if held.customer != customer:
                    self._customer_problem(f"$.allocations[{index}]", held)
                    continue
                value: Any = held.quantity  # pint's own fields are read below
                units = value._units  # noqa: SLF001
                bucket = latest.get(held.resource_type)
                if bucket is None or bucket.units is not units or bucket.service != held.service:
                    key = (held.service, held.resource_type, units)
                    found = buckets.get(key)
                    if found is None:
                        found = buckets[key] = self.bucket(held)
                    if isinstance(found, tuple):
                        field, expected, got = found
                        self.refuse(f"$.allocations[{index}].{field}", expected, describe(got))
                        continue
                    bucket = latest[held.resource_type] = found
                if s == start_us and e == end_us:
                    bucket.full += value._magnitude  # noqa: SLF001
                elif bucket.calendar is None:
                    bucket.partial += value._magnitude * (e - s)  # noqa: SLF001
                else:
                    bucket.partial += value._magnitude * bucket.calendar.share(s, e)  # noqa: SLF001
                line = new(line_class)
                line._row = (bucket, held, s, e)  # noqa: SLF001 - set once, on a new line
                append(line)
        self.buckets = [b for b in buckets.values() if isinstance(b, _Bucket)]
        self.outside_term += outside
        self.left_allocations += outside + sum(others.values())

    # -------------------------------------------------------------- usage
    def usage(self, usage: Iterable[object]) -> None:
        """A line per usage of a metered type starting in the period (per tier reached).

        A graduated rate counts towards its tiers every usage it prices: a rate for
        every service (``service`` ``None``) counts the usage of all the services it
        prices together, a service's own rate that service's alone.
        """
        tiered: dict[tuple[str | None, str], list[tuple[int, int, Usage, Rate]]]
        tiered = defaultdict(list)
        made: dict[int, list[CostLine]] = {}
        earliest = self._tier_start()
        for index, used in enumerate(usage):
            row = self._usage_row(index, used, earliest)
            if row is None:
                continue
            start, rate = row
            used = cast("Usage", used)
            if rate.tiers:
                tiered[(rate.service, rate.resource_type)].append((start, index, used, rate))
                continue
            line = self._usage_line(f"$.usage[{index}]", used, used.quantity, rate.prices[0])
            if line is not None:
                made[index] = [line]
        for rows in tiered.values():
            rows.sort(key=lambda row: (row[0], row[1]))
            self._tiers(rows, made)
        for index in sorted(made):
            self.lines += made[index]

    def _usage_row(  # noqa: PLR0911 - each way a usage goes unpriced, said once
        self, index: int, used: object, earliest: int
    ) -> tuple[int, Rate] | None:
        """When a usage is priced, its start and rate; ``None`` when it is not (or refused).

        A usage of the billing period before the profile's period is kept only for a
        graduated rate, whose tiers it counts towards (it is not charged).
        """
        path = f"$.usage[{index}]"
        if not isinstance(used, Usage):
            self.refuse(path, "a Usage", describe(used))
            return None
        if used.agreement != self.agreement.id:
            self.others[used.agreement] = self.others.get(used.agreement, 0) + 1
            self.left_usage += 1
            return None
        start = _micros(used.start)
        frame = self.frame
        kind = self.types.get(used.resource_type)
        if kind is not None and kind.kind is MeteringKind.ALLOCATED:
            return None  # the use made of a holding: the holding is charged
        if not earliest <= start < frame.end_us:
            if frame.clipped and frame.period_start_us <= start < frame.period_end_us:
                self.outside_term += 1  # in the period, outside the agreement's term
                self.left_usage += 1
            return None
        if start < self.frame.start_us:
            before = self.rates.rate_for(used.service, used.resource_type)
            return (start, before) if before is not None and before.tiers else None
        if self._customer_problem(path, used):
            return None
        rate = self._rate(used)
        if isinstance(rate, tuple):
            field, expected, got = rate
            self.refuse(f"{path}.{field}", expected, describe(got))
            return None
        return start, rate

    def _usage_line(
        self, path: str, used: Usage, amount: Quantity, price: Price
    ) -> CostLine | None:
        try:
            unit = self._factor(amount, price, timed=False)
        except ValidationError:
            self.refuse(
                f"{path}.quantity", f"a quantity that the price {price} charges", str(amount)
            )
            return None
        exact = Fraction(amount.magnitude) * unit * Fraction(price.amount.amount)
        self.usage_costs.append((_micros(used.start), used.service, used.resource_type, exact))
        return _line((_UsageBasis(price, self.frame.currency), used, exact, amount))

    def _tier_start(self) -> int:
        """Where tier counting starts: the start of the billing period holding the period's."""
        if not any(rate.tiers for rate in self.rates.rates):
            return self.frame.start_us
        billing = billing_period(self.agreement, self.rates.billing_cycle, self.frame.start)
        return min(_micros(billing.start), self.frame.start_us)

    def _tiers(
        self, rows: list[tuple[int, int, Usage, Rate]], made: dict[int, list[CostLine]]
    ) -> None:
        """Split each usage over the tiers it reaches, counted from each billing period's start."""
        cycle = self.rates.billing_cycle
        period_end: int | None = None
        reached = Fraction(0)
        for start, index, used, rate in rows:
            if period_end is None or start >= period_end:
                billing = billing_period(self.agreement, cycle, _instant(start, self.frame.zone))
                period_end = _micros(billing.end)
                reached = Fraction(0)
            first = rate.tiers[0].price
            try:
                amount = fraction_in(used.quantity, first.unit)
            except ValidationError:
                if start >= self.frame.start_us:
                    self.refuse(
                        f"$.usage[{index}].quantity",
                        f"a quantity that the tiers charge (of {first.unit})",
                        str(used.quantity),
                    )
                continue
            parts = _tier_parts(rate, reached, amount)
            reached += amount
            if start < self.frame.start_us:
                continue
            lines = []
            for tier_price, part in parts:
                ratio = _unit_ratio(first.unit, tier_price.unit)
                value = quantity(nearest_amount(part * ratio), tier_price.unit)
                line = self._usage_line(f"$.usage[{index}]", used, value, tier_price)
                if line is not None:
                    lines.append(line)
            made[index] = lines

    # -------------------------------------------------------------- commitments
    def commitments(self) -> None:
        """A line per minimum commitment and calendar period whose scope cost less than owed.

        Each calendar period of the commitment's ``per`` (in the agreement's zone) is
        reckoned on its own, over its part inside the period and the agreement's term
        (`MinimumCommitment.owed`): an allocation's cost counts in the calendar
        periods it was held in (by the time, or calendar share, held in each), a
        usage's in the one it starts in, as a profile of that period alone would
        count them.

        Commitments whose scopes overlap are reckoned from the narrowest to the
        widest (`_reckoning_order`), and the shortfall of one counts as spent in the
        scope of each commitment reckoned after it whose scope holds its own: the
        customer pays a vcpu minimum of a service and the service's minimum, not
        both shortfalls in full. A shortfall counts in a calendar period of the
        wider commitment by the share of its ``during`` that falls in it (all of
        it when both are per month). The lines stay in the rate card's order.
        """
        window = self.frame.window
        if window is None or not self.rates.commitments:
            return
        basis = _CommitmentBasis(self.frame.currency, self.frame.zone)
        spent_by_per: dict[str, dict[tuple[str, str], list[Fraction]]] = {}
        commitments = self.rates.commitments
        made: dict[int, list[CostLine]] = {}
        # The shortfalls reckoned so far: (commitment, start, end, exact).
        reckoned: list[tuple[MinimumCommitment, int, int, Fraction]] = []
        for place in _reckoning_order(commitments):
            commitment = commitments[place]
            owed = commitment.owed(window)
            bounds = [_micros(part.start) for part, _ in owed] + [self.frame.end_us]
            costs = spent_by_per.get(commitment.per)
            if costs is None:
                costs = spent_by_per[commitment.per] = self._costs_within(bounds)
            narrower = [
                (start, end, exact)
                for earlier, start, end, exact in reckoned
                if commitment.covers(earlier.service, earlier.resource_type)
            ]
            lines = made[place] = []
            for index, (_, least) in enumerate(owed):
                low, high = bounds[index], bounds[index + 1]
                spent = sum(
                    (
                        cost[index]
                        for (service, kind), cost in costs.items()
                        if commitment.covers(service, kind)
                    ),
                    Fraction(0),
                )
                for start, end, exact in narrower:
                    overlap = min(end, high) - max(start, low)
                    if overlap > 0:
                        spent += exact * overlap / (end - start)
                if spent < least:
                    row = (basis, commitment, least - spent, least, spent, low, high)
                    lines.append(_line(row))
            reckoned += [(commitment, *line._row[5:7], line._row[2]) for line in lines]  # noqa: SLF001
        for place in range(len(commitments)):
            self.lines += made[place]

    def _costs_within(self, bounds: list[int]) -> dict[tuple[str, str], list[Fraction]]:
        """What each service and type cost inside each ``[bounds[i], bounds[i + 1])``, exactly."""
        count = len(bounds) - 1
        costs: dict[tuple[str, str], list[Fraction]] = defaultdict(lambda: [Fraction(0)] * count)
        partial: dict[int, list[tuple[int, int, Decimal]]] = defaultdict(list)
        if count > 1:
            for line in self.lines:
                bucket, held, start, end = line._row[:4]  # noqa: SLF001
                if isinstance(bucket, _Bucket) and (start, end) != (bounds[0], bounds[-1]):
                    partial[id(bucket)].append((start, end, held.quantity.magnitude))
        for bucket in self.buckets:
            key = (bucket.service, bucket.resource_type)
            if count == 1:
                costs[key][0] += bucket.exact()
                continue
            for index, cost in enumerate(_bucket_costs(bucket, partial[id(bucket)], bounds)):
                costs[key][index] += cost
        for at, service, kind, exact in self.usage_costs:  # each starts inside the bounds
            costs[(service, kind)][bisect.bisect_right(bounds, at) - 1] += exact
        return costs


_PER_ORDER = {"day": 0, "month": 1, "quarter": 2, "year": 3}


def _reckoning_order(commitments: tuple[MinimumCommitment, ...]) -> list[int]:
    """The places of ``commitments`` in the order they are reckoned: narrowest scope first.

    A scope of one service and one type comes before one of a service or a type,
    which comes before one of everything, so each commitment comes after every
    commitment whose scope its own strictly holds. Among commitments of one width,
    the shorter calendar period comes first (a day before a month), then the rate
    card's order.
    """

    def width(commitment: MinimumCommitment) -> int:
        return (commitment.service is None) + (commitment.resource_type is None)

    return sorted(
        range(len(commitments)),
        key=lambda place: (
            width(commitments[place]),
            _PER_ORDER.get(commitments[place].per, len(_PER_ORDER)),
            place,
        ),
    )


def _bucket_costs(
    bucket: _Bucket, partial: list[tuple[int, int, Decimal]], bounds: list[int]
) -> list[Fraction]:
    """What a bucket's allocations cost inside each ``[bounds[i], bounds[i + 1])``, exactly.

    ``partial`` lists the allocations not held over the whole part priced, as (start,
    end, magnitude); the others are the bucket's ``full``. The magnitude held is a
    step function of time, summed over the pieces between its steps and the bounds:
    the work grows with the allocations held in part and the bounds, not with their
    product.
    """
    with localcontext(_SUMS):
        steps: dict[int, Decimal] = defaultdict(Decimal)
        for start, end, magnitude in partial:
            steps[start] += magnitude
            steps[end] -= magnitude
        cuts = sorted({*steps, *bounds})
        sums = [Decimal(0)] * (len(bounds) - 1)
        level = bucket.full
        index = 0
        for low, high in itertools.pairwise(cuts):
            level += steps.get(low, 0)
            while bounds[index + 1] <= low:
                index += 1
            if level:
                sums[index] += bucket.scaled(level, low, high)
    return [Fraction(total) * bucket.factor for total in sums]


def _tier_parts(rate: Rate, reached: Fraction, amount: Fraction) -> list[tuple[Price, Fraction]]:
    """How much of ``amount``, used after ``reached``, falls in each tier (in the first's unit).

    A usage of nothing is one part of nothing, in the tier it would have started in.
    """
    unit = rate.tiers[0].price.unit
    low, high = reached, reached + amount
    parts: list[tuple[Price, Fraction]] = []
    lower = Fraction(0)
    for tier in rate.tiers:
        upper = None if tier.up_to is None else fraction_in(tier.up_to, unit)
        top = high if upper is None else min(high, upper)
        bottom = max(low, lower)
        if top > bottom or (not amount and (upper is None or low < upper)):
            parts.append((tier.price, top - bottom))
        if upper is None or upper >= high:
            break
        lower = upper
    return parts


def _unit_ratio(source: str, target: str) -> Fraction:
    """One ``source`` in ``target``, exactly (tiers of one dimension, maybe other units)."""
    return fraction_in(quantity(1, source), target)


# ---------------------------------------------------------------------- the profile
def _check_inputs(
    agreement: object, period: object, rates: object, types: object
) -> dict[str, ResourceType]:
    problems: list[Problem] = []
    if not isinstance(agreement, CloudServiceAgreement):
        problems.append(Problem("$.agreement", "a CloudServiceAgreement", describe(agreement)))
    if not isinstance(period, Period):
        problems.append(Problem("$.period", "a Period", describe(period)))
    if not isinstance(rates, RateCard):
        problems.append(Problem("$.rates", "a RateCard", describe(rates)))
    table: dict[str, ResourceType] = {}
    chosen = resource_types() if types is None else types
    if isinstance(chosen, str) or not hasattr(chosen, "__iter__"):
        problems.append(Problem("$.types", "a list of ResourceType values", describe(types)))
    else:
        for index, kind in enumerate(cast("Iterable[object]", chosen)):
            if not isinstance(kind, ResourceType):
                problems.append(Problem(f"$.types[{index}]", "a ResourceType", describe(kind)))
            else:
                table.setdefault(kind.id, kind)
    raise_problems(problems, _SUBJECT)
    cast("RateCard", rates).check(table.values())
    return table


def _rows(value: object, path: str) -> tuple[Any, ...]:
    if isinstance(value, str | bytes) or not hasattr(value, "__iter__"):
        raise ValidationError.single(path, "a list", describe(value), subject=_SUBJECT)
    return tuple(cast("Iterable[Any]", value))


@attrs.frozen(kw_only=True)
class LeftOut:
    """What `CostProfile.build` left out of a profile, counted (S11).

    A row left out costs nothing and gives no line, so a typing slip in an
    agreement id would otherwise show only as a total of nothing. ``left_out`` of a
    profile says what was set aside:

    - ``agreement``: the id of the profile's agreement;
    - ``other_agreements``: each other agreement id the rows named, with how many
      rows (allocations and usage together) named it, as ``(id, rows)`` pairs
      sorted by id;
    - ``outside_term``: rows of the agreement that fall in the period only outside
      the agreement's term (an allocation held in the period only before its
      ``effective_from`` or from its ``end`` on; a usage starting in the period
      outside the term);
    - ``allocations`` and ``usage``: how many allocations and how many usage rows
      were left out, for either reason (they add up to ``rows``).

    Rows of the agreement that do not meet the period at all are not counted:
    they belong to other periods. `case_only` lists the other ids that differ from
    the agreement's only by upper and lower case, the likeliest slips.

    Serves S11 (the cost profile says what it priced) and ISO/IEC 20000-1:2011 6.4.
    """

    agreement: str
    other_agreements: tuple[tuple[str, int], ...] = ()
    outside_term: int = 0
    allocations: int = 0
    usage: int = 0

    @property
    def rows(self) -> int:
        """How many rows were left out, for either reason."""
        return self.allocations + self.usage

    @property
    def case_only(self) -> tuple[str, ...]:
        """The other agreement ids that differ from the agreement's only by case."""
        folded = self.agreement.casefold()
        return tuple(
            other
            for other, _ in self.other_agreements
            if other != self.agreement and other.casefold() == folded
        )

    def __bool__(self) -> bool:
        """Whether anything was left out."""
        return self.rows > 0


@attrs.frozen(init=False, repr=False)
class CostProfile:
    """What an agreement's resources cost over a period, line by line (S11).

    Build one with `build`. ``lines`` holds the `CostLine` values: the allocations
    in the order given, then the usage in the order given (a usage split over tiers
    gives a line per tier, in tier order), then the commitments' shortfalls (per
    commitment, one per calendar period, in time order). ``exact_total`` is the
    exact sum of the lines' exact amounts and ``total`` that sum rounded once, half
    to even, to the currency's minor unit (`cloudsms.money.round_to_minor`).
    ``left_out`` (a `LeftOut`) counts the rows of other agreements and those outside
    the agreement's term that the profile set aside. The profile keeps what it was
    built from (``agreement``, ``allocations``, ``usage``, ``period``, ``rates``,
    ``types``), so `revise` can build it again with a request applied.

    Serves S11 (the cost profile of a service's resources) and ISO/IEC 20000-1:2011
    6.4.
    """

    agreement: CloudServiceAgreement
    period: Period
    rates: RateCard
    allocations: tuple[Allocation, ...]
    usage: tuple[Usage, ...]
    types: tuple[ResourceType, ...] | None
    lines: tuple[CostLine, ...]
    exact_total: Fraction
    total: Money
    left_out: LeftOut

    @classmethod
    def build(
        cls,
        agreement: CloudServiceAgreement,
        allocations: Iterable[Allocation],
        usage: Iterable[Usage],
        period: Period,
        *,
        rates: RateCard,
        types: Iterable[ResourceType] | None = None,
    ) -> CostProfile:
        """The cost profile of ``agreement`` over ``period``, priced with ``rates``.

        Only the part of the period inside the agreement's term (from its
        ``effective_from`` to its ``end``) is priced: an allocation costs the time it
        was held inside both, a usage counts when it starts inside both (in the
        period its interval starts in, whole), and a minimum commitment owes only
        for that part. Calendar periods (the months of a price per month or of a
        commitment, the days of `split`) are counted in the agreement's time zone,
        whatever zone the period's bounds are written in, and each line's ``held``
        is written in that zone. Allocations and usage of other agreements are left
        out, as are those that do not overlap the period; ``left_out`` counts the
        rows of other agreements and those in the period only outside the term.
        ``types`` is the table of resource types (the built-in one by default); the
        rate card is checked against it first (`RateCard.check`).

        Raises:
            ValidationError: wrong-typed arguments; a rate that does not suit its
                type; a row of the agreement that names another customer, a service
                the agreement does not subscribe, an unknown resource type, or a
                service and type the rate card does not price (naming the rates it
                knows), or a quantity its price does not charge — each at its row
                (``$.allocations[3].resource_type``; the first 50, then a count).

        Examples:
            The worked example of the docs: 4 vcpu held all of October 2026 at EUR
            0.042 per vcpu-hour is 744 hours in UTC, EUR 124.992, billed EUR 124.99.
        """
        table = _check_inputs(agreement, period, rates, types)
        held = _rows(allocations, "$.allocations")
        used = _rows(usage, "$.usage")
        builder = _Builder(agreement, period, rates, table)
        builder.allocations(held)
        builder.usage(used)
        builder.raise_problems()
        builder.commitments()
        exact = sum((bucket.exact() for bucket in builder.buckets), Fraction(0))
        exact += sum(
            (line.exact for line in builder.lines if not isinstance(line._row[0], _Bucket)),  # noqa: SLF001
            Fraction(0),
        )
        profile = _new(cls)
        values = {
            "agreement": agreement,
            "period": period,
            "rates": rates,
            "allocations": held,
            "usage": used,
            "types": None if types is None else tuple(table.values()),
            "lines": tuple(builder.lines),
            "exact_total": exact,
            "total": _rounded(exact, rates.currency),
            "left_out": builder.left_out(),
        }
        for name, value in values.items():
            object.__setattr__(profile, name, value)
        return profile

    @property
    def currency(self) -> str:
        """The currency of every amount of the profile (the rate card's)."""
        return self.rates.currency

    def __repr__(self) -> str:
        count = len(self.lines)
        return (
            f"<CostProfile of {self.agreement.id} over {self.period}: {count} "
            f"line{'' if count == 1 else 's'}, {self.total}>"
        )

    def split(self, by: SplitBy) -> dict[str, Money]:
        """The total divided by ``by``, the parts adding up to it exactly.

        ``"service"``, ``"cost_centre"`` or ``"resource_type"``: the lines' exact
        amounts summed per value (lines without one, such as a commitment for every
        service, under ``""``); ``"day"``: each line's cost inside each calendar day of
        the period, days counted in the agreement's time zone (keys ``"2026-10-01"``:
        an allocation by its share of time or of the calendar period held in the
        day; a usage spread over its interval, each day getting the share of the
        interval it holds, exactly (a usage running past the period's end, charged
        whole in the period it starts in, is spread over its days inside the period
        and the agreement's term); a commitment's shortfall by each day's share of
        the time it is owed for, its ``during``). The total is then handed out in
        proportion to these exact weights by `cloudsms.money.allocate` (largest
        remainder), keys in sorted order.

        Raises:
            ValidationError: ``by`` is not one of the four (``$.by``).
        """
        if by not in _SPLITS:
            raise ValidationError.single(
                "$.by", "one of " + ", ".join(map(repr, _SPLITS)), describe(by), subject=_SUBJECT
            )
        weights = self._day_weights() if by == "day" else self._key_weights(by)
        keys = sorted(weights)
        return dict(zip(keys, _split(self.total, [weights[k] for k in keys]), strict=True))

    def _key_weights(self, by: str) -> dict[str, Fraction]:
        scaled: dict[tuple[str, _Bucket], Decimal] = defaultdict(Decimal)
        weights: dict[str, Fraction] = defaultdict(Fraction)
        with localcontext(_SUMS):
            for line in self.lines:
                key = getattr(line, by) or ""
                basis, held, start, end = line._row[:4]  # noqa: SLF001
                if isinstance(basis, _Bucket):
                    scaled[(key, basis)] += basis.scaled(held.quantity.magnitude, start, end)
                else:
                    weights[key] += line.exact
        for (key, bucket), total in scaled.items():
            weights[key] += Fraction(total) * bucket.factor
        return weights

    def _day_weights(self) -> dict[str, Fraction]:
        zone = timezone(self.agreement.timezone)
        period = self.period
        days = Period(period.start.astimezone(zone), period.end.astimezone(zone)).split("day")
        bounds = [_micros(day.start) for day in days] + [_micros(period.end)]
        keys = [day.start.date().isoformat() for day in days]
        weights: dict[str, Fraction] = dict.fromkeys(keys, Fraction(0))
        lowest, highest = _term_window(self.agreement, bounds[0], bounds[-1])

        def spread(exact: Fraction, start: int, end: int) -> None:
            """``exact`` over the days of ``[start, end)``, by the time each holds."""
            index = bisect.bisect_right(bounds, start) - 1
            while index < len(keys) and bounds[index] < end:
                low, high = max(start, bounds[index]), min(end, bounds[index + 1])
                weights[keys[index]] += exact * (high - low) / (end - start)
                index += 1

        for line in self.lines:
            basis = line._row[0]  # noqa: SLF001
            if isinstance(basis, _Bucket):
                _, _, start, end = line._row  # noqa: SLF001
                magnitude = Fraction(cast("Allocation", line.source).quantity.magnitude)
                index = bisect.bisect_right(bounds, start) - 1
                while index < len(keys) and bounds[index] < end:
                    low, high = max(start, bounds[index]), min(end, bounds[index + 1])
                    share = (
                        high - low if basis.calendar is None else basis.calendar.share(low, high)
                    )
                    weights[keys[index]] += magnitude * share * basis.factor
                    index += 1
            elif basis.kind == "usage":
                used = cast("Usage", line.source)
                start = max(_micros(used.start), lowest)
                spread(line.exact, start, min(_micros(used.end), highest))
            else:
                start, end = line._row[5:7]  # noqa: SLF001
                spread(line.exact, start, end)
        return weights


def _split(total: Money, weights: list[Fraction]) -> tuple[Money, ...]:
    """``total`` handed out in proportion to exact weights, by `allocate`'s rule.

    The weights go to `cloudsms.money.allocate` as Fractions, each divided by the
    largest (the parts depend only on the weights' ratios), so weights of any size
    whose ratios `allocate` can hold are handed out by it. Ratios beyond its
    bounds (a weight below 1E-30 of the largest, or terms of 68 digits or more) are
    handed out by the same rule here, exactly.
    """
    if not weights:
        return ()
    if not total or not any(weights):
        return tuple(Money.zero(total.currency) for _ in weights)
    largest = max(weights)
    ratios = [weight / largest for weight in weights]
    if all(_fits(ratio) for ratio in ratios):
        return allocate(total, ratios)
    return _largest_remainder(total, weights)


def _fits(ratio: Fraction) -> bool:
    """Whether `allocate` takes ``ratio`` as a weight (its bounds on a Fraction weight)."""
    return bounded_fraction(ratio) is not None and max(
        ratio.numerator, ratio.denominator
    ) < 10 ** (MAX_DIGITS + MAX_EXPONENT)


def _largest_remainder(total: Money, weights: list[Fraction]) -> tuple[Money, ...]:
    """`allocate`'s rule, on exact weights whose ratios are beyond its bounds.

    Each share is floored to the smallest unit in play, then the units left over go
    one each to the largest remainders, earlier parts first on a tie.
    """
    minor = total.minor_unit if total.minor_unit is not None else 0
    places = max(minor, -cast("int", total.amount.as_tuple().exponent))
    units = math.floor(abs(Fraction(total.amount)) * 10**places)
    whole = sum(weights)
    exact = [units * w / whole for w in weights]
    parts = [math.floor(x) for x in exact]
    order = sorted(range(len(parts)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[: units - sum(parts)]:
        parts[i] += 1
    sign = -1 if total.amount < 0 else 1
    return tuple(Money(Decimal(sign * p).scaleb(-places, _SUMS), total.currency) for p in parts)


# ---------------------------------------------------------------------- billing periods
def billing_period(
    agreement: CloudServiceAgreement, cycle: relativedelta, at: dt.datetime
) -> Period:
    """The billing period of ``agreement`` that holds the instant ``at``.

    Billing periods follow one another every ``cycle`` (a calendar length, such as
    a `RateCard.billing_cycle`) from the agreement's ``effective_from``, counted on
    the wall clock of the agreement's time zone, each computed from that start so
    the series never drifts (a cycle of a month from 31 January ends on 28 February,
    then 31 March).

    Raises:
        ValidationError: ``at`` is not an aware instant, ``cycle`` is not a positive
            calendar length, or a period falls outside the supported range.
    """
    raise_problems(instant_problems(at, "$.at"), _SUBJECT)
    zone = timezone(agreement.timezone)
    anchor = agreement.effective_from.astimezone(zone)
    moment = _micros(at)
    first = add_calendar(anchor, cycle)
    length = max(_micros(first) - _micros(anchor), 1)
    count = (moment - _micros(anchor)) // length
    while _micros(add_calendar(anchor, cycle, count)) > moment:
        count -= 1
    while _micros(add_calendar(anchor, cycle, count + 1)) <= moment:
        count += 1
    return Period(add_calendar(anchor, cycle, count), add_calendar(anchor, cycle, count + 1))


# ---------------------------------------------------------------------- changes
def _money_text(
    data: dict[str, Any], name: str, code: str, problems: list[Problem]
) -> Money | None:
    value = data.get(name)
    try:
        return Money(value, code)  # type: ignore[arg-type]
    except ValidationError as refused:
        problems.extend(problem._replace(path=f"$.data.{name}") for problem in refused.problems)
    return None


@attrs.frozen(kw_only=True)
class CostChange(Record):
    """How a change alters what the customer pays, from an instant on (S11).

    ``before`` and ``after`` are the costs of the same span without and with the
    change, ``difference`` is ``after - before`` (negative when the customer pays
    less), and ``effective`` is when the change takes effect. It travels in a
    `cloudsms.agreements.Notice` as a `cloudsms.agreements.NoticePayload` of kind
    ``"cost-change"`` (`to_payload`, `from_payload`), its amounts as decimal text.

    Serves S11 (notification of the revised cost profile) and ISO/IEC 20000-1:2011
    6.4 and 7.1.

    Raises:
        ValidationError: every problem, each with its path: amounts of several
            currencies (``$.after``, ``$.difference``), a difference other than
            after less before (``$.difference``), a naive instant.

    Examples:
        >>> import datetime as dt
        >>> change = CostChange(
        ...     before=Money("62.50", "EUR"),
        ...     after=Money("93.75", "EUR"),
        ...     difference=Money("31.25", "EUR"),
        ...     effective=dt.datetime(2026, 10, 17, 12, tzinfo=dt.UTC),
        ... )
        >>> dict(change.to_payload().data)["difference"]
        '31.25'
        >>> CostChange.from_payload(change.to_payload()) == change
        True
    """

    before: Money
    after: Money
    difference: Money
    effective: dt.datetime = attrs.field(validator=instant, eq=instant_key)

    def _rules(self) -> Iterator[Problem]:
        """One currency; the difference is after less before."""
        code = self.before.currency
        for name in ("after", "difference"):
            money: Money = getattr(self, name)
            if money.currency != code:
                yield Problem(name, f"an amount in {code} (as before)", str(money))
        if self.after.currency == code == self.difference.currency:
            expected = self.after - self.before
            if self.difference != expected:
                yield Problem(
                    "difference", f"after less before ({expected})", str(self.difference)
                )

    def to_payload(self) -> NoticePayload:
        """The change as the payload of a notice: kind ``"cost-change"``, amounts as text."""
        return NoticePayload(
            kind=COST_CHANGE,
            data={
                "currency": self.before.currency,
                "before": self.before.amount_text,
                "after": self.after.amount_text,
                "difference": self.difference.amount_text,
                "effective": format_datetime(self.effective),
            },
        )

    @classmethod
    def from_payload(cls, payload: NoticePayload) -> CostChange:
        """Read a change back from a notice's payload.

        Raises:
            ValidationError: not a payload of kind ``"cost-change"``, or data missing
                or malformed, each at its path (``$.data.before``).
        """
        if not isinstance(payload, NoticePayload):
            raise ValidationError.single(
                "$", "a NoticePayload", describe(payload), subject="cost change"
            )
        if payload.kind != COST_CHANGE:
            raise ValidationError.single(
                "$.kind", repr(COST_CHANGE), describe(payload.kind), subject="cost change"
            )
        data = dict(payload.data)
        problems: list[Problem] = []
        code = data.get("currency")
        if not isinstance(code, str):
            raise ValidationError.single(
                "$.data.currency", "an ISO 4217 code", describe(code), subject="cost change"
            )
        amounts = {
            name: _money_text(data, name, code, problems)
            for name in ("before", "after", "difference")
        }
        effective: dt.datetime | None = None
        try:
            effective = structure_datetime(data.get("effective"), dt.datetime)
        except ValidationError as refused:
            problems += [p._replace(path="$.data.effective") for p in refused.problems]
        raise_problems(problems, "cost change")
        return cls(
            before=cast("Money", amounts["before"]),
            after=cast("Money", amounts["after"]),
            difference=cast("Money", amounts["difference"]),
            effective=cast("dt.datetime", effective),
        )


@attrs.frozen(kw_only=True)
class CostRevision:
    """What `revise` returns: the revised profile, the change and the notice to the customer."""

    profile: CostProfile
    change: CostChange
    notice: Notice


_NOT_ID = re.compile(r"[^A-Za-z0-9._:-]+")
_ROW_PATH = re.compile(r"\$\.allocations\[(\d+)\]")


def _in_request(problems: Iterable[Problem]) -> ValidationError:
    """Problems of what a request asks for, at the request's paths (``$.request.quantity``)."""
    moved = [p._replace(path="$.request" + p.path[1:]) for p in problems]
    return ValidationError(moved, subject=_SUBJECT)


def _as_built(
    refused: ValidationError, given: tuple[Allocation, ...], changed: tuple[Allocation, ...]
) -> ValidationError:
    """A refused profile after a request, each problem at a path the caller built.

    A problem of an allocation the request made is the request's (``$.allocations[4]
    .resource_type`` becomes ``$.request.resource_type``); one of an allocation the
    profile was given is at its place among those (``$.allocations[i]``).
    """
    places = {id(row): index for index, row in enumerate(given)}
    moved = []
    for problem in refused.problems:
        found = _ROW_PATH.match(problem.path)
        if found is None:
            moved.append(problem)
            continue
        rest = problem.path[found.end() :]
        place = places.get(id(changed[int(found.group(1))]))
        path = f"$.allocations[{place}]{rest}" if place is not None else f"$.request{rest}"
        moved.append(problem._replace(path=path))
    return ValidationError(moved, subject=_SUBJECT)


def _party_id(name: str) -> str | None:
    """A provider's name as a party id: other characters as ``-``, at most 64 characters."""
    if ID.fullmatch(name):
        return name
    slug = _NOT_ID.sub("-", name).strip("-._:")[:64].rstrip("-._:")
    return slug if slug and ID.fullmatch(slug) else None


def revise(
    profile: CostProfile,
    request: ResourceRequest,
    *,
    as_of: dt.datetime,
    sent_by: str | None = None,
) -> CostRevision:
    """The cost of a resource request, and the notice that tells the customer (S11).

    The request takes effect at its ``effective_at`` (or ``as_of``, when it names
    none). The span priced runs from then to the end of the billing period after the
    one holding ``as_of`` (billing periods of the rate card's cycle, from the
    agreement's start in its zone: `billing_period`): the rest of this period and
    the next whole one. The span is priced twice from what ``profile`` was built
    from: with its allocations as they are (``before``) and as the request leaves
    them (`cloudsms.resources.ResourceRequest.apply`, ``after``). The result holds
    the profile after the request, the `CostChange` (``difference`` is ``after -
    before``) and a `cloudsms.agreements.Notice` from the provider to the customer,
    sent at ``as_of`` and effective when the request is. ``sent_by`` is the
    provider's party id; by default the agreement's provider name, made into an id
    where it is not one (``"ACME Cloud"`` gives ``"ACME-Cloud"``).

    Raises:
        ValidationError: the request is of another agreement or customer
            (``$.request``), takes effect before ``as_of`` or after the span's end
            (``$.request.effective_at``), ``as_of`` is not an aware instant, no party
            id can be made of the provider's name (``$.sent_by``), the request
            cannot be applied (as `cloudsms.resources.ResourceRequest.apply`, at
            ``$.request.resource_id`` and the like), or what it asks for cannot be
            priced: a resource type the rate card does not price or a quantity its
            price does not charge, at the request's own paths
            (``$.request.resource_type``, ``$.request.quantity``).
    """
    if not isinstance(profile, CostProfile):
        raise ValidationError.single(
            "$.profile", "a CostProfile", describe(profile), subject=_SUBJECT
        )
    if not isinstance(request, ResourceRequest):
        raise ValidationError.single(
            "$.request", "a ResourceRequest", describe(request), subject=_SUBJECT
        )
    raise_problems(instant_problems(as_of, "$.as_of"), _SUBJECT)
    agreement = profile.agreement
    if request.agreement != agreement.id or request.customer != agreement.customer_id:
        raise ValidationError.single(
            "$.request",
            f"a request of the profile's agreement {agreement.id} and customer "
            f"{agreement.customer_id}",
            f"{request.agreement} for {request.customer}",
            subject=_SUBJECT,
        )
    effective = request.effective_at if request.effective_at is not None else as_of
    if _micros(effective) < _micros(as_of):
        raise ValidationError.single(
            "$.request.effective_at",
            f"an instant not before as_of ({as_of.isoformat()})",
            effective.isoformat(),
            subject=_SUBJECT,
        )
    zone = timezone(agreement.timezone)
    current = billing_period(agreement, profile.rates.billing_cycle, as_of)
    end = billing_period(agreement, profile.rates.billing_cycle, current.end).end
    if _micros(effective) >= _micros(end):
        raise ValidationError.single(
            "$.request.effective_at",
            f"an instant before the end of the next billing period ({end.isoformat()})",
            effective.isoformat(),
            subject=_SUBJECT,
        )
    sender = sent_by if sent_by is not None else _party_id(agreement.provider)
    if sender is None:
        raise ValidationError.single(
            "$.sent_by",
            "the provider's party id (its name makes none)",
            describe(agreement.provider),
            subject=_SUBJECT,
        )
    span = Period(effective.astimezone(zone), end)
    types = profile.types
    before = CostProfile.build(
        agreement, profile.allocations, profile.usage, span, rates=profile.rates, types=types
    )
    try:
        changed = request.apply(profile.allocations, effective)
    except ValidationError as refused:
        raise _in_request(refused.problems) from None
    try:
        after = CostProfile.build(
            agreement, changed, profile.usage, span, rates=profile.rates, types=types
        )
    except ValidationError as refused:
        raise _as_built(refused, profile.allocations, changed) from None
    change = CostChange(
        before=before.total,
        after=after.total,
        difference=after.total - before.total,
        effective=effective,
    )
    notice = Notice(
        sent_by=sender,
        sent_to={agreement.customer_id},
        sent_at=as_of,
        effective_at=effective,
        payload=change.to_payload(),
    )
    return CostRevision(profile=after, change=change, notice=notice)
