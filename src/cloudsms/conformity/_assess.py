"""Assessing an evidence register against the clauses the TR's scenarios cite (S12).

`assess` reads, for each scenario in scope and each clause it cites (with every
sub-clause below a cited clause), whether the register holds evidence valid at
``as_of`` for that clause or one of its ancestors. The answer is an `Assessment`:
each clause row, each scenario's counts, each process's coverage, and the gaps
to close, each with its owner and severity.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from typing import TYPE_CHECKING

import attrs

from cloudsms._foundation.instants import RANGE_TEXT, instant_key, instant_problems
from cloudsms.conformity._records import (
    EvidenceRegister,
    Finding,
    Severity,
    clause_number,
    findings_open_at,
    micros,
)
from cloudsms.errors import Problem, UnknownReference, ValidationError, describe
from cloudsms.reference import ReferenceSet, shipped

if TYPE_CHECKING:
    from cloudsms.reference import Clause, Scenario

_Row = tuple["ClauseStatus", str | None, tuple[str, ...], tuple[str, ...]]
"""A clause's status, via, valid evidence ids and stale evidence ids."""

__all__ = [
    "Assessment",
    "ClauseAssessment",
    "ClauseStatus",
    "Gap",
    "ProcessAssessment",
    "ProcessStatus",
    "ScenarioAssessment",
    "ScenarioStatus",
    "UnmatchedEvidence",
    "assess",
]


class ClauseStatus(enum.StrEnum):
    """How a clause row stands: ``covered`` by valid evidence, ``stale``, or ``missing``.

    Ordered from worst to best by `rank`: missing < stale < covered.
    """

    COVERED = "covered"
    STALE = "stale"
    MISSING = "missing"

    @property
    def rank(self) -> int:
        """0 for missing, 1 for stale, 2 for covered: adding evidence never lowers it."""
        return _STATUS_RANK[self]


_STATUS_RANK = {ClauseStatus.MISSING: 0, ClauseStatus.STALE: 1, ClauseStatus.COVERED: 2}


class ScenarioStatus(enum.StrEnum):
    """Whether a scenario was assessed, or its citations are unknown (then it has no rows)."""

    ASSESSED = "assessed"
    UNKNOWN = "unknown"


class ProcessStatus(enum.StrEnum):
    """How a process stands over the clause rows of its subtree in scope.

    ``covered``: every row covered; ``missing``: some row missing; ``stale``:
    none missing but some stale; ``out_of_scope``: no scenario in scope cites it.
    """

    COVERED = "covered"
    STALE = "stale"
    MISSING = "missing"
    OUT_OF_SCOPE = "out_of_scope"


@attrs.frozen(kw_only=True)
class ClauseAssessment:
    """One clause row of one scenario: how the register covers it.

    ``cited_directly`` says whether the scenario cites this clause itself, or
    reaches it through a cited parent. ``via`` is the clause the counted evidence
    supports (the clause itself, or the nearest ancestor with valid evidence, so
    inherited coverage shows as such); ``None`` unless covered. ``evidence_ids``
    are the ids of the evidence valid at ``as_of`` for the clause and its ancestors
    (most specific first), ``stale_ids`` those collected by then whose validity
    had ended.
    """

    scenario_id: str
    clause_number: str
    title: str
    cited_directly: bool
    status: ClauseStatus
    via: str | None
    evidence_ids: tuple[str, ...]
    stale_ids: tuple[str, ...]

    @property
    def inherited(self) -> bool:
        """Whether the row is covered through an ancestor's evidence."""
        return self.via is not None and self.via != self.clause_number


@attrs.frozen(kw_only=True)
class ScenarioAssessment:
    """One scenario in scope: its clause rows and how many are covered, stale, missing.

    A scenario whose citations are unknown (S14 and S15 in the shipped data, or a
    scenario citing nothing of the assessed edition) is ``unknown``, with no rows:
    never covered.
    """

    id: str
    title: str
    status: ScenarioStatus
    covered: int
    stale: int
    missing: int
    clauses: tuple[ClauseAssessment, ...]

    @property
    def total(self) -> int:
        """The number of clause rows."""
        return len(self.clauses)


@attrs.frozen(kw_only=True)
class ProcessAssessment:
    """One process of the edition: the scenarios in scope that reach it, and its coverage.

    ``covered`` and ``total`` count the distinct clauses of its subtree that rows in
    scope hold; ``owner`` is who owns its gaps (`EvidenceRegister.owner_of`).
    """

    clause_number: str
    title: str
    scenario_ids: tuple[str, ...]
    status: ProcessStatus
    covered: int
    total: int
    owner: str | None


@attrs.frozen(kw_only=True)
class Gap:
    """A clause to collect evidence for: missing or stale, for the scenarios listed.

    ``scenario_ids`` are all the scenarios in scope whose rows hold the clause;
    ``cited_by`` those that cite it directly, and ``reached_by`` the others, each
    as ``(scenario id, the cited clause it reaches this one through)`` (S04 cites
    clause 4, so it reaches 4.5.4 through ``"4"``). ``severity``: ``major`` when
    it is missing and some scenario cites it directly, ``minor`` when its
    evidence is stale, ``observation`` when it is missing and reached only
    through a cited parent. ``stale_ids`` the expired evidence to renew.
    """

    clause_number: str
    title: str
    status: ClauseStatus
    severity: Severity
    scenario_ids: tuple[str, ...]
    owner: str | None
    stale_ids: tuple[str, ...]
    cited_by: tuple[str, ...] = ()
    reached_by: tuple[tuple[str, str], ...] = ()

    def needed_by(self) -> str:
        """Who needs the clause, in words.

        For example "cited directly by S10, S12; through clause 4 by S04".
        """
        parts = []
        if self.cited_by:
            parts.append("cited directly by " + ", ".join(self.cited_by))
        through: dict[str, list[str]] = {}
        for scenario_id, parent in self.reached_by:
            through.setdefault(parent, []).append(scenario_id)
        parts += [
            f"through clause {parent} by {', '.join(ids)}" for parent, ids in through.items()
        ]
        return "; ".join(parts)


@attrs.frozen(kw_only=True)
class UnmatchedEvidence:
    """Evidence of the register an assessment could not count, and why (S12).

    ``clauses`` are the clauses of the item that the assessed edition of the
    reference lacks (all of them when the item is of another edition);
    ``reason`` says which case it is.
    """

    evidence_id: str
    edition: str
    clauses: tuple[str, ...]
    reason: str


def _instant_eq(value: dt.datetime) -> tuple[dt.datetime, str]:
    return instant_key(value)


@attrs.frozen(kw_only=True)
class Assessment:
    """A register assessed at one instant against the scenarios in scope (S12).

    ``as_of`` is the instant read (aware); ``timezone`` the register's zone (the
    one ``valid_until`` days and finding ids' days are read in); ``scope`` the
    scenario ids assessed, in scenario order; ``scenarios`` one
    `ScenarioAssessment` each; ``clauses`` every clause row, scenario by
    scenario; ``processes`` each process of the edition; ``gaps`` what to
    collect, worst first; ``findings`` the register's findings open at ``as_of``
    (raised by then and not closed by then; the register keeps them all);
    ``unmatched_evidence`` the evidence that could not count because its clauses
    are not in the assessed edition of the reference. A result: it carries no
    checks and compares by value.
    """

    as_of: dt.datetime = attrs.field(eq=_instant_eq)
    edition: str
    register_id: str
    scope: tuple[str, ...]
    scenarios: tuple[ScenarioAssessment, ...]
    clauses: tuple[ClauseAssessment, ...]
    processes: tuple[ProcessAssessment, ...]
    gaps: tuple[Gap, ...]
    findings: tuple[Finding, ...]
    timezone: str = "UTC"
    unmatched_evidence: tuple[UnmatchedEvidence, ...] = ()

    @property
    def day(self) -> dt.date:
        """The day of ``as_of`` in the register's zone (finding ids use it)."""
        from cloudsms._foundation.instants import load_zone  # noqa: PLC0415

        zone = load_zone(self.timezone, "$.timezone")
        if isinstance(zone, list):
            return self.as_of.date()
        return self.as_of.astimezone(zone).date()

    def scenario(self, scenario_id: str) -> ScenarioAssessment:
        """The assessment of one scenario in scope (``"S07"``, ``"S7"``).

        Raises:
            UnknownReference: the scenario is not in scope.
        """
        wanted = _scenario_key(scenario_id)
        for found in self.scenarios:
            if found.id == wanted:
                return found
        raise UnknownReference(
            "scenario", scenario_id, scope="the assessment's scope", suggestions=self.scope
        )

    def status(self, scenario_id: str, clause_number: str) -> ClauseStatus:
        """How the row of ``clause_number`` of ``scenario_id`` stands.

        Raises:
            UnknownReference: the scenario is not in scope, or has no row for that
                clause (it does not cite it, or its citations are unknown).
        """
        found = self.scenario(scenario_id)
        wanted = clause_number_key(clause_number)
        for row in found.clauses:
            if row.clause_number == wanted:
                return row.status
        raise UnknownReference(
            "clause",
            clause_number,
            scope=f"the rows of {found.id} ({found.status.value})",
        )

    def coverage_ratio(self) -> float:
        """Covered rows over all rows: the share of clause rows covered.

        With no rows at all (every scenario in scope is `unknown`: nothing was
        assessed) it is 0.0; tell that case apart by ``not assessment.clauses``.
        """
        if not self.clauses:
            return 0.0
        covered = sum(1 for r in self.clauses if r.status is ClauseStatus.COVERED)
        return covered / len(self.clauses)

    @property
    def unknown(self) -> tuple[str, ...]:
        """The scenarios in scope whose citations are unknown."""
        return tuple(s.id for s in self.scenarios if s.status is ScenarioStatus.UNKNOWN)


def _scenario_key(value: object) -> object:
    from cloudsms.reference._ids import normalize_scenario_id  # noqa: PLC0415

    if isinstance(value, str):
        return normalize_scenario_id(value) or value
    return value


def clause_number_key(value: object) -> object:
    """``value`` as a canonical clause number where it reads as one, else as given."""
    return clause_number(value)


# ---------------------------------------------------------------------- assess
_SUBJECT = "assessment"


def _scope_ids(scope: object, reference: ReferenceSet) -> tuple[str, ...]:
    if scope is None:
        return tuple(s.id for s in reference.scenarios())
    if isinstance(scope, str | bytes) or not isinstance(scope, Iterable):
        raise ValidationError.single(
            "$.scope",
            "a list of scenario ids such as ['S07', 'S11'], or null",
            describe(scope),
            subject=_SUBJECT,
        )
    problems: list[Problem] = []
    found: set[str] = set()
    for index, item in enumerate(scope):
        try:
            found.add(reference.scenario(item).id)
        except UnknownReference as exc:
            problems.append(Problem(f"$.scope[{index}]", _scenario_expected(exc), describe(item)))
    if problems:
        raise ValidationError(problems, subject=_SUBJECT)
    return tuple(s.id for s in reference.scenarios() if s.id in found)


def _scenario_expected(exc: UnknownReference) -> str:
    close = getattr(exc, "suggestions", ())
    hint = f" (close matches: {', '.join(close)})" if close else ""
    return f"a scenario id such as 'S07'{hint}"


def as_of_instant(as_of: object, register: EvidenceRegister) -> dt.datetime:
    """``as_of`` as an aware instant: a date is its first instant in the register's zone.

    Raises:
        ValidationError: neither a date nor an aware, supported datetime (at ``$.as_of``).
    """
    if isinstance(as_of, dt.datetime):
        problems = instant_problems(as_of, "$.as_of")
        if problems:
            raise ValidationError(problems, subject=_SUBJECT)
        return as_of
    if isinstance(as_of, dt.date):
        try:
            return register.day_start(as_of)
        except ValidationError:
            raise ValidationError.single(
                "$.as_of",
                f"a date whose start in the register's zone ({register.timezone}) is "
                f"{RANGE_TEXT} (the instants cloudsms reads and writes)",
                describe(as_of),
                subject=_SUBJECT,
            ) from None
    raise ValidationError.single(
        "$.as_of",
        "a date (its start in the register's zone) or an aware datetime",
        describe(as_of),
        subject=_SUBJECT,
    )


def assess(
    register: EvidenceRegister,
    scope: Iterable[str] | None = None,
    *,
    as_of: dt.date | dt.datetime,
    edition: str | None = None,
    reference: ReferenceSet | None = None,
) -> Assessment:
    """Assess ``register`` at ``as_of`` against the clauses the scenarios in ``scope`` cite (S12).

    ``scope`` lists scenario ids (``"S07"``, ``"S7"``, ``"5.7"``; ``None``: all
    of them); ``as_of`` is a date (its first instant in the register's zone) or an
    aware datetime; ``edition`` the edition assessed (``None``, the default: the
    register's own, ``"20000-1:2011"`` unless it says otherwise); ``reference`` the
    `cloudsms.reference.ReferenceSet` read (the shipped one by default; another
    edition works through an overlay holding its clauses and citations). For each
    scenario and each clause it cites, with every sub-clause of a cited clause, a
    row is:

    - ``covered`` when evidence of ``edition`` collected by ``as_of`` and still
      valid then supports the clause or one of its ancestors (``via`` names it);
    - ``stale`` when the only such evidence had expired (its ``valid_until`` day
      ended, in the register's zone, by ``as_of``);
    - ``missing`` otherwise. Evidence collected after ``as_of`` does not count.

    A scenario whose citations are unknown, or that cites nothing of ``edition``,
    is reported ``unknown`` with no rows. Each process of the edition gets its
    coverage over the rows of its subtree, and each clause missing or stale a
    `Gap`, with the owner the register declares and a severity: ``major`` for a
    missing clause a scenario cites directly, ``minor`` for stale evidence,
    ``observation`` for a missing sub-clause reached only through a cited parent.
    Evidence that cannot count because its edition is not the one assessed, or
    because it supports clauses the assessed edition of ``reference`` lacks, is
    listed in ``unmatched_evidence`` with the reason, never dropped silently. The
    findings are those open at ``as_of``.

    Serves S12 (check the SMS against the requirements); ISO/IEC 20000-1:2011
    4.5.4 (monitor and review the SMS) and 4.5.4.2 (internal audit).

    Raises:
        ValidationError: ``register`` is not an `EvidenceRegister` (``$.register``),
            a scope item names no scenario (``$.scope[i]``), ``as_of`` is neither a
            date nor an aware datetime (``$.as_of``), the reference holds no such
            edition (``$.edition``) or ``reference`` is not a reference set.

    Examples:
        >>> import datetime as dt
        >>> from cloudsms.conformity import Evidence, EvidenceKind, EvidenceRegister
        >>> register = EvidenceRegister(
        ...     id="reg-1",
        ...     organisation="provider-1",
        ...     timezone="Europe/Berlin",
        ...     evidence=(
        ...         Evidence(
        ...             id="EV-SLM",
        ...             kind=EvidenceKind.RECORD,
        ...             title="Signed service level agreements",
        ...             supports=("6.1",),
        ...             provided_by="actor:slm",
        ...             collected_at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC),
        ...         ),
        ...     ),
        ... )
        >>> result = assess(register, ["S07"], as_of=dt.date(2026, 12, 31))
        >>> [(r.clause_number, r.status.value) for r in result.clauses]
        [('6.1', 'covered'), ('7.1', 'missing'), ('9.2', 'missing')]
        >>> [(g.clause_number, g.severity.value) for g in result.gaps]
        [('7.1', 'major'), ('9.2', 'major')]
    """
    given: object = register
    if not isinstance(given, EvidenceRegister):
        raise ValidationError.single(
            "$.register", "an EvidenceRegister", describe(given), subject=_SUBJECT
        )
    ref: object = shipped() if reference is None else reference
    if not isinstance(ref, ReferenceSet):
        raise ValidationError.single(
            "$.reference", "a ReferenceSet or null", describe(ref), subject=_SUBJECT
        )
    if edition is None:
        edition = register.edition
    if edition not in ref.editions():
        held = ", ".join(ref.editions())
        raise ValidationError.single(
            "$.edition",
            f"an edition the reference holds ({held})",
            describe(edition),
            subject=_SUBJECT,
        )
    scope_ids = _scope_ids(scope, ref)
    instant = as_of_instant(as_of, register)
    return _Assessor(register, ref, edition, micros(instant)).run(instant, scope_ids)


class _Assessor:
    """One assessment's working state: each clause's chain read once."""

    __slots__ = (
        "as_of",
        "clauses",
        "direct",
        "edition",
        "reference",
        "register",
        "rows",
        "slots",
    )

    def __init__(
        self, register: EvidenceRegister, reference: ReferenceSet, edition: str, as_of: int
    ) -> None:
        self.register = register
        self.reference = reference
        self.edition = edition
        self.as_of = as_of
        self.slots = register.slots(edition)
        self.clauses = {c.number: c for c in reference.clauses(edition=edition)}
        self.rows: dict[
            str, tuple[ClauseStatus, str | None, tuple[str, ...], tuple[str, ...]]
        ] = {}
        self.direct: dict[str, frozenset[str]] = {}

    def _own(self, number: str) -> tuple[list[str], list[str]]:
        slot = self.slots.get(number)
        if slot is None:
            return [], []
        return slot.split(self.as_of)

    def clause_row(self, number: str) -> _Row:
        """Status, via, valid ids and stale ids of a clause and its ancestors (memoised)."""
        found = self.rows.get(number)
        if found is not None:
            return found
        valid, stale = self._own(number)
        parent = self.clauses[number].parent
        above: _Row = (
            (ClauseStatus.MISSING, None, (), ()) if parent is None else self.clause_row(parent)
        )
        p_status, p_via, p_valid, p_stale = above
        row: _Row
        all_valid = (*valid, *p_valid)
        all_stale = (*stale, *p_stale)
        if valid:
            row = (ClauseStatus.COVERED, number, all_valid, all_stale)
        elif p_status is ClauseStatus.COVERED:
            row = (ClauseStatus.COVERED, p_via, all_valid, all_stale)
        elif all_stale:
            row = (ClauseStatus.STALE, None, (), all_stale)
        else:
            row = (ClauseStatus.MISSING, None, (), ())
        self.rows[number] = row
        return row

    def scenario(self, scenario: Scenario) -> ScenarioAssessment:
        clauses: tuple[Clause, ...] = ()
        direct: frozenset[str] = frozenset()
        if scenario.citations_known:
            direct = frozenset(
                c.number
                for c in self.reference.clauses_cited_by(scenario.id)
                if c.edition == self.edition
            )
            self.direct[scenario.id] = direct
            clauses = tuple(
                c
                for c in self.reference.clauses_cited_by(scenario.id, expand=True)
                if c.edition == self.edition
            )
        if not clauses:
            return ScenarioAssessment(
                id=scenario.id,
                title=scenario.title,
                status=ScenarioStatus.UNKNOWN,
                covered=0,
                stale=0,
                missing=0,
                clauses=(),
            )
        rows = []
        counts = dict.fromkeys(ClauseStatus, 0)
        for clause in clauses:
            status, via, valid, stale = self.clause_row(clause.number)
            counts[status] += 1
            rows.append(
                ClauseAssessment(
                    scenario_id=scenario.id,
                    clause_number=clause.number,
                    title=clause.title,
                    cited_directly=clause.number in direct,
                    status=status,
                    via=via,
                    evidence_ids=valid,
                    stale_ids=stale,
                )
            )
        return ScenarioAssessment(
            id=scenario.id,
            title=scenario.title,
            status=ScenarioStatus.ASSESSED,
            covered=counts[ClauseStatus.COVERED],
            stale=counts[ClauseStatus.STALE],
            missing=counts[ClauseStatus.MISSING],
            clauses=tuple(rows),
        )

    def run(self, instant: dt.datetime, scope: tuple[str, ...]) -> Assessment:
        scenarios = tuple(self.scenario(self.reference.scenario(sid)) for sid in scope)
        rows = tuple(row for s in scenarios for row in s.clauses)
        return Assessment(
            as_of=instant,
            edition=self.edition,
            register_id=self.register.id,
            scope=scope,
            scenarios=scenarios,
            clauses=rows,
            processes=self.processes(rows),
            gaps=self.gaps(rows),
            findings=findings_open_at(self.register.findings, instant),
            timezone=self.register.timezone,
            unmatched_evidence=self.unmatched(),
        )

    def unmatched(self) -> tuple[UnmatchedEvidence, ...]:
        """The evidence this edition of the reference cannot count, in register order."""
        register = self.register
        lacking: dict[str, list[str]] = {}
        other: set[str] = set()
        for edition in register.editions():
            for number, slot in register.slots(edition).items():
                if edition != self.edition:
                    other.update(slot.ids)
                elif number not in self.clauses:
                    for evidence_id in slot.ids:
                        lacking.setdefault(evidence_id, []).append(number)
        if not lacking and not other:
            return ()
        found = []
        for item in register.evidence:
            if item.id in other:
                reason = f"it is evidence for edition {item.edition}, not {self.edition}"
                found.append((item, item.supports, reason))
            elif item.id in lacking:
                missing = tuple(n for n in item.supports if n not in self.clauses)
                reason = f"edition {self.edition} of the reference has no clause " + ", ".join(
                    missing
                )
                found.append((item, missing, reason))
        return tuple(
            UnmatchedEvidence(evidence_id=i.id, edition=i.edition, clauses=c, reason=r)
            for i, c, r in found
        )

    def cited_ancestor(self, scenario_id: str, number: str) -> str:
        """The nearest ancestor of ``number`` the scenario cites directly."""
        direct = self.direct.get(scenario_id, frozenset())
        parent = self.clauses[number].parent
        while parent is not None and parent not in direct:
            parent = self.clauses[parent].parent
        return number if parent is None else parent

    def processes(self, rows: tuple[ClauseAssessment, ...]) -> tuple[ProcessAssessment, ...]:
        result = []
        for process in self.clauses.values():
            if not process.is_process:
                continue
            prefix = process.number + "."
            under = [
                r
                for r in rows
                if r.clause_number == process.number or r.clause_number.startswith(prefix)
            ]
            statuses = {r.clause_number: r.status for r in under}
            total = len(statuses)
            covered = sum(1 for s in statuses.values() if s is ClauseStatus.COVERED)
            if not total:
                status = ProcessStatus.OUT_OF_SCOPE
            elif ClauseStatus.MISSING in statuses.values():
                status = ProcessStatus.MISSING
            elif covered < total:
                status = ProcessStatus.STALE
            else:
                status = ProcessStatus.COVERED
            result.append(
                ProcessAssessment(
                    clause_number=process.number,
                    title=process.title,
                    scenario_ids=tuple(dict.fromkeys(r.scenario_id for r in under)),
                    status=status,
                    covered=covered,
                    total=total,
                    owner=self.register.owner_of(process.number),
                )
            )
        return tuple(result)

    def gaps(self, rows: tuple[ClauseAssessment, ...]) -> tuple[Gap, ...]:
        needing: dict[str, list[ClauseAssessment]] = {}
        for row in rows:
            if row.status is not ClauseStatus.COVERED:
                needing.setdefault(row.clause_number, []).append(row)
        order = {number: i for i, number in enumerate(self.clauses)}
        gaps = []
        for number, found in needing.items():
            status = found[0].status
            if status is ClauseStatus.STALE:
                severity = Severity.MINOR
            elif any(r.cited_directly for r in found):
                severity = Severity.MAJOR
            else:
                severity = Severity.OBSERVATION
            scenario_ids = tuple(dict.fromkeys(r.scenario_id for r in found))
            gaps.append(
                Gap(
                    clause_number=number,
                    title=found[0].title,
                    status=status,
                    severity=severity,
                    scenario_ids=scenario_ids,
                    owner=self.register.owner_of(number),
                    stale_ids=found[0].stale_ids,
                    cited_by=tuple(r.scenario_id for r in found if r.cited_directly),
                    reached_by=tuple(
                        (r.scenario_id, self.cited_ancestor(r.scenario_id, number))
                        for r in found
                        if not r.cited_directly
                    ),
                )
            )
        gaps.sort(key=lambda g: (g.severity.rank, order[g.clause_number]))
        return tuple(gaps)
