"""Amendments of a cloud service agreement: consent, notice, and the terms in force (S07).

Serves S07 (an agreed term changes only with the customer's consent, or where the
agreement allows it, after the provider's notice) and ISO/IEC 20000-1:2011 6.1 and
7.1 (changes to service level and customer agreements are agreed and recorded).

- `TermKind` names every term of a `CloudServiceAgreement` that may change; its
  value is the name of the agreement's field.
- `AmendmentRule` (in the agreement's ``amendment_rules``): a term the provider may
  change by notice alone, and the least notice it must give.
- `Amendment`: a proposed new value for one term.
- `AppliedAmendment`: one entry of the agreement's ``amendments`` history: the
  amendment, the version it produced, when it took effect, how it was approved and
  the value the term had before.
- `amend` applies an amendment, `terms_on` rebuilds the terms in force at an instant.

How consent is named: the customer accepts the proposed version of the agreement as
a `cloudsms.parties.Acknowledgement` whose ``party_id`` is the agreement's
``customer_id``, whose ``terms_id`` is the agreement's ``id`` and whose ``version``
is the proposed version written as decimal text (``"2"`` for the first amendment).

How the history is kept: each `AppliedAmendment` holds the new value and the
previous value of its term, both as their JSON form, so any earlier version is
rebuilt by undoing the later entries, newest first. Versions take effect in order:
an amendment may not take effect before the one recorded last.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs
from dateutil.relativedelta import relativedelta

from cloudsms._foundation.frozen import FrozenMapping
from cloudsms._foundation.instants import instant_key
from cloudsms._kit.checks import calendar_length, ident, instant
from cloudsms._kit.durations import format_duration
from cloudsms._kit.records import Check, Record
from cloudsms.agreements.terms import Notice
from cloudsms.errors import Problem, ValidationError, describe
from cloudsms.parties.acknowledgements import Acknowledgement

if TYPE_CHECKING:
    from collections.abc import Iterator

    from cloudsms.agreements.agreement import CloudServiceAgreement

__all__ = [
    "Amendment",
    "AmendmentRule",
    "AppliedAmendment",
    "TermKind",
    "amend",
    "terms_on",
]


class TermKind(enum.StrEnum):
    """Every amendable term of a `CloudServiceAgreement`, named by its field (S07).

    The id, provider, customer and start of an agreement are what it is, not terms
    it agrees, so they are not amendable; nor are ``version`` and the history.
    """

    END = "end"
    SUBSCRIPTIONS = "subscriptions"
    SLAS = "slas"
    RECURRING_CHARGES = "recurring_charges"
    ONE_OFF_CHARGES = "one_off_charges"
    RESPONSIBILITIES = "responsibilities"
    RESOURCE_LIMITS = "resource_limits"
    DATA_LOCATIONS = "data_locations"
    RESOURCE_LOCATIONS = "resource_locations"
    MONITORING_RETENTION = "monitoring_retention"
    RECORD_KEEPING = "record_keeping"
    LEGAL_TERMS = "legal_terms"
    TIMEZONE = "timezone"
    SUPPORT_HOURS = "support_hours"
    CUSTOMER_WAIT_PAUSES_CLOCKS = "customer_wait_pauses_clocks"
    PRIORITIES = "priorities"
    TERMINATION = "termination"
    EXIT = "exit"
    AMENDMENT_RULES = "amendment_rules"


@attrs.frozen(kw_only=True)
class AmendmentRule(Record):
    """The provider may change ``term`` by notice alone, giving at least ``notice`` (S07).

    ``notice`` is a calendar length (``relativedelta(days=30)``, ``months=1``),
    counted from the instant the notice is sent. A term without a rule changes only
    with the customer's consent.
    """

    term: TermKind
    notice: relativedelta = attrs.field(validator=calendar_length)

    def __hash__(self) -> int:
        return hash((self.term, format_duration(self.notice)))


def _json_problems(value: object, path: str) -> list[Problem]:
    if value is None or isinstance(value, str | bool | int):
        return []
    if isinstance(value, Mapping):
        problems: list[Problem] = []
        for key, item in value.items():
            if not isinstance(key, str):
                problems.append(Problem(path, "an object keyed by text", describe(key)))
            else:
                problems += _json_problems(item, f"{path}.{key}")
        return problems
    if isinstance(value, tuple | list):
        return [p for i, item in enumerate(value) for p in _json_problems(item, f"{path}[{i}]")]
    return [Problem(path, "a value cloudsms can write as JSON", describe(value))]


_wire_value = Check(_json_problems, total=True)


def _frozen(value: Any) -> Any:  # noqa: ANN401 - JSON data of any shape
    if isinstance(value, Mapping):
        return FrozenMapping({key: _frozen(item) for key, item in value.items()})
    if isinstance(value, list | tuple):
        return tuple(_frozen(item) for item in value)
    return value


def _thawed(value: Any) -> Any:  # noqa: ANN401 - JSON data of any shape
    if isinstance(value, Mapping):
        return {key: _thawed(item) for key, item in value.items()}
    if isinstance(value, tuple | list):
        return [_thawed(item) for item in value]
    return value


def _as_wire(value: Any) -> Any:  # noqa: ANN401 - an attrs converter takes anything
    """A term's value in its JSON form, made immutable (what JSON cannot carry stays as given)."""
    from cloudsms._kit.converter import to_dict  # noqa: PLC0415 - the converter knows every record

    try:
        return _frozen(to_dict(value))
    except ValidationError:
        return value


@attrs.frozen(kw_only=True)
class Amendment(Record):
    """A proposed change of one term: ``term`` becomes ``value`` (S07).

    ``value`` is the new value of the term, of the agreement field's own type (a
    tuple of `cloudsms.agreements.RecurringCharge` for ``recurring_charges``, a
    ``relativedelta`` for ``record_keeping``...). It is kept in its JSON form, so an
    amendment read back from JSON equals the one written; `amend` checks it by
    building the amended agreement, and reports a wrong value under ``$.value``.
    ``proposed_at`` is when it was proposed, ``proposed_by`` the id of the party
    proposing it.
    """

    term: TermKind
    value: Any = attrs.field(validator=_wire_value, converter=_as_wire)
    proposed_at: dt.datetime = attrs.field(validator=instant, eq=instant_key)
    proposed_by: str = attrs.field(validator=ident)


@attrs.frozen(kw_only=True)
class AppliedAmendment(Record):
    """One entry of an agreement's amendment history (S07).

    ``amendment`` is the change made; ``version`` the agreement version it produced;
    ``effective_at`` when that version took effect; ``previous`` the term's value
    before it, in its JSON form (what `terms_on` restores); and how it was approved:
    exactly one of ``consent`` (the customer's `Acknowledgement`) and ``notice`` (the
    provider's `Notice`, allowed by an `AmendmentRule`).
    """

    amendment: Amendment
    version: int = attrs.field(
        validator=Check(
            lambda v, p: [] if v >= 2 else [Problem(p, "a version of 2 or more", str(v))],  # noqa: PLR2004
            expected="a version number (an integer of 2 or more)",
        )
    )
    effective_at: dt.datetime = attrs.field(validator=instant, eq=instant_key)
    previous: Any = attrs.field(validator=_wire_value, converter=_as_wire)
    consent: Acknowledgement | None = None
    notice: Notice | None = None

    def _rules(self) -> Iterator[Problem]:
        """Approved by consent or by notice, one of the two."""
        if (self.consent is None) == (self.notice is None):
            given = "neither" if self.consent is None else "both"
            yield Problem("consent", "either a consent or a notice, exactly one", given)


# ---------------------------------------------------------------------- amend
_SUBJECT = "Amendment"


def _utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC)


def _consent_problems(
    agreement: CloudServiceAgreement, amendment: Amendment, consent: object
) -> list[Problem]:
    if not isinstance(consent, Acknowledgement):
        return [Problem("$.consent", "an Acknowledgement", describe(consent))]
    proposed = str(agreement.version + 1)
    problems: list[Problem] = []
    if consent.party_id != agreement.customer_id:
        problems.append(
            Problem(
                "$.consent.party_id",
                f"the agreement's customer ({agreement.customer_id!r})",
                repr(consent.party_id),
            )
        )
    if consent.terms_id != agreement.id:
        problems.append(
            Problem(
                "$.consent.terms_id",
                f"the agreement's id ({agreement.id!r})",
                repr(consent.terms_id),
            )
        )
    if consent.version != proposed:
        problems.append(
            Problem(
                "$.consent.version",
                f"the proposed version ({proposed!r})",
                repr(consent.version),
            )
        )
    if _utc(consent.accepted_at) < _utc(amendment.proposed_at):
        problems.append(
            Problem(
                "$.consent.accepted_at",
                f"an acceptance no earlier than the proposal "
                f"({amendment.proposed_at.isoformat()})",
                consent.accepted_at.isoformat(),
            )
        )
    return problems


def _notice_problems(
    agreement: CloudServiceAgreement, amendment: Amendment, notice: object
) -> list[Problem]:
    from cloudsms.periods import add_calendar  # noqa: PLC0415

    if not isinstance(notice, Notice):
        return [Problem("$.notice", "a Notice", describe(notice))]
    rule = next((r for r in agreement.amendment_rules if r.term is amendment.term), None)
    if rule is None:
        return [
            Problem(
                "$.notice",
                f"no notice: term {amendment.term.value!r} changes only with the customer's "
                "consent (no amendment rule allows a notice)",
                "a notice",
            )
        ]
    problems: list[Problem] = []
    if notice.sent_by != amendment.proposed_by or notice.sent_by == agreement.customer_id:
        problems.append(
            Problem(
                "$.notice.sent_by",
                f"the provider proposing the amendment ({amendment.proposed_by!r}), "
                "not the customer",
                repr(notice.sent_by),
            )
        )
    if agreement.customer_id not in notice.sent_to:
        problems.append(
            Problem(
                "$.notice.sent_to",
                f"a notice to the agreement's customer ({agreement.customer_id!r})",
                ", ".join(sorted(notice.sent_to)),
            )
        )
    if _utc(notice.sent_at) < _utc(amendment.proposed_at):
        problems.append(
            Problem(
                "$.notice.sent_at",
                f"a notice sent no earlier than the proposal "
                f"({amendment.proposed_at.isoformat()})",
                notice.sent_at.isoformat(),
            )
        )
    earliest = add_calendar(notice.sent_at, rule.notice)
    if _utc(notice.effective_at) < _utc(earliest):
        problems.append(
            Problem(
                "$.notice.effective_at",
                f"at least {format_duration(rule.notice)} of notice for term "
                f"{amendment.term.value!r}: no earlier than {earliest.isoformat()}",
                notice.effective_at.isoformat(),
            )
        )
    return problems


def _approval_problems(
    agreement: CloudServiceAgreement,
    amendment: Amendment,
    consent: object,
    notice: object,
) -> list[Problem]:
    if consent is not None and notice is not None:
        return [Problem("$.notice", "either a consent or a notice, not both", "both")]
    if consent is not None:
        return _consent_problems(agreement, amendment, consent)
    if notice is not None:
        return _notice_problems(agreement, amendment, notice)
    proposed = agreement.version + 1
    rule = next((r for r in agreement.amendment_rules if r.term is amendment.term), None)
    also = (
        f", or a notice of at least {format_duration(rule.notice)} from the provider"
        if rule is not None
        else ""
    )
    return [
        Problem(
            "$.consent",
            f"the customer's acknowledgement of version {proposed} of agreement "
            f"{agreement.id!r}{also}",
            "none",
        )
    ]


def _rebuilt(data: dict[str, Any], moved: str | None) -> CloudServiceAgreement:
    """The agreement from ``data``; problems of field ``moved`` are reported under ``$.value``."""
    from cloudsms._kit.converter import from_dict  # noqa: PLC0415
    from cloudsms.agreements.agreement import CloudServiceAgreement  # noqa: PLC0415

    try:
        return from_dict(CloudServiceAgreement, data)
    except ValidationError as error:
        if moved is None:
            raise
        head = f"$.{moved}"
        problems = [
            p._replace(path="$.value" + p.path[len(head) :])
            if p.path == head or p.path.startswith((head + ".", head + "["))
            else p
            for p in error.problems
        ]
        raise ValidationError(problems, subject=_SUBJECT) from None


def amend(
    agreement: CloudServiceAgreement,
    amendment: Amendment,
    *,
    consent: Acknowledgement | None = None,
    notice: Notice | None = None,
) -> CloudServiceAgreement:
    """The agreement with ``amendment`` made: version + 1, the change kept in its history.

    Approval is either ``consent``, the customer's `Acknowledgement` of the proposed
    version (party: the agreement's ``customer_id``; terms: the agreement's ``id``;
    version: ``str(agreement.version + 1)``; accepted no earlier than proposed), or,
    only for a term an `AmendmentRule` of the agreement names, a ``notice`` `Notice`
    from the proposer (who is not the customer) to the customer, sent no earlier than
    proposed, whose effective instant is at least the rule's notice after it was sent
    (the calendar length added to ``sent_at``). The new version takes effect at the
    acceptance, or at the notice's effective instant, but not before the agreement's
    ``effective_from``, and never before the amendment recorded last.

    Serves S07 (amendments with consent or notice); ISO/IEC 20000-1:2011 6.1, 7.1.

    Raises:
        ValidationError: no approval (``$.consent``, saying what would do), a consent
            of another party, agreement or version (``$.consent.party_id``,
            ``.terms_id``, ``.version``), a notice where no rule allows one or with
            too little notice (``$.notice``, ``$.notice.effective_at``), an effect
            before the last amendment's (``$.amendment``), or a value the term does
            not take (under ``$.value``). Nothing changes.
    """
    from cloudsms._kit.converter import to_dict  # noqa: PLC0415
    from cloudsms.agreements.agreement import CloudServiceAgreement  # noqa: PLC0415

    given: object = agreement
    if not isinstance(given, CloudServiceAgreement):
        raise ValidationError.single(
            "$.agreement", "a CloudServiceAgreement", describe(given), subject=_SUBJECT
        )
    asked: object = amendment
    if not isinstance(asked, Amendment):
        raise ValidationError.single(
            "$.amendment", "an Amendment", describe(asked), subject=_SUBJECT
        )
    problems = _approval_problems(agreement, amendment, consent, notice)
    if problems:
        raise ValidationError(problems, subject=_SUBJECT)
    if consent is not None:
        effective = consent.accepted_at
    else:
        assert notice is not None  # noqa: S101 - one of the two, checked above
        effective = notice.effective_at
    if _utc(effective) < _utc(agreement.effective_from):
        effective = agreement.effective_from
    if agreement.amendments:
        last = agreement.amendments[-1].effective_at
        if _utc(effective) < _utc(last):
            raise ValidationError.single(
                "$.amendment",
                f"an amendment taking effect no earlier than the last one ({last.isoformat()})",
                effective.isoformat(),
                subject=_SUBJECT,
            )
    data: dict[str, Any] = to_dict(agreement)
    field = amendment.term.value
    record = AppliedAmendment(
        amendment=amendment,
        version=agreement.version + 1,
        effective_at=effective,
        previous=data.get(field),
        consent=consent,
        notice=notice,
    )
    data[field] = _thawed(amendment.value)
    data["version"] = agreement.version + 1
    data["amendments"] = [*data.get("amendments", []), to_dict(record)]
    return _rebuilt(data, field)


def terms_on(agreement: CloudServiceAgreement, instant: dt.datetime) -> CloudServiceAgreement:
    """The terms of ``agreement`` in force at ``instant``, as the agreement of that version.

    An amendment effective at exactly ``instant`` is in force. The later entries of
    the history are undone newest first, each putting back its term's previous
    value, so the result is the agreement as it stood: its version, and its history
    up to that version. An instant at or after the last amendment's effect gives
    ``agreement`` itself. Serves S07 (every version of the terms stays queryable).

    Raises:
        ValidationError: ``instant`` is naive or not a datetime (``$.instant``), or
            before the agreement's ``effective_from`` (``$.instant``).
    """
    from cloudsms._kit.converter import to_dict  # noqa: PLC0415
    from cloudsms.periods import aware  # noqa: PLC0415

    at = aware(instant, "$.instant")
    if _utc(at) < _utc(agreement.effective_from):
        raise ValidationError.single(
            "$.instant",
            f"an instant no earlier than the agreement's start "
            f"({agreement.effective_from.isoformat()})",
            at.isoformat(),
            subject="Terms",
        )
    undone = [a for a in agreement.amendments if _utc(a.effective_at) > _utc(at)]
    if not undone:
        return agreement
    data: dict[str, Any] = to_dict(agreement)
    for applied in reversed(agreement.amendments[len(agreement.amendments) - len(undone) :]):
        data[applied.amendment.term.value] = _thawed(applied.previous)
        data["version"] = applied.version - 1
    data["amendments"] = data["amendments"][: len(agreement.amendments) - len(undone)]
    return _rebuilt(data, None)
