"""``ReferenceSet``: clauses, scenarios and citations, indexed once and queried many times."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from typing import Any

from cloudsms._foundation import strict_json as _json
from cloudsms.errors import UnknownReference, ValidationError, describe
from cloudsms.reference._build import (
    OVERLAY_TYPE,
    SET_TYPE,
    Tables,
    merge,
    plain,
    sorted_clause_keys,
)
from cloudsms.reference._ids import normalize_clause_number, normalize_scenario_id, suggest
from cloudsms.reference._records import (
    DEFAULT_EDITION,
    Citation,
    Clause,
    Coverage,
    CoverageCell,
    CoverageKind,
    Phase,
    ProcessCoverage,
    ProcessGroup,
    Provenance,
    Scenario,
)

__all__ = ["CoverageMatrix", "ReferenceSet", "read_document"]

Overlay = Mapping[str, Any] | str | os.PathLike[str] | bytes


MAX_OVERLAY_BYTES = 64 * 2**20
"""The largest overlay file read: the shipped data is about 200 kB; 64 MiB is generous."""


def read_document(source: object) -> tuple[object, str]:
    """Return the document at ``source`` and a name for its origin.

    ``source`` is a mapping (the document itself), ``bytes`` (its JSON text) or the
    path of a JSON file (``str`` or path-like). JSON text goes through the package's
    one strict reader: an object that repeats a key is refused, at any depth.

    Raises:
        ValidationError: the file cannot be read, or is not UTF-8 JSON, or repeats a key.
    """
    if isinstance(source, Mapping):
        return source, "overlay"
    if isinstance(source, bytes | bytearray):
        return _json.loads(bytes(source), subject="reference overlay"), "overlay"
    if not isinstance(source, str | os.PathLike):
        return source, "overlay"  # not a document: validation reports it at "$"
    try:
        path = os.fspath(source)
    except TypeError:  # a path-like whose __fspath__ returns neither str nor bytes
        raise ValidationError.single(
            "$", "the path of a JSON file", describe(source), subject="reference overlay"
        ) from None
    name = _shown_name(os.path.basename(os.fsdecode(path)))
    subject = f"reference overlay {name}"
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_OVERLAY_BYTES + 1)
    except ValueError:  # a NUL character: no file can have that name
        raise ValidationError.single(
            "$",
            "the path of a JSON file (without NUL characters)",
            describe(path),
            subject="reference overlay",
        ) from None
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        expected = "the path of a readable JSON file"
        if isinstance(path, str) and path.lstrip().startswith("{"):
            expected += " (JSON text is read from bytes, or by ReferenceSet.from_json)"
        raise ValidationError.single(
            "$", expected, f"{describe(path)}: {reason}", subject=subject
        ) from exc
    if len(data) > MAX_OVERLAY_BYTES:
        raise ValidationError.single(
            "$",
            f"a JSON file of at most {MAX_OVERLAY_BYTES // 2**20} MiB",
            "a larger file",
            subject=subject,
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationError.single(
            "$",
            "a file encoded in UTF-8",
            f"a byte that is not UTF-8 at offset {exc.start}",
            subject=subject,
        ) from None
    return _json.loads(text, subject=subject), name


def _shown_name(name: str) -> str:
    """A file name as a message shows it: at most 60 characters, control characters escaped."""
    shown = repr(name)[1:-1]
    return shown if len(shown) <= _NAME_SHOWN else shown[: _NAME_SHOWN - 3] + "..."


_NAME_SHOWN = 60


class ReferenceSet:
    """Clauses of ISO/IEC 20000-1, the TR's scenarios and which clauses each cites.

    Serves every scenario (S01-S15): it is the traceability layer between the
    standard and the code. Build one with `from_mapping`, or take the shipped
    set with `cloudsms.reference.shipped` and extend it with `overlay`.
    A set never changes once built; every query returns immutable values.
    """

    __slots__ = (
        "_alias",
        "_citations",
        "_cited",
        "_citing",
        "_citing_direct",
        "_clauses",
        "_coverage",
        "_expanded",
        "_matrices",
        "_numbers",
        "_processes",
        "_scenarios",
        "_tables",
    )

    def __init__(self, tables: Tables) -> None:
        """Index already merged and checked ``tables`` (use `from_mapping` instead)."""
        self._tables = tables
        self._matrices: dict[str, CoverageMatrix] = {}
        self._processes: dict[str, tuple[ProcessCoverage, ...]] = {}
        self._index_clauses()
        self._index_scenarios()
        self._index_citations()

    # ------------------------------------------------------------------ building
    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, origin: str = "overlay") -> ReferenceSet:
        """Build a set from one document alone, without the shipped data.

        ``data`` is a ``cloudsms.reference-set`` document (what `to_json`
        writes) or a ``cloudsms.reference-overlay``.

        Raises:
            ValidationError: listing every problem with its path; nothing is built.
        """
        tables = merge(
            Tables(),
            [("$", data)],
            subject="reference data",
            origin=origin,
            types=(SET_TYPE, OVERLAY_TYPE),
        )
        return cls(tables)

    @classmethod
    def from_json(cls, text: str | bytes, *, origin: str = "overlay") -> ReferenceSet:
        """Build a set from the JSON text of one document alone (what `to_json` writes).

        The text is read strictly: an object that repeats a key is refused (the
        standard library would keep the last one silently), wherever it is.

        Examples:
            >>> from cloudsms import reference
            >>> ReferenceSet.from_json(reference.to_json()) == reference.shipped()
            True

        Raises:
            ValidationError: the text is not JSON, repeats a key, or breaks the schema;
                every problem with its path.
        """
        return cls.from_mapping(_json.loads(text, subject="reference data"), origin=origin)

    def overlay(self, source: Overlay, *, origin: str | None = None) -> ReferenceSet:
        """Return a new set holding this one's records plus those of an overlay.

        ``source`` is a mapping, the JSON text of one as ``bytes``, or the path of a
        JSON file. A record whose key is already held replaces it only when it says
        ``"replace": true``. Adding citations for a scenario marks its citations as
        known. This set never changes.

        Raises:
            ValidationError: every problem of the overlay with its path, including a
                file that cannot be read and a key an object repeats; nothing is merged.
        """
        document, name = read_document(source)
        tables = merge(
            self._tables,
            [("$", document)],
            subject=f"reference overlay {name}" if name != "overlay" else "reference overlay",
            origin=origin or name,
            types=(OVERLAY_TYPE,),
        )
        return type(self)(tables)

    # ------------------------------------------------------------------ indexing
    def _index_clauses(self) -> None:
        keys = sorted_clause_keys(self._tables.clauses)
        children: dict[tuple[str, str], list[str]] = {k: [] for k in keys}
        for edition, number in keys:
            parent = self._tables.clauses[edition, number]["parent"]
            if parent is not None:
                children[edition, parent].append(number)
        self._clauses: dict[tuple[str, str], Clause] = {}
        self._numbers: dict[str, dict[str, Clause]] = {}
        for key in keys:
            raw = self._tables.clauses[key]
            group = raw["process_group"]
            clause = Clause(
                edition=raw["edition"],
                number=raw["number"],
                title=raw["title"],
                parent=raw["parent"],
                children=tuple(children[key]),
                process_group=None if group is None else ProcessGroup(group),
                is_process=raw["is_process"],
                provenance=Provenance(**raw["provenance"]),
            )
            self._clauses[key] = clause
            self._numbers.setdefault(key[0], {})[key[1]] = clause

    def _index_scenarios(self) -> None:
        ordered = sorted(self._tables.scenarios.values(), key=lambda s: int(s["id"][1:]))
        self._scenarios: dict[str, Scenario] = {}
        self._alias: dict[str, str] = {}
        for raw in ordered:
            scenario = Scenario(
                id=raw["id"],
                section=raw["section"],
                title=raw["title"],
                phase=Phase(raw["phase"]),
                summary=raw["summary"],
                outcomes=tuple(raw["outcomes"]),
                citations_known=raw["citations_known"],
                designed_by_cloudsms=raw["designed_by_cloudsms"],
                implemented_by=tuple(raw["implemented_by"]),
                provenance=Provenance(**raw["provenance"]),
            )
            sid = scenario.id
            self._scenarios[sid] = scenario
            n = scenario.number
            for alias in (sid, f"S{n}", f"S{n:02d}", f"S{n:03d}", scenario.section):
                self._alias[alias] = sid
                self._alias[alias.lower()] = sid

    def _index_citations(self) -> None:
        order = {sid: i for i, sid in enumerate(self._scenarios)}
        raws = sorted(
            self._tables.citations.values(),
            key=lambda c: (order[c["scenario_id"]], c["position"]),
        )
        self._citations = tuple(
            Citation(
                scenario_id=c["scenario_id"],
                edition=c["edition"],
                clause_number=c["clause_number"],
                position=c["position"],
                cited_as=c["cited_as"],
                provenance=Provenance(**c["provenance"]),
            )
            for c in raws
        )
        clause_order = {key: i for i, key in enumerate(self._clauses)}
        cited: dict[str, set[tuple[str, str]]] = {sid: set() for sid in self._scenarios}
        for c in self._citations:
            cited[c.scenario_id].add((c.edition, c.clause_number))
        coverage: dict[tuple[str, str], list[Coverage]] = {k: [] for k in self._clauses}
        expanded: dict[str, set[tuple[str, str]]] = {sid: set() for sid in self._scenarios}
        for sid, keys in cited.items():
            for key in keys:
                for below in self._subtree(key):
                    expanded[sid].add(below)
                    coverage[below].append(
                        Coverage(
                            scenario_id=sid,
                            clause_number=below[1],
                            via=key[1],
                            direct=below == key,
                        )
                    )
        self._cited = {
            sid: tuple(self._clauses[k] for k in sorted(keys, key=clause_order.__getitem__))
            for sid, keys in cited.items()
        }
        self._expanded = {
            sid: tuple(self._clauses[k] for k in sorted(keys, key=clause_order.__getitem__))
            for sid, keys in expanded.items()
        }
        self._coverage: dict[str, dict[str, tuple[Coverage, ...]]] = {}
        self._citing: dict[str, dict[str, tuple[Scenario, ...]]] = {}
        self._citing_direct: dict[str, dict[str, tuple[Scenario, ...]]] = {}
        for key, entries in coverage.items():
            entries.sort(key=lambda c: (order[c.scenario_id], -c.via.count(".")))
            edition, number = key
            self._coverage.setdefault(edition, {})[number] = tuple(entries)
            self._citing.setdefault(edition, {})[number] = tuple(
                self._scenarios[sid] for sid in dict.fromkeys(c.scenario_id for c in entries)
            )
            self._citing_direct.setdefault(edition, {})[number] = tuple(
                self._scenarios[c.scenario_id] for c in entries if c.direct
            )

    def _subtree(self, key: tuple[str, str]) -> Iterator[tuple[str, str]]:
        yield key
        edition = key[0]
        for child in self._clauses[key].children:
            yield from self._subtree((edition, child))

    # ------------------------------------------------------------------ lookups
    def _clause_table(self, edition: object) -> dict[str, Clause]:
        try:
            return self._numbers[edition]  # type: ignore[index]
        except (KeyError, TypeError):
            close = suggest(edition, self._numbers) if isinstance(edition, str) else ()
            held = ", ".join(sorted(self._numbers)) or "none"
            raise UnknownReference(
                "edition", edition, suggestions=close, hint=f"editions held: {held}"
            ) from None

    def _number(self, number: object, edition: str) -> str:
        # Typed ``object``: callers pass along whatever a user gave them.
        table = self._clause_table(edition)
        if not isinstance(number, str):
            raise UnknownReference(
                "clause", number, hint="clause numbers are strings such as '6.1'"
            )
        if number in table:
            return number
        normal = normalize_clause_number(number)
        if normal is not None and normal in table:
            return normal
        raise UnknownReference(
            "clause", number, suggestions=suggest(number, table), scope=f"edition {edition}"
        )

    def _scenario_id(self, scenario_id: object) -> str:
        try:
            return self._alias[scenario_id]  # type: ignore[index]
        except (KeyError, TypeError):
            pass
        if not isinstance(scenario_id, str):
            raise UnknownReference(
                "scenario", scenario_id, hint="scenario ids are strings such as 'S07'"
            )
        normal = normalize_scenario_id(scenario_id)
        if normal is not None and normal in self._scenarios:
            return normal
        raise UnknownReference(
            "scenario", scenario_id, suggestions=suggest(normal or scenario_id, self._scenarios)
        )

    # ------------------------------------------------------------------ queries
    def editions(self) -> tuple[str, ...]:
        """Every edition of ISO/IEC 20000-1 the set holds clauses of, sorted."""
        return tuple(sorted(self._numbers))

    def clause(self, number: str, *, edition: str = DEFAULT_EDITION) -> Clause:
        """Return the clause ``number`` (``"6.1"``, also ``"Clause 6.1"``) of ``edition``.

        Raises:
            UnknownReference: no such clause or edition; close matches are suggested.
        """
        try:
            return self._numbers[edition][number]
        except (KeyError, TypeError):
            number = self._number(number, edition)
            return self._numbers[edition][number]

    def clauses(self, *, edition: str | None = None) -> tuple[Clause, ...]:
        """Every clause in numeric order (of one ``edition`` if given, else of all)."""
        if edition is None:
            return tuple(self._clauses.values())
        return tuple(self._clause_table(edition).values())

    def scenario(self, scenario_id: str) -> Scenario:
        """Return a scenario by id or section: ``"S07"``, ``"S7"``, ``"S007"``, ``"5.7"``.

        Raises:
            UnknownReference: no such scenario; close matches are suggested.
        """
        try:
            return self._scenarios[self._alias[scenario_id]]
        except (KeyError, TypeError):
            return self._scenarios[self._scenario_id(scenario_id)]

    def scenarios(self) -> tuple[Scenario, ...]:
        """Every scenario in order of its number."""
        return tuple(self._scenarios.values())

    def clauses_cited_by(self, scenario_id: str, *, expand: bool = False) -> tuple[Clause, ...]:
        """The clauses a scenario cites, in numeric order; ``()`` where none are known.

        With ``expand=True`` a citation of a whole clause brings in every sub-clause
        below it (S12 cites clause 5, so 5.1-5.4 are included).

        Raises:
            UnknownReference: no such scenario.
        """
        index = self._expanded if expand else self._cited
        try:
            return index[self._alias[scenario_id]]
        except (KeyError, TypeError):
            return index[self._scenario_id(scenario_id)]

    def scenarios_citing(
        self, clause_number: str, *, inherited: bool = True, edition: str = DEFAULT_EDITION
    ) -> tuple[Scenario, ...]:
        """The scenarios that cite a clause, in scenario order.

        A citation of a whole clause covers its sub-clauses, never the reverse:
        ``scenarios_citing("4.5.1")`` holds S02 (which cites 4.5.1) and S04 (which
        cites all of clause 4). With ``inherited=False`` only direct citations count.

        Raises:
            UnknownReference: no such clause or edition.
        """
        index = self._citing if inherited else self._citing_direct
        try:
            return index[edition][clause_number]
        except (KeyError, TypeError):
            clause_number = self._number(clause_number, edition)
            return index[edition][clause_number]

    def coverage_of(
        self, clause_number: str, *, edition: str = DEFAULT_EDITION
    ) -> tuple[Coverage, ...]:
        """How each scenario covers a clause: directly, or through the ancestor it cites.

        Entries come in scenario order; within a scenario the most specific citation
        comes first.

        Raises:
            UnknownReference: no such clause or edition.
        """
        try:
            return self._coverage[edition][clause_number]
        except (KeyError, TypeError):
            clause_number = self._number(clause_number, edition)
            return self._coverage[edition][clause_number]

    def citations(self) -> tuple[Citation, ...]:
        """Every citation, scenario by scenario, each in its position in the source's list."""
        return self._citations

    def matrix(self, *, edition: str = DEFAULT_EDITION) -> dict[str, tuple[str, ...] | None]:
        """Map each scenario id to the clause numbers it cites directly, in numeric order.

        A scenario whose citations are unknown (S14 and S15 in the shipped data) maps
        to ``None``, which is not the same as citing nothing.
        """
        self._clause_table(edition)
        return {
            sid: tuple(c.number for c in self._cited[sid] if c.edition == edition)
            if scenario.citations_known
            else None
            for sid, scenario in self._scenarios.items()
        }

    def uncovered_processes(self, *, edition: str = DEFAULT_EDITION) -> tuple[Clause, ...]:
        """The processes of ``edition`` that no scenario covers, directly or through an ancestor.

        For the shipped data this is empty: every process of ISO/IEC 20000-1:2011
        appears in at least one scenario.
        """
        table = self._clause_table(edition)
        coverage = self._coverage[edition]
        return tuple(
            clause
            for clause in table.values()
            if clause.is_process and not coverage[clause.number]
        )

    def coverage_matrix(self, *, edition: str = DEFAULT_EDITION) -> CoverageMatrix:
        """Every clause of ``edition`` against every scenario: direct, inherited, none or unknown.

        Serves the review of the SMS's coverage (S12) and every scenario's traceability:
        for the shipped 2011 edition, 53 clauses by 15 scenarios, 795 cells, with the
        S14 and S15 columns ``unknown`` on every row. Built once per edition and kept.

        Examples:
            >>> from cloudsms import reference
            >>> m = reference.shipped().coverage_matrix()
            >>> m.cell("4.5.1", "S04").kind.value, m.cell("4.5.1", "S04").via
            ('inherited', '4')

        Raises:
            UnknownReference: no such edition.
        """
        try:
            return self._matrices[edition]
        except (KeyError, TypeError):
            pass
        table = self._clause_table(edition)
        cells: list[CoverageCell] = []
        for clause in table.values():
            cells.extend(self._cells(clause))
        matrix = CoverageMatrix(self, edition, tuple(table.values()), cells)
        self._matrices[edition] = matrix
        return matrix

    def _cells(self, clause: Clause) -> Iterator[CoverageCell]:
        """The cells of one clause's row, in scenario order."""
        nearest: dict[str, Coverage] = {}
        for x in self._coverage[clause.edition][clause.number]:
            held = nearest.get(x.scenario_id)
            if (
                held is None
                or x.direct
                or (not held.direct and x.via.count(".") > held.via.count("."))
            ):
                nearest[x.scenario_id] = x
        for sid, scenario in self._scenarios.items():
            found = nearest.get(sid)
            if not scenario.citations_known:
                kind, via = CoverageKind.UNKNOWN, None
            elif found is None:
                kind, via = CoverageKind.NONE, None
            else:
                kind = CoverageKind.DIRECT if found.direct else CoverageKind.INHERITED
                via = found.via
            yield CoverageCell._trusted(clause.edition, clause.number, sid, kind, via)  # noqa: SLF001

    def process_coverage(self, *, edition: str = DEFAULT_EDITION) -> tuple[ProcessCoverage, ...]:
        """Each process of ``edition`` with the scenarios covering it, in clause order.

        Serves the review of the SMS's processes (S12): for the shipped 2011 edition the
        14 processes (5, 6.1-6.6, 7.1-7.2, 8.1-8.2, 9.1-9.3), each with the scenarios
        citing it, the coverage through a cited ancestor and the scenarios whose
        citations are unknown. Works for any edition an overlay adds processes of.

        Examples:
            >>> from cloudsms import reference
            >>> first = reference.shipped().process_coverage()[0]
            >>> first.clause.number, first.direct[:2], first.unknown
            ('5', ('S12', 'S13'), ('S14', 'S15'))

        Raises:
            UnknownReference: no such edition.
        """
        try:
            return self._processes[edition]
        except (KeyError, TypeError):
            pass
        table = self._clause_table(edition)
        unknown = tuple(sid for sid, s in self._scenarios.items() if not s.citations_known)
        result = tuple(
            ProcessCoverage(
                clause=clause,
                direct=tuple(
                    x.scenario_id
                    for x in self._coverage[clause.edition][clause.number]
                    if x.direct
                ),
                inherited=tuple(
                    x for x in self._coverage[clause.edition][clause.number] if not x.direct
                ),
                unknown=unknown,
            )
            for clause in table.values()
            if clause.is_process
        )
        self._processes[edition] = result
        return result

    # ------------------------------------------------------------------ export
    def to_records(self) -> list[dict[str, Any]]:
        """One flat dict per citation, with scenario and clause titles (for ``pandas``).

        Each is `citation_record` of a citation, in the order of `citations`.
        """
        return [self._citation_record(c) for c in self._citations]

    def citation_record(self, citation: Citation) -> dict[str, Any]:
        """``citation`` as the flat dict `to_records` gives it: the one place that row is made.

        Serves every scenario's traceability and the review of S12, where
        `cloudsms.reports.frames.to_frame` turns some citations into a table: the
        scenario's title and phase, the clause's title, process group and whether it is
        a process come from this set, the position and ``cited_as`` from ``citation``.

        Examples:
            >>> from cloudsms import reference
            >>> refs = reference.shipped()
            >>> record = refs.citation_record(refs.citations()[0])
            >>> record == refs.to_records()[0]
            True

        Raises:
            ValidationError: ``citation`` is not a `Citation` (at ``$``).
            UnknownReference: the set holds no citation of that clause of that edition
                by that scenario (an overlay's citation read against the shipped set).
        """
        if not isinstance(citation, Citation):
            raise ValidationError.single(
                "$", "a Citation", describe(citation), subject="Citation record"
            )
        key = (citation.scenario_id, citation.edition, citation.clause_number)
        if key not in self._tables.citations:
            raise UnknownReference(
                "citation",
                f"{citation.scenario_id} citing {citation.clause_number}",
                scope=f"edition {citation.edition}",
            )
        return self._citation_record(citation)

    def _citation_record(self, c: Citation) -> dict[str, Any]:
        """The record of a citation this set holds (the columns of `to_records`)."""
        scenario = self._scenarios[c.scenario_id]
        clause = self._clauses[c.edition, c.clause_number]
        return {
            "scenario_id": c.scenario_id,
            "scenario_title": scenario.title,
            "phase": scenario.phase.value,
            "position": c.position,
            "edition": c.edition,
            "clause_number": c.clause_number,
            "clause_title": clause.title,
            "cited_as": c.cited_as,
            "process_group": None if clause.process_group is None else clause.process_group.value,
            "is_process": clause.is_process,
        }

    def to_mapping(self) -> dict[str, Any]:
        """The whole set as a ``cloudsms.reference-set`` document (plain JSON types)."""
        order = {sid: i for i, sid in enumerate(self._scenarios)}
        return {
            "type": SET_TYPE,
            "schema_version": 1,
            "clauses": [plain(self._tables.clauses[k]) for k in self._clauses],
            "scenarios": [plain(self._tables.scenarios[sid]) for sid in self._scenarios],
            "citations": [
                plain(c)
                for c in sorted(
                    self._tables.citations.values(),
                    key=lambda c: (order[c["scenario_id"]], c["position"]),
                )
            ],
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        """The whole set as JSON that `from_mapping` reads back into an equal set."""
        return json.dumps(self.to_mapping(), indent=indent, ensure_ascii=False)

    # ------------------------------------------------------------------ dunder
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ReferenceSet):
            return NotImplemented
        mine, theirs = self._tables, other._tables
        return (mine.clauses, mine.scenarios, mine.citations) == (
            theirs.clauses,
            theirs.scenarios,
            theirs.citations,
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (
            f"<ReferenceSet: {len(self._clauses)} clauses, {len(self._scenarios)} scenarios, "
            f"{len(self._citations)} citations>"
        )


class CoverageMatrix:
    """Each clause of an edition against each scenario, as `CoverageCell` values.

    Serves the review of coverage (S12) and every scenario's traceability (S01-S15).
    Built by `ReferenceSet.coverage_matrix`; it never changes. ``clauses`` come in
    numeric order, ``scenarios`` in the order of their numbers; `cells` walks the
    matrix clause by clause. `cell`, `row` and `column` read identifiers as the
    other queries do (``"Clause 6.1"``, ``"S7"``).

    Examples:
        >>> from cloudsms import reference
        >>> m = reference.coverage_matrix()
        >>> len(m.cells()), m.count("unknown")
        (795, 106)
        >>> m.cell("Clause 4.5.1", "S2").kind.value
        'direct'
    """

    __slots__ = (
        "_cells",
        "_columns",
        "_index",
        "_reference",
        "_rows",
        "clauses",
        "edition",
        "scenarios",
    )

    def __init__(
        self,
        reference: ReferenceSet,
        edition: str,
        clauses: tuple[Clause, ...],
        cells: list[CoverageCell],
    ) -> None:
        """Hold ``cells`` (clause-major, scenario order); use `ReferenceSet.coverage_matrix`."""
        self._reference = reference
        self.edition = edition
        self.clauses = clauses
        self.scenarios = reference.scenarios()
        self._cells = tuple(cells)
        self._index = {(c.clause_number, c.scenario_id): c for c in self._cells}
        width = len(self.scenarios)
        self._rows = {
            clause.number: self._cells[i * width : (i + 1) * width]
            for i, clause in enumerate(clauses)
        }
        self._columns = {
            s.id: tuple(self._cells[i::width]) if width else ()
            for i, s in enumerate(self.scenarios)
        }

    def _clause_number(self, clause_number: str) -> str:
        if clause_number in self._rows:
            return clause_number
        return self._reference._number(clause_number, self.edition)  # noqa: SLF001

    def _scenario_id(self, scenario_id: str) -> str:
        if scenario_id in self._columns:
            return scenario_id
        return self._reference._scenario_id(scenario_id)  # noqa: SLF001

    def cell(self, clause_number: str, scenario_id: str) -> CoverageCell:
        """How ``scenario_id`` covers ``clause_number``.

        Raises:
            UnknownReference: no such clause in the matrix's edition, or no such scenario.
        """
        try:
            return self._index[clause_number, scenario_id]
        except (KeyError, TypeError):
            return self._index[self._clause_number(clause_number), self._scenario_id(scenario_id)]

    def cells(self) -> tuple[CoverageCell, ...]:
        """Every cell, clause by clause (numeric order), each row in scenario order."""
        return self._cells

    def row(self, clause_number: str) -> tuple[CoverageCell, ...]:
        """One clause's cells, in scenario order.

        Raises:
            UnknownReference: no such clause in the matrix's edition.
        """
        return self._rows[self._clause_number(clause_number)]

    def column(self, scenario_id: str) -> tuple[CoverageCell, ...]:
        """One scenario's cells, in clause order.

        Raises:
            UnknownReference: no such scenario.
        """
        return self._columns[self._scenario_id(scenario_id)]

    def count(self, kind: CoverageKind | str) -> int:
        """How many cells are of ``kind`` (a `CoverageKind` or its value, such as ``"direct"``).

        Raises:
            ValidationError: ``kind`` is not one of the four kinds.
        """
        try:
            wanted = CoverageKind(kind)
        except ValueError:
            raise ValidationError.single(
                "$.kind",
                "one of " + ", ".join(k.value for k in CoverageKind),
                describe(kind),
                subject="CoverageMatrix.count",
            ) from None
        return sum(1 for c in self._cells if c.kind is wanted)

    def to_records(self) -> list[dict[str, Any]]:
        """One flat dict per cell, clause by clause (for ``pandas`` and CSV).

        Keys: edition, clause_number, clause_title, depth, scenario_id,
        scenario_title, coverage (the kind's value) and via.
        """
        titles = {s.id: s.title for s in self.scenarios}
        return [
            {
                "edition": c.edition,
                "clause_number": c.clause_number,
                "clause_title": clause.title,
                "depth": clause.depth,
                "scenario_id": c.scenario_id,
                "scenario_title": titles[c.scenario_id],
                "coverage": c.kind.value,
                "via": c.via,
            }
            for clause in self.clauses
            for c in self._rows[clause.number]
        ]

    def __len__(self) -> int:
        return len(self._cells)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CoverageMatrix):
            return NotImplemented
        return (self.edition, self.clauses, self.scenarios, self._cells) == (
            other.edition,
            other.clauses,
            other.scenarios,
            other._cells,
        )

    def __hash__(self) -> int:
        return hash((self.edition, self._cells))

    def __repr__(self) -> str:
        counts = ", ".join(f"{k.value} {self.count(k)}" for k in CoverageKind)
        return (
            f"<CoverageMatrix {self.edition}: {len(self.clauses)} clauses x "
            f"{len(self.scenarios)} scenarios ({counts})>"
        )
