"""Service credits: the share of a period's charge a missed target gives back (S07).

Serves S07 (an SLA states its charges and the penalties for missing a target; the
provider's service level management and its accounting agree on them) and S10, whose
evaluations feed `credit_for`; ISO/IEC 20000-1:2011 6.1 (service level management)
and 6.4 (budgeting and accounting for services).

The credit rule, precisely. A `ServiceTarget` may carry `CreditTerms`: one or more
`CreditTier` values listed from the target's threshold outwards, each "achievement
strictly worse than ``worse_than`` earns ``credit`` percent of the period's recurring
charge for the service" — for an at-least target (availability) *worse* means below,
for an at-most target (response time) above. Achievement exactly at a tier's
``worse_than`` does not reach that tier. The worst tier that applies wins: tiers cut
the range of breaching achievements into bands, the first tier's band running from
the threshold to the second tier's ``worse_than``, the last tier's band unbounded.
When the target is built, its tiers are refused where they

- **leave a gap**: the first tier's ``worse_than`` is worse than the threshold, so an
  achievement between the two misses the target and earns nothing;
- **overlap**: the first tier's ``worse_than`` is better than the threshold (it would
  pay while the target is met), or a tier's ``worse_than`` is not strictly worse than
  the one listed before it (its band would lie inside or on the earlier one);
- **do not rise**: a tier's ``credit`` is not strictly above the one listed before.

The credit is then capped — by ``cap_percent`` of the charge, by ``cap_amount``, or,
with neither, by the charge itself — and rounded once, half to even, to the charge's
currency's minor unit (whole yen for JPY). Should that rounding lift the credit above
the cap, it is rounded down instead, so a credit is never negative and never above
its cap. Credits are paid automatically or when claimed within a calendar length
(`ClaimMethod`).
"""

from __future__ import annotations

import enum
from decimal import Context, Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

import attrs
from dateutil.relativedelta import relativedelta

from cloudsms._foundation.frozen import as_tuple
from cloudsms._kit.checks import calendar_length
from cloudsms._kit.records import Check, Record, one_or_more
from cloudsms.errors import Problem, ValidationError, describe
from cloudsms.levels import Bound
from cloudsms.money import Money, currency
from cloudsms.units import (
    Quantity,
    calendar_units,
    format_quantity,
    fraction_in,
    quantity_problems,
    same_dimension,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

    from cloudsms.agreements.targets import ServiceTarget

__all__ = ["ClaimMethod", "CreditTerms", "CreditTier", "credit_for", "tier_problems"]

_HUNDRED = 100


def _percent_problems(value: Decimal, path: str) -> list[Problem]:
    if value.is_finite() and 0 < value <= _HUNDRED:
        return []
    return [Problem(path, "a percentage above 0 and at most 100, such as 10", str(value))]


_percent = Check(_percent_problems, expected="a percentage (Decimal) such as 10")


def _limit_problems(value: object, path: str) -> list[Problem]:
    found = quantity_problems(value, path, example="a quantity such as '99.5 %'")
    if found or not isinstance(value, Quantity):
        return found
    if value.magnitude < 0:
        return [Problem(path, "a quantity not below zero", format_quantity(value))]
    if calendar_units(value):
        expected = "a quantity in units of fixed length (a calendar month or year varies)"
        return [Problem(path, expected, format_quantity(value))]
    return []


_limit = Check(_limit_problems, total=True)


@attrs.frozen(kw_only=True)
class CreditTier(Record):
    """Achievement strictly worse than ``worse_than`` earns ``credit`` % of the charge (S07).

    ``worse_than`` is a quantity of the target's dimension; ``credit`` a percentage of
    the period's recurring charge for the affected service, above 0 and at most 100.
    """

    worse_than: Quantity = attrs.field(validator=_limit)
    credit: Decimal = attrs.field(validator=_percent)


class ClaimMethod(enum.StrEnum):
    """How a credit reaches the customer: paid by itself, or only when claimed in time."""

    AUTOMATIC = "automatic"
    CLAIMED = "claimed"


def _cap_amount_problems(value: Money, path: str) -> list[Problem]:
    quantum = currency(value.currency).quantum
    if value.amount < 0:
        return [Problem(f"{path}.amount", "an amount not below zero", value.amount_text)]
    if quantum is None or (Fraction(value.amount) / Fraction(quantum)).denominator != 1:
        expected = f"an amount in whole minor units of {value.currency}"
        return [Problem(f"{path}.amount", expected, value.amount_text)]
    return []


@attrs.frozen(kw_only=True)
class CreditTerms(Record):
    """The credit tiers of a target, the cap on a credit, and how credits are claimed (S07).

    ``tiers`` are listed from the target's threshold outwards (the module docs give the
    rule); ``cap_percent`` (a percentage of the charge) or ``cap_amount`` (money in
    whole minor units) caps a credit, at most one of them; with neither, the charge
    is the cap. ``claim`` is automatic, or claimed within ``claim_within`` (a calendar
    length from the end of the measurement period), which only a claimed credit has.

    Examples:
        >>> from cloudsms.units import quantity
        >>> CreditTerms(
        ...     tiers=[CreditTier(worse_than=quantity("99.9 %"), credit=Decimal(10))],
        ...     claim=ClaimMethod.CLAIMED,
        ... )
        Traceback (most recent call last):
        ...
        cloudsms.errors.ValidationError: CreditTerms is invalid (1 problem):
          - expected the calendar length a credit must be claimed within, got null @ $.claim_within
    """

    tiers: tuple[CreditTier, ...] = attrs.field(
        validator=one_or_more(CreditTier), converter=as_tuple
    )
    cap_percent: Decimal | None = attrs.field(validator=_percent, default=None)
    cap_amount: Money | None = attrs.field(validator=Check(_cap_amount_problems), default=None)
    claim: ClaimMethod = ClaimMethod.AUTOMATIC
    claim_within: relativedelta | None = attrs.field(validator=calendar_length, default=None)

    def _rules(self) -> Iterator[Problem]:
        """At most one cap; a claim window exactly when credits are claimed."""
        if self.cap_percent is not None and self.cap_amount is not None:
            yield Problem(
                "cap_amount", "null when cap_percent caps the credit", str(self.cap_amount)
            )
        if self.claim is ClaimMethod.CLAIMED and self.claim_within is None:
            yield Problem(
                "claim_within", "the calendar length a credit must be claimed within", "null"
            )
        if self.claim is ClaimMethod.AUTOMATIC and self.claim_within is not None:
            yield Problem(
                "claim_within", "null for credits paid automatically", describe(self.claim_within)
            )


def _worse(a: Fraction, b: Fraction, bound: Bound) -> bool:
    """Whether achievement ``a`` is strictly worse than ``b`` for a target of ``bound``."""
    return a < b if bound is Bound.AT_LEAST else a > b


def tier_problems(
    terms: CreditTerms, unit: str, threshold: Fraction, bound: Bound, *, path: str = "credits"
) -> Iterator[Problem]:
    """The problems of ``terms`` for a target of ``threshold`` (exact, in ``unit``) and ``bound``.

    Each tier's ``worse_than`` must convert to ``unit``; the first must equal the
    threshold (else a gap, or an overlap with the met range), each next one be
    strictly worse than the one before (else an overlap), and each credit rise (the
    module docs). Paths are relative to the target: ``credits.tiers[1].worse_than``.
    """
    worse = "below" if bound is Bound.AT_LEAST else "above"
    limits: list[Fraction] = []
    for index, tier in enumerate(terms.tiers):
        here = f"{path}.tiers[{index}]"
        if not same_dimension(tier.worse_than, unit):
            yield Problem(
                f"{here}.worse_than",
                f"a quantity convertible to {unit}",
                format_quantity(tier.worse_than),
            )
            return
        limits.append(fraction_in(tier.worse_than, unit))
    first = limits[0]
    if first != threshold:
        kind = "a gap" if _worse(first, threshold, bound) else "an overlap with the met range"
        yield Problem(
            f"{path}.tiers[0].worse_than",
            f"the target's threshold (a first tier elsewhere leaves {kind})",
            format_quantity(terms.tiers[0].worse_than),
        )
    for index in range(1, len(limits)):
        here = f"{path}.tiers[{index}]"
        before = terms.tiers[index - 1]
        if not _worse(limits[index], limits[index - 1], bound):
            yield Problem(
                f"{here}.worse_than",
                f"a limit strictly {worse} {format_quantity(before.worse_than)} (tiers overlap)",
                format_quantity(terms.tiers[index].worse_than),
            )
        if terms.tiers[index].credit <= before.credit:
            yield Problem(
                f"{here}.credit",
                f"a credit above {before.credit} % (credits rise as achievement worsens)",
                str(terms.tiers[index].credit),
            )


_SCALE = Context(prec=80)


def credit_for(target: ServiceTarget, achieved: object, charge: Money) -> Money:
    """The credit ``achieved`` earns against ``target``, for a period whose charge is ``charge``.

    ``achieved`` is a quantity or a `Decimal` or `int` in the target's canonical unit;
    ``charge`` the period's recurring charge for the affected service. The result is
    exact money in the charge's currency, rounded once (module docs): zero when the
    target is met or has no credit terms, never negative, never above the cap.

    Raises:
        ValidationError: ``charge`` is not Money, is negative, has a currency without
            a minor unit, or is in another currency than the cap amount (path
            ``$.charge``); ``achieved`` cannot be read in the canonical unit (path
            ``$.achieved``).

    Examples:
        >>> from cloudsms.agreements.targets import ServiceTarget
        >>> from cloudsms.levels import ServiceLevel
        >>> from cloudsms.units import quantity
        >>> tiers = [
        ...     CreditTier(worse_than=quantity("99.9 %"), credit=Decimal(10)),
        ...     CreditTier(worse_than=quantity("99 %"), credit=Decimal(25)),
        ... ]
        >>> target = ServiceTarget(
        ...     id="uptime",
        ...     level=ServiceLevel(
        ...         measure="availability", bound=Bound.AT_LEAST, target=quantity("99.9 %")
        ...     ),
        ...     credits=CreditTerms(tiers=tiers),
        ... )
        >>> credit_for(target, Decimal("99.5"), Money("1234.55", "EUR"))
        Money('123.46', 'EUR')
        >>> credit_for(target, Decimal("99"), Money("1000", "JPY"))
        Money('100', 'JPY')
    """
    code, amount = _charge(charge)
    terms = target.credits
    minor = currency(code).minor_unit or 0
    if terms is None:
        return Money(Decimal(0), code)
    if terms.cap_amount is not None and terms.cap_amount.currency != code:
        raise ValidationError.single(
            "$.charge",
            f"a charge in {terms.cap_amount.currency}, the currency of the cap amount",
            str(charge),
            subject="Credit",
        )
    value = target.achieved_fraction(achieved)
    bound = target.level.bound if target.level is not None else Bound.AT_LEAST
    share = Fraction(0)
    for tier in terms.tiers:
        if _worse(value, fraction_in(tier.worse_than, target.unit), bound):
            share = Fraction(tier.credit)
    exact = amount * share / _HUNDRED
    if terms.cap_amount is not None:
        cap = Fraction(terms.cap_amount.amount)
    elif terms.cap_percent is not None:
        cap = amount * Fraction(terms.cap_percent) / _HUNDRED
    else:
        cap = amount
    exact = min(exact, cap)
    scale = 10**minor
    units = round(exact * scale)  # half to even, as Fraction rounds
    if Fraction(units, scale) > cap:
        units = int(cap * scale)  # down to the cap's last whole minor unit
    return Money(Decimal(units).scaleb(-minor, _SCALE), code)


def _charge(charge: object) -> tuple[str, Fraction]:
    """The charge's currency and exact amount, or the error naming what is wrong."""
    if not isinstance(charge, Money):
        raise ValidationError.single("$.charge", "a Money", describe(charge), subject="Credit")
    if charge.amount < 0:
        raise ValidationError.single(
            "$.charge", "a charge not below zero", str(charge), subject="Credit"
        )
    if currency(charge.currency).minor_unit is None:
        raise ValidationError.single(
            "$.charge", "a charge in a currency with a minor unit", str(charge), subject="Credit"
        )
    return charge.currency, Fraction(charge.amount)
