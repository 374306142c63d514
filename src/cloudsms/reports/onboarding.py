"""A customer's onboarding plan for people and tools (S08).

`plan_onboarding` returns data; these functions write what ``cloudsms onboarding
plan`` prints:

- `onboarding_plan_data`: an `cloudsms.procedures.onboarding.OnboardingPlan` as
  JSON-ready data with a fixed shape (documented in ``docs/cli.md``, "Onboarding"):
  the agreement and parties, the deployment model and tenancy, the start, the
  services, the traced requirements the verification gate checks, and each activity
  with its kind, owner, deadline, prerequisites and what it is.
- `onboarding_plan_table`: the same plan as plain text, the activities grouped by
  owner with their deadlines and prerequisites, every text from the agreement escaped
  (`cloudsms.reports._table.escape_text`).

Serves S08 (onboarding: who does what by when, verified against the requirements)
and ISO/IEC 20000-1:2011 4.3 (the plan as a record), 6.1 and 7.1.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Any

from cloudsms._kit.checks import instance_problems, raise_problems
from cloudsms.procedures.onboarding import OnboardingPlan
from cloudsms.reports._table import escape_text, format_table

if TYPE_CHECKING:
    import datetime as dt

    from cloudsms.procedures.onboarding import OnboardingActivity

__all__ = ["onboarding_plan_data", "onboarding_plan_table"]

_WIDTH = 80
_COLUMNS = ("activity", "kind", "due")
_OWNER_TITLES = {
    "provider": "Provider",
    "customer": "Customer",
    "both": "Provider and customer together",
}


def _checked(plan: object) -> OnboardingPlan:
    raise_problems(instance_problems(plan, OnboardingPlan, "$.plan"), "Onboarding plan report")
    return plan  # type: ignore[return-value]


def _activity_data(activity: OnboardingActivity) -> dict[str, Any]:
    return {
        "key": activity.key,
        "kind": activity.kind.value,
        "owner": activity.owner,
        "owner_from": activity.owner_from,
        "agreement_activity": (
            None if activity.agreement_activity is None else activity.agreement_activity.value
        ),
        "due": activity.due.isoformat(),
        "prerequisites": list(activity.prerequisites),
        "services": list(activity.services),
        "what": activity.what,
    }


def onboarding_plan_data(plan: OnboardingPlan) -> dict[str, Any]:
    """The plan as JSON-ready data with a fixed shape (the keys never depend on values).

    Keys, in order: ``agreement`` (``id``, ``version``), ``parties``
    (``provider``, ``customer``), ``timezone``, ``deployment_model``, ``tenancy``,
    ``start``, ``services``, ``requirements`` (the traced requirement ids the gate
    checks) and ``activities`` (in plan order: ``key``, ``kind``, ``owner``,
    ``owner_from`` (``"agreement"`` or ``"template"``), ``agreement_activity`` (the
    agreement activity it carries out, or null), ``due``, ``prerequisites``,
    ``services``, ``what``). Instants are ISO 8601 text with the agreement's
    offset. Serves S08.

    Raises:
        ValidationError: ``plan`` is not an `OnboardingPlan` (``$.plan``).
    """
    p = _checked(plan)
    return {
        "agreement": {"id": p.agreement_id, "version": p.agreement_version},
        "parties": {"provider": p.provider, "customer": p.customer_id},
        "timezone": p.timezone,
        "deployment_model": p.deployment_model.value,
        "tenancy": p.tenancy.value,
        "start": p.start.isoformat(),
        "services": list(p.services),
        "requirements": list(p.requirement_ids),
        "activities": [_activity_data(a) for a in p.activities],
    }


def _when(value: dt.datetime) -> str:
    """An instant for the table: date, time to the minute (seconds if any) and offset."""
    clock = value.strftime("%H:%M:%S" if value.second or value.microsecond else "%H:%M")
    offset = value.isoformat()[len(value.replace(tzinfo=None).isoformat()) :]
    return f"{value.date().isoformat()} {clock}{offset}"


def _wrapped(label: str, value: str) -> list[str]:
    lead = f"  {label:<20}"
    return textwrap.wrap(
        escape_text(value), _WIDTH, initial_indent=lead, subsequent_indent=" " * len(lead)
    ) or [lead.rstrip()]


def onboarding_plan_table(plan: OnboardingPlan) -> str:
    """The plan as plain text for people: a header, then the activities grouped by owner.

    The header gives the parties, the deployment model and tenancy, the start, the
    services and the traced requirements. Then one table per owner (the provider,
    the customer, both together; an owner without activities is left out) with
    each activity's key, kind and deadline (to the minute, with the offset),
    followed by a sentence per activity saying what it is, whose responsibility
    in the agreement set its owner (when the agreement did), and the keys it
    waits for. Every text from the agreement is escaped (`escape_text`); no line is
    longer than 80 characters but a table row holding a long id. Serves S08.

    Raises:
        ValidationError: ``plan`` is not an `OnboardingPlan` (``$.plan``).
    """
    p = _checked(plan)
    lines = [
        (
            f"Onboarding plan for agreement {escape_text(p.agreement_id)},"
            f" version {p.agreement_version}"
        ),
        *_wrapped("provider", p.provider),
        *_wrapped("customer", p.customer_id),
        *_wrapped("time zone", p.timezone),
        *_wrapped("deployment model", p.deployment_model.value),
        *_wrapped("tenancy", p.tenancy.value),
        *_wrapped("start", _when(p.start)),
        *_wrapped("services", ", ".join(p.services)),
        *_wrapped("verified against", ", ".join(p.requirement_ids) or "no traced requirements"),
    ]
    for owner, activities in p.by_owner().items():
        lines += ["", _OWNER_TITLES[owner]]
        rows = [
            {
                "activity": a.key,
                "kind": a.kind.value,
                "due": _when(a.due),
            }
            for a in activities
        ]
        lines += ["  " + line for line in format_table(_COLUMNS, rows).split("\n")]
    lines += ["", "What each activity is, and what it waits for"]
    for activity in p.activities:
        lines += textwrap.wrap(
            escape_text(activity.what),
            _WIDTH,
            initial_indent=f"  {escape_text(activity.key)}: ",
            subsequent_indent="    ",
        )
        if activity.owner_from == "agreement" and activity.agreement_activity is not None:
            agreed = activity.agreement_activity.value
            lines.append(f"    owner: as the agreement assigns {agreed}")
        if activity.prerequisites:
            lines += textwrap.wrap(
                ", ".join(escape_text(k) for k in activity.prerequisites),
                _WIDTH,
                initial_indent="    after: ",
                subsequent_indent="      ",
            )
    return "\n".join(lines)
