"""Merging reference documents into one consistent table of plain records.

A document (the shipped files, a whole reference set or a user's overlay) is first
checked whole against the shipped JSON Schema, whatever type it claims to be (a
wrong or missing ``type`` is one problem among the others, and the records are
still checked); only records that pass are then checked against the records held:
keys must be new unless the record says ``"replace": true`` (and then the key must
exist), citations must name a scenario and a clause that exist, a clause's parent
must exist. Every problem is collected with its path, one problem per fault; when
there is any, nothing is merged and a `ValidationError` lists them all.

Defaults, where a record leaves a field out:

- a replacing record keeps the replaced record's value;
- a clause of the 2011 edition is a process when it is one of the 14 processes of
  ISO/IEC 20000-1:2011 (`KNOWN_PROCESSES`), and a sub-clause inherits its parent's
  process group;
- a citation goes to the next free position of its scenario (a replacing citation
  keeps its position).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from cloudsms.errors import Problem, ValidationError, describe
from cloudsms.reference._ids import clause_sort_key, suggest
from cloudsms.reference._records import DEFAULT_EDITION
from cloudsms.reference._schema import check_document, key_path

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["DOCUMENT_TYPES", "KNOWN_PROCESSES", "OVERLAY_TYPE", "SET_TYPE", "Tables", "merge"]

Record = dict[str, Any]
ClauseKey = tuple[str, str]
CitationKey = tuple[str, str, str]

OVERLAY_TYPE = "cloudsms.reference-overlay"
SET_TYPE = "cloudsms.reference-set"
DOCUMENT_TYPES = (
    OVERLAY_TYPE,
    SET_TYPE,
    "cloudsms.clauses",
    "cloudsms.scenarios",
    "cloudsms.citations",
)

KNOWN_PROCESSES: Mapping[str, frozenset[str]] = {
    # Clause 5 is one process (design and transition); each second-level clause of
    # 6-9 is one. Other editions say which clauses are processes in their records.
    "20000-1:2011": frozenset(
        {"5", "6.1", "6.2", "6.3", "6.4", "6.5", "6.6", "7.1", "7.2"}
        | {"8.1", "8.2", "9.1", "9.2", "9.3"}
    ),
}

_TRAILING = re.compile(r"[\s;.]+\Z")
_MAX_DEPTH = 32


class Tables:
    """The merged records, keyed by identity; plain dicts holding every field."""

    __slots__ = ("citations", "clauses", "scenarios")

    def __init__(
        self,
        clauses: dict[ClauseKey, Record] | None = None,
        scenarios: dict[str, Record] | None = None,
        citations: dict[CitationKey, Record] | None = None,
    ) -> None:
        self.clauses: dict[ClauseKey, Record] = dict(clauses or {})
        self.scenarios: dict[str, Record] = dict(scenarios or {})
        self.citations: dict[CitationKey, Record] = dict(citations or {})

    def copy(self) -> Tables:
        """Return a copy whose dicts can change without touching this one.

        The records themselves are shared: nothing ever changes a record in place.
        """
        return Tables(self.clauses, self.scenarios, self.citations)


def merge(
    base: Tables,
    documents: Iterable[tuple[str, object]],
    *,
    subject: str,
    origin: str,
    types: Sequence[str] = DOCUMENT_TYPES,
) -> Tables:
    """Return ``base`` with ``documents`` merged in; ``base`` never changes.

    ``documents`` pairs each document with the root of its paths (``"$"`` for a
    single overlay); ``types`` lists the document types accepted, the first being
    the type a document of another type is checked as.

    Raises:
        ValidationError: listing every problem of every document; nothing is merged.
    """
    merger = _Merger(base.copy(), origin)
    for root, document in documents:
        merger.add_document(document, root, types)
    merger.finish()
    if merger.problems:
        raise ValidationError(merger.problems, subject=subject)
    return merger.tables


def plain(value: object, path: str = "$", depth: int = 0) -> object:
    """A JSON-like copy of ``value``: mappings become dicts, tuples lists.

    Raises:
        ValidationError: the value nests deeper than any reference document does.
    """
    if depth > _MAX_DEPTH:
        raise ValidationError.single(
            path, f"at most {_MAX_DEPTH} levels of nesting", "more", subject="reference data"
        )
    if isinstance(value, Mapping):
        return {k: plain(v, key_path(path, k), depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v, f"{path}[{i}]", depth + 1) for i, v in enumerate(value)]
    return value


class _Merger:
    def __init__(self, tables: Tables, origin: str) -> None:
        self.tables = tables
        self.default_origin = origin
        self.problems: list[Problem] = []
        # Keys of records that were malformed but identifiable: later references to
        # them are not reported again, so one fault gives one problem.
        self.broken_clauses: set[ClauseKey] = set()
        self.broken_scenarios: set[str] = set()
        self.clause_paths: dict[ClauseKey, str] = {}
        self.inherit_group: set[ClauseKey] = set()
        self.seen: set[object] = set()

    # ------------------------------------------------------------------ documents
    def add_document(self, document: object, path: str, types: Sequence[str]) -> None:
        try:
            document = plain(document, path)
        except ValidationError as exc:
            self.problems.extend(exc.problems)
            return
        structural = check_document(document, path, types)
        self.problems.extend(structural)
        if not isinstance(document, dict) or document.get("type") not in types:
            # Checked whole against the schema, but a document of another type is
            # not merged: its records would be compared with the wrong ones.
            return
        bad = {p.path for p in structural}
        origin = document.get("origin")
        origin = origin if isinstance(origin, str) and origin else self.default_origin
        for name, add in (
            ("clauses", self.add_clause),
            ("scenarios", self.add_scenario),
            ("citations", self.add_citation),
        ):
            records = document.get(name)
            if not isinstance(records, list):
                continue
            for index, record in enumerate(records):
                record_path = f"{path}.{name}[{index}]"
                if not isinstance(record, dict):
                    continue
                broken = any(p == record_path or p.startswith(record_path + ".") for p in bad)
                add(record, record_path, origin, broken)

    # ------------------------------------------------------------------ clauses
    def add_clause(self, raw: Record, path: str, origin: str, broken: bool) -> None:
        number, edition = raw.get("number"), raw.get("edition", DEFAULT_EDITION)
        if not (isinstance(number, str) and isinstance(edition, str)):
            return
        key = (edition, number)
        old = self._claim(
            key,
            raw,
            path,
            key_field=".number",
            table=self.tables.clauses,
            kind="clause",
            broken=broken,
        )
        if old is None:
            if broken:
                self.broken_clauses.add(key)
            return
        derived_parent = number.rpartition(".")[0] or None
        parent = raw.get("parent", derived_parent)
        if parent != derived_parent:
            expected = (
                f"{derived_parent!r} (the number without its last part)"
                if derived_parent
                else "null (a top-level clause has no parent)"
            )
            self.problems.append(Problem(path + ".parent", expected, describe(parent)))
            return
        year = edition.partition(":")[2]
        default_provenance = {
            "document": f"ISO/IEC {edition.partition(':')[0]}",
            "edition": year,
            "section": number,
        }
        if "process_group" not in raw and not old:
            self.inherit_group.add(key)
        processes = KNOWN_PROCESSES.get(edition, frozenset())
        self.tables.clauses[key] = {
            "edition": edition,
            "number": number,
            "title": raw["title"],
            "parent": parent,
            "process_group": _field(raw, old, "process_group", default=None),
            "is_process": _field(raw, old, "is_process", default=number in processes),
            "provenance": _provenance(raw, old, default_provenance, origin),
        }
        self.clause_paths[key] = path

    # ------------------------------------------------------------------ scenarios
    def add_scenario(self, raw: Record, path: str, origin: str, broken: bool) -> None:
        sid = raw.get("id")
        if not isinstance(sid, str):
            return
        old = self._claim(
            sid,
            raw,
            path,
            key_field=".id",
            table=self.tables.scenarios,
            kind="scenario",
            broken=broken,
        )
        if old is None:
            if broken:
                self.broken_scenarios.add(sid)
            return
        section = raw["section"]
        clash = next(
            (o for o, s in self.tables.scenarios.items() if s["section"] == section and o != sid),
            None,
        )
        if clash is not None:
            self.problems.append(
                Problem(
                    path + ".section",
                    f"a section no other scenario has ({clash} has it)",
                    describe(section),
                )
            )
            return
        self.tables.scenarios[sid] = {
            "id": sid,
            "section": section,
            "title": raw["title"],
            "phase": raw["phase"],
            "summary": _field(raw, old, "summary", default=""),
            "outcomes": list(_field(raw, old, "outcomes", default=[])),
            "citations_known": _field(raw, old, "citations_known", default=False),
            "designed_by_cloudsms": _field(raw, old, "designed_by_cloudsms", default=False),
            "implemented_by": list(_field(raw, old, "implemented_by", default=[])),
            "provenance": _provenance(raw, old, {"document": origin, "section": section}, origin),
        }

    # ------------------------------------------------------------------ citations
    def add_citation(self, raw: Record, path: str, origin: str, broken: bool) -> None:
        sid = raw.get("scenario_id")
        number = raw.get("clause_number")
        edition = raw.get("edition", DEFAULT_EDITION)
        if not (isinstance(sid, str) and isinstance(number, str) and isinstance(edition, str)):
            return
        key = (sid, edition, number)
        old = self._claim(
            key,
            raw,
            path,
            key_field="",
            table=self.tables.citations,
            kind="citation",
            broken=broken,
        )
        if old is None:
            return
        scenario = self.tables.scenarios.get(sid)
        if scenario is None:
            if sid not in self.broken_scenarios:
                self.problems.append(
                    Problem(
                        path + ".scenario_id",
                        _known("scenario", sid, self.tables.scenarios),
                        describe(sid),
                    )
                )
            return
        if (edition, number) not in self.tables.clauses:
            self._unknown_clause(path, edition, number)
            return
        taken = {
            c["position"]: k
            for k, c in self.tables.citations.items()
            if c["scenario_id"] == sid and k != key
        }
        position = _field(raw, old, "position", default=None)
        if position is None:
            position = max(taken, default=0) + 1
        elif position in taken:
            other = taken[position][2]
            self.problems.append(
                Problem(
                    path + ".position",
                    f"a position {sid} has not used (its citation of {other} has it)",
                    describe(position),
                )
            )
            return
        self.tables.citations[key] = {
            "scenario_id": sid,
            "edition": edition,
            "clause_number": number,
            "position": position,
            "cited_as": _cited_as(
                _field(raw, old, "cited_as", default=None), self.tables.clauses[edition, number]
            ),
            "provenance": _provenance(raw, old, _citation_provenance(scenario), origin),
        }

    def _unknown_clause(self, path: str, edition: str, number: str) -> None:
        if (edition, number) in self.broken_clauses:
            return
        editions = {e for e, _ in self.tables.clauses}
        if edition not in editions:
            self.problems.append(
                Problem(path + ".edition", _known("edition", edition, editions), describe(edition))
            )
            return
        numbers = [n for e, n in self.tables.clauses if e == edition]
        self.problems.append(
            Problem(
                path + ".clause_number",
                _known(f"clause of edition {edition}", number, numbers),
                describe(number),
            )
        )

    # ------------------------------------------------------------------ shared
    def _claim(
        self,
        key: object,
        raw: Record,
        path: str,
        *,
        key_field: str,
        table: Mapping[Any, Record],
        kind: str,
        broken: bool,
    ) -> Record | None:
        """Register ``key`` as defined here.

        Returns the record it replaces (``{}`` for a new one), or ``None`` when the
        record must not be merged: it is broken, defined twice, or in conflict.
        """
        if key in self.seen:
            self.problems.append(
                Problem(
                    path + key_field,
                    f"each {kind} defined once in the document",
                    "a second definition",
                )
            )
            return None
        self.seen.add(key)
        if broken:
            return None
        replace = raw.get("replace", False)
        if key in table and not replace:
            self.problems.append(
                Problem(
                    path + key_field,
                    f'a new {kind}, or "replace": true to replace the one defined',
                    f"{_label(kind, key)}, which is already defined",
                )
            )
            return None
        if replace and key not in table:
            self.problems.append(
                Problem(
                    path + ".replace",
                    f'a {kind} that exists, to replace (or no "replace" to add one)',
                    f"{_label(kind, key)}, which is not defined",
                )
            )
            return None
        return dict(table[key]) if key in table else {}

    def finish(self) -> None:
        """Check what only the whole table can tell, and derive what is left to derive."""
        for key in sorted_clause_keys(self.tables.clauses):
            clause = self.tables.clauses[key]
            parent = clause["parent"]
            edition = key[0]
            if parent is None:
                continue
            parent_record = self.tables.clauses.get((edition, parent))
            if parent_record is None:
                path = self.clause_paths.get(key)
                if path is not None and (edition, parent) not in self.broken_clauses:
                    self.problems.append(
                        Problem(
                            path + ".parent", f"a clause of edition {edition}", describe(parent)
                        )
                    )
            elif key in self.inherit_group and parent_record["process_group"] is not None:
                self.tables.clauses[key] = {
                    **clause,
                    "process_group": parent_record["process_group"],
                }
        cited = {c["scenario_id"] for c in self.tables.citations.values()}
        for sid in cited:
            scenario = self.tables.scenarios[sid]
            if not scenario["citations_known"]:
                # A new dict: the old one may be shared with the set merged into.
                self.tables.scenarios[sid] = {**scenario, "citations_known": True}


def _field(raw: Record, old: Record, name: str, *, default: Any) -> Any:  # noqa: ANN401
    """A record's field: as given, else as the replaced record had it, else the default."""
    if name in raw:
        return raw[name]
    return old.get(name, default)


def _label(kind: str, key: object) -> str:
    if kind == "citation" and isinstance(key, tuple):
        sid, _, number = key
        return f"{sid}'s citation of {number}"
    if kind == "clause" and isinstance(key, tuple):
        return f"clause {key[1]} of {key[0]}"
    return f"{kind} {key}"


def _cited_as(text: str | None, clause: Record) -> str | None:
    """The source's wording of a clause title, or ``None`` where it is the title itself.

    The comparison is case-sensitive and ignores surrounding space and trailing ``;``
    or ``.`` (list punctuation in the source, not part of the title).
    """
    if text is None:
        return None
    wording = _TRAILING.sub("", text).strip()
    return None if wording in {"", clause["title"]} else wording


def _known(what: str, key: str, known: Iterable[str]) -> str:
    close = suggest(key, known)
    hint = f" (close matches: {', '.join(close)})" if close else ""
    return f"a known {what}{hint}"


def _citation_provenance(scenario: Record) -> dict[str, Any]:
    provenance: dict[str, Any] = scenario["provenance"]
    return {k: provenance[k] for k in ("document", "edition", "section") if k in provenance}


def _provenance(raw: Record, old: Record, default: Record, origin: str) -> dict[str, Any]:
    given = raw.get("provenance", old.get("provenance"))
    provenance = dict(given) if isinstance(given, dict) else dict(default)
    if "provenance" in raw:
        provenance.setdefault("origin", origin)
    else:
        provenance["origin"] = origin  # whoever supplied this version of the record
    return provenance


def sorted_clause_keys(keys: Iterable[ClauseKey]) -> list[ClauseKey]:
    """Order clause keys by edition, then numerically."""
    return sorted(keys, key=lambda k: (k[0], clause_sort_key(k[1])))
