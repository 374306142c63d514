"""Exact arithmetic helpers shared by units, money and periods: the bounds of a number.

One set of bounds keeps every number the library builds readable back from the text
it writes (S03 prices, S07 charges, S10 measurements, S11 cost profiles):

- an **amount** of money has at most `MAX_DIGITS` significant digits, at most
  `MAX_EXPONENT` decimal places (its exponent is -30 or more) and is below
  ``10**(MAX_EXPONENT + 1)`` in size (its adjusted exponent is 30 or less);
- a **magnitude** of a quantity (and a weight of `cloudsms.money.allocate`) has at most
  `MAX_DIGITS` significant digits and is zero or from ``1E-30`` up to (not including)
  ``1E+31`` in size (its adjusted exponent is within ±30).

A zero is accepted whatever its exponent and normalised (``0E-40`` is ``0``). Every
check here is by integer arithmetic on the number's digits, so no decimal context,
the caller's or our own, is involved. A plain number that scales an amount or a
quantity (a factor of ``Money * n``, a weight of ``allocate``, an operand of quantity
arithmetic) is held to the magnitude bounds before any arithmetic (`bounded_factor`),
so no operand can make the work or the message run away; a message shows a number
beyond the bounds in exponent form (`scientific`), never as its plain digits.

A number written as text (an amount, a magnitude) is `DECIMAL_PATTERN` exactly: ASCII
digits, an optional sign, point and exponent of at most three digits, and no
surrounding whitespace, in constructors and the reader alike (the JSON Schema pattern).
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, Context, Decimal, Inexact
from fractions import Fraction
from typing import cast

__all__ = [
    "AMOUNT_BOUNDS",
    "DECIMAL_PATTERN",
    "DECIMAL_TEXT",
    "MAGNITUDE_BOUNDS",
    "MAX_DIGITS",
    "MAX_EXPONENT",
    "NUMBER_CHARACTERS",
    "SIGNIFICANT_DIGITS",
    "bounded_amount",
    "bounded_factor",
    "bounded_fraction",
    "bounded_magnitude",
    "describe_number",
    "exact_decimal",
    "nearest_amount",
    "plain",
    "scientific",
    "to_decimal",
]

MAX_DIGITS = 38
"""The most significant digits an amount or a magnitude has (trailing zeros not counted)."""
MAX_EXPONENT = 30
"""An amount has at most this many decimal places and is below ``10**(MAX_EXPONENT + 1)``."""

AMOUNT_BOUNDS = (
    f"at most {MAX_DIGITS} significant digits and {MAX_EXPONENT} decimal places, "
    f"below 1E+{MAX_EXPONENT + 1} in size"
)
"""The amount bounds, as error messages state them."""
MAGNITUDE_BOUNDS = (
    f"at most {MAX_DIGITS} significant digits, zero or from 1E-{MAX_EXPONENT} up to "
    f"(not including) 1E+{MAX_EXPONENT + 1} in size"
)
"""The magnitude bounds, as error messages state them."""

DECIMAL_PATTERN = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?"
"""A number written as text, as constructors, the reader and the JSON Schema take it.

Anchor it (``^...$`` in a JSON Schema, `re.fullmatch` in Python): no whitespace around.
"""
DECIMAL_TEXT = re.compile(DECIMAL_PATTERN, re.ASCII)
"""`DECIMAL_PATTERN` compiled; use ``DECIMAL_TEXT.fullmatch(text)``."""

SIGNIFICANT_DIGITS = MAX_DIGITS
"""Digits kept when a fraction has no finite decimal expansion (1/3, 10/31)."""

# Independent of the caller's decimal context: a library must not depend on it.
_APPROXIMATE = Context(prec=SIGNIFICANT_DIGITS, rounding=ROUND_HALF_EVEN)
_ZERO = Decimal(0)
_ONE = Decimal(1)
_WHOLE = Context(prec=MAX_EXPONENT + 1, traps=[Inexact])
_MAX_SHOWN_DIGITS = 60

NUMBER_CHARACTERS = "0123456789.-"
"""The characters of a plain decimal number such as ``-12.30``.

Hot paths use ``not text.strip(NUMBER_CHARACTERS)`` as a one-call filter, then let
`Decimal` parse: a text made only of these characters that `Decimal` reads is a
plain number of the full grammar (``1.2.3`` and ``1-2`` are refused by `Decimal`);
anything else takes the full grammar and its error messages.
"""


def _significant(digits: tuple[int, ...]) -> int:
    """How many digits a coefficient has once its trailing zeros are dropped."""
    count = len(digits)
    while count > 1 and digits[count - 1] == 0:
        count -= 1
    return count


def bounded_amount(value: Decimal) -> Decimal | None:
    """``value`` normalised (a zero as ``0``, no positive exponent), or None beyond the bounds.

    Examples:
        >>> bounded_amount(Decimal("1e3")), bounded_amount(Decimal("0E-40"))
        (Decimal('1000'), Decimal('0'))
        >>> bounded_amount(Decimal("1e-31")) is None, bounded_amount(Decimal("1e31")) is None
        (True, True)
    """
    if not value.is_finite():
        return None
    _, digits, exponent = value.as_tuple()
    exponent = cast("int", exponent)
    if not any(digits):
        return value if -MAX_EXPONENT <= exponent <= 0 and not value.is_signed() else _ZERO
    if (
        exponent < -MAX_EXPONENT
        or len(digits) + exponent > MAX_EXPONENT + 1
        or (len(digits) > MAX_DIGITS and _significant(digits) > MAX_DIGITS)
    ):
        return None
    if exponent > 0:  # written as plain digits, so read back with exponent 0
        return value.quantize(_ONE, context=_WHOLE)
    return value


def bounded_magnitude(value: Decimal) -> Decimal | None:
    """``value`` (a zero of an exponent beyond the bounds as ``0``), or None beyond them.

    Examples:
        >>> bounded_magnitude(Decimal("1e30")), bounded_magnitude(Decimal("0E-99"))
        (Decimal('1E+30'), Decimal('0'))
        >>> bounded_magnitude(Decimal("1e31")) is None, bounded_magnitude(Decimal("1e-31")) is None
        (True, True)
    """
    if not value.is_finite():
        return None
    if value and abs(value.adjusted()) > MAX_EXPONENT:  # before the digits are unpacked
        return None
    _, digits, exponent = value.as_tuple()
    exponent = cast("int", exponent)
    if not any(digits):
        return value if -MAX_EXPONENT <= exponent <= 0 else _ZERO
    adjusted = len(digits) + exponent - 1
    if abs(adjusted) > MAX_EXPONENT or (
        len(digits) > MAX_DIGITS and _significant(digits) > MAX_DIGITS
    ):
        return None
    return value


# An int within the magnitude bounds is below 1E+31, so it has at most this many bits.
_MAX_FACTOR_BITS = (10 ** (MAX_EXPONENT + 1)).bit_length()


def bounded_factor(value: object) -> Decimal | None:
    """An int or Decimal that scales an amount or a quantity, held to the magnitude bounds.

    None for anything else (a bool, a float, text) and for a number beyond the bounds;
    the size is checked before the digits are read, so ``Decimal("1e-9999999999")`` or
    ``10**10**6`` costs no work.

    Examples:
        >>> bounded_factor(3), bounded_factor(Decimal("0.5")), bounded_factor(1.5)
        (Decimal('3'), Decimal('0.5'), None)
        >>> bounded_factor(Decimal("1e-9999999999")) is None, bounded_factor(10**31) is None
        (True, True)
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return None if value.bit_length() > _MAX_FACTOR_BITS else bounded_magnitude(Decimal(value))
    if isinstance(value, Decimal):
        return bounded_magnitude(Decimal(value))  # a subclass as a plain Decimal
    return None


# A Fraction factor within the bounds needs no more bits than this in either part.
_MAX_FRACTION_BITS = (10 ** (MAX_DIGITS + MAX_EXPONENT)).bit_length()
_SMALLEST = Fraction(1, 10**MAX_EXPONENT)
_TOO_LARGE = 10 ** (MAX_EXPONENT + 1)


def bounded_fraction(value: object) -> Fraction | None:
    """A `Fraction` that scales an amount or a quantity, held to the magnitude's size bounds.

    None for anything else and for a fraction that is not zero or from ``1E-30`` up to
    (not including) ``1E+31`` in size, or whose numerator or denominator is longer than
    a bounded magnitude ever needs (so no operand makes the work run away). The
    result of scaling by it must still be exact and within the bounds (`exact_decimal`).

    Examples:
        >>> bounded_fraction(Fraction(1, 3)), bounded_fraction(Fraction(1, 10**31))
        (Fraction(1, 3), None)
        >>> bounded_fraction(Fraction(10**99 + 1, 10**99)) is None, bounded_fraction(3)
        (True, None)
    """
    if not isinstance(value, Fraction):
        return None
    if max(value.numerator.bit_length(), value.denominator.bit_length()) > _MAX_FRACTION_BITS:
        return None
    size = abs(value)
    if size and not _SMALLEST <= size < _TOO_LARGE:
        return None
    return value


_SHOWN_DIGITS = 16
_LONGEST_INT_BITS = 4096


def scientific(value: Decimal | int) -> str:
    """A number as a message shows it once it may be beyond the bounds: in exponent form.

    At most 16 significant digits are shown (``...`` marks the rest); the work does
    not depend on the exponent or on how many digits the number has.

    Examples:
        >>> scientific(Decimal("1e-9999999999")), scientific(Decimal("-12.5E+40"))
        ('1E-9999999999', '-1.25E+41')
        >>> scientific(10**100 + 1)
        '1.000000000000000...E+100'
    """
    if isinstance(value, int):
        if value.bit_length() > _LONGEST_INT_BITS:  # converting it would take a while
            return describe_number(value)
        value = Decimal(value)
    if not value.is_finite():
        return str(value)
    sign, digits, _ = value.as_tuple()
    more = "..." if any(digits[_SHOWN_DIGITS:]) else ""
    shown = "".join(map(str, digits[:_SHOWN_DIGITS]))
    shown = shown if more else shown.rstrip("0") or "0"
    mantissa = shown[0] + ("." + shown[1:] if len(shown) > 1 else "") + more
    exponent = value.adjusted() if any(digits) else 0
    return f"{'-' if sign else ''}{mantissa}E{exponent:+d}"


def describe_number(value: object) -> str:
    """`cloudsms.errors.describe`, safe for integers too long to write as text."""
    from cloudsms.errors import describe  # noqa: PLC0415 - errors imports nothing of ours

    if isinstance(value, int) and value.bit_length() > 3 * _MAX_SHOWN_DIGITS:
        return f"an integer of about {int(value.bit_length() * 0.30103) + 1} digits (integer)"
    return describe(value)


def plain(value: Decimal) -> str:
    """A Decimal as plain decimal text, never in exponent notation.

    Examples:
        >>> plain(Decimal("1E+3")), plain(Decimal("2E-7")), plain(Decimal("12.30"))
        ('1000', '0.0000002', '12.30')
    """
    return format(value, "f")


def nearest_amount(value: Fraction) -> Decimal:
    """The amount within the bounds nearest to ``value``, ties to even.

    Rounds to at most `MAX_EXPONENT` decimal places and `MAX_DIGITS` significant
    digits, whichever is coarser; exact when ``value`` fits. Raises `OverflowError`
    when ``value`` is ``1E+31`` or more in size (callers turn it into their message).

    Examples:
        >>> nearest_amount(Fraction(1, 3))
        Decimal('0.333333333333333333333333333333')
        >>> nearest_amount(Fraction(10**40, 3))
        Traceback (most recent call last):
        ...
        OverflowError: 3.333333333333333E+39 is 1E+31 or more in size
        >>> nearest_amount(Fraction(1, 8))
        Decimal('0.125')
    """
    size = abs(value)
    if size >= 10 ** (MAX_EXPONENT + 1):
        msg = f"{float(value):.15E} is 1E+{MAX_EXPONENT + 1} or more in size"
        raise OverflowError(msg)
    if not size:
        return _ZERO
    adjusted = _adjusted(size)
    exponent = max(-MAX_EXPONENT, adjusted - MAX_DIGITS + 1)
    units = _round_half_even(size * Fraction(10) ** -exponent)
    if units >= 10**MAX_DIGITS:  # 9.99... rounded up to a digit more: one place coarser
        exponent += 1
        units = _round_half_even(size * Fraction(10) ** -exponent)
    if units >= 10 ** (MAX_EXPONENT + 1 - exponent):
        msg = f"{float(value):.15E} rounds to 1E+{MAX_EXPONENT + 1} or more in size"
        raise OverflowError(msg)
    while exponent < 0 and units % 10 == 0:  # an exact result keeps its own form
        units //= 10
        exponent += 1
    result = Decimal((1 if value < 0 else 0, tuple(map(int, str(units))), exponent))
    return cast("Decimal", bounded_amount(result))


def _adjusted(size: Fraction) -> int:
    """The power of ten of the leading digit of a positive fraction."""
    guess = len(str(size.numerator)) - len(str(size.denominator))
    while Fraction(10) ** guess > size:
        guess -= 1
    while Fraction(10) ** (guess + 1) <= size:
        guess += 1
    return guess


def _round_half_even(value: Fraction) -> int:
    whole, rest = divmod(value.numerator, value.denominator)
    twice = 2 * rest
    if twice > value.denominator or (twice == value.denominator and whole % 2):
        whole += 1
    return whole


def exact_decimal(value: Fraction) -> Decimal | None:
    """A fraction as a Decimal exactly, or None when its decimal expansion never ends.

    Examples:
        >>> exact_decimal(Fraction(1, 8)), exact_decimal(Fraction(1, 3))
        (Decimal('0.125'), None)
    """
    denominator = value.denominator
    twos = fives = 0
    while denominator % 2 == 0:
        denominator //= 2
        twos += 1
    while denominator % 5 == 0:
        denominator //= 5
        fives += 1
    if denominator != 1:
        return None
    # A terminating expansion: scale to an integer and place the point exactly.
    places = max(twos, fives)
    scaled = (value * 10**places).numerator
    exact = Context(prec=max(len(str(abs(scaled))), 1), traps=[Inexact])
    return Decimal(scaled).scaleb(-places, exact)


def to_decimal(value: Fraction) -> Decimal:
    """A fraction as a Decimal: exact when its expansion ends, else to 38 significant digits.

    Examples:
        >>> from fractions import Fraction
        >>> to_decimal(Fraction(345600, 3600))
        Decimal('96')
        >>> to_decimal(Fraction(1, 8))
        Decimal('0.125')
        >>> str(to_decimal(Fraction(1, 3)))[:8]
        '0.333333'
    """
    exact = exact_decimal(value)
    if exact is not None:
        return exact
    return _APPROXIMATE.divide(Decimal(value.numerator), Decimal(value.denominator))
