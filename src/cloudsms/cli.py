r"""The ``cloudsms`` command: the reference data from a shell, as tables, JSON or CSV.

Serves analysts and other tools for every scenario (S01-S15): which clauses of
ISO/IEC 20000-1:2011 a scenario cites, which scenarios cover a clause or a process,
and the whole scenario-by-clause matrix. The commands on the reference data take
``--format table|json|csv`` and ``--overlay FILE`` (repeatable, applied in order);
the others take the formats their help lists (``agreement show``, ``capacity
show`` and ``exit plan`` table and json, ``sla report`` and ``exit confirmation``
markdown and json). Unknown identifiers and
rejected overlays exit with status 2 and print one problem a line.

Text from overlays reaches the terminal only escaped: in tables and messages every
control character, bidirectional control and lone surrogate is shown as its escape
(ESC as ``\x1b``), and what the output's encoding cannot write as a backslash escape.
JSON output stays exact JSON (what the encoding cannot write becomes JSON escapes);
CSV output keeps control characters (it is data) and backslash-escapes only what the
encoding cannot write.

``cloudsms document validate FILE`` checks any cloudsms document by the ``type`` and
``schema_version`` it declares (every scenario whose records are kept as documents,
S03 to S13; ISO/IEC 20000-1:2011 4.3): it prints a one-line summary and exits 0, or
prints every problem with its path, one a line, and exits 1; a file that cannot be
read exits 2.

``cloudsms agreement show FILE`` reads a cloud service agreement as strictly (S07;
ISO/IEC 20000-1:2011 6.1 and 7.1) and prints its parties, period, services, SLA
targets with their exclusions and credits, charges, and termination and exit terms,
as a table or as JSON (`cloudsms.reports.agreements`); an invalid agreement gets
``document validate``'s problems and status 1.

``cloudsms audit verify DOCUMENT`` finds every lifecycle instance in a JSON document
and recomputes its hash chain from the JSON itself, so that a broken trail is named
even in a document that would not load (every lifecycle: S05, S06 and the
procedures; ISO/IEC 20000-1:2011 4.3.3 control of records, 4.5.4.2 internal audit):
exit 0 with each head, 1 at the first bad entry (or with the problems of a document
that does not read once the chains hold), 2 when it cannot check. A key given with
``--key-file`` is never written anywhere. ``cloudsms lifecycle list`` and ``cloudsms
lifecycle diagram NAME`` show the registered lifecycles and their Mermaid diagrams.

``cloudsms incident list AGREEMENT.json RECORDS.json --period YYYY-MM`` lists the
incidents opened in a month with their response and resolution times on the
agreement's clocks and whether each met its target (S09; ISO/IEC 20000-1:2011 6.1 and
8.1), read as of the latest instant the records hold; exit 1 with every problem of an
invalid agreement or records file, 2 when a file cannot be read.

``cloudsms sla report AGREEMENT.json DATA_DIR --period YYYY-MM`` judges every target
of the agreement over a month from the monitoring data kept as CSV files in DATA_DIR
(outages, maintenance windows, measurements and events;
`cloudsms.monitoring.read_observations`) and prints the customer's service report,
as Markdown (the default) or JSON (`cloudsms.reports.monitoring`; S10; ISO/IEC
20000-1:2011 6.1 and 6.2), read as of ``--as-of`` (default: the end of the month); a
report with breached targets still exits 0. ``--records RECORDS.json`` (the file
``incident list`` reads) adds the incidents and service requests kept under the
agreement, so the report has its incident and request figures (S09's records judged in
S10). Exit 1 with every problem of an invalid agreement, data or records file (each CSV
problem at ``file:line:column``), a DATA_DIR without a row of data and no
``--records`` (judged from nothing, every availability would read 100 %), or a month
outside the agreement's term; 2 when a file or the directory cannot be read.

``cloudsms cost profile AGREEMENT.json ALLOCATIONS.csv --period YYYY-MM (--rates
RATES.json | --catalogue CATALOGUE.json) [--usage USAGE.csv]`` prices what the
customer held (and, with ``--usage``, used) under the agreement over a month of its
time zone and prints the cost profile: every line with its exact amount, and the
total rounded once, half to even, to the currency's minor unit, with a note of the
rows left out: of other agreements (a "did you mean" for an id that differs only by
case) or outside the agreement's term, under the table, or on standard error beside
JSON and CSV (`cloudsms.reports.resources`; S11; ISO/IEC 20000-1:2011 6.4). The prices come from a
rate card document (``--rates``) or from the catalogue the agreement subscribes to
(``--catalogue``). Exit 1 with every problem of an invalid agreement, rate card (its
own problems and those of rates that cannot price their resource types, at once, under
its name), catalogue or CSV file (each CSV problem at ``file:line:column``; nothing is
priced from a half-read file) or of a row the rates cannot price; 2 when a file cannot
be read, neither ``--rates`` nor ``--catalogue`` is given, or ``--period`` is not a
month a period can hold in the agreement's time zone (as argparse reports bad usage).

``cloudsms capacity show POOL.json ALLOCATIONS.csv [--as-of DATE] [--usage USAGE.csv]
[--unused-for DAYS] [--warn FRACTION] [--act FRACTION]`` prints the capacity plan of a
resource pool (S11; ISO/IEC 20000-1:2011 6.5): per resource type what is held of the
capacity at ``--as-of`` (a date, read as 00:00 UTC, or an instant; default: now), the
growth projection (linear or seasonal) with its fit, the date the warn and act
thresholds and the whole capacity are reached (by the holdings already scheduled or by
the projection, whichever is first, and which it was), and, with ``--usage``, the
capacity held by holdings unused for ``--unused-for`` days (`cloudsms.reports.capacity`);
a note counts the allocations left out, of other locations or of types the pool has no
capacity for, under the table or on standard error beside JSON. Exit 1 with every
problem of an invalid pool (a capacity of an unknown resource type or of another
dimension than its type's unit included) or CSV file (each CSV problem at
``file:line:column``), 2 when a file cannot be read or an option is not valid (an
``--as-of`` outside the supported range, or too late for three years of dates after
it, included; as argparse reports bad usage).

``cloudsms exit plan AGREEMENT.json --notice-date YYYY-MM-DD [--by customer|provider]
[--reason R]`` prints what a notice of termination given at the start of that day (in
the agreement's time zone) would set in motion, on the terms in force that day (S13;
ISO/IEC 20000-1:2011 6.1 and 7.1): the effective date, the end of the minimum term and
the early-termination charge owed, the retrieval and retention windows, and each step
of the exit with its owner and deadline (`cloudsms.reports.termination`), as a table or
as JSON. Exit 1 with every problem of an invalid agreement, or of a termination its
terms refuse, each at the option it concerns (a provider's reason the agreement does
not list names the reasons it lists); 2 when the file cannot be read, the date is not
one, or ``--by`` names neither party. ``cloudsms exit confirmation PROCEDURE.json
[--key-file K]`` prints the written confirmation of a closed exit procedure, as
Markdown or as the ``cloudsms.exit-confirmation`` document (json), after replaying its
trail and recomputing its chain; exit 1 when the document is invalid, the chain does
not verify or the procedure is not closed, 2 when a file cannot be read or a keyed
trail has no key (or a plain one is given one).

``cloudsms onboarding plan AGREEMENT.json CATALOGUE.json --start YYYY-MM-DD
[--deployment-model M] [--requirements REQUIREMENTS.json] [--templates TEMPLATES.json]``
prints the customer's onboarding plan from the template of the deployment model (S08;
ISO/IEC 20000-1:2011 6.1, 7.1 and 9.2): each activity grouped by owner (the party the
agreement's responsibilities name for it, else the template's), with its deadline
counted from the start of that day in the agreement's zone and what it waits for
(`cloudsms.reports.onboarding`), as a table or as JSON. Exit 1 with every problem of an
invalid agreement, catalogue, requirement register or templates file, or of an
onboarding refused (an
agreement the catalogue contradicts, a deployment model to choose or not offered, the
choices named); 2 when a file cannot be read or an option is not valid.

``cloudsms removal plan CATALOGUE.json SERVICE_ID AGREEMENTS_DIR [--as-of YYYY-MM-DD]``
prints the subscribers of a service to retire, read from the agreement documents of
the directory, with how and when each subscription can end and the earliest removal
date (S15, designed by cloudsms: the TR's guidance for this scenario is not in our
source; `cloudsms.reports.removal`), and how many agreement documents were read (none
read: a warning on standard error). ``--as-of`` defaults to today's date in UTC, read
at this edge. Exit 1 with every problem of an invalid catalogue or agreement (each
under its file name; two files holding one agreement id) or an unknown service; 2
when a file or the directory cannot be read or an option is not valid.

``cloudsms evidence assess REGISTER.json --as-of D [--scope S07,S11]`` reads a
provider's evidence register (``cloudsms.evidence-register``) and assesses it at
``--as-of`` (a date, read as the start of that day in the register's zone, or an
instant with its offset) against the clauses the scenarios in scope cite (default:
all 15), as `cloudsms.conformity.assess` does (S12; ISO/IEC 20000-1:2011 4.5.4): the
summary per scenario, the gap report with owners and severities, the processes and
the scenarios whose citations are unknown, as a table, JSON or CSV (one row per
clause row; `cloudsms.reports.conformity`). Gaps are the report, not a failure: exit 0
whatever they are; 1 with every problem of an invalid register (each with its path);
2 when the file cannot be read or an option is not valid (an unknown scenario in
``--scope``, the close ones named).

Only the standard library's argparse, csv and json are used; ``python -m cloudsms``
runs the same command.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from cloudsms._foundation import strict_json
from cloudsms._kit.documents import document_class, registered_documents, suggest_types
from cloudsms.errors import (
    CloudSMSError,
    InvalidDefinition,
    Problem,
    UnknownReference,
    ValidationError,
    describe,
)
from cloudsms.reference import (
    DEFAULT_EDITION,
    Citation,
    Clause,
    Coverage,
    CoverageKind,
    Provenance,
    ReferenceSet,
    Scenario,
    shipped,
)
from cloudsms.reports._table import escape_text, printable

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from cloudsms.lifecycle import HistoryEntry

__all__ = ["main"]

WIDTH = 80
"""Tables fit a terminal of this many columns."""

Row = dict[str, Any]


class _View:
    """What a command shows, in the three forms it can take."""

    def __init__(
        self,
        *,
        table: str,
        data: object,
        rows: list[Row],
        columns: Sequence[str],
        status: int = 0,
        fit: bool = True,
        notes: Sequence[str] = (),
        warnings: Sequence[str] = (),
    ) -> None:
        self.table = table
        self.data = data
        self.rows = rows
        self.columns = list(columns)
        self.status = status  # 1 when what the command checked failed the check
        self.fit = fit  # False: long lines are kept whole (a problem is never cut short)
        # What the table says beside its data, said on standard error with json and
        # csv (the data carries it as data; the output stays data only).
        self.notes = list(notes)
        # What the reader must not miss whatever the format (an input that reads as
        # nothing): said on standard error after the output; the status is kept.
        self.warnings = list(warnings)

    def render(self, fmt: str, encoding: str | None = None) -> str:
        """The view as ``fmt``, holding only what ``encoding`` can write (default UTF-8)."""
        codec = encoding or "utf-8"
        if fmt == "json":
            text = json.dumps(self.data, indent=2, ensure_ascii=False) + "\n"
            if not _encodes(text, codec):
                text = json.dumps(self.data, indent=2) + "\n"  # the same JSON, in ASCII
            return text
        if fmt == "csv":
            out = io.StringIO()
            writer = csv.DictWriter(out, fieldnames=self.columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows(self.rows)
            text = out.getvalue()
            return text if _encodes(text, codec) else _backslashed(text, codec)
        # A last guard: records from overlays may be longer than any shipped one, and
        # any text a command did not escape itself is escaped here.
        width = WIDTH if self.fit else sys.maxsize
        lines = [
            _fit(printable(line, codec), width) for line in self.table.rstrip("\n").split("\n")
        ]
        return "\n".join(lines) + "\n"


def _encodes(text: str, codec: str) -> bool:
    try:
        text.encode(codec)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def _backslashed(text: str, codec: str) -> str:
    """``text`` with what ``codec`` cannot write (lone surrogates too) as backslash escapes."""
    if not _encodes("", codec):
        codec = "ascii"
    return text.encode(codec, "backslashreplace").decode(codec)


# ---------------------------------------------------------------------- records as data
def _data(record: object) -> Row:
    """A record as JSON-ready data keyed by attribute name (enums are ``str`` already)."""
    return attrs.asdict(record)  # type: ignore[arg-type]


def _citation_data(c: Citation, clause: Clause) -> Row:
    return {**_data(c), "clause_title": clause.title}


def _columns(cls: type, *extra: str) -> list[str]:
    """CSV columns of a record class: its attributes, provenance as ``provenance.<attribute>``."""
    names: list[str] = []
    for field in attrs.fields(cls):
        if field.name == "provenance":
            names += [f"provenance.{f.name}" for f in attrs.fields(Provenance)]
        else:
            names.append(field.name)
    return [*names, *extra]


def _source(p: Provenance) -> str:
    """A provenance as people cite it: ``ISO/IEC TR 20000-9:2015``, or just the document."""
    return _show(f"{p.document}:{p.edition}" if p.edition else p.document)


def _flat(row: Row) -> Row:
    """Flatten a nested record for CSV: lists joined by ``" | "``, dicts as ``key.sub``."""
    flat: Row = {}
    for key, value in row.items():
        if isinstance(value, dict):
            flat.update({f"{key}.{k}": v for k, v in value.items()})
        elif isinstance(value, list | tuple):
            flat[key] = " | ".join(map(str, value))
        else:
            flat[key] = value
    return flat


# ---------------------------------------------------------------------- text helpers
_show = escape_text
"""Every text from a record goes through this before it enters a table."""


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def _wrap(text: str, indent: str = "") -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent) or [""]


# ---------------------------------------------------------------------- commands
def _scenarios(refs: ReferenceSet, _args: argparse.Namespace) -> _View:
    data = [_data(s) for s in refs.scenarios()]
    head = f"{'ID':<4} {'SECTION':<7} {'PHASE':<8} {'CITES':>5}  TITLE"
    lines = [head, "-" * WIDTH]
    for s in refs.scenarios():
        cites = str(len(refs.clauses_cited_by(s.id))) if s.citations_known else "?"
        prefix = f"{s.id:<4} {s.section:<7} {s.phase.value:<8} {cites:>5}  "
        lines.append(prefix + _fit(_show(s.title), WIDTH - len(prefix)))
    lines.append("")
    lines.append("? = the source lists no clauses for this scenario")
    rows = [_flat(d) for d in data]
    return _View(table="\n".join(lines), data=data, rows=rows, columns=_columns(Scenario))


def _scenario(refs: ReferenceSet, args: argparse.Namespace) -> _View:
    s = refs.scenario(args.id)
    cited = [c for c in refs.citations() if c.scenario_id == s.id]
    citations = [_citation_data(c, refs.clause(c.clause_number, edition=c.edition)) for c in cited]
    data = {**_data(s), "citations": citations}
    p = s.provenance
    lines = [
        f"{s.id}  {_show(s.title)}",
        f"section {s.section} of {_source(p)}, phase: {s.phase.value}",
        "",
    ]
    if s.designed_by_cloudsms:
        lines += [
            *_wrap(
                "Designed by cloudsms: the source gives this scenario's title only, so the "
                "procedure cloudsms implements for it is the project's own design, not the "
                "TR's guidance."
            ),
            "",
        ]
    if s.summary:
        lines += [*_wrap(_show(s.summary)), ""]
    if s.outcomes:
        lines.append("Outcomes:")
        for outcome in s.outcomes:
            lines += textwrap.wrap(
                _show(outcome), WIDTH, initial_indent="  - ", subsequent_indent="    "
            )
        lines.append("")
    if not s.citations_known:
        lines.append("Cites: unknown (the source lists no clauses for this scenario)")
    else:
        lines.append(f"Cites ({len(citations)}):")
        for c in citations:
            lines.append(
                _fit(
                    f"  {c['position']:>2}. {c['clause_number']:<8} {_show(c['clause_title'])}",
                    WIDTH,
                )
            )
            if c["cited_as"]:
                lines.append(_fit(f"      {'':<8} cited as {c['cited_as']!r}", WIDTH))
    if s.implemented_by:
        lines += ["", "Implemented by:", *(f"  {path}" for path in s.implemented_by)]
    rows = [_flat(c) for c in citations]
    return _View(
        table="\n".join(lines), data=data, rows=rows, columns=_columns(Citation, "clause_title")
    )


def _clause(refs: ReferenceSet, args: argparse.Namespace) -> _View:
    c = refs.clause(args.number, edition=args.edition)
    coverage = refs.coverage_of(c.number, edition=c.edition)
    data = {**_data(c), "coverage": [_data(x) for x in coverage]}
    lines = [_fit(f"{c.number}  {_show(c.title)}", WIDTH), f"edition {c.edition}"]
    if c.parent:
        parent = refs.clause(c.parent, edition=c.edition)
        lines.append(_fit(f"parent: {c.parent} {_show(parent.title)}", WIDTH))
    if c.children:
        lines.extend(_wrap("children: " + ", ".join(c.children)))
    if c.process_group is not None:
        kind = "a process" if c.is_process else "part of a process"
        lines.append(f"process group: {c.process_group.value} ({kind})")
    if c.provenance.note:
        lines.extend(_wrap(f"note: {_show(c.provenance.note)}"))
    lines.append("")
    if not coverage:
        lines.append("No scenario covers this clause.")
    else:
        lines.append(f"Covered by ({len({x.scenario_id for x in coverage})} scenarios):")
        for x in coverage:
            title = _show(refs.scenario(x.scenario_id).title)
            how = "direct" if x.direct else f"via {x.via}"
            lines.append(_fit(f"  {x.scenario_id}  {how:<12} {title}", WIDTH))
    unknown = [s.id for s in refs.scenarios() if not s.citations_known]
    if unknown:
        lines += ["", *_wrap(f"Citations unknown for: {', '.join(unknown)}")]
    return _View(
        table="\n".join(lines), data=data, rows=data["coverage"], columns=_columns(Coverage)
    )


def _matrix(refs: ReferenceSet, args: argparse.Namespace) -> _View:
    matrix = refs.matrix(edition=args.edition)
    data = {sid: None if numbers is None else list(numbers) for sid, numbers in matrix.items()}
    rows = [
        {
            "scenario_id": sid,
            "citations_known": numbers is not None,
            "clause_numbers": "" if numbers is None else " ".join(numbers),
        }
        for sid, numbers in matrix.items()
    ]
    ids = list(matrix)
    coverage = refs.coverage_matrix(edition=args.edition)
    clauses = coverage.clauses
    marks = {
        c.number: {x.scenario_id: _MARKS[x.kind] for x in coverage.row(c.number)} for c in clauses
    }
    label = max([8, *(len(c.number) + 2 for c in clauses)])
    per_block = max(1, min(15, (WIDTH - label - 13) // _CELL))
    lines: list[str] = []
    for first in range(0, len(ids), per_block):
        block = ids[first : first + per_block]
        title_width = WIDTH - label - _CELL * len(block) - 1
        header = f"{'CLAUSE':<{label}}{'TITLE':<{title_width}} " + "".join(
            f"{sid[1:]:>{_CELL}}" for sid in block
        )
        lines += [header.rstrip(), "-" * WIDTH]
        for c in clauses:
            name = _fit(" " * (c.depth - 1) + _show(c.title), title_width - 1)
            cells = "".join(f"{marks[c.number][sid]:>{_CELL}}" for sid in block)
            lines.append(f"{c.number:<{label}}{name:<{title_width}} {cells}")
        lines.append("")
    span = f"{ids[0]}-{ids[-1]}" if ids else "none"
    lines += _wrap(
        f"Columns are scenarios {span}. X cited directly; + covered through a cited "
        "ancestor clause; . not covered; ? the source lists no clauses for it."
    )
    return _View(
        table="\n".join(lines),
        data=data,
        rows=rows,
        columns=["scenario_id", "citations_known", "clause_numbers"],
    )


_CELL = 3

_MARKS = {
    CoverageKind.DIRECT: "X",
    CoverageKind.INHERITED: "+",
    CoverageKind.NONE: ".",
    CoverageKind.UNKNOWN: "?",
}
"""The matrix's mark for each kind of cell: X direct, + inherited, . not covered, ? unknown."""


def _coverage(refs: ReferenceSet, args: argparse.Namespace) -> _View:
    processes = refs.process_coverage(edition=args.edition)
    data = []
    rows: list[Row] = []
    lines = [f"{'CLAUSE':<8}{'PROCESS':<34}SCENARIOS (direct; via an ancestor)", "-" * WIDTH]
    for pc in processes:
        p = pc.clause
        entries = pc.entries
        data.append(
            {
                "number": p.number,
                "title": p.title,
                "process_group": None if p.process_group is None else p.process_group.value,
                "coverage": [_data(x) for x in entries],
            }
        )
        rows.extend(
            {
                "clause_number": p.number,
                "title": p.title,
                "scenario_id": x.scenario_id,
                "via": x.via,
                "direct": x.direct,
            }
            for x in entries
        )
        if not pc.covered:
            rows.append(
                {
                    "clause_number": p.number,
                    "title": p.title,
                    "scenario_id": "",
                    "via": "",
                    "direct": "",
                }
            )
        direct = " ".join(pc.direct)
        inherited = " ".join(f"{x.scenario_id}({x.via})" for x in pc.inherited)
        text = (direct + ("; " + inherited if inherited else "")) or "NOT COVERED"
        lead = f"{p.number:<8}{_fit(_show(p.title), 32):<34}"
        lines += textwrap.wrap(text, WIDTH, initial_indent=lead, subsequent_indent=" " * 42)
    covered = sum(1 for pc in processes if pc.covered)
    lines += ["", f"{covered} of {len(processes)} processes covered."]
    unknown = [s.id for s in refs.scenarios() if not s.citations_known]
    if unknown:
        lines += _wrap(f"Citations unknown for: {', '.join(unknown)}")
    return _View(
        table="\n".join(lines),
        data=data,
        rows=rows,
        columns=["clause_number", "title", "scenario_id", "via", "direct"],
    )


# ---------------------------------------------------------------------- documents
_REFERENCE_TYPES = ("cloudsms.reference-overlay", "cloudsms.reference-set")
"""Documents read by `cloudsms.reference`, not by the converter: checked by applying them."""

_PROBLEM_COLUMNS = ("path", "expected", "got")


class _Unreadable(Exception):  # noqa: N818 - a signal inside this module, never raised out
    """The file named on the command line cannot be read: a usage error (status 2)."""


def _read_file(name: str) -> bytes:
    try:
        return Path(name).read_bytes()
    except (OSError, ValueError) as exc:  # no such file, a directory, a NUL in the name
        reason = getattr(exc, "strerror", None) or str(exc)
        raise _Unreadable(f"cannot read {name!r}: {reason}") from None


def _checked(data: object) -> tuple[object, list[Problem]]:
    """What the document builds (``None`` on failure) and every problem found."""
    try:
        return _built(data), []
    except ValidationError as exc:
        return None, list(exc.problems)


def _built(data: object) -> object:
    """The value ``data`` declares itself to be, built by the reader of its type."""
    if not isinstance(data, dict):
        raise ValidationError.single("$", "a JSON object", describe(data))
    declared = data.get("type")
    if declared == _REFERENCE_TYPES[0]:
        return shipped().overlay(data)
    if declared == _REFERENCE_TYPES[1]:
        return ReferenceSet.from_mapping(data)
    kind: type | None = None
    try:
        kind = document_class(declared) if isinstance(declared, str) else None
    except UnknownReference:
        pass
    except InvalidDefinition as exc:  # registered, but its class cannot be loaded
        got = f"{describe(declared)}, whose class cannot be loaded: {'; '.join(exc.problems)}"
        raise ValidationError.single(
            "$.type", "a document type this cloudsms can read", got
        ) from None
    if kind is None:
        raise ValidationError([_unknown_type(data)])
    from cloudsms.serialization import from_dict  # noqa: PLC0415 - the converter is heavy

    return from_dict(kind, data)


def _unknown_type(data: dict[str, Any]) -> Problem:
    known = [*registered_documents(), *_REFERENCE_TYPES]
    close = suggest_types(data.get("type"), known)
    if close:
        options = f"{', '.join(close[:-1])} or {close[-1]}" if len(close) > 1 else close[0]
        expected = f"a document type cloudsms reads (did you mean {options}?)"
    else:
        expected = f"a document type cloudsms reads (one of {', '.join(sorted(known))})"
    return Problem("$.type", expected, describe(data["type"]) if "type" in data else "nothing")


def _identity(value: object, data: dict[str, Any]) -> str:
    """A short name for what was read: its id, or the records a reference document holds."""
    if isinstance(value, ReferenceSet):
        counts = [
            f"{len(data[key])} {key if len(data[key]) != 1 else key[:-1]}"
            for key in ("clauses", "scenarios", "citations")
            if isinstance(data.get(key), list)
        ]
        return ", ".join(counts)
    ident = getattr(value, "id", None)
    return f"id {ident!r}" if isinstance(ident, str) else ""


def _read_document(
    file: str, expected_type: str | None = None
) -> tuple[str, object, object, list[Problem]]:
    """The file's name, its JSON, what it builds (``None`` on failure) and every problem.

    With ``expected_type``, a document declaring another type is not built: it gets
    one problem at ``$.type``.
    """
    name = Path(file).name or file
    text = _read_file(file)
    data: object = None
    try:
        data = strict_json.loads(text, subject=name)
    except ValidationError as exc:
        return name, data, None, list(exc.problems)
    declared = data.get("type") if isinstance(data, dict) else None
    if expected_type is not None and isinstance(data, dict) and declared != expected_type:
        got = describe(declared) if "type" in data else "nothing"
        return name, data, None, [Problem("$.type", f"a document of type {expected_type!r}", got)]
    value, problems = _checked(data)
    return name, data, value, problems


def _validate(args: argparse.Namespace) -> _View:
    return _validation_view(*_read_document(args.file))


def _validation_view(name: str, data: object, value: object, problems: list[Problem]) -> _View:
    """What `document validate` prints: a one-line summary, or every problem (status 1)."""
    header = data if isinstance(data, dict) else {}
    declared = header.get("type") if isinstance(header.get("type"), str) else None
    version = header.get("schema_version")
    version = version if type(version) is int else None
    current = getattr(type(value), "__schema_version__", version)
    upgraded = current if value is not None and current != version else None
    ident = _identity(value, header) if value is not None else ""
    rows: list[Row] = [p._asdict() for p in problems]
    result = {
        "valid": not problems,
        "type": declared,
        "schema_version": version,
        "upgraded_to": upgraded,
        "id": getattr(value, "id", None) if isinstance(getattr(value, "id", None), str) else None,
        "problems": rows,
    }
    what = _show(declared) if declared is not None else "document"
    if version is not None:
        what += f", schema version {version}"
        if upgraded is not None:
            what += f" (read as version {upgraded})"
    if not problems:
        lines = [f"{_show(name)}: valid {what}" + (f", {_show(ident)}" if ident else "")]
    else:
        noun = "problem" if len(problems) == 1 else "problems"
        lines = [f"{_show(name)}: invalid {what}: {len(problems)} {noun}"]
        lines += [f"  {_show(str(p))}" for p in problems]
    return _View(
        table="\n".join(lines),
        data=result,
        rows=rows,
        columns=_PROBLEM_COLUMNS,
        status=1 if problems else 0,
        fit=False,
    )


# ---------------------------------------------------------------------- agreements
def _show_agreement(args: argparse.Namespace) -> _View:
    """``agreement show``: the agreement for people or tools, or its problems (status 1)."""
    from cloudsms.agreements import AGREEMENT_DOCUMENT, CloudServiceAgreement  # noqa: PLC0415
    from cloudsms.reports.agreements import (  # noqa: PLC0415 - loaded only for this command
        TARGET_COLUMNS,
        agreement_report,
        agreement_rows,
        agreement_table,
    )

    name, data, value, problems = _read_document(args.file, AGREEMENT_DOCUMENT)
    if problems or not isinstance(value, CloudServiceAgreement):
        return _validation_view(name, data, value, problems)
    return _View(
        table=agreement_table(value),
        data=agreement_report(value),
        rows=agreement_rows(value),
        columns=TARGET_COLUMNS,
        fit=False,
    )


# ---------------------------------------------------------------------- audit trails
_CHAIN_KINDS = {"sha256": False, "hmac-sha256": True}
"""The ``chain`` values of a lifecycle instance on the wire, and whether each is keyed."""

_AUDIT_COLUMNS = ("path", "lifecycle", "id", "chain", "entries", "head", "broken")


class _Refused(Exception):  # noqa: N818 - a signal inside this module, never raised out
    """What the command line asks cannot be done as asked: a usage error (status 2)."""


@attrs.frozen
class _Break:
    """Where a trail stops being verifiable: the entry's index (if any), its path, why."""

    index: int | None
    path: str
    problem: str


@attrs.frozen
class _Trail:
    """One lifecycle instance found in a document, and what checking its chain found."""

    path: str
    lifecycle: str
    id: str
    chain: str
    entries: int
    head: str | None  # None while the trail is broken: a stored head proves nothing then
    broken: _Break | None

    def data(self) -> Row:
        broken = None if self.broken is None else attrs.asdict(self.broken)
        return {**attrs.asdict(self, recurse=False), "broken": broken}


def _is_instance(value: dict[Any, Any]) -> bool:
    """Whether a JSON object is a lifecycle instance as written since the chain.

    Any trace of the chain counts (an ``id``, a ``chain`` or an entry's ``hash``), so
    an instance whose chain keys were deleted or spoilt is checked, and broken, rather
    than passed over as one written before the chain.
    """
    history = value.get("history")
    if not isinstance(value.get("lifecycle"), str) or not isinstance(history, list):
        return False
    hashed = any(isinstance(entry, dict) and "hash" in entry for entry in history)
    return "id" in value or "chain" in value or hashed


def _found_instances(
    data: object,
) -> tuple[list[tuple[str, dict[str, Any]]], list[tuple[str, dict[str, Any]]]]:
    """Every lifecycle instance in ``data`` with its JSON path, in document order.

    Also the paths of instances written before the chain (a ``lifecycle`` name and a
    ``history`` list, but no ``id`` or ``chain``), which hold no hashes to check.
    """
    found: list[tuple[str, dict[str, Any]]] = []
    unsealed: list[tuple[str, dict[str, Any]]] = []
    stack: list[tuple[str, object]] = [("$", data)]
    while stack:
        path, value = stack.pop()
        children: list[tuple[str, object]] = []
        if isinstance(value, dict):
            if _is_instance(value):
                found.append((path, value))
                continue  # an entry's data is the event's, not another instance
            if isinstance(value.get("lifecycle"), str) and isinstance(value.get("history"), list):
                unsealed.append((path, value))
                continue
            children = [(strict_json.key_path(path, key), child) for key, child in value.items()]
        elif isinstance(value, list):
            children = [(f"{path}[{i}]", child) for i, child in enumerate(value)]
        stack.extend(reversed(children))
    return found, unsealed


def _read_key(name: str | None) -> bytes | None:
    """The raw bytes of the key file, never shown anywhere (its name may be)."""
    from cloudsms.lifecycle import MIN_KEY_BYTES  # noqa: PLC0415 - loaded only for this command

    if name is None:
        return None
    try:
        key = _read_file(name)
    except _Unreadable:
        raise _Refused(f"cannot read the key file {name!r}") from None
    if len(key) < MIN_KEY_BYTES:
        raise _Refused(
            f"the key file {name!r} holds {len(key)} bytes; an HMAC-SHA-256 trail's key "
            f"has at least {MIN_KEY_BYTES}"
        )
    return key


def _expected_head(given: str | None, count: int) -> str | None:
    if given is None:
        return None
    if not re.fullmatch(r"[0-9a-f]{64}", given.lower()):
        raise _Refused(f"--expected-head must be 64 hexadecimal digits, not {given!r}")
    if count != 1:
        raise _Refused(
            f"--expected-head checks one trail, and the document holds {count}: "
            "verify each instance from a document of its own"
        )
    return given.lower()


def _key_fits(found: list[tuple[str, dict[str, Any]]], key: bytes | None) -> None:
    """Refuse a key for a plain trail, and a keyed trail without its key (status 2)."""
    for path, value in found:
        keyed = _CHAIN_KINDS.get(str(value.get("chain")))
        if keyed is False and key is not None:
            raise _Refused(
                f"the trail at {path} is a plain SHA-256 chain (chain 'sha256') and takes no "
                "key: drop --key-file (if it was written keyed, it has been rewritten)"
            )
        if keyed is True and key is None:
            raise _Refused(
                f"the trail at {path} is keyed (chain 'hmac-sha256'): give its key with --key-file"
            )


def _checked_trail(
    path: str, value: dict[str, Any], key: bytes | None, head: str | None
) -> _Trail:
    """Check the chain of the instance at ``path`` from its genesis to its head."""
    from cloudsms.lifecycle._chain import (  # noqa: PLC0415 - loaded only for this command
        first_break,
        genesis,
        head_break,
    )

    entries, malformed = _entries(path, value["history"])
    origin, context = _normal_origin(value), value.get("context", {})
    last: str | None = None
    broken: _Break | None
    if value.get("chain") not in _CHAIN_KINDS:
        got = describe(value["chain"]) if "chain" in value else "nothing"
        broken = _Break(None, f"{path}.chain", f"expected 'sha256' or 'hmac-sha256', got {got}")
    elif not isinstance(value.get("id"), str):
        got = describe(value["id"]) if "id" in value else "nothing"
        broken = _Break(None, f"{path}.id", f"expected the instance's id, got {got}")
    elif origin is not None and not isinstance(origin, str):
        broken = _Break(
            None, f"{path}.origin", f"expected a state or null, got {describe(origin)}"
        )
    elif not isinstance(context, dict):
        broken = _Break(None, f"{path}.context", f"expected an object, got {describe(context)}")
    else:
        context_json = json.dumps(context, sort_keys=True, separators=(",", ":"))
        start = genesis(value["lifecycle"], value["id"], origin, context_json)
        found = first_break(start, entries, key)
        broken = malformed  # a bad hash before the malformed entry is reported first
        if found is not None:
            broken = _Break(found.index, f"{path}.history[{found.index}]", found.problem)
        hashes = [entry.hash for entry in entries]
        last = hashes[-1] if hashes else start
        if broken is None and head is not None:
            short = head_break(last, hashes, head, start)
            if short is not None:
                broken = _Break(short.index, f"{path}.history", short.problem)
    return _Trail(
        path=path,
        lifecycle=value["lifecycle"],
        id=str(value.get("id")),
        chain=str(value.get("chain")),
        entries=len(value["history"]),
        head=last if broken is None else None,
        broken=broken,
    )


def _normal_origin(value: dict[str, Any]) -> object:
    """The instance's origin as its genesis binds it: the initial state reads as none."""
    from cloudsms.lifecycle import lifecycle_named  # noqa: PLC0415 - loaded only for this command

    origin = value.get("origin")
    try:
        initial = lifecycle_named(value["lifecycle"]).initial
    except CloudSMSError:
        return origin  # an unknown lifecycle: the reader reports it
    return None if origin == initial else origin


def _entries(path: str, history: list[Any]) -> tuple[list[HistoryEntry], _Break | None]:
    """The entries of a history up to the first malformed one, and where that one is."""
    from cloudsms._kit.leaves import prefixed, structure_entry  # noqa: PLC0415 - only here

    entries: list[HistoryEntry] = []
    for index, raw in enumerate(history):
        try:
            entries.append(structure_entry(raw, None))
        except ValidationError as exc:
            first = prefixed(exc.problems, f"{path}.history[{index}]")[0]
            return entries, _Break(
                index, first.path, f"expected {first.expected}, got {first.got}"
            )
    return entries, None


def _load_problems(data: object, found: list[tuple[str, dict[str, Any]]]) -> list[Problem]:
    """What reading the document (or, without a known type, each instance) finds wrong.

    Reading replays every history through its lifecycle's guards and checks each
    stored state, which the chain alone does not.
    """
    declared = data.get("type") if isinstance(data, dict) else None
    try:
        known = isinstance(declared, str) and document_class(declared) is not None
    except CloudSMSError:
        known = False
    if known:
        return _checked(data)[1]
    from cloudsms._kit.leaves import prefixed  # noqa: PLC0415 - loaded only for this command
    from cloudsms._kit.lifecycles import structure_instance  # noqa: PLC0415

    problems: list[Problem] = []
    for path, value in found:
        try:
            structure_instance(value, None)
        except ValidationError as exc:
            problems += prefixed(exc.problems, path)
    return problems


def _unchained(path: str, value: dict[str, Any]) -> _Trail:
    """An instance without any chain in a document whose trails are chained: broken."""
    problem = (
        "expected a chained instance (an id, a chain and a hash on every entry), as in "
        "the rest of the document; got an instance without them"
    )
    return _Trail(
        path=path,
        lifecycle=str(value.get("lifecycle")),
        id="",
        chain="none",
        entries=len(value.get("history", [])),
        head=None,
        broken=_Break(None, path, problem),
    )


def _audit_verify(args: argparse.Namespace) -> _View:
    """``audit verify``: every lifecycle instance's chain in a document, then the document."""
    name = Path(args.file).name or args.file
    text = _read_file(args.file)
    try:
        data = strict_json.loads(text, subject=name)
    except ValidationError as exc:
        raise _Refused(f"{name} is not JSON cloudsms reads: {exc.errors[0]}") from None
    found, unsealed = _found_instances(data)
    version = data.get("schema_version") if isinstance(data, dict) else None
    chained_document = bool(found) or (isinstance(version, int) and version >= 3)  # noqa: PLR2004
    if not found and not (unsealed and chained_document):
        problems = [] if unsealed else _load_problems(data, found)
        if problems:  # a document of a known type whose instance is malformed, not absent
            return _audit_view(name, [], problems)
        reason = f"{name} holds no lifecycle instance with a hash chain"
        if unsealed:
            reason += (
                f" (the instance at {unsealed[0][0]} was written before the chain, schema "
                "version 2: it has no hashes to check, and sealing it when cloudsms writes "
                "it again proves nothing about what happened before)"
            )
        raise _Refused(reason)
    head = _expected_head(args.expected_head, len(found))
    key = _read_key(args.key_file)
    _key_fits(found, key)
    trails = [_checked_trail(path, value, key, head) for path, value in found]
    trails += [_unchained(path, value) for path, value in unsealed]
    broken = [t for t in trails if t.broken is not None]
    problems = [] if broken else _load_problems(data, found)
    return _audit_view(name, trails, problems)


def _audit_view(name: str, trails: list[_Trail], problems: list[Problem]) -> _View:
    broken = sum(t.broken is not None for t in trails)
    count = f"{len(trails)} lifecycle instance" + ("s" if len(trails) != 1 else "")
    if broken:
        lines = [f"{_show(name)}: {broken} of {len(trails)} trails broken"]
    elif problems and not trails:
        noun = "problem" if len(problems) == 1 else "problems"
        summary = "no trail to check: the document does not load"
        lines = [f"{_show(name)}: {summary}: {len(problems)} {noun}"]
    elif problems:
        noun = "problem" if len(problems) == 1 else "problems"
        summary = f"every trail holds ({count}), but the document does not load"
        lines = [f"{_show(name)}: {summary}: {len(problems)} {noun}"]
    else:
        lines = [f"{_show(name)}: every trail holds ({count})"]
    for t in trails:
        entries = f"{t.entries} entr{'y' if t.entries == 1 else 'ies'}"
        what = f"  {_show(t.path)}  {_show(t.lifecycle)} {_show(repr(t.id))}, {entries}"
        if t.broken is None:
            lines += [f"{what}, {_show(t.chain)}", f"    head {t.head}"]
        else:
            where = "" if t.broken.index is None else f" at entry {t.broken.index}"
            lines += [f"{what}: broken{where}", f"    {_show(t.broken.path)}: {t.broken.problem}"]
    lines += [f"  {_show(str(p))}" for p in problems]
    data = {
        "file": name,
        "valid": not broken and not problems,
        "trails": [t.data() for t in trails],
        "problems": [p._asdict() for p in problems],
    }
    return _View(
        table="\n".join(lines),
        data=data,
        rows=[t.data() for t in trails],
        columns=_AUDIT_COLUMNS,
        status=1 if broken or problems else 0,
        fit=False,
    )


# ---------------------------------------------------------------------- lifecycles
def _lifecycle_list(_args: argparse.Namespace) -> _View:
    """``lifecycle list``: every registered lifecycle, its states and its events."""
    from cloudsms.lifecycle import (  # noqa: PLC0415 - loaded only for this command
        lifecycle_named,
        registered_lifecycles,
    )

    data: list[Row] = []
    lines = [f"{'NAME':<16}{'STATES':>6}  {'INITIAL':<11}EVENTS", "-" * WIDTH]
    for name, path in registered_lifecycles().items():
        try:
            lc = lifecycle_named(name)
        except InvalidDefinition as exc:
            fault = "; ".join(exc.problems)
            data.append({"name": name, "path": path, "error": fault})
            lines += _wrap(f"{_show(name):<16}{'?':>6}  cannot be loaded: {_show(fault)}")
            continue
        data.append(
            {
                "name": name,
                "path": path,
                "states": list(lc.states),
                "initial": lc.initial,
                "finals": sorted(lc.finals),
                "events": list(lc.events),
            }
        )
        lead = f"{_show(name):<16}{len(lc.states):>6}  {lc.initial + ' ':<11}"
        lines += textwrap.wrap(
            ", ".join(lc.events), WIDTH, initial_indent=lead, subsequent_indent=" " * len(lead)
        ) or [lead.rstrip()]
    return _View(table="\n".join(lines), data=data, rows=data, columns=("name", "path"))


def _lifecycle_diagram(args: argparse.Namespace) -> _View:
    """``lifecycle diagram``: a registered lifecycle as a Mermaid state diagram."""
    from cloudsms.lifecycle import lifecycle_named  # noqa: PLC0415 - loaded only for this command

    diagram = lifecycle_named(args.name).to_mermaid()
    return _View(table=diagram, data=diagram, rows=[], columns=(), fit=False)


# ---------------------------------------------------------------------- incidents
_MONTH = re.compile(r"(\d{4})-(\d{2})")


_YEARS = (1900, 8999)  # the years a `cloudsms.periods.Period` can hold


def _month(text: str) -> tuple[int, int]:
    """``--period``: a month written ``YYYY-MM``, in the years a period can hold."""
    found = _MONTH.fullmatch(text)
    if found is None or not 1 <= int(found.group(2)) <= 12:  # noqa: PLR2004 - months
        message = f"expected a month such as 2026-10, got {text!r}"
        raise argparse.ArgumentTypeError(message)
    first, last = _YEARS
    if not first <= int(found.group(1)) <= last:
        message = f"expected a month from {first}-01 to {last}-12, got {text!r}"
        raise argparse.ArgumentTypeError(message)
    return int(found.group(1)), int(found.group(2))


def _agreement_of(args: argparse.Namespace) -> tuple[str, Any, _View | None]:
    """``AGREEMENT.json``'s file name and agreement, or ``None`` and the view of its problems.

    Shared by the commands over a month of an agreement (``incident list``, ``sla
    report``, ``cost profile``): an invalid agreement gets ``document validate``'s
    problems (status 1).
    """
    from cloudsms.agreements import AGREEMENT_DOCUMENT, CloudServiceAgreement  # noqa: PLC0415

    name, data, agreement, problems = _read_document(args.agreement, AGREEMENT_DOCUMENT)
    if problems or not isinstance(agreement, CloudServiceAgreement):
        return name, None, _validation_view(name, data, agreement, problems)
    return name, agreement, None


def _period_of(args: argparse.Namespace, agreement: Any) -> Any:  # noqa: ANN401 - lazy types
    """The month of ``--period`` in the agreement's time zone, as a `cloudsms.periods.Period`.

    A month whose start or end in that zone falls outside the instants a period
    can hold (1900-01 in Berlin begins on 31 December 1899 in UTC) is bad usage:
    the command's usage and an ``argument --period`` error on standard error,
    status 2, as argparse reports the other bad months.
    """
    from cloudsms.periods import Period  # noqa: PLC0415 - loaded only for these commands

    year, month = args.period
    try:
        return Period.month(year, month, agreement.timezone)
    except ValidationError:
        args.usage_error(
            f"argument --period: expected a month that begins and ends, in the agreement's "
            f"time zone ({agreement.timezone}), from 1900-01-01T00:00Z up to 9000-01-01T00:00Z,"
            f" got '{year:04d}-{month:02d}'"
        )
        raise  # pragma: no cover - usage_error exits


def _read_records(data: object) -> tuple[dict[str, list[Any]], list[Problem]]:
    """The records a records file lists, built by kind, and every problem found."""
    from cloudsms import operations  # noqa: PLC0415 - loaded only for this command
    from cloudsms.serialization import from_dict  # noqa: PLC0415 - the converter is heavy

    kinds: dict[str, type] = {
        "incidents": operations.Incident,
        "requests": operations.ServiceRequest,
        "problems": operations.Problem,
        "changes": operations.Change,
        "releases": operations.Release,
    }
    built: dict[str, list[Any]] = {key: [] for key in kinds}
    if not isinstance(data, dict):
        return built, [Problem("$", "a JSON object of record lists", describe(data))]
    problems = [
        Problem(f"$.{key}", f"one of the keys {', '.join(kinds)}", "an unknown key")
        for key in data
        if key not in kinds
    ]
    for key, kind in kinds.items():
        given = data.get(key, [])
        if not isinstance(given, list):
            problems.append(Problem(f"$.{key}", "an array of documents", describe(given)))
            continue
        for index, item in enumerate(given):
            try:
                built[key].append(from_dict(kind, item))
            except ValidationError as exc:
                prefix = f"$.{key}[{index}]"
                problems += [p._replace(path=prefix + p.path[1:]) for p in exc.problems]
    return built, problems


def _latest_instant(register: Any) -> Any:  # noqa: ANN401 - an OperationsRegister; an instant
    """The latest instant the records hold: their openings, requests and history entries."""
    import datetime as dt  # noqa: PLC0415 - loaded only for this command

    latest: dt.datetime | None = None
    kinds = (
        register.incidents,
        register.requests,
        register.problems,
        register.changes,
        register.releases,
    )
    for items in kinds:
        for record in items:
            moments = [e.when for e in record.lifecycle.entries]
            for name in ("opened_at", "requested_at"):
                moment = getattr(record, name, None)
                if moment is not None:
                    moments.append(moment)
            for moment in moments:
                if latest is None or moment.astimezone(dt.UTC) > latest.astimezone(dt.UTC):
                    latest = moment
    return latest


def _problems_view(name: str, what: str, problems: list[Problem]) -> _View:
    noun = "problem" if len(problems) == 1 else "problems"
    lines = [f"{_show(name)}: invalid {what}: {len(problems)} {noun}"]
    lines += [f"  {_show(str(p))}" for p in problems]
    rows: list[Row] = [p._asdict() for p in problems]
    data = {"valid": False, "file": name, "problems": rows}
    return _View(
        table="\n".join(lines),
        data=data,
        rows=rows,
        columns=_PROBLEM_COLUMNS,
        status=1,
        fit=False,
    )


def _read_register(path: str, agreement: Any) -> tuple[Any, _View | None]:  # noqa: ANN401
    """The records file at ``path`` as an `OperationsRegister` of ``agreement``, or its problems.

    The file is read strictly as JSON, its records built kind by kind
    (`_read_records`) and checked against the agreement (ids unique per kind, every
    record under it, every priority on its scale). Gives the register and ``None``, or
    ``None`` and the view of every problem (exit 1); a file that cannot be read raises
    `_Unreadable` (exit 2). Shared by ``incident list`` and ``sla report --records``.
    """
    from cloudsms.operations import OperationsRegister  # noqa: PLC0415 - loaded on use

    name = Path(path).name or path
    text = _read_file(path)
    try:
        listed: object = strict_json.loads(text, subject=name)
    except ValidationError as exc:
        return None, _problems_view(name, "records", list(exc.problems))
    records, problems = _read_records(listed)
    if problems:
        return None, _problems_view(name, "records", problems)
    try:
        return OperationsRegister(agreement=agreement, **records), None
    except ValidationError as exc:
        what = f"records for agreement {agreement.id!r}"
        return None, _problems_view(name, what, list(exc.problems))


def _incident_list(args: argparse.Namespace) -> _View:
    """``incident list``: each incident opened in a month with its times and targets."""
    from cloudsms.reports.operations import (  # noqa: PLC0415 - loaded only for this command
        INCIDENT_COLUMNS,
        incident_report,
        incident_rows,
        incident_table,
    )

    _, agreement, refused = _agreement_of(args)
    if refused is not None:
        return refused
    register, refused = _read_register(args.records, agreement)
    if refused is not None:
        return refused
    period = _period_of(args, agreement)
    as_of = _latest_instant(register) or period.end
    return _View(
        table=incident_table(register, period, as_of),
        data=incident_report(register, period, as_of),
        rows=incident_rows(register, period, as_of),
        columns=INCIDENT_COLUMNS,
        fit=False,
    )


# ---------------------------------------------------------------------- service reports
def _as_of(text: str) -> Any:  # noqa: ANN401 - an aware datetime, imported lazily
    """``--as-of``: an RFC 3339 instant with its offset."""
    import datetime as dt  # noqa: PLC0415 - loaded only for this command

    from cloudsms._foundation.instants import instant_problems  # noqa: PLC0415

    try:
        instant = dt.datetime.fromisoformat(text)
    except ValueError:
        instant = None
    if instant is None or instant.tzinfo is None or instant_problems(instant, "$"):
        message = (
            f"expected an instant with its offset such as 2026-11-01T00:00:00+01:00, got {text!r}"
        )
        raise argparse.ArgumentTypeError(message)
    return instant


def _no_monitoring_data(folder: Path, shown: str) -> _View:
    """The refusal of a DATA_DIR without a row of monitoring data (and no ``--records``).

    Judged from nothing, every availability target would be met at 100 %: the data
    is far more likely missing (a wrong directory, files not yet exported).
    """
    from cloudsms.monitoring.files import CSV_COLUMNS  # noqa: PLC0415 - loaded on use

    names = list(CSV_COLUMNS)
    found = [name for name in names if (folder / name).is_file()]
    got = f"only the header of {', '.join(found)}" if found else "none of these files"
    expected = (
        f"monitoring data to judge the month: rows in {', '.join(names[:-1])} or "
        f"{names[-1]}, or --records RECORDS.json"
    )
    return _problems_view(folder.name or shown, "monitoring data", [Problem(shown, expected, got)])


def _sla_report(args: argparse.Namespace) -> _View:
    """``sla report``: the customer's service report for a month, from CSV monitoring data.

    With ``--records``, the incidents and service requests of the records file join
    the observations (its problems, changes and releases are checked, not reported).
    A DATA_DIR with no row of data, without ``--records``, is refused (exit 1) rather
    than judged as a month without downtime.
    """
    from cloudsms.monitoring import Observations  # noqa: PLC0415
    from cloudsms.monitoring.evaluation import evaluate  # noqa: PLC0415
    from cloudsms.monitoring.files import read_observations  # noqa: PLC0415
    from cloudsms.reports.monitoring import (  # noqa: PLC0415 - loaded only for this command
        service_report_data,
        service_report_markdown,
    )

    name, agreement, refused = _agreement_of(args)
    if refused is not None:
        return refused
    folder = Path(args.data)
    if not folder.is_dir():
        reason = "not a directory" if folder.exists() else "no such directory"
        raise _Unreadable(f"cannot read {args.data!r}: {reason}")
    kept = Observations()
    if args.records is not None:
        register, refused = _read_register(args.records, agreement)
        if refused is not None:
            return refused
        kept = Observations(incidents=register.incidents, requests=register.requests)
    try:
        observations = read_observations(folder).merged(kept)
    except ValidationError as exc:
        return _problems_view(folder.name or args.data, "monitoring data", list(exc.problems))
    if args.records is None and observations.is_empty:
        return _no_monitoring_data(folder, args.data)
    # Events were read when events.csv was (even with a header only) or incident records
    # were: only then does an empty list of notices mean there was none to give.
    events_read = (folder / "events.csv").is_file() or args.records is not None
    period = _period_of(args, agreement)
    try:
        report = evaluate(agreement, observations, period, as_of=args.as_of)
    except ValidationError as exc:
        what = f"period for agreement {agreement.id!r}"
        return _problems_view(name, what, list(exc.problems))
    return _View(
        table=service_report_markdown(report, agreement, observations, events_read=events_read),
        data=service_report_data(report, agreement, observations),
        rows=[],
        columns=(),
        fit=False,
    )


# ---------------------------------------------------------------------- cost profiles
_ROW_PATH = re.compile(r"\$\.(allocations|usage)\[(\d+)\](?:\.(\w+))?(.*)")
_CSV_COLUMN = {"since": "from"}  # an allocation's field the CSV file names otherwise


def _readable(name: str) -> None:
    """Refuse (status 2) a file that cannot be opened; its problems are the reader's."""
    try:
        with Path(name).open("rb"):
            pass
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise _Unreadable(f"cannot read {name!r}: {reason}") from None


def _data_lines(path: str) -> list[int]:
    """The line each data row of a CSV file starts on, as the resources reader counts rows.

    The header is line 1; rows of blank cells are skipped, as the reader skips them.
    """
    text = Path(path).read_text(encoding="utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""))
    lines: list[int] = []
    line = 1
    for index, record in enumerate(reader):
        if index and any(cell.strip() for cell in record):
            lines.append(line)
        line = reader.line_num + 1
    return lines


def _located(problems: Sequence[Problem], files: dict[str, str]) -> list[Problem]:
    """Problems of rows (``$.allocations[3].since``) at their ``file:line:column``."""
    lines = {kind: _data_lines(path) for kind, path in files.items()}
    located: list[Problem] = []
    for problem in problems:
        found = _ROW_PATH.fullmatch(problem.path)
        kind = found.group(1) if found else ""
        if found is None or kind not in lines or int(found.group(2)) >= len(lines[kind]):
            located.append(problem)
            continue
        name = Path(files[kind]).name or files[kind]
        where = f"{name}:{lines[kind][int(found.group(2))]}"
        field = found.group(3)
        if field:
            where += f":{_CSV_COLUMN.get(field, field)}{found.group(4)}"
        located.append(problem._replace(path=where))
    return located


def _rate_problems(data: object) -> list[Problem]:
    """What keeps each rate of a rate card's JSON from pricing its resource type.

    Each rate that reads on its own is checked against the card's currency and the
    built-in resource types (`cloudsms.resources.RateCard.problems`), whether or
    not the card as a whole reads, so one run names every problem of the file at
    its path (``$.rates[1].resource_type``).
    """
    from cloudsms.resources import Rate, RateCard  # noqa: PLC0415 - loaded only for this command
    from cloudsms.serialization import from_dict  # noqa: PLC0415 - the converter is heavy

    listed = data.get("rates") if isinstance(data, dict) else None
    code = data.get("currency") if isinstance(data, dict) else None
    problems: list[Problem] = []
    for index, item in enumerate(listed if isinstance(listed, list) else []):
        found: list[Problem] = []
        try:
            rate = from_dict(Rate, item)
            try:
                alone = RateCard(code if isinstance(code, str) else rate.currency, [rate])
            except ValidationError as exc:  # another currency: the card's own code is read aside
                found += [p for p in exc.problems if p.path.startswith("$.rates[0]")]
                alone = RateCard(rate.currency, [rate])
        except ValidationError:  # the rate's own problems are the document's
            continue
        problems += [
            p._replace(path=f"$.rates[{index}]{p.path.removeprefix('$.rates[0]')}")
            for p in [*found, *alone.problems()]
        ]
    return problems


def _rate_card(args: argparse.Namespace, agreement: Any) -> tuple[Any, _View | None]:  # noqa: ANN401
    """The rate card of ``--rates``, or built from ``--catalogue``; or the view of its problems.

    A rate card file is checked against the resource types as it is read: its
    problems, of the document and of its rates, are reported together under its
    name (status 1), before anything is priced.
    """
    from cloudsms.catalogue import Catalogue  # noqa: PLC0415 - loaded only for this command
    from cloudsms.resources import RateCard  # noqa: PLC0415
    from cloudsms.serialization import from_dict  # noqa: PLC0415 - the converter is heavy

    if args.rates is not None:
        name, data, card, problems = _read_document(args.rates, "cloudsms.rate-card")
        problems += [p for p in _rate_problems(data) if p not in problems]
        if problems or not isinstance(card, RateCard):
            return None, _validation_view(name, data, card, problems)
        return card, None
    name = Path(args.catalogue).name or args.catalogue
    text = _read_file(args.catalogue)
    try:
        catalogue = from_dict(Catalogue, strict_json.loads(text, subject=name))
    except ValidationError as exc:
        return None, _problems_view(name, "catalogue", list(exc.problems))
    try:
        return RateCard.for_agreement(agreement, catalogue), None
    except ValidationError as exc:
        what = f"rate card for agreement {agreement.id!r}"
        return None, _problems_view(name, what, list(exc.problems))


def _read_rows(path: str, what: str) -> tuple[tuple[Any, ...], _View | None]:
    """The allocations or usage of a CSV file, or ``()`` and the view of every problem."""
    from cloudsms.resources import read_allocations, read_usage  # noqa: PLC0415

    reader = read_allocations if what == "allocations" else read_usage
    try:
        return reader(path), None
    except ValidationError as exc:
        shown = Path(path).name or path
        return (), _problems_view(shown, f"{what} file", list(exc.problems))


def _cost_profile(args: argparse.Namespace) -> _View:
    """``cost profile``: what the agreement's resources cost over a month, line by line.

    Every file is read before anything is priced, and a file with any problem is
    refused whole: nothing is computed from a half-read file.
    """
    from cloudsms.reports.resources import (  # noqa: PLC0415 - loaded only for this command
        COST_COLUMNS,
        cost_profile_data,
        cost_profile_rows,
        cost_profile_table,
        left_out_note,
    )
    from cloudsms.resources import CostProfile  # noqa: PLC0415

    name, agreement, refused = _agreement_of(args)
    if refused is not None:
        return refused
    rates, refused = _rate_card(args, agreement)
    if refused is not None:
        return refused
    files = {"allocations": args.allocations}
    if args.usage is not None:
        files["usage"] = args.usage
    for path in files.values():
        _readable(path)
    read: dict[str, tuple[Any, ...]] = {"usage": ()}
    for what, path in files.items():
        read[what], refused = _read_rows(path, what)
        if refused is not None:
            return refused
    period = _period_of(args, agreement)
    try:
        profile = CostProfile.build(
            agreement, read["allocations"], read["usage"], period, rates=rates
        )
    except ValidationError as exc:
        year, month = args.period
        what = f"cost profile of agreement {agreement.id!r} for {year}-{month:02d}"
        return _problems_view(name, what, _located(exc.problems, files))
    notes = [note] if (note := left_out_note(profile)) else []
    table = cost_profile_table(profile)  # says the left-out note itself
    if args.focus is not None:
        written = _write_focus(args.focus, profile, name)
        if isinstance(written, _View):
            return written
        notes.append(written)
        table = table.rstrip("\n") + f"\n{written}\n"
    return _View(
        table=table,
        data=cost_profile_data(profile),
        rows=cost_profile_rows(profile),
        columns=COST_COLUMNS,
        fit=False,
        notes=notes,
    )


def _write_focus(path: str, profile: Any, name: str) -> str | _View:  # noqa: ANN401
    """Write ``profile``'s FinOps FOCUS 1.0 rows to ``path``: the note saying so.

    A file that cannot be written is status 2 (`_Unreadable`), said with its reason;
    a profile the export refuses is the view of its problems (status 1), under the
    agreement's file name. Nothing is written then.
    """
    from cloudsms.reports.focus import write_focus  # noqa: PLC0415 - loaded only for --focus

    try:
        written = write_focus(path, profile)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise _Unreadable(f"cannot write {path!r}: {reason}") from None
    except ValidationError as exc:
        return _problems_view(name, "FOCUS export", list(exc.problems))
    return f"wrote {written} FOCUS 1.0 row{'' if written == 1 else 's'} to {path}"


# ---------------------------------------------------------------------- capacity
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_CAPACITY_YEARS = 3  # how far ahead capacity show looks for threshold dates


def _capacity_as_of(text: str) -> Any:  # noqa: ANN401 - an aware datetime, imported lazily
    """``--as-of``: a date (00:00 UTC of that day) or an RFC 3339 instant with its offset.

    It must be a supported instant whose horizon (`_CAPACITY_YEARS` ahead, on its own
    clock) is one too: the range is said, with the text given, not what it was read as.
    """
    import datetime as dt  # noqa: PLC0415 - loaded only for this command

    from dateutil.relativedelta import relativedelta  # noqa: PLC0415

    from cloudsms._foundation.instants import RANGE_TEXT, instant_problems  # noqa: PLC0415
    from cloudsms.periods import add_calendar  # noqa: PLC0415

    if _DATE.fullmatch(text):
        try:
            instant = dt.datetime.combine(dt.date.fromisoformat(text), dt.time(), dt.UTC)
        except ValueError:
            message = (
                f"expected a date such as 2026-11-01 or an instant with its offset, got {text!r}"
            )
            raise argparse.ArgumentTypeError(message) from None
    else:
        try:
            parsed: dt.datetime | None = dt.datetime.fromisoformat(text)
        except ValueError:
            parsed = None
        if parsed is None or parsed.tzinfo is None:
            message = (
                "expected an instant with its offset such as 2026-11-01T00:00:00+01:00,"
                f" got {text!r}"
            )
            raise argparse.ArgumentTypeError(message)
        instant = parsed
    found = instant_problems(instant, "$")
    if found:
        wanted = found[0].expected
        if wanted == RANGE_TEXT:
            wanted = f"a date or an instant {RANGE_TEXT.removeprefix('an instant ')}"
        raise argparse.ArgumentTypeError(f"expected {wanted}, got {text!r}")
    try:
        add_calendar(instant, relativedelta(years=_CAPACITY_YEARS))
    except ValidationError:
        years = _CAPACITY_YEARS
        message = (
            f"expected a date or an instant at least {years} years before 9000-01-01T00:00Z,"
            f" where the supported range ends, as threshold dates are looked for {years}"
            f" years ahead (a date up to {8999 - years}-12-31), got {text!r}"
        )
        raise argparse.ArgumentTypeError(message) from None
    return instant


def _days(text: str) -> int:
    """``--unused-for``: a whole number of days, 1 or more."""
    if not re.fullmatch(r"[0-9]{1,6}", text) or int(text) < 1:
        message = f"expected a whole number of days, 1 or more, got {text!r}"
        raise argparse.ArgumentTypeError(message)
    return int(text)


def _capacity_thresholds(args: argparse.Namespace) -> Any:  # noqa: ANN401 - a Thresholds
    """The thresholds of ``--warn`` and ``--act``; bad usage (status 2) when they do not hold."""
    from cloudsms.resources.capacity import Thresholds  # noqa: PLC0415 - loaded on use

    try:
        return Thresholds(warn=args.warn, act=args.act)
    except ValidationError as exc:
        problem = exc.problems[0]
        option = "--warn" if problem.path == "$.warn" else "--act"
        args.usage_error(f"argument {option}: expected {problem.expected}, got {problem.got}")
        raise  # pragma: no cover - usage_error exits


def _capacity_show(args: argparse.Namespace) -> _View:
    """``capacity show``: a pool's capacity plan, from its allocations (and usage).

    Every file is read before anything is computed, and a file with any problem is
    refused whole (status 1).
    """
    import datetime as dt  # noqa: PLC0415 - loaded only for this command

    from dateutil.relativedelta import relativedelta  # noqa: PLC0415

    from cloudsms.reports.capacity import (  # noqa: PLC0415 - loaded only for this command
        capacity_left_out_note,
        capacity_plan_data,
        capacity_plan_table,
    )
    from cloudsms.resources import ResourcePool  # noqa: PLC0415
    from cloudsms.resources.capacity import CapacityPlan  # noqa: PLC0415

    thresholds = _capacity_thresholds(args)
    name, data, pool, problems = _read_document(args.pool, "cloudsms.resource-pool")
    if isinstance(pool, ResourcePool):  # a capacity of an unknown type or another dimension
        problems += pool.problems()
    if problems or not isinstance(pool, ResourcePool):
        return _validation_view(name, data, pool, problems)
    files = {"allocations": args.allocations}
    if args.usage is not None:
        files["usage"] = args.usage
    for path in files.values():
        _readable(path)
    read: dict[str, tuple[Any, ...] | None] = {"usage": None}
    for what, path in files.items():
        read[what], refused = _read_rows(path, what)
        if refused is not None:
            return refused
    as_of = args.as_of
    if as_of is None:  # the caller's clock, read here at the edge and shown in the output
        as_of = dt.datetime.now(dt.UTC).replace(microsecond=0)
    try:
        plan = CapacityPlan.build(
            pool,
            read["allocations"] or (),
            as_of=as_of,
            thresholds=thresholds,
            usage=read["usage"],
            unused_for=args.unused_for,
            horizon=relativedelta(years=_CAPACITY_YEARS),
        )
    except ValidationError as exc:
        what = f"capacity plan of pool {pool.id!r}"
        return _problems_view(name, what, _located(exc.problems, files))
    note = capacity_left_out_note(plan)
    return _View(
        table=capacity_plan_table(plan),  # ends with the note itself
        data=capacity_plan_data(plan),
        rows=[],
        columns=(),
        fit=False,
        notes=[note] if note else [],
    )


def _with_capacity(commands: Any) -> None:  # noqa: ANN401 - argparse's private subparsers type
    """The ``capacity show`` command, added to ``commands``."""
    verbs = commands.add_parser(
        "capacity", help="how full a resource pool is and will be"
    ).add_subparsers(dest="verb", required=True, metavar="VERB")
    sub: argparse.ArgumentParser = verbs.add_parser(
        "show",
        help="a pool's capacity plan: utilisation, projection, threshold dates",
        description="Read POOL.json (a cloudsms.resource-pool document) and the "
        "allocations of every customer in ALLOCATIONS.csv (customer,agreement,service,"
        "resource_type,quantity,unit,from,until and optionally resource_id,cost_centre,"
        "location; those of the pool's location or of none count) and print, per "
        "resource type of the pool, what is held of its capacity at --as-of, the growth "
        "projection fitted to the history (linear, or seasonal from 24 whole months on) "
        "with its fit, and the date the warn and act thresholds and the whole capacity "
        "are reached within three years, by the holdings already scheduled or by the "
        "projection, whichever comes first; with --usage, the capacity held by holdings "
        "unused for --unused-for days. A last line counts the allocations left out (of "
        "other locations, or of types the pool has no capacity for; on standard error "
        "with --format json). Exit 0, 1 with every problem of an invalid pool (a capacity "
        "of an unknown resource type or in another unit's dimension included) or CSV "
        "file (a CSV cell at file:line:column), 2 when a file cannot be read or an option "
        "is not valid.",
    )
    sub.add_argument("pool", metavar="POOL.json", help="the pool's document")
    sub.add_argument(
        "allocations", metavar="ALLOCATIONS.csv", help="the allocations of every customer, as CSV"
    )
    sub.add_argument(
        "--as-of",
        type=_capacity_as_of,
        default=None,
        metavar="DATE",
        help="judge the pool at 00:00 UTC of this date, or at this RFC 3339 instant, "
        f"from 1900-01-01 up to {8999 - _CAPACITY_YEARS}-12-31 (default: now)",
    )
    sub.add_argument(
        "--usage",
        default=None,
        metavar="USAGE.csv",
        help="the usage recorded, as CSV, to find the holdings left unused (default: none, "
        "and nothing is judged unused)",
    )
    sub.add_argument(
        "--unused-for",
        type=_days,
        default=30,
        metavar="DAYS",
        help="the days a holding must be unused to be reclaimable (default: 30)",
    )
    sub.add_argument(
        "--warn",
        default="0.75",
        metavar="FRACTION",
        help="the share of each capacity that warns, such as 0.75 or 3/4 (default: 0.75)",
    )
    sub.add_argument(
        "--act",
        default="0.9",
        metavar="FRACTION",
        help="the share of each capacity at which to act, above --warn (default: 0.9)",
    )
    sub.add_argument(
        "--format",
        choices=("table", "json"),
        default="table",
        help="output format (default: table)",
    )
    sub.set_defaults(document_handler=_capacity_show, usage_error=sub.error)


# ---------------------------------------------------------------------- exit procedure
_DATE_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_EXIT_OPTIONS = {"$.notice": "--notice-date", "$.by": "--by", "$.reason": "--reason"}
"""The options standing for `plan_exit`'s arguments, named in its problems instead."""


def _notice_date(text: str) -> Any:  # noqa: ANN401 - a datetime.date, imported lazily
    """``--notice-date``: a calendar date written ``YYYY-MM-DD``, in the years 1900-8999."""
    import datetime as dt  # noqa: PLC0415 - loaded only for this command

    first, last = _YEARS
    try:
        day = dt.date.fromisoformat(text) if _DATE_TEXT.fullmatch(text) else None
    except ValueError:
        day = None
    if day is None:
        raise argparse.ArgumentTypeError(f"expected a date such as 2026-12-01, got {text!r}")
    if not first <= day.year <= last:
        message = f"expected a date from {first}-01-01 to {last}-12-31, got {text!r}"
        raise argparse.ArgumentTypeError(message)
    return day


def _termination_reason(text: str) -> str:
    """``--reason``: one of the termination reasons cloudsms knows (S13), else bad usage.

    Whether the agreement lists it is the terms' question, answered by `plan_exit`.
    """
    from cloudsms.agreements import TerminationReason  # noqa: PLC0415 - only for this command

    known = [r.value for r in TerminationReason]
    if text not in known:
        words = ", ".join(repr(word) for word in known)
        raise argparse.ArgumentTypeError(f"expected a termination reason ({words}), got {text!r}")
    return text


def _exit_problem(problem: Problem) -> Problem:
    """A problem of `plan_exit` at the option standing for its argument, in its words."""
    path = _EXIT_OPTIONS.get(problem.path, problem.path)
    if path == "--reason" and problem.got == "null":
        return problem._replace(path=path, got="no --reason")
    return problem._replace(path=path)


def _exit_plan(args: argparse.Namespace) -> _View:
    """``exit plan``: the dates, charge and steps of a notice of termination, or its refusal.

    An invalid agreement gets ``document validate``'s problems (status 1); a
    termination the agreement's terms refuse (a provider without a listed reason, a
    party the terms do not allow, a notice outside the agreement's term) gets its
    problems, each at the option it concerns, also with status 1.
    """
    from cloudsms.procedures.termination import plan_exit  # noqa: PLC0415
    from cloudsms.reports.termination import (  # noqa: PLC0415 - loaded only for this command
        exit_plan_data,
        exit_plan_table,
    )

    name, agreement, refused = _agreement_of(args)
    if refused is not None:
        return refused
    try:
        plan = plan_exit(agreement, notice=args.notice_date, by=args.by, reason=args.reason)
    except ValidationError as exc:
        problems = [_exit_problem(p) for p in exc.problems]
        noun = "problem" if len(problems) == 1 else "problems"
        head = f"{_show(name)}: the terms of agreement {_show(agreement.id)} refuse this "
        lines = [f"{head}termination: {len(problems)} {noun}"]
        lines += [f"  {_show(str(p))}" for p in problems]
        rows: list[Row] = [p._asdict() for p in problems]
        data = {"refused": True, "file": name, "agreement": agreement.id, "problems": rows}
        return _View(
            table="\n".join(lines),
            data=data,
            rows=rows,
            columns=_PROBLEM_COLUMNS,
            status=1,
            fit=False,
        )
    return _View(
        table=exit_plan_table(plan), data=exit_plan_data(plan), rows=[], columns=(), fit=False
    )


def _exit_confirmation(args: argparse.Namespace) -> _View:
    """``exit confirmation``: the written confirmation of a closed exit procedure.

    The procedure document is read strictly (its trail replayed through the
    lifecycle's guards), its hash chain recomputed (`cloudsms.lifecycle.verify`, with
    the key of ``--key-file`` for a keyed trail), and the confirmation built from
    the trail and checked against it. Status 1 for an invalid document, a trail that
    does not verify, or a procedure that is not closed.
    """
    from cloudsms.lifecycle import verify  # noqa: PLC0415
    from cloudsms.procedures.termination import (  # noqa: PLC0415 - loaded only for this command
        ExitConfirmation,
        ExitProcedure,
    )
    from cloudsms.reports.termination import confirmation_markdown  # noqa: PLC0415
    from cloudsms.serialization import to_dict  # noqa: PLC0415

    key = _read_key(args.key_file)
    name, data, procedure, problems = _read_document(args.file, "cloudsms.exit-procedure")
    if problems or not isinstance(procedure, ExitProcedure):
        return _validation_view(name, data, procedure, problems)
    if procedure.lifecycle.keyed != (key is not None):
        wanted = "needs its key (--key-file)" if key is None else "takes no key"
        raise _Refused(f"the trail of exit procedure {procedure.id!r} {wanted}")
    broken = verify(procedure.lifecycle, key=key)
    if broken is not None:
        what = f"trail of exit procedure {procedure.id!r}"
        problem = Problem(
            f"$.lifecycle.history[{broken.index}]", "an entry the chain verifies", broken.problem
        )
        return _problems_view(name, what, [problem])
    if not procedure.is_closed:
        problem = Problem(
            "$.lifecycle.state",
            "a closed exit procedure (its confirmation issued)",
            repr(procedure.state),
        )
        return _problems_view(name, f"exit procedure {procedure.id!r}", [problem])
    if args.check is not None:
        return _exit_check(args.check, name, procedure, key)
    confirmation = ExitConfirmation.of(procedure)
    return _View(
        table=confirmation_markdown(confirmation),
        data=to_dict(confirmation),
        rows=[],
        columns=(),
        fit=False,
    )


def _exit_check(file: str, procedure_name: str, procedure: Any, key: bytes | None) -> _View:  # noqa: ANN401
    """``exit confirmation --check``: a received confirmation against its procedure (S13).

    For an auditor holding both documents: the confirmation is read strictly as a
    ``cloudsms.exit-confirmation`` document and checked with
    `ExitConfirmation.problems` (each evidence the trail's entry at its index, the
    chain holding up to its head, every other field what the procedure gives).
    Status 0 when it matches, 1 with each problem, or with the document's own.
    """
    from cloudsms.procedures.termination import ExitConfirmation  # noqa: PLC0415

    name, data, confirmation, problems = _read_document(file, "cloudsms.exit-confirmation")
    if problems or not isinstance(confirmation, ExitConfirmation):
        return _validation_view(name, data, confirmation, problems)
    found = confirmation.problems(procedure, key=key)
    if found:
        what = f"exit confirmation for {procedure_name} (procedure {procedure.id!r})"
        return _problems_view(name, what, found)
    message = f"{_show(name)} matches {_show(procedure_name)}: exit procedure {procedure.id!r}"
    result = {"valid": True, "file": name, "procedure": procedure.id, "problems": []}
    return _View(table=message, data=result, rows=[], columns=(), fit=False)


def _with_exit(commands: Any) -> None:  # noqa: ANN401 - argparse's private subparsers type
    """The ``exit plan`` and ``exit confirmation`` commands, added to ``commands``."""
    verbs = commands.add_parser(
        "exit", help="terminate an agreement: the exit plan and its written confirmation"
    ).add_subparsers(dest="verb", required=True, metavar="VERB")
    sub: argparse.ArgumentParser = verbs.add_parser(
        "plan",
        help="the effective date, charge and steps of a notice of termination",
        description="Read AGREEMENT.json (a cloudsms.cloud-service-agreement document) and "
        "print what a notice of termination given at the start of --notice-date (in the "
        "agreement's time zone) by --by would set in motion, on the terms in force that "
        "day: the effective date, the end of the minimum term and the early-termination "
        "charge owed, the retrieval and retention windows, and each step of the exit with "
        "its owner and deadline. The provider must give one of the reasons the agreement "
        "lists (--reason). Exit 0, 1 with every problem of an invalid agreement or of a "
        "termination its terms refuse (the reasons it lists named), 2 when the file "
        "cannot be read or an option is not valid (a --reason that is no termination "
        "reason among them).",
    )
    sub.add_argument("agreement", metavar="AGREEMENT.json", help="the agreement's document")
    sub.add_argument(
        "--notice-date",
        type=_notice_date,
        required=True,
        metavar="YYYY-MM-DD",
        help="the day notice is given; it starts at 00:00 in the agreement's time zone",
    )
    sub.add_argument(
        "--by",
        choices=("customer", "provider"),
        default="customer",
        help="the party giving notice (default: customer)",
    )
    sub.add_argument(
        "--reason",
        type=_termination_reason,
        default=None,
        metavar="R",
        help="the reason for terminating: required of the provider, one the agreement lists "
        "(such as misuse or non-payment); optional for the customer",
    )
    sub.add_argument("--format", choices=("table", "json"), default="table", help="output format")
    sub.set_defaults(document_handler=_exit_plan)
    sub = verbs.add_parser(
        "confirmation",
        help="the written confirmation of a closed exit procedure",
        description="Read PROCEDURE.json (a cloudsms.exit-procedure document), check its "
        "trail and print the written confirmation that every exit criterion is met: each "
        "criterion with the trail entries that prove it (event, time, index and hash) and "
        "each category of data kept under a legal hold with its basis and review date, as "
        "Markdown or as a cloudsms.exit-confirmation document (json); with --check, check "
        "a received confirmation against the procedure instead. Exit 0, 1 when a "
        "document is invalid, its trail does not verify, the procedure is not closed or "
        "the checked confirmation does not match it, 2 when a file cannot be read or a "
        "key is missing or not wanted.",
    )
    sub.add_argument("file", metavar="PROCEDURE.json", help="the exit procedure's document")
    sub.add_argument(
        "--key-file",
        metavar="K",
        help="a file holding the raw key of a keyed trail (chain 'hmac-sha256')",
    )
    sub.add_argument(
        "--check",
        metavar="CONFIRMATION.json",
        help="instead of writing the confirmation, check this received one "
        "(a cloudsms.exit-confirmation document) against the procedure: exit 0 when it "
        "matches, 1 with each problem",
    )
    sub.add_argument(
        "--format",
        choices=("markdown", "json"),
        default="markdown",
        help="output format (default: markdown)",
    )
    sub.set_defaults(document_handler=_exit_confirmation)


# ---------------------------------------------------------------------- onboarding and removal
_ONBOARDING_OPTIONS = {
    "$.start": "--start",
    "$.deployment_model": "--deployment-model",
    "$.templates": "--templates",
}
"""The options standing for `plan_onboarding`'s arguments, named in its problems instead."""

_DEPLOYMENT_MODELS = ("public", "private", "community", "hybrid")


def _refusal_view(name: str, head: str, problems: Sequence[Problem], **data: object) -> _View:
    """The problems of a plan its inputs refuse, one a line under ``head`` (status 1)."""
    noun = "problem" if len(problems) == 1 else "problems"
    lines = [f"{_show(name)}: {head}: {len(problems)} {noun}"]
    lines += [f"  {_show(str(p))}" for p in problems]
    rows: list[Row] = [p._asdict() for p in problems]
    return _View(
        table="\n".join(lines),
        data={"refused": True, "file": name, **data, "problems": rows},
        rows=rows,
        columns=_PROBLEM_COLUMNS,
        status=1,
        fit=False,
    )


def _read_value(file: str, kind: type, what: str) -> tuple[str, Any, _View | None]:
    """``file``'s name and the ``kind`` it holds (read strictly), or the view of its problems."""
    from cloudsms.serialization import from_dict  # noqa: PLC0415 - the converter is heavy

    name = Path(file).name or file
    text = _read_file(file)
    try:
        return name, from_dict(kind, strict_json.loads(text, subject=name)), None
    except ValidationError as exc:
        return name, None, _problems_view(name, what, list(exc.problems))


def _onboarding_plan(args: argparse.Namespace) -> _View:
    """``onboarding plan``: the activities of a customer's onboarding by owner, or the refusal.

    An invalid agreement gets ``document validate``'s problems, an invalid catalogue,
    requirements or templates file its problems (status 1); an onboarding `plan_onboarding`
    refuses (an agreement the catalogue contradicts, a deployment model to choose or
    not offered) gets its problems, each at the option it concerns, also status 1.
    """
    from cloudsms.catalogue import Catalogue  # noqa: PLC0415 - loaded only for this command
    from cloudsms.procedures.onboarding import (  # noqa: PLC0415
        load_onboarding_templates,
        plan_onboarding,
    )
    from cloudsms.reports.onboarding import (  # noqa: PLC0415
        onboarding_plan_data,
        onboarding_plan_table,
    )
    from cloudsms.requirements import RequirementRegister  # noqa: PLC0415

    name, agreement, refused = _agreement_of(args)
    if refused is not None:
        return refused
    _, catalogue, refused = _read_value(args.catalogue, Catalogue, "catalogue")
    if refused is not None:
        return refused
    register = None
    if args.requirements is not None:
        _, register, refused = _read_value(
            args.requirements, RequirementRegister, "requirement register"
        )
        if refused is not None:
            return refused
    templates = None
    if args.templates is not None:
        _read_file(args.templates)  # unreadable: bad usage (status 2), as every file here
        try:
            templates = load_onboarding_templates(args.templates)
        except ValidationError as exc:
            where = Path(args.templates).name or args.templates
            return _problems_view(where, "onboarding templates", list(exc.problems))
    try:
        plan = plan_onboarding(
            agreement,
            catalogue,
            start=args.start,
            requirements=register,
            deployment_model=args.deployment_model,
            templates=templates,
        )
    except ValidationError as exc:
        problems = [p._replace(path=_ONBOARDING_OPTIONS.get(p.path, p.path)) for p in exc.problems]
        head = f"agreement {_show(agreement.id)} cannot be onboarded as asked"
        return _refusal_view(name, head, problems, agreement=agreement.id)
    return _View(
        table=onboarding_plan_table(plan),
        data=onboarding_plan_data(plan),
        rows=[],
        columns=(),
        fit=False,
    )


def _with_onboarding(commands: Any) -> None:  # noqa: ANN401 - argparse's private subparsers type
    """The ``onboarding plan`` command, added to ``commands``."""
    verbs = commands.add_parser(
        "onboarding", help="onboard a customer: who does what by when (S08)"
    ).add_subparsers(dest="verb", required=True, metavar="VERB")
    sub: argparse.ArgumentParser = verbs.add_parser(
        "plan",
        help="the onboarding activities of an agreement's customer, by owner, with deadlines",
        description="Read AGREEMENT.json (a cloudsms.cloud-service-agreement document) and "
        "CATALOGUE.json (the catalogue it subscribes to) and print the customer's onboarding "
        "plan from the template of the deployment model: each activity grouped by owner "
        "(provider, customer, both), with its deadline counted from the start of --start "
        "(in the agreement's time zone) and the activities it waits for. With "
        "--requirements, the requirements traced to the agreement are the ones the "
        "verification checks; with --templates, the templates come from that file. Where "
        "the agreement's responsibilities name who does an activity, that party owns it. "
        "Exit 0, 1 with every problem of an invalid agreement, "
        "catalogue, requirements or templates file, or of an onboarding refused (an agreement the "
        "catalogue contradicts, a deployment model to choose or not offered: the choices "
        "named), 2 when a file cannot be read or an option is not valid.",
    )
    sub.add_argument("agreement", metavar="AGREEMENT.json", help="the agreement's document")
    sub.add_argument("catalogue", metavar="CATALOGUE.json", help="the catalogue's JSON")
    sub.add_argument(
        "--start",
        type=_notice_date,
        required=True,
        metavar="YYYY-MM-DD",
        help="the day onboarding starts, at 00:00 in the agreement's time zone",
    )
    sub.add_argument(
        "--deployment-model",
        choices=_DEPLOYMENT_MODELS,
        default=None,
        help="the deployment model to onboard (default: the one every subscribed entry "
        "offers, when there is exactly one)",
    )
    sub.add_argument(
        "--requirements",
        default=None,
        metavar="REQUIREMENTS.json",
        help="a requirement register (JSON with 'requirements'): those traced to the "
        "agreement are verified before delivery",
    )
    sub.add_argument(
        "--templates",
        default=None,
        metavar="TEMPLATES.json",
        help="onboarding templates of your own, in the shape of the file cloudsms ships "
        "(default: the shipped ones)",
    )
    sub.add_argument("--format", choices=("table", "json"), default="table", help="output format")
    sub.set_defaults(document_handler=_onboarding_plan)


def _agreements_in(directory: str) -> tuple[list[Any], int, _View | None]:
    """Every agreement document (``*.json``) of ``directory``, by file name, or their problems.

    Also how many other JSON files were passed over. JSON that does not declare
    itself an agreement document (a catalogue, a pool kept beside the agreements) is
    passed over; a file that is not JSON, an agreement document that is not valid,
    or one whose id another file of the directory uses already, is a problem.
    A directory that cannot be listed is bad usage (`_Unreadable`, status 2); every
    problem of every invalid file is reported, each under its file name (status 1).
    """
    from cloudsms.agreements import AGREEMENT_DOCUMENT, CloudServiceAgreement  # noqa: PLC0415

    folder = Path(directory)
    try:
        files = sorted(p for p in folder.iterdir() if p.suffix == ".json" and p.is_file())
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise _Unreadable(f"cannot read the directory {directory!r}: {reason}") from None
    agreements: list[Any] = []
    problems: list[Problem] = []
    first: dict[str, str] = {}  # each agreement id, with the file that holds it first
    passed_over = 0
    for path in files:
        name, data, agreement, found = _read_document(str(path), AGREEMENT_DOCUMENT)
        declared = data.get("type") if isinstance(data, dict) else None
        if data is not None and declared != AGREEMENT_DOCUMENT:
            passed_over += 1  # JSON of another kind (a catalogue, a pool) kept beside them
            continue
        if found or not isinstance(agreement, CloudServiceAgreement):
            problems += [p._replace(path=f"{name}:{p.path}") for p in found]
        elif agreement.id in first:
            expected = f"an agreement id no other file uses ({first[agreement.id]} holds it)"
            problems.append(Problem(f"{name}:$.id", expected, repr(agreement.id)))
        else:
            first[agreement.id] = name
            agreements.append(agreement)
    if problems:
        return [], passed_over, _problems_view(folder.name or directory, "agreements", problems)
    return agreements, passed_over, None


def _removal_plan(args: argparse.Namespace) -> _View:
    """``removal plan``: the subscribers of a service to retire and the earliest removal date.

    An invalid catalogue or agreement file gets its problems (status 1); a removal
    `plan_removal` refuses (an unknown service, the known ones named) gets its
    problems, also status 1.
    """
    import datetime as dt  # noqa: PLC0415 - loaded only for this command

    from cloudsms.catalogue import Catalogue  # noqa: PLC0415
    from cloudsms.procedures.removal import plan_removal  # noqa: PLC0415
    from cloudsms.reports.removal import removal_plan_data, removal_plan_table  # noqa: PLC0415

    name, catalogue, refused = _read_value(args.catalogue, Catalogue, "catalogue")
    if refused is not None:
        return refused
    agreements, passed_over, refused = _agreements_in(args.agreements)
    if refused is not None:
        return refused
    as_of = args.as_of
    if as_of is None:  # the caller's clock, read here at the edge and shown in the output
        as_of = dt.datetime.now(dt.UTC).date()
    try:
        plan = plan_removal(catalogue, args.service_id, agreements, as_of=as_of)
    except ValidationError as exc:
        options = {"$.service_id": "SERVICE_ID", "$.as_of": "--as-of"}
        problems = [p._replace(path=options.get(p.path, p.path)) for p in exc.problems]
        head = f"the removal of service {_show(args.service_id)} cannot be planned"
        return _refusal_view(name, head, problems, service_id=args.service_id)
    folder = args.agreements
    read = _counted(len(agreements), "agreement document")
    said = f"Read {read} from {folder}"
    if passed_over:
        said += f" ({_counted(passed_over, 'other JSON file')} passed over)"
    warnings = []
    if not agreements:
        warnings.append(
            f"no agreement documents in {folder}: the plan counts no subscriber because "
            "none was read, not because none exists"
        )
    data = {**removal_plan_data(plan), "agreement_files": len(agreements)}
    return _View(
        table=removal_plan_table(plan).rstrip("\n") + f"\n\n{_show(said)}.\n",
        data=data,
        rows=[],
        columns=(),
        fit=False,
        warnings=warnings,
    )


def _counted(count: int, noun: str) -> str:
    """``count`` and ``noun``, plural unless one: "1 agreement document", "0 ... documents"."""
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _with_removal(commands: Any) -> None:  # noqa: ANN401 - argparse's private subparsers type
    """The ``removal plan`` command, added to ``commands``."""
    verbs = commands.add_parser(
        "removal", help="remove a service from the catalogue: subscribers and dates (S15)"
    ).add_subparsers(dest="verb", required=True, metavar="VERB")
    sub: argparse.ArgumentParser = verbs.add_parser(
        "plan",
        help="the subscribers of a service to retire, their notice end dates and the "
        "earliest removal date",
        description="Read CATALOGUE.json and every agreement document in AGREEMENTS_DIR (*.json "
        "files of type cloudsms.cloud-service-agreement; other JSON is passed over) "
        "and print what retiring SERVICE_ID with notices sent at the start of --as-of "
        "(in each agreement's time zone) sets in motion: each agreement not ended "
        "then (in force, or starting later) that subscribes to an entry of the "
        "service, how and when its subscription can end (by notice, at the "
        "agreement's end, or only with the customer's consent or a transfer: a "
        "blocker; never before the agreement starts), and the earliest removal date, "
        "the latest of those ends. Designed by cloudsms: the TR's guidance for this "
        "scenario is not in our source. The last line says how many agreement "
        "documents were read; none read is warned of on standard error. Exit 0, 1 "
        "with every problem of an invalid catalogue or agreement (each under its file "
        "name; two files holding one agreement id) or of a removal refused (an "
        "unknown service: the known ones named), 2 when a file or the directory "
        "cannot be read or an option is not valid.",
    )
    sub.add_argument("catalogue", metavar="CATALOGUE.json", help="the catalogue's JSON")
    sub.add_argument("service_id", metavar="SERVICE_ID", help="the service to retire")
    sub.add_argument(
        "agreements", metavar="AGREEMENTS_DIR", help="a directory of agreement documents"
    )
    sub.add_argument(
        "--as-of",
        type=_notice_date,
        default=None,
        metavar="YYYY-MM-DD",
        help="the day the notices go out, at 00:00 in each agreement's time zone "
        "(default: today in UTC)",
    )
    sub.add_argument("--format", choices=("table", "json"), default="table", help="output format")
    sub.set_defaults(document_handler=_removal_plan)


# ---------------------------------------------------------------------- evidence, S12
def _evidence_as_of(text: str) -> Any:  # noqa: ANN401 - a date or an aware datetime
    """``--as-of`` of ``evidence assess``: a date ``YYYY-MM-DD`` or an instant with its offset.

    Whatever is wrong with the text (a 13th month, no offset, a year out of range),
    the message names both forms the option takes, as the other options' messages do.
    """
    try:
        return _notice_date(text) if _DATE_TEXT.fullmatch(text) else _as_of(text)
    except argparse.ArgumentTypeError:
        first, last = _YEARS
        message = (
            f"expected a date such as 2026-12-31 (from {first}-01-01 to {last}-12-31) or an "
            f"instant with its offset such as 2026-12-31T00:00:00+01:00, got {text!r}"
        )
        raise argparse.ArgumentTypeError(message) from None


def _scope(text: str) -> tuple[str, ...]:
    """``--scope``: scenario ids separated by commas (``S07,S11``; ``S7``, ``5.7`` too).

    Each is read as `cloudsms.reference.scenario` reads it and given back canonical; an
    unknown one is bad usage, its close matches named.
    """
    refs = shipped()
    found: list[str] = []
    for part in text.split(","):
        wanted = part.strip()
        try:
            found.append(refs.scenario(wanted).id)
        except UnknownReference as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
    return tuple(dict.fromkeys(found))


def _evidence_assess(args: argparse.Namespace) -> _View:
    """``evidence assess``: an evidence register assessed at an instant (S12).

    The reference read is the shipped one with each ``--overlay`` applied in order
    (as the reference commands read it: a rejected overlay is status 2); the edition
    assessed is ``--edition``, else the register's own. An edition the reference
    does not hold is status 2 when given as ``--edition`` (an unknown identifier, as
    for ``cloudsms clauses``) and status 1 when it is the register's (its problem).
    An invalid register gets its problems (status 1); an assessment `assess`
    refuses gets its problems at the option they concern (status 1). Gaps are what
    the command reports: status 0 whatever they are.
    """
    from cloudsms.conformity import EvidenceRegister, assess  # noqa: PLC0415 - only here
    from cloudsms.reports.conformity import (  # noqa: PLC0415
        ASSESSMENT_COLUMNS,
        assessment_data,
        assessment_rows,
        assessment_table,
    )

    refs = shipped()
    for path in args.overlay:
        refs = refs.overlay(path)
    if args.edition is not None:
        refs.clauses(edition=args.edition)  # an unknown edition: UnknownReference, status 2
    name, register, refused = _read_value(args.register, EvidenceRegister, "evidence register")
    if refused is not None:
        return refused
    edition = register.edition if args.edition is None else args.edition
    try:
        assessment = assess(
            register, args.scope, as_of=args.as_of, edition=edition, reference=refs
        )
    except ValidationError as exc:
        options = {"$.as_of": "--as-of", "$.scope": "--scope", "$.edition": "--edition"}
        problems = [
            p._replace(path=options.get(p.path.partition("[")[0], p.path)) for p in exc.problems
        ]
        return _refusal_view(name, "the register cannot be assessed", problems)
    return _View(
        table=assessment_table(assessment),
        data=assessment_data(assessment),
        rows=list(assessment_rows(assessment)),
        columns=ASSESSMENT_COLUMNS,
        fit=False,
    )


def _with_evidence(commands: Any) -> None:  # noqa: ANN401 - argparse's private subparsers type
    """The ``evidence assess`` command, added to ``commands``."""
    verbs = commands.add_parser(
        "evidence", help="assess a provider's evidence against the scenarios' clauses (S12)"
    ).add_subparsers(dest="verb", required=True, metavar="VERB")
    sub: argparse.ArgumentParser = verbs.add_parser(
        "assess",
        help="which cited clauses the evidence covers, what is stale or missing, and who "
        "owns each gap",
        description="Read REGISTER.json, a cloudsms.evidence-register document, and "
        "assess it at --as-of against every clause the scenarios in --scope cite (a "
        "citation of a whole clause brings its sub-clauses in): covered (by evidence "
        "for the clause or a parent), stale (its evidence expired) or missing; the "
        "scenarios whose citations are unknown are reported as such, never as "
        "covered. Prints the summary per scenario, the gap report (worst first, each "
        "gap with its owner and severity), the processes in scope and the open "
        "findings. Exit 0 whatever the gaps, 1 with every problem of an invalid "
        "register, 2 when the file cannot be read or an option is not valid.",
    )
    sub.add_argument("register", metavar="REGISTER.json", help="the evidence register's JSON")
    sub.add_argument(
        "--as-of",
        type=_evidence_as_of,
        required=True,
        metavar="D",
        help="a date (its start in the register's time zone) or an instant with its offset",
    )
    sub.add_argument(
        "--scope",
        type=_scope,
        default=None,
        metavar="S07,S11",
        help="the scenarios to assess, separated by commas (default: all 15)",
    )
    sub.add_argument(
        "--edition",
        default=None,
        metavar="EDITION",
        help="the edition assessed, such as 20000-1:2011 (default: the register's own); "
        "another than the shipped one needs an --overlay holding its clauses and citations",
    )
    sub.add_argument(
        "--overlay",
        action="append",
        default=[],
        metavar="FILE",
        help="a reference overlay JSON file read before assessing (citations for S14, "
        "another edition's clauses); repeat to apply several in order",
    )
    sub.add_argument(
        "--format",
        choices=("table", "json", "csv"),
        default="table",
        help="output format (default: table); csv has one row per clause row",
    )
    sub.set_defaults(document_handler=_evidence_assess)


# ---------------------------------------------------------------------- parser
def _month_command(
    commands: Any,  # noqa: ANN401 - argparse's private subparsers type
    noun: tuple[str, str],
    verb: tuple[str, str],
    *,
    description: str,
    second: tuple[str, str, str],
    period_help: str,
    formats: tuple[str, ...],
    handler: Callable[[argparse.Namespace], _View],
) -> argparse.ArgumentParser:
    """The command ``NOUN VERB AGREEMENT.json SECOND --period YYYY-MM [--format ...]``.

    ``noun`` and ``verb`` are each a name and its help; ``second`` is the second
    positional argument's destination, metavar and help; ``formats`` the choices of
    ``--format``, the first by default. The handler runs with the arguments, which
    carry ``usage_error`` (the command's own argparse error, status 2) for a month
    the agreement's zone cannot hold (`_period_of`). The caller adds its own
    options.
    """
    name, summary = noun
    verbs = commands.add_parser(name, help=summary).add_subparsers(
        dest="verb", required=True, metavar="VERB"
    )
    name, summary = verb
    sub: argparse.ArgumentParser = verbs.add_parser(name, help=summary, description=description)
    sub.add_argument("agreement", metavar="AGREEMENT.json", help="the agreement's document")
    dest, metavar, text = second
    sub.add_argument(dest, metavar=metavar, help=text)
    sub.add_argument("--period", type=_month, required=True, metavar="YYYY-MM", help=period_help)
    sub.add_argument(
        "--format",
        choices=formats,
        default=formats[0],
        help=f"output format (default: {formats[0]})",
    )
    sub.set_defaults(document_handler=handler, usage_error=sub.error)
    return sub


def _with_sla(commands: Any) -> None:  # noqa: ANN401 - argparse's private subparsers type
    """The ``sla report`` command, added to ``commands``."""
    sub = _month_command(
        commands,
        ("sla", "service levels judged against the agreement"),
        ("report", "a customer's service report for a month, from monitoring data"),
        description="Read AGREEMENT.json (a cloudsms.cloud-service-agreement document) and "
        "the monitoring data in DATA_DIR (outages.csv, maintenance.csv, measurements.csv "
        "and events.csv, each optional, but some row needed without --records), and with "
        "--records the incidents and service requests of RECORDS.json (the file incident "
        "list reads), judge every target of the agreement over the month PERIOD (in the "
        "agreement's time zone) and print the customer's service report: each target's "
        "figure, verdict, margin and credit with the evidence behind it. Exit 0 (breaches "
        "included), 1 with every problem of an invalid agreement, data or records file or "
        "when DATA_DIR holds no data and no --records is given, 2 when a file or DATA_DIR "
        "cannot be read.",
        second=("data", "DATA_DIR", "the directory of monitoring CSV files"),
        period_help="the month to report",
        formats=("markdown", "json"),
        handler=_sla_report,
    )
    sub.add_argument(
        "--as-of",
        type=_as_of,
        default=None,
        metavar="INSTANT",
        help="read the records as of this RFC 3339 instant (default: the end of the month)",
    )
    sub.add_argument(
        "--records",
        default=None,
        metavar="RECORDS.json",
        help="the incidents and service requests kept under the agreement, as incident "
        "list reads them (default: none)",
    )


def _with_incident(commands: Any) -> None:  # noqa: ANN401 - argparse's private subparsers type
    """The ``incident list`` command, added to ``commands``."""
    _month_command(
        commands,
        ("incident", "incidents and their times against the targets"),
        ("list", "incidents opened in a month with their response and resolution times"),
        description="Read AGREEMENT.json (a cloudsms.cloud-service-agreement document) and "
        "RECORDS.json (an object whose keys incidents, requests, problems, changes and "
        "releases each list documents of that kind) and list every incident opened in the "
        "month PERIOD (in the agreement's time zone) with its response and resolution times "
        "on the agreement's clocks and whether each met its target. Exit 0, 1 with every "
        "problem of an invalid agreement or records file, 2 when a file cannot be read.",
        second=("records", "RECORDS.json", "the records kept under it"),
        period_help="the month to list",
        formats=("table", "json", "csv"),
        handler=_incident_list,
    )


def _with_cost(commands: Any) -> None:  # noqa: ANN401 - argparse's private subparsers type
    """The ``cost profile`` command, added to ``commands``."""
    sub = _month_command(
        commands,
        ("cost", "what the resources held and used cost"),
        ("profile", "the cost profile of an agreement's resources over a month"),
        description="Read AGREEMENT.json (a cloudsms.cloud-service-agreement document), "
        "the allocations in ALLOCATIONS.csv (customer,agreement,service,resource_type,"
        "quantity,unit,from,until and optionally resource_id,cost_centre,location) and, "
        "with --usage, the usage in USAGE.csv, price them with the rate card of --rates "
        "or the prices of the catalogue of --catalogue over the month PERIOD (in the "
        "agreement's time zone), and print every line with its exact amount and the "
        "total, rounded once, half to even, to the currency's minor unit, with a note "
        "of the rows left out (of other agreements, or outside the agreement's term; on "
        "standard error with json and csv). Exit 0, 1 "
        "with every problem of an invalid file (a CSV cell at file:line:column; nothing "
        "is priced from a half-read file; a rate card's problems all at once, under its "
        "name) or of a row the rates cannot price, 2 when a file cannot be read or "
        "PERIOD is not a month such as 2026-10.",
        second=("allocations", "ALLOCATIONS.csv", "the allocations held, as CSV"),
        period_help="the month to price",
        formats=("table", "json", "csv"),
        handler=_cost_profile,
    )
    prices = sub.add_mutually_exclusive_group(required=True)
    prices.add_argument(
        "--rates",
        metavar="RATES.json",
        help="a rate card document (cloudsms.rate-card)",
    )
    prices.add_argument(
        "--catalogue",
        metavar="CATALOGUE.json",
        help="the catalogue the agreement subscribes to: its resource upgrades' prices "
        "and the agreement's commitments make the rate card",
    )
    sub.add_argument(
        "--usage",
        default=None,
        metavar="USAGE.csv",
        help="the usage recorded, as CSV (customer,agreement,service,resource_type,"
        "quantity,unit,start,end; default: none)",
    )
    sub.add_argument(
        "--focus",
        default=None,
        metavar="FOCUS.csv",
        help="also write the profile's lines as FinOps FOCUS 1.0 rows to FOCUS.csv (every "
        "FOCUS column, then the x_ columns cloudsms reads back; see docs/focus.md)",
    )


def _with_month_commands(
    parser: argparse.ArgumentParser,
    commands: Any,  # noqa: ANN401 - argparse's private subparsers type
) -> argparse.ArgumentParser:
    """``parser`` with the commands over record files added to its ``commands``.

    Those over a month of an agreement, ``capacity show`` over a pool's allocations, and
    ``exit plan`` and ``exit confirmation`` over an agreement and an exit procedure.
    """
    for add in (
        _with_incident,
        _with_sla,
        _with_cost,
        _with_capacity,
        _with_exit,
        _with_onboarding,
        _with_removal,
        _with_evidence,
    ):
        add(commands)
    return parser


def _parser() -> argparse.ArgumentParser:
    from cloudsms import __version__  # noqa: PLC0415 - the facade is light; avoid a cycle

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--format",
        choices=("table", "json", "csv"),
        default="table",
        help="output format (default: table)",
    )
    common.add_argument(
        "--overlay",
        action="append",
        default=[],
        metavar="FILE",
        help="a reference overlay JSON file; repeat to apply several in order",
    )
    parser = argparse.ArgumentParser(
        prog="cloudsms",
        description="Query ISO/IEC TR 20000-9:2015 scenarios and the ISO/IEC 20000-1:2011 "
        "clauses they cite.",
    )
    parser.add_argument("--version", action="version", version=f"cloudsms {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub = commands.add_parser("scenarios", parents=[common], help="list the 15 scenarios")
    sub.set_defaults(handler=_scenarios)
    sub = commands.add_parser("scenario", parents=[common], help="one scenario and its citations")
    sub.add_argument("id", help="S07, S7, S010 or the section 5.7")
    sub.set_defaults(handler=_scenario)
    sub = commands.add_parser(
        "clause", parents=[common], help="one clause and the scenarios covering it"
    )
    sub.add_argument("number", help="a clause number such as 6.1")
    sub.add_argument("--edition", default=DEFAULT_EDITION)
    sub.set_defaults(handler=_clause)
    sub = commands.add_parser("matrix", parents=[common], help="which clauses each scenario cites")
    sub.add_argument("--edition", default=DEFAULT_EDITION)
    sub.set_defaults(handler=_matrix)
    sub = commands.add_parser(
        "coverage", parents=[common], help="each process with the scenarios covering it"
    )
    sub.add_argument("--edition", default=DEFAULT_EDITION)
    sub.set_defaults(handler=_coverage)
    noun = commands.add_parser("document", help="check cloudsms documents")
    verbs = noun.add_subparsers(dest="verb", required=True, metavar="VERB")
    sub = verbs.add_parser(
        "validate",
        help="check a document by its declared type and schema version",
        description="Read FILE, a cloudsms document, by the type and schema version it "
        "declares. Exit 0 when it is valid, 1 with every problem when it is not, 2 when "
        "FILE cannot be read.",
    )
    sub.add_argument("file", metavar="FILE", help="the JSON document to check")
    sub.add_argument(
        "--format",
        choices=("table", "json", "csv"),
        default="table",
        help="output format (default: table); csv lists the problems",
    )
    sub.set_defaults(document_handler=_validate)
    noun = commands.add_parser("agreement", help="read cloud service agreements")
    verbs = noun.add_subparsers(dest="verb", required=True, metavar="VERB")
    sub = verbs.add_parser(
        "show",
        help="an agreement's parties, services, targets, credits and terms",
        description="Read FILE, a cloudsms.cloud-service-agreement document, strictly and "
        "print its parties, period, services, SLA targets, credits, charges, termination "
        "and exit terms. Exit 0 when it is valid, 1 with every problem when it is not, 2 "
        "when FILE cannot be read.",
    )
    sub.add_argument("file", metavar="FILE", help="the agreement's JSON document")
    sub.add_argument(
        "--format",
        choices=("table", "json"),
        default="table",
        help="output format (default: table)",
    )
    sub.set_defaults(document_handler=_show_agreement)
    noun = commands.add_parser("audit", help="check the audit trails of lifecycle instances")
    verbs = noun.add_subparsers(dest="verb", required=True, metavar="VERB")
    sub = verbs.add_parser(
        "verify",
        help="check every lifecycle instance's hash chain in a document",
        description="Find every lifecycle instance in DOCUMENT (a cloudsms document or a "
        "bare instance) and recompute its hash chain. Exit 0 printing each instance's head "
        "hash, 1 naming the first bad entry (or the problems of a document that does not "
        "load), 2 when DOCUMENT or the key file cannot be read or DOCUMENT holds no "
        "instance.",
    )
    sub.add_argument("file", metavar="DOCUMENT", help="the JSON document to check")
    sub.add_argument(
        "--expected-head",
        metavar="HEX",
        help="a head stored earlier (64 hex digits) that the trail must reach; only this "
        "detects entries removed from the end",
    )
    sub.add_argument(
        "--key-file",
        metavar="K",
        help="a file holding the raw key of a keyed trail (chain 'hmac-sha256')",
    )
    sub.add_argument("--format", choices=("table", "json"), default="table", help="output format")
    sub.set_defaults(document_handler=_audit_verify)
    noun = commands.add_parser("lifecycle", help="the lifecycles cloudsms knows")
    verbs = noun.add_subparsers(dest="verb", required=True, metavar="VERB")
    sub = verbs.add_parser(
        "list",
        help="every registered lifecycle with its states and events",
        description="List every registered lifecycle: its number of states, its initial "
        "state and its events.",
    )
    sub.add_argument("--format", choices=("table", "json"), default="table", help="output format")
    sub.set_defaults(document_handler=_lifecycle_list)
    sub = verbs.add_parser(
        "diagram",
        help="a lifecycle as a Mermaid state diagram",
        description="Print the registered lifecycle NAME as a Mermaid state diagram.",
    )
    sub.add_argument("name", metavar="NAME", help="a name from 'cloudsms lifecycle list'")
    sub.set_defaults(document_handler=_lifecycle_diagram, format="table")
    return _with_month_commands(parser, commands)


_OUTPUT_FAILED = 1  # the command worked; writing its output did not


def _fail(lines: Sequence[str], status: int = 2) -> int:
    """Say ``lines`` on standard error, each after ``cloudsms: ``; give ``status``."""
    if sys.stderr is None:  # nowhere to say it: the status alone tells
        return status
    encoding = getattr(sys.stderr, "encoding", None)
    try:
        for line in lines:  # a line break inside a problem is escaped: one problem a line
            sys.stderr.write(f"cloudsms: {printable(escape_text(line), encoding)}\n")
        sys.stderr.flush()
    except (OSError, ValueError):  # standard error is full, closed or gone
        pass
    return status


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``cloudsms`` command with ``argv`` (default: the process's arguments).

    Returns the exit status: 0 on success, 1 when a document checked is invalid or
    the output cannot be written (a full disk, a closed standard output), 2 for
    unknown identifiers, rejected overlays, a file that cannot be read and bad usage
    (argparse exits with 2 itself). Whatever cloudsms
    refuses is reported as its problems, never as a traceback.
    """
    args = _parser().parse_args(argv)
    try:
        if args.command in (
            "document",
            "agreement",
            "audit",
            "lifecycle",
            "incident",
            "sla",
            "cost",
            "capacity",
            "exit",
            "onboarding",
            "removal",
            "evidence",
        ):
            view = args.document_handler(args)
        else:
            handler: Callable[[ReferenceSet, argparse.Namespace], _View] = args.handler
            refs = shipped()
            for path in args.overlay:
                refs = refs.overlay(path)
            view = handler(refs, args)
    except (_Unreadable, _Refused) as exc:
        return _fail([str(exc)])
    except ValidationError as exc:
        return _fail([f"{exc.subject} is rejected:", *exc.errors])
    except CloudSMSError as exc:  # an unknown identifier, or anything else refused
        return _fail(str(exc).split("\n"))
    return _write(view, args.format)


def _write(view: _View, fmt: str) -> int:
    """Write ``view`` as ``fmt`` to standard output; its status, or 1 if it cannot be written."""
    if sys.stdout is None:
        return _fail(["cannot write the output: standard output is closed"], _OUTPUT_FAILED)
    try:
        sys.stdout.write(view.render(fmt, getattr(sys.stdout, "encoding", None)))
        sys.stdout.flush()
    except BrokenPipeError:  # pragma: no cover - depends on the reader closing early
        sys.stderr.close()
    except (OSError, ValueError) as exc:  # a full disk, a closed file
        reason = getattr(exc, "strerror", None) or "the stream is closed"
        return _fail([f"cannot write the output: {reason}"], _OUTPUT_FAILED)
    said = [f"warning: {warning}" for warning in view.warnings]
    if fmt != "table":
        said += [f"note: {note}" for note in view.notes]
    if said:
        return _fail(said, view.status)
    return view.status


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
