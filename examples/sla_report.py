"""A month of monitoring judged against the agreement: the customer's service report (S10).

Run it with ``python examples/sla_report.py`` from the repository's root (it takes
about a second). It takes the agreement of ``examples/agreement.py`` (a CRM service at
99.99 % availability with credits, and an 8-hour resolution target for P1 incidents),
reads October 2026's monitoring data from ``examples/data/sla/`` (outages, maintenance
windows, measurements and events kept as CSV files) with `read_observations`, adds the
P1 incident the service desk recorded for the first outage, built here in Python,
judges every target with `evaluate`, and prints the customer's monthly service report
in Markdown, followed by the provider's report of breaches, near misses and credits.

From a shell, ``cloudsms sla report AGREEMENT.json examples/data/sla --period 2026-10``
prints the same customer report once the incident is in a records file given with
``--records RECORDS.json`` (the file ``cloudsms incident list`` reads); without it the
report has no incidents, and the P1 resolution target is not judged.

Serves S10 (monitor and report the cloud services) on the terms of S07 and the
records of S09; ISO/IEC 20000-1:2011 6.1, 6.2, 6.3 and 8.1.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from cloudsms.lifecycle import advance
from cloudsms.monitoring import Observations
from cloudsms.monitoring.evaluation import evaluate
from cloudsms.monitoring.files import read_observations
from cloudsms.operations import Incident
from cloudsms.periods import Period
from cloudsms.reports import (
    provider_report,
    provider_report_markdown,
    service_report_markdown,
)

if TYPE_CHECKING:
    from cloudsms.agreements import CloudServiceAgreement

DATA = Path(__file__).with_name("data") / "sla"
"""The October 2026 monitoring data of the example: outages, maintenance, measurements."""


def _agreement_example():  # noqa: ANN202 - a module loaded from its file
    """examples/agreement.py, beside this file, loaded by its path (its builders are reused)."""
    name = "cloudsms_agreement_example"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("agreement.py"))
    assert spec is not None  # noqa: S101 - the file is beside this one
    assert spec.loader is not None  # noqa: S101
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def at(text: str) -> dt.datetime:
    """An instant from ISO 8601 text with its offset (``"2026-10-07T09:12:00+02:00"``)."""
    return dt.datetime.fromisoformat(text)


def incident(agreement: CloudServiceAgreement) -> Incident:
    """The P1 incident behind the outage of 7 October: opened 09:12, restored 09:38."""
    opened = Incident(
        id="inc-2026-1007",
        agreement_id=agreement.id,
        priority="P1",
        summary="The CRM does not answer",
        services={"crm-service"},
        customers={agreement.customer_id},
        opened_at=at("2026-10-07T09:12:00+02:00"),
    )
    for event, when in (
        ("acknowledge", "2026-10-07T09:15:00+02:00"),
        ("restore", "2026-10-07T09:38:00+02:00"),
        ("resolve", "2026-10-07T10:05:00+02:00"),
    ):
        opened = advance(opened, event, who="actor:desk-1", when=at(when))
    return opened


def main() -> None:
    """Read the data, judge October 2026 and print the customer's and the provider's reports."""
    example = _agreement_example()
    agreement: CloudServiceAgreement = example.agree(example.catalogue())
    monitored = read_observations(DATA)
    observations = monitored.merged(Observations(incidents=[incident(agreement)]))
    october = Period.month(2026, 10, agreement.timezone)
    report = evaluate(agreement, observations, october)
    print(service_report_markdown(report, agreement, observations))
    provider = provider_report([report], near_miss="0.05 %")
    print(provider_report_markdown(provider), end="")


if __name__ == "__main__":
    main()
