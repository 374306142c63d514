"""A cloud service agreement as data and as a table for people (S07).

The model returns data; these functions read a
`cloudsms.agreements.CloudServiceAgreement` and turn it into what the
``cloudsms agreement show`` command prints:

- `agreement_report`: a JSON-ready mapping with a fixed shape (documented in
  ``docs/cli.md``, "Showing an agreement"): the parties, the period, the subscribed
  services with their charges, every SLA's targets with units, measurement period,
  uptime basis, exclusions and credits, the one-off charges, and the termination and
  exit terms. Amounts are strings (exact decimals), lengths ISO 8601 durations,
  instants ISO 8601 text, sets sorted lists.
- `agreement_rows`: one row of text per target (keyed by `TARGET_COLUMNS`), for CSV,
  a DataFrame or a notebook.
- `agreement_table`: the whole agreement as plain text, every field escaped
  (`cloudsms.reports._table.escape_text`), so text from a document cannot act on a
  terminal.

Serves S07 (the agreement read the same way by people and tools) and ISO/IEC
20000-1:2011 6.1 (service level management) and 7.1 (business relationship
management).
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Any

from cloudsms._kit.checks import instance_problems, raise_problems
from cloudsms._kit.durations import format_duration
from cloudsms.agreements import CloudServiceAgreement
from cloudsms.reports._table import escape_text, format_table
from cloudsms.units import format_quantity

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Sequence

    from dateutil.relativedelta import relativedelta

    from cloudsms.agreements import (
        CreditTerms,
        EarlyTerminationCharge,
        ServiceLevelAgreement,
        ServiceTarget,
    )
    from cloudsms.money import Money

__all__ = ["TARGET_COLUMNS", "agreement_report", "agreement_rows", "agreement_table"]

TARGET_COLUMNS: Sequence[str] = (
    "sla",
    "target",
    "metric",
    "bound",
    "threshold",
    "period",
    "uptime",
    "excluded",
    "credits",
)
"""The columns of `agreement_rows`, in order."""

_WIDTH = 80


def _checked(agreement: object) -> CloudServiceAgreement:
    raise_problems(
        instance_problems(agreement, CloudServiceAgreement, "$.agreement"), "Agreement report"
    )
    return agreement  # type: ignore[return-value]


# ---------------------------------------------------------------------- data
def _money(value: Money | None) -> dict[str, str] | None:
    return None if value is None else {"amount": str(value.amount), "currency": value.currency}


def _length(value: relativedelta | None) -> str | None:
    return None if value is None else format_duration(value)


def _instant(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _credits(terms: CreditTerms | None) -> dict[str, Any] | None:
    if terms is None:
        return None
    return {
        "tiers": [
            {"worse_than": format_quantity(t.worse_than), "credit_percent": str(t.credit)}
            for t in terms.tiers
        ],
        "cap_percent": None if terms.cap_percent is None else str(terms.cap_percent),
        "cap_amount": _money(terms.cap_amount),
        "claim": terms.claim.value,
        "claim_within": _length(terms.claim_within),
    }


def _target(target: ServiceTarget) -> dict[str, Any]:
    level = target.level
    return {
        "id": target.id,
        "metric": target.metric.value,
        "measure": None if level is None else level.measure,
        "bound": None if level is None else level.bound.value,
        "threshold": None if level is None else format_quantity(level.target),
        "canonical": None
        if level is None
        else {"value": str(target.threshold), "unit": target.unit},
        "percentile": None if target.percentile is None else str(target.percentile),
        "priority": target.priority,
        "predicate": target.predicate,
        "description": target.description,
        "period": target.period.value,
        "uptime": target.uptime.value,
        "exclusions": {
            "maintenance_notice": _length(target.exclusions.maintenance_notice),
            "causes": sorted(c.value for c in target.exclusions.causes),
        },
        "credits": _credits(target.credits),
    }


def _early(charge: EarlyTerminationCharge | None) -> dict[str, Any] | None:
    if charge is None:
        return None
    return {
        "kind": charge.kind.value,
        "amount": _money(charge.amount),
        "percent": None if charge.percent is None else str(charge.percent),
    }


def agreement_report(agreement: CloudServiceAgreement) -> dict[str, Any]:
    """The agreement as JSON-ready data with a fixed shape (the keys never depend on values).

    Top-level keys, in order: ``type``, ``schema_version``, ``id``, ``version``,
    ``parties`` (``provider``, ``customer``), ``period`` (``effective_from``, ``end``,
    ``timezone``), ``services`` (one per subscription: ``service``, ``entry``,
    ``offering``, ``upgrades``, ``commitments``, ``recurring_charge``), ``slas``
    (``id``, ``services``, ``targets``), ``one_off_charges``, ``termination`` and
    ``exit``. Money is ``{"amount": "850.00", "currency": "EUR"}``; absent optional
    values are ``null``. Serves S07.

    Raises:
        ValidationError: ``agreement`` is not a `CloudServiceAgreement` (``$.agreement``).
    """
    a = _checked(agreement)
    services = []
    for s in a.subscriptions:
        charge = a.recurring_charge_for(s.service_id)
        services.append(
            {
                "service": s.service_id,
                "entry": s.entry_id,
                "offering": s.offering_id,
                "upgrades": sorted(s.upgrade_ids),
                "commitments": [
                    {"item": c.item_id, "quantity": format_quantity(c.quantity)}
                    for c in s.commitments
                ],
                "recurring_charge": None
                if charge is None
                else {**(_money(charge.amount) or {}), "every": format_duration(charge.period)},
            }
        )
    term = a.termination
    return {
        "type": type(a).__document_type__,  # type: ignore[attr-defined]
        "schema_version": type(a).__schema_version__,  # type: ignore[attr-defined]
        "id": a.id,
        "version": a.version,
        "parties": {"provider": a.provider, "customer": a.customer_id},
        "period": {
            "effective_from": _instant(a.effective_from),
            "end": _instant(a.end),
            "timezone": a.timezone,
        },
        "services": services,
        "slas": [
            {
                "id": sla.id,
                "services": sorted(sla.service_ids),
                "targets": [_target(t) for t in sla.targets],
            }
            for sla in a.slas
        ],
        "one_off_charges": [
            {"description": c.description, **(_money(c.amount) or {})} for c in a.one_off_charges
        ],
        "termination": {
            "terminable_by": term.terminable_by.value,
            "provider_reasons": sorted(r.value for r in term.provider_reasons),
            "notice_period": format_duration(term.notice_period),
            "minimum_term": _length(term.minimum_term),
            "early_termination_charge": _early(term.early_termination_charge),
            "withdrawable": term.withdrawable,
        },
        "exit": {
            "retrieval_window": format_duration(a.exit.retrieval_window),
            "export_formats": list(a.exit.export_formats),
            "retention_window": format_duration(a.exit.retention_window),
            "backup_retention": a.exit.backup_retention.value,
        },
    }


# ---------------------------------------------------------------------- rows
def _metric_text(target: ServiceTarget) -> str:
    text = target.metric.value
    if target.percentile is not None:
        text += f" (p{target.percentile})"
    if target.priority is not None:
        text += f" ({target.priority})"
    return text


def _excluded_text(target: ServiceTarget) -> str:
    parts = []
    notice = target.exclusions.maintenance_notice
    if notice is not None:
        parts.append(f"maintenance announced at least {format_duration(notice)} ahead")
    causes = sorted(c.value for c in target.exclusions.causes)
    if causes:
        parts.append(f"outages caused by {', '.join(causes)}")
    return "; ".join(parts) or "none"


def _cap_text(terms: CreditTerms) -> str:
    if terms.cap_percent is not None:
        return f"cap {terms.cap_percent} %"
    if terms.cap_amount is not None:
        return f"cap {terms.cap_amount}"
    return "cap 100 %"


def _credits_text(target: ServiceTarget) -> str:
    terms = target.credits
    if terms is None:
        return "none"
    side = "below" if target.level is None or target.level.bound.value == "at least" else "above"
    tiers = "; ".join(f"{side} {format_quantity(t.worse_than)}: {t.credit} %" for t in terms.tiers)
    claim = (
        "automatic"
        if terms.claim_within is None
        else f"claimed within {format_duration(terms.claim_within)}"
    )
    return f"{tiers}; {_cap_text(terms)}; {claim}"


def _row(sla: ServiceLevelAgreement, target: ServiceTarget) -> dict[str, str]:
    level = target.level
    return {
        "sla": sla.id,
        "target": target.id,
        "metric": _metric_text(target),
        "bound": "predicate" if level is None else level.bound.value,
        "threshold": (target.predicate or "") if level is None else format_quantity(level.target),
        "period": target.period.value,
        "uptime": target.uptime.value,
        "excluded": _excluded_text(target),
        "credits": _credits_text(target),
    }


def agreement_rows(agreement: CloudServiceAgreement) -> list[dict[str, str]]:
    """One row of text per target of every SLA, keyed by `TARGET_COLUMNS` (S07).

    Raises:
        ValidationError: ``agreement`` is not a `CloudServiceAgreement` (``$.agreement``).
    """
    a = _checked(agreement)
    return [_row(sla, t) for sla in a.slas for t in sla.targets]


# ---------------------------------------------------------------------- table
def _indented(table: str) -> list[str]:
    return ["  " + line for line in table.split("\n")]


def _wrapped(label: str, value: str, indent: str = "  ") -> list[str]:
    lead = f"{indent}{label:<20}"
    return textwrap.wrap(
        escape_text(value), _WIDTH, initial_indent=lead, subsequent_indent=" " * len(lead)
    ) or [lead.rstrip()]


def _early_text(charge: EarlyTerminationCharge | None) -> str:
    if charge is None:
        return "none"
    if charge.amount is not None:
        return f"{charge.kind.value}: {charge.amount}"
    if charge.percent is not None:
        return f"{charge.percent} % of the remaining charges of the minimum term"
    return "the remaining charges of the minimum term"


def agreement_table(agreement: CloudServiceAgreement) -> str:
    """The agreement as plain text for people: parties, services, targets, charges, terms.

    Every text from the agreement is escaped (`escape_text`); long terms wrap at 80
    columns. Serves S07.

    Raises:
        ValidationError: ``agreement`` is not a `CloudServiceAgreement` (``$.agreement``).
    """
    a = _checked(agreement)
    end = "open-ended" if a.end is None else f"until {a.end.isoformat()}"
    lines = [
        f"Agreement {escape_text(a.id)}, version {a.version}",
        *_wrapped("provider", a.provider),
        *_wrapped("customer", a.customer_id),
        *_wrapped("period", f"from {a.effective_from.isoformat()}, {end}"),
        *_wrapped("time zone", a.timezone),
        "",
        "Services",
    ]
    services = []
    for s in a.subscriptions:
        charge = a.recurring_charge_for(s.service_id)
        services.append(
            {
                "service": s.service_id,
                "entry": s.entry_id,
                "offering": s.offering_id,
                "upgrades": ", ".join(sorted(s.upgrade_ids)) or "none",
                "charge": "none"
                if charge is None
                else f"{charge.amount} every {format_duration(charge.period)}",
            }
        )
    lines += _indented(
        format_table(("service", "entry", "offering", "upgrades", "charge"), services)
    )
    for sla in a.slas:
        lines += [
            "",
            f"SLA {escape_text(sla.id)} for {escape_text(', '.join(sorted(sla.service_ids)))}",
        ]
        rows = [_row(sla, t) for t in sla.targets]
        lines += _indented(
            format_table(("target", "metric", "bound", "threshold", "period"), rows)
        )
        for row in rows:
            lines += ["", f"  {escape_text(row['target'])}"]
            lines += _wrapped("expected up", row["uptime"], "    ")
            lines += _wrapped("excluded", row["excluded"], "    ")
            lines += _wrapped("credits", row["credits"], "    ")
    lines += ["", "One-off charges"]
    if a.one_off_charges:
        lines += [
            line for c in a.one_off_charges for line in _wrapped(str(c.amount), c.description)
        ]
    else:
        lines.append("  none")
    term = a.termination
    reasons = ", ".join(sorted(r.value for r in term.provider_reasons)) or "none listed"
    lines += [
        "",
        "Termination",
        *_wrapped("terminable by", term.terminable_by.value),
        *_wrapped("provider reasons", reasons),
        *_wrapped("notice period", format_duration(term.notice_period)),
        *_wrapped("minimum term", _length(term.minimum_term) or "none"),
        *_wrapped("early termination", _early_text(term.early_termination_charge)),
        *_wrapped("withdrawable", "yes" if term.withdrawable else "no"),
        "",
        "Exit",
        *_wrapped("retrieval window", format_duration(a.exit.retrieval_window)),
        *_wrapped("export formats", ", ".join(a.exit.export_formats)),
        *_wrapped("retention window", format_duration(a.exit.retention_window)),
        *_wrapped("backup kept", a.exit.backup_retention.value),
    ]
    return "\n".join(lines)
