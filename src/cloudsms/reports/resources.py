"""Cost profiles and utilisation as data, CSV, a table and DataFrames (S11).

The model prices an agreement's resources (`cloudsms.resources.CostProfile`) and
measures what was used of what was held (`cloudsms.resources.utilisation`); these
functions turn the answers into what ``cloudsms cost profile`` prints and what an
analyst loads:

- `cost_profile_data`: JSON-ready data with a fixed shape (documented in
  ``docs/cli.md``, "Cost profiles"): every line with its exact amount, the total
  and the splits by service, cost centre, resource type and day;
- `cost_profile_rows` and `cost_profile_csv`: one row per line (keyed by
  `COST_COLUMNS`), then a row for the total;
- `cost_profile_table`: the lines grouped by service, as a plain-text table for
  people, every cell escaped, with `left_out_note` under the total when rows were
  left out;
- `left_out_note`: one line saying which rows the profile left out (of other
  agreements, with a "did you mean" for an id that differs only by case, or
  outside the agreement's term), so an agreement id typed wrong never passes as a
  month of nothing;
- `cost_frame` and `utilisation_frame`: pandas DataFrames, from the optional extra
  ``analysis``, imported only when asked for.

Money is never rounded on the way: a line's amount is the exact amount of the model
(`CostLine.amount`: exact where its decimals end, else 38 significant digits, half
to even), with the exact fraction beside it (``"15624/125"``); only the total is
rounded, once, to the currency's minor unit, and the splits add up to it exactly.
The table alone shows line amounts to four decimal places (``~`` marks one cut
there), so it stays readable.

Serves S11 (the cost profile of a service's resources, reported to the customer
for its own accounting) and ISO/IEC 20000-1:2011 6.2 (service reporting) and 6.4
(budgeting and accounting for services).
"""

from __future__ import annotations

import csv
import importlib
import io
from collections.abc import Iterable, Mapping
from decimal import Context, Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any, cast

from cloudsms._foundation.exact import plain, to_decimal
from cloudsms._kit.checks import instance_problems, raise_problems
from cloudsms.errors import Problem, ValidationError, describe
from cloudsms.periods import timezone
from cloudsms.reports._table import escape_text
from cloudsms.resources import CostProfile, Utilisation
from cloudsms.units import format_quantity

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Sequence

    from pandas import DataFrame  # type: ignore[import-untyped]

    from cloudsms.money import Money, Price
    from cloudsms.periods import Period
    from cloudsms.resources import CostLine, LeftOut, MinimumCommitment, SplitBy

__all__ = [
    "COST_COLUMNS",
    "COST_FRAME_COLUMNS",
    "UTILISATION_FRAME_COLUMNS",
    "cost_frame",
    "cost_profile_csv",
    "cost_profile_data",
    "cost_profile_rows",
    "cost_profile_table",
    "left_out_note",
    "utilisation_frame",
]

COST_COLUMNS: Sequence[str] = (
    "kind",
    "service",
    "resource_type",
    "resource_id",
    "cost_centre",
    "quantity",
    "price",
    "price_unit",
    "price_per",
    "held_start",
    "held_end",
    "held_hours",
    "during_start",
    "during_end",
    "amount",
    "exact",
    "currency",
)
"""The columns of `cost_profile_rows` and `cost_profile_csv`, in order."""

COST_FRAME_COLUMNS: Sequence[str] = (
    "agreement",
    "kind",
    "service",
    "resource_type",
    "resource_id",
    "cost_centre",
    "quantity",
    "unit",
    "price",
    "price_unit",
    "price_per",
    "held_start",
    "held_end",
    "held_hours",
    "amount",
    "currency",
)
"""The columns of `cost_frame`, in order."""

UTILISATION_FRAME_COLUMNS: Sequence[str] = (
    "resource_type",
    "period_start",
    "period_end",
    "allocated",
    "used",
    "unit",
    "ratio",
)
"""The columns of `utilisation_frame`, in order."""

_SUBJECT = "Cost profile report"
_EXTRA = "pip install 'cloudsms[analysis]'"
_SPLITS: tuple[SplitBy, ...] = ("service", "cost_centre", "resource_type", "day")
_WIDE = Context(prec=80)  # room for any amount the model holds, with its places shown
_SHOWN_PLACES = 4
_HOURS_PLACES = 2


def _checked(profile: object) -> CostProfile:
    raise_problems(instance_problems(profile, CostProfile, "$.profile"), _SUBJECT)
    return cast("CostProfile", profile)


# ---------------------------------------------------------------------- text of values
def _fraction_text(value: Fraction) -> str:
    """An exact fraction as ``"15624/125"``, or ``"124"`` when it is whole."""
    if value.denominator == 1:
        return str(value.numerator)
    return f"{value.numerator}/{value.denominator}"


def _decimal_text(value: Fraction) -> str:
    """Exact decimal text where the decimals end, else 38 significant digits."""
    return plain(to_decimal(value))


def _money(value: Money) -> dict[str, str]:
    return {"amount": value.amount_text, "currency": value.currency}


def _instant(value: dt.datetime) -> str:
    return value.isoformat()


def _held(held: Period | None) -> dict[str, str] | None:
    if held is None:
        return None
    return {**_span(held), "hours": _decimal_text(held.hours)}


def _price(price: Price | None) -> dict[str, str | None] | None:
    if price is None:
        return None
    return {"amount": price.amount.amount_text, "unit": price.unit, "per": price.per}


def _minimum(line: CostLine) -> dict[str, Any] | None:
    """The minimum a commitment's line makes up to: its amount, calendar period and part."""
    if line.kind != "commitment":
        return None
    commitment = cast("MinimumCommitment", line.source)
    during = line.during
    return {
        "amount": commitment.amount.amount_text,
        "per": commitment.per,
        "during": None if during is None else _span(during),
    }


def _span(period: Period) -> dict[str, str]:
    return {"start": _instant(period.start), "end": _instant(period.end)}


def _left_out_data(left: LeftOut) -> dict[str, Any]:
    return {
        "rows": left.rows,
        "allocations": left.allocations,
        "usage": left.usage,
        "other_agreements": dict(left.other_agreements),
        "case_only": list(left.case_only),
        "outside_term": left.outside_term,
    }


def _line_data(line: CostLine) -> dict[str, Any]:
    return {
        "kind": line.kind,
        "service": line.service,
        "resource_type": line.resource_type,
        "resource_id": line.resource_id,
        "cost_centre": line.cost_centre,
        "quantity": None if line.quantity is None else format_quantity(line.quantity),
        "price": _price(line.price),
        "minimum": _minimum(line),
        "held": _held(line.held),
        "amount": line.amount.amount_text,
        "exact": _fraction_text(line.exact),
    }


def cost_profile_data(profile: CostProfile) -> dict[str, Any]:
    """The profile as JSON-ready data with a fixed shape.

    Keys: ``agreement``, ``customer`` and ``currency``; ``period`` (``start``,
    ``end``: ISO 8601 with their offsets; ``timezone``, the agreement's;
    ``hours``, its exact length); ``lines``, each with ``kind`` (``allocation``,
    ``usage`` or ``commitment``), ``service``, ``resource_type``, ``resource_id``
    and ``cost_centre`` (``null`` where the line has none), ``quantity`` (wire
    text, ``"4 vcpu"``; ``null`` for a commitment), ``price`` (``amount``,
    ``unit``, ``per``; ``null`` for a commitment), ``minimum`` (a commitment's
    ``amount`` and ``per``, and ``during``, the ``start`` and ``end`` of the part
    of one calendar period the shortfall is owed for; else ``null``), ``held``
    (``start``, ``end`` and ``hours`` held inside the period, for an allocation;
    else ``null``),
    ``amount`` (decimal text: exact where its decimals end, else 38 significant
    digits, half to even) and ``exact`` (the exact amount as a fraction,
    ``"15624/125"``); ``exact_total`` (decimal text as ``amount``) and
    ``exact_total_fraction``; ``total`` (``amount`` rounded once, half to even, to
    the currency's minor unit, and ``currency``); and ``splits``: for each of
    ``service``, ``cost_centre``, ``resource_type`` and ``day``, the total handed out
    by key (``""`` for lines without one), the parts adding up to it exactly
    (`cloudsms.resources.CostProfile.split`); and ``left_out``, the rows the profile
    set aside (`cloudsms.resources.CostProfile.left_out`): ``rows``,
    ``allocations`` and ``usage`` (how many), ``other_agreements`` (each other
    agreement id named, with its rows), ``case_only`` (those of them that differ
    from the agreement's id only by case) and ``outside_term`` (rows of the
    agreement in the period only outside its term).

    Raises:
        ValidationError: ``profile`` is not a `cloudsms.resources.CostProfile`
            (``$.profile``).
    """
    checked = _checked(profile)
    agreement = checked.agreement
    return {
        "agreement": agreement.id,
        "customer": agreement.customer_id,
        "currency": checked.currency,
        "period": {
            "start": _instant(checked.period.start),
            "end": _instant(checked.period.end),
            "timezone": agreement.timezone,
            "hours": _decimal_text(checked.period.hours),
        },
        "lines": [_line_data(line) for line in checked.lines],
        "exact_total": _decimal_text(checked.exact_total),
        "exact_total_fraction": _fraction_text(checked.exact_total),
        "total": _money(checked.total),
        "splits": {
            by: {key: part.amount_text for key, part in checked.split(by).items()}
            for by in _SPLITS
        },
        "left_out": _left_out_data(checked.left_out),
    }


# ---------------------------------------------------------------------- rows and CSV
def _row(line: CostLine, currency: str) -> dict[str, str]:
    price, held, during = line.price, line.held, line.during
    minimum = _minimum(line)
    return {
        "kind": line.kind,
        "service": line.service or "",
        "resource_type": line.resource_type or "",
        "resource_id": line.resource_id or "",
        "cost_centre": line.cost_centre or "",
        "quantity": "" if line.quantity is None else format_quantity(line.quantity),
        "price": price.amount.amount_text if price is not None else "",
        "price_unit": price.unit if price is not None else "",
        "price_per": (price.per or "") if price is not None else (minimum or {}).get("per", ""),
        "held_start": "" if held is None else _instant(held.start),
        "held_end": "" if held is None else _instant(held.end),
        "held_hours": "" if held is None else _decimal_text(held.hours),
        "during_start": "" if during is None else _instant(during.start),
        "during_end": "" if during is None else _instant(during.end),
        "amount": line.amount.amount_text,
        "exact": _fraction_text(line.exact),
        "currency": currency,
    }


def cost_profile_rows(profile: CostProfile) -> list[dict[str, str]]:
    """One row of text per line of ``profile``, then one for the total (`COST_COLUMNS`).

    A line's row holds its kind, service, resource type, resource id, cost centre
    and quantity; its price (``price``, ``price_unit``, ``price_per``; for a
    commitment's shortfall only ``price_per``, the commitment's period); the time
    held inside the period (``held_start``, ``held_end``, ``held_hours``: an
    allocation's); the part of a calendar period a commitment's shortfall is owed
    for (``during_start``, ``during_end``); its ``amount`` (decimal text, exact
    where the decimals end) and ``exact`` fraction; and the ``currency``. Cells that
    do not apply are empty. The last row, of kind ``total``, holds the total rounded
    once to the minor unit in ``amount`` and the exact sum of the lines in
    ``exact``: leave it out when
    adding the lines up.

    Raises:
        ValidationError: ``profile`` is not a `cloudsms.resources.CostProfile`.
    """
    checked = _checked(profile)
    currency = checked.currency
    rows = [_row(line, currency) for line in checked.lines]
    total = dict.fromkeys(COST_COLUMNS, "")
    total.update(
        kind="total",
        amount=checked.total.amount_text,
        exact=_fraction_text(checked.exact_total),
        currency=currency,
    )
    rows.append(total)
    return rows


def cost_profile_csv(profile: CostProfile) -> str:
    r"""`cost_profile_rows` as CSV text: a header of `COST_COLUMNS`, ``\n`` line ends.

    Raises:
        ValidationError: ``profile`` is not a `cloudsms.resources.CostProfile`.
    """
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COST_COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(cost_profile_rows(profile))
    return out.getvalue()


# ---------------------------------------------------------------------- the table
_HEADINGS = ("TYPE", "RESOURCE", "QUANTITY", "PRICE", "HELD", "AMOUNT")
_RIGHT = frozenset({"HELD", "AMOUNT"})


def _cut(value: Fraction, places: int) -> str:
    """``value`` with at most ``places`` decimals, half to even; ``~`` in front when cut."""
    scaled = value * 10**places
    if scaled.denominator == 1:
        text = plain(Decimal(scaled.numerator).scaleb(-places, _WIDE))
        return text.rstrip("0").rstrip(".") if "." in text else text
    return "~" + plain(Decimal(round(scaled)).scaleb(-places, _WIDE))


def _amount_cell(value: Fraction) -> str:
    """A line's amount with at least two and at most four decimals (``~`` when cut)."""
    text = _cut(value, _SHOWN_PLACES)
    if text.startswith("~"):
        return text
    whole, _, decimals = text.partition(".")
    return f"{whole}.{decimals.ljust(2, '0')}"


def _price_cell(line: CostLine) -> str:
    price = line.price
    if price is None:  # a commitment's shortfall: the least it makes the scope up to
        commitment = cast("MinimumCommitment", line.source)
        least = _amount_cell(Fraction(commitment.amount.amount))
        return f"min {least}/{commitment.per}"
    per = f"/{price.per}" if price.per else ""
    return f"{price.amount.amount_text}/{price.unit}{per}"


def _cells(line: CostLine) -> list[str]:
    held = line.held
    if line.kind == "commitment":
        what, resource = line.resource_type or "(every type)", "(minimum)"
    else:
        what, resource = line.resource_type or "", line.resource_id or "-"
    return [
        escape_text(what),
        escape_text(resource),
        "-" if line.quantity is None else escape_text(format_quantity(line.quantity)),
        escape_text(_price_cell(line)),
        "-" if held is None else f"{_cut(held.hours, _HOURS_PLACES)} h",
        _amount_cell(line.exact),
    ]


def _lines_of(cells: list[list[str]], widths: list[int]) -> list[str]:
    return [
        "  ".join(
            cell.rjust(width) if heading in _RIGHT else cell.ljust(width)
            for heading, cell, width in zip(_HEADINGS, row, widths, strict=True)
        ).rstrip()
        for row in cells
    ]


def _local(instant: dt.datetime, zone: dt.tzinfo) -> str:
    return instant.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _shares(parts: Mapping[str, Money]) -> str:
    return ", ".join(
        f"{escape_text(key or '(none)')} {part.amount_text}" for key, part in parts.items()
    )


def _rows(count: int, noun: str = "row") -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def left_out_note(profile: CostProfile) -> str:
    """One line saying which rows ``profile`` left out, or ``""`` when it left none out.

    A row of another agreement costs nothing in this profile, so an agreement id
    typed wrong in a CSV file would otherwise show only as a smaller total (or
    EUR 0.00). The note counts the rows left out (allocations and usage), each
    other agreement id named with its rows, a "did you mean" for an id that differs
    from the agreement's only by upper and lower case, and the rows of the
    agreement that fall in the period only outside its term, every id escaped::

        Left out: 2 rows (2 allocations): 1 of agreement CSA-2026-011 (did you
        mean csa-2026-011? the ids differ only by case), 1 of agreement csa-2026-11

    (one line). ``cloudsms cost profile`` prints it under the table's total, and
    on standard error with ``--format json`` or ``csv``. Serves S11 (the customer
    sees what was priced, and what was not) and ISO/IEC 20000-1:2011 6.4.

    Raises:
        ValidationError: ``profile`` is not a `cloudsms.resources.CostProfile`.
    """
    left = _checked(profile).left_out
    if not left:
        return ""
    reasons: list[str] = []
    for other, rows in left.other_agreements:
        hint = (
            f" (did you mean {escape_text(left.agreement)}? the ids differ only by case)"
            if other in left.case_only
            else ""
        )
        reasons.append(f"{rows} of agreement {escape_text(other)}{hint}")
    if left.outside_term:
        reasons.append(f"{left.outside_term} outside the agreement's term")
    kinds = [
        _rows(count, noun)
        for count, noun in ((left.allocations, "allocation"), (left.usage, "usage row"))
        if count
    ]
    return f"Left out: {_rows(left.rows)} ({', '.join(kinds)}): {', '.join(reasons)}"


def cost_profile_table(profile: CostProfile) -> str:
    """The profile as a plain-text table for people, its lines grouped by service.

    Two lines name the agreement, its customer and the currency, then the period
    in the agreement's zone with its length in hours. Each service follows with
    its share of the total (`CostProfile.split`), then one row per line: the
    resource type, the resource (``(minimum)`` for a commitment's shortfall), the
    quantity held or used, the price (``0.042/vcpu*hour``; ``min 97.79/month``
    for a commitment), the hours held inside the period (an allocation's) and the
    exact amount, shown to at most four decimals (``~`` marks an amount cut
    there; ``--format json`` gives each exactly). Lines that name no service (a
    commitment on every service) come last. The total follows, rounded once, half
    to even, beside the exact sum it was rounded from, the split by cost centre
    and, when rows were left out, `left_out_note`. Every cell is escaped.

    Raises:
        ValidationError: ``profile`` is not a `cloudsms.resources.CostProfile`.
    """
    checked = _checked(profile)
    agreement = checked.agreement
    zone = timezone(agreement.timezone)
    currency = checked.currency
    period = checked.period
    groups: dict[str, list[list[str]]] = {}
    for line in checked.lines:
        groups.setdefault(line.service or "", []).append(_cells(line))
    every = [row for rows in groups.values() for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in every)]) for i, h in enumerate(_HEADINGS)]
    by_service = checked.split("service")
    lines = [
        (
            f"Cost profile of agreement {escape_text(agreement.id)}"
            f" (customer {escape_text(agreement.customer_id)}), in {currency}"
        ),
        (
            f"{_local(period.start, zone)} to {_local(period.end, zone)} {escape_text(str(zone))}"
            f" ({_cut(period.hours, _HOURS_PLACES)} h)"
        ),
    ]
    heading = _lines_of([list(_HEADINGS)], widths)[0]
    rule = "  ".join("-" * width for width in widths)
    order = sorted(groups, key=lambda service: (service == "", service))
    for service in order:
        share = by_service.get(service)
        name = escape_text(service) if service else "(every service)"
        shown = "" if share is None else f": {currency} {share.amount_text}"
        lines += ["", f"{name}{shown}", heading, rule, *_lines_of(groups[service], widths)]
    if not checked.lines:
        lines += ["", "(nothing held or used in the period)"]
    lines += [
        "",
        (
            f"Total {currency} {checked.total.amount_text}: the exact sum of the lines,"
            f" {_decimal_text(checked.exact_total)}, rounded once, half to even"
        ),
    ]
    if checked.lines:
        lines.append(f"By cost centre: {_shares(checked.split('cost_centre'))}")
    note = left_out_note(checked)
    if note:
        lines.append(note)
    return "\n".join(lines)


# ---------------------------------------------------------------------- DataFrames
def _extra(module: str, wanted_by: str) -> Any:  # noqa: ANN401 - a module of the extra
    """``module`` from the ``analysis`` extra, or an ImportError saying how to install it."""
    try:
        return importlib.import_module(module)
    except ImportError as missing:
        message = f"{wanted_by} needs {module}, which is not installed: {_EXTRA}"
        raise ImportError(message, name=module) from missing


def cost_frame(profile: CostProfile) -> DataFrame:
    """The profile's lines as a pandas DataFrame, one row per line (`COST_FRAME_COLUMNS`).

    ``quantity`` is the line's magnitude as a `Decimal` in ``unit``; ``price`` the
    unit price's `Decimal` amount with its ``price_unit`` and ``price_per``;
    ``held_start`` and ``held_end`` are in UTC and ``held_hours`` a `Decimal`
    (exact where the decimals end); ``amount`` is the line's exact amount as a
    `Decimal` (38 significant digits where it does not end). Missing values are
    ``None``. Decimal columns have the object dtype: ``frame["amount"].sum()``
    adds them exactly; convert them (``astype(float)``) to plot.

    Raises:
        ImportError: pandas is not installed (``pip install 'cloudsms[analysis]'``).
        ValidationError: ``profile`` is not a `cloudsms.resources.CostProfile`.
    """
    checked = _checked(profile)
    pandas = _extra("pandas", "cost_frame")
    rows = []
    for line in checked.lines:
        price, held, amount = line.price, line.held, line.quantity
        utc = timezone("UTC")
        rows.append(
            (
                checked.agreement.id,
                line.kind,
                line.service,
                line.resource_type,
                line.resource_id,
                line.cost_centre,
                None if amount is None else Decimal(amount.magnitude),
                None if amount is None else format_quantity(amount).partition(" ")[2],
                None if price is None else price.amount.amount,
                None if price is None else price.unit,
                None if price is None else price.per,
                None if held is None else held.start.astimezone(utc),
                None if held is None else held.end.astimezone(utc),
                None if held is None else to_decimal(held.hours),
                line.amount.amount,
                checked.currency,
            )
        )
    return pandas.DataFrame(rows, columns=list(COST_FRAME_COLUMNS))


def _utilisations(given: object) -> list[Utilisation]:
    if not isinstance(given, Iterable) or isinstance(given, str | bytes | Mapping):
        raise ValidationError.single(
            "$.utilisations",
            "an iterable of Utilisation",
            describe(given),
            subject="Utilisation report",
        )
    items = list(given)
    problems: list[Problem] = []
    for index, item in enumerate(items):
        problems += instance_problems(item, Utilisation, f"$.utilisations[{index}]")
    raise_problems(problems, "Utilisation report")
    return items


def utilisation_frame(utilisations: Iterable[Utilisation]) -> DataFrame:
    """Utilisation figures (`cloudsms.resources.utilisation`) as a pandas DataFrame.

    One row per `cloudsms.resources.Utilisation` with `UTILISATION_FRAME_COLUMNS`:
    the ``resource_type``, the period (``period_start``, ``period_end``, in UTC),
    ``allocated`` and ``used`` as `Decimal` magnitudes in ``unit`` (the type's unit
    times hours, ``h*vcpu``), and the ``ratio`` of used to allocated as a
    `Decimal` (38 significant digits where it does not end; ``None`` when nothing
    was held).

    Raises:
        ImportError: pandas is not installed (``pip install 'cloudsms[analysis]'``).
        ValidationError: ``utilisations`` is not an iterable of `Utilisation`
            (``$.utilisations[1]``).
    """
    items = _utilisations(utilisations)
    pandas = _extra("pandas", "utilisation_frame")
    utc = timezone("UTC")
    rows = [
        (
            item.resource_type,
            item.period.start.astimezone(utc),
            item.period.end.astimezone(utc),
            Decimal(item.allocated.magnitude),
            _in_allocated_unit(item),
            format_quantity(item.allocated).partition(" ")[2],
            None if item.ratio is None else to_decimal(item.ratio),
        )
        for item in items
    ]
    return pandas.DataFrame(rows, columns=list(UTILISATION_FRAME_COLUMNS))


def _in_allocated_unit(item: Utilisation) -> Decimal:
    from cloudsms.units import magnitude_in  # noqa: PLC0415 - one conversion per row

    return magnitude_in(item.used, format_quantity(item.allocated).partition(" ")[2])
