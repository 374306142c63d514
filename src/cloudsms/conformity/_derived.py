"""Evidence derived from the model's own objects, never typed in (S12).

Three functions turn a result of the model into `Evidence`, each only when the
result shows what it should: a service report of a period that has ended
(`evidence_from_service_report`), an audit trail that verifies
(`evidence_from_trail`), an agreement with nothing the catalogue contradicts
(`evidence_from_agreement`). Which clauses each kind supports is data, in the
tables below; the tests check every number against `cloudsms.reference`.

The trail function takes a `cloudsms.lifecycle.LifecycleInstance`, so this
module never imports the procedures that make one (an exit procedure's, an
onboarding's).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import TYPE_CHECKING

from cloudsms.agreements import CloudServiceAgreement, check_agreement
from cloudsms.catalogue import Catalogue
from cloudsms.conformity._records import DERIVED_CLAUSES, Evidence, EvidenceKind
from cloudsms.errors import Problem, UnknownReference, ValidationError, describe
from cloudsms.lifecycle import LifecycleInstance, verify
from cloudsms.monitoring import ServiceLevelReport
from cloudsms.reference import DEFAULT_EDITION, shipped

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "DERIVED_CLAUSES",
    "TRAIL_SCENARIOS",
    "evidence_from_agreement",
    "evidence_from_service_report",
    "evidence_from_trail",
]

TRAIL_SCENARIOS: Mapping[str, str] = {"exit_procedure": "S13", "onboarding": "S08"}
"""The scenario a lifecycle's trail is evidence for, by lifecycle name.

An exit procedure's trail supports the clauses S13 cites; an onboarding's those S08
cites. A trail of any other lifecycle names its scenario (``scenario=``)."""

_SUBJECT = "derived evidence"


def _default_id(kind: EvidenceKind, source_ref: str) -> str:
    """A stable id for derived evidence: its kind and a digest of what it came from."""
    digest = hashlib.sha256(source_ref.encode()).hexdigest()[:16]
    return f"{kind.value}:{digest}"


def _made(
    *,
    kind: EvidenceKind,
    evidence_id: str | None,
    title: str,
    supports: tuple[str, ...],
    provided_by: str,
    collected_at: dt.datetime,
    valid_until: dt.date | None,
    source_ref: str,
) -> Evidence:
    return Evidence(
        id=_default_id(kind, source_ref) if evidence_id is None else evidence_id,
        kind=kind,
        title=title,
        supports=supports,
        edition=DEFAULT_EDITION,
        provided_by=provided_by,
        collected_at=collected_at,
        valid_until=valid_until,
        source_ref=source_ref,
    )


def evidence_from_service_report(
    report: ServiceLevelReport,
    *,
    provided_by: str,
    id: str | None = None,  # noqa: A002 - the evidence's id, as the record names it
    valid_until: dt.date | None = None,
) -> Evidence:
    """Evidence that service levels were reported: a report of a period that has ended (S10, S12).

    Supports 6.1 and 6.2 (`DERIVED_CLAUSES`); collected when the report was read
    (``report.as_of``); ``source_ref`` names the agreement, the version of its terms
    and the period. The id is ``service_report:`` and a digest of that reference
    unless given.

    Raises:
        ValidationError: ``report`` is not a `cloudsms.monitoring.ServiceLevelReport`,
            or reports a period not yet ended (``report.note`` is set), at
            ``$.report``; a bad ``provided_by``, ``id`` or ``valid_until``, at its
            field's path.
    """
    given: object = report
    if not isinstance(given, ServiceLevelReport):
        raise ValidationError.single(
            "$.report", "a ServiceLevelReport", describe(given), subject=_SUBJECT
        )
    if report.note is not None:
        raise ValidationError.single(
            "$.report",
            "a report of a period that has ended (evaluated at or after its end)",
            f"a report read before its period ended: {report.note}",
            subject=_SUBJECT,
        )
    period = report.period
    span = f"{period.start.isoformat()}/{period.end.isoformat()}"
    source_ref = (
        f"service report: agreement {report.agreement_id} "
        f"version {report.agreement_version}, period {span}"
    )
    return _made(
        kind=EvidenceKind.SERVICE_REPORT,
        evidence_id=id,
        title=f"Service level report of agreement {report.agreement_id} for {span}",
        supports=DERIVED_CLAUSES[EvidenceKind.SERVICE_REPORT],
        provided_by=provided_by,
        collected_at=report.as_of,
        valid_until=valid_until,
        source_ref=source_ref,
    )


def evidence_from_agreement(
    agreement: CloudServiceAgreement,
    catalogue: Catalogue,
    *,
    provided_by: str,
    collected_at: dt.datetime,
    id: str | None = None,  # noqa: A002 - the evidence's id, as the record names it
    valid_until: dt.date | None = None,
) -> Evidence:
    """Evidence that an agreement holds against the catalogue (S07, S12).

    `cloudsms.agreements.check_agreement` must find nothing; then the evidence
    supports 6.1 and 7.1 (`DERIVED_CLAUSES`), and ``source_ref`` names the
    agreement and its version.

    Raises:
        ValidationError: ``agreement`` or ``catalogue`` is of the wrong type, or
            every problem the check found, each under ``$.agreement``
            (``$.agreement.slas[0].targets[1]``); a bad ``provided_by``,
            ``collected_at``, ``id`` or ``valid_until`` at its field's path.
    """
    agreement_given: object = agreement
    catalogue_given: object = catalogue
    wrong: list[Problem] = []
    if not isinstance(agreement_given, CloudServiceAgreement):
        wrong.append(Problem("$.agreement", "a CloudServiceAgreement", describe(agreement_given)))
    if not isinstance(catalogue_given, Catalogue):
        wrong.append(Problem("$.catalogue", "a Catalogue", describe(catalogue_given)))
    if wrong:
        raise ValidationError(wrong, subject=_SUBJECT)
    found = check_agreement(agreement, catalogue)
    if found:
        raise ValidationError(
            [p._replace(path="$.agreement" + p.path[1:]) for p in found], subject=_SUBJECT
        )
    source_ref = f"agreement {agreement.id} version {agreement.version}"
    return _made(
        kind=EvidenceKind.AGREEMENT,
        evidence_id=id,
        title=(
            f"Agreement {agreement.id} (version {agreement.version}) with "
            f"{agreement.customer_id}, checked against the catalogue"
        ),
        supports=DERIVED_CLAUSES[EvidenceKind.AGREEMENT],
        provided_by=provided_by,
        collected_at=collected_at,
        valid_until=valid_until,
        source_ref=source_ref,
    )


def evidence_from_trail(
    instance: LifecycleInstance,
    *,
    provided_by: str,
    collected_at: dt.datetime,
    scenario: str | None = None,
    key: bytes | None = None,
    expected_head: str | None = None,
    id: str | None = None,  # noqa: A002 - the evidence's id, as the record names it
    valid_until: dt.date | None = None,
) -> Evidence:
    """Evidence that a procedure ran as recorded: a lifecycle trail that verifies (S12, S13).

    The trail must hold (`cloudsms.lifecycle.verify`, with ``key`` for a keyed
    trail and ``expected_head`` for a head kept elsewhere); it is evidence for the
    clauses ``scenario`` cites (directly, in `cloudsms.reference`). The scenario
    defaults by lifecycle name (`TRAIL_SCENARIOS`: an exit procedure's trail is
    S13's, an onboarding's S08's). ``collected_at`` is no earlier than the trail's
    last entry. ``source_ref`` is ``LIFECYCLE:INSTANCE@HEAD``: the head fixes the
    trail as it was when collected.

    Raises:
        ValidationError: ``instance`` is not a `LifecycleInstance`, has no entries
            (a trail that records nothing proves nothing), or its trail breaks (at
            ``$.instance``, naming the entry and why); no scenario given
            for a lifecycle `TRAIL_SCENARIOS` lacks, a scenario unknown or whose
            citations are unknown (S14, S15), at ``$.scenario``; ``collected_at``
            before the last entry; a bad key or head as `verify` says.
    """
    given: object = instance
    if not isinstance(given, LifecycleInstance):
        raise ValidationError.single(
            "$.instance", "a LifecycleInstance", describe(given), subject=_SUBJECT
        )
    if not instance.entries:
        raise ValidationError.single(
            "$.instance",
            "a trail with at least one entry (a trail that records nothing proves nothing)",
            f"{instance.lifecycle.name} {instance.id} with no entries",
            subject=_SUBJECT,
        )
    name = instance.lifecycle.name
    cited = _scenario_clauses(scenario, name)
    broken = verify(instance, expected_head=expected_head, key=key)
    if broken is not None:
        raise ValidationError.single(
            "$.instance",
            "a trail that verifies",
            f"a trail broken at {broken}",
            subject=_SUBJECT,
        )
    entries = instance.entries
    at: object = collected_at
    if entries and isinstance(at, dt.datetime) and at.tzinfo is not None:
        last = entries[-1].when
        if at.astimezone(dt.UTC) < last.astimezone(dt.UTC):
            raise ValidationError.single(
                "$.collected_at",
                f"no earlier than the trail's last entry ({last.isoformat()})",
                collected_at.isoformat(),
                subject=_SUBJECT,
            )
    scenario_id, clauses = cited
    head = instance.head
    return _made(
        kind=EvidenceKind.VERIFIED_TRAIL,
        evidence_id=id,
        title=(
            f"Verified trail of {name} {instance.id} ({len(entries)} entries, "
            f"state {instance.state}), evidence for {scenario_id}"
        ),
        supports=clauses,
        provided_by=provided_by,
        collected_at=collected_at,
        valid_until=valid_until,
        source_ref=f"{name}:{instance.id}@{head}",
    )


def _scenario_clauses(scenario: object, lifecycle: str) -> tuple[str, tuple[str, ...]]:
    """The scenario's id and the clauses of 2011 it cites directly, or a ValidationError."""
    reference = shipped()
    if scenario is None:
        wanted = TRAIL_SCENARIOS.get(lifecycle)
        if wanted is None:
            known = ", ".join(f"{k} -> {v}" for k, v in TRAIL_SCENARIOS.items())
            raise ValidationError.single(
                "$.scenario",
                f"the scenario the trail is evidence for (defaults only for {known})",
                f"null, for a trail of lifecycle {lifecycle!r}",
                subject=_SUBJECT,
            )
        scenario = wanted
    try:
        found = reference.scenario(scenario)  # type: ignore[arg-type]
    except UnknownReference as exc:
        raise ValidationError.single(
            "$.scenario", "a scenario id such as 'S13'", describe(scenario), subject=_SUBJECT
        ) from exc
    clauses = tuple(
        c.number for c in reference.clauses_cited_by(found.id) if c.edition == DEFAULT_EDITION
    )
    if not found.citations_known or not clauses:
        raise ValidationError.single(
            "$.scenario",
            "a scenario whose cited clauses are known (a trail supports those)",
            f"{found.id}, whose citations are unknown",
            subject=_SUBJECT,
        )
    return found.id, clauses
