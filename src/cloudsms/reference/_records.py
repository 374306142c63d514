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
    "Phase",
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
