"""Cloud services, their components, and the dependencies between them.

Serves S03 (the catalogue needs the dependencies between services and service
components, technical and non-technical) and S05 (a new service's components, which
components support more than one service, and the service lifecycle with its design
checks); ISO/IEC 20000-1:2011 5.3, 5.4, 6.1, 6.3, 6.5, 6.6 and 9.1. The seven
service categories are those of ISO/IEC 17788.

`ServiceGraph` holds services, components and the dependencies between them. It is
acyclic by construction — a dependency that would close a cycle is refused with the
cycle named — and answers what depends on what, and which services a failing
component affects. `SERVICE_LIFECYCLE` takes a service from planned to retired, and
refuses to call it designed until a `DesignReview` passes every design check; each
`CloudService` holds its own instance of it, moved by `cloudsms.lifecycle.advance`.
"""

from __future__ import annotations

import enum
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from cloudsms._foundation.frozen import as_frozenset, as_tuple
from cloudsms._foundation.suggest import suggest
from cloudsms._kit.checks import binding_problems, ident, ids, own_id, text
from cloudsms._kit.documents import document
from cloudsms._kit.limits import DECIMAL, LONGEST_NUMBER
from cloudsms._kit.records import Check, Record, one_or_more
from cloudsms.errors import Problem, UnknownReference, ValidationError, describe
from cloudsms.lifecycle import Attempt, Lifecycle, LifecycleInstance, Transition

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

__all__ = [
    "DESIGN_CHECKS",
    "SERVICE_LIFECYCLE",
    "SERVICE_STATES",
    "CloudService",
    "ComponentKind",
    "Dependency",
    "DeploymentModel",
    "DesignReview",
    "ServiceCategory",
    "ServiceComponent",
    "ServiceGraph",
    "SlaDecision",
]


class ServiceCategory(enum.StrEnum):
    """The cloud service categories of ISO/IEC 17788, by their abbreviations."""

    CAAS = "CaaS"
    COMPAAS = "CompaaS"
    DSAAS = "DSaaS"
    IAAS = "IaaS"
    NAAS = "NaaS"
    PAAS = "PaaS"
    SAAS = "SaaS"

    @property
    def title(self) -> str:  # type: ignore[override]
        """The category's name: ``"Infrastructure as a Service"`` for IaaS."""
        return _CATEGORY_TITLES[self]


_CATEGORY_TITLES: Mapping[ServiceCategory, str] = {
    ServiceCategory.CAAS: "Communications as a Service",
    ServiceCategory.COMPAAS: "Compute as a Service",
    ServiceCategory.DSAAS: "Data Storage as a Service",
    ServiceCategory.IAAS: "Infrastructure as a Service",
    ServiceCategory.NAAS: "Network as a Service",
    ServiceCategory.PAAS: "Platform as a Service",
    ServiceCategory.SAAS: "Software as a Service",
}


class DeploymentModel(enum.StrEnum):
    """How a cloud service is deployed (the TR applies to all four)."""

    PUBLIC = "public"
    PRIVATE = "private"
    COMMUNITY = "community"
    HYBRID = "hybrid"


class ComponentKind(enum.StrEnum):
    """What a service component is; hardware, software and communications are technical."""

    HARDWARE = "hardware"
    SOFTWARE = "software"
    COMMUNICATIONS = "communications"
    DOCUMENTATION = "documentation"
    PEOPLE = "people"
    SUPPLIER_CONTRACT = "supplier contract"

    @property
    def technical(self) -> bool:
        """Whether the component is technical (the TR counts both kinds as components)."""
        return self in _TECHNICAL


_TECHNICAL = frozenset(
    {ComponentKind.HARDWARE, ComponentKind.SOFTWARE, ComponentKind.COMMUNICATIONS}
)

SERVICE_STATES: tuple[str, ...] = (
    "planned",
    "designed",
    "built",
    "tested",
    "live",
    "retiring",
    "retired",
)
"""The states of a cloud service's lifecycle (S05), in order."""


@attrs.frozen(kw_only=True)
class ServiceComponent(Record):
    """Something a service needs to be delivered and managed: technical or not.

    Raises:
        ValidationError: a bad id, an empty name, or an unknown kind.
    """

    id: str = attrs.field(validator=ident)
    name: str = attrs.field(validator=text)
    kind: ComponentKind
    description: str = ""


def _state_as_instance(body: dict[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    """Version 1 to 2: the plain ``lifecycle_state`` becomes a lifecycle instance at that state."""
    from cloudsms._kit.lifecycles import state_as_instance  # noqa: PLC0415 - reading only

    return state_as_instance(body, state_key="lifecycle_state", lifecycle=SERVICE_LIFECYCLE)


def _sealed(body: dict[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    """Version 2 to 3: the instance is bound to the service's id and its history sealed."""
    from cloudsms._kit.lifecycles import sealed_instance  # noqa: PLC0415 - reading only

    return sealed_instance(body)


def _service_version(body: dict[str, Any]) -> int:
    """A service body's version by its shape: 1 no ``lifecycle``, 2 no chain, 3 chained."""
    from cloudsms._kit.lifecycles import instance_version  # noqa: PLC0415 - reading only

    return instance_version(body)


def _planned(record: object) -> LifecycleInstance:
    return SERVICE_LIFECYCLE.begin(id=own_id(record))


def _service_instance_problems(value: object, path: str) -> list[Problem]:
    """An instance of `SERVICE_LIFECYCLE` (declared below), whatever arrives."""
    lifecycle: Lifecycle = SERVICE_LIFECYCLE
    return lifecycle.instance_problems(value, path)


_SERVICE_INSTANCE = Check(_service_instance_problems, total=True)


@document(
    "cloudsms.cloud-service",
    version=3,
    upgrades={1: _state_as_instance, 2: _sealed},
    version_of=_service_version,
)
@attrs.frozen(kw_only=True)
class CloudService(Record):
    """A cloud service: its category, deployment models, lifecycle, components and owner.

    ``lifecycle`` is the service's `SERVICE_LIFECYCLE` instance (planned, with an
    empty history, by default): the one record of where the service stands and how
    it got there. `lifecycle_state` reads its state; `cloudsms.lifecycle.advance`
    moves it. ``components`` lists the ids of the `ServiceComponent` values it uses
    (distinct).

    A persisted document (``cloudsms.cloud-service``, schema version 3: the instance
    carries its id and a hash chain). Older bodies are still read, wherever they
    stand (alone or inside a `ServiceGraph`): a version-1 body, which kept a plain
    ``lifecycle_state`` and no history, as an instance at that state with an empty
    history; a version-2 body, whose history had no chain, bound to the service's id
    and sealed (`cloudsms._kit.lifecycles.sealed_instance`: each ``who`` becomes an
    actor id). Both are written back as version 3. By default the instance is bound
    to the service's id. Serves S03 and S05 (ISO/IEC 20000-1:2011 5.3 to 5.5, 9.1).

    Raises:
        ValidationError: every problem of the fields, each with its path; an
            instance of another lifecycle is refused at ``$.lifecycle``.
    """

    id: str = attrs.field(validator=ident)
    name: str = attrs.field(validator=text)
    category: ServiceCategory
    deployment_models: frozenset[DeploymentModel] = attrs.field(
        validator=one_or_more(DeploymentModel), converter=as_frozenset
    )
    owner: str = attrs.field(validator=text)
    lifecycle: LifecycleInstance = attrs.field(
        default=attrs.Factory(_planned, takes_self=True),
        validator=_SERVICE_INSTANCE,
    )

    def _rules(self) -> Iterator[Problem]:
        """The trail is bound to this record's id."""
        yield from binding_problems(self)

    components: tuple[str, ...] = attrs.field(
        validator=ids(of="component"), default=(), converter=as_tuple
    )

    @property
    def lifecycle_state(self) -> str:
        """Where the service stands in `SERVICE_LIFECYCLE`: its instance's state (read-only)."""
        return self.lifecycle.state


@attrs.frozen(kw_only=True)
class Dependency(Record):
    """``dependant`` needs ``dependency`` (each the id of a service or a component).

    Raises:
        ValidationError: either end is not an id.
    """

    dependant: str = attrs.field(validator=ident)
    dependency: str = attrs.field(validator=ident)


V = TypeVar("V")


def _look_up(kind: str, key: object, table: Mapping[str, V]) -> V:
    """``table[key]``, or `UnknownReference` naming ``kind`` with close matches."""
    found = table.get(key) if isinstance(key, str) else None
    if found is None:
        raise UnknownReference(kind, key, suggestions=suggest(key, table))
    return found


@attrs.frozen(kw_only=True)
class ServiceGraph(Record):
    """Services, components and their dependencies: a graph that never holds a cycle.

    Edges are the explicit ``dependencies`` plus each service's own ``components``.
    `service` and `component` look a part up by its id. Building a graph and its
    checks take time in proportion to its size (services, components and edges).

    Raises:
        ValidationError: a repeated id, a dependency on something unknown, a
            dependency on itself, or a cycle — named in full, at the dependency that
            closes it (the last one declared among those that form it; one cycle
            is named for each group of parts that reach each other).

    Examples:
        >>> db = ServiceComponent(id="db", name="Database cluster", kind=ComponentKind.HARDWARE)
        >>> crm = CloudService(
        ...     id="crm",
        ...     name="CRM",
        ...     category=ServiceCategory.SAAS,
        ...     deployment_models={DeploymentModel.PUBLIC},
        ...     owner="sales-it",
        ...     components=("db",),
        ... )
        >>> erp = CloudService(
        ...     id="erp",
        ...     name="ERP",
        ...     category=ServiceCategory.SAAS,
        ...     deployment_models={DeploymentModel.PRIVATE},
        ...     owner="finance-it",
        ... )
        >>> graph = ServiceGraph(
        ...     services=(crm, erp),
        ...     components=(db,),
        ...     dependencies=(Dependency(dependant="erp", dependency="crm"),),
        ... )
        >>> [s.id for s in graph.impact_of("db")]
        ['crm', 'erp']
        >>> graph.service("crm").owner
        'sales-it'
        >>> graph.service("cmr")
        Traceback (most recent call last):
        ...
        cloudsms.errors.UnknownReference: unknown service 'cmr'; did you mean crm?
        >>> graph.with_dependency("crm", "erp")
        Traceback (most recent call last):
        ...
        cloudsms.errors.ValidationError: ServiceGraph is invalid (1 problem):
          - expected a dependency that closes no cycle, got crm -> erp -> crm @ $.dependencies[1]
    """

    services: tuple[CloudService, ...] = attrs.field(default=(), converter=as_tuple)
    components: tuple[ServiceComponent, ...] = attrs.field(default=(), converter=as_tuple)
    dependencies: tuple[Dependency, ...] = attrs.field(default=(), converter=as_tuple)

    def _rules(self) -> Iterator[Problem]:
        """Ids used once; every dependency between known parts, not on itself; no cycle."""
        problems, _ = _graph_problems(self)
        yield from problems

    @cached_property
    def _forward(self) -> dict[str, tuple[str, ...]]:
        """Each node's direct dependencies, sorted."""
        _, forward = _graph_problems(self)
        return {node: tuple(sorted(targets)) for node, targets in forward.items()}

    @cached_property
    def _backward(self) -> dict[str, tuple[str, ...]]:
        """Each node's direct dependants, sorted."""
        backward: dict[str, list[str]] = {node: [] for node in self._forward}
        for node, targets in self._forward.items():
            for target in targets:
                backward[target].append(node)
        return {node: tuple(sorted(sources)) for node, sources in backward.items()}

    @cached_property
    def _services(self) -> dict[str, CloudService]:
        return {s.id: s for s in self.services}

    @cached_property
    def _components(self) -> dict[str, ServiceComponent]:
        return {c.id: c for c in self.components}

    # ------------------------------------------------------------------ queries
    def service(self, service_id: str) -> CloudService:
        """The service with this id (S03, S05).

        Raises:
            UnknownReference: the graph has no such service (with close matches).
        """
        return _look_up("service", service_id, self._services)

    def component(self, component_id: str) -> ServiceComponent:
        """The component with this id (S03, S05).

        Raises:
            UnknownReference: the graph has no such component (with close matches).
        """
        return _look_up("component", component_id, self._components)

    def _node(self, node: object) -> str:
        if not isinstance(node, str) or node not in self._forward:
            close = suggest(node, self._forward)
            raise UnknownReference("service or component", node, suggestions=close)
        return node

    def dependencies_of(self, node: str, *, transitive: bool = False) -> tuple[str, ...]:
        """The ids ``node`` depends on (directly, or at any depth), sorted.

        Raises:
            UnknownReference: no such service or component.
        """
        start = self._node(node)
        return self._direct_or_all(start, self._forward, transitive=transitive)

    def dependants_of(self, node: str, *, transitive: bool = False) -> tuple[str, ...]:
        """The ids that depend on ``node`` (directly, or at any depth), sorted.

        Raises:
            UnknownReference: no such service or component.
        """
        start = self._node(node)
        return self._direct_or_all(start, self._backward, transitive=transitive)

    def impact_of(self, node: str) -> tuple[CloudService, ...]:
        """Every service affected when ``node`` fails: its dependants at any depth.

        Raises:
            UnknownReference: no such service or component.
        """
        affected = set(self.dependants_of(node, transitive=True))
        return tuple(s for s in self.services if s.id in affected)

    def shared_components(self) -> dict[str, tuple[str, ...]]:
        """Each component that more than one service needs, at any depth, with those services."""
        service_ids = {s.id for s in self.services}
        shared: dict[str, tuple[str, ...]] = {}
        for component in self.components:
            users = tuple(
                n for n in self.dependants_of(component.id, transitive=True) if n in service_ids
            )
            if len(users) > 1:
                shared[component.id] = users
        return shared

    def with_dependency(self, dependant: str, dependency: str) -> ServiceGraph:
        """A new graph with one more dependency; this one never changes.

        Raises:
            ValidationError: the dependency names something unknown or closes a cycle.
        """
        edge = Dependency(dependant=dependant, dependency=dependency)
        return attrs.evolve(self, dependencies=(*self.dependencies, edge))

    @staticmethod
    def _direct_or_all(
        start: str, edges: dict[str, tuple[str, ...]], *, transitive: bool
    ) -> tuple[str, ...]:
        if not transitive:
            return edges[start]
        seen: set[str] = set()
        frontier = [start]
        while frontier:
            for nxt in edges[frontier.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    frontier.append(nxt)
        return tuple(sorted(seen))


_Edge = tuple[str, str, str]  # source, target, and the path of what declared it
_Declared = tuple[_Edge | None, list[Problem]]  # an edge (None if refused) and its problems


def _graph_problems(graph: ServiceGraph) -> tuple[list[Problem], dict[str, dict[str, None]]]:
    """Every problem of the graph, in the order declared, and each node's targets, once.

    Linear in the graph's size: the edges are gathered first, then one pass over
    the strongly connected groups of nodes finds every cycle.
    """
    forward: dict[str, dict[str, None]] = {}
    problems = _node_problems(graph, forward)
    declared = _component_edges(graph) + _dependency_edges(forward, graph.dependencies)
    edges = [(edge, position) for position, (edge, _) in enumerate(declared) if edge]
    for (source, target, _), _ in edges:
        forward[source][target] = None
    for position, problem in _cycle_problems(forward, edges):
        declared[position][1].append(problem)
    return problems + [p for _, found in declared for p in found], forward


def _node_problems(graph: ServiceGraph, forward: dict[str, dict[str, None]]) -> list[Problem]:
    problems: list[Problem] = []
    nodes = [("services", i, s.id) for i, s in enumerate(graph.services)]
    nodes += [("components", i, c.id) for i, c in enumerate(graph.components)]
    for name, index, node in nodes:
        if node in forward:
            problems.append(
                Problem(f"{name}[{index}].id", "an id used once in the graph", describe(node))
            )
        forward.setdefault(node, {})
    return problems


def _component_edges(graph: ServiceGraph) -> list[_Declared]:
    known = {c.id for c in graph.components}
    declared: list[_Declared] = []
    for index, service in enumerate(graph.services):
        for position, component in enumerate(service.components):
            path = f"services[{index}].components[{position}]"
            if component in known:
                declared.append(((service.id, component, path), []))
            else:
                expected = "the id of a component in the graph"
                declared.append((None, [Problem(path, expected, describe(component))]))
    return declared


def _dependency_edges(
    forward: dict[str, dict[str, None]], dependencies: tuple[Dependency, ...]
) -> list[_Declared]:
    declared: list[_Declared] = []
    for index, edge in enumerate(dependencies):
        path = f"dependencies[{index}]"
        ends = {"dependant": edge.dependant, "dependency": edge.dependency}
        unknown = [
            Problem(
                f"{path}.{name}", "the id of a service or component in the graph", describe(value)
            )
            for name, value in ends.items()
            if value not in forward
        ]
        declared.append(
            (None, unknown) if unknown else ((edge.dependant, edge.dependency, path), [])
        )
    return declared


def _cycle_problems(
    forward: dict[str, dict[str, None]], edges: list[tuple[_Edge, int]]
) -> list[tuple[int, Problem]]:
    """One problem for each group of nodes that reach each other, at its last edge.

    An edge whose ends lie in the same strongly connected group closes a cycle; the
    last one declared is named with a shortest way back from its target to its
    source inside the group. Returns each problem with the position of its edge.
    """
    group = _strong_groups(forward)
    named: dict[int, tuple[_Edge, int]] = {}
    for edge, position in reversed(edges):
        source, target, _ = edge
        if group[source] == group[target]:
            named.setdefault(group[source], (edge, position))
    problems: list[tuple[int, Problem]] = []
    for number, ((source, target, path), position) in named.items():
        route = _route_within(forward, target, source, group, number)
        cycle = " -> ".join([source, *route])
        problems.append((position, Problem(path, "a dependency that closes no cycle", cycle)))
    return problems


def _strong_groups(forward: dict[str, dict[str, None]]) -> dict[str, int]:
    """Each node's strongly connected group, numbered (Tarjan's algorithm, without recursion)."""
    search = _GroupSearch(forward)
    for root in forward:
        if root not in search.index:
            search.run(root)
    return search.group


class _GroupSearch:
    """The state of one Tarjan search: visit order, low links, the stack of open nodes."""

    def __init__(self, forward: dict[str, dict[str, None]]) -> None:
        self.forward = forward
        self.index: dict[str, int] = {}
        self.low: dict[str, int] = {}
        self.stack: list[str] = []
        self.on_stack: set[str] = set()
        self.group: dict[str, int] = {}

    def visit(self, node: str) -> tuple[str, Iterator[str]]:
        self.index[node] = self.low[node] = len(self.index)
        self.stack.append(node)
        self.on_stack.add(node)
        return node, iter(self.forward[node])

    def run(self, root: str) -> None:
        work = [self.visit(root)]
        while work:
            node, children = work[-1]
            for child in children:
                if child not in self.index:
                    work.append(self.visit(child))
                    break
                if child in self.on_stack:
                    self.low[node] = min(self.low[node], self.index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    self.low[parent] = min(self.low[parent], self.low[node])
                self.close(node)

    def close(self, node: str) -> None:
        """Number ``node``'s group, if ``node`` is the first of it the search met."""
        if self.low[node] != self.index[node]:
            return
        member = ""
        while member != node:
            member = self.stack.pop()
            self.on_stack.discard(member)
            self.group[member] = self.index[node]


def _route_within(
    forward: dict[str, dict[str, None]], start: str, goal: str, group: dict[str, int], number: int
) -> list[str]:
    """A shortest path of nodes from ``start`` to ``goal`` inside one strongly connected group."""
    parents: dict[str, str | None] = {start: None}
    frontier = [start]
    while goal not in parents:
        following: list[str] = []
        for node in frontier:
            for nxt in forward[node]:
                if nxt not in parents and group[nxt] == number:
                    parents[nxt] = node
                    following.append(nxt)
        frontier = following
    path = [goal]
    while (parent := parents[path[-1]]) is not None:
        path.append(parent)
    return path[::-1]


# ---------------------------------------------------------------------- the lifecycle (S05)
class SlaDecision(enum.StrEnum):
    """What the design decided about the service level agreement (S05)."""

    REUSED = "reused"
    NEW = "new"


DESIGN_CHECKS: tuple[str, ...] = (
    "capacity requirement stated",
    "availability design meets the requirement",
    "security of shared resources considered",
    "SLA reused or new",
)
"""The checks a design must pass before a service is ``designed`` (S05), by name."""


_HUNDRED = Decimal(100)


def _percentage_problems(value: object, path: str) -> list[Problem]:
    """``[]`` for a Decimal percentage from 0 to 100."""
    if (
        isinstance(value, Decimal)
        and value.is_finite()
        and 0 <= value <= _HUNDRED
        and DECIMAL.fullmatch(text := str(value))
        and len(text) <= LONGEST_NUMBER  # what the JSON writer can write and read back
    ):
        return []
    return [Problem(path, "a percentage from 0 to 100 (a Decimal)", describe(value))]


_PERCENTAGE = Check(_percentage_problems, total=True)


@attrs.frozen(kw_only=True)
class DesignReview(Record):
    """What a new service's design established, against the checks of `DESIGN_CHECKS`.

    ``availability_required`` and ``availability_designed`` are percentages;
    ``shared_resource_security`` says how the security of resources shared with
    other tenants was considered; ``sla`` whether an existing SLA is reused or a new
    one written. A field left ``None`` fails its check.

    Raises:
        ValidationError: every field of the wrong type or out of range, each with
            its path (an empty text, a percentage that is not a `Decimal` from 0 to
            100, an ``sla`` that is not a `SlaDecision`).

    Examples:
        >>> review = DesignReview(sla=SlaDecision.NEW, availability_required=Decimal("99.9"))
        >>> review.failed_checks()[0]
        'capacity requirement stated'
        >>> DesignReview(sla="new", availability_designed=0.1)
        Traceback (most recent call last):
        ...
        cloudsms.errors.ValidationError: DesignReview is invalid (2 problems):
          - expected a percentage from 0 to 100 (a Decimal) or null, got 0.1 (number) @ $.avai...
          - expected a SlaDecision (SlaDecision.REUSED or SlaDecision.NEW) or null, got 'new'...
    """

    capacity_requirement: str | None = attrs.field(validator=text, default=None)
    availability_required: Decimal | None = attrs.field(validator=_PERCENTAGE, default=None)
    availability_designed: Decimal | None = attrs.field(validator=_PERCENTAGE, default=None)
    shared_resource_security: str | None = attrs.field(validator=text, default=None)
    sla: SlaDecision | None = None

    def failed_checks(self) -> tuple[str, ...]:
        """The names of the checks this design does not pass, in `DESIGN_CHECKS` order."""
        passed = {
            DESIGN_CHECKS[0]: self.capacity_requirement is not None,
            DESIGN_CHECKS[1]: self.availability_required is not None
            and self.availability_designed is not None
            and self.availability_designed >= self.availability_required,
            DESIGN_CHECKS[2]: self.shared_resource_security is not None,
            DESIGN_CHECKS[3]: self.sla is not None,
        }
        return tuple(name for name in DESIGN_CHECKS if not passed[name])


def _design_checks(_: LifecycleInstance, attempt: Attempt) -> str | None:
    """The guard of ``design``: the event's ``review`` must pass every design check."""
    from cloudsms._kit.converter import from_dict  # noqa: PLC0415 - cattrs only when used

    try:
        review = from_dict(DesignReview, attempt.data.get("review", {}))
    except ValidationError as exc:
        return "the design review is not valid: " + "; ".join(exc.errors)
    failed = review.failed_checks()
    return f"design checks not met: {', '.join(failed)}" if failed else None


SERVICE_LIFECYCLE = Lifecycle(
    name="cloud_service",
    states=SERVICE_STATES,
    initial="planned",
    finals=("retired",),
    transitions=(
        Transition(source="planned", event="design", target="designed", guard="design_checks"),
        Transition(source="designed", event="build", target="built"),
        Transition(source="built", event="test", target="tested"),
        Transition(source="tested", event="fail_test", target="built"),
        Transition(source="tested", event="release", target="live"),
        Transition(source="live", event="retire", target="retiring"),
        Transition(source="retiring", event="remove", target="retired"),
    ),
    guards={"design_checks": _design_checks},
)
"""The lifecycle of a cloud service (S05): planned, designed, built, tested, live,
retiring, retired. ``design`` is refused until the event's ``review`` (a
`DesignReview` as JSON) passes every check of `DESIGN_CHECKS`, each failure named."""
