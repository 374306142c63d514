"""Quantities with units: one shared pint registry, our own units, and a safe parser.

Serves the measurable parts of every scenario: capacity and resources (S05, S11,
ISO/IEC 20000-1 6.5), service targets and measurements (S07, S10, 6.1, 6.2) and the
quantities prices are charged on (S03, S11, 6.4). Durations, data sizes, rates,
percentages and throughput are `pint.Quantity` values from **one** registry, built on
first use (importing cloudsms never imports pint). Magnitudes are `Decimal`, so a
conversion such as 1.5 TiB to bytes is exact, and a float is refused.

Besides pint's own units (time, bit and byte with SI and IEC prefixes, percent,
hertz), the registry defines the units of the data file ``cloudsms/data/units.txt``,
each a **base dimension** of its own so that a price per vcpu-hour can never be
applied to user-hours:

| unit | dimension | aliases |
|---|---|---|
| `vcpu` | `[vcpu]` | `vCPU` |
| `instance` | `[instance]` | |
| `user` | `[user]` | `seat` |
| `request` | `[request]` | `req` |
| `transaction` | `[transaction]` | `txn` |
| `licence` | `[licence]` | `license` |

pint itself treats bits and bytes as dimensionless, like percent; cloudsms gives
``bit`` the dimension ``[information]`` so that gibibytes never convert to percent.

`quantity` parses untrusted text ("250 ms", "1.5 TiB", "99.95 %", "0.2 vcpu*hour")
with its own small grammar: bounded length, only names the registry knows, small
integer exponents (ASCII digits), a finite magnitude; anything else is a
`ValidationError` raised before pint sees the text. Hot paths convert a quantity once
with `magnitude_in` and then work on plain numbers.

The registry's quantities are **immutable** and **bounded**, so that a frozen model
value holding one never changes and always reads back from what it writes: pint's
in-place conversions (``ito``, ``ito_base_units``, ...) raise `ValidationError`
(use ``to``, which returns a new quantity), in-place operators (``+=``) rebind to a
new quantity, and every quantity built, by the parser or by pint's arithmetic and
conversions, has a magnitude within `MAX_DIGITS` significant digits and 1E±`MAX_EXPONENT`
(zero allowed): ``quantity("1e30 ms") * 1000`` raises `ValidationError` naming the
bound. A quantity of another pint registry is refused with a message that says so.

Sums, differences, ``//``, ``%``, ``divmod``, conversions (``to``), ``float()`` and
``int()`` work on exact values, never on a bounded intermediate: the right operand is
taken at its exact value in the left operand's unit, the result is rounded once to
`MAX_DIGITS` significant digits (half to even) when it has more or no finite decimal
expansion, and only that result is checked against the bounds, so
``quantity("1 s") + quantity("1e-30 ms")`` works whichever side the tiny one is on.
Equal quantities hash alike; a zero of any unit equals and hashes as ``0``, as pint
has it.
"""

from __future__ import annotations

import abc
import copyreg
import math
import operator
import os
import re
from decimal import (
    MAX_EMAX,
    MIN_EMIN,
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DecimalException,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
    localcontext,
)
from fractions import Fraction
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any, TypeGuard, cast

from cloudsms._foundation.exact import (
    DECIMAL_PATTERN,
    DECIMAL_TEXT,
    MAGNITUDE_BOUNDS,
    MAX_DIGITS,
    MAX_EXPONENT,
    NUMBER_CHARACTERS,
    bounded_factor,
    bounded_fraction,
    bounded_magnitude,
    describe_number,
    exact_decimal,
    scientific,
    to_decimal,
)
from cloudsms.errors import InvalidDefinition, Problem, ValidationError, describe

if TYPE_CHECKING:
    from collections.abc import Callable

    import pint

__all__ = [
    "CACHE_SIZE",
    "MAX_DIGITS",
    "MAX_EXPONENT",
    "MAX_LENGTH",
    "MAX_POWER",
    "MAX_UNIT_NAMES",
    "TEXT_PATTERN",
    "Quantity",
    "calendar_units",
    "dimension",
    "format_quantity",
    "fraction_in",
    "is_quantity",
    "known_quantity",
    "magnitude_in",
    "quantity",
    "quantity_problems",
    "registry",
    "same_dimension",
]


class Quantity(abc.ABC):
    """The type of the library's quantities: a virtual base class of pint's quantities.

    ``isinstance(q, Quantity)`` is true for quantities of `registry` (and only those),
    and model fields annotated ``Quantity`` are structured from "250 ms" text by the
    converter — without importing pint to declare them. The attributes below are
    pint's; see pint's documentation for the rest.
    """

    magnitude: Any
    units: Any
    dimensionality: Any

    @abc.abstractmethod
    def to(self, unit: Any) -> Quantity:
        """This quantity converted to ``unit``."""

    @abc.abstractmethod
    def __mul__(self, other: Any) -> Any: ...

    @abc.abstractmethod
    def __truediv__(self, other: Any) -> Any: ...

    @classmethod
    def __subclasshook__(cls, subclass: type) -> bool:
        # Only a registry already built can own a quantity: never build one to answer.
        if subclass.__module__.partition(".")[0] != "pint" or not registry.cache_info().currsize:
            return cast("bool", NotImplemented)
        if getattr(subclass, "_REGISTRY", None) is registry():
            return True
        return cast("bool", NotImplemented)


MAX_LENGTH = 64
"""The longest quantity text `quantity` reads."""

CACHE_SIZE = 4096
"""How many unit texts, unit names and conversion factors each cache remembers.

The caches are bounded, so untrusted text never grows them without limit: unit
texts that parsed are remembered up to this many (then read afresh), unit names and
conversion factors are remembered least recently used first out.
"""

_HERE = os.path.dirname(os.path.abspath(__file__))
_BIT_IN_PINT = "bit = []"
_BIT_HERE = "bit = [information]"

MAX_UNIT_NAMES = 6
"""The most unit names a quantity has (``GiB*h/vcpu`` has three), read or built."""
MAX_POWER = 4
"""Every unit of a quantity is at an integer power from ``-MAX_POWER`` to ``MAX_POWER``."""
UNIT_SHAPE = (
    f"at most {MAX_UNIT_NAMES} unit names, each at an integer power from "
    f"-{MAX_POWER} to {MAX_POWER}"
)
"""The shape of a quantity's unit, as error messages state it."""

_MAX_FACTORS = MAX_UNIT_NAMES
_MAX_POWER = MAX_POWER
_MAX_DECIMAL_EXPONENT = MAX_EXPONENT
# Conversion factors are computed in this context, never the caller's: exact for
# every factor pint's definitions hold, whatever precision the caller has set.
_FACTORS = Context(prec=200)
# The unit names whose length varies on a calendar are those of time, prefix aside,
# of 28 days (the shortest month) or longer.
_SHORTEST_MONTH = 28 * 86400

# Quantity text and unit text use single spaces only, inside: never at either end,
# never two in a row, no other whitespace (tabs, line breaks, no-break spaces).
_SPACING = re.compile(r"[^\s]+(?: [^\s]+)*")
_NUMBER = DECIMAL_PATTERN
_NAME = r"%|[A-Za-z_\u00b5\u03bc][A-Za-z0-9_]*"
_FACTOR = re.compile(rf"({_NAME})(?: ?(?:\^|\*\*) ?([+-]?[0-9]+))?", re.ASCII)
_TEXT = re.compile(rf"({_NUMBER}) ?(.*)", re.DOTALL)
_SEPARATOR = re.compile(r" ?([*/\u00b7]) ?| ")

TEXT_PATTERN = rf"^{_NUMBER}(?: ?[^\s]+(?: [^\s]+)*)?$"
"""The JSON Schema pattern of quantity text: a number, then its unit, single spaces inside.

The parser reads a quantity only if its text matches (and its unit names are known).
"""


def _read_lines(path: str) -> list[str]:
    with open(path, encoding="utf-8") as f:
        return f.read().splitlines()


def _definitions(pint_dir: str) -> list[str]:
    """Pint's default definitions, inlined, with bits given a dimension of their own."""
    lines: list[str] = []
    found = False
    for line in _read_lines(os.path.join(pint_dir, "default_en.txt")):
        stripped = line.strip()
        if stripped.startswith("@import "):
            lines += _read_lines(os.path.join(pint_dir, stripped.split()[1]))
        elif stripped == _BIT_IN_PINT:
            lines.append(_BIT_HERE)
            found = True
        else:
            lines.append(line)
    if not found:  # pragma: no cover - only a pint release that renames bit would do this
        raise InvalidDefinition(
            "units", [f"pint's definitions no longer read {_BIT_IN_PINT!r}; update units.py"]
        )
    return lines + _read_lines(os.path.join(_HERE, "data", "units.txt"))


@cache
def registry() -> pint.UnitRegistry[Any]:
    """Return the library's pint registry, built on the first call.

    Magnitudes are `Decimal` (``non_int_type``); bits have the dimension
    ``[information]``; the units of ``cloudsms/data/units.txt`` are base dimensions
    of their own.
    """
    import pint  # noqa: PLC0415 - importing cloudsms must not import pint

    class Registry(pint.UnitRegistry):  # type: ignore[type-arg]
        Quantity = _frozen_quantity_class(pint.Quantity)  # type: ignore[assignment]

        def _get_root_units(self, *args: Any, **kwargs: Any) -> Any:
            # Factors to root units are computed (and cached by pint) in our context,
            # never the caller's: a first conversion made at a low precision must not
            # round the factor every later conversion uses.
            with localcontext(_FACTORS):
                return super()._get_root_units(*args, **kwargs)

    with localcontext(_FACTORS):  # definitions such as 1200/3937 m, computed once
        ureg: pint.UnitRegistry[Any] = Registry(None, non_int_type=Decimal, cache_folder=None)
        ureg.load_definitions(_definitions(os.path.dirname(pint.__file__)))
    # pint unpickles into its application registry, where our units do not exist and
    # quantities no longer compare or hash like the originals: pickle ours through
    # this registry instead (only this registry's Quantity class is affected).
    copyreg.pickle(ureg.Quantity, _reduce_quantity)
    return ureg


_IN_PLACE = (
    "ito",
    "ito_base_units",
    "ito_reduced_units",
    "ito_root_units",
    "ito_preferred",
    "ito_unprefixed",
    "__setitem__",
)


# Quantity arithmetic and conversions run in this context, never the caller's: 38
# significant digits (a magnitude's most), half to even, and exponents wide enough
# that nothing underflows to zero or overflows before the magnitude bound is checked.
_ARITHMETIC = Context(
    prec=MAX_DIGITS,
    rounding=ROUND_HALF_EVEN,
    Emax=MAX_EMAX,
    Emin=MIN_EMIN,
    traps=[InvalidOperation, DivisionByZero, Overflow],
)
_BINARY = (
    "__add__",
    "__radd__",
    "__iadd__",
    "__sub__",
    "__rsub__",
    "__isub__",
    "__mul__",
    "__rmul__",
    "__imul__",
    "__truediv__",
    "__rtruediv__",
    "__itruediv__",
    "__floordiv__",
    "__rfloordiv__",
    "__mod__",
    "__rmod__",
    "__divmod__",
    "__rdivmod__",
    "__pow__",
    "__ipow__",
)
_UNARY = ("__neg__", "__pos__", "__abs__")
_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "__eq__": operator.eq,
    "__ne__": operator.ne,
    "__lt__": operator.lt,
    "__le__": operator.le,
    "__gt__": operator.gt,
    "__ge__": operator.ge,
}
# The operations a Fraction may take part in: it scales a quantity, exactly.
_SCALING = frozenset({"__mul__", "__rmul__", "__imul__", "__truediv__", "__itruediv__"})
# The operations whose operands must measure the same thing.
_SAME_DIMENSION = frozenset(
    {
        "__add__",
        "__radd__",
        "__iadd__",
        "__sub__",
        "__rsub__",
        "__isub__",
        "__floordiv__",
        "__rfloordiv__",
        "__mod__",
        "__rmod__",
        "__divmod__",
        "__rdivmod__",
    }
)


def _shape_problem(units: Any) -> str | None:
    """What is wrong with the shape of a quantity's units (a UnitsContainer), or None."""
    if len(units) > MAX_UNIT_NAMES:
        return f"{len(units)} unit names"
    for name, power in units.items():
        if power != int(power) or abs(power) > MAX_POWER:
            return f"{name} at the power {power}"
    return None


def _operand_problem(name: str, other: object) -> tuple[str, str] | None:  # noqa: PLR0911
    """(expected, got) when ``other`` may not take part in the operation ``name``."""
    if isinstance(other, Fraction):
        if name in _SCALING and bounded_fraction(other) is not None:
            return None
        return (
            f"a Decimal or int operand, or a Fraction factor or divisor of {MAGNITUDE_BOUNDS}",
            describe(other),
        )
    if isinstance(other, float | bool):
        return "a Decimal or int operand (a float is inexact)", describe(other)
    if name in {"__pow__", "__ipow__"}:
        number = bounded_factor(other)
        if number is not None and number == int(number) and abs(number) <= MAX_POWER:
            return None
        return f"an integer power from -{MAX_POWER} to {MAX_POWER}", _shown(other)
    if isinstance(other, int | Decimal) and bounded_factor(other) is None:
        return f"an operand of {MAGNITUDE_BOUNDS}", _shown(other)
    if _is_foreign(other):
        return "a quantity of cloudsms's registry", f"{other} from another pint registry"
    return None


def _shown(value: object) -> str:
    """A number as a message shows it: in exponent form (it may be beyond the bounds)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return describe_number(value)
    if isinstance(value, Decimal):
        return f"{scientific(value)} (Decimal)"
    return describe(value)


def _is_foreign(value: object) -> bool:
    """Whether ``value`` is a pint quantity or unit of another registry than ours."""
    owner = getattr(type(value), "_REGISTRY", None)
    return (
        owner is not None
        and type(value).__module__.partition(".")[0] == "pint"
        and owner is not registry()
    )


def _frozen_quantity_class(base: Any) -> type:  # noqa: C901 - one class, built once
    """The registry's Quantity class: pint's, immutable, bounded and in our context.

    Every quantity pint builds goes through ``__new__`` (arithmetic, ``to``, copies),
    so the magnitude bounds and the unit's shape (`UNIT_SHAPE`: what the parser
    reads) are checked in one place; the parser's shortcut checks the same before it
    builds one. ``_magnitude`` and ``_units`` are set once. Arithmetic, comparisons
    and conversions check their plain-number operands first (bounded, not a float;
    a power an integer within the shape) and run in one decimal context of our own.
    """

    def __new__(cls: type, value: Any, units: Any = None) -> Any:  # noqa: N807
        if type(value) is Decimal or (isinstance(value, int) and not isinstance(value, bool)):
            bounded = bounded_magnitude(Decimal(value))
            if bounded is None:
                shown = describe_number(value) if isinstance(value, int) else scientific(value)
                raise _refused(
                    "$",
                    f"a magnitude of {MAGNITUDE_BOUNDS}",
                    f"{shown} {units if units is not None else ''}".rstrip(),
                )
            value = bounded if type(value) is Decimal else value
        built = base.__new__(cls, value, units)
        shape = _shape_problem(built._units)  # noqa: SLF001 - pint's units container
        if shape is not None:
            raise _refused("$", f"a unit of {UNIT_SHAPE}", shape)
        return built

    def binary(name: str) -> Callable[..., Any]:
        method = getattr(base, name)

        def operate(self: Any, other: Any) -> Any:
            problem = _operand_problem(name, other)
            if problem is not None:
                raise _refused("$.other", *problem, subject="Quantity arithmetic")
            if isinstance(other, Fraction):
                return _scaled(self, other, divide=name not in {"__mul__", "__rmul__", "__imul__"})
            if name in _SAME_DIMENSION:
                _check_same_dimension(self, other, "$.other", "Quantity arithmetic")
                if is_quantity(other) or isinstance(other, int | Decimal):
                    return _exact_operation(self, other, name)
            return _in_context(method, self, other)

        operate.__name__ = name
        return operate

    def unary(name: str) -> Callable[..., Any]:
        method = getattr(base, name)

        def operate(self: Any) -> Any:
            return _in_context(method, self)

        operate.__name__ = name
        return operate

    def to(self: Any, other: Any = None, *contexts: Any, **ctx_kwargs: Any) -> Any:
        unit = _target(other)
        _check_same_dimension(self, unit, "$.unit", _CONVERSION)
        if contexts or ctx_kwargs or _is_foreign(unit):  # pint's own paths and messages
            return _in_context(base.to, self, unit, *contexts, **ctx_kwargs)
        return _converted(self, _units_container(unit))

    def m_as(self: Any, units: Any) -> Any:
        return to(self, units).magnitude

    def is_compatible_with(self: Any, other: Any, *contexts: Any, **ctx_kwargs: Any) -> bool:
        target = other if isinstance(other, int | Decimal) else _target(other)
        return cast(
            "bool", _in_context(base.is_compatible_with, self, target, *contexts, **ctx_kwargs)
        )

    def __setattr__(self: Any, name: str, value: Any) -> None:  # noqa: N807
        if name in _SET_ONCE and name in self.__dict__:
            raise _immutable(name)
        object.__setattr__(self, name, value)

    def refuse(name: str) -> Callable[..., Any]:
        def in_place(*_: Any, **__: Any) -> Any:
            raise _immutable(name)

        in_place.__name__ = name
        return in_place

    namespace: dict[str, Any] = {
        "__new__": __new__,
        "__setattr__": __setattr__,
        "to": to,
        "m_as": m_as,
        "is_compatible_with": is_compatible_with,
        # pint answers these by building the quantity in root units, a bounded
        # intermediate (1E-30 percent is 1E-32): ours read the units only.
        "dimensionless": property(lambda self: not self.dimensionality, doc="No dimension."),
        "unitless": property(lambda self: not _root_factor(self._units)[1], doc="No root unit."),
        "__hash__": _hash,
        "__doc__": "A pint quantity of the cloudsms registry: immutable, magnitude bounded.",
    }
    namespace.update({name: binary(name) for name in _BINARY if hasattr(base, name)})
    namespace.update({name: unary(name) for name in _UNARY})
    namespace.update({name: _comparison(name) for name in _COMPARISONS})
    namespace.update({name: _number(name) for name in ("__float__", "__int__", "__complex__")})
    namespace["__ifloordiv__"] = namespace["__floordiv__"]
    namespace["__imod__"] = namespace["__mod__"]
    namespace.update({name: refuse(name) for name in _IN_PLACE})
    return type("Quantity", (base,), namespace)


def _comparison(name: str) -> Callable[..., Any]:
    """A comparison of exact values (`_compare`)."""
    op = _COMPARISONS[name]

    def operate(self: Any, other: Any) -> Any:
        return _compare(self, other, op, ordering=name not in {"__eq__", "__ne__"})

    operate.__name__ = name
    return operate


def _number(name: str) -> Callable[..., Any]:
    """``float``, ``int`` or ``complex`` of a quantity: of a dimensionless one only.

    Converted from the exact value (``int`` truncates toward zero, ``float`` rounds
    once), never through a bounded intermediate: 1E-30 percent is 1E-32.
    """
    number = {"__float__": float, "__int__": int, "__complex__": complex}[name]

    def convert(self: Any) -> Any:
        if not self.dimensionless:
            raise _refused(
                "$",
                f"a dimensionless quantity ({name.strip('_')}() of a quantity with a "
                "unit depends on the unit: use q.m_as(unit) or magnitude_in)",
                f"{self} ({dimension(self)})",
                subject=_CONVERSION,
            )
        value, _ = _exact(self)
        return number(float(value)) if number is complex else number(value)

    convert.__name__ = name
    return convert


@lru_cache(maxsize=CACHE_SIZE)
def _root_factor(units: Any) -> tuple[Fraction, Any]:
    """The exact factor from ``units`` (a UnitsContainer) to its root units, and those."""
    ureg: Any = registry()
    with localcontext(_FACTORS):
        factor, root = ureg._get_root_units(units)  # noqa: SLF001 - factors only, no quantity
    return Fraction(Decimal(factor)), root


def _exact(value: Any) -> tuple[Fraction, Any]:
    """A quantity as an exact fraction of its root units, and those units.

    No quantity is built on the way, so a value beyond the magnitude bounds in root
    units (1E-30 ms is 1E-33 s) is never refused: hashing and comparing a quantity
    that was accepted always work, and agree with exact arithmetic.
    """
    factor, root = _root_factor(value._units)  # noqa: SLF001 - pint's units container
    return Fraction(value._magnitude) * factor, root  # noqa: SLF001


def _hash(self: Any) -> int:
    """The hash of the exact value in root units: equal quantities hash alike.

    A dimensionless quantity hashes as its value does, as it equals that number, and
    a zero of any unit hashes as ``0``, as it equals the number zero (as in pint).
    """
    value, root = _exact(self)
    return hash(value) if not root or not value else hash((value, root))


def _compare(self: Any, other: Any, op: Callable[[Any, Any], bool], *, ordering: bool) -> bool:
    """``op(self, other)`` on exact values, never building a quantity.

    Quantities of one dimension compare by their exact values; a plain number
    compares with a dimensionless quantity, and zero with any quantity (as pint
    does). Otherwise equality is False and an ordering is refused.
    """
    if is_quantity(other):
        other = cast("Any", other)
        if self._units == other._units:  # noqa: SLF001 - pint's units container
            return op(self._magnitude, other._magnitude)  # noqa: SLF001
        (a, a_root), (b, b_root) = _exact(self), _exact(other)
        if a_root == b_root:
            return op(a, b)
    elif (number := _finite_number(other)) is not None:
        a, a_root = _exact(self)
        if not a_root:
            return op(a, number)
        if not number:
            return op(a, 0)
    if not ordering:
        return op is operator.ne
    raise _refused(
        "$.other",
        _same_dimension_expected(self),
        _operand_shown(other),
        subject="Quantity comparison",
    )


def _finite_number(value: object) -> Fraction | None:
    """A finite plain number (int, Decimal, Fraction or float) as an exact fraction, or None."""
    if isinstance(value, int | Fraction):
        return Fraction(value)
    if isinstance(value, Decimal) and value.is_finite():
        return Fraction(value)
    if isinstance(value, float) and math.isfinite(value):
        return Fraction(value)
    return None


def _same_dimension_expected(value: Any) -> str:
    """What an operand of ``value``'s arithmetic or comparison must be."""
    return f"a quantity of {dimension(value)}, as {value.units} is"


def _operand_shown(other: object) -> str:
    """An operand of arithmetic, a comparison or a conversion, as a message shows it."""
    if is_quantity(other):
        return f"{other} ({dimension(other)})"
    if _is_foreign(other):
        return f"{other} from another pint registry"
    if type(other).__module__.partition(".")[0] == "pint":  # a Unit of ours
        units = cast("Any", other)
        return f"{units} ({_dimension_text(units.dimensionality)})"
    if isinstance(other, int | Decimal) and not isinstance(other, bool):
        return f"{_number_text(other)} (a plain number, dimensionless)"
    if isinstance(other, Fraction | float):
        return f"{other!r} (a plain number, dimensionless)"
    return describe(other)


def _number_text(value: Decimal | int) -> str:
    """A plain number as a message shows it: its digits within the bounds, else exponent form."""
    bounded = bounded_factor(value)
    return str(value) if bounded is not None else scientific(value)


def _check_same_dimension(value: Any, other: Any, path: str, subject: str) -> None:
    """Refuse an operand or a target unit that measures something else than ``value``."""
    if is_quantity(other) or type(other).__module__.partition(".")[0] == "pint":
        if _is_foreign(other):
            return  # pint's own check names the registry
        dims = getattr(other, "dimensionality", None)
        if dims is None or dims == value.dimensionality:
            return
    elif isinstance(other, int | Decimal):
        if value.dimensionless or not other:
            return  # pint adds a plain number to a dimensionless quantity, and zero to any
    else:
        return  # not an operand pint takes: pint says so
    expected = _same_dimension_expected(value)
    if path == "$.unit":
        expected = f"a unit of {dimension(value)}, as {value.units} is"
    raise _refused(path, expected, _operand_shown(other), subject=subject)


def _scaled(value: Any, factor: Fraction, *, divide: bool) -> Any:
    """``value`` times (or divided by) a Fraction: exact and within the bounds, or refused."""
    if divide and not factor:
        raise _refused("$.other", "a divisor other than zero", "0", subject="Quantity arithmetic")
    exact = Fraction(value._magnitude) * (1 / factor if divide else factor)  # noqa: SLF001
    result = exact_decimal(exact)
    bounded = bounded_magnitude(result) if result is not None else None
    if bounded is None:
        raise _refused(
            "$",
            f"an exact result of {MAGNITUDE_BOUNDS} (a Fraction scales a quantity only exactly)",
            f"{value} {'divided by' if divide else 'times'} {factor}",
            subject="Quantity arithmetic",
        )
    return type(value)(bounded, value._units)  # noqa: SLF001


# Sums, remainders and conversions are first computed exactly in this context (wide
# enough for any two bounded magnitudes in one unit); an inexact step falls back to
# fractions. Either way the result is rounded once (`_ROUNDED`), then bounds-checked.
_EXACT_STEP = Context(
    prec=200,
    Emax=MAX_EMAX,
    Emin=MIN_EMIN,
    traps=[Inexact, InvalidOperation, DivisionByZero, Overflow],
)
_ROUNDED = Context(
    prec=MAX_DIGITS, rounding=ROUND_HALF_EVEN, Emax=MAX_EMAX, Emin=MIN_EMIN, traps=[]
)
_ONE = Decimal(1)
_ADDING = frozenset({"__add__", "__radd__", "__iadd__", "__sub__", "__rsub__", "__isub__"})
_REFLECTED = frozenset({"__radd__", "__rsub__", "__rfloordiv__", "__rmod__", "__rdivmod__"})


def _exact_operation(value: Any, other: Any, name: str) -> Any:
    """``+``, ``-``, ``//``, ``%`` or ``divmod`` of two operands of one dimension, exactly.

    The right operand is never converted into a bounded quantity on the way (1 s plus
    1E-30 ms needs 1E-33 s): both are taken at their exact values, the result is
    computed exactly in the unit pint gives it (the left operand's, mostly), rounded
    once to `MAX_DIGITS` significant digits, half to even, when it has more (or no
    finite decimal expansion), and only then checked against the bounds. ``//`` and
    ``%`` truncate toward zero, as `Decimal` does (the remainder has the sign of the
    dividend).
    """
    number = not is_quantity(other)
    plain_units = value.UnitsContainer({})
    if number:
        units = value._units if (not other or name in {"__mod__", "__divmod__"}) else plain_units  # noqa: SLF001
        operand: tuple[Fraction, Any, Any] = (Fraction(other), other, plain_units)
    else:
        delta = value._get_delta_units() and not other._get_delta_units()  # noqa: SLF001
        units = other._units if delta else value._units  # noqa: SLF001
        operand = (_exact(other)[0], other._magnitude, other._units)  # noqa: SLF001
    if name in _REFLECTED and number and value.dimensionless:
        units = plain_units
    mine = (_exact(value)[0], value._magnitude, value._units)  # noqa: SLF001
    left, right = (operand, mine) if name in _REFLECTED else (mine, operand)
    if name not in _ADDING and not right[0]:
        raise _refused("$.other", "a divisor other than zero", "0", subject="Quantity arithmetic")
    factor = _root_factor(units)[0]
    kind = name.strip("_").removeprefix("r").removeprefix("i")
    first, second = _in_units(left, units, factor), _in_units(right, units, factor)
    result: Any = None
    if first is not None and second is not None:
        try:
            result = _DECIMAL_OPERATIONS[kind](_EXACT_STEP, first, second)
        except DecimalException:
            result = None
    if result is None:
        result = _FRACTION_OPERATIONS[kind](left[0] / factor, right[0] / factor)
    cls = type(value)
    if kind == "divmod":
        return cls(_rounded(result[0]), plain_units), cls(_rounded(result[1]), units)
    return cls(_rounded(result), plain_units if kind == "floordiv" else units)


def _in_units(operand: tuple[Fraction, Any, Any], units: Any, factor: Fraction) -> Decimal | None:
    """An operand (exact value, magnitude, units) as a Decimal in ``units``, if exact."""
    exact, magnitude, own = operand
    if own == units:
        return Decimal(magnitude)
    return exact_decimal(exact / factor)


def _truncated(a: Fraction, b: Fraction) -> tuple[Fraction, Fraction]:
    """``divmod`` as Decimal has it: the quotient truncated toward zero."""
    quotient = Fraction(int(a / b))
    return quotient, a - b * quotient


_DECIMAL_OPERATIONS: dict[str, Callable[[Context, Decimal, Decimal], Any]] = {
    "add": Context.add,
    "sub": Context.subtract,
    "floordiv": Context.divide_int,
    "mod": Context.remainder,
    "divmod": Context.divmod,
}
_FRACTION_OPERATIONS: dict[str, Callable[[Fraction, Fraction], Any]] = {
    "add": operator.add,
    "sub": operator.sub,
    "floordiv": lambda a, b: _truncated(a, b)[0],
    "mod": lambda a, b: _truncated(a, b)[1],
    "divmod": _truncated,
}


def _rounded(value: Decimal | Fraction) -> Decimal:
    """An exact result rounded once to `MAX_DIGITS` significant digits, half to even."""
    if isinstance(value, Fraction):
        exact = exact_decimal(value)
        if exact is None:
            return _ROUNDED.divide(Decimal(value.numerator), Decimal(value.denominator))
        value = exact
    if len(value.as_tuple().digits) <= MAX_DIGITS:
        return value
    # Rounded: trailing zeros are the rounding's, not the value's (4, not 4.000...0).
    rounded = _ROUNDED.plus(value).normalize(_ROUNDED)
    exponent = cast("int", rounded.as_tuple().exponent)
    if exponent <= 0 or rounded.adjusted() > MAX_EXPONENT:  # beyond: refused as it is
        return rounded
    return rounded.quantize(_ONE, context=_ROUNDED)


def _units_container(unit: Any) -> Any:
    """The units (a UnitsContainer) of a target unit of our registry."""
    from pint.util import to_units_container  # noqa: PLC0415 - only once the registry is built

    return to_units_container(unit, registry())


def _converted(value: Any, units: Any) -> Any:
    """``value`` in ``units`` (of its dimension): exact, rounded once, then bounds-checked."""
    if units == value._units:  # noqa: SLF001
        return type(value)(value._magnitude, units)  # noqa: SLF001
    ratio = _root_factor(value._units)[0] / _root_factor(units)[0]  # noqa: SLF001
    factor = exact_decimal(ratio)
    result: Any = None
    if factor is not None:
        try:
            result = _EXACT_STEP.multiply(value._magnitude, factor)  # noqa: SLF001
        except DecimalException:
            result = None
    if result is None:
        result = Fraction(value._magnitude) * ratio  # noqa: SLF001
    return type(value)(_rounded(result), units)


def _in_context(method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``method(*args, **kwargs)`` in our decimal context, pint's errors as ValidationError."""
    try:
        with localcontext(_ARITHMETIC):
            return method(*args, **kwargs)
    except _dimensionality_error() as exc:
        raise _refused(
            "$.other",
            f"a quantity or unit of {_dimension_text(exc.dim1)}",
            f"{exc.units2} ({_dimension_text(exc.dim2)})",
            subject="Quantity arithmetic",
        ) from None
    except DivisionByZero:
        raise _refused(
            "$.other", "a divisor other than zero", "0", subject="Quantity arithmetic"
        ) from None
    except DecimalException as exc:  # pragma: no cover - operands are bounded first
        raise _refused(
            "$",
            f"a result of {MAGNITUDE_BOUNDS}",
            type(exc).__name__,
            subject="Quantity arithmetic",
        ) from None


@cache
def _dimensionality_error() -> type[pint.DimensionalityError]:
    import pint  # noqa: PLC0415 - only once the registry is built

    return pint.DimensionalityError


def _dimension_text(dimensionality: Any) -> str:
    """A dimensionality of pint (or a unit's name) as text: ``[time]``, ``dimensionless``."""
    return str(dimensionality) or "dimensionless"


_CONVERSION = "Quantity conversion"
"""The subject of every refused conversion (``to``, ``m_as``, `fraction_in`, ``float``)."""


def _target(unit: object) -> Any:
    """The unit a conversion goes to: our parser for text, our registry's units as they are."""
    if isinstance(unit, str):
        try:
            return _unit_text(unit, "$.unit")
        except ValidationError as exc:
            raise ValidationError(exc.problems, subject=_CONVERSION) from None
    if _is_foreign(unit):
        raise _refused(
            "$.unit",
            "a unit of cloudsms's registry",
            f"{unit} from another pint registry",
            subject=_CONVERSION,
        )
    if type(unit).__module__.partition(".")[0] == "pint":  # a Unit, Quantity or container
        return unit
    raise _refused("$.unit", "a unit such as 'ms'", describe(unit), subject=_CONVERSION)


_SET_ONCE = frozenset({"_magnitude", "_units"})


def _refused(path: str, expected: str, got: str, *, subject: str = "Quantity") -> ValidationError:
    """The error for one problem of a quantity being built (or of a ``subject``)."""
    return ValidationError.single(path, expected, got, subject=subject)


def _immutable(name: str) -> ValidationError:
    return _refused(
        "$",
        "no change to a quantity (quantities are immutable: q.to(unit) returns a new one)",
        f"a call of {name}",
    )


def _reduce_quantity(value: Any) -> tuple[Callable[..., Any], tuple[Any, ...]]:
    return (_unpickle_quantity, (value.magnitude, value._units))  # noqa: SLF001


def _unpickle_quantity(magnitude: Decimal, units: Any) -> Quantity:
    """A pickled quantity, rebuilt in the library's registry."""
    return cast("Quantity", registry().Quantity(magnitude, units))


def is_quantity(value: object) -> TypeGuard[Quantity]:
    """Whether ``value`` is a quantity of the library's registry (without importing pint)."""
    return isinstance(value, Quantity)


@lru_cache(maxsize=CACHE_SIZE)
def _unit_of(name: str) -> Any:
    ureg = registry()
    try:
        return ureg.Unit(name) if not name.startswith("_") and name in ureg else None
    except Exception:  # noqa: BLE001 - any failure to resolve a name means "unknown"
        return None


def _magnitude(value: str | int | Decimal, original: object, path: str) -> Decimal:
    try:
        magnitude = Decimal(value)
    except InvalidOperation:  # pragma: no cover - the grammar only lets numbers through
        raise _refused(path, "a number", describe(original)) from None
    bounded = bounded_magnitude(magnitude)
    if bounded is None:
        raise _refused(
            path, f"a finite magnitude of {MAGNITUDE_BOUNDS}", describe_number(original)
        )
    return bounded


def _units(text: str, original: object, path: str, *, unit_text: bool = False) -> Any:
    """Build the unit of ``text`` from registry names, or raise ValidationError."""
    ureg = registry()
    unit = ureg.dimensionless
    if not text:
        return unit
    position, factors, dividing = 0, 0, False
    if text.startswith("/"):  # "5 /s": a rate with nothing counted on top
        position, dividing = len(text) - len(text[1:].lstrip()), True
        if position == len(text):
            raise _refused(path, "a unit after '/'", describe(original))
    while position < len(text):
        match = _FACTOR.match(text, position)
        if not match or factors == _MAX_FACTORS:
            raise _refused(
                path,
                (
                    "a unit such as 'ms' or 'vcpu*hour'"
                    if unit_text
                    else "a quantity such as '250 ms' or '0.2 vcpu*hour'"
                )
                + f" (at most {_MAX_FACTORS} unit names joined by *, / or spaces)",
                describe(original),
            )
        name, power_text = match.group(1), match.group(2)
        factor = _unit_of(name)
        if factor is None:
            raise _refused(path, "a unit the registry knows", f"{name!r} in {describe(original)}")
        power = int(power_text) if power_text else 1
        if not 0 < abs(power) <= _MAX_POWER:
            raise _refused(
                path,
                f"a unit power from -{_MAX_POWER} to {_MAX_POWER}, not 0",
                describe(original),
            )
        unit = unit / factor**power if dividing else unit * factor**power
        factors += 1
        position = match.end()
        if position == len(text):
            break
        separator = _SEPARATOR.match(text, position)
        if not separator or separator.end() == len(text):
            raise _refused(path, "unit names joined by *, / or spaces", describe(original))
        dividing = separator.group(1) == "/"
        position = separator.end()
    _check_built(unit, original, path)
    return unit


def _check_built(unit: Any, original: object, path: str) -> None:
    """Refuse a unit whose total powers run away, or that is not multiplicative."""
    ureg = registry()
    for name, power in unit._units.items():  # noqa: SLF001 - pint's units container
        if abs(power) > _MAX_POWER:
            raise _refused(
                path,
                f"each unit at a power from -{_MAX_POWER} to {_MAX_POWER} in all",
                describe(original),
            )
        if not ureg._units[name].is_multiplicative:  # noqa: SLF001 - pint's definitions
            raise _refused(
                path,
                "multiplicative units only (degC and degF carry an offset; use kelvin)",
                describe(original),
            )


def quantity(value: object, unit: str | None = None, *, path: str = "$") -> Quantity:
    """Return a quantity from untrusted text, or from an exact magnitude and a unit.

    ``quantity("250 ms")``, ``quantity("1.5 TiB")``, ``quantity("99.95 %")``,
    ``quantity("0.2 vcpu*hour")``; or ``quantity(Decimal("0.2"), "vcpu*hour")`` and
    ``quantity(250, "ms")``. A quantity passes through unchanged.

    Raises:
        ValidationError: the text is too long, uses an unknown unit or an expression
            the grammar does not allow, or the magnitude is a float, infinite or out
            of range. ``path`` names where the value came from in a document.

    Examples:
        >>> quantity("1.5 TiB").to("byte")
        <Quantity(1649267441664.0, 'byte')>
        >>> str(quantity("0.2 vcpu*hour"))
        '0.2 hour * vcpu'
        >>> quantity("5 parsec/fortnight^9")
        Traceback (most recent call last):
        ...
        cloudsms.errors.ValidationError: Quantity is invalid (1 problem):
          - expected a unit power from -4 to 4, not 0, got '5 parsec/fortnight^9' (string) @ $
    """
    if unit is not None:
        return _from_magnitude(value, unit, path)
    if type(value) is str:
        known = known_quantity(value, path)
        if known is not None:
            return known
    if is_quantity(value):
        return value
    if not isinstance(value, str):
        raise _not_a_quantity(value, path)
    if len(value) > MAX_LENGTH:
        raise _refused(path, f"a quantity of at most {MAX_LENGTH} characters", describe(value))
    if not _SPACING.fullmatch(value):
        raise _refused(path, _SPACED, describe(value))
    match = _TEXT.fullmatch(value)
    if match is None:
        raise _refused(path, "a quantity such as '250 ms': a number, then a unit", describe(value))
    magnitude = _magnitude(match.group(1), value, path)
    return _new(magnitude, _units_cached(match.group(2), value, path))


def _from_magnitude(value: object, unit: object, path: str) -> Quantity:
    """``quantity(magnitude, unit)``: an exact magnitude and a unit text."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
        raise _refused(
            path,
            "an exact magnitude (Decimal, int or str; floats are inexact)",
            describe(value),
        )
    if isinstance(value, str) and not DECIMAL_TEXT.fullmatch(value):
        raise _refused(
            path,
            "a number such as '12.5' (ASCII digits, no spaces around)",
            describe(value),
        )
    magnitude = _magnitude(value, value, path)
    return _new(magnitude, _unit_text(unit, path))


_SPACED = (
    "a quantity such as '250 ms': a number, then a unit, with single spaces inside "
    "only (none around, no tabs or line breaks)"
)


def _unit_text(unit: object, path: str) -> Any:
    """The Unit of untrusted unit text: the length, spacing and grammar rules of `quantity`."""
    if not isinstance(unit, str):
        raise _refused(path, "a unit such as 'ms'", describe(unit))
    if len(unit) > MAX_LENGTH:
        raise _refused(path, f"a unit of at most {MAX_LENGTH} characters", describe(unit))
    if unit and not _SPACING.fullmatch(unit):
        raise _refused(
            path,
            "a unit such as 'vcpu*hour', with single spaces inside only (none around, "
            "no tabs or line breaks)",
            describe(unit),
        )
    return _units_cached(unit, unit, path, unit_text=True)


def _not_a_quantity(value: object, path: str) -> ValidationError:
    """The error for a value that is not a quantity of ours, saying if pint made it."""
    registry_of = getattr(type(value), "_REGISTRY", None)
    if type(value).__module__.partition(".")[0] == "pint" and registry_of is not None:
        return _refused(
            path,
            "a quantity of cloudsms's registry (cloudsms.units.registry()); rebuild it "
            "with cloudsms.units.quantity(magnitude, unit)",
            f"{value} from another pint registry",
        )
    return _refused(path, "a quantity such as '250 ms'", describe(value))


def known_quantity(text: str, path: str = "$") -> Quantity | None:
    """``text`` read as `quantity` reads it when its unit text was read before, else None.

    The converter's hot path: one dictionary look-up for ``"250 ms"`` once ``ms`` has
    been seen; anything else is left to `quantity`, which reports every problem.
    """
    if len(text) > MAX_LENGTH:
        return None
    # Hottest: "250 ms", one space between a plain number and a unit text seen before,
    # built without a call (see _constructor). The caches hold only unit texts that
    # parsed, stripped, so a hit is exact.
    number, _, unit_text = text.partition(" ")
    parts = _FAST_UNITS.get(unit_text)
    if (
        parts is not None
        and len(number) <= _MAX_DECIMAL_EXPONENT
        and not number.strip(NUMBER_CHARACTERS)
    ):
        try:
            magnitude = Decimal(number)
        except InvalidOperation:
            pass  # such as "1.2.3": the full grammar below says what is wrong
        else:
            if magnitude.is_finite():
                built: Any = _new_object(parts[0])
                # As _constructor() does: set once, on a new object (plain numbers of
                # at most 30 characters are within the magnitude bounds).
                built.__dict__.update(_magnitude=magnitude, _units=parts[1])
                return cast("Quantity", built)
    match = _TEXT.fullmatch(text)
    if match is None:
        return None
    cached = _UNIT_CACHE.get(match.group(2))
    if cached is None:
        return None
    return _new(_magnitude(match.group(1), text, path), cached)


def _new(magnitude: Decimal, unit: Any) -> Quantity:
    return cast("Quantity", _constructor()(magnitude, unit))


@cache
def _constructor() -> Callable[[Decimal, Any], Any]:
    """How to build a quantity from a checked Decimal and a Unit, as fast as pint allows.

    pint's own constructor re-checks and re-parses what the parser has already
    checked; setting the two attributes it would set costs a twentieth. The shortcut
    is used only if it builds exactly what pint builds (checked once, here).
    """
    ureg = registry()
    cls = ureg.Quantity

    def fast(magnitude: Decimal, unit: Any) -> Any:
        q = object.__new__(cls)
        q.__dict__.update(_magnitude=magnitude, _units=unit._units)  # noqa: SLF001
        return q

    probe = ureg.Unit("GiB") / ureg.Unit("hour")
    slow = cls(Decimal("1.5"), probe)
    quick = fast(Decimal("1.5"), probe)
    same = (
        quick == slow
        and repr(quick) == repr(slow)
        and quick.to("byte/second") == slow.to("byte/second")
        and vars(quick).keys() <= vars(slow).keys()
    )
    return fast if same else cls


_UNIT_CACHE: dict[str, Any] = {}  # unit text -> Unit
# unit text -> (the registry's Quantity class, the Unit's units), for _known_text to
# build a quantity as _constructor's shortcut does; empty when that shortcut is off.
_FAST_UNITS: dict[str, tuple[type, Any]] = {}
_UNIT_CACHE_SIZE = CACHE_SIZE
_new_object = object.__new__


def _units_cached(text: str, original: object, path: str, *, unit_text: bool = False) -> Any:
    """`_units`, remembered for texts that parsed (untrusted text is never cached unchecked)."""
    unit = _UNIT_CACHE.get(text)
    if unit is None:
        unit = _units(text, original, path, unit_text=unit_text)
        if len(_UNIT_CACHE) < _UNIT_CACHE_SIZE:
            _UNIT_CACHE[text] = unit
            if _constructor() is not registry().Quantity:
                _FAST_UNITS[text] = (registry().Quantity, unit._units)  # noqa: SLF001
    return unit


def _forget_units() -> None:
    """Empty the unit caches (for benchmarks of text never seen, and tests)."""
    _UNIT_CACHE.clear()
    _FAST_UNITS.clear()


def dimension(value: Quantity) -> str:
    """The dimensionality of a quantity as text, in a stable order: ``'[time] * [vcpu]'``.

    Examples:
        >>> dimension(quantity("3 GiB/month"))
        '[information] / [time]'
        >>> dimension(quantity("2 vcpu*hour"))
        '[time] * [vcpu]'
    """
    if not is_quantity(value):
        raise _not_a_quantity(value, "$")
    powers = dict(value.dimensionality.items())
    if not powers:
        return "dimensionless"
    up = [_power(name, p) for name, p in sorted(powers.items()) if p > 0]
    down = [_power(name, -p) for name, p in sorted(powers.items()) if p < 0]
    text = " * ".join(up) or "1"
    return f"{text} / {' / '.join(down)}" if down else text


def _power(name: str, power: Any) -> str:
    return name if power == 1 else f"{name} ** {power}"


def same_dimension(a: Quantity, b: Quantity | str) -> bool:
    """Whether two quantities (or a quantity and a unit text) measure the same thing.

    Unit text is read by the parser of `quantity` (its length, spacing and grammar);
    a unit of the registry is taken as it is.

    Raises:
        ValidationError: ``a`` is not a quantity of the registry (path ``$.a``), or
            ``b`` is neither one nor unit text the parser reads (path ``$.b``).

    Examples:
        >>> same_dimension(quantity("1 ms"), "hour"), same_dimension(quantity("1 ms"), "GiB")
        (True, False)
        >>> same_dimension(quantity("1 ms"), "nope")
        Traceback (most recent call last):
        ...
        cloudsms.errors.ValidationError: Quantity is invalid (1 problem):
          - expected a unit the registry knows, got 'nope' in 'nope' (string) @ $.b
    """
    if not is_quantity(a):
        raise _not_a_quantity(a, "$.a")
    if isinstance(b, str):
        other: Any = _unit_text(b, "$.b")
    elif is_quantity(b) or (
        type(b).__module__.partition(".")[0] == "pint"
        and getattr(b, "_REGISTRY", None) is registry()
    ):
        other = b
    else:
        raise _not_a_quantity(b, "$.b")
    return bool(a.dimensionality == other.dimensionality)


def quantity_problems(
    value: object, path: str, *, example: str = "a quantity such as '250 ms'"
) -> list[Problem]:
    """The problem of a value that should be a quantity of the registry, or ``[]``.

    The one check a model field holding a quantity goes through: a quantity of
    another pint registry is named as such (rebuild it with `quantity`).

    Examples:
        >>> quantity_problems(quantity("99.9 %"), "$.target")
        []
        >>> quantity_problems(99.9, "$.target", example="a quantity such as '99.9 %'")
        [Problem(path='$.target', expected="a quantity such as '99.9 %'", got='99.9 (number)')]
    """
    if is_quantity(value):
        return []
    if _is_foreign(value):
        return list(_not_a_quantity(value, path).problems)
    return [Problem(path, example, describe(value))]


@lru_cache(maxsize=CACHE_SIZE)
def _factor(units: Any, target: str) -> Fraction:
    """The exact ratio between two units, from their exact factors to base units."""
    ureg: Any = registry()
    target_unit = _units_cached(target.strip(), target, "$.unit", unit_text=True)
    # Factors only, no quantity: a factor may lie beyond the magnitude bounds (a
    # quettabyte^4), and pint computes it in the current context: ours, not the caller's.
    with localcontext(_FACTORS):
        source_factor, source_units = ureg.get_base_units(units)
        goal_factor, goal_units = ureg.get_base_units(target_unit)
    if source_units != goal_units:
        raise _refused(
            "$",
            f"a quantity convertible to {target!r}",
            f"{units} ({dimension(cast('Quantity', ureg.Quantity(Decimal(1), units)))})",
            subject=_CONVERSION,
        )
    return Fraction(Decimal(source_factor)) / Fraction(Decimal(goal_factor))


def fraction_in(value: Quantity, unit: str) -> Fraction:
    """A quantity expressed in ``unit`` as an exact fraction (no rounding at all).

    Raises:
        ValidationError: ``unit`` is not a unit, or the quantity cannot be expressed in it.

    Examples:
        >>> fraction_in(quantity("10 vcpu*min"), "vcpu*hour")
        Fraction(1, 6)
    """
    if not isinstance(unit, str):
        raise _refused("$.unit", "a unit such as 'second'", describe(unit), subject=_CONVERSION)
    if not is_quantity(value):
        raise _not_a_quantity(value, "$")
    return Fraction(Decimal(value.magnitude)) * _factor_or_refusal(value, unit)


def _factor_or_refusal(value: Quantity, unit: str) -> Fraction:
    """The factor from the quantity's units to ``unit``, or the refusal naming the quantity."""
    try:
        return _factor(value.units, unit)
    except ValidationError as exc:
        if exc.paths == ["$.unit"]:
            raise
        raise _refused(
            "$",
            f"a quantity convertible to {unit!r}",
            f"{value} ({dimension(value)})",
            subject=_CONVERSION,
        ) from None


def calendar_units(value: Quantity) -> tuple[str, ...]:
    """The units of ``value`` whose length varies on a calendar: months, years and longer.

    Derived from the registry's definitions, not a list of names: a unit of time
    whose unprefixed length is 28 days (the shortest month) or more is a calendar
    unit: month, year, decade, century, millennium, eon, pint's astronomical months
    and years, and their prefixed forms (a millenium is a kiloyear). pint gives them
    an average length (a month is 30.44 days); cloudsms refuses them wherever a
    length must be exact, and counts calendar time with relativedelta.

    Examples:
        >>> calendar_units(quantity("2 user*month")), calendar_units(quantity("3 h"))
        (('month',), ())
        >>> calendar_units(quantity("1 GiB*eon")), calendar_units(quantity("1 kiloyear"))
        (('eon',), ('kiloyear',))
    """
    if not is_quantity(value):
        raise _not_a_quantity(value, "$")
    return _calendar_names(cast("Any", value)._units)  # noqa: SLF001 - pint's units container


@lru_cache(maxsize=CACHE_SIZE)
def _calendar_names(units: Any) -> tuple[str, ...]:
    """`calendar_units` of one units container, remembered: the same units recur."""
    return tuple(name for name in units if _is_calendar(name))


@lru_cache(maxsize=CACHE_SIZE)
def _is_calendar(name: str) -> bool:
    """Whether the unit ``name`` (a prefix aside) is a time unit of 28 days or more."""
    ureg: Any = registry()
    second = ureg.Unit("second")
    for _, unprefixed, _ in ureg.parse_unit_name(name):
        with localcontext(_FACTORS):
            factor, base = ureg.get_base_units(unprefixed)
        if base == second and factor >= _SHORTEST_MONTH:
            return True
    return False


def magnitude_in(value: Quantity, unit: str) -> Decimal:
    """Convert a quantity once to a plain `Decimal` in ``unit``, for hot paths.

    The conversion is exact: the factor between the two units is kept as a fraction
    (seconds to hours is 1/3600) and cached per (unit, target), so converting a
    million measurements costs one pint conversion and a million multiplications.
    A result without a finite decimal expansion keeps 38 significant digits.

    Raises:
        ValidationError: the quantity cannot be expressed in ``unit``.

    Examples:
        >>> magnitude_in(quantity("250 ms"), "second")
        Decimal('0.25')
        >>> magnitude_in(quantity("345600 vcpu*s"), "vcpu*hour")
        Decimal('96')
    """
    return to_decimal(fraction_in(value, unit))


_ASCII_NAME = re.compile(r"%|[A-Za-z_][A-Za-z0-9_]*")


@lru_cache(maxsize=CACHE_SIZE)
def _written_units(units_container: object) -> str:
    """The unit part of a quantity's text: ``TiB``, ``h*vcpu``, ``GiB/month``, ``/s``."""
    ureg = registry()
    up: list[str] = []
    down: list[str] = []
    for name, power in sorted(cast("Any", units_container).items()):
        symbol = ureg.get_symbol(name)
        if not _ASCII_NAME.fullmatch(symbol):  # Ω, Å, °: write the name, which reads back
            symbol = name
        exponent = abs(power)
        token = symbol if exponent == 1 else f"{symbol}^{exponent}"
        (up if power > 0 else down).append(token)
    return "*".join(up) + "".join(f"/{t}" for t in down)


def format_quantity(value: Quantity) -> str:
    """``value`` as the text `quantity` reads back to the same value: ``"250 ms"``.

    Units are written by their ASCII symbols (``TiB``, ``h*vcpu``, ``GiB/month``);
    a unit whose symbol is not ASCII (Ω, Å) is written by its name. This is the wire
    form of a quantity (see `cloudsms.serialization`).

    Examples:
        >>> format_quantity(quantity("99.9 percent")), format_quantity(quantity("4 hour"))
        ('99.9 %', '4 h')
    """
    text = _written_units(cast("Any", value)._units)  # noqa: SLF001 - pint's hashable units
    magnitude = str(value.magnitude)
    return f"{magnitude} {text}" if text else magnitude
