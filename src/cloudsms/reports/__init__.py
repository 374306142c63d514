"""Reports for people: the model's values as rows and plain-text tables.

An edge of the package: the model returns data, a report formats it. DataFrames
and plots will join these as optional extras, imported only when asked for.
"""

from __future__ import annotations

from cloudsms.reports.agreements import (
    TARGET_COLUMNS,
    agreement_report,
    agreement_rows,
    agreement_table,
)
from cloudsms.reports.catalogue import (
    CATALOGUE_COLUMNS,
    OFFERING_COLUMNS,
    catalogue_rows,
    catalogue_table,
    offering_rows,
    offerings_table,
)
from cloudsms.reports.operations import (
    INCIDENT_COLUMNS,
    format_elapsed,
    incident_report,
    incident_rows,
    incident_table,
)

__all__ = [
    "CATALOGUE_COLUMNS",
    "INCIDENT_COLUMNS",
    "OFFERING_COLUMNS",
    "TARGET_COLUMNS",
    "agreement_report",
    "agreement_rows",
    "agreement_table",
    "catalogue_rows",
    "catalogue_table",
    "format_elapsed",
    "incident_report",
    "incident_rows",
    "incident_table",
    "offering_rows",
    "offerings_table",
]
