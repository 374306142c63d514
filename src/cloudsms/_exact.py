"""Exact arithmetic helpers shared by units, money and periods."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Context, Decimal, Inexact
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fractions import Fraction

__all__ = ["NUMBER_CHARACTERS", "SIGNIFICANT_DIGITS", "to_decimal"]

SIGNIFICANT_DIGITS = 40
"""Digits kept when a fraction has no finite decimal expansion (1/3, 10/31)."""

# Independent of the caller's decimal context: a library must not depend on it.
_APPROXIMATE = Context(prec=SIGNIFICANT_DIGITS, rounding=ROUND_HALF_EVEN)


NUMBER_CHARACTERS = "0123456789.-"
"""The characters of a plain decimal number such as ``-12.30``.

Hot paths use ``not text.strip(NUMBER_CHARACTERS)`` as a one-call filter, then let
`Decimal` parse: a text made only of these characters that `Decimal` reads is a
plain number of the full grammar (``1.2.3`` and ``1-2`` are refused by `Decimal`);
anything else takes the full grammar and its error messages.
"""


def to_decimal(value: Fraction) -> Decimal:
    """A fraction as a Decimal: exact when its expansion ends, else to 40 significant digits.

    Examples:
        >>> from fractions import Fraction
        >>> to_decimal(Fraction(345600, 3600))
        Decimal('96')
        >>> to_decimal(Fraction(1, 8))
        Decimal('0.125')
        >>> str(to_decimal(Fraction(1, 3)))[:8]
        '0.333333'
    """
    denominator = value.denominator
    twos = fives = 0
    while denominator % 2 == 0:
        denominator //= 2
        twos += 1
    while denominator % 5 == 0:
        denominator //= 5
        fives += 1
    if denominator == 1:
        # A terminating expansion: scale to an integer and place the point exactly.
        places = max(twos, fives)
        scaled = (value * 10**places).numerator
        exact = Context(prec=max(len(str(abs(scaled))), 1), traps=[Inexact])
        return Decimal(scaled).scaleb(-places, exact)
    return _APPROXIMATE.divide(Decimal(value.numerator), Decimal(value.denominator))
