"""A transfer's summary for people and tools (S14, designed by cloudsms).

Designed by cloudsms; the TR's guidance for S14 is not in our source. A
`cloudsms.procedures.transfer.TransferProcedure` holds everything on its trail;
these functions read it:

- `transfer_summary_data`: JSON-ready data with a fixed shape: the parties and the
  receiver, what the transfer moves and in which formats, each export standing
  (category, format, size, SHA-256, where, when), the categories still to export,
  the transition plan in force, the rejections, the receiver's acceptance with its
  checksums, the exit procedure started from it and the trail's head hash. Every
  instant is ISO 8601 text.
- `transfer_summary_markdown`: the same as a Markdown document, every text from a
  record escaped (control characters and Markdown's marks).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cloudsms._kit.checks import instance_problems, raise_problems
from cloudsms.procedures.transfer import TransferProcedure
from cloudsms.reports.termination import _md

if TYPE_CHECKING:
    import datetime as dt

__all__ = ["transfer_summary_data", "transfer_summary_markdown"]


def _checked(procedure: object) -> TransferProcedure:
    raise_problems(
        instance_problems(procedure, TransferProcedure, "$.procedure"), "Transfer summary"
    )
    return procedure  # type: ignore[return-value]


def _instant(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def transfer_summary_data(procedure: TransferProcedure) -> dict[str, Any]:
    """The transfer as JSON-ready data: scope, exports, plan, rejections, acceptance, exit (S14).

    Raises:
        ValidationError: ``procedure`` is not a `TransferProcedure` (``$.procedure``).

    Examples:
        >>> import datetime as dt, pathlib
        >>> from cloudsms.agreements import CloudServiceAgreement
        >>> from cloudsms.serialization import from_json
        >>> text = pathlib.Path("examples/data/resources/agreement.json").read_text()
        >>> p = TransferProcedure.initiate(
        ...     from_json(CloudServiceAgreement, text),
        ...     receiver="Stratus Cloud",
        ...     receiver_kind="provider",
        ...     categories=["customer data"],
        ...     who="actor:globex-it",
        ...     when=dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC),
        ... )
        >>> data = transfer_summary_data(p)
        >>> data["state"], data["pending"], data["export_formats"]
        ('exporting', ['customer data'], ['CSV', 'JSON'])
    """
    p = _checked(procedure)
    scope, plan = p.scope, p.plan
    return {
        "procedure_id": p.id,
        "state": p.state,
        "agreement_id": scope.agreement_id,
        "agreement_version": scope.agreement_version,
        "customer_id": scope.customer_id,
        "provider": scope.provider,
        "receiver": scope.receiver,
        "receiver_kind": scope.receiver_kind.value,
        "timezone": scope.timezone,
        "opened_at": scope.opened_at.isoformat(),
        "service_ids": list(scope.service_ids),
        "categories": [c.value for c in scope.categories],
        "export_formats": list(scope.export_formats),
        "exports": [
            {
                "category": e.category.value,
                "format": e.format,
                "size": e.size,
                "sha256": e.sha256,
                "location": e.location,
                "at": e.at.isoformat(),
            }
            for e in p.exports.values()
        ],
        "pending": [c.value for c in p.pending],
        "plan": None
        if plan is None
        else {
            "cut_over_start": plan.cut_over_start.isoformat(),
            "cut_over_end": plan.cut_over_end.isoformat(),
            "parallel_run_until": _instant(plan.parallel_run_until),
            "rollback": plan.rollback,
        },
        "parallel_run_started": _instant(p.parallel_run_started),
        "cut_over_at": _instant(p.cut_over_at),
        "rejections": [
            {
                "reason": r.reason,
                "categories": [c.value for c in r.categories],
                "at": r.at.isoformat(),
            }
            for r in p.rejections
        ],
        "accepted_at": _instant(p.accepted_at),
        "acceptance": {c.value: checksum for c, checksum in p.acceptance.items()},
        "exit_id": p.exit_id,
        "head": p.lifecycle.head,
    }


def _plan_lines(data: dict[str, Any]) -> list[str]:
    plan = data["plan"]
    lines = ["## Transition plan", ""]
    if plan is None:
        return [*lines, "No plan in force.", ""]
    until = plan["parallel_run_until"]
    lines += [
        f"- Cut-over window: {plan['cut_over_start']} up to {plan['cut_over_end']}",
        f"- Parallel run: {'none' if until is None else 'until ' + until}",
        f"- Rollback: {_md(plan['rollback'])}",
    ]
    if data["parallel_run_started"] is not None:
        lines.append(f"- Parallel run started: {data['parallel_run_started']}")
    if data["cut_over_at"] is not None:
        lines.append(f"- Cut over: {data['cut_over_at']}")
    return [*lines, ""]


def transfer_summary_markdown(procedure: TransferProcedure) -> str:
    """The transfer as a Markdown document for people (S14).

    A heading naming the customer, the agreement and the receiver; the procedure's
    state and opening; a table of the exports standing with their checksums (and
    the categories still to export); the transition plan; the rejections; the
    acceptance; the exit procedure started, if any; the trail's head hash.

    Raises:
        ValidationError: ``procedure`` is not a `TransferProcedure` (``$.procedure``).
    """
    data = transfer_summary_data(procedure)
    kind = "in-house" if data["receiver_kind"] == "in-house" else "another provider"
    lines = [
        (
            f"# Transfer: {_md(data['customer_id'])}, agreement {_md(data['agreement_id'])},"
            f" to {_md(data['receiver'])}"
        ),
        "",
        f"- Procedure: {_md(data['procedure_id'])} ({data['state']})",
        f"- From {_md(data['provider'])} to {_md(data['receiver'])} ({kind})",
        f"- Opened: {data['opened_at']} (agreement version {data['agreement_version']})",
        f"- Categories moved: {', '.join(data['categories'])}",
        f"- Agreed export formats: {', '.join(_md(f) for f in data['export_formats'])}",
        "",
        "## Exports",
        "",
    ]
    if data["exports"]:
        lines += [
            "| category | format | bytes | SHA-256 | where | at |",
            "|---|---|---:|---|---|---|",
        ]
        lines += [
            f"| {e['category']} | {_md(e['format'])} | {e['size']} | `{e['sha256']}` |"
            f" {_md(e['location'])} | {e['at']} |"
            for e in data["exports"]
        ]
    else:
        lines.append("None yet.")
    if data["pending"]:
        lines += ["", f"Still to export: {', '.join(data['pending'])}."]
    lines += ["", *_plan_lines(data), "## Rejections", ""]
    if data["rejections"]:
        lines += [
            f"- {r['at']}: {_md(r['reason'])} (export again: {', '.join(r['categories'])})"
            for r in data["rejections"]
        ]
    else:
        lines.append("None.")
    lines += ["", "## Acceptance", ""]
    if data["accepted_at"] is None:
        lines.append("Not accepted: the source deletes nothing and starts no exit.")
    else:
        lines += [
            f"Accepted on {data['accepted_at']}; the receiver's checksums equal the exports':",
            "",
        ]
        lines += [f"- {c}: `{s}`" for c, s in data["acceptance"].items()]
    lines += ["", "## Exit of the source", ""]
    lines.append(
        "Not started." if data["exit_id"] is None else f"Exit procedure {_md(data['exit_id'])}."
    )
    lines += ["", f"Trail head: `{data['head']}`"]
    return "\n".join(lines) + "\n"
