"""The cloud service agreement itself: subscriptions, SLAs, charges and every agreed term (S07).

Serves S07 (establish a cloud service agreement with each customer: the services
bought, their service levels, charges, responsibilities, limits, locations, legal
terms, termination and exit) and ISO/IEC 20000-1:2011 6.1 (service level management:
the agreement records what was agreed and the SLAs their targets) and 7.1 (business
relationship management: the agreement between the provider and one customer).

- `Subscription`: one service bought from the catalogue: its entry, offering, chosen
  upgrades and the quantities it commits to (`Commitment`).
- `ServiceLevelAgreement`: the targets agreed for one or more subscribed services.
- `RecurringCharge` and `OneOffCharge`: what the customer pays; `recurring_charges`
  derives the recurring ones from the catalogue's prices (how, exactly, is said there).
- `CloudServiceAgreement`: the persisted document (``cloudsms.cloud-service-agreement``)
  holding all of it, versioned for the amendments of a later module.
- `credit_due`: the credit a target of the agreement earns for a period.
- `check_agreement`: the agreement read against the `cloudsms.catalogue.Catalogue` it
  was bought from; `check_data_location`: where resources and data actually are,
  read against the locations the agreement allows.

One agreement may cover several services (several subscriptions, one SLA or one per
service) or a single one; both are the same record.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Context, Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

import attrs
from dateutil.relativedelta import relativedelta

from cloudsms._foundation.exact import nearest_amount
from cloudsms._foundation.frozen import as_frozenset, as_tuple
from cloudsms._foundation.instants import instant_key, load_zone
from cloudsms._foundation.suggest import suggest
from cloudsms._kit.checks import (
    calendar_length,
    id_set,
    ident,
    instant,
    jurisdiction_problems,
    jurisdictions,
    text,
)
from cloudsms._kit.documents import document
from cloudsms._kit.durations import format_duration
from cloudsms._kit.records import Check, Record, one_or_more, unique_by
from cloudsms.agreements.amendments import AmendmentRule, AppliedAmendment
from cloudsms.agreements.credits import credit_for
from cloudsms.agreements.targets import MEASURES, ServiceTarget
from cloudsms.agreements.terms import (
    EarlyTerminationCharge,
    ExitTerms,
    LegalTerm,
    PriorityScale,
    ResourceLimit,
    Responsibilities,
    TerminationTerms,
)
from cloudsms.errors import Problem, ValidationError, describe
from cloudsms.money import Money, Price, currency
from cloudsms.periods import SupportHours
from cloudsms.units import (
    Quantity,
    calendar_units,
    dimension,
    format_quantity,
    fraction_in,
    quantity_problems,
    same_dimension,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from cloudsms.catalogue import Catalogue, CatalogueEntry, Offering
    from cloudsms.levels import ServiceLevel

__all__ = [
    "AGREEMENT_DOCUMENT",
    "CloudServiceAgreement",
    "Commitment",
    "OneOffCharge",
    "Placement",
    "PlacementKind",
    "RecurringCharge",
    "ServiceLevelAgreement",
    "Subscription",
    "check_agreement",
    "check_data_location",
    "credit_due",
    "recurring_charges",
]

AGREEMENT_DOCUMENT = "cloudsms.cloud-service-agreement"
"""The declared type name of a `CloudServiceAgreement` document."""

_CLOSED_STATES = ("retiring", "retired")
_SCALE = Context(prec=80)


# ---------------------------------------------------------------------- shared checks
def _committed_quantity(value: object, path: str) -> list[Problem]:
    found = quantity_problems(value, path, example="a quantity such as '4 vcpu'")
    if found or not isinstance(value, Quantity):
        return found
    if value.magnitude < 0:
        return [Problem(path, "a quantity not below zero", format_quantity(value))]
    if calendar_units(value):
        expected = "a quantity in units of fixed length (a calendar month or year varies)"
        return [Problem(path, expected, format_quantity(value))]
    return []


_quantity = Check(_committed_quantity, total=True)


def _money_not_below_zero(money: Money, path: str) -> list[Problem]:
    return [Problem(path, "Money not below zero", str(money))] if money.amount < 0 else []


_charge = Check(_money_not_below_zero, expected="Money not below zero")


def _zone_problems(value: object, path: str) -> list[Problem]:
    found = load_zone(value, path)
    return found if isinstance(found, list) else []


_zone = Check(_zone_problems, total=True)


def _positive_version(value: int, path: str) -> list[Problem]:
    return [] if value >= 1 else [Problem(path, "a version of 1 or more", str(value))]


_version = Check(_positive_version, expected="a version number (an integer of 1 or more)")


def _optional_key(value: dt.datetime | None) -> tuple[dt.datetime, str] | None:
    """What an optional instant compares by (`instant_key`, or None)."""
    return None if value is None else instant_key(value)


# ---------------------------------------------------------------------- subscriptions
@attrs.frozen(kw_only=True)
class Commitment(Record):
    """How much of a priced item (the offering, or one chosen upgrade) the customer commits to.

    ``item_id`` is the subscription's offering id or one of its chosen upgrade ids;
    ``quantity`` is, for a price per calendar period (``per`` month, ...), the
    quantity held through each period (``3 instance``); for a price per usage unit
    (``vcpu*hour``, ``request``), the usage committed per billing period, in the
    price's own dimension (``2920 vcpu*hour``). `recurring_charges` says how each
    becomes a charge. Serves S07 (charges) and S11 (the committed resources).
    """

    item_id: str = attrs.field(validator=ident)
    quantity: Quantity = attrs.field(validator=_quantity)


@attrs.frozen(kw_only=True)
class Subscription(Record):
    """One service the customer buys from the catalogue (S03 -> S07).

    ``entry_id`` and ``offering_id`` name the catalogue entry and the offering bought;
    ``upgrade_ids`` the upgrades chosen (only a customizable offering allows any);
    ``service_id`` the service the subscription covers (the entry's service);
    ``commitments`` the committed quantities of its priced items, at most one per
    item, each the offering or a chosen upgrade. These ids are checked against a
    catalogue by `check_agreement`, which the agreement does not hold.
    """

    entry_id: str = attrs.field(validator=ident)
    offering_id: str = attrs.field(validator=ident)
    upgrade_ids: frozenset[str] = attrs.field(
        validator=id_set(of="upgrade"), default=frozenset(), converter=as_frozenset
    )
    service_id: str = attrs.field(validator=ident)
    commitments: tuple[Commitment, ...] = attrs.field(
        validator=unique_by("item_id"), default=(), converter=as_tuple
    )

    def _rules(self) -> Iterator[Problem]:
        """Each commitment is for the offering or one of the chosen upgrades."""
        items = {self.offering_id, *self.upgrade_ids}
        for index, commitment in enumerate(self.commitments):
            if commitment.item_id not in items:
                known = ", ".join(sorted(items))
                yield Problem(
                    f"commitments[{index}].item_id",
                    f"the offering or a chosen upgrade ({known})",
                    describe(commitment.item_id),
                )

    def quantity_of(self, item_id: str) -> Quantity | None:
        """The committed quantity of ``item_id``, or ``None`` if the subscription states none."""
        return next((c.quantity for c in self.commitments if c.item_id == item_id), None)


# ---------------------------------------------------------------------- SLAs
@attrs.frozen(kw_only=True)
class ServiceLevelAgreement(Record):
    """The targets agreed for one or more subscribed services (S07; 20000-1 6.1).

    ``service_ids`` are the services covered (each subscribed by the agreement, which
    checks it); ``targets`` one or more `ServiceTarget` values with distinct ids. The
    targets are measured in the agreement's time zone and support hours.
    """

    id: str = attrs.field(validator=ident)
    service_ids: frozenset[str] = attrs.field(
        validator=id_set(of="service") & one_or_more("service ids"), converter=as_frozenset
    )
    targets: tuple[ServiceTarget, ...] = attrs.field(
        validator=one_or_more(ServiceTarget) & unique_by("id"), converter=as_tuple
    )

    def target(self, target_id: str) -> ServiceTarget | None:
        """The target with this id, or ``None``."""
        return next((t for t in self.targets if t.id == target_id), None)


# ---------------------------------------------------------------------- charges
@attrs.frozen(kw_only=True)
class RecurringCharge(Record):
    """What one service costs per billing period: ``amount`` every ``period`` (S07, 6.4).

    The base a credit is a share of (`credit_due`). Derived from the catalogue with
    `recurring_charges`; ``period`` is the entry's billing cycle (``relativedelta(months=1)``).
    """

    service_id: str = attrs.field(validator=ident)
    amount: Money = attrs.field(validator=_charge)
    period: relativedelta = attrs.field(validator=calendar_length)

    def __hash__(self) -> int:
        return hash((self.service_id, self.amount, format_duration(self.period)))


@attrs.frozen(kw_only=True)
class OneOffCharge(Record):
    """A charge paid once (set-up, migration, training), with what it is for (S07)."""

    description: str = attrs.field(validator=text)
    amount: Money = attrs.field(validator=_charge)


def _month_count(length: relativedelta) -> int | None:
    """Whole months in ``length``, or None if it also has days or a time of day."""
    if length.days or length.hours or length.minutes or length.seconds or length.microseconds:
        return None
    return length.years * 12 + length.months


def _day_count(length: relativedelta) -> int | None:
    """Whole days in ``length``, or None if it also has months, years or a time of day."""
    if length.years or length.months or length.hours or length.minutes or length.seconds:
        return None
    return None if length.microseconds else length.days


_PER_MONTHS = {"month": 1, "quarter": 3, "year": 12}


def _periods_per_cycle(cycle: relativedelta, per: str) -> Fraction | None:
    """How many of a price's calendar unit one billing cycle holds, exactly (None: no ratio)."""
    if per == "day":
        days = _day_count(cycle)
        return None if not days else Fraction(days)
    months = _month_count(cycle)
    return None if not months else Fraction(months, _PER_MONTHS[per])


def _item_cost(
    price: Price, committed: Quantity | None, cycle: relativedelta, path: str
) -> tuple[Fraction, list[Problem]]:
    """The exact cost of one priced item per billing cycle, or the problems stopping it."""
    from cloudsms.units import quantity  # noqa: PLC0415

    amount = Fraction(price.amount.amount)
    if price.per is not None:
        held = committed if committed is not None else quantity(1, price.unit)
        if not same_dimension(held, price.unit):
            expected = f"a quantity of {price.unit} (the price is {price})"
            return Fraction(0), [Problem(path, expected, format_quantity(held))]
        ratio = _periods_per_cycle(cycle, price.per)
        if ratio is None:
            unit = "days" if price.per == "day" else "months"
            expected = f"a billing cycle of whole {unit}, since the price is per {price.per}"
            return Fraction(0), [Problem(path, expected, format_duration(cycle))]
        return amount * fraction_in(held, price.unit) * ratio, []
    if committed is None:
        expected = (
            f"a commitment: the {price.unit} used per billing period "
            f"({format_duration(cycle)}), since the price is per usage"
        )
        return Fraction(0), [Problem(path, expected, "none")]
    if not same_dimension(committed, price.unit):
        kind = dimension(quantity(1, price.unit))
        expected = f"a quantity of {kind} per billing period, in {price.unit}"
        return Fraction(0), [Problem(path, expected, format_quantity(committed))]
    return amount * fraction_in(committed, price.unit), []


def _rounded(exact: Fraction, code: str, path: str) -> Money:
    """``exact`` as Money in ``code``, rounded once half to even to the minor unit."""
    minor = currency(code).minor_unit
    try:
        if minor is None:
            return Money(nearest_amount(exact), code)
        units = round(exact * 10**minor)  # half to even, as Fraction rounds
        return Money(Decimal(units).scaleb(-minor, _SCALE), code)
    except (OverflowError, ValidationError):
        raise ValidationError.single(
            path, "a charge below 1E+31", f"about {float(exact):.3E} {code}", subject="Charges"
        ) from None


def _charge_of(
    entry: CatalogueEntry, subscription: Subscription, path: str
) -> tuple[RecurringCharge | None, list[Problem]]:
    """The recurring charge of one subscription to ``entry``, or the problems stopping it."""
    offering = next((o for o in entry.offerings if o.id == subscription.offering_id), None)
    if offering is None:
        return None, [
            Problem(
                f"{path}.offering_id",
                _known(
                    "an offering of entry " + repr(entry.id),
                    subscription.offering_id,
                    [o.id for o in entry.offerings],
                ),
                describe(subscription.offering_id),
            )
        ]
    upgrades = {u.id: u for u in entry.upgrades}
    items: list[tuple[str, Price]] = [(offering.id, offering.price)]
    problems: list[Problem] = []
    for index, upgrade_id in enumerate(sorted(subscription.upgrade_ids)):
        upgrade = upgrades.get(upgrade_id)
        if upgrade is None or upgrade_id not in offering.upgrades:
            problems.append(
                _upgrade_problem(entry, offering, upgrade_id, f"{path}.upgrade_ids[{index}]")
            )
            continue
        items.append((upgrade_id, upgrade.price))
    missing = sorted(offering.requires - subscription.upgrade_ids)
    if missing:  # every subscription to the offering includes them (Offering.requires)
        expected = (
            f"upgrade ids including {', '.join(missing)}, which offering {offering.id!r} requires"
        )
        problems.append(
            Problem(f"{path}.upgrade_ids", expected, describe(sorted(subscription.upgrade_ids)))
        )
    cycle = entry.billing.cycle
    total = Fraction(0)
    for item_id, price in items:
        where = _commitment_path(subscription, item_id, path)
        cost, found = _item_cost(price, subscription.quantity_of(item_id), cycle, where)
        problems += found
        total += cost
    if problems:
        return None, problems
    amount = _rounded(total, entry.billing.currency, path)
    return RecurringCharge(service_id=subscription.service_id, amount=amount, period=cycle), []


def _commitment_path(subscription: Subscription, item_id: str, path: str) -> str:
    index = next((i for i, c in enumerate(subscription.commitments) if c.item_id == item_id), None)
    return f"{path}.commitments" if index is None else f"{path}.commitments[{index}].quantity"


def _known(what: str, given: object, known: Iterable[str]) -> str:
    close = suggest(given, list(known))
    return what + (f" (close matches: {', '.join(close)})" if close else "")


def _upgrade_problem(
    entry: CatalogueEntry, offering: Offering, upgrade_id: str, path: str
) -> Problem:
    if upgrade_id not in {u.id for u in entry.upgrades}:
        expected = _known(
            f"an upgrade of entry {entry.id!r}", upgrade_id, [u.id for u in entry.upgrades]
        )
        return Problem(path, expected, describe(upgrade_id))
    allowed = ", ".join(sorted(offering.upgrades)) or "none"
    expected = f"an upgrade offering {offering.id!r} allows ({allowed})"
    return Problem(path, expected, describe(upgrade_id))


def recurring_charges(
    catalogue: Catalogue, subscriptions: Iterable[Subscription]
) -> tuple[RecurringCharge, ...]:
    """The recurring charge of each subscription, per billing period, from the catalogue's prices.

    The billing period is the entry's billing cycle. The charge adds up the offering's
    price and the price of each chosen upgrade, each for its committed quantity
    (`Commitment`):

    - a price per calendar period (``EUR 45 per instance per month``) is charged for
      the quantity held (the commitment, or one unit of the price when there is none)
      times the number of the price's periods in one billing cycle: a monthly cycle
      holds 1 month, 1/3 of a quarter and 1/12 of a year; a cycle of 7 days holds 7
      days. A cycle in months against a price per day (months vary in days), or one
      in days against a price per month, has no exact ratio and is refused;
    - a price per usage unit (``EUR 0.042 per vcpu*hour``, per request) is charged for
      the usage committed per billing period, which the subscription must state in
      the price's dimension (``2920 vcpu*hour``); a quantity without the time
      (``4 vcpu``) is refused, since a calendar month has no fixed number of hours.

    The sum stays exact and is rounded once, half to even, to the minor unit of the
    entry's billing currency. Serves S07 (charges derived from the catalogue) and
    20000-1 6.4.

    Raises:
        ValidationError: an unknown entry, offering or upgrade (close matches named),
            an upgrade the offering does not allow or one it requires left out (at
            ``upgrade_ids``), a missing or mismatched commitment,
            or a cycle with no exact ratio to a price — each at its path
            (``$.subscriptions[0].commitments[1].quantity``).
    """
    problems: list[Problem] = []
    charges: list[RecurringCharge] = []
    entries = {e.id: e for e in catalogue.entries}
    given: Iterable[object] = subscriptions
    for index, subscription in enumerate(given):
        path = f"$.subscriptions[{index}]"
        if not isinstance(subscription, Subscription):
            problems.append(Problem(path, "a Subscription", describe(subscription)))
            continue
        entry = entries.get(subscription.entry_id)
        if entry is None:
            expected = _known("the id of a catalogue entry", subscription.entry_id, entries)
            problems.append(Problem(f"{path}.entry_id", expected, describe(subscription.entry_id)))
            continue
        charge, found = _charge_of(entry, subscription, path)
        problems += found
        if charge is not None:
            charges.append(charge)
    if problems:
        raise ValidationError(problems, subject="Recurring charges")
    return tuple(charges)


# ---------------------------------------------------------------------- the agreement
@document(AGREEMENT_DOCUMENT, version=1)
@attrs.frozen(kw_only=True)
class CloudServiceAgreement(Record):
    """The agreement between a provider and one customer: what is bought and on what terms.

    Parties and time: ``provider`` (the `cloudsms.context.ProviderProfile`'s name,
    which is how the profile is known), ``customer_id`` (a
    `cloudsms.parties.CloudServiceCustomer` id), ``effective_from`` (an aware instant)
    and an optional ``end`` after it.

    What is bought: ``subscriptions`` (one or more, one per service), ``slas`` (one or
    more, each covering subscribed services), ``recurring_charges`` (at most one per
    subscribed service; `recurring_charges` derives them) and ``one_off_charges``.

    Terms: ``responsibilities`` (every activity held), ``resource_limits`` (one per
    resource type), the allowed ``data_locations`` and ``resource_locations`` (ISO
    3166), ``monitoring_retention`` and ``record_keeping`` (calendar lengths),
    ``legal_terms`` (one per kind), the ``timezone`` measurement periods are counted
    in and the ``support_hours`` incident clocks run on (in their own zone, which may
    differ: a service desk elsewhere), ``customer_wait_pauses_clocks`` (whether
    waiting on the customer pauses response and resolution clocks), ``priorities``
    (every incident target's priority is on it), ``termination`` and ``exit``.
    ``version`` counts the amendments (1 for the agreement as first signed);
    ``amendment_rules`` name the terms the provider may change by notice alone, with
    the least notice (`cloudsms.agreements.amendments.AmendmentRule`), and
    ``amendments`` is the history of the changes made by
    `cloudsms.agreements.amendments.amend` (one entry per version after the first,
    in the order they take effect; `terms_on` rebuilds any earlier version from it).

    Optional, and why: ``end`` (most agreements run until terminated under their
    termination terms); ``one_off_charges`` (many have none); ``recurring_charges``
    (a record of the charges; an agreement read before they are derived still reads,
    and `check_agreement` compares them with the catalogue); ``resource_limits`` (a
    service may set none); ``legal_terms`` (a kind not agreed is absent rather than
    an empty text); ``amendment_rules`` (without them, every change needs consent) and
    ``amendments`` (an agreement never amended has none). Everything else is
    required, the termination and exit terms too: an agreement without them cannot
    be built, so `check_agreement` never finds them missing.

    A persisted document (``cloudsms.cloud-service-agreement``, schema version 1).
    Serves S07 (and S09, S10, S11, S13, which run on its terms); ISO/IEC 20000-1:2011
    6.1 and 7.1.

    Raises:
        ValidationError: every problem of the fields, each with its path; among the
            rules: an end not after the start, an SLA covering an unsubscribed
            service, a charge for one, and an incident target's priority off the scale.
    """

    id: str = attrs.field(validator=ident)
    version: int = attrs.field(validator=_version, default=1)
    provider: str = attrs.field(validator=text)
    customer_id: str = attrs.field(validator=ident)
    effective_from: dt.datetime = attrs.field(validator=instant, eq=instant_key)
    end: dt.datetime | None = attrs.field(validator=instant, default=None, eq=_optional_key)
    subscriptions: tuple[Subscription, ...] = attrs.field(
        validator=one_or_more(Subscription) & unique_by("service_id"), converter=as_tuple
    )
    slas: tuple[ServiceLevelAgreement, ...] = attrs.field(
        validator=one_or_more(ServiceLevelAgreement) & unique_by("id"), converter=as_tuple
    )
    recurring_charges: tuple[RecurringCharge, ...] = attrs.field(
        validator=unique_by("service_id"), default=(), converter=as_tuple
    )
    one_off_charges: tuple[OneOffCharge, ...] = attrs.field(default=(), converter=as_tuple)
    responsibilities: Responsibilities
    resource_limits: tuple[ResourceLimit, ...] = attrs.field(
        validator=unique_by("resource_type"), default=(), converter=as_tuple
    )
    data_locations: frozenset[str] = attrs.field(validator=jurisdictions, converter=as_frozenset)
    resource_locations: frozenset[str] = attrs.field(
        validator=jurisdictions, converter=as_frozenset
    )
    monitoring_retention: relativedelta = attrs.field(validator=calendar_length)
    record_keeping: relativedelta = attrs.field(validator=calendar_length)
    legal_terms: tuple[LegalTerm, ...] = attrs.field(
        validator=unique_by("kind"), default=(), converter=as_tuple
    )
    timezone: str = attrs.field(validator=_zone)
    support_hours: SupportHours
    customer_wait_pauses_clocks: bool
    priorities: PriorityScale
    termination: TerminationTerms
    exit: ExitTerms
    amendment_rules: tuple[AmendmentRule, ...] = attrs.field(
        validator=unique_by("term"), default=(), converter=as_tuple
    )
    amendments: tuple[AppliedAmendment, ...] = attrs.field(default=(), converter=as_tuple)

    def _rules(self) -> Iterator[Problem]:
        """End after start; SLAs and charges for subscribed services; priorities on the scale."""
        yield from self._history_rules()
        if self.end is not None and self.end.astimezone(dt.UTC) <= self.effective_from.astimezone(
            dt.UTC
        ):
            expected = f"an end after the start ({self.effective_from.isoformat()})"
            yield Problem("end", expected, self.end.isoformat())
        subscribed = {s.service_id for s in self.subscriptions}
        for index, sla in enumerate(self.slas):
            extra = sorted(sla.service_ids - subscribed)
            if extra:
                expected = f"subscribed services ({', '.join(sorted(subscribed))})"
                yield Problem(f"slas[{index}].service_ids", expected, ", ".join(extra))
            for place, target in enumerate(sla.targets):
                if target.priority is not None and target.priority not in self.priorities.ids:
                    expected = f"a priority of the scale ({', '.join(self.priorities.ids)})"
                    yield Problem(
                        f"slas[{index}].targets[{place}].priority", expected, target.priority
                    )
        for index, charge in enumerate(self.recurring_charges):
            if charge.service_id not in subscribed:
                expected = f"a subscribed service ({', '.join(sorted(subscribed))})"
                yield Problem(
                    f"recurring_charges[{index}].service_id", expected, charge.service_id
                )

    def _history_rules(self) -> Iterator[Problem]:
        """The history ends at this version, one version per entry, each in effect in order."""
        first = self.version - len(self.amendments) + 1
        start = self.effective_from.astimezone(dt.UTC)
        previous: dt.datetime | None = None
        for index, applied in enumerate(self.amendments):
            if applied.version != first + index:
                expected = f"version {first + index} (the history ends at version {self.version})"
                yield Problem(f"amendments[{index}].version", expected, str(applied.version))
            at = applied.effective_at.astimezone(dt.UTC)
            if at < start:
                expected = f"no earlier than the start ({self.effective_from.isoformat()})"
                yield Problem(
                    f"amendments[{index}].effective_at", expected, applied.effective_at.isoformat()
                )
            if previous is not None and at < previous:
                expected = f"no earlier than the amendment before ({previous.isoformat()})"
                yield Problem(
                    f"amendments[{index}].effective_at", expected, applied.effective_at.isoformat()
                )
            previous = at

    def __hash__(self) -> int:
        return hash((self.id, self.version, self.customer_id, self.subscriptions, self.slas))

    @property
    def service_ids(self) -> frozenset[str]:
        """The services the agreement subscribes to."""
        return frozenset(s.service_id for s in self.subscriptions)

    def subscription_for(self, service_id: str) -> Subscription | None:
        """The subscription covering ``service_id``, or ``None``."""
        return next((s for s in self.subscriptions if s.service_id == service_id), None)

    def recurring_charge_for(self, service_id: str) -> RecurringCharge | None:
        """The recurring charge of ``service_id``, or ``None``."""
        return next((c for c in self.recurring_charges if c.service_id == service_id), None)

    def targets(self) -> Iterator[tuple[ServiceLevelAgreement, ServiceTarget]]:
        """Every target of every SLA, with its SLA, in order."""
        for sla in self.slas:
            for target in sla.targets:
                yield sla, target


# ---------------------------------------------------------------------- credits
def credit_due(
    agreement: CloudServiceAgreement, target: ServiceTarget, achieved: object, charge: Money
) -> Money:
    """The credit ``achieved`` earns against ``target`` of ``agreement`` for one period.

    The target must be one of the agreement's: equal, as a value, to a target of one
    of its SLAs (the very object, or the same target read back from JSON). A target
    with the same id but other terms (of another agreement, or of an earlier version)
    is refused, since its credit terms may differ from what was agreed. The credit is
    then `cloudsms.agreements.credits.credit_for`: exact Money in the charge's
    currency, rounded once half to even, never negative, never above the cap.
    ``charge`` is the period's recurring charge for the affected service (the
    agreement's `RecurringCharge` amount, or a prorated part of it).

    Raises:
        ValidationError: ``agreement`` is not an agreement (``$.agreement``), the
            target is not one of its targets (``$.target``, naming the agreement's
            targets as ``sla/target`` ids), or `credit_for` refuses ``achieved`` or
            ``charge``.
    """
    given: object = agreement
    if not isinstance(given, CloudServiceAgreement):
        raise ValidationError.single(
            "$.agreement", "a CloudServiceAgreement", describe(given), subject="Credit"
        )
    if not any(target == mine for _, mine in agreement.targets()):
        known = ", ".join(f"{sla.id}/{mine.id}" for sla, mine in agreement.targets())
        asked: object = target
        got = f"target {target.id!r}" if isinstance(asked, ServiceTarget) else describe(asked)
        raise ValidationError.single(
            "$.target",
            f"a target of agreement {agreement.id!r} ({known})",
            got,
            subject="Credit",
        )
    return credit_for(target, achieved, charge)


# ---------------------------------------------------------------------- checks
def check_agreement(agreement: CloudServiceAgreement, catalogue: Catalogue) -> list[Problem]:
    """What in ``agreement`` contradicts ``catalogue``, each problem at its path in the agreement.

    For each subscription (``$.subscriptions[i]``):

    - an unknown entry, offering or upgrade id (close matches named), an upgrade the
      offering does not allow, an upgrade the offering requires left out
      (`cloudsms.catalogue.Offering.requires`, at ``upgrade_ids``), a ``service_id``
      other than the entry's service;
    - an entry whose service is retiring or retired in the catalogue's graph;
    - a recurring charge other than the one `recurring_charges` derives, or none;
    - a minimum term shorter than the entry's (from ``effective_from``), or none
      where the entry has one (``$.termination.minimum_term``);
    - an early-termination charge other than the entry's, compared as
      ``EarlyTerminationCharge.fixed(entry.early_termination_charge)``, or one where
      the entry states none (``$.termination.early_termination_charge``);
    - an allowed data or resource location that the entry does not offer
      (``$.data_locations[k]`` at the code's sorted index): a code is offered when
      the entry lists it or a country it is a subdivision of (``US-CA`` inside
      ``US``), as `cloudsms.catalogue.Catalogue.by_data_location` reads locations;
      a region such as ``EU`` does not contain its countries here.

    For each quantitative target of an SLA (``$.slas[j].targets[k]``), against each
    subscription of a service the SLA covers: the offering's levels and those of the
    chosen upgrades are what is committed; a target whose metric none of them has is
    reported at the target, one stricter than every committed level of its metric at
    ``.level.target``. Levels are matched by metric (`MEASURES`: ``uptime`` is
    availability), so incident targets per priority each meet the offering's one
    level. Qualitative objectives are not compared: the catalogue states no such
    levels. The termination and exit terms are required by the agreement itself, so
    they are never missing here, and activities no party holds are refused when the
    agreement is built (`Responsibilities`).

    Serves S07 (the agreement is consistent with the catalogue, S03) and S15 (no new
    agreement for a retiring service); ISO/IEC 20000-1:2011 6.1 and 7.1.
    """
    problems: list[Problem] = []
    entries = {e.id: e for e in catalogue.entries}
    charges = {c.service_id: (i, c) for i, c in enumerate(agreement.recurring_charges)}
    for index, subscription in enumerate(agreement.subscriptions):
        path = f"$.subscriptions[{index}]"
        entry = entries.get(subscription.entry_id)
        if entry is None:
            expected = _known("the id of a catalogue entry", subscription.entry_id, entries)
            problems.append(Problem(f"{path}.entry_id", expected, describe(subscription.entry_id)))
            continue
        problems += _entry_problems(catalogue, entry, subscription, path)
        charge, found = _charge_of(entry, subscription, path)
        problems += found
        if charge is not None:
            problems += _charge_problems(charges, charge, subscription.service_id)
        problems += _term_problems(agreement, entry)
        problems += _location_problems(agreement, entry)
    problems += _target_problems(agreement, entries)
    unique: dict[Problem, None] = dict.fromkeys(problems)
    return list(unique)


def _entry_problems(
    catalogue: Catalogue,
    entry: CatalogueEntry,
    subscription: Subscription,
    path: str,
) -> Iterator[Problem]:
    if subscription.service_id != entry.service:
        yield Problem(
            f"{path}.service_id",
            f"{entry.service!r}, the service of catalogue entry {entry.id!r}",
            describe(subscription.service_id),
        )
    service = next((s for s in catalogue.graph.services if s.id == entry.service), None)
    if service is not None and service.lifecycle_state in _CLOSED_STATES:
        yield Problem(
            f"{path}.entry_id",
            "an entry whose service is not retiring or retired",
            f"{entry.id!r} (service {service.id!r} is {service.lifecycle_state})",
        )


def _charge_problems(
    charges: dict[str, tuple[int, RecurringCharge]], derived: RecurringCharge, service_id: str
) -> Iterator[Problem]:
    agreed = charges.get(service_id)
    said = f"{derived.amount} every {format_duration(derived.period)}"
    if agreed is None:
        yield Problem(
            "$.recurring_charges",
            f"a recurring charge for service {service_id!r} ({said}, from the catalogue)",
            "none",
        )
        return
    index, charge = agreed
    if charge.amount != derived.amount or charge.amount.currency != derived.amount.currency:
        yield Problem(
            f"$.recurring_charges[{index}].amount",
            f"{derived.amount}, what the catalogue's prices give",
            str(charge.amount),
        )
    if format_duration(charge.period) != format_duration(derived.period):
        yield Problem(
            f"$.recurring_charges[{index}].period",
            f"{format_duration(derived.period)}, the entry's billing cycle",
            format_duration(charge.period),
        )


def _term_problems(agreement: CloudServiceAgreement, entry: CatalogueEntry) -> Iterator[Problem]:
    from cloudsms.periods import add_calendar  # noqa: PLC0415

    terms = agreement.termination
    if entry.minimum_term is not None:
        least = format_duration(entry.minimum_term)
        expected = f"a minimum term of at least {least}, as catalogue entry {entry.id!r} states"
        if terms.minimum_term is None:
            yield Problem("$.termination.minimum_term", expected, "null")
        else:
            start = agreement.effective_from
            if add_calendar(start, terms.minimum_term) < add_calendar(start, entry.minimum_term):
                yield Problem(
                    "$.termination.minimum_term", expected, format_duration(terms.minimum_term)
                )
    agreed = terms.early_termination_charge
    entry_charge = entry.early_termination_charge
    wanted = None if entry_charge is None else EarlyTerminationCharge.fixed(entry_charge)
    if agreed != wanted:
        expected = (
            f"no early-termination charge, as catalogue entry {entry.id!r} states none"
            if wanted is None
            else f"a fixed charge of {entry_charge}, as catalogue entry {entry.id!r} states"
        )
        yield Problem("$.termination.early_termination_charge", expected, _charge_text(agreed))


def _charge_text(charge: EarlyTerminationCharge | None) -> str:
    if charge is None:
        return "null"
    if charge.amount is not None:
        return f"{charge.kind.value} {charge.amount}"
    if charge.percent is not None:
        return f"{charge.kind.value} {charge.percent} %"
    return charge.kind.value


def _within(code: str, allowed: Iterable[str]) -> bool:
    """Whether ``code`` is one of ``allowed`` or a subdivision of one (``US-CA`` in ``US``)."""
    return any(code == place or code.startswith(place + "-") for place in allowed)


def _location_problems(
    agreement: CloudServiceAgreement, entry: CatalogueEntry
) -> Iterator[Problem]:
    for name, offered in (
        ("data_locations", entry.data_locations),
        ("resource_locations", entry.resource_locations),
    ):
        allowed = sorted(getattr(agreement, name))
        for index, code in enumerate(allowed):
            if not _within(code, offered):
                what = "data" if name == "data_locations" else "resource"
                yield Problem(
                    f"$.{name}[{index}]",
                    f"a {what} location catalogue entry {entry.id!r} offers "
                    f"({', '.join(sorted(offered))})",
                    code,
                )


def _metric_key(measure: str) -> object:
    return MEASURES.get(" ".join(measure.split()).casefold())


def _committed_levels(
    entry: CatalogueEntry, subscription: Subscription
) -> list[ServiceLevel] | None:
    """The offering's levels and those of the chosen upgrades (None: the offering is unknown)."""
    offering = next((o for o in entry.offerings if o.id == subscription.offering_id), None)
    if offering is None:
        return None
    chosen = subscription.upgrade_ids & offering.upgrades
    return [*offering.levels, *(u.level for u in entry.upgrades if u.id in chosen and u.level)]


def _not_stricter(target: ServiceLevel, committed: ServiceLevel) -> bool | None:
    """Whether ``target`` promises no more than ``committed`` (None: they do not compare)."""
    try:
        return not attrs.evolve(target, measure=committed.measure).is_stricter_than(committed)
    except ValidationError:
        return None


def _target_problems(
    agreement: CloudServiceAgreement, entries: dict[str, CatalogueEntry]
) -> Iterator[Problem]:
    for index, sla in enumerate(agreement.slas):
        covering = [
            s
            for s in agreement.subscriptions
            if s.service_id in sla.service_ids and s.entry_id in entries
        ]
        for place, target in enumerate(sla.targets):
            if target.level is None:
                continue
            path = f"$.slas[{index}].targets[{place}]"
            for subscription in covering:
                levels = _committed_levels(entries[subscription.entry_id], subscription)
                if levels is None:
                    continue
                yield from _one_target(path, target, target.level, levels, subscription)


def _one_target(
    path: str,
    target: ServiceTarget,
    level: ServiceLevel,
    levels: list[ServiceLevel],
    subscription: Subscription,
) -> Iterator[Problem]:
    where = f"offering {subscription.offering_id!r} of entry {subscription.entry_id!r}"
    same = [c for c in levels if _metric_key(c.measure) is target.metric]
    verdicts = [_not_stricter(level, c) for c in same]
    if not any(v is not None for v in verdicts):
        measures = ", ".join(sorted({c.measure for c in levels}))
        yield Problem(
            path,
            f"a target on a measure {where} commits to ({measures})",
            f"{target.id!r}: {level}",
        )
        return
    if not any(verdicts):
        committed = " or ".join(
            str(c) for c, v in zip(same, verdicts, strict=True) if v is not None
        )
        yield Problem(
            f"{path}.level.target",
            f"a target no stricter than {where} commits to ({committed})",
            format_quantity(level.target),
        )


# ---------------------------------------------------------------------- placements
class PlacementKind(enum.StrEnum):
    """What is placed: data (a data store) or a resource (a VM, a cluster)."""

    DATA = "data"
    RESOURCE = "resource"


@attrs.frozen(kw_only=True)
class Placement(Record):
    """Where a resource or data store actually is: its id and an ISO 3166 code (S07, S11).

    ``kind`` says which of the agreement's allowed locations apply: data stores are
    read against ``data_locations``, resources against ``resource_locations``.
    """

    item_id: str = attrs.field(validator=ident)
    location: str = attrs.field(validator=Check(jurisdiction_problems, total=True))
    kind: PlacementKind = PlacementKind.DATA


def check_data_location(
    agreement: CloudServiceAgreement, placements: Iterable[Placement | tuple[str, str]]
) -> list[Problem]:
    """Every placement outside the locations ``agreement`` allows, at ``$.placements[i].location``.

    A placement is a `Placement` or an ``(id, ISO 3166 code)`` pair (read as a data
    store). It is inside when its code is an allowed one or a subdivision of one
    (``US-CA`` inside ``US``, as the catalogue's `by_data_location` reads codes); a
    region such as ``EU`` does not contain its countries. Serves S07 (the agreed
    locations of data and resources) and S11/S12 (where things are placed).

    Raises:
        ValidationError: a placement that is neither, or an unknown code, each at
            ``$.placements[i]``.
    """
    read: list[Placement] = []
    faults: list[Problem] = []
    given: Iterable[object] = placements
    for index, item in enumerate(given):
        path = f"$.placements[{index}]"
        if isinstance(item, Placement):
            read.append(item)
        elif isinstance(item, tuple) and len(item) == 2:  # noqa: PLR2004 - a pair
            try:
                read.append(Placement(item_id=item[0], location=item[1]))
            except ValidationError as error:
                faults += [p._replace(path=path + p.path[1:]) for p in error.problems]
        else:
            faults.append(
                Problem(path, "a Placement or an (id, ISO 3166 code) pair", describe(item))
            )
    if faults:
        raise ValidationError(faults, subject="Placements")
    problems: list[Problem] = []
    for index, placement in enumerate(read):
        data = placement.kind is PlacementKind.DATA
        allowed = agreement.data_locations if data else agreement.resource_locations
        if not _within(placement.location, allowed):
            what = "data" if data else "resources"
            problems.append(
                Problem(
                    f"$.placements[{index}].location",
                    f"a location the agreement allows for {what} ({', '.join(sorted(allowed))})",
                    f"{placement.location} ({placement.item_id})",
                )
            )
    return problems
