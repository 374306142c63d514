"""Merging reference documents into one consistent table of plain records.

A document (the shipped files, a whole reference set or a user's overlay) is first
checked against the shipped JSON Schema, then against the records already held:
keys must be new unless the record says ``"replace": true``, citations must name a
scenario and a clause that exist, a clause's parent must exist. Every problem is
collected with its path; when there is any, nothing is merged and a
`cloudsms.errors.ValidationError` lists them all.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from cloudsms.errors import Problem, ValidationError, describe
from cloudsms.reference._ids import clause_sort_key, suggest
from cloudsms.reference._records import DEFAULT_EDITION
from cloudsms.reference._schema import check

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

__all__ = ["Tables", "merge"]

Record = dict[str, Any]
ClauseKey = tuple[str, str]
CitationKey = tuple[str, str, str]

_TRAILING = re.compile(r"[\s;.]+\Z")


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
        """Return a copy whose dicts can change without touching this one."""
        return Tables(self.clauses, self.scenarios, self.citations)


def merge(
    base: Tables, documents: Iterable[tuple[str, object]], *, subject: str, origin: str
) -> Tables:
    """Return ``base`` with ``documents`` merged in; ``base`` never changes.

    ``documents`` pairs each document with the root of its paths (``"$"`` for a
    single overlay).

    Raises:
        ValidationError: listing every problem of every document; nothing is merged.
    """
    merger = _Merger(base.copy(), origin)
    for root, document in documents:
        merger.add_document(document, root)
    merger.finish()
    if merger.problems:
        raise ValidationError(merger.problems, subject=subject)
    return merger.tables


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
        self.citation_paths: dict[CitationKey, str] = {}
        self.seen: set[object] = set()

    # ------------------------------------------------------------------ documents
    def add_document(self, document: object, path: str) -> None:
        structural = check(document, path)
        self.problems.extend(structural)
        if not isinstance(document, dict):
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
        if not self._claim(key, raw, path + ".number", self.tables.clauses, f"clause {number}"):
            return
        if broken:
            self.broken_clauses.add(key)
            return
        derived_parent = number.rpartition(".")[0] or None
        parent = raw.get("parent", derived_parent)
        if parent != derived_parent:
            self.problems.append(
                Problem(
                    path + ".parent",
                    f"{derived_parent!r} (the number without its last part)"
                    if derived_parent
                    else "null (a top-level clause has no parent)",
                    describe(parent),
                )
            )
            return
        year = edition.partition(":")[2]
        provenance = {"document": f"ISO/IEC {edition.partition(':')[0]}", "edition": year}
        provenance["section"] = number
        self.tables.clauses[key] = {
            "edition": edition,
            "number": number,
            "title": raw["title"],
            "parent": parent,
            "process_group": raw.get("process_group"),
            "is_process": raw.get("is_process", False),
            "provenance": _provenance(raw, provenance, origin),
        }
        self.clause_paths[key] = path

    # ------------------------------------------------------------------ scenarios
    def add_scenario(self, raw: Record, path: str, origin: str, broken: bool) -> None:
        sid = raw.get("id")
        if not isinstance(sid, str):
            return
        if not self._claim(sid, raw, path + ".id", self.tables.scenarios, f"scenario {sid}"):
            return
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
            "summary": raw.get("summary", ""),
            "outcomes": list(raw.get("outcomes", ())),
            "citations_known": raw.get("citations_known", False),
            "implemented_by": list(raw.get("implemented_by", ())),
            "provenance": _provenance(raw, {"document": origin, "section": section}, origin),
        }

    # ------------------------------------------------------------------ citations
    def add_citation(self, raw: Record, path: str, origin: str, broken: bool) -> None:
        sid = raw.get("scenario_id")
        number = raw.get("clause_number")
        edition = raw.get("edition", DEFAULT_EDITION)
        if not (isinstance(sid, str) and isinstance(number, str) and isinstance(edition, str)):
            return
        key = (sid, edition, number)
        if not self._claim(key, raw, path, self.tables.citations, f"{sid}'s citation of {number}"):
            return
        if broken:
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
            if (edition, number) not in self.broken_clauses:
                numbers = [n for e, n in self.tables.clauses if e == edition]
                self.problems.append(
                    Problem(
                        path + ".clause_number",
                        _known(f"clause of edition {edition}", number, numbers),
                        describe(number),
                    )
                )
            return
        taken = {
            c["position"]: k
            for k, c in self.tables.citations.items()
            if c["scenario_id"] == sid and k != key
        }
        position = raw.get("position")
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
            "cited_as": _cited_as(raw.get("cited_as"), self.tables.clauses[edition, number]),
            "provenance": _provenance(raw, _citation_provenance(scenario), origin),
        }
        self.citation_paths[key] = path

    # ------------------------------------------------------------------ shared
    def _claim(
        self, key: object, raw: Record, path: str, table: Mapping[Any, Record], label: str
    ) -> bool:
        """Register ``key`` as defined here; report a conflict when it is taken."""
        if key in self.seen:
            self.problems.append(
                Problem(path, f"{label} defined once in the document", "a second definition")
            )
            return False
        self.seen.add(key)
        if key in table and raw.get("replace") is not True:
            self.problems.append(
                Problem(
                    path,
                    f'a new {label.split(" ", maxsplit=1)[0]} or "replace": true',
                    f"{label}, which is already defined",
                )
            )
            return False
        return True

    def finish(self) -> None:
        """Check what only the whole table can tell, and derive ``citations_known``."""
        for key, clause in self.tables.clauses.items():
            parent = clause["parent"]
            edition = key[0]
            if parent is not None and (edition, parent) not in self.tables.clauses:
                path = self.clause_paths.get(key)
                if path is not None and (edition, parent) not in self.broken_clauses:
                    self.problems.append(
                        Problem(
                            path + ".parent", f"a clause of edition {edition}", describe(parent)
                        )
                    )
        cited = {c["scenario_id"] for c in self.tables.citations.values()}
        for sid in cited:
            scenario = self.tables.scenarios[sid]
            if not scenario["citations_known"]:
                # A new dict: the old one may be shared with the set merged into.
                self.tables.scenarios[sid] = {**scenario, "citations_known": True}


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


def _provenance(raw: Record, default: Record, origin: str) -> dict[str, Any]:
    given = raw.get("provenance")
    provenance = dict(given) if isinstance(given, dict) else dict(default)
    provenance.setdefault("origin", origin)
    return provenance


def sorted_clause_keys(keys: Iterable[ClauseKey]) -> list[ClauseKey]:
    """Order clause keys by edition, then numerically."""
    return sorted(keys, key=lambda k: (k[0], clause_sort_key(k[1])))
