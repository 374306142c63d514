"""Reports for people: the model's values as rows and plain-text tables.

An edge of the package: the model returns data, a report formats it. Service
reports (S10: each customer's month judged against its agreement, and the
provider's breaches, near misses and credits across customers) come as JSON-ready
data and as Markdown, and as pandas DataFrames and a matplotlib chart from the
optional extra ``analysis``, imported only when one of those is asked for. Cost
profiles (S11: what an agreement's resources cost over a period, line by line, and the
total rounded once) come as JSON-ready data, CSV rows and a plain-text table, and with
utilisation figures as DataFrames. Capacity plans (S11: when a pool reaches its
thresholds) come as data, a table and a chart; cost profiles as FinOps FOCUS 1.0
rows, written and read back exactly (`write_focus`, `read_focus`). Exit plans (S13:
the effective date, each step with its deadline, the charge) come as data and a table,
and the written confirmation of a closed exit as Markdown. Onboarding plans (S08: the
activities by owner with their deadlines) and removal plans (S15: the subscribers,
their notice end dates and the earliest removal date) come as data and a table; a
transfer (S14) as a summary in data and Markdown.
"""

from __future__ import annotations

from cloudsms.reports.agreements import (
    TARGET_COLUMNS,
    agreement_report,
    agreement_rows,
    agreement_table,
)
from cloudsms.reports.capacity import (
    capacity_chart,
    capacity_left_out_note,
    capacity_plan_data,
    capacity_plan_table,
)
from cloudsms.reports.catalogue import (
    CATALOGUE_COLUMNS,
    OFFERING_COLUMNS,
    catalogue_rows,
    catalogue_table,
    offering_rows,
    offerings_table,
)
from cloudsms.reports.conformity import (
    ASSESSMENT_COLUMNS,
    GAP_COLUMNS,
    assessment_data,
    assessment_rows,
    assessment_table,
    gap_rows,
)
from cloudsms.reports.focus import (
    FOCUS_COLUMNS,
    FOCUS_EXTRA_COLUMNS,
    FocusColumn,
    FocusCondition,
    FocusTest,
    check_focus,
    focus_columns,
    focus_rows,
    read_focus,
    write_focus,
)
from cloudsms.reports.frames import (
    ASSESSMENT_FRAME_COLUMNS,
    CITATION_COLUMNS,
    COVERAGE_COLUMNS,
    EVIDENCE_COLUMNS,
    GAP_FRAME_COLUMNS,
    IMPROVEMENT_FRAME_COLUMNS,
    OPTIONAL_COLUMNS,
    PROCESS_ASSESSMENT_COLUMNS,
    PROCESS_COVERAGE_COLUMNS,
    PROCESS_COVERAGE_LONG_COLUMNS,
    SCENARIO_ASSESSMENT_COLUMNS,
    UNMATCHED_EVIDENCE_COLUMNS,
    evidence_state,
    to_frame,
)
from cloudsms.reports.improvement import (
    RANKING_COLUMNS,
    ranking_columns,
    ranking_data,
    ranking_rows,
    ranking_table,
)
from cloudsms.reports.monitoring import (
    EVIDENCE_FRAME_COLUMNS,
    FRAME_COLUMNS,
    ProviderFinding,
    ProviderReport,
    availability_chart,
    evidence_frame,
    provider_report,
    provider_report_data,
    provider_report_markdown,
    service_report_data,
    service_report_markdown,
)
from cloudsms.reports.onboarding import onboarding_plan_data, onboarding_plan_table
from cloudsms.reports.operations import (
    INCIDENT_COLUMNS,
    format_elapsed,
    incident_report,
    incident_rows,
    incident_table,
)
from cloudsms.reports.plots import (
    COVERAGE_COLOURS,
    COVERAGE_ORDER,
    EVIDENCE_COLOURS,
    STATUS_COLOURS,
    plot_coverage_matrix,
    plot_evidence_freshness,
    plot_improvements,
    plot_process_coverage,
)
from cloudsms.reports.removal import removal_plan_data, removal_plan_table
from cloudsms.reports.resources import (
    COST_COLUMNS,
    COST_FRAME_COLUMNS,
    UTILISATION_FRAME_COLUMNS,
    cost_frame,
    cost_profile_csv,
    cost_profile_data,
    cost_profile_rows,
    cost_profile_table,
    left_out_note,
    utilisation_frame,
)
from cloudsms.reports.termination import (
    confirmation_markdown,
    exit_plan_data,
    exit_plan_table,
)
from cloudsms.reports.transfer import transfer_summary_data, transfer_summary_markdown

__all__ = [
    "ASSESSMENT_COLUMNS",
    "ASSESSMENT_FRAME_COLUMNS",
    "CATALOGUE_COLUMNS",
    "CITATION_COLUMNS",
    "COST_COLUMNS",
    "COST_FRAME_COLUMNS",
    "COVERAGE_COLOURS",
    "COVERAGE_COLUMNS",
    "COVERAGE_ORDER",
    "EVIDENCE_COLOURS",
    "EVIDENCE_COLUMNS",
    "EVIDENCE_FRAME_COLUMNS",
    "FOCUS_COLUMNS",
    "FOCUS_EXTRA_COLUMNS",
    "FRAME_COLUMNS",
    "GAP_COLUMNS",
    "GAP_FRAME_COLUMNS",
    "IMPROVEMENT_FRAME_COLUMNS",
    "INCIDENT_COLUMNS",
    "OFFERING_COLUMNS",
    "OPTIONAL_COLUMNS",
    "PROCESS_ASSESSMENT_COLUMNS",
    "PROCESS_COVERAGE_COLUMNS",
    "PROCESS_COVERAGE_LONG_COLUMNS",
    "RANKING_COLUMNS",
    "SCENARIO_ASSESSMENT_COLUMNS",
    "STATUS_COLOURS",
    "TARGET_COLUMNS",
    "UNMATCHED_EVIDENCE_COLUMNS",
    "UTILISATION_FRAME_COLUMNS",
    "FocusColumn",
    "FocusCondition",
    "FocusTest",
    "ProviderFinding",
    "ProviderReport",
    "agreement_report",
    "agreement_rows",
    "agreement_table",
    "assessment_data",
    "assessment_rows",
    "assessment_table",
    "availability_chart",
    "capacity_chart",
    "capacity_left_out_note",
    "capacity_plan_data",
    "capacity_plan_table",
    "catalogue_rows",
    "catalogue_table",
    "check_focus",
    "confirmation_markdown",
    "cost_frame",
    "cost_profile_csv",
    "cost_profile_data",
    "cost_profile_rows",
    "cost_profile_table",
    "evidence_frame",
    "evidence_state",
    "exit_plan_data",
    "exit_plan_table",
    "focus_columns",
    "focus_rows",
    "format_elapsed",
    "gap_rows",
    "incident_report",
    "incident_rows",
    "incident_table",
    "left_out_note",
    "offering_rows",
    "offerings_table",
    "onboarding_plan_data",
    "onboarding_plan_table",
    "plot_coverage_matrix",
    "plot_evidence_freshness",
    "plot_improvements",
    "plot_process_coverage",
    "provider_report",
    "provider_report_data",
    "provider_report_markdown",
    "ranking_columns",
    "ranking_data",
    "ranking_rows",
    "ranking_table",
    "read_focus",
    "removal_plan_data",
    "removal_plan_table",
    "service_report_data",
    "service_report_markdown",
    "to_frame",
    "transfer_summary_data",
    "transfer_summary_markdown",
    "utilisation_frame",
    "write_focus",
]
