"""What the monitoring, report and CLI tests of S10 build alike, built in one place.

The example agreement (``examples/agreement.py``, loaded once), the example month's
monitoring files, incidents and service requests moved through their lifecycles by
event, a records file as ``cloudsms incident list`` and ``cloudsms sla report
--records`` read it, and the keys of a service report's data. Not a test module:
the tests import it (``from _monitoring_fixtures import ...``).
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.util
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from cloudsms.lifecycle import advance
from cloudsms.operations import Incident, ServiceRequest
from cloudsms.serialization import to_dict

if TYPE_CHECKING:
    from collections.abc import Iterable
    from types import ModuleType

    from cloudsms.agreements import CloudServiceAgreement

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "agreement.py"
SLA_DATA = ROOT / "examples" / "data" / "sla"
"""The example's monitoring files for October 2026 (outages, maintenance, measurements)."""
WHO = "actor:desk-1"
"""The service desk actor that moves every record built here."""

REPORT_KEYS = (
    "agreement",
    "version",
    "customer",
    "period",
    "as_of",
    "note",
    "targets",
    "availability",
    "incidents",
    "requests",
    "breaches",
    "credits",
    "notices",
    "expired",
    "unmatched",
)
"""The keys of `cloudsms.reports.service_report_data` and ``sla report --format json``."""

_Record = TypeVar("_Record", Incident, ServiceRequest)

Step = tuple[str, str] | tuple[str, str, dict[str, Any] | None]
"""A lifecycle event and the instant it happened (ISO 8601 text), with the event's data."""


def at(text: str) -> dt.datetime:
    """An instant from ISO 8601 text; UTC where the text has no offset."""
    parsed = dt.datetime.fromisoformat(text)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=dt.UTC)


@functools.cache
def example() -> ModuleType:
    """``examples/agreement.py`` as a module (its ``catalogue`` and ``agree`` builders)."""
    spec = importlib.util.spec_from_file_location("monitoring_fixtures_example", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def example_agreement() -> CloudServiceAgreement:
    """The example agreement: csa-2026-001 with globex, the CRM at 99.99 % and P1 in 8 h."""
    module = example()
    agreement: CloudServiceAgreement = module.agree(module.catalogue())
    return agreement


def _moved(record: _Record, steps: Iterable[Step]) -> _Record:
    """``record`` after each step's event, in turn."""
    for step in steps:
        event, when = step[0], step[1]
        data = step[2] if len(step) == 3 else None
        record = advance(record, event, who=WHO, when=at(when), data=data)
    return record


def incident(
    ident: str,
    opened: str,
    *steps: Step,
    agreement_id: str,
    priority: str = "P1",
    summary: str = "Logins fail",
    services: Iterable[str] = ("crm-service",),
    **fields: Any,
) -> Incident:
    """An incident on the CRM (by default) opened at ``opened``, after each step in turn."""
    made = Incident(
        id=ident,
        agreement_id=agreement_id,
        priority=priority,
        summary=summary,
        services=set(services),
        opened_at=at(opened),
        **fields,
    )
    return _moved(made, steps)


def service_request(
    ident: str,
    asked: str,
    *steps: Step,
    agreement_id: str,
    customer_id: str = "globex",
    requested_by: str = "globex-ana",
    summary: str = "Access for a new colleague",
) -> ServiceRequest:
    """A request for a new user made at ``asked``, after each step in turn."""
    made = ServiceRequest(
        id=ident,
        agreement_id=agreement_id,
        customer_id=customer_id,
        requested_by=requested_by,
        kind="new-user",
        summary=summary,
        requested_at=at(asked),
    )
    return _moved(made, steps)


def records_document(
    incidents: Iterable[Incident] = (), requests: Iterable[ServiceRequest] = ()
) -> dict[str, list[Any]]:
    """A records file's content: each kind's documents as cloudsms writes them."""
    return {
        "incidents": [to_dict(i) for i in incidents],
        "requests": [to_dict(r) for r in requests],
    }
