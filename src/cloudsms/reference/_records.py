"""The records of the reference data: clauses, scenarios, citations and what a query derives.

They are frozen attrs values built by `cloudsms.reference.ReferenceSet` from
validated data; their JSON keys are their attribute names. Each checks itself when
built, against the same definitions of the shipped JSON Schema that overlays are
checked against (one description, so ``Clause(title="")`` and an overlay clause
with an empty title are refused alike), and raises a `ValidationError` naming the
class and listing every problem with its path.
"""

from __future__ import annotations

import enum
from typing import Any

import attrs

from cloudsms.errors import Problem, ValidationError, describe
from cloudsms.reference._schema import check, schema

__all__ = [
    "DEFAULT_EDITION",
    "Citation",
    "Clause",
    "Coverage",
    "CoverageCell",
    "CoverageKind",
    "Phase",
    "ProcessCoverage",
    "ProcessGroup",
    "Provenance",
    "Scenario",
]

DEFAULT_EDITION = "20000-1:2011"
"""The edition of ISO/IEC 20000-1 the TR's scenarios cite, and the default of every query."""


def _validate(record: attrs.AttrsInstance, nodes: dict[str, Any]) -> None:
    """Check each field of ``record`` against its schema node; raise one error listing all.

    A node is a schema definition (a mapping), or a class the value must be an
    instance of (a nested record, an enum), or a ``(class, None)`` pair where
    ``None`` is allowed too. A tuple field's node describes its items.
    """
    problems: list[Problem] = []
    for field in attrs.fields(type(record)):
        name = field.name
        value = getattr(record, name)
        path = f"$.{name}"
        node = nodes[name]
        if isinstance(node, tuple):
            kind, _ = node
            if value is not None and not isinstance(value, kind):
                problems.append(Problem(path, f"a {kind.__name__} or None", describe(value)))
        elif isinstance(node, type):
            if not isinstance(value, node):
                problems.append(Problem(path, f"a {node.__name__}", describe(value)))
        elif name in _TUPLES:
            if not isinstance(value, tuple):
                problems.append(Problem(path, "a tuple", describe(value)))
            else:
                for index, item in enumerate(value):
                    problems.extend(check(item, f"{path}[{index}]", node))
        else:
            problems.extend(check(value, path, node))
    if problems:
        raise ValidationError(problems, subject=type(record).__name__)


_TUPLES = frozenset({"children", "outcomes", "implemented_by"})


def _nodes(definition: str, **special: Any) -> dict[str, Any]:  # noqa: ANN401
    """The schema nodes of a definition's properties, with ``special`` ones replacing some."""
    defs = schema()["$defs"]
    properties = defs[definition]["properties"]
    return {**properties, **special}


def _def(name: str) -> dict[str, Any]:
    return schema()["$defs"][name]  # type: ignore[no-any-return]


class Phase(enum.StrEnum):
    """Where a scenario sits in a cloud service's life, from planning to exit."""

    PLAN = "plan"
    DESIGN = "design"
    AGREE = "agree"
    ONBOARD = "onboard"
    OPERATE = "operate"
    IMPROVE = "improve"
    EXIT = "exit"


class ProcessGroup(enum.StrEnum):
    """The process groups of ISO/IEC 20000-1:2011, clauses 5 to 9."""

    DESIGN_AND_TRANSITION = "design and transition"
    SERVICE_DELIVERY = "service delivery"
    RELATIONSHIP = "relationship"
    RESOLUTION = "resolution"
    CONTROL = "control"


@attrs.frozen(kw_only=True)
class Provenance:
    """Where a record comes from: document, edition and section, plus who supplied it.

    ``origin`` is ``"cloudsms"`` for the shipped data and the overlay's ``origin``
    (or ``"overlay"``) for a user's records; ``note`` says anything a reviewer
    should know about the record's reliability.
    """

    document: str
    edition: str | None = None
    section: str | None = None
    note: str | None = None
    origin: str = "cloudsms"

    def __attrs_post_init__(self) -> None:
        _validate(self, _nodes("provenance"))


@attrs.frozen(kw_only=True)
class Clause:
    """A numbered clause of an edition of ISO/IEC 20000-1, such as ``6.1`` of ``20000-1:2011``.

    ``children`` holds the numbers of its direct sub-clauses in numeric order;
    ``process_group`` is set for clauses 5-9; ``is_process`` marks the 14 clauses
    that are processes of the 2011 edition (5, 6.1-6.6, 7.1-7.2, 8.1-8.2, 9.1-9.3).
    """

    edition: str
    number: str
    title: str
    parent: str | None
    children: tuple[str, ...] = ()
    process_group: ProcessGroup | None = None
    is_process: bool = False
    provenance: Provenance

    def __attrs_post_init__(self) -> None:
        _validate(
            self,
            _nodes(
                "clause",
                children=_def("clause_number"),
                process_group=(ProcessGroup, None),
                provenance=Provenance,
            ),
        )
        parent = self.number.rpartition(".")[0] or None
        if self.parent != parent:
            expected = repr(parent) if parent else "None (a top-level clause has no parent)"
            raise ValidationError.single(
                "$.parent",
                f"{expected}, the number without its last part",
                describe(self.parent),
                subject="Clause",
            )

    @property
    def key(self) -> tuple[str, str]:
        """The identity of a clause: ``(edition, number)``."""
        return (self.edition, self.number)

    @property
    def depth(self) -> int:
        """How deep the clause sits: 1 for ``6``, 2 for ``6.1``, 3 for ``6.3.1``."""
        return self.number.count(".") + 1

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


@attrs.frozen(kw_only=True)
class Scenario:
    """One of the TR's scenarios (S01-S15) with our own summary of it.

    ``citations_known`` is false where the source gives no clause list (S14 and
    S15 in the shipped data); ``designed_by_cloudsms`` is true where the source
    gives the scenario's title only, so what cloudsms implements for it is the
    project's own design rather than the TR's guidance (S14 and S15 in the shipped
    data); ``implemented_by`` names, as dotted paths, the public cloudsms objects
    that let a user carry the scenario out.
    """

    id: str
    section: str
    title: str
    phase: Phase
    summary: str = ""
    outcomes: tuple[str, ...] = ()
    citations_known: bool = True
    designed_by_cloudsms: bool = False
    implemented_by: tuple[str, ...] = ()
    provenance: Provenance

    def __attrs_post_init__(self) -> None:
        nodes = _nodes("scenario", phase=Phase, provenance=Provenance)
        nodes["outcomes"] = nodes["outcomes"]["items"]
        nodes["implemented_by"] = nodes["implemented_by"]["items"]
        _validate(self, nodes)

    @property
    def number(self) -> int:
        """The scenario's number: 7 for ``S07``."""
        return int(self.id[1:])

    def __str__(self) -> str:
        return f"{self.id} {self.title}"


@attrs.frozen(kw_only=True)
class Citation:
    """A scenario's citation of a clause, at its position in the source's list.

    ``cited_as`` keeps the title text the source used where it differs from the
    clause's own title (``None`` where it is the same).
    """

    scenario_id: str
    edition: str
    clause_number: str
    position: int
    cited_as: str | None = None
    provenance: Provenance

    def __attrs_post_init__(self) -> None:
        _validate(self, _nodes("citation", provenance=Provenance))


@attrs.frozen(kw_only=True)
class Coverage:
    """How a scenario covers a clause: ``via`` the cited clause, the clause itself or an ancestor.

    A citation of a whole clause covers every sub-clause; ``direct`` is true when
    the scenario cites the clause asked about itself.
    """

    scenario_id: str
    clause_number: str
    via: str
    direct: bool

    def __attrs_post_init__(self) -> None:
        number = _def("clause_number")
        _validate(
            self,
            {
                "scenario_id": _def("scenario_id"),
                "clause_number": number,
                "via": number,
                "direct": {"type": "boolean"},
            },
        )


class CoverageKind(enum.StrEnum):
    """How a scenario covers a clause in the coverage matrix (S01-S15, as the TR cites them).

    ``direct``: the scenario cites the clause itself; ``inherited``: it cites an
    ancestor, so the clause is covered from above; ``none``: the scenario's
    citations are known and reach neither the clause nor any ancestor of it;
    ``unknown``: the source lists no clauses for the scenario (S14 and S15 in the
    shipped data), which must never be read as ``none``.
    """

    DIRECT = "direct"
    INHERITED = "inherited"
    NONE = "none"
    UNKNOWN = "unknown"


_KINDS_WITH_VIA = frozenset({CoverageKind.DIRECT, CoverageKind.INHERITED})


@attrs.frozen(kw_only=True)
class CoverageCell:
    """One cell of the clause-by-scenario coverage matrix (issue 20, S12's review of coverage).

    ``via`` is the cited clause that covers ``clause_number``: the clause itself for a
    ``direct`` cell, the nearest ancestor the scenario cites for an ``inherited`` one,
    and ``None`` for ``none`` and ``unknown`` cells.
    """

    edition: str
    clause_number: str
    scenario_id: str
    kind: CoverageKind
    via: str | None = None

    def __attrs_post_init__(self) -> None:
        number = _def("clause_number")
        _validate(
            self,
            {
                "edition": _def("edition"),
                "clause_number": number,
                "scenario_id": _def("scenario_id"),
                "kind": CoverageKind,
                "via": (str, None),
            },
        )
        problems: list[Problem] = []
        if self.via is not None:
            problems.extend(check(self.via, "$.via", number))
        if self.kind in _KINDS_WITH_VIA:
            if self.via is None:
                problems.append(
                    Problem("$.via", f"the covering clause of a {self.kind.value} cell", "None")
                )
            elif self.kind is CoverageKind.DIRECT and self.via != self.clause_number:
                problems.append(
                    Problem(
                        "$.via",
                        f"{self.clause_number!r}, the clause itself (a direct cell)",
                        describe(self.via),
                    )
                )
            elif self.kind is CoverageKind.INHERITED and not self.clause_number.startswith(
                f"{self.via}."
            ):
                problems.append(
                    Problem(
                        "$.via",
                        f"an ancestor of {self.clause_number!r} (an inherited cell)",
                        describe(self.via),
                    )
                )
        elif self.via is not None:
            problems.append(
                Problem("$.via", f"None for a {self.kind.value} cell", describe(self.via))
            )
        if problems:
            raise ValidationError(problems, subject="CoverageCell")

    @classmethod
    def _trusted(
        cls,
        edition: str,
        clause_number: str,
        scenario_id: str,
        kind: CoverageKind,
        via: str | None,
    ) -> CoverageCell:
        """A cell from a `ReferenceSet`'s own checked records, built without checking again.

        The set derives every cell from clauses, scenarios and citations it has already
        checked, so the 795 cells of a matrix skip the per-field schema walk.
        """
        cell = object.__new__(cls)
        set_field = object.__setattr__
        set_field(cell, "edition", edition)
        set_field(cell, "clause_number", clause_number)
        set_field(cell, "scenario_id", scenario_id)
        set_field(cell, "kind", kind)
        set_field(cell, "via", via)
        return cell

    @property
    def covered(self) -> bool:
        """Whether the scenario covers the clause, directly or through an ancestor."""
        return self.kind in _KINDS_WITH_VIA


@attrs.frozen(kw_only=True)
class ProcessCoverage:
    """Which scenarios cover one process of an edition (issue 20; S12 reviews the processes).

    ``direct`` holds the ids of the scenarios that cite the process clause itself;
    ``inherited`` every coverage through a cited ancestor (its ``via``), most
    specific first within a scenario, a scenario that also cites the clause directly
    included; ``unknown`` the scenarios whose citations the source does not list.
    """

    clause: Clause
    direct: tuple[str, ...] = ()
    inherited: tuple[Coverage, ...] = ()
    unknown: tuple[str, ...] = ()

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.clause, Clause):
            raise ValidationError.single(
                "$.clause", "a Clause", describe(self.clause), subject="ProcessCoverage"
            )
        problems: list[Problem] = []
        if not self.clause.is_process:
            problems.append(
                Problem("$.clause", "a clause that is a process", f"clause {self.clause.number}")
            )
        problems.extend(_scenario_ids(self.direct, "$.direct"))
        problems.extend(_scenario_ids(self.unknown, "$.unknown"))
        problems.extend(_inherited(self.inherited, self.clause.number))
        if problems:
            raise ValidationError(problems, subject="ProcessCoverage")

    @property
    def covered(self) -> bool:
        """Whether any scenario covers the process, directly or through an ancestor."""
        return bool(self.direct or self.inherited)

    @property
    def scenario_ids(self) -> tuple[str, ...]:
        """The scenarios covering the process, directly or inherited, in scenario order."""
        ids = set(self.direct) | {c.scenario_id for c in self.inherited}
        return tuple(sorted(ids, key=lambda s: int(s[1:])))

    @property
    def entries(self) -> tuple[Coverage, ...]:
        """Every coverage of the process as `coverage_of` gives it: by scenario, direct first."""
        number = self.clause.number
        by_scenario: dict[str, list[Coverage]] = {
            sid: [Coverage(scenario_id=sid, clause_number=number, via=number, direct=True)]
            for sid in self.direct
        }
        for c in self.inherited:
            by_scenario.setdefault(c.scenario_id, []).append(c)
        return tuple(c for sid in self.scenario_ids for c in by_scenario[sid])


def _scenario_ids(value: object, path: str) -> list[Problem]:
    """The problems of a field that must be a tuple of scenario ids."""
    if not isinstance(value, tuple):
        return [Problem(path, "a tuple of scenario ids", describe(value))]
    sid = _def("scenario_id")
    return [p for index, item in enumerate(value) for p in check(item, f"{path}[{index}]", sid)]


def _inherited(value: object, number: str) -> list[Problem]:
    """The problems of a process's inherited coverage: each of ``number``, through an ancestor."""
    if not isinstance(value, tuple):
        return [Problem("$.inherited", "a tuple of Coverage", describe(value))]
    problems = []
    for index, item in enumerate(value):
        path = f"$.inherited[{index}]"
        if not isinstance(item, Coverage):
            problems.append(Problem(path, "a Coverage", describe(item)))
        elif item.direct or item.clause_number != number:
            how = "direct " if item.direct else ""
            problems.append(
                Problem(
                    path,
                    f"coverage of {number} through an ancestor",
                    f"{how}coverage of {item.clause_number}",
                )
            )
    return problems
