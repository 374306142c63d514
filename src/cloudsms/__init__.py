"""cloudsms: cloud service management per ISO/IEC TR 20000-9:2015, as typed values and data.

The facade names the public API and resolves each name on first access (PEP 562),
so ``import cloudsms`` stays cheap however large the package grows. The submodules
are where each concept lives: `cloudsms.reference` holds the standard as data
(clauses, scenarios, citations) and `cloudsms.errors` the exceptions.

>>> import cloudsms
>>> cloudsms.clause("7.2").title
'Supplier management'
"""

from __future__ import annotations

import importlib

# Not typing.TYPE_CHECKING: importing typing would triple the cost of this facade.
# Type checkers treat any constant of this name as true.
TYPE_CHECKING = False

__version__ = "0.1.0"

__all__ = [
    "Citation",
    "Clause",
    "CloudSMSError",
    "Coverage",
    "ReferenceSet",
    "Scenario",
    "UnknownReference",
    "ValidationError",
    "clause",
    "clauses",
    "clauses_cited_by",
    "coverage_of",
    "load_reference",
    "matrix",
    "scenario",
    "scenarios",
    "scenarios_citing",
]

# Public name -> (module, attribute in that module).
_LAZY: dict[str, tuple[str, str]] = {
    "Citation": ("cloudsms.reference", "Citation"),
    "Clause": ("cloudsms.reference", "Clause"),
    "CloudSMSError": ("cloudsms.errors", "CloudSMSError"),
    "Coverage": ("cloudsms.reference", "Coverage"),
    "ReferenceSet": ("cloudsms.reference", "ReferenceSet"),
    "Scenario": ("cloudsms.reference", "Scenario"),
    "UnknownReference": ("cloudsms.errors", "UnknownReference"),
    "ValidationError": ("cloudsms.errors", "ValidationError"),
    "clause": ("cloudsms.reference", "clause"),
    "clauses": ("cloudsms.reference", "clauses"),
    "clauses_cited_by": ("cloudsms.reference", "clauses_cited_by"),
    "coverage_of": ("cloudsms.reference", "coverage_of"),
    "load_reference": ("cloudsms.reference", "load"),
    "matrix": ("cloudsms.reference", "matrix"),
    "scenario": ("cloudsms.reference", "scenario"),
    "scenarios": ("cloudsms.reference", "scenarios"),
    "scenarios_citing": ("cloudsms.reference", "scenarios_citing"),
}

if TYPE_CHECKING:
    from typing import Any

    from cloudsms.errors import CloudSMSError, UnknownReference, ValidationError
    from cloudsms.reference import (
        Citation,
        Clause,
        Coverage,
        ReferenceSet,
        Scenario,
        clause,
        clauses,
        clauses_cited_by,
        coverage_of,
        matrix,
        scenario,
        scenarios,
        scenarios_citing,
    )
    from cloudsms.reference import load as load_reference


def __getattr__(name: str) -> Any:  # noqa: ANN401 - returns whatever the name resolves to
    try:
        module, attribute = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'cloudsms' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*__all__, "__version__"])
