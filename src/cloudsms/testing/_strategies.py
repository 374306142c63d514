"""Hypothesis strategies for cloudsms's building blocks."""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from typing import TYPE_CHECKING, Any

from dateutil.relativedelta import relativedelta
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from cloudsms.configuration import (
    ConfigurationItem,
    ConfigurationRecord,
    Relation,
    RelationKind,
)
from cloudsms.context import Obligation, ObligationKind, ProviderProfile
from cloudsms.lifecycle import HistoryEntry, Lifecycle, LifecycleInstance
from cloudsms.money import CALENDAR_UNITS, Money, Price, currencies
from cloudsms.periods import WEEKDAYS, DailyWindow, Period, SupportHours, add_exact, timezone
from cloudsms.planning import (
    Objective,
    PlannedRelease,
    Prerequisite,
    PrerequisiteKind,
    ServicePlan,
)
from cloudsms.services import (
    SERVICE_LIFECYCLE,
    SERVICE_STATES,
    CloudService,
    ComponentKind,
    Dependency,
    DeploymentModel,
    ServiceCategory,
    ServiceComponent,
    ServiceGraph,
)

if TYPE_CHECKING:
    from collections.abc import Sequence
    from decimal import Decimal

    from cloudsms.units import Quantity

__all__ = [
    "DIMENSION_UNITS",
    "aware_datetimes",
    "calendar_lengths",
    "cloud_services",
    "configuration_items",
    "configuration_records",
    "currency_codes",
    "daily_windows",
    "exact_durations",
    "history_entries",
    "lifecycle_instances",
    "moneys",
    "periods",
    "prices",
    "provider_profiles",
    "quantities",
    "service_components",
    "service_graphs",
    "service_plans",
    "support_hours",
    "time_zones",
]

DIMENSION_UNITS: dict[str, tuple[str, ...]] = {
    "[time]": ("ms", "s", "min", "h", "day"),
    "[information]": ("bit", "B", "kB", "MB", "GB", "KiB", "MiB", "GiB", "TiB"),
    "dimensionless": ("%", "dimensionless"),
    "1 / [time]": ("Hz", "/s", "/min", "/h"),
    "[information] / [time]": ("bit/s", "kbit/s", "Mbit/s", "GB/month", "GiB/h"),
    "[vcpu]": ("vcpu",),
    "[instance]": ("instance",),
    "[user]": ("user", "seat"),
    "[request]": ("request",),
    "[transaction]": ("transaction", "txn"),
    "[licence]": ("licence",),
    "[request] / [time]": ("request/s", "request/min", "req/h"),
    "[time] * [vcpu]": ("vcpu*hour", "vcpu*min", "h*vcpu"),
    "[time] * [user]": ("user*month", "seat*day"),
}
"""Units `quantities` draws from, by the dimension they measure."""

TIME_ZONES: tuple[str, ...] = (
    "UTC",
    "Europe/Berlin",  # DST, one hour
    "America/Santiago",  # southern-hemisphere DST, changes at midnight
    "Australia/Lord_Howe",  # a half-hour DST shift
    "Asia/Kolkata",  # a half-hour offset, no DST
    "Pacific/Kiritimati",  # +14:00
)


def time_zones() -> st.SearchStrategy[dt.tzinfo]:
    """Time zones chosen to break naive assumptions: DST, half hours, midnight changes."""
    return st.sampled_from(TIME_ZONES).map(timezone)


def aware_datetimes(
    *,
    min_value: dt.datetime | None = None,
    max_value: dt.datetime | None = None,
    timezones: st.SearchStrategy[dt.tzinfo] | None = None,
    edges: bool = True,
) -> st.SearchStrategy[dt.datetime]:
    """Datetimes with a time zone, never naive, never a wall time a DST gap skips.

    Most fall between ``min_value`` and ``max_value`` (naive wall-clock bounds, as
    hypothesis takes them; default 2000-01-01 to 2060-12-31). With ``edges`` (the
    default) some are edge cases instead: the first and last supported instants
    (1900-01-01T00:00Z, just before 9000-01-01T00:00Z) in every testing zone, both
    wall times of a repeated DST hour (``fold`` 0 and 1) and the first instant after
    a DST gap — those within the bounds you set. ``edges=False`` draws ordinary
    instants only.
    """
    zones = time_zones() if timezones is None else timezones
    ordinary = st.datetimes(
        min_value=min_value or dt.datetime(2000, 1, 1),  # noqa: DTZ001 - naive bounds
        max_value=max_value or dt.datetime(2060, 12, 31),  # noqa: DTZ001
        timezones=zones,
        allow_imaginary=False,
    )
    if not edges:
        return ordinary
    special = tuple(
        instant
        for instant in _edge_instants(timezones is None)
        if (min_value is None or instant.replace(tzinfo=None) >= min_value)
        and (max_value is None or instant.replace(tzinfo=None) <= max_value)
    )
    if timezones is not None:  # the caller's zones: the range ends in each drawn zone
        ends = st.sampled_from(_range_ends()).flatmap(
            lambda end: zones.map(end.astimezone).filter(
                lambda local: (
                    (min_value is None or local.replace(tzinfo=None) >= min_value)
                    and (max_value is None or local.replace(tzinfo=None) <= max_value)
                )
            )
        )
        return st.one_of(ordinary, ordinary, ordinary, ends)
    if not special:
        return ordinary
    return st.one_of(ordinary, ordinary, ordinary, st.sampled_from(special))


def _range_ends() -> tuple[dt.datetime, ...]:
    from cloudsms._foundation.instants import MAX_INSTANT, MIN_INSTANT  # noqa: PLC0415

    return (MIN_INSTANT, MAX_INSTANT - dt.timedelta(microseconds=1))


def _edge_instants(every_zone: bool) -> tuple[dt.datetime, ...]:
    """The ends of the supported range in each testing zone, DST folds and gaps."""
    if not every_zone:
        return ()
    found = [end.astimezone(timezone(name)) for end in _range_ends() for name in TIME_ZONES]
    for name, repeated, after_gap in _DST_EDGES:
        zone = timezone(name)
        found += [
            repeated.replace(tzinfo=zone),
            repeated.replace(tzinfo=zone, fold=1),
            after_gap.replace(tzinfo=zone),
        ]
    return tuple(found)


# A zone, a wall time its clocks show twice (autumn), and the first after a jump (spring).
_DST_EDGES = (
    (
        "Europe/Berlin",
        dt.datetime(2026, 10, 25, 2, 30),  # noqa: DTZ001 - a wall time, zoned above
        dt.datetime(2026, 3, 29, 3, 0),  # noqa: DTZ001
    ),
    (
        "America/Santiago",
        dt.datetime(2026, 4, 4, 23, 30),  # noqa: DTZ001
        dt.datetime(2026, 9, 6, 1, 0),  # noqa: DTZ001
    ),
    (
        "Australia/Lord_Howe",
        dt.datetime(2026, 4, 5, 1, 45),  # noqa: DTZ001
        dt.datetime(2026, 10, 4, 2, 30),  # noqa: DTZ001
    ),
)


def currency_codes(*, codes: Sequence[str] | None = None) -> st.SearchStrategy[str]:
    """ISO 4217 codes with a minor unit (or from ``codes``)."""
    pool = (
        tuple(codes) if codes else tuple(c.code for c in currencies() if c.minor_unit is not None)
    )
    return st.sampled_from(pool)


@cache
def _edge_numbers(
    low: Decimal | int | None, high: Decimal | int | None, places: int | None = None
) -> tuple[Decimal, ...]:
    """Numbers at the edges of the bounds (38 digits, 30 places, below 1E+31), within limits.

    Both signs, the smallest step, the largest size, the longest digit strings: what a
    reader, a writer and arithmetic must all get exactly right. With ``places``, only
    numbers of at most that many decimals.
    """
    from decimal import Decimal  # noqa: PLC0415 - at draw time only

    from cloudsms._foundation.exact import MAX_DIGITS, MAX_EXPONENT  # noqa: PLC0415

    whole = MAX_EXPONENT + 1
    fine = MAX_EXPONENT if places is None else min(places, MAX_EXPONENT)
    decimals = min(fine, MAX_DIGITS - whole)
    digits = "1234567890" * 4

    def number(integer: str, fraction: str) -> Decimal:  # from text: exact in any context
        return Decimal(f"{integer}.{fraction}" if fraction else integer)

    edges = [
        Decimal(1).scaleb(-fine),  # the smallest step
        number("9" * whole, "9" * decimals),  # the largest, at the most digits
        number(digits[:whole], digits[:decimals]),
        number("0", "1" * fine) if fine else Decimal(1),
        number("1" + "0" * MAX_EXPONENT, ""),
        number("0", "5") if fine else Decimal(1),
    ]
    edges += [e.copy_negate() for e in edges]
    return tuple(e for e in edges if (low is None or e >= low) and (high is None or e <= high))


def moneys(
    *,
    currency: str | None = None,
    min_value: Decimal | int | None = None,
    max_value: Decimal | int | None = None,
    places: int | None = None,
    edges: bool = True,
) -> st.SearchStrategy[Money]:
    """Money in one currency (or any), with ``places`` decimals (default: the minor unit).

    Most amounts lie within ``min_value`` and ``max_value`` (default ±10**9, narrower
    where ``places`` leaves fewer than 38 digits). With ``edges`` (the default) some
    are the edge cases of the bounds instead, at the same places: the smallest step,
    the largest size (31 integer digits), the longest digit strings, both signs —
    within the limits when you set them; ``places=30`` reaches 38-digit amounts and
    1E-30. Pass ``edges=False`` for ordinary amounts only.

    Raises:
        hypothesis.errors.InvalidArgument: ``places`` is not an integer from 0 to 30.
    """
    from cloudsms._foundation.exact import MAX_DIGITS, MAX_EXPONENT  # noqa: PLC0415

    if places is not None and places not in range(MAX_EXPONENT + 1):
        msg = f"places must be an integer from 0 to {MAX_EXPONENT}, not {places!r}"
        raise InvalidArgument(msg)
    codes = st.just(currency) if currency else currency_codes()

    @st.composite
    def build(draw: st.DrawFn) -> Money:
        code = draw(codes)
        digits = places if places is not None else Money.zero(code).minor_unit or 0
        special = _edge_numbers(min_value, max_value, digits) if edges else ()
        if special and draw(st.integers(0, 9)) == 0:
            return Money(draw(st.sampled_from(special)), code)
        # Ordinary amounts: at most MAX_DIGITS digits at these places.
        widest = 10 ** min(9, MAX_DIGITS - digits)
        amount = draw(
            st.decimals(
                min_value=-widest if min_value is None else min_value,
                max_value=widest if max_value is None else max_value,
                places=digits,
                allow_nan=False,
                allow_infinity=False,
            )
        )
        return Money(amount, code)

    return build()


def quantities(
    *,
    dimension: str | None = None,
    units: Sequence[str] | str | None = None,
    min_value: Decimal | int = 0,
    max_value: Decimal | int | None = None,
    places: int = 3,
    edges: bool = True,
) -> st.SearchStrategy[Quantity]:
    """Quantities of one dimension (a key of `DIMENSION_UNITS`) or of the given units.

    Most magnitudes lie within ``min_value`` and ``max_value`` (default 10**6) with
    ``places`` decimals. With ``edges`` (the default) some are the edge cases of the
    magnitude bounds instead (the smallest step at ``places``, 38 digits, just below
    1E+31) within the limits; ``edges=False`` draws ordinary magnitudes only.
    ``units`` may be one unit text or several.

    Raises:
        hypothesis.errors.InvalidArgument: an unknown ``dimension``, or ``places`` not
            an integer from 0 to 30.
    """
    from cloudsms._foundation.exact import MAX_EXPONENT  # noqa: PLC0415
    from cloudsms.units import quantity  # noqa: PLC0415 - pint only when drawing

    if places not in range(MAX_EXPONENT + 1):
        msg = f"places must be an integer from 0 to {MAX_EXPONENT}, not {places!r}"
        raise InvalidArgument(msg)
    if isinstance(units, str):
        units = (units,)
    if units is None:
        if dimension is not None and dimension not in DIMENSION_UNITS:
            msg = f"dimension must be one of {sorted(DIMENSION_UNITS)}, not {dimension!r}"
            raise InvalidArgument(msg)
        units = (
            DIMENSION_UNITS[dimension]
            if dimension
            else tuple(u for group in DIMENSION_UNITS.values() for u in group)
        )
    magnitudes: st.SearchStrategy[Decimal] = st.decimals(
        min_value=min_value,
        max_value=10**6 if max_value is None else max_value,
        places=places,
        allow_nan=False,
        allow_infinity=False,
    )
    special = _edge_numbers(min_value, max_value, places) if edges else ()
    if special:
        magnitudes = st.one_of(magnitudes, magnitudes, magnitudes, st.sampled_from(special))
    return st.builds(quantity, magnitudes, st.sampled_from(tuple(units)))


def periods(
    *,
    min_duration: dt.timedelta = dt.timedelta(seconds=1),
    max_duration: dt.timedelta = dt.timedelta(days=400),
    starts: st.SearchStrategy[dt.datetime] | None = None,
    edges: bool = True,
) -> st.SearchStrategy[Period]:
    """Half-open periods of aware instants, lasting between the two bounds.

    Durations are drawn to the microsecond. Starts come from ``starts`` or from
    `aware_datetimes` (with its ``edges``); a period that would run past the last
    supported instant ends at its drawn instant instead, so every period is valid.

    Raises:
        hypothesis.errors.InvalidArgument: ``min_duration`` is not positive, or
            ``max_duration`` is shorter than it or longer than 3000 years.
    """
    micro = dt.timedelta(microseconds=1)
    if not micro <= min_duration <= max_duration <= _LONGEST_PERIOD:
        msg = (
            "durations must satisfy 1 microsecond <= min_duration <= max_duration <= "
            f"3000 years, not {min_duration!r} and {max_duration!r}"
        )
        raise InvalidArgument(msg)
    lengths = st.integers(min_duration // micro, max_duration // micro)
    return st.builds(_period_at, starts or aware_datetimes(edges=edges), lengths)


_LONGEST_PERIOD = dt.timedelta(days=3000 * 365)  # under half the supported range


def _period_at(instant: dt.datetime, microseconds: int) -> Period:
    """A period of that length starting at ``instant``, or ending there near the range's end."""
    from cloudsms._foundation.instants import MAX_INSTANT  # noqa: PLC0415

    length = dt.timedelta(microseconds=microseconds)
    if length < MAX_INSTANT - instant.astimezone(dt.UTC):  # no sum past Python's year 9999
        return Period(instant, add_exact(instant, length))
    return Period(add_exact(instant, -length), instant)


def calendar_lengths(*, max_months: int = 36) -> st.SearchStrategy[relativedelta]:
    """Positive calendar lengths: months and days (and years folded into months)."""
    return st.builds(
        lambda months, days: relativedelta(months=months, days=days),
        st.integers(0, max_months),
        st.integers(0, 60),
    ).filter(lambda r: bool(r.months or r.days))


def prices(*, currency: str | None = None, edges: bool = True) -> st.SearchStrategy[Price]:
    """Prices per exact time (per vcpu-hour, per request) or per calendar period.

    Amounts are never negative, with four places; ``edges`` (the default) reaches the
    largest and smallest amounts at those places, as `moneys` does.
    """
    amounts = moneys(currency=currency, min_value=0, places=4, edges=edges)
    exact = st.builds(
        Price,
        amounts,
        st.sampled_from(("vcpu*hour", "user*hour", "request", "GiB", "transaction")),
    )
    calendar = st.builds(
        lambda amount, unit, per: Price(amount, unit, per=per),
        amounts,
        st.sampled_from(("GiB", "user", "vcpu", "licence")),
        st.sampled_from(tuple(CALENDAR_UNITS)),
    )
    return exact | calendar


def daily_windows() -> st.SearchStrategy[DailyWindow]:
    """Opening hours on one weekday, in whole minutes."""
    return st.builds(
        lambda day, a, b: DailyWindow(day, min(a, b), max(a, b) + 1),
        st.integers(0, len(WEEKDAYS) - 1),
        st.integers(0, 1439),
        st.integers(0, 1439),
    )


def support_hours() -> st.SearchStrategy[SupportHours]:
    """Weekly support calendars in testing time zones, with a few holidays."""
    return st.builds(
        lambda tz, windows, holidays: SupportHours(
            timezone=tz, windows=tuple(windows), holidays=frozenset(holidays)
        ),
        st.sampled_from(TIME_ZONES),
        st.lists(daily_windows(), max_size=10),
        st.lists(
            st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2040, 1, 1)), max_size=5
        ),
    )


def exact_durations(
    *, max_value: dt.timedelta = dt.timedelta(days=400)
) -> st.SearchStrategy[dt.timedelta]:
    """Exact durations (timedelta, whole microseconds) from zero to ``max_value``."""
    return st.timedeltas(min_value=dt.timedelta(0), max_value=max_value)


_JSON_LEAVES = st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(max_size=8)


def actor_ids() -> st.SearchStrategy[str]:
    """Actor ids: ``actor:`` and an id, now and then of the longest form (70 characters).

    Pseudonymous ids, as lifecycle trails name who acts (`cloudsms.lifecycle.ACTOR_ID`).
    """
    return _IDS.map(lambda ident: f"actor:{ident}")


def history_entries() -> st.SearchStrategy[HistoryEntry]:
    """History entries with actor ids, aware times, canonical JSON data, sealed or not."""
    names = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)
    data = st.dictionaries(st.text(min_size=1, max_size=6), _JSON_LEAVES, max_size=3)
    hashes = st.one_of(st.just(""), st.from_regex(r"[0-9a-f]{64}", fullmatch=True))
    return st.builds(
        lambda who, when, event, source, target, payload, sealed: HistoryEntry(
            who=who,
            when=when,
            event=event,
            source=source,
            target=target,
            data_json=json.dumps(payload, sort_keys=True, separators=(",", ":")),
            hash=sealed,
        ),
        actor_ids(),
        aware_datetimes(),
        names,
        names,
        names,
        data,
        hashes,
    )


_SHORT_IDS = st.from_regex(r"[a-z0-9][a-z0-9-]{0,15}", fullmatch=True)


def lifecycle_instances(
    lifecycle: Lifecycle,
    *,
    data: st.SearchStrategy[dict[str, Any]] | None = None,
    context: st.SearchStrategy[dict[str, Any]] | None = None,
    origins: st.SearchStrategy[str | None] | None = None,
    max_steps: int = 12,
    ids: st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[LifecycleInstance]:
    """Instances of ``lifecycle`` reached by a random walk of events its guards allow.

    ``data`` draws each event's data and ``context`` the instance's persisted context
    (both empty by default); an event is applied only when its guard allows it.
    ``origins`` draws the state a walk begins in (``None``, the initial state, by
    default): a record whose recorded history begins later (`Lifecycle.begin`).
    ``ids`` draws the instance's id (short ids by default): give the id of the record
    that will hold the instance, since a record refuses a trail bound to another id.
    """
    payloads = data if data is not None else st.just({})
    contexts = context if context is not None else st.just({})
    starts = origins if origins is not None else st.none()

    @st.composite
    def walk(draw: st.DrawFn) -> LifecycleInstance:
        instance = lifecycle.begin(
            id=draw(ids if ids is not None else _SHORT_IDS),
            context=draw(contexts),
            origin=draw(starts),
        )
        when = draw(aware_datetimes(max_value=dt.datetime(2050, 1, 1)))  # noqa: DTZ001
        for _ in range(draw(st.integers(0, max_steps))):
            events = instance.allowed_events()
            if not events:
                break
            event = draw(st.sampled_from(events))
            payload = draw(payloads)
            who = draw(actor_ids())
            if instance.refusal(event, who=who, when=when, data=payload) is None:
                instance = instance.apply(event, who=who, when=when, data=payload)
            when = add_exact(when, dt.timedelta(minutes=draw(st.integers(0, 10_000))))
        return instance

    return walk()


_SHORT_IDS = st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True)
# Now and then an id of the longest form the model reads (64 characters, every
# character class it allows), and names that are long or outside ASCII.
_IDS = st.one_of(
    _SHORT_IDS,
    _SHORT_IDS,
    _SHORT_IDS,
    st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._:-]{62}[a-z]", fullmatch=True),
)
_NAMES = st.one_of(
    st.text(min_size=1, max_size=12),
    st.text(min_size=1, max_size=12),
    st.text(min_size=1, max_size=12),
    st.text(min_size=150, max_size=300),
).filter(str.strip)


def service_components(
    *, ids: st.SearchStrategy[str] | None = None
) -> st.SearchStrategy[ServiceComponent]:
    """Service components of every kind, technical and not."""
    return st.builds(
        lambda i, name, kind: ServiceComponent(id=i, name=name, kind=kind),
        ids if ids is not None else _IDS,
        _NAMES,
        st.sampled_from(ComponentKind),
    )


_GOOD_REVIEW = {
    "capacity_requirement": "400 vcpu at peak",
    "availability_required": "99.9",
    "availability_designed": "99.95",
    "shared_resource_security": "tenant isolation reviewed",
    "sla": "reused",
}
# Event data for the service lifecycle: empty, a passing design review (the design
# guard needs one), or the change a release carries.
_SERVICE_EVENT_DATA: st.SearchStrategy[dict[str, Any]] = st.one_of(
    st.just({}),
    st.just({"review": _GOOD_REVIEW}),
    st.from_regex(r"CHG-[0-9]{1,4}", fullmatch=True).map(lambda change: {"change": change}),
)


def _service_lifecycles(
    service_id: str, *, max_steps: int = 6
) -> st.SearchStrategy[LifecycleInstance]:
    """One service's `SERVICE_LIFECYCLE` instances: up to ``max_steps`` allowed events.

    Most begin planned; some begin at a later state (a service whose earlier history
    was never recorded, as a version-1 document reads).
    """
    return lifecycle_instances(
        SERVICE_LIFECYCLE,
        data=_SERVICE_EVENT_DATA,
        origins=st.one_of(st.none(), st.none(), st.sampled_from(SERVICE_STATES)),
        max_steps=max_steps,
        ids=st.just(service_id),
    )


def cloud_services(
    *, ids: st.SearchStrategy[str] | None = None, component_ids: Sequence[str] = ()
) -> st.SearchStrategy[CloudService]:
    """Cloud services using some of ``component_ids``, each holding a lifecycle with a history.

    Each service's `SERVICE_LIFECYCLE` instance is drawn by `_service_lifecycles`:
    events its guards allow, the design review included.
    """
    parts = st.lists(st.sampled_from(component_ids), unique=True) if component_ids else st.just([])

    @st.composite
    def build(draw: st.DrawFn) -> CloudService:
        service_id = draw(ids if ids is not None else _IDS)
        return CloudService(
            id=service_id,
            name=draw(_NAMES),
            category=draw(st.sampled_from(ServiceCategory)),
            deployment_models=draw(st.frozensets(st.sampled_from(DeploymentModel), min_size=1)),
            owner=draw(st.sampled_from(("ops", "platform", "sales-it"))),
            lifecycle=draw(_service_lifecycles(service_id)),
            components=tuple(draw(parts)),
        )

    return build()


_COMPONENT_KINDS = st.sampled_from(ComponentKind)
_CATEGORIES = st.sampled_from(ServiceCategory)
_MODEL_SETS = st.frozensets(st.sampled_from(DeploymentModel), min_size=1)
_OWNERS = st.sampled_from(("ops", "platform", "sales-it"))


@st.composite
def service_graphs(draw: st.DrawFn, *, max_nodes: int = 12) -> ServiceGraph:
    """Acyclic service graphs: edges only run from later nodes to earlier ones."""
    names = draw(st.lists(_IDS, min_size=1, max_size=max_nodes, unique=True))
    cut = draw(st.integers(0, len(names)))
    component_ids, service_ids = names[:cut], names[cut:]
    components = [
        ServiceComponent(id=i, name=draw(_NAMES), kind=draw(_COMPONENT_KINDS))
        for i in component_ids
    ]
    parts = st.lists(st.sampled_from(component_ids), unique=True) if component_ids else None
    services = [
        CloudService(
            id=i,
            name=draw(_NAMES),
            category=draw(_CATEGORIES),
            deployment_models=draw(_MODEL_SETS),
            owner=draw(_OWNERS),
            lifecycle=draw(_service_lifecycles(i, max_steps=4)),
            components=tuple(draw(parts)) if parts is not None else (),
        )
        for i in service_ids
    ]
    order = {name: index for index, name in enumerate(names)}
    pairs = [(a, b) for a in service_ids for b in names if order[b] < order[a]]
    edges = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=15)) if pairs else []
    return ServiceGraph(
        services=tuple(services),
        components=tuple(components),
        dependencies=tuple(Dependency(dependant=a, dependency=b) for a, b in edges),
    )


def configuration_items(
    *, ids: st.SearchStrategy[str] | None = None
) -> st.SearchStrategy[ConfigurationItem]:
    """Configuration items with text attributes and relations to other items."""
    item_ids = ids if ids is not None else _IDS
    return st.builds(
        lambda i, name, kind, attributes, relations: ConfigurationItem(
            id=i,
            name=name,
            kind=kind,
            attributes=attributes,
            relations=tuple(r for r in relations if r.target != i),
        ),
        item_ids,
        _NAMES,
        st.sampled_from(("virtual machine", "database", "network", "licence", "document")),
        st.dictionaries(
            st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True), st.text(max_size=10), max_size=4
        ),
        st.lists(
            st.builds(
                lambda kind, target, interface: Relation(
                    kind=kind, target=target, interface=interface
                ),
                st.sampled_from(RelationKind),
                _IDS,
                st.none() | st.sampled_from(("https", "sql", "nfs")),
            ),
            max_size=4,
            unique_by=lambda r: (r.kind, r.target),
        ),
    )


@st.composite
def configuration_records(draw: st.DrawFn, *, max_versions: int = 5) -> ConfigurationRecord:
    """Records of one item through a few versions, each a real change, in time order."""
    first = draw(configuration_items())
    when = draw(aware_datetimes(max_value=dt.datetime(2050, 1, 1)))  # noqa: DTZ001
    record = ConfigurationRecord.create(first, by="test", at=when)
    for _ in range(draw(st.integers(0, max_versions - 1))):
        later = draw(configuration_items(ids=st.just(first.id)))
        when = add_exact(when, dt.timedelta(minutes=draw(st.integers(0, 10_000))))
        current = record.current
        if (later.name, later.attributes, later.relations) != (
            current.name,
            current.attributes,
            current.relations,
        ):
            record = record.update(
                by="test",
                at=when,
                name=later.name,
                attributes=later.attributes,
                relations=later.relations,
            )
    return record


_PROFILE_CODES = ("DE", "FR", "US", "US-CA", "JP", "BR")


def _obligations() -> st.SearchStrategy[Obligation]:
    return st.builds(
        lambda kind, text, where: Obligation(kind=kind, requirement=text, jurisdiction=where),
        st.sampled_from(ObligationKind),
        _NAMES,
        st.none() | st.sampled_from(_PROFILE_CODES),
    )


def provider_profiles() -> st.SearchStrategy[ProviderProfile]:
    """Provider profiles with some categories, jurisdictions, obligations and suppliers."""
    codes = st.sampled_from(_PROFILE_CODES)
    return st.builds(
        lambda name, cats, where, duties, suppliers: ProviderProfile(
            name=name,
            categories_offered=cats,
            jurisdictions=where,
            obligations=tuple(duties),
            governed_suppliers=tuple(suppliers),
        ),
        _NAMES,
        st.frozensets(st.sampled_from(ServiceCategory), min_size=1),
        st.frozensets(codes, min_size=1),
        st.lists(_obligations(), max_size=4),
        st.lists(_IDS, unique=True, max_size=3),
    )


@st.composite
def service_plans(draw: st.DrawFn) -> ServicePlan:
    """Plans whose releases wait only for prerequisites the plan holds."""
    dates = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2030, 12, 31))
    ids = draw(st.lists(_IDS, unique=True, max_size=6))
    prerequisites = tuple(
        Prerequisite(
            id=i,
            kind=draw(st.sampled_from(PrerequisiteKind)),
            description=f"prerequisite {i}",
            ready_on=draw(st.none() | dates),
        )
        for i in ids
    )
    releases = tuple(
        PlannedRelease(
            id=f"r{n}",
            service_id=draw(_IDS),
            name=f"release {n}",
            planned_for=draw(dates),
            prerequisites=tuple(draw(st.lists(st.sampled_from(ids), unique=True))) if ids else (),
        )
        for n in range(draw(st.integers(0, 4)))
    )
    objectives = tuple(
        Objective(id=f"o{n}", statement="Keep customers", measure="churn", target="< 2 %")
        for n in range(draw(st.integers(0, 2)))
    )
    return ServicePlan(objectives=objectives, prerequisites=prerequisites, releases=releases)


# ------------------------------------------------- parts of documents, for st.from_type
# Registered for ``st.from_type`` (see ``_register``), so that every public value type of
# the model can be drawn on its own, not only inside the documents that hold it.
_DATES = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2060, 12, 31))


def _objectives() -> st.SearchStrategy[Objective]:
    return st.builds(
        lambda i, statement, measure, target, due: Objective(
            id=i, statement=statement, measure=measure, target=target, due=due
        ),
        _IDS,
        _NAMES,
        _NAMES,
        _NAMES,
        st.none() | _DATES,
    )


def _prerequisites() -> st.SearchStrategy[Prerequisite]:
    return st.builds(
        lambda i, kind, description, ready_on: Prerequisite(
            id=i, kind=kind, description=description, ready_on=ready_on
        ),
        _IDS,
        st.sampled_from(PrerequisiteKind),
        _NAMES,
        st.none() | _DATES,
    )


def _planned_releases() -> st.SearchStrategy[PlannedRelease]:
    return st.builds(
        lambda i, service, name, when, needs: PlannedRelease(
            id=i, service_id=service, name=name, planned_for=when, prerequisites=tuple(needs)
        ),
        _IDS,
        _IDS,
        _NAMES,
        _DATES,
        st.lists(_IDS, unique=True, max_size=3),
    )


def _relations() -> st.SearchStrategy[Relation]:
    return st.builds(
        lambda kind, target, interface: Relation(kind=kind, target=target, interface=interface),
        st.sampled_from(RelationKind),
        _IDS,
        st.none() | st.sampled_from(("https", "sql", "nfs")),
    )


def _configuration_versions() -> st.SearchStrategy[Any]:
    return configuration_records().map(lambda record: record.versions[-1])


def _dependencies() -> st.SearchStrategy[Dependency]:
    return st.builds(
        lambda pair: Dependency(dependant=pair[0], dependency=pair[1]),
        st.lists(_IDS, min_size=2, max_size=2, unique=True),
    )


def _design_reviews() -> st.SearchStrategy[Any]:
    from cloudsms.services import DesignReview, SlaDecision  # noqa: PLC0415

    percent = st.none() | st.decimals(min_value=0, max_value=100, places=3)
    return st.builds(
        lambda capacity, required, designed, security, sla: DesignReview(
            capacity_requirement=capacity,
            availability_required=required,
            availability_designed=designed,
            shared_resource_security=security,
            sla=sla,
        ),
        st.none() | _NAMES,
        percent,
        percent,
        st.none() | _NAMES,
        st.none() | st.sampled_from(SlaDecision),
    )
