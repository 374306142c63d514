"""The structure and unstructure hooks of the foundation types the converter writes as leaves.

Decimals, integers, quantities, money, periods, prices, support hours and lifecycle
history: each hook checks the JSON shape, builds the value through its own checks,
and reports every problem with its path. `cloudsms._kit.wire` declares which hook
serves which type.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import typing
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar, cast

from cloudsms import units
from cloudsms._foundation.exact import NUMBER_CHARACTERS
from cloudsms._foundation.strict_json import key_path
from cloudsms._kit.datetimes import (
    format_datetime,
    structure_date,
    structure_datetime,
    written_instant,
)
from cloudsms._kit.durations import parse_duration
from cloudsms._kit.limits import DECIMAL, INT64, LONGEST_NUMBER
from cloudsms.errors import Problem, ValidationError, describe
from cloudsms.lifecycle import HistoryEntry
from cloudsms.money import Money, Price
from cloudsms.periods import DailyWindow, Period, SupportHours

if TYPE_CHECKING:
    from collections.abc import Callable

    from dateutil.relativedelta import relativedelta


T = TypeVar("T")


# ---------------------------------------------------------------------- strict leaves
def strict(kind: type, expected: str) -> Callable[[object, Any], Any]:
    def structure(value: object, _: object) -> Any:
        if type(value) is kind:
            return value
        raise ValidationError.single("$", expected, describe(value))

    return structure


def structure_int(value: object, _: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and INT64[0] <= value <= INT64[1]:
        return value
    raise ValidationError.single("$", "an integer (within 64 bits)", describe(value))


def structure_float(value: object, _: object) -> float:
    """A finite JSON number (an integer too) as a float; text, booleans and NaN refused."""
    if type(value) is float or (type(value) is int and INT64[0] <= value <= INT64[1]):
        number = float(value)
        if abs(number) != float("inf") and number == number:  # noqa: PLR0124 - NaN
            return number
    raise ValidationError.single("$", "a finite number", describe(value))


def format_decimal(value: Decimal) -> str:
    """A Decimal as the text `structure_decimal` reads back to the same value, or refused."""
    text = str(value)
    if len(text) <= LONGEST_NUMBER and DECIMAL.fullmatch(text):
        return text
    raise ValidationError.single(
        "$",
        "a decimal number the reader reads back: finite, at most 100 characters, "
        "an exponent of at most 3 digits",
        describe(value),
    )


def format_float(value: float) -> float:
    """A float as it is, if JSON can hold it: NaN and the infinities are not JSON."""
    if value == value and abs(value) != float("inf"):  # noqa: PLR0124 - NaN is not itself
        return value
    raise ValidationError.single("$", "a finite number (JSON has no NaN or Infinity)", repr(value))


def format_int(value: int) -> int:
    """An integer as it is, if the reader reads it back: within 64 bits."""
    if INT64[0] <= value <= INT64[1] or isinstance(value, bool):
        return value
    raise ValidationError.single("$", "an integer (within 64 bits)", describe(value))


def structure_decimal(value: object, _: object) -> Decimal:
    if isinstance(value, str) and len(value) <= LONGEST_NUMBER and DECIMAL.fullmatch(value):
        try:
            return Decimal(value)
        except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
            pass
    raise ValidationError.single(
        "$", "a decimal number as a string, such as '12.30'", describe(value)
    )


RATIO = re.compile(r"[+-]?[0-9]+/[1-9][0-9]*")
"""A fraction written as ``numerator/denominator`` (``"1/3"``), as the reader takes it."""


def _terminates(denominator: int) -> bool:
    """Whether 1/denominator has a finite decimal expansion (its only prime factors: 2, 5)."""
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    return denominator == 1


def format_fraction(value: Fraction) -> str:
    """An exact fraction as text: a decimal where it ends (``"0.75"``), else ``"1/3"``.

    `structure_fraction` reads either back to the same value; nothing is rounded (the
    digits are worked out on integers, never in a decimal context).
    """
    if _terminates(value.denominator):
        places = 0
        while (value * 10**places).denominator != 1:
            places += 1
        digits = str(abs(value.numerator) * 10**places // value.denominator).rjust(places + 1, "0")
        sign = "-" if value < 0 else ""
        text = f"{sign}{digits[:-places]}.{digits[-places:]}" if places else f"{sign}{digits}"
        if len(text) <= LONGEST_NUMBER:
            return text
    text = f"{value.numerator}/{value.denominator}"  # also a decimal too long to write
    if len(text) <= LONGEST_NUMBER:
        return text
    raise ValidationError.single(
        "$", "a fraction the reader reads back: at most 100 characters", describe(value)
    )


def structure_fraction(value: object, _: object) -> Fraction:
    """An exact fraction from text: a decimal (``"0.75"``) or ``"numerator/denominator"``."""
    if isinstance(value, str) and len(value) <= LONGEST_NUMBER:
        if DECIMAL.fullmatch(value):
            return Fraction(Decimal(value))
        if RATIO.fullmatch(value):
            return Fraction(value)
    raise ValidationError.single(
        "$", "an exact fraction as a string, such as '0.75' or '1/3'", describe(value)
    )


def structure_quantity(value: object, _: object) -> units.Quantity:
    if type(value) is str:
        known = units.known_quantity(value, "$")  # the hot path: a unit text read before
        return known if known is not None else units.quantity(value)
    if isinstance(value, dict):
        extra = set(value) - {"magnitude", "unit"}
        if extra or "magnitude" not in value or "unit" not in value:
            raise ValidationError.single(
                "$",
                "a quantity: text such as '250 ms' or {'magnitude', 'unit'}",
                describe(value),
            )
        magnitude = value["magnitude"]
        if isinstance(magnitude, float):
            raise ValidationError.single(
                "$.magnitude", "an exact magnitude (a string or an integer)", describe(magnitude)
            )
        unit = value["unit"]
        if not isinstance(unit, str):
            raise ValidationError.single("$.unit", "a unit such as 'ms'", describe(unit))
        return units.quantity(magnitude, unit, path="$.magnitude")
    return units.quantity(value)


def _fields(
    value: object, names: tuple[str, ...], kind: str, optional: tuple[str, ...] = ()
) -> tuple[dict[str, Any], list[Problem]]:
    """The known keys of an object, and the problems of its keys: missing or unknown.

    ``names`` are required, ``optional`` may be left out (the field has a default).
    A missing or unknown key does not stop the reading: the keys that are there are
    read too, so every problem of the object is reported at once.
    """
    if type(value) is dict and len(value) == len(names) and all(n in value for n in names):
        return value, []  # the hot path: exactly the required keys
    if not isinstance(value, dict):
        raise ValidationError.single("$", f"{kind} object", describe(value))
    known = names + optional
    problems = [
        Problem(key_path("$", n), "a value (required)", "nothing") for n in names if n not in value
    ]
    problems += [
        Problem(key_path("$", k), "one of the keys " + ", ".join(known), f"key {k!r}")
        for k in value
        if k not in known
    ]
    return {k: v for k, v in value.items() if k in known}, problems


def _collect(
    raw: dict[str, Any],
    parts: dict[str, Callable[[Any], Any]],
    problems: list[Problem] | None = None,
) -> dict[str, Any]:
    """Read each key of ``raw`` that ``parts`` names; gather every problem, or the results."""
    results: dict[str, Any] = {}
    found = list(problems or ())
    for key, build in parts.items():
        if key not in raw:
            continue
        try:
            results[key] = build(raw[key])
        except ValidationError as exc:
            found += prefixed(exc.problems, key_path("$", key))
    if found:
        raise ValidationError(found)
    return results


def _leaf(hook: Callable[[object, Any], T], kind: Any) -> Callable[[object], T]:
    """``hook`` with its type argument bound, for `_collect`."""
    return lambda value: hook(value, kind)


def prefixed(problems: typing.Iterable[Problem], prefix: str) -> list[Problem]:
    return [Problem(prefix + p.path[1:], p.expected, p.got) for p in problems]


def structure_money(value: object, _: object) -> Money:
    if type(value) is dict and len(value) == 2:  # noqa: PLR2004 - amount and currency
        amount, code = value.get("amount"), value.get("currency")
        if (
            type(amount) is str
            and type(code) is str
            and len(amount) <= LONGEST_NUMBER
            and not amount.strip(NUMBER_CHARACTERS)
        ):
            try:  # the hot path: a plain number such as "12.30" (see NUMBER_CHARACTERS)
                number = Decimal(amount)
            except InvalidOperation:
                pass  # read again below, to say what is wrong
            else:
                if number.is_finite():
                    return Money(number, code)
    raw, problems = _fields(value, ("amount", "currency"), "a money")
    parts = _collect(
        raw,
        {
            "amount": lambda v: structure_decimal(v, Decimal),
            "currency": _currency_code,
        },
        problems,
    )
    return Money(parts["amount"], parts["currency"])


def _currency_code(value: object) -> str:
    try:
        return Money(Decimal(0), cast("str", value)).currency
    except ValidationError as exc:
        raise ValidationError([p._replace(path="$") for p in exc.problems]) from None


def structure_period(value: object, _: object) -> Period:
    if type(value) is dict and len(value) == 2:  # noqa: PLR2004 - start and end
        start, end = value.get("start"), value.get("end")
        if type(start) is str and type(end) is str:  # the hot path: as to_dict writes them
            first, last = written_instant(start), written_instant(end)
            if first is not None and last is not None:
                try:
                    return Period(first, last)
                except ValidationError:
                    pass  # read again below, to report every problem with its path
    raw, problems = _fields(value, ("start", "end"), "a period")
    instant = partial(structure_datetime, _=dt.datetime)
    parts = _collect(raw, {"start": instant, "end": instant}, problems)
    return Period(parts["start"], parts["end"])


def structure_price(value: object, _: object) -> Price:
    raw, problems = _fields(value, ("amount", "unit"), "a price", optional=("per",))
    terms: dict[str, Any] = {key: raw[key] for key in ("unit", "per") if key in raw}
    try:
        amount = _collect(raw, {"amount": partial(structure_money, _=Money)}, problems)
    except ValidationError as exc:
        raise ValidationError([*exc.problems, *_terms_problems(terms)]) from None
    return Price(amount["amount"], **terms)


def _terms_problems(terms: dict[str, Any]) -> list[Problem]:
    """The problems of a price's unit and period, checked as Price checks them.

    Read beside a bad amount, so that one reading reports every problem of a price.
    """
    if "unit" not in terms:
        return []
    try:
        Price(Money.zero("EUR"), **terms)
    except ValidationError as exc:
        return list(exc.problems)
    return []


def structure_window(value: object, _: object) -> DailyWindow:
    return DailyWindow.parse(cast("str", value))


def structure_relativedelta(value: object, _: object) -> relativedelta:
    return cast("relativedelta", parse_duration(value))


def structure_timedelta(value: object, _: object) -> dt.timedelta:
    return cast("dt.timedelta", parse_duration(value, exact=True))


# ---------------------------------------------------------------------- unstructuring
def unstructure_quantity(value: units.Quantity) -> str:
    return units.format_quantity(value)


def unstructure_money(value: Money) -> dict[str, str]:
    return {"amount": value.amount_text, "currency": value.currency}


def unstructure_period(value: Period) -> dict[str, str]:
    return {"start": format_datetime(value.start), "end": format_datetime(value.end)}


def unstructure_price(value: Price) -> dict[str, Any]:
    return {"amount": unstructure_money(value.amount), "unit": value.unit, "per": value.per}


def unstructure_support_hours(value: SupportHours) -> dict[str, Any]:
    return {
        "timezone": value.timezone,
        "windows": [str(w) for w in value.windows],
        "holidays": sorted(d.isoformat() for d in value.holidays),
    }


def structure_support_hours(value: object, _: object) -> SupportHours:
    raw, problems = _fields(value, ("timezone", "windows"), "a support-hours", ("holidays",))
    parts = _collect(
        raw,
        {
            "timezone": lambda v: strict(str, "an IANA time zone")(v, str),
            "windows": lambda v: sequence_of(v, structure_window),
            "holidays": lambda v: sequence_of(v, structure_date),
        },
        problems,
    )
    return SupportHours(**parts)


def sequence_of(value: object, item: Callable[[object, Any], T]) -> list[T]:
    if not isinstance(value, list | tuple):
        raise ValidationError.single("$", "an array", describe(value))
    results: list[T] = []
    problems: list[Problem] = []
    for index, element in enumerate(value):
        try:
            results.append(item(element, None))
        except ValidationError as exc:
            problems += prefixed(exc.problems, f"$[{index}]")
    if problems:
        raise ValidationError(problems)
    return results


def unstructure_entry(value: HistoryEntry) -> dict[str, Any]:
    return {
        "who": value.who,
        "when": format_datetime(value.when),
        "event": value.event,
        "source": value.source,
        "target": value.target,
        "data": value.data,
        "hash": value.hash,
    }


def structure_entry(value: object, _: object) -> HistoryEntry:
    names = ("who", "when", "event", "source", "target", "data", "hash")
    raw, problems = _fields(value, names, "a history entry")
    text = _leaf(strict(str, "a string"), str)
    parts = _collect(
        raw,
        {
            "who": text,
            "when": partial(structure_datetime, _=dt.datetime),
            "event": text,
            "source": text,
            "target": text,
            "data": _leaf(strict(dict, "an object"), dict),
            "hash": text,
        },
        problems,
    )
    data = json.dumps(parts.pop("data"), sort_keys=True, separators=(",", ":"))
    return HistoryEntry(**parts, data_json=data)
