"""The catalogue as tables for people: one row per entry, or one per offering (S03).

The model returns data; these functions turn a `cloudsms.catalogue.Catalogue` into
rows of text (for CSV, a DataFrame or a notebook) and into plain-text tables. Serves
S03 (publish a catalogue of cloud services) and ISO/IEC 20000-1:2011 6.1.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cloudsms._kit.checks import instance_problems, raise_problems
from cloudsms._kit.durations import format_duration
from cloudsms.catalogue import Catalogue
from cloudsms.reports._table import format_table

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = [
    "CATALOGUE_COLUMNS",
    "OFFERING_COLUMNS",
    "catalogue_rows",
    "catalogue_table",
    "offering_rows",
    "offerings_table",
]

CATALOGUE_COLUMNS: Sequence[str] = (
    "id",
    "name",
    "category",
    "deployment",
    "data in",
    "offerings",
    "minimum term",
    "early exit",
)
"""The columns of `catalogue_rows` and `catalogue_table`, in order."""

OFFERING_COLUMNS: Sequence[str] = ("offering", "kind", "levels", "price", "upgrades")
"""The columns of `offering_rows` and `offerings_table`, in order."""


def _checked(catalogue: object) -> Catalogue:
    raise_problems(instance_problems(catalogue, Catalogue, "$.catalogue"), "Catalogue report")
    return catalogue  # type: ignore[return-value]


def catalogue_rows(catalogue: Catalogue) -> list[dict[str, str]]:
    """The catalogue as rows of text, one per entry, keyed by `CATALOGUE_COLUMNS`.

    Raises:
        ValidationError: ``catalogue`` is not a `Catalogue`.

    Examples:
        >>> catalogue_rows(Catalogue())
        []
    """
    return [
        {
            "id": e.id,
            "name": e.name,
            "category": e.category.value,
            "deployment": ", ".join(sorted(m.value for m in e.deployment_models)),
            "data in": ", ".join(sorted(e.data_locations)),
            "offerings": ", ".join(f"{o.id} ({o.kind.value})" for o in e.offerings),
            "minimum term": "" if e.minimum_term is None else format_duration(e.minimum_term),
            "early exit": ""
            if e.early_termination_charge is None
            else f"{e.early_termination_charge.amount} {e.early_termination_charge.currency}",
        }
        for e in _checked(catalogue).entries
    ]


def catalogue_table(catalogue: Catalogue) -> str:
    """The catalogue as a plain-text table, one line per entry (control characters escaped).

    Raises:
        ValidationError: ``catalogue`` is not a `Catalogue`.
    """
    return format_table(CATALOGUE_COLUMNS, catalogue_rows(catalogue))


def offering_rows(catalogue: Catalogue) -> list[dict[str, str]]:
    """One row per offering (``entry:offering``): kind, levels, price and its upgrades.

    Raises:
        ValidationError: ``catalogue`` is not a `Catalogue`.
    """
    return [
        {
            "offering": f"{e.id}:{o.id}",
            "kind": o.kind.value,
            "levels": "; ".join(map(str, o.levels)),
            "price": str(o.price),
            "upgrades": ", ".join(u.id for u in e.upgrades_for(o.id)),
        }
        for e in _checked(catalogue).entries
        for o in e.offerings
    ]


def offerings_table(catalogue: Catalogue) -> str:
    """The offerings as a plain-text table, one line per offering.

    Raises:
        ValidationError: ``catalogue`` is not a `Catalogue`.
    """
    return format_table(OFFERING_COLUMNS, offering_rows(catalogue))
