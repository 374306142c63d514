r"""An exit plan and a written exit confirmation for people and tools (S13).

The procedure returns data; these functions read it and write what the
``cloudsms exit`` commands print:

- `exit_plan_data`: an `cloudsms.procedures.termination.ExitPlan` as JSON-ready
  data with a fixed shape (documented in ``docs/cli.md``, "Exit"): the parties,
  who gives notice and why, every date as ISO 8601 text in the agreement's zone,
  whether the termination is early and the charge it owes, the windows and formats,
  the terms the plan was computed on, and each step with its owner, opening,
  deadline and a sentence saying what it is.
- `exit_plan_table`: the same plan as plain text, every text from the agreement
  escaped (`cloudsms.reports._table.escape_text`) and no line longer than 80.
- `confirmation_markdown`: an `cloudsms.procedures.termination.ExitConfirmation`,
  the written confirmation, as a Markdown document: the parties and dates, each
  exit criterion with the trail entries that prove it (event, time, index and
  hash), and each category of data kept under a legal hold with its basis and
  review date. Text from a record is escaped for Markdown as well.

Serves S13 (terminate a contract: the dates and charge known before notice, and a
written confirmation that the exit criteria are met and the data removed) and
ISO/IEC 20000-1:2011 6.1, 7.1 and 4.3 (records that prove what was done).
"""

from __future__ import annotations

import re
import textwrap
from typing import TYPE_CHECKING, Any

from cloudsms._foundation.exact import plain
from cloudsms._kit.checks import instance_problems, raise_problems
from cloudsms._kit.durations import format_duration
from cloudsms.agreements import TerminatingParty
from cloudsms.procedures.termination import ExitConfirmation, ExitPlan
from cloudsms.reports._table import escape_text, format_table

if TYPE_CHECKING:
    import datetime as dt

    from dateutil.relativedelta import relativedelta

    from cloudsms.agreements import EarlyTerminationCharge
    from cloudsms.money import Money
    from cloudsms.procedures.termination import ExitCriterion, ExitStep

__all__ = ["confirmation_markdown", "exit_plan_data", "exit_plan_table"]

_WIDTH = 80
_STEP_COLUMNS = ("step", "owner", "opens", "due")


def _checked_plan(plan: object) -> ExitPlan:
    raise_problems(instance_problems(plan, ExitPlan, "$.plan"), "Exit plan report")
    return plan  # type: ignore[return-value]


# ---------------------------------------------------------------------- data
def _money(value: Money | None) -> dict[str, str] | None:
    return None if value is None else {"amount": plain(value.amount), "currency": value.currency}


def _length(value: relativedelta | None) -> str | None:
    return None if value is None else format_duration(value)


def _instant(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _charge_terms(charge: EarlyTerminationCharge | None) -> dict[str, Any] | None:
    if charge is None:
        return None
    return {
        "kind": charge.kind.value,
        "amount": _money(charge.amount),
        "percent": None if charge.percent is None else plain(charge.percent),
    }


def _step_data(step: ExitStep) -> dict[str, Any]:
    return {
        "step": step.step.value,
        "owner": step.owner,
        "opens": _instant(step.opens),
        "due": _instant(step.due),
        "what": step.what,
    }


def exit_plan_data(plan: ExitPlan) -> dict[str, Any]:
    """The plan as JSON-ready data with a fixed shape (the keys never depend on values).

    Keys, in order: ``agreement`` (``id``, ``version``, and ``start`` and ``end``:
    the term the dates are counted from, ``end`` ``null`` for an open-ended
    agreement), ``parties`` (``provider``,
    ``customer``), ``timezone``, ``initiated_by``, ``reason``, ``notice_at``,
    ``effective_at``, ``minimum_term_ends``, ``early``, ``charge``,
    ``withdrawable``, ``retrieval_ends``, ``retention_ends``, ``export_formats``,
    ``backup_retention``, ``terms`` (``notice_period``, ``minimum_term``,
    ``early_termination_charge``, ``retrieval_window``, ``retention_window``: the
    terms in force at notice) and ``steps`` (one per step, in order: ``step``,
    ``owner``, ``opens``, ``due``, ``what``). Instants are ISO 8601 text with the
    agreement's offset; Money is ``{"amount": "900.00", "currency": "EUR"}``;
    lengths are ISO 8601 durations; absent values are ``null``. Serves S13.

    Raises:
        ValidationError: ``plan`` is not an `ExitPlan` (``$.plan``).
    """
    p = _checked_plan(plan)
    return {
        "agreement": {
            "id": p.agreement_id,
            "version": p.agreement_version,
            "start": _instant(p.agreement_start),
            "end": _instant(p.agreement_end),
        },
        "parties": {"provider": p.provider, "customer": p.customer_id},
        "timezone": p.timezone,
        "initiated_by": p.initiated_by.value,
        "reason": None if p.reason is None else p.reason.value,
        "notice_at": _instant(p.notice_at),
        "effective_at": _instant(p.effective_at),
        "minimum_term_ends": _instant(p.minimum_term_ends),
        "early": p.early,
        "charge": _money(p.charge),
        "withdrawable": p.withdrawable,
        "retrieval_ends": _instant(p.retrieval_ends),
        "retention_ends": _instant(p.retention_ends),
        "export_formats": list(p.export_formats),
        "backup_retention": p.backup_retention.value,
        "terms": {
            "notice_period": format_duration(p.termination.notice_period),
            "minimum_term": _length(p.termination.minimum_term),
            "early_termination_charge": _charge_terms(p.termination.early_termination_charge),
            "retrieval_window": format_duration(p.exit.retrieval_window),
            "retention_window": format_duration(p.exit.retention_window),
        },
        "steps": [_step_data(s) for s in p.steps],
    }


# ---------------------------------------------------------------------- table
def _when(value: dt.datetime | None, absent: str = "no date") -> str:
    """An instant for the table: date, time to the minute (seconds if any) and offset."""
    if value is None:
        return absent
    clock = value.strftime("%H:%M:%S" if value.second or value.microsecond else "%H:%M")
    if value.microsecond:
        clock += f".{value.microsecond:06d}"
    offset = value.isoformat()[len(value.replace(tzinfo=None).isoformat()) :]
    return f"{value.date().isoformat()} {clock}{offset}"


def _wrapped(label: str, value: str, indent: str = "  ") -> list[str]:
    lead = f"{indent}{label:<20}"
    return textwrap.wrap(
        escape_text(value), _WIDTH, initial_indent=lead, subsequent_indent=" " * len(lead)
    ) or [lead.rstrip()]


def _charge_text(plan: ExitPlan) -> str:
    if plan.charge is not None:
        return str(plan.charge)
    if not plan.early:
        return "none: the termination is not early"
    if plan.termination.early_termination_charge is None:
        return "none: the terms define no early-termination charge"
    if plan.initiated_by is TerminatingParty.PROVIDER:
        return "none: the provider ends it (the charge is the customer's)"
    return "none: the agreement has no recurring charges to base it on"


def exit_plan_table(plan: ExitPlan) -> str:
    """The plan as plain text for people: the dates, the charge, then each step.

    A header block (parties, who gives notice and why, the notice and effective
    dates, the minimum term, whether it is early and the charge, withdrawal, the
    windows and formats), a table of the steps (owner, opening, deadline; instants
    to the minute, with seconds where they have any, and the offset) and a sentence
    per step. Every text from the agreement is escaped (`escape_text`); no line is
    longer than 80 characters. Serves S13.

    Raises:
        ValidationError: ``plan`` is not an `ExitPlan` (``$.plan``).
    """
    p = _checked_plan(plan)
    reason = "none given" if p.reason is None else p.reason.value
    withdrawal = f"yes, until {_when(p.effective_at)}" if p.withdrawable else "no"
    lines = [
        f"Exit plan for agreement {escape_text(p.agreement_id)}, version {p.agreement_version}",
        *_wrapped("provider", p.provider),
        *_wrapped("customer", p.customer_id),
        *_wrapped("time zone", p.timezone),
        *_wrapped("initiated by", p.initiated_by.value),
        *_wrapped("reason", reason),
        *_wrapped("notice given", _when(p.notice_at)),
        *_wrapped("effective", _when(p.effective_at)),
        *_wrapped("minimum term ends", _when(p.minimum_term_ends, "no minimum term")),
        *_wrapped("early", "yes" if p.early else "no"),
        *_wrapped("charge", _charge_text(p)),
        *_wrapped("withdrawable", withdrawal),
        *_wrapped("retrieval ends", _when(p.retrieval_ends)),
        *_wrapped("retention ends", _when(p.retention_ends)),
        *_wrapped("export formats", ", ".join(p.export_formats)),
        *_wrapped("backup kept", p.backup_retention.value),
        "",
        "Steps",
    ]
    rows = [
        {"step": s.step.value, "owner": s.owner, "opens": _when(s.opens), "due": _when(s.due)}
        for s in p.steps
    ]
    lines += ["  " + line for line in format_table(_STEP_COLUMNS, rows).split("\n")]
    lines.append("")
    for step in p.steps:
        lines += textwrap.wrap(
            escape_text(step.what),
            _WIDTH,
            initial_indent=f"  {step.step.value}: ",
            subsequent_indent="    ",
        )
    return "\n".join(lines)


# ---------------------------------------------------------------------- confirmation
# Markdown's marks, and an underscore that could open or close emphasis (not one inside a word).
_MARKDOWN_MARKS = re.compile(r"[\\`*\[\]<>|#~]|(?<![^\W_])_|_(?![^\W_])")


def _md(text: str) -> str:
    r"""Text from a record, safe in Markdown: controls escaped, Markdown's marks taken literally.

    Examples:
        >>> print(_md("legal_hold *x* a|b"))
        legal_hold \*x\* a\|b
    """
    return _MARKDOWN_MARKS.sub(lambda found: "\\" + found.group(), escape_text(text))


def _criterion_title(number: int, criterion: ExitCriterion) -> str:
    name = criterion.criterion.value
    if criterion.category is not None:
        name = f"{criterion.category.value}: deleted or held"
    return f"### {number}. {name[:1].upper()}{name[1:]}"


def _criterion_lines(number: int, criterion: ExitCriterion) -> list[str]:
    detail = _md(criterion.detail)
    lines = [
        _criterion_title(number, criterion),
        "",
        f"{detail[:1].upper()}{detail[1:]}{'' if detail.endswith('.') else '.'}",
        "",
        "| event | who | when | entry | hash |",
        "|---|---|---|---:|---|",
    ]
    lines += [
        f"| {_md(e.event)} | {_md(e.who)} | {e.when.isoformat()} | {e.index} | `{e.hash}` |"
        for e in criterion.evidence
    ]
    return [*lines, ""]


def confirmation_markdown(confirmation: ExitConfirmation) -> str:
    """The written confirmation as a Markdown document for people (S13).

    A heading naming the customer and the agreement; the parties, who gave notice
    (and the reason), the notice, effective and issue dates and the trail's head
    hash; one section per exit criterion, in order, with its detail and a table of
    the trail entries that prove it (event, the actor who recorded it, time, entry
    index and full hash, so a reader can check each against the procedure's
    trail); then the legal holds, each category with its basis and review date, or
    a line saying there are none.
    Every text from a record is escaped (control characters and Markdown's marks).

    Raises:
        ValidationError: ``confirmation`` is not an `ExitConfirmation`
            (``$.confirmation``).
    """
    raise_problems(
        instance_problems(confirmation, ExitConfirmation, "$.confirmation"),
        "Exit confirmation report",
    )
    c = confirmation
    reason = "" if c.reason is None else f", for the reason {_md(c.reason.value)}"
    lines = [
        f"# Exit confirmation: {_md(c.customer_id)}, agreement {_md(c.agreement_id)}",
        "",
        (
            f"{_md(c.provider)} (the provider) confirms to {_md(c.customer_id)} (the customer) "
            f"that every exit criterion of agreement {_md(c.agreement_id)} "
            f"(version {c.agreement_version}) is met and the data removed, except where "
            "a legal hold below keeps it."
        ),
        "",
        f"- Exit procedure: {_md(c.procedure_id)}",
        f"- Notice given by the {c.initiated_by.value} on {c.notice_at.isoformat()}{reason}",
        f"- Termination effective: {c.effective_at.isoformat()}",
        f"- Confirmation issued: {c.issued_at.isoformat()}",
        f"- Trail head after the confirmation: `{c.head}`",
        "",
        "## Exit criteria",
        "",
    ]
    for number, criterion in enumerate(c.criteria, start=1):
        lines += _criterion_lines(number, criterion)
    lines += ["## Legal holds", ""]
    if c.legal_holds:
        lines += ["| category | basis | review on |", "|---|---|---|"]
        lines += [
            f"| {h.category.value} | {_md(h.basis)} | {h.review_on.isoformat()} |"
            for h in c.legal_holds
        ]
    else:
        lines.append("None: every category of the customer's data was deleted.")
    return "\n".join(lines) + "\n"
