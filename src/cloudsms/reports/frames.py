"""``to_frame``: the values an analyst reviews, as pandas DataFrames (issue 20; S12, S10).

An edge of the package, for the analysts and auditors among cloudsms's users: one
function turns each value a review works with into a table a notebook can sort,
filter, group and plot. It dispatches on the type of what it is given:

- a `ServiceLevelReport` or several (S10): the service-report frame of
  `cloudsms.reports.monitoring.to_frame`, unchanged (option ``agreements``);
- a `ReferenceSet`, or a sequence of `Citation` (every scenario's traceability):
  one row per citation, the columns of `ReferenceSet.to_records` (option
  ``reference`` names the set a sequence of citations is read against; default the
  shipped one);
- a `CoverageMatrix`: clause by scenario, the index the clause numbers, a column per
  scenario id, each value the cell's kind (``direct``, ``inherited``, ``none``,
  ``unknown``); with ``long=True`` one row per cell, the columns of
  `CoverageMatrix.to_records`;
- a sequence of `ProcessCoverage`: one row per process (with ``long=True`` one row per
  process and scenario);
- an `Assessment` (S12): one row per clause row; option ``part`` picks the
  ``scenarios``, ``processes``, ``gaps`` or ``unmatched`` evidence instead
  (``clauses`` by default), and a sequence of `ClauseAssessment`,
  `ScenarioAssessment`, `ProcessAssessment`, `Gap` (``assessment.gaps``) or
  `UnmatchedEvidence` gives the same rows;
- an `EvidenceRegister` (S12): one row per evidence; option ``as_of`` (a date, read
  in the register's zone, or an aware datetime) adds its ``state`` then: ``valid``,
  ``expired`` or ``not_collected`` (collected later);
- an `ImprovementRegister` (S12): one row per improvement with its state, its rank
  in the register's ranking (open assessed improvements only) and its score.

pandas comes from the optional extra ``analysis`` and is imported only here, when a
frame is asked for; without it an ImportError says ``pip install 'cloudsms[analysis]'``.
Anything else is refused with a `ValidationError` naming what is accepted (subject
``Frame``), as is an option of the wrong type (``long`` must be a bool). An empty
sequence gives an empty frame (nothing says which columns it would have had).

Missing values are the same everywhere: a column that can lack a value (a ``via``,
an ``owner``, a ``source_ref``, an ``expires_at``, a ``rank``, a ``score``...) is an
object column holding ``None`` where the value is missing, never ``NaN``, ``NaT`` or
``pd.NA``, whatever pandas would have inferred; ``frame[column].isna()`` finds them
and ``to_dict("records")`` gives back the model's ``None``. Such columns are listed in
`OPTIONAL_COLUMNS`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from cloudsms.conformity import (
    Assessment,
    ClauseAssessment,
    EvidenceRegister,
    Gap,
    ProcessAssessment,
    ScenarioAssessment,
    UnmatchedEvidence,
)
from cloudsms.conformity._assess import as_of_instant
from cloudsms.errors import Problem, UnknownReference, ValidationError, describe
from cloudsms.improvement import ImprovementRegister
from cloudsms.monitoring.evaluation import ServiceLevelReport
from cloudsms.reference import (
    Citation,
    CoverageKind,
    CoverageMatrix,
    ProcessCoverage,
    ReferenceSet,
    shipped,
)
from cloudsms.reports.conformity import _gap_data, _process_data, _row_data, _unmatched_data
from cloudsms.reports.monitoring import _extra
from cloudsms.reports.monitoring import to_frame as _report_frame

if TYPE_CHECKING:
    from pandas import DataFrame  # type: ignore[import-untyped]

__all__ = [
    "ASSESSMENT_FRAME_COLUMNS",
    "CITATION_COLUMNS",
    "COVERAGE_COLUMNS",
    "EVIDENCE_COLUMNS",
    "GAP_FRAME_COLUMNS",
    "IMPROVEMENT_FRAME_COLUMNS",
    "OPTIONAL_COLUMNS",
    "PROCESS_ASSESSMENT_COLUMNS",
    "PROCESS_COVERAGE_COLUMNS",
    "PROCESS_COVERAGE_LONG_COLUMNS",
    "SCENARIO_ASSESSMENT_COLUMNS",
    "UNMATCHED_EVIDENCE_COLUMNS",
    "evidence_state",
    "to_frame",
]

_SUBJECT = "Frame"
"""The subject of `to_frame`'s refusals (``Frame is invalid``)."""

_WANTED_BY = "to_frame"
"""Who needs pandas, as the ImportError names it."""

CITATION_COLUMNS = (
    "scenario_id",
    "scenario_title",
    "phase",
    "position",
    "edition",
    "clause_number",
    "clause_title",
    "cited_as",
    "process_group",
    "is_process",
)
"""The columns of a citations frame: those of `ReferenceSet.to_records`."""

COVERAGE_COLUMNS = (
    "edition",
    "clause_number",
    "clause_title",
    "depth",
    "scenario_id",
    "scenario_title",
    "coverage",
    "via",
)
"""The columns of a coverage matrix's long frame: those of `CoverageMatrix.to_records`."""

PROCESS_COVERAGE_COLUMNS = (
    "edition",
    "clause_number",
    "title",
    "process_group",
    "covered",
    "scenarios",
    "direct",
    "inherited",
    "unknown",
)
"""The columns of a process-coverage frame: one row per process.

``scenarios`` counts the scenarios covering the process (directly or through an
ancestor); ``direct`` and ``unknown`` list scenario ids and ``inherited`` entries
such as ``S04(6)``, each separated by spaces, as ``cloudsms coverage`` prints them.
"""

PROCESS_COVERAGE_LONG_COLUMNS = (
    "edition",
    "clause_number",
    "title",
    "scenario_id",
    "coverage",
    "via",
)
"""The columns of a long process-coverage frame: one row per process and scenario.

``coverage`` is ``direct``, ``inherited`` or ``unknown`` (scenarios that do not
cover the process are left out); ``via`` the cited clause (``None`` when unknown).
"""

ASSESSMENT_FRAME_COLUMNS = (
    "scenario_id",
    "clause_number",
    "title",
    "cited_directly",
    "status",
    "via",
    "inherited",
    "evidence_ids",
    "stale_ids",
)
"""The columns of an assessment's clause rows (ids separated by spaces).

Those of the clause rows of `cloudsms.reports.conformity.assessment_data`, in its
order; so are those of the processes, gaps and unmatched evidence, each list there
joined by spaces here.
"""

SCENARIO_ASSESSMENT_COLUMNS = (
    "scenario_id",
    "title",
    "status",
    "covered",
    "stale",
    "missing",
    "total",
)
"""The columns of an assessment's scenarios (``part="scenarios"``)."""

PROCESS_ASSESSMENT_COLUMNS = (
    "clause_number",
    "title",
    "scenario_ids",
    "status",
    "covered",
    "total",
    "owner",
)
"""The columns of an assessment's processes (``part="processes"``)."""

GAP_FRAME_COLUMNS = (
    "clause_number",
    "title",
    "status",
    "severity",
    "scenario_ids",
    "cited_by",
    "reached_by",
    "owner",
    "stale_ids",
)
"""The columns of an assessment's gaps (``part="gaps"``), worst first.

``scenario_ids`` lists every scenario needing the clause; ``cited_by`` those citing
it directly and ``reached_by`` the others as ``S04(4)`` (the scenario, then the
cited clause it reaches this one through), each separated by spaces.
"""

UNMATCHED_EVIDENCE_COLUMNS = ("evidence_id", "edition", "clauses", "reason")
"""The columns of the evidence an assessment could not count (``part="unmatched"``).

``clauses`` (separated by spaces) are those the assessed edition lacks; ``reason``
says why the item did not count.
"""

EVIDENCE_COLUMNS = (
    "id",
    "kind",
    "title",
    "supports",
    "edition",
    "provided_by",
    "collected_at",
    "valid_until",
    "expires_at",
    "source_ref",
    "note",
)
"""The columns of an evidence register's frame (``state`` added after them with ``as_of``).

``collected_at`` and ``expires_at`` are in UTC; ``expires_at`` is the end of the
``valid_until`` day in the register's zone (``None``: no expiry).
"""

IMPROVEMENT_FRAME_COLUMNS = (
    "id",
    "title",
    "state",
    "rank",
    "score",
    "source",
    "source_ref",
    "area",
    "services",
    "owner",
    "raised_at",
    "change_id",
    "design_id",
)
"""The columns of an improvement register's frame.

``rank`` is the place in `ImprovementRegister.ranked` (``None`` for an improvement
never assessed or closed); ``score`` the weighted score rounded once to two places
(a `Decimal`; ``None`` when never assessed; a closed one keeps its score).
"""

OPTIONAL_COLUMNS = frozenset(
    {
        "cited_as",
        "process_group",
        "via",
        "owner",
        "valid_until",
        "expires_at",
        "source_ref",
        "rank",
        "score",
        "change_id",
        "design_id",
    }
)
"""The columns, in whichever frame they appear, that can lack a value.

Each is an object column holding ``None`` where the value is missing (the module says
why): ``cited_as`` where a citation used the clause's own title, ``rank`` and
``score`` where an improvement is not ranked. ``rank`` holds ints, ``score``
Decimals, ``valid_until`` dates and ``expires_at`` UTC datetimes, each or ``None``.
"""

ACCEPTED = (
    "a ServiceLevelReport (or a sequence of them), a ReferenceSet, a sequence of "
    "Citation, a CoverageMatrix, a sequence of ProcessCoverage, an Assessment (or a "
    "sequence of its rows, scenarios, processes, gaps or unmatched evidence), an "
    "EvidenceRegister or an "
    "ImprovementRegister"
)
"""What `to_frame` accepts, as its refusal names it."""


def to_frame(value: object, **options: Any) -> DataFrame:  # noqa: ANN401 - per type
    """``value`` as a pandas DataFrame; which columns depends on its type (see the module).

    Options by type: ``agreements`` for service reports (as
    `cloudsms.reports.monitoring.to_frame`), ``reference`` for a sequence of
    citations, ``long`` for a coverage matrix and a sequence of process coverage,
    ``part`` for an assessment, ``as_of`` for an evidence register.

    ``to_frame(reference.coverage_matrix()).loc["4.5.1", ["S02", "S04", "S14"]]``
    reads ``direct``, ``inherited``, ``unknown``: S02 cites 4.5.1, S04 the whole of
    clause 4, and the source lists no clauses for S14 (docs/analysis.md walks through
    the rest).

    Raises:
        ImportError: pandas is not installed (``pip install 'cloudsms[analysis]'``).
        ValidationError: ``value`` is none of the accepted types (``$``), a sequence
            mixes types (``$[1]``), an option does not apply or is of the wrong type
            (``$.<option>``: ``long`` a bool, ``part`` one of its names,
            ``as_of`` a date or an aware datetime, ``reference`` a ReferenceSet); the
            subject is ``Frame`` (a service report's own refusals keep theirs).
    """
    if isinstance(value, ServiceLevelReport):
        return _reports(value, options)
    for kind, build in _BUILDERS.items():
        if isinstance(value, kind):
            return build(value, options)
    if isinstance(value, Iterable) and not isinstance(value, str | bytes | Mapping):
        return _sequence(list(value), options)
    raise ValidationError.single("$", ACCEPTED, describe(value), subject=_SUBJECT)


def _sequence(items: list[Any], options: Mapping[str, Any]) -> DataFrame:
    """A frame of a sequence, by the type of its first item; every item of that type."""
    if not items:
        return _extra("pandas", _WANTED_BY).DataFrame()
    first = items[0]
    if isinstance(first, ServiceLevelReport):
        return _reports(items, options)
    _same_type(items)
    for kind, build in _ITEM_BUILDERS.items():
        if isinstance(first, kind):
            return build(items, options)
    raise ValidationError.single(
        "$[0]", ACCEPTED, f"a sequence of {describe(first)}", subject=_SUBJECT
    )


def _options(options: Mapping[str, Any], allowed: Sequence[str], what: str) -> dict[str, Any]:
    """``options`` if every one is ``allowed`` for ``what``; else every stray one refused."""
    problems = [
        Problem(
            f"$.{name}",
            f"an option for {what}: " + (", ".join(allowed) if allowed else "none"),
            f"option {name!r}",
        )
        for name in options
        if name not in allowed
    ]
    if problems:
        raise ValidationError(problems, subject=_SUBJECT)
    return dict(options)


def _same_type(items: list[Any]) -> None:
    """Refuse a sequence whose items are not all of the first one's type."""
    kind = type(items[0])
    problems = [
        Problem(f"$[{index}]", f"a {kind.__name__} like the first item", describe(item))
        for index, item in enumerate(items)
        if not isinstance(item, kind)
    ]
    if problems:
        raise ValidationError(problems, subject=_SUBJECT)


def _records(records: list[dict[str, Any]], columns: Sequence[str]) -> DataFrame:
    """A frame of ``records``; each of the `OPTIONAL_COLUMNS` an object column with ``None``."""
    pandas = _extra("pandas", _WANTED_BY)
    frame = pandas.DataFrame(records, columns=list(columns))
    for name in columns:
        if name in OPTIONAL_COLUMNS:
            frame[name] = pandas.Series(
                [record.get(name) for record in records], index=frame.index, dtype=object
            )
    return frame


def _flag(options: Mapping[str, Any], name: str) -> bool:
    """The boolean option ``name`` (default False); anything but a bool refused."""
    value = options.get(name, False)
    if not isinstance(value, bool):
        raise ValidationError.single(
            f"$.{name}", "true or false", describe(value), subject=_SUBJECT
        )
    return value


def read_as_of(as_of: object, register: EvidenceRegister, subject: str) -> dt.datetime:
    """``as_of`` read as `cloudsms.conformity.assess` reads it, refused under ``subject``.

    A date is its first instant in the register's zone; an aware datetime is itself.

    Raises:
        ValidationError: anything else, at ``$.as_of`` (subject ``subject``).
    """
    try:
        return as_of_instant(as_of, register)
    except ValidationError as exc:  # the conformity module's subject; the caller's here
        raise ValidationError(exc.problems, subject=subject) from None


def _reports(value: object, options: Mapping[str, Any]) -> DataFrame:
    kept = _options(options, ("agreements",), "service reports")
    return _report_frame(value, agreements=kept.get("agreements", ()))  # type: ignore[arg-type]


def _citations(items: list[Citation], options: Mapping[str, Any]) -> DataFrame:
    """One row per citation, titles read from ``reference`` (default: the shipped set).

    Each row is `ReferenceSet.citation_record`, as `ReferenceSet.to_records` makes it.
    """
    reference = _options(options, ("reference",), "citations").get("reference")
    refs = shipped() if reference is None else reference
    if not isinstance(refs, ReferenceSet):
        raise ValidationError.single(
            "$.reference", "a ReferenceSet or None", describe(reference), subject=_SUBJECT
        )
    rows: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for index, c in enumerate(items):
        try:
            rows.append(refs.citation_record(c))
        except UnknownReference:
            problems.append(
                Problem(
                    f"$[{index}]",
                    "a citation the reference set holds",
                    f"{c.scenario_id} citing {c.clause_number} of {c.edition}",
                )
            )
    if problems:
        raise ValidationError(problems, subject=_SUBJECT)
    return _records(rows, CITATION_COLUMNS)


def _reference(refs: ReferenceSet, options: Mapping[str, Any]) -> DataFrame:
    _options(options, (), "a ReferenceSet")
    return _records(refs.to_records(), CITATION_COLUMNS)


def _matrix(matrix: CoverageMatrix, options: Mapping[str, Any]) -> DataFrame:
    """The matrix wide (clause by scenario, values the kinds) or long (one row per cell)."""
    if _flag(_options(options, ("long",), "a CoverageMatrix"), "long"):
        return _records(matrix.to_records(), COVERAGE_COLUMNS)
    pandas = _extra("pandas", _WANTED_BY)
    ids = [s.id for s in matrix.scenarios]
    return pandas.DataFrame(
        [[c.kind.value for c in matrix.row(clause.number)] for clause in matrix.clauses],
        index=pandas.Index([c.number for c in matrix.clauses], name="clause_number"),
        columns=pandas.Index(ids, name="scenario_id"),
    )


def _processes(items: list[ProcessCoverage], options: Mapping[str, Any]) -> DataFrame:
    if _flag(_options(options, ("long",), "process coverage"), "long"):
        return _records(
            [row for p in items for row in _process_cells(p)], PROCESS_COVERAGE_LONG_COLUMNS
        )
    rows = [
        {
            "edition": p.clause.edition,
            "clause_number": p.clause.number,
            "title": p.clause.title,
            "process_group": None
            if p.clause.process_group is None
            else p.clause.process_group.value,
            "covered": p.covered,
            "scenarios": len(p.scenario_ids),
            "direct": " ".join(p.direct),
            "inherited": " ".join(f"{x.scenario_id}({x.via})" for x in p.inherited),
            "unknown": " ".join(p.unknown),
        }
        for p in items
    ]
    return _records(rows, PROCESS_COVERAGE_COLUMNS)


def _process_cells(p: ProcessCoverage) -> list[dict[str, Any]]:
    """One row per scenario covering ``p`` (its nearest citation) or unknown for it."""
    base = {"edition": p.clause.edition, "clause_number": p.clause.number, "title": p.clause.title}
    nearest: dict[str, str] = dict.fromkeys(p.direct, p.clause.number)
    for x in p.inherited:  # most specific first within a scenario
        nearest.setdefault(x.scenario_id, x.via)
    rows: list[dict[str, Any]] = [
        {
            **base,
            "scenario_id": sid,
            "coverage": (
                CoverageKind.DIRECT if via == p.clause.number else CoverageKind.INHERITED
            ).value,
            "via": via,
        }
        for sid, via in sorted(nearest.items(), key=lambda item: int(item[0][1:]))
    ]
    rows += [
        {**base, "scenario_id": sid, "coverage": CoverageKind.UNKNOWN.value, "via": None}
        for sid in p.unknown
    ]
    return rows


# ---------------------------------------------------------------------- conformity, S12
def _ids(values: Iterable[str]) -> str:
    return " ".join(values)


def _joined(data: dict[str, Any]) -> dict[str, Any]:
    """A record of `assessment_data` as a frame row: each list of ids joined by spaces.

    The JSON report and the frames name the same fields of a clause row, process, gap
    and unmatched evidence, so both take them from one place.
    """
    return {key: _ids(value) if isinstance(value, list) else value for key, value in data.items()}


def _clause_row(r: ClauseAssessment) -> dict[str, Any]:
    return _joined(_row_data(r))


def _scenario_row(s: ScenarioAssessment) -> dict[str, Any]:
    return {
        "scenario_id": s.id,
        "title": s.title,
        "status": s.status.value,
        "covered": s.covered,
        "stale": s.stale,
        "missing": s.missing,
        "total": s.total,
    }


def _process_row(p: ProcessAssessment) -> dict[str, Any]:
    return _joined(_process_data(p))


def _gap_row(g: Gap) -> dict[str, Any]:
    """The gap's record, ``reached_by`` as ``S04(4)``: the scenario, then the cited clause."""
    data = _gap_data(g)
    data["reached_by"] = [f"{sid}({via})" for sid, via in g.reached_by]
    return _joined(data)


def _unmatched_row(u: UnmatchedEvidence) -> dict[str, Any]:
    return _joined(_unmatched_data(u))


@attrs.frozen
class _Part:
    """One part of an assessment as a frame: the type of its items, their rows and columns.

    ``attribute`` names where an `Assessment` holds the items, ``what`` how a refused
    option names a sequence of them. The same frame comes from ``to_frame(assessment,
    part=...)`` and from ``to_frame`` of the sequence itself.
    """

    kind: type
    attribute: str
    what: str
    columns: tuple[str, ...]
    row: Callable[[Any], dict[str, Any]]

    def frame(self, items: Sequence[Any], options: Mapping[str, Any]) -> DataFrame:
        """One row per item; no option applies."""
        _options(options, (), self.what)
        return _records([self.row(item) for item in items], self.columns)


_PARTS = {
    "clauses": _Part(
        ClauseAssessment, "clauses", "clause rows", ASSESSMENT_FRAME_COLUMNS, _clause_row
    ),
    "scenarios": _Part(
        ScenarioAssessment,
        "scenarios",
        "scenario assessments",
        SCENARIO_ASSESSMENT_COLUMNS,
        _scenario_row,
    ),
    "processes": _Part(
        ProcessAssessment,
        "processes",
        "process assessments",
        PROCESS_ASSESSMENT_COLUMNS,
        _process_row,
    ),
    "gaps": _Part(Gap, "gaps", "gaps", GAP_FRAME_COLUMNS, _gap_row),
    "unmatched": _Part(
        UnmatchedEvidence,
        "unmatched_evidence",
        "unmatched evidence",
        UNMATCHED_EVIDENCE_COLUMNS,
        _unmatched_row,
    ),
}
"""An assessment's parts by the names ``part`` takes (``clauses`` the default)."""


def _assessment(assessment: Assessment, options: Mapping[str, Any]) -> DataFrame:
    """One of an assessment's parts: its clause rows by default."""
    name = _options(options, ("part",), "an Assessment").get("part", "clauses")
    part = _PARTS.get(name) if isinstance(name, str) else None
    if part is None:
        raise ValidationError.single(
            "$.part", "one of " + ", ".join(_PARTS), describe(name), subject=_SUBJECT
        )
    return part.frame(getattr(assessment, part.attribute), {})


def _evidence(register: EvidenceRegister, options: Mapping[str, Any]) -> DataFrame:
    """One row per evidence; with ``as_of``, its state at that instant."""
    kept = _options(options, ("as_of",), "an EvidenceRegister")
    instant = None if kept.get("as_of") is None else read_as_of(kept["as_of"], register, _SUBJECT)
    rows = []
    for e in register.evidence:
        expires = None if e.valid_until is None else register.day_end(e.valid_until)
        row: dict[str, Any] = {
            "id": e.id,
            "kind": e.kind.value,
            "title": e.title,
            "supports": _ids(e.supports),
            "edition": e.edition,
            "provided_by": e.provided_by,
            "collected_at": _utc(e.collected_at),
            "valid_until": e.valid_until,
            "expires_at": None if expires is None else _utc(expires),
            "source_ref": e.source_ref,
            "note": e.note,
        }
        if instant is not None:
            row["state"] = evidence_state(e.collected_at, expires, instant)
        rows.append(row)
    columns = [*EVIDENCE_COLUMNS, *(("state",) if instant is not None else ())]
    return _records(rows, columns)


def evidence_state(collected_at: dt.datetime, expires: dt.datetime | None, at: dt.datetime) -> str:
    """``not_collected`` (collected after ``at``), ``expired`` (ended by then) or ``valid``.

    Evidence valid until a day holds through the end of that day, so it has expired
    at ``at`` when that end is no later than ``at``, as `cloudsms.conformity.assess`
    reads it.
    """
    if collected_at > at:
        return "not_collected"
    if expires is not None and expires <= at:
        return "expired"
    return "valid"


def _utc(instant: dt.datetime) -> dt.datetime:
    return instant.astimezone(dt.UTC)


def _improvements(register: ImprovementRegister, options: Mapping[str, Any]) -> DataFrame:
    """One row per improvement: state, rank among the open ones, score."""
    _options(options, (), "an ImprovementRegister")
    ranks = {r.id: r.rank for r in register.ranked()}
    scores = {r.id: r.display_score for r in register.ranked(include_closed=True)}
    rows = [
        {
            "id": i.id,
            "title": i.title,
            "state": i.state,
            "rank": ranks.get(i.id),
            "score": scores.get(i.id),
            "source": i.source.value,
            "source_ref": i.source_ref,
            "area": i.area.value,
            "services": _ids(i.services),
            "owner": i.owner,
            "raised_at": _utc(i.raised_at),
            "change_id": i.change_id,
            "design_id": i.design_id,
        }
        for i in register.improvements
    ]
    return _records(rows, IMPROVEMENT_FRAME_COLUMNS)


_BUILDERS: dict[type, Callable[[Any, Mapping[str, Any]], DataFrame]] = {
    ReferenceSet: _reference,
    CoverageMatrix: _matrix,
    Assessment: _assessment,
    EvidenceRegister: _evidence,
    ImprovementRegister: _improvements,
}
"""How a single value becomes a frame, by its type."""

_ITEM_BUILDERS: dict[type, Callable[[list[Any], Mapping[str, Any]], DataFrame]] = {
    Citation: _citations,
    ProcessCoverage: _processes,
    **{part.kind: part.frame for part in _PARTS.values()},
}
"""How a sequence becomes a frame, by the type of its items."""
