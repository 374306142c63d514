"""Service levels: a measure, a bound and a target with its unit (99.95 % availability).

Serves S03, where each catalogue offering commits to levels; S07, where an SLA's
targets start from them; and S10, where monitoring judges measured values against
them. ISO/IEC 20000-1:2011 6.1 (service level management). The model's shared
vocabulary for a level, so the catalogue, agreements and monitoring all read it alike.
"""

from __future__ import annotations

import enum
from decimal import Decimal

import attrs

from cloudsms._kit.checks import text
from cloudsms._kit.records import Record, check
from cloudsms.errors import Problem, ValidationError, describe
from cloudsms.units import Quantity, calendar_units, quantity_problems, same_dimension

__all__ = ["Bound", "ServiceLevel"]


def _unit_text(value: Quantity) -> str:
    """The unit of a quantity as text (``'percent'``, ``'hour'``)."""
    return str(value.units)


def _quantity(value: object, path: str) -> list[Problem]:
    return quantity_problems(value, path, example="a quantity such as '99.9 %'")


def _not_below_zero(target: Quantity, path: str) -> list[Problem]:
    if target.magnitude < 0:
        return [Problem(path, "a quantity not below zero", str(target))]
    return []


def _fixed_length(target: Quantity, path: str) -> list[Problem]:
    if calendar_units(target):
        expected = "a quantity in units of fixed length (a calendar month or year varies)"
        return [Problem(path, expected, str(target))]
    return []


_TARGET = check(_quantity, total=True) & _not_below_zero & _fixed_length


class Bound(enum.StrEnum):
    """Which side of a service level's target is good."""

    AT_LEAST = "at least"
    AT_MOST = "at most"


@attrs.frozen(kw_only=True)
class ServiceLevel(Record):
    """A level an offering commits to: availability at least 99.95 %, response at most 4 h.

    Serves S03 (offerings with fixed or customizable service levels) and S07, where an
    SLA's targets start from these; ISO/IEC 20000-1:2011 6.1.

    Examples:
        >>> from cloudsms.units import quantity
        >>> level = ServiceLevel(
        ...     measure="availability", bound=Bound.AT_LEAST, target=quantity("99.9 %")
        ... )
        >>> str(level), level.is_met_by(quantity("99.95 %"))
        ('availability at least 99.9 %', True)
    """

    measure: str = attrs.field(validator=text)
    bound: Bound
    target: Quantity = attrs.field(validator=_TARGET)

    def is_stricter_than(self, other: ServiceLevel) -> bool:
        """Whether this level promises more than ``other`` on the same measure and bound.

        Raises:
            ValidationError: the two levels measure different things or differ in bound.
        """
        from cloudsms.units import magnitude_in  # noqa: PLC0415

        given: object = other
        if not isinstance(given, ServiceLevel):
            raise ValidationError.single(
                "$.other", "a ServiceLevel", describe(given), subject="Service level comparison"
            )
        if (
            other.measure != self.measure
            or other.bound is not self.bound
            or not same_dimension(self.target, other.target)
        ):
            raise ValidationError.single(
                "$.other",
                f"a level of {self.measure} {self.bound.value} a {_unit_text(self.target)} "
                "quantity",
                str(other),
                subject="Service level comparison",
            )
        mine = magnitude_in(self.target, str(other.target.units))
        theirs = Decimal(other.target.magnitude)
        return mine > theirs if self.bound is Bound.AT_LEAST else mine < theirs

    def __str__(self) -> str:
        from cloudsms.units import format_quantity  # noqa: PLC0415

        return f"{self.measure} {self.bound.value} {format_quantity(self.target)}"

    def is_met_by(self, value: Quantity | str) -> bool:
        """Whether a measured ``value`` meets this level.

        Raises:
            ValidationError: ``value`` measures something else than the target.
        """
        from cloudsms.units import magnitude_in, quantity  # noqa: PLC0415

        measured = quantity(value, path="$.value")
        unit = str(self.target.units)
        if calendar_units(measured):
            raise ValidationError.single(
                "$.value",
                "a quantity in units of fixed length (a calendar month or year varies)",
                str(measured),
                subject="Service level check",
            )
        if not same_dimension(measured, self.target):
            raise ValidationError.single(
                "$.value",
                f"a quantity convertible to {unit}",
                str(measured),
                subject="Service level check",
            )
        got = magnitude_in(measured, unit)
        target = Decimal(self.target.magnitude)
        return got >= target if self.bound is Bound.AT_LEAST else got <= target
