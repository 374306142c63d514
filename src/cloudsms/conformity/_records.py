"""Evidence, findings, process owners and the evidence register (S12).

The register is the persisted document (``cloudsms.evidence-register``) an
assessment reads: what evidence the provider holds for which clauses of
ISO/IEC 20000-1, who owns each process, and the findings raised so far. It indexes
its evidence once, per object, so that assessing it many times costs little.
"""

from __future__ import annotations

import bisect
import datetime as dt
import enum
import functools
import re
from typing import TYPE_CHECKING

import attrs

from cloudsms._foundation.frozen import as_tuple
from cloudsms._foundation.instants import instant_key, instant_problems, load_zone
from cloudsms._kit.checks import ident, ids, instant, text
from cloudsms._kit.documents import document
from cloudsms._kit.records import Check, Record, unique_by
from cloudsms.errors import Problem, ValidationError, describe
from cloudsms.improvement import OpportunitySource
from cloudsms.reference import DEFAULT_EDITION, shipped

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping

__all__ = [
    "DERIVED_CLAUSES",
    "DERIVED_KINDS",
    "Evidence",
    "EvidenceKind",
    "EvidenceRegister",
    "Finding",
    "FindingKind",
    "ProcessOwner",
    "Severity",
]


class EvidenceKind(enum.StrEnum):
    """What a piece of evidence is.

    ``document`` and ``record`` are typed in by people (a policy, minutes of a
    review, a log); ``agreement``, ``service_report`` and ``verified_trail`` are
    objects of the model, made by the functions that derive evidence from them
    (`cloudsms.conformity.evidence_from_agreement` and its siblings), and always
    name what they were derived from (``source_ref``). A register read from JSON
    holds them as written: `DERIVED_KINDS` says what is checked then.
    """

    DOCUMENT = "document"
    RECORD = "record"
    AGREEMENT = "agreement"
    SERVICE_REPORT = "service_report"
    VERIFIED_TRAIL = "verified_trail"


DERIVED_KINDS = frozenset(
    {EvidenceKind.AGREEMENT, EvidenceKind.SERVICE_REPORT, EvidenceKind.VERIFIED_TRAIL}
)
"""The kinds the derived-evidence functions make: each needs a ``source_ref``.

A register read from JSON holds them too, so `Evidence` accepts one made by hand;
what it checks is the form the functions give it: a ``source_ref``, and (for the
edition the tables are for, ISO/IEC 20000-1:2011) exactly the clauses its kind
supports (`DERIVED_CLAUSES`; a verified trail: exactly those one scenario cites).
It cannot check that the source exists: such an item is named by its
``source_ref`` and counts no more than a record typed in by hand.
"""

DERIVED_CLAUSES: Mapping[EvidenceKind, tuple[str, ...]] = {
    EvidenceKind.SERVICE_REPORT: ("6.1", "6.2"),
    EvidenceKind.AGREEMENT: ("6.1", "7.1"),
}
"""The clauses of ISO/IEC 20000-1:2011 a derived kind supports (a trail: its scenario's).

A service report evaluated over an ended period shows service level management
(6.1) and service reporting (6.2) at work; an agreement checked clean against the
catalogue shows service level management (6.1) and business relationship
management (7.1)."""


@functools.cache
def scenario_clause_sets() -> dict[frozenset[str], str]:
    """The clauses of 2011 each scenario with known citations cites directly -> its id.

    A verified trail supports exactly one of these sets (`evidence_from_trail`).
    """
    reference = shipped()
    found: dict[frozenset[str], str] = {}
    for scenario in reference.scenarios():
        if not scenario.citations_known:
            continue
        numbers = frozenset(
            c.number
            for c in reference.clauses_cited_by(scenario.id)
            if c.edition == DEFAULT_EDITION
        )
        if numbers:
            found.setdefault(numbers, scenario.id)
    return found


class FindingKind(enum.StrEnum):
    """What a finding is: a nonconformity, an observation, or an opportunity to improve."""

    NONCONFORMITY = "nonconformity"
    OBSERVATION = "observation"
    OPPORTUNITY = "opportunity"


class Severity(enum.StrEnum):
    """How serious a gap or a finding is, worst first.

    ``major``: a clause a scenario cites directly has no evidence at all.
    ``minor``: the only evidence for a clause has expired. ``observation``: a
    sub-clause reached only through a cited parent has no evidence.
    """

    MAJOR = "major"
    MINOR = "minor"
    OBSERVATION = "observation"

    @property
    def rank(self) -> int:
        """0 for major, 1 for minor, 2 for observation: the order gaps are listed in."""
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.MAJOR: 0, Severity.MINOR: 1, Severity.OBSERVATION: 2}

# ---------------------------------------------------------------------- clause numbers
_FIRST_YEAR, _LAST_YEAR = 1900, 8998  # a valid_until day ends inside the supported range


def clause_number(value: object) -> object:
    """``value`` as a canonical clause number (``"Clause 06.1"`` -> ``"6.1"``), else as given."""
    from cloudsms.reference._ids import normalize_clause_number  # noqa: PLC0415 - small, cached

    if isinstance(value, str):
        normal = normalize_clause_number(value)
        if normal is not None:
            return normal
    return value


def as_clause_numbers(value: Iterable[object]) -> tuple[str, ...]:
    """An attrs converter: a list of clause numbers as a tuple of canonical numbers."""
    items: object = as_tuple(value)
    if not isinstance(items, tuple):
        return items  # type: ignore[return-value] # the check reports it with its path
    return tuple(clause_number(item) for item in items)  # type: ignore[misc]


_CLAUSE_TEXT = "a clause number such as '6.1' or 'Clause 4.5.1'"


def described(value: object) -> str:
    """``value`` as a message shows it: a list as JSON shows it, not as a Python tuple."""
    if isinstance(value, tuple):
        if not value:
            return "an empty list"
        return f"[{', '.join(described(item) for item in value)}] (array)".replace(" (string)", "")
    return describe(value)


def _clause_problems(value: object, path: str, edition: str | None = None) -> list[Problem]:
    from cloudsms.reference._ids import normalize_clause_number  # noqa: PLC0415

    if not isinstance(value, str) or normalize_clause_number(value) != value:
        return [Problem(path, _CLAUSE_TEXT, described(value))]
    if edition is None:
        return []
    table = _shipped_numbers().get(edition)
    if table is not None and value not in table:
        return [Problem(path, f"a clause of ISO/IEC {edition}", describe(value))]
    return []


@functools.cache
def _shipped_numbers() -> dict[str, frozenset[str]]:
    """The clause numbers of each edition the shipped reference holds."""
    reference = shipped()
    return {
        edition: frozenset(c.number for c in reference.clauses(edition=edition))
        for edition in reference.editions()
    }


def clause_list_problems(value: object, path: str, edition: str | None = None) -> list[Problem]:
    """``[]`` for one or more distinct canonical clause numbers (of ``edition``, if shipped)."""
    if not isinstance(value, tuple) or not value:
        return [Problem(path, "one or more clause numbers", described(value))]
    problems: list[Problem] = []
    for index, item in enumerate(value):
        problems += _clause_problems(item, f"{path}[{index}]", edition)
    if not problems and len(set(value)) != len(value):
        problems.append(Problem(path, "distinct clause numbers", described(value)))
    return problems


_clauses = Check(clause_list_problems, total=True)
_one_clause = Check(_clause_problems, total=True, expected=_CLAUSE_TEXT)


def _valid_until_problems(value: object, path: str) -> list[Problem]:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        if _FIRST_YEAR <= value.year <= _LAST_YEAR:
            return []
        expected = f"a date from {_FIRST_YEAR} to {_LAST_YEAR}"
    else:
        expected = "a date (valid through its end, in the register's zone) or null"
    return [Problem(path, expected, describe(value))]


_valid_until = Check(_valid_until_problems, total=True)

_EDITION = re.compile(r"[0-9]+(?:-[0-9]+)*:[0-9]{4}")
_EDITION_TEXT = "an edition of ISO/IEC 20000 such as '20000-1:2011'"


def _edition_problems(value: object, path: str) -> list[Problem]:
    if isinstance(value, str) and _EDITION.fullmatch(value):
        return []
    return [Problem(path, _EDITION_TEXT, describe(value))]


_edition = Check(_edition_problems, total=True, expected=_EDITION_TEXT)


def latest_collection(valid_until: dt.date) -> dt.datetime:
    """The latest collection instant a ``valid_until`` day can follow, whatever the zone.

    The day ends last at UTC-12, at noon UTC of the next day: evidence collected
    after that had expired in every zone before it was collected.
    """
    following = valid_until + _ONE_DAY
    return dt.datetime(following.year, following.month, following.day, 12, tzinfo=dt.UTC)


def _optional_text_problems(value: object, path: str) -> list[Problem]:
    if value is None or (isinstance(value, str) and value.strip()):
        return []
    return [Problem(path, "a non-empty string or null", describe(value))]


_optional_text = Check(_optional_text_problems, total=True)


def _optional_instant_key(value: dt.datetime | None) -> tuple[dt.datetime, str] | None:
    return None if value is None else instant_key(value)


def _utc(instant_: dt.datetime) -> dt.datetime:
    return instant_.astimezone(dt.UTC)


# ---------------------------------------------------------------------- evidence
@attrs.frozen(kw_only=True)
class Evidence(Record):
    """One piece of evidence: what it is, the clauses it supports, who gave it, how long it holds.

    ``supports`` lists clause numbers of ``edition`` (written as people write
    them, ``"Clause 6.1"``, kept in canonical form, ``"6.1"``); evidence for a
    whole clause supports each of its sub-clauses, never the other way round.
    ``provided_by`` is the party or actor (``actor:...``) who provided it;
    ``collected_at`` when it was collected (it counts only from then on);
    ``valid_until`` the last day it holds, through the end of that day in the
    register's time zone (``None``: it does not expire). ``source_ref`` names what
    derived evidence was made from (an agreement and its version, a report's
    agreement and period, a trail's lifecycle, instance and head): required for
    the derived kinds (`DERIVED_KINDS`). The derived-evidence functions make those
    kinds; one typed in by hand (or read from JSON) is accepted when it has the
    form they give (a ``source_ref``; for 2011, exactly its kind's clauses), but
    nothing checks that its source exists: it is no stronger than a record.

    Serves S12 (evidence for checking the SMS); ISO/IEC 20000-1:2011 4.3.3
    (control of records) and 4.5.4 (monitor and review the SMS).

    Raises:
        ValidationError: every problem with its path: no clause, a clause twice, a
            clause the shipped edition lacks, a naive ``collected_at``, a derived
            kind without ``source_ref`` or (for 2011) supporting other clauses
            than its kind's, at ``$.supports``.

    Examples:
        >>> import datetime as dt
        >>> policy = Evidence(
        ...     id="EV-1",
        ...     kind=EvidenceKind.DOCUMENT,
        ...     title="Service management policy, approved by the board",
        ...     supports=("Clause 4.1.2", "4.2"),
        ...     provided_by="actor:quality-lead",
        ...     collected_at=dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC),
        ...     valid_until=dt.date(2027, 3, 1),
        ... )
        >>> policy.supports
        ('4.1.2', '4.2')
    """

    id: str = attrs.field(validator=ident)
    kind: EvidenceKind
    title: str = attrs.field(validator=text)
    supports: tuple[str, ...] = attrs.field(validator=_clauses, converter=as_clause_numbers)
    edition: str = attrs.field(validator=_edition, default=DEFAULT_EDITION)
    provided_by: str = attrs.field(validator=ident)
    collected_at: dt.datetime = attrs.field(validator=instant, eq=instant_key)
    valid_until: dt.date | None = attrs.field(validator=_valid_until, default=None)
    source_ref: str | None = attrs.field(validator=_optional_text, default=None)
    note: str = ""

    def _rules(self) -> Iterator[Problem]:
        """Clauses of the shipped edition exist; a derived kind names its source.

        ``valid_until`` may not end, in every zone, before ``collected_at``: the day
        ends last at UTC-12 (`latest_collection`); the register checks it again in
        its own zone.
        """
        for index, number in enumerate(self.supports):
            yield from _clause_problems(number, f"supports[{index}]", self.edition)
        day = self.valid_until
        if day is not None and _utc(self.collected_at) > latest_collection(day):
            yield Problem(
                "valid_until",
                "a day that has not ended, in every time zone, before collected_at "
                f"({self.collected_at.isoformat()})",
                day.isoformat(),
            )
        if self.kind in DERIVED_KINDS:
            if self.source_ref is None:
                yield Problem(
                    "source_ref", f"what this {self.kind.value} evidence was derived from", "null"
                )
            yield from self._derived_supports_problems()

    def _derived_supports_problems(self) -> Iterator[Problem]:
        """A derived kind of 2011 supports exactly what the function making it gives."""
        if self.edition != DEFAULT_EDITION or clause_list_problems(
            self.supports, "supports", self.edition
        ):
            return
        numbers = frozenset(self.supports)
        if self.kind is EvidenceKind.VERIFIED_TRAIL:
            if numbers not in scenario_clause_sets():
                yield Problem(
                    "supports",
                    "exactly the clauses one scenario cites (a verified trail supports "
                    "its scenario's, as evidence_from_trail gives them)",
                    described(self.supports),
                )
            return
        wanted = DERIVED_CLAUSES[self.kind]
        if numbers != frozenset(wanted):
            yield Problem(
                "supports",
                f"exactly the clauses {self.kind.value} evidence supports: {', '.join(wanted)}",
                described(self.supports),
            )


# ---------------------------------------------------------------------- findings
@attrs.frozen(kw_only=True)
class Finding(Record):
    """A nonconformity, observation or opportunity, raised against clauses (S12).

    A nonconformity is ``major`` or ``minor``; an observation or an opportunity
    has severity ``observation``. ``source`` says where it was raised (an internal
    audit, a management review: `cloudsms.improvement.OpportunitySource`);
    ``improvement_ids`` names the improvements that answer it (see
    `cloudsms.conformity.link_problems`); ``closed_at`` is when it was closed,
    no earlier than it was raised.

    Serves S12; ISO/IEC 20000-1:2011 4.5.4.2 (internal audit), 4.5.4.3
    (management review) and 4.5.5 (improve the SMS).

    Raises:
        ValidationError: every problem with its path, a severity that does not fit
            the kind at ``$.severity``.
    """

    id: str = attrs.field(validator=ident)
    kind: FindingKind
    severity: Severity
    clauses: tuple[str, ...] = attrs.field(validator=_clauses, converter=as_clause_numbers)
    description: str = attrs.field(validator=text)
    raised_at: dt.datetime = attrs.field(validator=instant, eq=instant_key)
    raised_by: str = attrs.field(validator=ident)
    source: OpportunitySource
    improvement_ids: tuple[str, ...] = attrs.field(
        validator=ids(of="improvement"), default=(), converter=as_tuple
    )
    closed_at: dt.datetime | None = attrs.field(
        validator=instant, default=None, eq=_optional_instant_key
    )

    def _rules(self) -> Iterator[Problem]:
        """The severity fits the kind; a finding closes no earlier than it was raised."""
        if self.kind is FindingKind.NONCONFORMITY:
            if self.severity is Severity.OBSERVATION:
                yield Problem("severity", "major or minor for a nonconformity", "observation")
        elif self.severity is not Severity.OBSERVATION:
            expected = f"observation for an {self.kind.value}"
            yield Problem("severity", expected, self.severity.value)
        if self.closed_at is not None and _utc(self.closed_at) < _utc(self.raised_at):
            expected = f"no earlier than raised_at ({self.raised_at.isoformat()})"
            yield Problem("closed_at", expected, self.closed_at.isoformat())

    @property
    def open(self) -> bool:
        """Whether the finding is still open (not closed)."""
        return self.closed_at is None


# ---------------------------------------------------------------------- owners
@attrs.frozen(kw_only=True)
class ProcessOwner(Record):
    """Who owns a clause: its gaps, and those of every sub-clause with no owner of its own."""

    clause: str = attrs.field(validator=_one_clause, converter=clause_number)
    owner: str = attrs.field(validator=ident)


def _zone_problems(value: object, path: str) -> list[Problem]:
    found = load_zone(value, path)
    return found if isinstance(found, list) else []


_zone = Check(_zone_problems, total=True)


# ---------------------------------------------------------------------- the index
_NEVER = 1 << 62  # microseconds: later than any supported instant


def micros(instant_: dt.datetime) -> int:
    """An aware instant as whole microseconds since 1970 (exact; comparable as ints)."""
    return (instant_ - _EPOCH) // _MICROSECOND


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_ONE_DAY = dt.timedelta(days=1)
_MICROSECOND = dt.timedelta(microseconds=1)


class _Slot:
    """The evidence supporting one clause directly: ids, collection and expiry, by collection."""

    __slots__ = ("collected", "expires", "ids")

    def __init__(self, rows: list[tuple[int, int, str]]) -> None:
        rows.sort()
        self.collected = [r[0] for r in rows]
        self.expires = [r[1] for r in rows]
        self.ids = [r[2] for r in rows]

    def split(self, as_of: int) -> tuple[list[str], list[str]]:
        """The ids valid at ``as_of``, and those collected by then but expired."""
        end = bisect.bisect_right(self.collected, as_of)
        expires, names = self.expires, self.ids
        valid = [names[i] for i in range(end) if expires[i] > as_of]
        if len(valid) == end:
            return valid, []
        return valid, [names[i] for i in range(end) if expires[i] <= as_of]


# ---------------------------------------------------------------------- the register
@document("cloudsms.evidence-register", version=1)
@attrs.frozen(kw_only=True)
class EvidenceRegister(Record):
    """A provider's evidence for ISO/IEC 20000-1, its process owners and its findings (S12).

    ``organisation`` is the provider's id; ``timezone`` the IANA zone in which
    ``valid_until`` days are read (evidence valid until 2026-12-31 holds until
    midnight at the end of that day there); ``edition`` the edition the owners'
    clauses belong to. ``owners`` declares who owns which clause: the owner of a
    clause, or of its nearest ancestor that has one, owns its gaps
    (`owner_of`); ``sms_owner``, the person answerable for the SMS as a whole,
    owns the gaps nobody else does. Evidence, owners and findings have unique ids
    (and owners unique clauses).

    A persisted document (``cloudsms.evidence-register``, schema version 1). Read
    it with `cloudsms.conformity.assess`.

    Serves S12; ISO/IEC 20000-1:2011 4.1 (management responsibility), 4.3.3
    (control of records) and 4.5.4 (monitor and review the SMS).

    Raises:
        ValidationError: every problem with its path: a repeated id, an unknown
            zone, a repeated owner clause.

    Examples:
        >>> import datetime as dt
        >>> register = EvidenceRegister(
        ...     id="reg-1",
        ...     organisation="provider-1",
        ...     timezone="Europe/Berlin",
        ...     owners=(ProcessOwner(clause="6", owner="actor:service-delivery"),),
        ...     sms_owner="actor:sms-owner",
        ... )
        >>> register.owner_of("6.3.1"), register.owner_of("Clause 4.1")
        ('actor:service-delivery', 'actor:sms-owner')
    """

    id: str = attrs.field(validator=ident)
    organisation: str = attrs.field(validator=ident)
    timezone: str = attrs.field(validator=_zone)
    edition: str = attrs.field(validator=_edition, default=DEFAULT_EDITION)
    evidence: tuple[Evidence, ...] = attrs.field(
        validator=unique_by("id"), default=(), converter=as_tuple
    )
    owners: tuple[ProcessOwner, ...] = attrs.field(
        validator=unique_by("clause"), default=(), converter=as_tuple
    )
    sms_owner: str | None = attrs.field(validator=ident, default=None)
    findings: tuple[Finding, ...] = attrs.field(
        validator=unique_by("id"), default=(), converter=as_tuple
    )

    def _rules(self) -> Iterator[Problem]:
        """Owners' clauses belong to the edition; no evidence expires before it is collected.

        An item's ``valid_until`` day must not end, in the register's zone, before
        its ``collected_at``.
        """
        for index, owner in enumerate(self.owners):
            yield from _clause_problems(owner.clause, f"owners[{index}].clause", self.edition)
        for index, item in enumerate(self.evidence):
            day = item.valid_until
            if day is None:
                continue
            collected = _utc(item.collected_at)
            # A day ends, in any zone (at most UTC+14), after 10:00 UTC that day.
            if collected.date() < day:
                continue
            end = self.day_end(day)
            if end < collected:
                yield Problem(
                    f"evidence[{index}].valid_until",
                    f"a day ending in {self.timezone} no earlier than collected_at "
                    f"({item.collected_at.isoformat()}); it ends {end.isoformat()}",
                    day.isoformat(),
                )

    # ------------------------------------------------------------------ look-ups
    @functools.cached_property
    def zone(self) -> dt.tzinfo:
        """The register's time zone."""
        found = load_zone(self.timezone, "$.timezone")
        assert not isinstance(found, list)  # noqa: S101 - checked when built
        return found

    @functools.cached_property
    def _owners(self) -> dict[str, str]:
        return {o.clause: o.owner for o in self.owners}

    @functools.cached_property
    def _index(self) -> dict[str, dict[str, _Slot]]:
        """Edition -> clause -> the evidence supporting it directly (built once per register)."""
        return self._indexed(self.evidence, {})

    def _indexed(
        self, items: Iterable[Evidence], base: Mapping[str, Mapping[str, _Slot]]
    ) -> dict[str, dict[str, _Slot]]:
        """``base`` (an index of this register's zone) with ``items`` added, as a new index.

        Only the slots ``items`` touch are rebuilt; the others are shared (a slot is
        never changed once built).
        """
        rows: dict[str, dict[str, list[tuple[int, int, str]]]] = {}
        ends: dict[dt.date, int] = {}
        for item in items:
            collected = micros(item.collected_at)
            day = item.valid_until
            if day is None:
                expires = _NEVER
            else:
                expires = ends.get(day, -1)
                if expires < 0:
                    expires = ends[day] = micros(self.day_end(day))
            table = rows.setdefault(item.edition, {})
            for number in item.supports:
                table.setdefault(number, []).append((collected, expires, item.id))
        index = {edition: dict(table) for edition, table in base.items()}
        for edition, table in rows.items():
            slots = index.setdefault(edition, {})
            for number, added in table.items():
                held = slots.get(number)
                merged = added
                if held is not None:
                    merged += zip(held.collected, held.expires, held.ids, strict=True)
                slots[number] = _Slot(merged)
        return index

    def day_end(self, day: dt.date) -> dt.datetime:
        """When ``day`` ends in the register's zone (evidence valid until it expires then).

        That is the next day's first instant, as `cloudsms.periods.Period.day` has it;
        a midnight the clocks skip or repeat is left to it, every other one is read
        directly (the register's index reads one per distinct day).
        """
        zone = self.zone
        following = day + _ONE_DAY
        midnight = dt.datetime(following.year, following.month, following.day, tzinfo=zone)
        utc = midnight.astimezone(dt.UTC)
        if (
            utc.astimezone(zone).replace(tzinfo=None) == midnight.replace(tzinfo=None)
            and midnight.utcoffset() == midnight.replace(fold=1).utcoffset()
        ):
            return midnight
        from cloudsms.periods import Period  # noqa: PLC0415

        return Period.day(day, zone).end

    def day_start(self, day: dt.date) -> dt.datetime:
        """The first instant of ``day`` in the register's zone."""
        from cloudsms.periods import Period  # noqa: PLC0415

        return Period.day(day, self.zone).start

    def editions(self) -> tuple[str, ...]:
        """The editions the register's evidence is for, in the order first held."""
        return tuple(self._index)

    def slots(self, edition: str) -> Mapping[str, _Slot]:
        """Clause -> the evidence of ``edition`` supporting it directly (for `assess`)."""
        return self._index.get(edition, {})

    @functools.cached_property
    def _by_id(self) -> dict[str, Evidence]:
        return {e.id: e for e in self.evidence}

    def __len__(self) -> int:
        return len(self.evidence)

    def __iter__(self) -> Iterator[Evidence]:
        return iter(self.evidence)

    def item(self, evidence_id: str) -> Evidence:
        """The evidence with this id.

        Raises:
            UnknownReference: no such evidence (with close matches).
        """
        key: object = evidence_id
        found = self._by_id.get(key) if isinstance(key, str) else None
        if found is None:
            from cloudsms._foundation.suggest import suggest  # noqa: PLC0415
            from cloudsms.errors import UnknownReference  # noqa: PLC0415

            close = suggest(key, self._by_id) if isinstance(key, str) else ()
            raise UnknownReference("evidence", str(key), suggestions=close)
        return found

    def owner_of(self, clause_number: str) -> str | None:
        """Who owns the gaps of a clause: its declared owner or its nearest declared ancestor's.

        Falls back to ``sms_owner``, then ``None``. Clause numbers are read as people
        write them (``"Clause 6.1"``).

        Raises:
            ValidationError: ``clause_number`` is not a clause number (at ``$.clause_number``).
        """
        number = clause_number_or_raise(clause_number, "$.clause_number", "owner query")
        owners = self._owners
        while True:
            found = owners.get(number)
            if found is not None:
                return found
            head, dot, _ = number.rpartition(".")
            if not dot:
                return self.sms_owner
            number = head

    # ------------------------------------------------------------------ new registers
    def with_evidence(self, *items: Evidence) -> EvidenceRegister:
        """A new register with ``items`` added at the end.

        Raises:
            ValidationError: an item that is not `Evidence` (at ``$.items[i]``), or an
                id the register or another item holds already (at ``$.items[i].id``).
        """
        _added_problems(items, Evidence, {e.id for e in self.evidence}, "EvidenceRegister")
        new = attrs.evolve(self, evidence=(*self.evidence, *items))
        held = _cached_index(self)
        if held is not None:  # extend the index already built rather than build it again
            _set_index(new, new._indexed(items, held))  # noqa: SLF001 - same class
        return new

    def with_findings(self, *items: Finding) -> EvidenceRegister:
        """A new register with the findings ``items`` added at the end.

        Raises:
            ValidationError: an item that is not a `Finding` (at ``$.items[i]``), or an
                id the register or another item holds already (at ``$.items[i].id``).
        """
        _added_problems(items, Finding, {f.id for f in self.findings}, "EvidenceRegister")
        return attrs.evolve(self, findings=(*self.findings, *items))

    def open_findings(self, as_of: dt.datetime | None = None) -> tuple[Finding, ...]:
        """The findings open at ``as_of``, in order: raised by then and not closed by then.

        ``as_of`` is an aware instant; ``None`` reads the register as it stands: every
        finding with no ``closed_at``, whenever it was raised.

        Raises:
            ValidationError: ``as_of`` is not an aware, supported instant (``$.as_of``).
        """
        if as_of is None:
            return tuple(f for f in self.findings if f.closed_at is None)
        problems = instant_problems(as_of, "$.as_of")
        if problems:
            raise ValidationError(problems, subject="open findings")
        return findings_open_at(self.findings, as_of)


def findings_open_at(findings: Iterable[Finding], as_of: dt.datetime) -> tuple[Finding, ...]:
    """The ``findings`` raised by ``as_of`` and not closed by then (closed at it: closed)."""
    moment = _utc(as_of)
    return tuple(
        f
        for f in findings
        if _utc(f.raised_at) <= moment and (f.closed_at is None or _utc(f.closed_at) > moment)
    )


def _cached_index(register: EvidenceRegister) -> dict[str, dict[str, _Slot]] | None:
    """The register's index if it was built already, else ``None`` (without building it)."""
    try:
        found: dict[str, dict[str, _Slot]] = object.__getattribute__(register, "_index")
    except AttributeError:
        return None
    return found


def _set_index(register: EvidenceRegister, index: dict[str, dict[str, _Slot]]) -> None:
    object.__setattr__(register, "_index", index)


def _added_problems(items: tuple[object, ...], kind: type, held: set[str], subject: str) -> None:
    problems: list[Problem] = []
    seen = set(held)
    for index, item in enumerate(items):
        if not isinstance(item, kind):
            name = kind.__name__
            article = "an" if name[0] in "AEIOU" else "a"
            problems.append(Problem(f"$.items[{index}]", f"{article} {name}", describe(item)))
            continue
        item_id: str = getattr(item, "id")  # noqa: B009 - Evidence and Finding both have it
        if item_id in seen:
            problems.append(Problem(f"$.items[{index}].id", "an id used once", describe(item_id)))
        seen.add(item_id)
    if problems:
        raise ValidationError(problems, subject=subject)


def clause_number_or_raise(value: object, path: str, subject: str) -> str:
    """``value`` as a canonical clause number, or a ValidationError at ``path``."""
    number = clause_number(value)
    problems = _clause_problems(number, path)
    if problems:
        raise ValidationError([p._replace(got=describe(value)) for p in problems], subject=subject)
    return number  # type: ignore[return-value]
