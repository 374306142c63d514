"""FinOps FOCUS 1.0: a cost profile as the cost and usage rows FinOps tools read, and back (S11).

The FinOps Open Cost and Usage Specification (FOCUS) 1.0 names 43 columns a
provider's billing data carries, so one tool reads every provider's bills alike.
This module writes a `cloudsms.resources.CostProfile` in that form, one row per
`cloudsms.resources.CostLine`:

- `focus_rows` gives the rows as dicts of text: the 43 columns of `FOCUS_COLUMNS`
  in their order, then the ``x_`` columns of `FOCUS_EXTRA_COLUMNS` (FOCUS leaves
  names prefixed ``x_`` to providers) that carry what reading the lines back needs;
  a null is an empty cell. `write_focus` writes them as CSV;
- `read_focus` reads such a file back into lines equal (``==``) to the profile's,
  in order, and refuses a file that does not say one thing throughout (a FOCUS
  column that disagrees with the ``x_`` column it repeats, an amount that is not
  its price's, a BilledCost that is not the line's share, a row missing);
- `check_focus` checks rows against the column rules: nullability, type, allowed
  values and the conditional rules of FOCUS 1.0;
- `focus_columns` gives those rules as `FocusColumn` values, read once from the
  package's data file ``cloudsms/data/focus_1_0.json`` (made by
  ``tasks/focus_columns.py`` from the rule files of the ``focus-validator`` package
  and the FOCUS 1.0 specification). Each column's ``source`` says what cloudsms
  fills it from; ``docs/focus.md`` lists them all.

Money stays exact on the way out: ListCost, ContractedCost and EffectiveCost hold
the line's exact amount (38 significant digits where its decimals do not end, as
`cloudsms.resources.CostLine.amount` has it, the exact fraction then in
``x_ExactCost``), and BilledCost holds the line's share of the profile's total,
which is rounded once: the total handed out in proportion to the exact amounts by
largest remainder, so BilledCost sums to ``profile.total`` exactly. Date-times are
UTC, ``2026-10-01T00:00:00Z``, whole seconds as FOCUS writes them (a charge period
widened outwards to whole seconds; the exact instants in ``x_ChargePeriodStart``
and ``x_ChargePeriodEnd``).

Serves S11 (the cost profile reported in a form the customer's own tools read) and
ISO/IEC 20000-1:2011 6.4 (budgeting and accounting for services) and 6.2 (service
reporting).
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import importlib.resources as _package_data
import json
import math
import os
import re
from collections import Counter
from collections.abc import Mapping
from decimal import ROUND_HALF_EVEN, Context, Decimal, InvalidOperation, localcontext
from fractions import Fraction
from json.encoder import encode_basestring
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal, cast

import attrs

from cloudsms._foundation.exact import nearest_amount, plain
from cloudsms._kit.checks import instance_problems, raise_problems
from cloudsms._kit.csv_files import CsvRow, decimal_cell, file_text, read_rows
from cloudsms._kit.datetimes import structure_datetime
from cloudsms.context import ProviderProfile
from cloudsms.errors import Problem, ValidationError, describe
from cloudsms.money import Money, Price, round_to_minor
from cloudsms.periods import Period, timezone
from cloudsms.resources import (
    Allocation,
    CostLine,
    CostProfile,
    MinimumCommitment,
    ResourceType,
    Usage,
    billing_period,
    resource_types,
)
from cloudsms.serialization import from_json, to_json
from cloudsms.units import Quantity, format_quantity, fraction_in, quantity

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Sequence

__all__ = [
    "FOCUS_COLUMNS",
    "FOCUS_EXTRA_COLUMNS",
    "FocusColumn",
    "FocusCondition",
    "FocusTest",
    "check_focus",
    "focus_columns",
    "focus_rows",
    "read_focus",
    "write_focus",
]

FOCUS_COLUMNS: Sequence[str] = (
    "AvailabilityZone",
    "BilledCost",
    "BillingAccountId",
    "BillingAccountName",
    "BillingCurrency",
    "BillingPeriodEnd",
    "BillingPeriodStart",
    "ChargeCategory",
    "ChargeClass",
    "ChargeDescription",
    "ChargeFrequency",
    "ChargePeriodEnd",
    "ChargePeriodStart",
    "CommitmentDiscountCategory",
    "CommitmentDiscountId",
    "CommitmentDiscountName",
    "CommitmentDiscountStatus",
    "CommitmentDiscountType",
    "ConsumedQuantity",
    "ConsumedUnit",
    "ContractedCost",
    "ContractedUnitPrice",
    "EffectiveCost",
    "InvoiceIssuerName",
    "ListCost",
    "ListUnitPrice",
    "PricingCategory",
    "PricingQuantity",
    "PricingUnit",
    "ProviderName",
    "PublisherName",
    "RegionId",
    "RegionName",
    "ResourceId",
    "ResourceName",
    "ResourceType",
    "ServiceCategory",
    "ServiceName",
    "SkuId",
    "SkuPriceId",
    "SubAccountId",
    "SubAccountName",
    "Tags",
)
"""The 43 columns of FOCUS 1.0, in the order `focus_rows` writes them."""

FOCUS_EXTRA_COLUMNS: Sequence[str] = (
    "x_LineKind",
    "x_Source",
    "x_Quantity",
    "x_PriceUnit",
    "x_PricePer",
    "x_ChargePeriodStart",
    "x_ChargePeriodEnd",
    "x_ExactCost",
    "x_Position",
)
"""The columns `focus_rows` writes after FOCUS's, carrying what `read_focus` needs.

- ``x_LineKind``: ``allocation``, ``usage`` or ``commitment`` (`cloudsms.resources.LineKind`);
- ``x_Source``: the allocation, usage or minimum commitment the line prices, as
  compact JSON (`cloudsms.serialization.to_json`);
- ``x_Quantity``: a usage line's quantity charged (``"350 GiB"``; for a graduated
  rate, the part inside the tier); empty otherwise (an allocation's is its source's);
- ``x_PriceUnit`` and ``x_PricePer``: the unit and calendar period of the price
  (its amount is ListUnitPrice); empty for a commitment's shortfall;
- ``x_ChargePeriodStart`` and ``x_ChargePeriodEnd``: the exact time held (an
  allocation) or owed for (a shortfall), with the offset and zone of the
  agreement (RFC 9557); empty for a usage, whose interval is in its source;
- ``x_ExactCost``: the exact amount as a fraction (``"1/3"``) when EffectiveCost
  could not hold it; else empty;
- ``x_Position``: the line's place among the profile's lines and their number
  (``"3/7"``), so a row dropped, repeated or moved is found.
"""

_SUBJECT = "FOCUS export"
_READ_SUBJECT = "FOCUS file"
_DATA_FILE = "focus_1_0.json"
_INDEX = {name: place for place, name in enumerate((*FOCUS_COLUMNS, *FOCUS_EXTRA_COLUMNS))}
_WIDTH = len(_INDEX)
# The places of the cells the writer fills row by row.
_BILLED, _EFFECTIVE, _LIST, _CONTRACTED = (
    _INDEX[name] for name in ("BilledCost", "EffectiveCost", "ListCost", "ContractedCost")
)
_START, _END, _EXACT_START, _EXACT_END = (
    _INDEX[name]
    for name in (
        "ChargePeriodStart",
        "ChargePeriodEnd",
        "x_ChargePeriodStart",
        "x_ChargePeriodEnd",
    )
)
_CONSUMED, _CONSUMED_UNIT, _PRICING_QUANTITY, _QUANTITY = (
    _INDEX[name] for name in ("ConsumedQuantity", "ConsumedUnit", "PricingQuantity", "x_Quantity")
)
_SOURCE, _EXACT, _DESCRIPTION, _TAGS = (
    _INDEX[name] for name in ("x_Source", "x_ExactCost", "ChargeDescription", "Tags")
)
_POSITION = _INDEX["x_Position"]
_RESOURCE_ID, _REGION_ID, _REGION_NAME = (
    _INDEX[name] for name in ("ResourceId", "RegionId", "RegionName")
)
_UTC = dt.UTC
_SECOND = dt.timedelta(seconds=1)
_NO_TIME = dt.timedelta(0)
_MICROSECOND = dt.timedelta(microseconds=1)
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?(?:[Ee][-+]?[0-9]+)?")
_FOCUS_INSTANT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")
_FRACTION = re.compile(r"-?[0-9]{1,400}(?:/[1-9][0-9]{0,399})?")
_KINDS: dict[str, type[Allocation | Usage | MinimumCommitment]] = {
    "allocation": Allocation,
    "usage": Usage,
    "commitment": MinimumCommitment,
}


# ---------------------------------------------------------------------- the column rules
FocusType = Literal["string", "decimal", "datetime", "currency-code", "json-object"]
"""The data types of FOCUS 1.0 columns, as the column data names them."""

TestOp = Literal["null", "present", "in", "not_in", "min", "product"]


@attrs.frozen
class FocusTest:
    """One test of a cell in a column rule: ``op`` and what it takes.

    ``null`` (the cell is empty), ``present`` (it is not), ``in`` (one of
    ``values``; an empty cell is none of them), ``not_in`` (none of ``values``; an
    empty cell passes), ``min`` (a number at least ``values[0]``) and ``product``
    (the product of the columns ``values[0]`` and ``values[1]``, up to the rounding
    of the numbers written).
    """

    op: TestOp
    values: tuple[str, ...] = ()

    def __str__(self) -> str:
        shown = ", ".join(self.values)
        return {
            "null": "an empty cell",
            "present": "a value",
            "in": f"one of {shown}",
            "not_in": f"none of {shown}",
            "min": f"a number of at least {shown}",
            "product": " times ".join(self.values),
        }[self.op]


@attrs.frozen
class FocusCondition:
    """A conditional rule of a column: when every test of ``when`` holds, ``then`` must.

    ``when`` pairs other columns with the `FocusTest` their cells must pass;
    ``then`` tests the column's own cell; ``says`` puts the rule in words.
    """

    when: tuple[tuple[str, FocusTest], ...]
    then: FocusTest
    says: str


@attrs.frozen
class FocusColumn:
    """One column of FOCUS 1.0 and the rules its cells keep (S11).

    ``name`` is the column id; ``type`` its data type (`FocusType`); ``nullable``
    whether a cell may be empty; ``allowed`` the values a cell may take (``None``:
    any of its type); ``conditions`` its conditional rules (`FocusCondition`);
    ``source`` what `focus_rows` fills it from in cloudsms's model; ``description``
    what the column means; ``origin`` where its rules come from (the
    ``focus-validator`` rule files, then the specification's file).
    """

    name: str
    type: FocusType
    nullable: bool
    allowed: tuple[str, ...] | None
    conditions: tuple[FocusCondition, ...]
    source: str
    description: str
    origin: tuple[str, ...]


_TYPES = frozenset({"string", "decimal", "datetime", "currency-code", "json-object"})


def _test(value: object, path: str, problems: list[Problem]) -> FocusTest | None:
    """A test as the data file writes it: ``"null"``, ``"present"`` or ``{op: values}``."""
    if value == "null" or value == "present":  # noqa: PLR1714 - narrows the type
        return FocusTest(value)
    if isinstance(value, dict) and len(value) == 1:
        ((op, arguments),) = value.items()
        listed = isinstance(arguments, list) and all(isinstance(a, str) for a in arguments)
        if op in ("in", "not_in", "product") and listed:
            return FocusTest(op, tuple(arguments))
        if op == "min" and isinstance(arguments, str) and _NUMBER.fullmatch(arguments):
            return FocusTest("min", (arguments,))
    expected = "'null', 'present' or one of {'in'|'not_in'|'product': [...]}, {'min': '0'}"
    problems.append(Problem(path, expected, describe(value)))
    return None


def _shape_problems(entry: dict[str, Any], path: str) -> list[Problem]:
    """What is wrong with a column's name, type, nullability and allowed values."""
    problems = []
    name, kind, nullable, allowed = (entry.get(k) for k in ("name", "type", "nullable", "allowed"))
    if not isinstance(name, str) or name not in _INDEX or name.startswith("x_"):
        problems.append(Problem(f"{path}.name", "a FOCUS 1.0 column name", describe(name)))
    if kind not in _TYPES:
        problems.append(Problem(f"{path}.type", "a FOCUS data type", describe(kind)))
    if not isinstance(nullable, bool):
        problems.append(Problem(f"{path}.nullable", "true or false", describe(nullable)))
    if allowed is not None and not (
        isinstance(allowed, list) and allowed and all(isinstance(a, str) for a in allowed)
    ):
        problems.append(Problem(f"{path}.allowed", "a list of values or null", describe(allowed)))
    return problems


def _conditions(rules: object, path: str, problems: list[Problem]) -> tuple[FocusCondition, ...]:
    """The conditions of a column as the data file writes them, each test checked."""
    if not isinstance(rules, list):
        problems.append(Problem(path, "a list of conditions", describe(rules)))
        return ()
    made = []
    for index, rule in enumerate(rules):
        where = f"{path}[{index}]"
        tests = rule.get("when") if isinstance(rule, dict) else None
        if not isinstance(tests, dict):
            problems.append(Problem(f"{where}.when", "an object of tests", describe(tests)))
            continue
        when = []
        for column, test in tests.items():
            if column not in _INDEX:
                problems.append(Problem(f"{where}.when", "a FOCUS 1.0 column", describe(column)))
            found = _test(test, f"{where}.when.{column}", problems)
            if found is not None:
                when.append((column, found))
        then = _test(rule.get("then"), f"{where}.then", problems)
        if then is not None:
            made.append(FocusCondition(tuple(when), then, str(rule.get("says", ""))))
    return tuple(made)


def _column(entry: object, path: str, problems: list[Problem]) -> FocusColumn | None:
    """One column of the data file, or ``None`` with its problems recorded."""
    if not isinstance(entry, dict):
        problems.append(Problem(path, "a column object", describe(entry)))
        return None
    found = _shape_problems(entry, path)
    conditions = _conditions(entry.get("conditions", []), f"{path}.conditions", found)
    problems += found
    if found:
        return None
    origin = entry.get("origin", {})
    files = [rule.get("file", "") for rule in origin.get("validator", [])]
    allowed = entry["allowed"]
    return FocusColumn(
        name=entry["name"],
        type=entry["type"],
        nullable=entry["nullable"],
        allowed=None if allowed is None else tuple(allowed),
        conditions=conditions,
        source=str(entry.get("source", "")),
        description=str(entry.get("description", "")),
        origin=(
            *(f"focus-validator rules/version_sets/1.0/{file}" for file in files),
            f"FOCUS 1.0 {origin.get('specification', '')}",
        ),
    )


def _columns_of(document: Any) -> tuple[FocusColumn, ...]:  # noqa: ANN401 - JSON
    """The columns of a FOCUS column document, checked: all 43, in order, rules sound.

    Raises:
        ValidationError: every problem, each at its path (``$.columns[3].type``).
    """
    problems: list[Problem] = []
    entries = document.get("columns") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise ValidationError.single(
            "$.columns", "a list of columns", describe(entries), subject="FOCUS column data"
        )
    columns = [_column(entry, f"$.columns[{i}]", problems) for i, entry in enumerate(entries)]
    names = [column.name if column else None for column in columns]
    if not problems and names != list(FOCUS_COLUMNS):
        expected = "the 43 FOCUS 1.0 columns in order: " + ", ".join(FOCUS_COLUMNS)
        problems.append(Problem("$.columns", expected, ", ".join(map(str, names))))
    raise_problems(problems, "FOCUS column data")
    return tuple(cast("list[FocusColumn]", columns))


@functools.cache
def focus_columns() -> tuple[FocusColumn, ...]:
    """The 43 columns of FOCUS 1.0 and their rules, in `FOCUS_COLUMNS` order.

    Read once, on first use, from ``cloudsms/data/focus_1_0.json`` and checked then:
    each column's type, nullability and allowed values come from the rule files of
    ``focus-validator`` 1.0.0 (its rules for 1.0, four of them filed under the
    names the validator still uses from before 1.0), completed from the FOCUS 1.0
    specification where the validator says nothing (``ChargeCategory``'s values,
    ``SkuPriceId``'s nullability); the conditional rules come from the
    specification. ``tasks/focus_columns.py`` makes the file.

    Examples:
        >>> billed = focus_columns()[1]
        >>> billed.name, billed.type, billed.nullable
        ('BilledCost', 'decimal', False)
        >>> [c.name for c in focus_columns() if c.allowed and "Adjustment" in c.allowed]
        ['ChargeCategory']
    """
    raw = _package_data.files("cloudsms").joinpath("data", _DATA_FILE).read_text("utf-8")
    return _columns_of(json.loads(raw))


# ---------------------------------------------------------------------- numbers as text
# The export writes a few numbers per row, 100,000 rows at a time: they are worked out
# on integers here, to the same digits the model's own functions give
# (`cloudsms._foundation.exact.nearest_amount` and `to_decimal`), which the tests check.
_MAX_DIGITS = 38
_MAX_PLACES = 30
_LARGEST = 10 ** (_MAX_PLACES + 1)
_APPROXIMATE = Context(prec=_MAX_DIGITS, rounding=ROUND_HALF_EVEN)


def _adjusted(numerator: int, denominator: int) -> int:
    """The power of ten of the leading digit of ``numerator / denominator`` (both above 0)."""
    guess = len(str(numerator)) - len(str(denominator))
    if guess >= 0:
        return guess if numerator >= denominator * 10**guess else guess - 1
    return guess if numerator * 10**-guess >= denominator else guess - 1


def _units(numerator: int, denominator: int, exponent: int) -> tuple[int, bool]:
    """``numerator / denominator`` in units of ``10**exponent`` (at most 0), half to even.

    And whether that is exact. An amount below 1E+31 has its 38th digit at 1E-7 or
    finer, so the exponent is never above 0.
    """
    whole, rest = divmod(numerator * 10**-exponent, denominator)
    twice = 2 * rest
    if twice > denominator or (twice == denominator and whole % 2):
        whole += 1
    return whole, not rest


def _plain(units: int, exponent: int) -> str:
    """``units * 10**exponent`` as plain decimal text (``units`` at least 0)."""
    digits = str(units)
    if exponent >= 0:
        return digits + "0" * exponent if units else "0"
    places = -exponent
    if len(digits) <= places:
        return "0." + "0" * (places - len(digits)) + digits
    return f"{digits[:-places]}.{digits[-places:]}"


def _money_text(numerator: int, denominator: int) -> tuple[str, bool]:
    """An amount of money as `cloudsms.resources.CostLine.amount` writes it, and if exact.

    38 significant digits or 30 places, whichever is coarser, half to even; an exact
    amount keeps its own digits (``124.992``). Raises OverflowError at 1E+31 or more.
    """
    if not numerator:
        return "0", True
    if numerator >= denominator * _LARGEST:
        raise OverflowError(numerator / denominator)
    places = _places(denominator)
    if places is not None and places <= _MAX_PLACES:  # its decimals end: exact if it fits
        units = numerator * 10**places // denominator
        if units < 10**_MAX_DIGITS:
            return _plain(units, -places), True
    exponent = max(-_MAX_PLACES, _adjusted(numerator, denominator) - _MAX_DIGITS + 1)
    units, exact = _units(numerator, denominator, exponent)
    if units >= 10**_MAX_DIGITS:  # 9.99... rounded up to a digit more: one place coarser
        exponent += 1
        units, exact = _units(numerator, denominator, exponent)
    if units >= 10 ** (_MAX_PLACES + 1 - exponent):
        raise OverflowError(numerator / denominator)
    while exponent < 0 and units % 10 == 0:
        units //= 10
        exponent += 1
    return _plain(units, exponent), exact


def _places(denominator: int) -> int | None:
    """The decimal places a fraction of this (lowest) denominator needs, or None if endless."""
    twos = (denominator & -denominator).bit_length() - 1
    rest = denominator >> twos
    fives = 0
    while not rest % 5:
        rest //= 5
        fives += 1
    return max(twos, fives) if rest == 1 else None


def _quantity_text(numerator: int, denominator: int) -> str:
    """A quantity as plain decimal text: exact where its decimals end, else 38 digits."""
    divisor = math.gcd(numerator, denominator)
    numerator, denominator = numerator // divisor, denominator // divisor
    places = _places(denominator)
    if places is None:
        return plain(_APPROXIMATE.divide(Decimal(numerator), Decimal(denominator)))
    return _plain(numerator * 10**places // denominator, -places)


def _billed(total: Money, exacts: list[Fraction]) -> list[str]:
    """``total`` handed out in proportion to ``exacts``, as `cloudsms.money.allocate` does.

    Each part gets its share rounded down to the smallest unit in play, and the units
    left over go one each to the largest remainders, earlier parts first on a tie:
    `allocate`'s rule, on integers. The remainders are ranked by their floats, which
    order them as they are except among equal floats; parts whose float equals the
    last one taken are ranked exactly.
    """
    minor = total.minor_unit if total.minor_unit is not None else 0
    if not total or not any(exacts):  # zero shares, to the currency's minor places
        return [_plain(0, -minor)] * len(exacts)
    amount = total.amount
    places = max(minor, -cast("int", amount.as_tuple().exponent))
    places = min(places, _MAX_DIGITS - 1 - amount.adjusted())
    numerator, denominator = amount.as_integer_ratio()
    units = numerator * 10**places // denominator
    whole = sum(exacts, Fraction(0))
    parts, remainders = [], []
    for exact in exacts:
        top = units * exact.numerator * whole.denominator
        bottom = exact.denominator * whole.numerator
        part, rest = divmod(top, bottom)
        parts.append(part)
        remainders.append((rest, bottom))
    leftover = units - sum(parts)
    if leftover:
        keys = [rest / bottom for rest, bottom in remainders]
        order = sorted(range(len(parts)), key=lambda i: -keys[i])
        last = keys[order[leftover - 1]]
        taken = [i for i in order[:leftover] if keys[i] > last]
        tied = [i for i in order if keys[i] == last]
        tied.sort(key=lambda i: (-Fraction(*remainders[i]), i))
        for i in taken + tied[: leftover - len(taken)]:
            parts[i] += 1
    return [_plain(part, -places) for part in parts]


# ---------------------------------------------------------------------- units and quantities
class _Units:
    """Unit texts and conversion ratios, each worked out once per distinct unit.

    pint is slow; an export or a read meets few distinct units, so each is turned
    into text (`cloudsms.units.format_quantity`'s) and converted once.
    """

    __slots__ = ("ratios", "texts")

    def __init__(self) -> None:
        self.texts: dict[object, str] = {}
        self.ratios: dict[tuple[object, object], Fraction] = {}

    def text(self, amount: Quantity) -> str:
        """The unit of a quantity as its wire text writes it (``vcpu``, ``GiB``)."""
        key = cast("Any", amount)._units  # noqa: SLF001 - pint's hashable units, the cache key
        found = self.texts.get(key)
        if found is None:
            found = self.texts[key] = format_quantity(amount).partition(" ")[2]
        return found

    def ratio(self, amount: Quantity, target: Quantity) -> Fraction:
        """One unit of ``amount``'s in ``target``'s unit, exactly (1 GB is 0.931... GiB).

        Raises:
            ValidationError: the two measure different things.
        """
        key = (cast("Any", amount)._units, cast("Any", target)._units)  # noqa: SLF001
        found = self.ratios.get(key)
        if found is None:
            same = key[0] == key[1]
            one = quantity(1, self.text(amount))
            found = self.ratios[key] = Fraction(1) if same else fraction_in(one, self.text(target))
        return found

    def consumed(self, measured: Quantity, part: Quantity) -> str:
        """ConsumedQuantity of a usage row: ``part`` (in a price's unit) in ``measured``'s unit.

        A graduated rate charges a usage in parts, one per tier, each in its tier
        price's unit; the row states its part in the unit the usage was measured in.
        """
        top, bottom = cast("Decimal", part.magnitude).as_integer_ratio()
        ratio = self.ratio(part, measured)
        return _quantity_text(top * ratio.numerator, bottom * ratio.denominator)


def _consumed_held(held: Quantity, start: dt.datetime, end: dt.datetime) -> str:
    """ConsumedQuantity of an allocation: the quantity held times the hours held, exactly."""
    micros = (end.astimezone(_UTC) - start.astimezone(_UTC)) // _MICROSECOND
    top, bottom = cast("Decimal", held.magnitude).as_integer_ratio()
    return _quantity_text(top * micros, bottom * 3_600_000_000)


# ---------------------------------------------------------------------- writing
def _utc_text(instant: dt.datetime, *, up: bool) -> str:
    """``instant`` in UTC to the whole second (down, or ``up``), as FOCUS writes date-times."""
    utc = instant.astimezone(_UTC)
    if utc.microsecond:
        utc = utc.replace(microsecond=0) + (_SECOND if up else _NO_TIME)
    return utc.isoformat()[:19] + "Z"


def _exact_text(instant: dt.datetime) -> str:
    """An instant as the wire writes it: offset, and its zone in brackets (RFC 9557)."""
    key = getattr(instant.tzinfo, "key", None)
    return f"{instant.isoformat()}[{key}]" if key else instant.isoformat()


_string = encode_basestring
"""A text as a JSON string, as ``json.dumps(..., ensure_ascii=False)`` writes it."""


def _optional(value: str | None) -> str:
    return "null" if value is None else _string(value)


def _fraction_text(value: Fraction) -> str:
    """A fraction no decimal within the bounds holds (so never whole): ``609/3875``."""
    return f"{value.numerator}/{value.denominator}"


def _billing_period(profile: CostProfile) -> Period:
    """BillingPeriodStart/End: the billing period that holds the profile's period.

    The billing period is the rate card's cycle counted from the agreement's start in
    its zone (`cloudsms.resources.billing_period`): the one a charge of the profile
    is invoiced in. A profile of part of a billing period (half a month) writes the
    whole billing period. A profile whose period does not lie in one billing period
    (two months, or a month in another zone than the agreement's) writes its own
    period: its charges are invoiced in more than one, and a row names one.
    """
    period = profile.period
    billing = billing_period(profile.agreement, profile.rates.billing_cycle, period.start)
    if billing.start <= period.start and period.end <= billing.end:
        return billing
    return period


class _Writer:
    """One export: the profile's constant cells, and what lines share, cached."""

    def __init__(
        self,
        profile: CostProfile,
        provider: str,
        customer_name: str | None,
        types: dict[str, ResourceType],
    ) -> None:
        self.profile = profile
        self.types = types
        agreement = profile.agreement
        self.currency = profile.currency
        billing = _billing_period(profile)
        template = [""] * _WIDTH
        for name, value in {
            "BillingAccountId": agreement.customer_id,
            "BillingAccountName": customer_name or "",
            "BillingCurrency": profile.currency,
            "BillingPeriodStart": _utc_text(billing.start, up=False),
            "BillingPeriodEnd": _utc_text(billing.end, up=True),
            "InvoiceIssuerName": provider,
            "ProviderName": provider,
            "PublisherName": provider,
            "SubAccountId": agreement.id,
        }.items():
            template[_INDEX[name]] = value
        self.template = template
        self.every_service = ", ".join(sorted(agreement.service_ids))
        # What the profile prices: its period cut to the agreement's term, in UTC.
        start = profile.period.start.astimezone(_UTC)
        end = profile.period.end.astimezone(_UTC)
        self.zone = zone = timezone(agreement.timezone)
        # Instants are compared in UTC: a zone's wall times compare wrongly in a repeated hour.
        self.first_utc = max(start, agreement.effective_from.astimezone(_UTC))
        self.last_utc = end if agreement.end is None else min(end, agreement.end.astimezone(_UTC))
        self.first, self.last = self.first_utc.astimezone(zone), self.last_utc.astimezone(zone)
        self.first_texts = (_utc_text(self.first, up=False), _exact_text(self.first))
        self.last_texts = (_utc_text(self.last, up=True), _exact_text(self.last))
        # A usage's charge period is its interval cut to the billing period.
        self.period_start = billing.start.astimezone(_UTC)
        self.period_end = billing.end.astimezone(_UTC)
        self.priced: dict[tuple[object, ...], list[tuple[int, str]]] = {}
        self.units = _Units()
        self.tags: dict[str, str] = {}
        self.descriptions: dict[tuple[object, ...], str] = {}
        self.memo: list[tuple[dt.datetime, str]] = []
        self.fields: dict[type, tuple[str, ...]] = {}

    def unit(self, amount: Quantity) -> str:
        """The unit of a quantity as its wire text writes it (``vcpu``, ``GiB``)."""
        return self.units.text(amount)

    def quantity_text(self, amount: Quantity) -> str:
        """A quantity as its wire text (`cloudsms.units.format_quantity`): ``4 vcpu``."""
        unit = self.unit(amount)
        return f"{amount.magnitude} {unit}" if unit else str(amount.magnitude)

    def source(self, record: Allocation | Usage | MinimumCommitment) -> str:
        """The record as `cloudsms.serialization.to_json` writes it.

        Allocations and usage, a row each, are written here field by field (ids,
        texts as JSON strings, instants as RFC 9557, quantities as their wire text),
        which the tests check against `to_json`; a commitment goes through `to_json`.
        """
        kind = type(record)
        if kind is Allocation:
            held = cast("Allocation", record)
            return (
                f'{{"customer":{_string(held.customer)},"agreement":{_string(held.agreement)},'
                f'"service":{_string(held.service)},'
                f'"resource_type":{_string(held.resource_type)},'
                f'"quantity":{_string(self.quantity_text(held.quantity))},'
                f'"since":"{self.exact_text(held.since)}",'
                f'"until":{self.instant_json(held.until)},'
                f'"resource_id":{_optional(held.resource_id)},'
                f'"cost_centre":{_optional(held.cost_centre)},'
                f'"location":{_optional(held.location)}}}'
            )
        if kind is Usage:
            used = cast("Usage", record)
            return (
                f'{{"customer":{_string(used.customer)},"agreement":{_string(used.agreement)},'
                f'"service":{_string(used.service)},'
                f'"resource_type":{_string(used.resource_type)},'
                f'"quantity":{_string(self.quantity_text(used.quantity))},'
                f'"start":"{_exact_text(used.start)}","end":"{_exact_text(used.end)}",'
                f'"resource_id":{_optional(used.resource_id)},'
                f'"cost_centre":{_optional(used.cost_centre)}}}'
            )
        return to_json(record)

    def instant_json(self, value: dt.datetime | None) -> str:
        return "null" if value is None else f'"{self.exact_text(value)}"'

    def kind(self, type_id: str | None, path: str) -> ResourceType | None:
        if type_id is None:
            return None
        found = self.types.get(type_id)
        if found is None:
            known = ", ".join(sorted(self.types)) or "none"
            raise ValidationError.single(
                path, f"a resource type of the types given ({known})", type_id, subject=_SUBJECT
            )
        return found

    def priced_cells(
        self, line: CostLine, price: Price | None, path: str
    ) -> list[tuple[int, str]]:
        """The cells every line of one kind, service, type, resource and price shares."""
        kind_id, resource = line.resource_type, line.resource_id
        key = (line.kind, line.service, kind_id, id(price), resource is None)
        found = self.priced.get(key)
        if found is not None:
            return found
        kind = self.kind(kind_id, f"{path}.resource_type")
        category = "Other" if kind is None else kind.focus_category.value
        cells = {"ServiceCategory": category, "x_LineKind": line.kind}
        if resource is not None and kind is not None:
            cells["ResourceType"] = kind.name
        if price is None:
            cells.update(
                ChargeCategory="Adjustment",
                ChargeFrequency="Recurring",
                ServiceName=line.service or self.every_service,
                SkuId=kind_id or "",
            )
        else:
            rate = self.profile.rates.rate_for(cast("str", line.service), cast("str", kind_id))
            rate_service = "*" if rate is None or rate.service is None else rate.service
            unit = price.unit if price.per is None else f"{price.unit}*{price.per}"
            amount = price.amount.amount_text
            cells.update(
                ChargeCategory="Usage",
                ChargeFrequency="Recurring" if price.per else "Usage-Based",
                ServiceName=cast("str", line.service),
                SkuId=cast("str", kind_id),
                SkuPriceId=f"{rate_service}:{kind_id}:{self.currency}{amount}/{unit}",
                ListUnitPrice=amount,
                ContractedUnitPrice=amount,
                PricingCategory="Standard",
                PricingUnit=unit,
                x_PriceUnit=price.unit,
                x_PricePer=price.per or "",
            )
        found = self.priced[key] = [(_INDEX[name], value) for name, value in cells.items()]
        return found

    def described(self, line: CostLine, price: Price | None, amount: Quantity | None) -> str:
        """ChargeDescription: what the line charges, in a sentence."""
        if price is not None:
            key = (line.service, line.resource_type, id(price))
            rest = self.descriptions.get(key)
            if rest is None:
                kind = self.types.get(line.resource_type or "")
                what = kind.name if kind is not None else line.resource_type
                rest = self.descriptions[key] = f"of {what} for {line.service} at {price}"
            return f"{self.quantity_text(cast('Quantity', amount))} {rest}"
        commitment = cast("MinimumCommitment", line.source)
        kind = self.types.get(line.resource_type or "")
        what = kind.name if kind is not None else "every resource type"
        scope = f"{what} of {line.service}" if line.service else f"{what} of every service"
        minimum = f"{commitment.amount} per {commitment.per}"
        return f"Shortfall under the minimum of {minimum} for {scope}"

    def span(self, line: CostLine, source: object) -> tuple[dt.datetime, dt.datetime]:
        """The time an allocation was held (cut to what is priced) or a shortfall owed.

        In the agreement's zone, as `cloudsms.resources.CostLine.held` has it.
        """
        if type(source) is Allocation:
            # Aware instants of two zones compare as instants (first_utc is in UTC).
            since, until, zone = source.since, source.until, self.zone
            start = since.astimezone(zone) if since > self.first_utc else self.first
            if until is None or until >= self.last_utc:
                return start, self.last
            return start, until.astimezone(zone)
        during = cast("Period", line.during)
        return during.start, during.end

    def texts(self, instant: dt.datetime, *, up: bool) -> tuple[str, str]:
        """An instant as FOCUS writes it (UTC, whole seconds) and exactly (RFC 9557)."""
        if instant is self.first:
            return self.first_texts
        if instant is self.last:
            return self.last_texts
        return _utc_text(instant, up=up), self.exact_text(instant)

    def exact_text(self, instant: dt.datetime) -> str:
        """`_exact_text`, remembering the last two: a row writes its instants twice."""
        memo = self.memo
        for seen, text in memo:
            if seen is instant:
                return text
        text = _exact_text(instant)
        memo.append((instant, text))
        del memo[:-2]
        return text

    def row(self, line: CostLine, exact: Fraction, billed: str, path: str) -> list[str]:
        cells = self.template[:]
        source = line.source
        price = line.price
        for place, value in self.priced_cells(line, price, path):
            cells[place] = value
        try:
            amount_text, exactly = _money_text(exact.numerator, exact.denominator)
        except OverflowError:  # pragma: no cover - the profile's total bounds every line
            raise ValidationError.single(
                path, "an amount below 1E+31", f"about {float(exact):.3E}", subject=_SUBJECT
            ) from None
        cells[_BILLED] = billed
        cells[_EFFECTIVE] = cells[_LIST] = cells[_CONTRACTED] = amount_text
        if not exactly:
            cells[_EXACT] = _fraction_text(exact)
        amount = line.quantity
        cells[_DESCRIPTION] = self.described(line, price, amount)
        if type(source) is Usage:
            self.usage_cells(cells, source, cast("Quantity", amount))
        else:
            start, end = self.span(line, source)
            cells[_START], cells[_EXACT_START] = self.texts(start, up=False)
            cells[_END], cells[_EXACT_END] = self.texts(end, up=True)
            if type(source) is Allocation:
                held = source.quantity
                cells[_CONSUMED] = _consumed_held(held, start, end)
                cells[_CONSUMED_UNIT] = self.unit(held) + "*hour"
                cells[_REGION_ID] = cells[_REGION_NAME] = source.location or ""
        cells[_SOURCE] = self.source(source)
        if price is not None:
            cells[_PRICING_QUANTITY] = _pricing_quantity(line, price, exact)
        resource = line.resource_id
        if resource is not None:
            cells[_RESOURCE_ID] = resource
        centre = line.cost_centre
        if centre is not None:
            tags = self.tags.get(centre)
            if tags is None:
                tags = self.tags[centre] = _tags(centre)
            cells[_TAGS] = tags
        return cells

    def usage_cells(self, cells: list[str], used: Usage, amount: Quantity) -> None:
        """A usage's charge period (its interval cut to the period) and quantities."""
        first, last = used.start, used.end
        start = first if first.astimezone(_UTC) > self.period_start else self.period_start
        end = last if last.astimezone(_UTC) < self.period_end else self.period_end
        cells[_START] = _utc_text(start, up=False)
        cells[_END] = _utc_text(end, up=True)
        cells[_QUANTITY] = self.quantity_text(amount)
        measured = used.quantity
        cells[_CONSUMED] = self.units.consumed(measured, amount)
        cells[_CONSUMED_UNIT] = self.unit(measured)


def _pricing_quantity(line: CostLine, price: Price, exact: Fraction) -> str:
    """How many of the price's units (times its period) the exact amount is the price of."""
    top, bottom = price.amount.amount.as_integer_ratio()
    if top:
        return _quantity_text(exact.numerator * bottom, exact.denominator * top)
    unit_price = Price(Money(1, price.amount.currency), price.unit, per=price.per)
    count = unit_price.exact_cost(cast("Quantity", line.quantity), line.held)
    return _quantity_text(count.numerator, count.denominator)


def _checked_inputs(
    profile: object, provider: object, customer_name: object, types: object
) -> tuple[CostProfile, str, dict[str, ResourceType]]:
    problems = instance_problems(profile, CostProfile, "$.profile")
    if provider is not None and not isinstance(provider, ProviderProfile | str):
        problems.append(
            Problem("$.provider", "a ProviderProfile, a name or null", describe(provider))
        )
    elif isinstance(provider, str) and not provider.strip():
        problems.append(Problem("$.provider", "a provider's name", describe(provider)))
    if customer_name is not None and (
        not isinstance(customer_name, str) or not customer_name.strip()
    ):
        problems.append(Problem("$.customer_name", "a name or null", describe(customer_name)))
    table: dict[str, ResourceType] = {}
    if types is not None:
        if isinstance(types, str) or not hasattr(types, "__iter__"):
            problems.append(Problem("$.types", "a list of ResourceType values", describe(types)))
        else:
            for index, kind in enumerate(cast("Iterable[object]", types)):
                if isinstance(kind, ResourceType):
                    table.setdefault(kind.id, kind)
                else:
                    problems.append(Problem(f"$.types[{index}]", "a ResourceType", describe(kind)))
    raise_problems(problems, _SUBJECT)
    checked = cast("CostProfile", profile)
    if types is None:
        chosen = checked.types if checked.types is not None else resource_types()
        table = {kind.id: kind for kind in chosen}
    if isinstance(provider, ProviderProfile):
        return checked, provider.name, table
    return checked, str(provider or checked.agreement.provider), table


def _cells(
    profile: object,
    provider: object,
    customer_name: object,
    types: object,
) -> Iterator[list[str]]:
    """The export's rows as lists of cells: `FOCUS_COLUMNS`, then `FOCUS_EXTRA_COLUMNS`."""
    checked, name, table = _checked_inputs(profile, provider, customer_name, types)
    writer = _Writer(checked, name, cast("str | None", customer_name), table)
    lines = checked.lines
    exacts = [line.exact for line in lines]
    billed = _billed(checked.total, exacts)
    count = len(lines)
    for index, line in enumerate(lines):
        cells = writer.row(line, exacts[index], billed[index], f"$.profile.lines[{index}]")
        cells[_POSITION] = f"{index + 1}/{count}"
        yield cells


def focus_rows(
    profile: CostProfile,
    *,
    provider: ProviderProfile | str | None = None,
    customer_name: str | None = None,
    types: Iterable[ResourceType] | None = None,
) -> list[dict[str, str]]:
    """The profile as FOCUS 1.0 rows: one per line, each a dict of text, nulls empty.

    The keys are `FOCUS_COLUMNS` then `FOCUS_EXTRA_COLUMNS`, in that order; what
    fills each column is its `FocusColumn.source` (``docs/focus.md`` lists them).
    ``provider`` names the provider in ProviderName, PublisherName and
    InvoiceIssuerName (a `cloudsms.context.ProviderProfile`'s name, or a name; the
    agreement's ``provider`` when not given); ``customer_name`` fills
    BillingAccountName; ``types`` is the resource type table read for the types'
    names and FOCUS service categories (the profile's, else the built-in one).

    Raises:
        ValidationError: ``profile`` is not a `cloudsms.resources.CostProfile`, the
            provider or customer name is not a name, ``types`` is not a list of
            `cloudsms.resources.ResourceType` values, or a line's resource type is
            not in it (``$.profile.lines[3].resource_type``).
    """
    names = (*FOCUS_COLUMNS, *FOCUS_EXTRA_COLUMNS)
    return [
        dict(zip(names, cells, strict=True))
        for cells in _cells(profile, provider, customer_name, types)
    ]


def write_focus(
    path: str | os.PathLike[str],
    profile: CostProfile,
    *,
    provider: ProviderProfile | str | None = None,
    customer_name: str | None = None,
    types: Iterable[ResourceType] | None = None,
) -> int:
    r"""Write the profile's FOCUS 1.0 rows (`focus_rows`) to the CSV file at ``path``.

    UTF-8, a header of `FOCUS_COLUMNS` then `FOCUS_EXTRA_COLUMNS`, ``\n`` line ends;
    a row with a carriage return in a cell is quoted whole. The file is written
    only once every row is made, so a refused profile leaves no file behind.

    Returns:
        The number of rows written (the profile's lines).

    Raises:
        ValidationError: ``path`` is not a path (``$.path``), or as `focus_rows`.
        OSError: the file cannot be written: its folder does not exist
            (`FileNotFoundError`), it is a folder, or writing is not allowed. That
            is the file system's answer, not the input's fault, so it is left as
            the operating system gives it; ``cloudsms cost profile --focus`` says
            it and exits with status 2. Nothing is written then.
    """
    target = _path(path, _SUBJECT)
    rows = list(_cells(profile, provider, customer_name, types))
    with target.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        quoted = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
        writer.writerow((*FOCUS_COLUMNS, *FOCUS_EXTRA_COLUMNS))
        for cells in rows:
            (quoted if "\r" in "".join(cells) else writer).writerow(cells)
    return len(rows)


# ---------------------------------------------------------------------- reading
# The columns write_focus fills from the profile as a whole: one value in a file.
_PROFILE_COLUMNS = (
    "BillingAccountId",
    "BillingAccountName",
    "BillingCurrency",
    "BillingPeriodEnd",
    "BillingPeriodStart",
    "InvoiceIssuerName",
    "ProviderName",
    "PublisherName",
    "SubAccountId",
)
# The columns a line read back fixes, compared as numbers (2976.0 is 2976).
_NUMBERS = frozenset({"ConsumedQuantity", "ContractedUnitPrice", "PricingQuantity"})
# What a shortfall's row leaves empty.
_NO_PRICE = dict.fromkeys(
    (
        "ConsumedQuantity",
        "ConsumedUnit",
        "ContractedUnitPrice",
        "ListUnitPrice",
        "PricingCategory",
        "PricingQuantity",
        "PricingUnit",
        "RegionId",
        "RegionName",
        "ResourceId",
        "SkuPriceId",
        "Tags",
        "x_PricePer",
        "x_PriceUnit",
        "x_Quantity",
    ),
    "",
)
_ONE_SECOND = Period(
    dt.datetime(1970, 1, 1, tzinfo=_UTC), dt.datetime(1970, 1, 1, 0, 0, 1, tzinfo=_UTC)
)
_KIND_NAMES = {
    "allocation": "an Allocation",
    "usage": "a Usage",
    "commitment": "a MinimumCommitment",
}


class _FocusRow(CsvRow):
    """A row of a FOCUS file written by `write_focus`, read back into a line.

    A cell is refused once: the first problem found in it is the one said.
    """

    instant_expected: ClassVar[str] = (
        "an RFC 9557 instant with an offset, such as 2026-10-01T00:00:00+02:00[Europe/Berlin]"
    )

    def __init__(self, name: str, line: int, numbers: dict[str, int]) -> None:
        super().__init__(name, line, numbers)
        self.refused: set[str] = set()

    def refuse(self, column: str | None, expected: str, got: str) -> None:
        if column is not None:
            if column in self.refused:
                return
            self.refused.add(column)
        super().refuse(column, expected, got)

    def shown(self, column: str) -> str:
        """A cell as a message shows it."""
        value = self.text(column)
        return describe(value) if value else "an empty cell"

    def exact(self) -> Fraction | None:
        written = self.text("x_ExactCost")
        cost = decimal_cell(self.text("EffectiveCost"))
        if cost is None:
            self.refuse("EffectiveCost", "a decimal amount", describe(self.text("EffectiveCost")))
            return None
        if not written:
            return Fraction(cost)
        if not _FRACTION.fullmatch(written):
            self.refuse(
                "x_ExactCost", "an exact fraction such as 1/3, or empty", describe(written)
            )
            return None
        exact = Fraction(written)
        if nearest_amount(exact) != cost:
            expected = f"the exact amount EffectiveCost rounds ({plain(nearest_amount(exact))})"
            self.refuse("x_ExactCost", expected, describe(written))
            return None
        return exact

    def source(self, kind: str) -> Allocation | Usage | MinimumCommitment | None:
        try:
            return from_json(_KINDS[kind], self.text("x_Source"))
        except ValidationError as refused:
            what = f"the JSON of {_KIND_NAMES[kind]}"
            for problem in refused.problems:
                field = problem.path.removeprefix("$").removeprefix(".")
                place = f" for {field}" if field else ""
                self.refuse("x_Source", f"{what}: {problem.expected}{place}", problem.got)
            return None

    def instant_rfc9557(self, column: str) -> dt.datetime | None:
        value = self.text(column)
        try:
            return structure_datetime(value, dt.datetime)
        except ValidationError:
            self.refuse(column, self.instant_expected, describe(value))
            return None

    def instant_utc(self, column: str) -> dt.datetime | None:
        """A FOCUS date-time cell (``2026-10-01T00:00:00Z``); None when it is not one."""
        value = self.text(column)
        return dt.datetime.fromisoformat(value) if _is_instant(value) else None

    def span(self) -> Period | None:
        start = self.instant_rfc9557("x_ChargePeriodStart")
        end = self.instant_rfc9557("x_ChargePeriodEnd")
        if start is None or end is None:
            return None
        try:
            return Period(start, end)
        except ValidationError as refused:
            self.refuse(
                "x_ChargePeriodEnd",
                refused.problems[0].expected,
                describe(self.text("x_ChargePeriodEnd")),
            )
            return None

    def price(self, currency: str) -> Price | None:
        amount = decimal_cell(self.text("ListUnitPrice"))
        if amount is None:
            self.refuse("ListUnitPrice", "a decimal amount", describe(self.text("ListUnitPrice")))
            return None
        try:
            return Price(
                Money(amount, currency),
                self.text("x_PriceUnit"),
                per=self.text("x_PricePer") or None,
            )
        except ValidationError as refused:
            for problem in refused.problems:
                column = {"$.unit": "x_PriceUnit", "$.per": "x_PricePer"}.get(problem.path)
                self.refuse(column or "ListUnitPrice", problem.expected, problem.got)
            return None

    def amount(self) -> Quantity | None:
        value = self.text("x_Quantity")
        try:
            return quantity(value)
        except ValidationError as refused:
            self.refuse("x_Quantity", refused.problems[0].expected, describe(value))
            return None


def _read_line(row: _FocusRow) -> CostLine | None:
    """The line a row's x_ columns (and the FOCUS columns they complete) rebuild."""
    kind = row.text("x_LineKind")
    if kind not in _KINDS:
        row.refuse("x_LineKind", "one of allocation, usage, commitment", describe(kind))
        return None
    currency = row.text("BillingCurrency")
    if not _is_currency(currency):
        row.refuse("BillingCurrency", "an ISO 4217 code", describe(currency))
    source, exact = row.source(kind), row.exact()
    values: dict[str, Any] = {}
    if kind == "commitment":
        values["during"] = row.span()
    else:
        values["price"] = row.price(currency) if "BillingCurrency" not in row.refused else None
        if kind == "allocation":
            values["held"] = row.span()
        else:
            values["quantity"] = row.amount()
    if source is None or exact is None or None in values.values():
        return None
    try:
        return CostLine.of(source, exact=exact, currency=currency, **values)
    except ValidationError as refused:
        columns = {
            "$.currency": "BillingCurrency",
            "$.price": "ListUnitPrice",
            "$.quantity": "x_Quantity",
            "$.held": "x_ChargePeriodEnd",
            "$.during": "x_ChargePeriodEnd",
            "$.exact": "EffectiveCost",
            "$.source": "x_Source",
        }
        for problem in refused.problems:
            row.refuse(columns.get(problem.path), problem.expected, problem.got)
        return None


class _Part:
    """A usage row's part of its usage, in the usage's own unit, with its rounding."""

    __slots__ = ("row", "slack", "text", "value", "whole")

    def __init__(self, row: _FocusRow, whole: Fraction, value: Fraction, slack: Fraction) -> None:
        self.row = row
        self.text = row.text("x_Source")
        self.whole = whole
        self.value = value
        self.slack = slack


class _Reader:
    """One read of a FOCUS file: each row checked and read, then what the rows share.

    Every check here compares what a row (or the file) says twice: a FOCUS
    column against the x_ column or the source record it repeats, an amount against
    the price of what was held or used, BilledCost against the share the profile's
    rounded total gives the line.
    """

    def __init__(self) -> None:
        self.columns = focus_columns()
        self.rows: list[_FocusRow] = []
        self.lines: list[tuple[_FocusRow, CostLine]] = []
        self.parts: list[_Part] = []
        self.unread = 0
        self.odd_parts = False
        self.found: list[Problem] = []
        self.units = _Units()
        self.factors: dict[tuple[object, ...], Fraction] = {}

    def __call__(self, row: _FocusRow) -> CostLine | None:
        cells = row.cells  # every column there, every cell text: the header is checked
        for column in self.columns:
            for problem in _cell_problems(column.name, column, cells[column.name], cells):
                row.refuse(column.name, problem.expected, problem.got)
        self.rows.append(row)
        line = _read_line(row)
        if line is None:
            self.unread += 1
        else:
            self.lines.append((row, line))
            self.agree(row, line)
        numbers = row.numbers
        row.problems.sort(key=lambda problem: numbers.get(problem.path.rpartition(":")[2], 0))
        return None if row.problems else line

    # -------------------------------------------------------------- the file
    def one_profile(self) -> None:
        """The columns of the profile as a whole hold one value: the one most rows hold."""
        for column in _PROFILE_COLUMNS:
            counts = Counter(row.text(column) for row in self.rows)
            if len(counts) < 2:  # noqa: PLR2004 - one value, or none
                continue
            ((value, _),) = counts.most_common(1)  # the earliest of the commonest
            expected = (
                f"{value or 'an empty cell'}, the {column} of the file's other rows:"
                " a file holds one profile"
            )
            for row in self.rows:
                if row.text(column) != value:
                    self.late(row, column, expected)

    def positions(self) -> None:
        """Each row's x_Position is its place among the file's rows: none lost or moved."""
        count = len(self.rows)
        for place, row in enumerate(self.rows, start=1):
            expected = f"{place}/{count}"
            if row.text("x_Position") != expected:
                said = (
                    f"{expected}, the row's place among the file's {count} rows (a row"
                    " dropped, repeated or moved before it changes it)"
                )
                self.late(row, "x_Position", said)
                return  # the rows after it are out of place for the same reason

    def file_problems(self, *, whole: bool) -> list[Problem]:
        """What only the rows together show: the profile's columns, places, sums.

        Places are checked when every row was handed over (``whole``: none was cut
        short or long); the shares of BilledCost and the parts of a usage when
        every row could be read into a line too. Else the file is refused already,
        and those checks would only repeat it.
        """
        self.one_profile()
        if not whole:
            return self.found
        self.positions()
        if not self.unread and self.lines:
            if not self.odd_parts:
                self.usage_parts()
            self.billed()
        return self.found

    def billed(self) -> None:
        """BilledCost: the total of the exact amounts rounded once, shared by largest remainder."""
        currency = self.lines[0][0].text("BillingCurrency")
        exacts = [line.exact for _, line in self.lines]
        try:
            total = round_to_minor(sum(exacts, Fraction(0)), currency)
        except ValidationError:  # CostProfile.build refuses such a total too
            expected = "a share of a total below 1E+31 (the amounts add up to more)"
            self.late(self.lines[-1][0], "BilledCost", expected)
            return
        for (row, _), share in zip(self.lines, _billed(total, exacts), strict=True):
            if decimal_cell(row.text("BilledCost")) != Decimal(share):
                expected = (
                    f"{share}, the line's share of the total {total.amount_text} (the total of"
                    " the exact amounts rounded once, handed out in proportion to them)"
                )
                self.late(row, "BilledCost", expected)

    def usage_parts(self) -> None:
        """The rows of one usage (one row per tier it reached) add up to its quantity."""
        parts = self.parts
        index = 0
        while index < len(parts):
            first = parts[index]
            reached, slack = Fraction(0), Fraction(0)
            while index < len(parts) and parts[index].text == first.text:
                part = parts[index]
                reached += part.value
                slack += part.slack
                index += 1
                if reached > first.whole + slack:
                    self.late(part.row, "x_Quantity", "no more than the rest of its usage")
                    break
                if reached >= first.whole - slack:
                    break
            else:
                last = parts[index - 1].row
                self.late(last, "x_Quantity", "the rest of its usage: its rows add up to it")

    def late(self, row: _FocusRow, column: str, expected: str) -> None:
        """A problem found once every row is read, at its row's cell."""
        before = len(row.problems)
        row.refuse(column, expected, row.shown(column))
        self.found += row.problems[before:]

    # -------------------------------------------------------------- one row
    def priced(self, line: CostLine) -> Fraction:
        """What the price charges for the line's quantity (and time held): `Price.exact_cost`.

        A price per unit (and exact time) is linear in the magnitude and the seconds,
        so its cost of one unit (for one second) is worked out once per price and unit.

        Raises:
            ValidationError: the price cannot charge the quantity.
        """
        price = cast("Price", line.price)
        amount = cast("Quantity", line.quantity)
        held = line.held
        if price.per is not None:
            return price.exact_cost(amount, held)
        key = (price, cast("Any", amount)._units, held is None)  # noqa: SLF001 - hashable units
        factor = self.factors.get(key)
        if factor is None:
            one = quantity(1, self.units.text(amount))
            factor = self.factors[key] = price.exact_cost(
                one, None if held is None else _ONE_SECOND
            )
        value = factor * Fraction(cast("Decimal", amount.magnitude))
        return value if held is None else value * held.seconds

    def agree(self, row: _FocusRow, line: CostLine) -> None:
        """The row's FOCUS columns say what its line says, and its amount is its price's."""
        effective = decimal_cell(row.text("EffectiveCost"))
        for column in ("ContractedCost", "ListCost"):
            value = decimal_cell(row.text(column))
            if value != effective and effective is not None:
                expected = f"{plain(effective)}, the EffectiveCost (nothing is discounted)"
                row.refuse(column, expected, row.shown(column))
        cost_column = "x_ExactCost" if row.text("x_ExactCost") else "EffectiveCost"
        source = line.source
        if isinstance(source, MinimumCommitment):
            during = cast("Period", line.during)
            self.shortfall(row, source, during, line.exact, cost_column)
            self.compare(row, _shortfall_cells(source))
            self.charge_period(row, during)
            return
        try:
            wanted = self.priced(line)
        except ValidationError as refused:
            column = "x_PriceUnit" if line.kind == "allocation" else "x_Quantity"
            row.refuse(column, refused.problems[0].expected, row.shown(column))
        else:
            if wanted != line.exact:
                what = "for the time held" if line.kind == "allocation" else "used"
                expected = (
                    f"{plain(nearest_amount(wanted))}, the price's cost of the quantity {what}"
                )
                row.refuse(cost_column, expected, row.shown(cost_column))
        self.compare(row, self.cells(row, line, source))
        if isinstance(source, Allocation):
            self.charge_period(row, cast("Period", line.held))
        else:
            self.usage_period(row, source)

    def cells(self, row: _FocusRow, line: CostLine, source: Allocation | Usage) -> dict[str, str]:
        """The cells write_focus fills from what the line says (of a held or used line)."""
        price = cast("Price", line.price)
        unit = price.unit if price.per is None else f"{price.unit}*{price.per}"
        amount = price.amount.amount_text
        centre = source.cost_centre
        cells = {
            "BillingAccountId": source.customer,
            "ChargeCategory": "Usage",
            "ChargeFrequency": "Recurring" if price.per else "Usage-Based",
            "ContractedUnitPrice": amount,
            "PricingCategory": "Standard",
            "PricingQuantity": _pricing_quantity(line, price, line.exact),
            "PricingUnit": unit,
            "ResourceId": source.resource_id or "",
            "ServiceName": source.service,
            "SkuId": source.resource_type,
            "SubAccountId": source.agreement,
            "Tags": "" if centre is None else _tags(centre),
        }
        rate = f":{source.resource_type}:{price.amount.currency}{amount}/{unit}"
        if row.text("SkuPriceId") not in (f"*{rate}", f"{source.service}{rate}"):
            cells["SkuPriceId"] = f"*{rate}"
        if isinstance(source, Allocation):
            held = cast("Period", line.held)
            cells["ConsumedQuantity"] = _consumed_held(source.quantity, held.start, held.end)
            cells["ConsumedUnit"] = self.units.text(source.quantity) + "*hour"
            cells["RegionId"] = cells["RegionName"] = source.location or ""
            cells["x_Quantity"] = ""
        else:
            part = cast("Quantity", line.quantity)
            self.part(row, source, part)
            if "x_Quantity" not in row.refused:
                cells["ConsumedQuantity"] = self.units.consumed(source.quantity, part)
            cells["ConsumedUnit"] = self.units.text(source.quantity)
            cells["RegionId"] = cells["RegionName"] = ""
            cells["x_ChargePeriodStart"] = cells["x_ChargePeriodEnd"] = ""
        return cells

    def part(self, row: _FocusRow, source: Usage, part: Quantity) -> None:
        """Remember a usage row's part of its usage, refused when it measures something else."""
        measured = source.quantity
        try:
            ratio = self.units.ratio(part, measured)
        except ValidationError:
            expected = f"a quantity of what its usage measures ({self.units.text(measured)})"
            row.refuse("x_Quantity", expected, row.shown("x_Quantity"))
            self.odd_parts = True
            return
        magnitude = cast("Decimal", part.magnitude)
        half_place = Fraction(_last_place(magnitude)) / 2
        whole = Fraction(cast("Decimal", measured.magnitude))
        self.parts.append(_Part(row, whole, Fraction(magnitude) * ratio, half_place * ratio))

    def compare(self, row: _FocusRow, expected: Mapping[str, str]) -> None:
        """Refuse each cell that is not what the line says (numbers compared as numbers).

        Cells are read trimmed, so what the line says is trimmed too: a location
        ending in a space is written whole in x_Source, and trimmed in RegionId.
        """
        for column, said in expected.items():
            cell, wanted = row.text(column), said.strip()
            if cell == wanted:
                continue
            if column == "Tags" and cell and wanted and _json_equal(cell, wanted):
                continue
            if column in _NUMBERS and cell and wanted and _decimal(cell) == Decimal(wanted):
                continue
            row.refuse(
                column, f"{wanted or 'an empty cell'}, as {_SAYS[column]}", row.shown(column)
            )

    def charge_period(self, row: _FocusRow, span: Period) -> None:
        """ChargePeriodStart and End: the exact span widened to whole seconds, in the period."""
        self.compare(
            row,
            {
                "ChargePeriodStart": _utc_text(span.start, up=False),
                "ChargePeriodEnd": _utc_text(span.end, up=True),
            },
        )
        self.inside(row)

    def usage_period(self, row: _FocusRow, used: Usage) -> None:
        """A usage's charge period: its interval cut to the billing period."""
        start, end = row.instant_utc("BillingPeriodStart"), row.instant_utc("BillingPeriodEnd")
        if start is None or end is None:
            return
        first, last = max(start, used.start), min(end, used.end)
        self.compare(
            row,
            {
                "ChargePeriodStart": _utc_text(first, up=False),
                "ChargePeriodEnd": _utc_text(last, up=True),
            },
        )
        self.inside(row)

    def inside(self, row: _FocusRow) -> None:
        """The charge period lies inside the billing period."""
        first, last = row.instant_utc("BillingPeriodStart"), row.instant_utc("BillingPeriodEnd")
        start, end = row.instant_utc("ChargePeriodStart"), row.instant_utc("ChargePeriodEnd")
        if first is not None and start is not None and start < first:
            row.refuse(
                "ChargePeriodStart",
                "a start inside the billing period",
                row.shown("ChargePeriodStart"),
            )
        if last is not None and end is not None and end > last:
            row.refuse(
                "ChargePeriodEnd", "an end inside the billing period", row.shown("ChargePeriodEnd")
            )

    def shortfall(
        self,
        row: _FocusRow,
        commitment: MinimumCommitment,
        during: Period,
        exact: Fraction,
        column: str,
    ) -> None:
        """A shortfall: in the file's currency, owed for a part of one calendar period.

        And above zero, at most the minimum owed over that part: what the other
        lines spent is not reckoned again.
        """
        currency = row.text("BillingCurrency")
        if commitment.amount.currency != currency:
            expected = f"a commitment in the file's currency ({currency})"
            row.refuse("x_Source", expected, str(commitment.amount))
            return
        owed = commitment.owed(during)
        per = commitment.per
        if len(owed) != 1:
            expected = f"an end in the calendar {per} of its start: a shortfall is owed per {per}"
            row.refuse("x_ChargePeriodEnd", expected, row.shown("x_ChargePeriodEnd"))
            return
        least = owed[0][1]
        if not 0 < exact <= least:
            expected = (
                f"an amount above 0 and at most {plain(nearest_amount(least))}, the minimum owed"
                f" over the part of the calendar {per} it is owed for"
            )
            row.refuse(column, expected, row.shown(column))


_SAYS = {
    "BillingAccountId": "x_Source's customer",
    "ChargeCategory": "x_LineKind says",
    "ChargeFrequency": "the price's period (x_PricePer) says",
    "ChargePeriodEnd": "the end held (x_ChargePeriodEnd) or used (x_Source), in UTC",
    "ChargePeriodStart": "the start held (x_ChargePeriodStart) or used (x_Source), in UTC",
    "ConsumedQuantity": "x_Source's quantity and the time held, or the usage's part in x_Quantity",
    "ConsumedUnit": "x_Source's unit",
    "ContractedUnitPrice": "the price (ListUnitPrice)",
    "PricingCategory": "x_LineKind says",
    "PricingQuantity": "the amount over the unit price",
    "PricingUnit": "x_PriceUnit and x_PricePer",
    "RegionId": "x_Source's location",
    "RegionName": "x_Source's location",
    "ResourceId": "x_Source's resource_id",
    "ServiceName": "x_Source's service",
    "SkuId": "x_Source's resource_type",
    "SkuPriceId": "the resource type and the price",
    "SubAccountId": "x_Source's agreement",
    "Tags": "x_Source's cost_centre",
    **dict.fromkeys(
        ("ListUnitPrice", "x_PricePer", "x_PriceUnit", "x_Quantity"), "x_LineKind says"
    ),
    "x_ChargePeriodEnd": "x_LineKind says",
    "x_ChargePeriodStart": "x_LineKind says",
}


def _shortfall_cells(commitment: MinimumCommitment) -> dict[str, str]:
    """The cells write_focus fills from a shortfall's commitment (and leaves empty)."""
    cells = {**_NO_PRICE, "ChargeCategory": "Adjustment", "ChargeFrequency": "Recurring"}
    cells["SkuId"] = commitment.resource_type or ""
    if commitment.service is not None:  # else every service: the agreement's, not in the file
        cells["ServiceName"] = commitment.service
    return cells


def _json_equal(cell: str, wanted: str) -> bool:
    try:
        return bool(json.loads(cell) == json.loads(wanted))
    except ValueError:
        return False


def _tags(centre: str) -> str:
    """Tags of a line booked to a cost centre: ``{"cost_centre":"CC-100"}``.

    The cost centre is a user-defined tag (the customer's, set on its records) and
    cloudsms's only tag scheme, so its key goes unprefixed, as FOCUS 1.0's Tags
    column asks of a provider's one user-defined scheme (docs/focus.md).
    """
    return json.dumps({"cost_centre": centre}, ensure_ascii=False, separators=(",", ":"))


def read_focus(path: str | os.PathLike[str]) -> tuple[CostLine, ...]:
    """The cost lines of a FOCUS 1.0 file `write_focus` wrote, in the order of its rows.

    Each line is rebuilt (`cloudsms.resources.CostLine.of`) from its row's ``x_``
    columns and the FOCUS columns they complete (BillingCurrency, ListUnitPrice,
    EffectiveCost), so the lines equal (``==``) those of the profile written, and
    keep their sources. Other custom columns (named ``x_``) are let be; every FOCUS
    1.0 column and every column of `FOCUS_EXTRA_COLUMNS` must be there.

    A file is read only when it says one thing throughout, as `write_focus` writes
    it: every row keeps the rules `check_focus` checks; the columns of the profile
    as a whole (BillingCurrency, the billing period, the account, the provider)
    hold one value in the file; each amount is what its price charges for the
    quantity held and the time held, or used (`cloudsms.money.Price.exact_cost`),
    and a shortfall is above zero and at most the minimum owed over its part of a
    calendar period; ListCost and ContractedCost equal EffectiveCost; every FOCUS
    column that repeats what a line says (its source record's customer, agreement,
    service, resource and cost centre, the price, the time held, the quantities
    consumed and priced) says the same; the rows of a usage add up to it; and
    BilledCost is each line's share of the total of the exact amounts rounded once
    (`cloudsms.money.allocate`). ``docs/focus.md`` lists what this catches and
    what it cannot. Serves S11 and ISO/IEC 20000-1:2011 6.4.

    Raises:
        ValidationError: ``path`` is not a path (``$.path``); the file cannot be
            read, or has any problem: every problem of the file, each at
            ``file:line:column`` (``focus.csv:4:x_Source``), in one error. Nothing
            is returned then.
    """
    file = _path(path, _READ_SUBJECT)
    text, unreadable = file_text(file, file.name)
    if text is None:
        raise ValidationError(unreadable, subject=_READ_SUBJECT)
    header = next(csv.reader(text.splitlines()[:1]), [])
    required = (*FOCUS_COLUMNS, *FOCUS_EXTRA_COLUMNS)
    custom = tuple(
        dict.fromkeys(
            c.strip() for c in header if c.strip().startswith("x_") and c.strip() not in required
        )
    )
    reader = _Reader()
    lines, problems = read_rows(
        file.name,
        text,
        reader,
        row=_FocusRow,
        required=required,
        optional=custom,
        hint=True,
    )
    whole = all(problem.path.rpartition(":")[0] != file.name for problem in problems)
    problems += reader.file_problems(whole=whole)
    if problems:
        raise ValidationError(problems, subject=_READ_SUBJECT)
    return tuple(lines)


def _path(path: object, subject: str) -> Path:
    """``path`` as a `pathlib.Path`, or a ValidationError at ``$.path``."""
    if isinstance(path, str | os.PathLike):
        try:
            return Path(path)
        except TypeError:  # a path-like giving bytes
            pass
    raise ValidationError.single(
        "$.path", "a file path (a str or os.PathLike)", describe(path), subject=subject
    )


# ---------------------------------------------------------------------- checking
def _is_instant(cell: str) -> bool:
    if not _FOCUS_INSTANT.fullmatch(cell):
        return False
    try:
        dt.datetime.fromisoformat(cell)
    except ValueError:
        return False
    return True


def _is_currency(cell: str) -> bool:
    try:
        Money.zero(cell)
    except ValidationError:
        return False
    return True


def _is_object(cell: str) -> bool:
    try:
        value = json.loads(cell)
    except ValueError:
        return False
    return isinstance(value, dict) and not any(isinstance(v, dict | list) for v in value.values())


# Per type: whether a non-empty cell is of it, and what it should be when it is not.
_TYPE_CHECKS: dict[str, tuple[Callable[[str], bool], str]] = {
    "decimal": (lambda cell: bool(_NUMBER.fullmatch(cell)), "a decimal number such as 12.5"),
    "datetime": (_is_instant, "a UTC date-time such as 2026-10-01T00:00:00Z"),
    "currency-code": (_is_currency, "an ISO 4217 currency code such as EUR"),
    "json-object": (_is_object, "a JSON object of keys and plain values"),
    "string": (lambda _: True, "text"),
}


def _decimal(cell: str) -> Decimal | None:
    if not _NUMBER.fullmatch(cell):
        return None
    try:
        return Decimal(cell)
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        return None


def _last_place(value: Decimal) -> Decimal:
    """One unit in the last place ``value`` is written to."""
    return Decimal(1).scaleb(cast("int", value.as_tuple().exponent))


def _product(test: FocusTest, cell: str, row: Mapping[str, object]) -> bool:
    """Whether ``cell`` is the product of the two columns, up to the rounding of all three."""
    number = _decimal(cell)
    a, b = (_decimal(str(row.get(name, ""))) for name in test.values)
    if number is None or a is None or b is None:
        return True  # an empty or malformed cell is for its own rules to report
    with localcontext() as exact:
        exact.prec = 400
        slack = (abs(a) * _last_place(b) + _last_place(number)) / 2
        return abs(a * b - number) <= slack


def _at_least(test: FocusTest, cell: str, _: Mapping[str, object]) -> bool:
    number = _decimal(cell)
    return number is None or number >= Decimal(test.values[0])


_TESTS: dict[str, Callable[[FocusTest, str, Mapping[str, object]], bool]] = {
    "null": lambda _, cell, __: not cell,
    "present": lambda _, cell, __: bool(cell),
    "in": lambda test, cell, _: cell in test.values,
    "not_in": lambda test, cell, _: cell not in test.values,
    "min": _at_least,
    "product": _product,
}


def _passes(test: FocusTest, cell: str, row: Mapping[str, object]) -> bool:
    return _TESTS[test.op](test, cell, row)


def _cell_problems(
    path: str, column: FocusColumn, cell: str, row: Mapping[str, object]
) -> Iterator[Problem]:
    """What is wrong with one cell: nullability, type, allowed values, conditions."""
    if not cell and not column.nullable:
        yield Problem(path, "a value (the column may not be null)", "an empty cell")
    elif cell:
        check, expected = _TYPE_CHECKS[column.type]
        if not check(cell):
            yield Problem(path, expected, describe(cell))
            return
        if column.allowed is not None and cell not in column.allowed:
            yield Problem(path, "one of " + ", ".join(column.allowed), describe(cell))
    for rule in column.conditions:
        holds = all(_passes(test, str(row.get(other, "")), row) for other, test in rule.when)
        if holds and not _passes(rule.then, cell, row):
            got = describe(cell) if cell else "an empty cell"
            yield Problem(path, f"{rule.then} ({rule.says})", got)


def _row_problems(index: int, row: object, columns: tuple[FocusColumn, ...]) -> Iterator[Problem]:
    where = f"$[{index}]"
    if not isinstance(row, Mapping):
        yield Problem(where, "a mapping of column names to text", describe(row))
        return
    cells = cast("Mapping[object, object]", row)
    for name, value in cells.items():
        if not isinstance(name, str) or (name not in _INDEX and not name.startswith("x_")):
            expected = "a FOCUS 1.0 column, or a custom one named x_..."
            yield Problem(f"{where}.{name}", expected, "an unknown column")
        elif not isinstance(value, str):
            yield Problem(f"{where}.{name}", "text (an empty string for null)", describe(value))
    for column in columns:
        path = f"{where}.{column.name}"
        cell = cells.get(column.name)
        if column.name not in cells:
            yield Problem(path, "the column, present in every row", "no such column")
        elif isinstance(cell, str):
            yield from _cell_problems(path, column, cell, cast("Mapping[str, object]", cells))


def check_focus(rows: Iterable[Mapping[str, str]]) -> tuple[Problem, ...]:
    """Every way the rows break the rules of FOCUS 1.0's columns (`focus_columns`).

    Each row is a mapping of column names to text, an empty string standing for
    null (as `focus_rows` gives and a CSV reader reads). A problem's path is
    ``$[row].Column``; it names a FOCUS column missing from a row, a column neither
    of FOCUS nor custom (``x_``), a null where the column takes none, a cell not of
    the column's type (decimals as 12.5, date-times as ``2026-10-01T00:00:00Z``,
    ISO 4217 codes, JSON objects of plain values) or not among its allowed values,
    and a conditional rule broken (say ConsumedQuantity left empty on a usage row).
    A product rule (ListCost is ListUnitPrice times PricingQuantity) holds when the
    product differs from the cost by no more than the rounding of the numbers
    written allows. An empty tuple means the rows keep every rule checked.

    Raises:
        ValidationError: ``rows`` is not a list of rows (``$``).
    """
    given: object = rows
    if isinstance(given, str | bytes) or not hasattr(given, "__iter__"):
        raise ValidationError.single("$", "a list of rows", describe(given), subject="FOCUS rows")
    columns = focus_columns()
    return tuple(
        problem
        for index, row in enumerate(cast("Iterable[object]", given))
        for problem in _row_problems(index, row, columns)
    )
