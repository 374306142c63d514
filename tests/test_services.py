"""cloudsms.services: services, components and a dependency graph that never holds a cycle."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from decimal import Decimal
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cloudsms.services
from cloudsms.errors import InvalidTransition, UnknownReference, ValidationError
from cloudsms.lifecycle import Lifecycle, Transition, advance
from cloudsms.serialization import from_dict, from_json, json_schema, to_dict, to_json
from cloudsms.services import (
    DESIGN_CHECKS,
    SERVICE_LIFECYCLE,
    CloudService,
    ComponentKind,
    Dependency,
    DeploymentModel,
    DesignReview,
    ServiceCategory,
    ServiceComponent,
    ServiceGraph,
    SlaDecision,
)
from cloudsms.testing import (
    cloud_services,
    lifecycle_machine,
    service_components,
    service_graphs,
)

from conftest import assert_refused_at_field, examples, public_attrs_classes, wrong_fields

PUBLIC = frozenset({DeploymentModel.PUBLIC})


def component(cid: str, kind: ComponentKind = ComponentKind.SOFTWARE) -> ServiceComponent:
    """A component, briefly."""
    return ServiceComponent(id=cid, name=cid.upper(), kind=kind)


def service(sid: str, *components: str) -> CloudService:
    """A public SaaS service, briefly."""
    return CloudService(
        id=sid,
        name=sid.upper(),
        category=ServiceCategory.SAAS,
        deployment_models=PUBLIC,
        owner="ops",
        components=components,
    )


def edge(a: str, b: str) -> Dependency:
    """``a`` depends on ``b``."""
    return Dependency(dependant=a, dependency=b)


# Two services on a shared database; mail depends on crm; a storage array under the db.
GRAPH = ServiceGraph(
    services=(service("crm", "db", "web"), service("mail", "db"), service("wiki")),
    components=(
        component("db"),
        component("web"),
        component("san", ComponentKind.HARDWARE),
        component("runbook", ComponentKind.DOCUMENTATION),
    ),
    dependencies=(edge("mail", "crm"), edge("db", "san"), edge("wiki", "runbook")),
)


class TestValues:
    """Categories, models, components and services are validated values."""

    def test_categories_are_iso_17788(self) -> None:
        """Holds the seven categories of ISO/IEC 17788 with their names."""
        assert [c.value for c in ServiceCategory] == [
            "CaaS",
            "CompaaS",
            "DSaaS",
            "IaaS",
            "NaaS",
            "PaaS",
            "SaaS",
        ]
        assert ServiceCategory.IAAS.title == "Infrastructure as a Service"

    def test_technical_components(self) -> None:
        """Counts hardware, software and communications as technical, the rest not."""
        assert {k.value for k in ComponentKind if k.technical} == {
            "hardware",
            "software",
            "communications",
        }

    def test_service_problems_all_at_once(self) -> None:
        """Lists every problem of a service with its path."""
        with pytest.raises(ValidationError) as info:
            CloudService(
                id="bad id",
                name="",
                category="SaaS",
                deployment_models=(),  # type: ignore[arg-type]
                owner=" ",
                lifecycle="dreaming",  # type: ignore[arg-type]
                components=("a", "a"),
            )
        assert info.value.paths == [
            "$.id",
            "$.name",
            "$.category",
            "$.deployment_models",
            "$.owner",
            "$.lifecycle",
            "$.components",
        ]

    def test_component_problems(self) -> None:
        """Refuses a component with a bad id, no name or an unknown kind."""
        with pytest.raises(ValidationError) as info:
            ServiceComponent(id="", name="", kind="gadget")  # type: ignore[arg-type]
        assert info.value.paths == ["$.id", "$.name", "$.kind"]

    def test_component_description_is_text(self) -> None:
        """Refuses a description that is not text."""
        with pytest.raises(ValidationError) as info:
            ServiceComponent(id="db", name="DB", kind=ComponentKind.HARDWARE, description=5)  # type: ignore[arg-type]
        assert info.value.errors == ["expected a string, got 5 (integer) @ $.description"]


VALID: dict[type, dict[str, Any]] = {
    ServiceComponent: {"id": "db", "name": "DB", "kind": ComponentKind.HARDWARE},
    CloudService: {
        "id": "crm",
        "name": "CRM",
        "category": ServiceCategory.SAAS,
        "deployment_models": PUBLIC,
        "owner": "ops",
    },
    Dependency: {"dependant": "crm", "dependency": "db"},
    ServiceGraph: {},
    DesignReview: {
        "capacity_requirement": "400 vcpu",
        "availability_required": Decimal("99.9"),
        "availability_designed": Decimal("99.95"),
        "shared_resource_security": "reviewed",
        "sla": SlaDecision.NEW,
    },
}


class TestFieldTypes:
    """Every public class of cloudsms.services refuses a wrong-typed field with its path."""

    def test_every_class_is_covered(self) -> None:
        """Lists every public class of the module."""
        assert public_attrs_classes(cloudsms.services) == set(VALID)

    @pytest.mark.parametrize(("kind", "name", "wrong"), wrong_fields(VALID))
    def test_wrong_type_refused_at_its_path(self, kind: type, name: str, wrong: object) -> None:
        """Raises a ValidationError at the field's path, never a builtin error."""
        assert_refused_at_field(kind, VALID[kind], name, wrong)

    def test_dependency_of_a_list(self) -> None:
        """Refuses a dependency whose end is a list, before a graph sees it."""
        with pytest.raises(ValidationError) as info:
            Dependency(dependant=["x"], dependency="y")  # type: ignore[arg-type]
        assert str(info.value) == (
            "Dependency is invalid (1 problem):\n"
            "  - expected an id of letters, digits and . _ : - (at most 64), "
            "got ['x'] (array) @ $.dependant"
        )


class TestGraph:
    """Queries on a hand-built graph."""

    def test_dependencies_and_dependants(self) -> None:
        """Answers direct and transitive questions both ways."""
        assert GRAPH.dependencies_of("crm") == ("db", "web")
        assert GRAPH.dependencies_of("mail", transitive=True) == ("crm", "db", "san", "web")
        assert GRAPH.dependants_of("db") == ("crm", "mail")
        assert GRAPH.dependants_of("san", transitive=True) == ("crm", "db", "mail")

    def test_impact(self) -> None:
        """Names every service a failing component affects, at any depth."""
        assert [s.id for s in GRAPH.impact_of("san")] == ["crm", "mail"]
        assert [s.id for s in GRAPH.impact_of("crm")] == ["mail"]
        assert GRAPH.impact_of("runbook")[0].id == "wiki"

    def test_shared_components(self) -> None:
        """Finds components more than one service needs."""
        assert GRAPH.shared_components() == {
            "db": ("crm", "mail"),
            "san": ("crm", "mail"),
            "web": ("crm", "mail"),
        }

    def test_unknown_node(self) -> None:
        """Raises UnknownReference with close ids."""
        with pytest.raises(UnknownReference) as info:
            GRAPH.impact_of("dbb")
        assert "db" in info.value.suggestions
        with pytest.raises(UnknownReference):
            GRAPH.dependants_of(5)  # type: ignore[arg-type]


class TestLookup:
    """ServiceGraph.service and .component find a part by its id."""

    def test_service_by_id(self) -> None:
        """Returns the service with the id."""
        assert GRAPH.service("mail") == service("mail", "db")

    def test_component_by_id(self) -> None:
        """Returns the component with the id."""
        assert GRAPH.component("san") == component("san", ComponentKind.HARDWARE)

    def test_unknown_service_suggests(self) -> None:
        """Raises UnknownReference naming close service ids."""
        with pytest.raises(UnknownReference) as info:
            GRAPH.service("mial")
        assert str(info.value) == "unknown service 'mial'; did you mean mail?"

    def test_a_component_is_not_a_service(self) -> None:
        """Refuses a component's id where a service is asked for, and the other way round."""
        with pytest.raises(UnknownReference) as info:
            GRAPH.service("db")
        assert (info.value.kind, info.value.key) == ("service", "db")
        with pytest.raises(UnknownReference) as info:
            GRAPH.component("crm")
        assert (info.value.kind, info.value.key) == ("component", "crm")

    def test_wrong_type(self) -> None:
        """Raises UnknownReference, not TypeError, for an id that is not text."""
        with pytest.raises(UnknownReference) as info:
            GRAPH.service(["crm"])  # type: ignore[arg-type]
        assert info.value.suggestions == ()

    @given(service_graphs())
    def test_every_part_found(self, graph: ServiceGraph) -> None:
        """Finds every service and component of a graph by its id."""
        assert [graph.service(s.id) for s in graph.services] == list(graph.services)
        assert [graph.component(c.id) for c in graph.components] == list(graph.components)


CHAIN = 16_000


def _chain(*, reverse: bool = False) -> tuple[tuple[CloudService, ...], tuple[Dependency, ...]]:
    """A chain of services, each depending on the next."""
    services = tuple(service(f"s{i}") for i in range(CHAIN))
    edges = tuple(edge(f"s{i}", f"s{i + 1}") for i in range(CHAIN - 1))
    return services, edges[::-1] if reverse else edges


class TestLargeGraphs:
    """Building and checking a graph takes time in proportion to its size."""

    def test_long_chain_declared_backwards(self) -> None:
        """Builds a 16,000-service chain whose dependencies are listed last first."""
        services, edges = _chain(reverse=True)
        graph = ServiceGraph(services=services, dependencies=edges)
        assert len(graph.dependencies_of("s0", transitive=True)) == CHAIN - 1

    def test_long_chain_closed_into_a_cycle(self) -> None:
        """Names the cycle through 16,000 services at the dependency that closes it."""
        services, edges = _chain(reverse=True)
        closing = edge(f"s{CHAIN - 1}", "s0")
        with pytest.raises(ValidationError) as info:
            ServiceGraph(services=services, dependencies=(*edges, closing))
        (problem,) = info.value.problems
        assert f"$.dependencies[{CHAIN - 1}]" == problem.path
        cycle = problem.got.split(" -> ")
        assert [f"s{CHAIN - 1}", *(f"s{i}" for i in range(CHAIN))] == cycle

    def test_long_chain_loads(self) -> None:
        """Reads a 16,000-service chain back from JSON."""
        services, edges = _chain()
        graph = ServiceGraph(services=services, dependencies=edges)
        assert graph == from_json(ServiceGraph, to_json(graph))


class TestCycles:
    """A cycle is refused, named in full, and nothing is built."""

    def test_cycle_named(self) -> None:
        """Names the cycle at the dependency that closes it."""
        with pytest.raises(ValidationError) as info:
            GRAPH.with_dependency("san", "mail")
        (problem,) = info.value.problems
        assert problem.path == "$.dependencies[3]"
        assert problem.expected == "a dependency that closes no cycle"
        assert problem.got in {"san -> mail -> db -> san", "san -> mail -> crm -> db -> san"}
        assert len(GRAPH.dependencies) == 3

    def test_self_dependency_and_unknown_ends(self) -> None:
        """Refuses a dependency on itself and on unknown ids."""
        with pytest.raises(ValidationError) as info:
            ServiceGraph(
                services=(service("a"),),
                dependencies=(edge("a", "a"), edge("a", "zzz"), edge("q", "a")),
            )
        assert info.value.paths == [
            "$.dependencies[0]",
            "$.dependencies[1].dependency",
            "$.dependencies[2].dependant",
        ]

    def test_repeated_ids_and_unknown_components(self) -> None:
        """Refuses an id used twice and a service using a component the graph lacks."""
        with pytest.raises(ValidationError) as info:
            ServiceGraph(services=(service("a", "x"),), components=(component("a"),))
        assert info.value.paths == ["$.components[0].id", "$.services[0].components[0]"]

    def test_one_cycle_per_group_in_order(self) -> None:
        """Names one cycle for each group of parts that reach each other, in document order."""
        with pytest.raises(ValidationError) as info:
            ServiceGraph(
                services=tuple(service(n) for n in "abcde"),
                dependencies=(
                    edge("a", "b"),
                    edge("d", "e"),
                    edge("b", "a"),
                    edge("x", "a"),
                    edge("b", "c"),
                    edge("c", "a"),
                    edge("e", "d"),
                ),
            )
        assert [(p.path, p.got) for p in info.value.problems] == [
            ("$.dependencies[3].dependant", "'x' (string)"),
            ("$.dependencies[5]", "c -> a -> b -> c"),
            ("$.dependencies[6]", "e -> d -> e"),
        ]

    def test_cycle_through_components(self) -> None:
        """Names a cycle that a service's own components close."""
        with pytest.raises(ValidationError) as info:
            ServiceGraph(
                services=(service("crm", "db"),),
                components=(component("db"),),
                dependencies=(edge("db", "crm"),),
            )
        assert info.value.errors == [
            "expected a dependency that closes no cycle, got db -> crm -> db @ $.dependencies[0]"
        ]

    @given(st.lists(st.tuples(st.sampled_from("abcdef"), st.sampled_from("abcdef")), max_size=12))
    def test_never_holds_a_cycle(self, pairs: list[tuple[str, str]]) -> None:
        """Builds only acyclic graphs, and names a real cycle when it refuses one."""
        nodes = tuple(service(n) for n in "abcdef")
        try:
            graph = ServiceGraph(services=nodes, dependencies=tuple(edge(a, b) for a, b in pairs))
        except ValidationError as exc:
            cycle = exc.problems[0].got.split(" -> ")
            assert cycle[0] == cycle[-1]
            return
        for n in "abcdef":
            assert n not in graph.dependencies_of(n, transitive=True)

    @given(st.lists(st.tuples(st.sampled_from("abcdef"), st.sampled_from("abcdef")), max_size=14))
    def test_refused_exactly_when_cyclic(self, pairs: list[tuple[str, str]]) -> None:
        """Refuses a graph exactly when its edges hold a cycle, and names cycles of real edges."""
        nodes = tuple(service(n) for n in "abcdef")
        reach = {(a, b) for a, b in pairs}
        for middle in "abcdef":  # Floyd-Warshall closure
            reach |= {(a, b) for a, m in reach if m == middle for m2, b in reach if m2 == middle}
        cyclic = any((n, n) in reach for n in "abcdef")
        try:
            ServiceGraph(services=nodes, dependencies=tuple(edge(a, b) for a, b in pairs))
        except ValidationError as exc:
            assert cyclic
            for problem in exc.problems:
                cycle = problem.got.split(" -> ")
                index = int(problem.path.removeprefix("$.dependencies[").removesuffix("]"))
                assert (cycle[0], cycle[1]) == pairs[index]
                assert cycle[0] == cycle[-1]
                assert all(step in set(pairs) for step in itertools.pairwise(cycle))
        else:
            assert not cyclic

    @given(service_graphs())
    def test_impact_agrees_with_brute_force(self, graph: ServiceGraph) -> None:
        """Finds the same services as a brute-force reachability over the edges."""
        edges = {(d.dependant, d.dependency) for d in graph.dependencies}
        edges |= {(s.id, c) for s in graph.services for c in s.components}
        for node in [s.id for s in graph.services] + [c.id for c in graph.components]:
            reach = {node}
            changed = True
            while changed:
                changed = False
                for a, b in edges:
                    if b in reach and a not in reach:
                        reach.add(a)
                        changed = True
            expected = {s.id for s in graph.services} & (reach - {node})
            assert {s.id for s in graph.impact_of(node)} == expected


class TestDocuments:
    """Everything round-trips through JSON and its schema."""

    @given(service_graphs())
    def test_graph_round_trip(self, graph: ServiceGraph) -> None:
        """Reads its JSON back into an equal graph."""
        assert from_json(ServiceGraph, to_json(graph)) == graph

    @given(service_components(), cloud_services())
    def test_values_round_trip(self, part: ServiceComponent, svc: CloudService) -> None:
        """Round-trips components and services."""
        assert from_dict(ServiceComponent, to_dict(part)) == part
        assert from_dict(CloudService, to_dict(svc)) == svc

    def test_schema(self) -> None:
        """Exports a schema that accepts what is written."""
        schema = json_schema(ServiceGraph)
        jsonschema.Draft202012Validator.check_schema(schema)
        jsonschema.validate(json.loads(to_json(GRAPH)), schema)

    def test_bad_document(self) -> None:
        """Reports wrong types, unknown keys, a bad model and a cycle with their paths."""
        data: dict[str, Any] = to_dict(GRAPH)
        data["services"][0]["deployment_models"] = ["public", "cloudy"]
        data["services"][1]["colour"] = "red"
        data["components"][0]["kind"] = 5
        with pytest.raises(ValidationError) as info:
            from_dict(ServiceGraph, data)
        assert sorted(info.value.paths) == [
            "$.components[0].kind",
            "$.services[0].deployment_models[1]",
            "$.services[1].colour",
        ]
        cyclic = to_dict(GRAPH)
        cyclic["dependencies"].append({"dependant": "san", "dependency": "crm"})
        with pytest.raises(ValidationError) as info:
            from_dict(ServiceGraph, cyclic)
        assert info.value.paths == ["$.dependencies[3]"]


T0 = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
GOOD_REVIEW = {
    "capacity_requirement": "400 vcpu at peak",
    "availability_required": "99.9",
    "availability_designed": "99.95",
    "shared_resource_security": "tenant isolation reviewed by the security team",
    "sla": "reused",
}


class TestDesignReview:
    """A design review checks its fields when it is built."""

    def test_wrong_types_from_the_issue(self) -> None:
        """Refuses a plain string for the SLA decision and a float availability."""
        with pytest.raises(ValidationError) as info:
            DesignReview(sla="new", availability_required=0.1)  # type: ignore[arg-type]
        assert info.value.errors == [
            (
                "expected a percentage from 0 to 100 (a Decimal) or null, got 0.1 (number) "
                "@ $.availability_required"
            ),
            (
                "expected a SlaDecision (SlaDecision.REUSED or SlaDecision.NEW) or null, "
                "got 'new' (string) @ $.sla"
            ),
        ]

    @pytest.mark.parametrize("value", ["-0.1", "100.01", "NaN", "Infinity"])
    def test_percentage_range(self, value: str) -> None:
        """Refuses an availability outside 0 to 100."""
        with pytest.raises(ValidationError) as info:
            DesignReview(availability_designed=Decimal(value))
        assert info.value.paths == ["$.availability_designed"]

    def test_empty_text(self) -> None:
        """Refuses empty texts (None is how a review leaves a check unmet)."""
        with pytest.raises(ValidationError) as info:
            DesignReview(capacity_requirement=" ", shared_resource_security="")
        assert info.value.paths == ["$.capacity_requirement", "$.shared_resource_security"]

    def test_writes_what_it_holds(self) -> None:
        """Writes a valid review as JSON."""
        review = DesignReview(sla=SlaDecision.NEW, availability_required=Decimal(0))
        assert json.loads(to_json(review))["sla"] == "new"


class TestServiceLifecycle:
    """The S05 lifecycle: design checks block `designed`, and events go in order."""

    def test_design_checks_named(self) -> None:
        """Refuses `design` with every unmet check named, and nothing changes."""
        planned = SERVICE_LIFECYCLE.begin()
        with pytest.raises(InvalidTransition) as info:
            planned.apply("design", who="actor:architect", when=T0, data={"review": {}})
        assert info.value.reason == "design checks not met: " + ", ".join(DESIGN_CHECKS)
        weak = {**GOOD_REVIEW, "availability_designed": "99.5"}
        assert planned.refusal(
            "design", who="actor:architect", when=T0, data={"review": weak}
        ) == ("design checks not met: availability design meets the requirement")
        assert planned.state == "planned"
        assert planned.history() == ()

    def test_each_check_alone(self) -> None:
        """Fails exactly the check whose field is missing."""
        for field, check in zip(
            ["capacity_requirement", "availability_designed", "shared_resource_security", "sla"],
            DESIGN_CHECKS,
            strict=True,
        ):
            review = DesignReview(
                **{
                    **{
                        k: v
                        for k, v in GOOD_REVIEW.items()
                        if k not in {"availability_required", "availability_designed", "sla"}
                    },
                    "availability_required": Decimal("99.9"),
                    "availability_designed": Decimal("99.95"),
                    "sla": SlaDecision.REUSED,
                    field: None,
                }
            )
            assert review.failed_checks() == (check,)

    def test_invalid_review(self) -> None:
        """Says why a malformed review is refused."""
        reason = SERVICE_LIFECYCLE.begin().refusal(
            "design", who="actor:architect", when=T0, data={"review": {"sla": "maybe"}}
        )
        assert reason is not None
        assert reason.startswith("the design review is not valid: expected one of 'reused'")

    def test_to_live_and_retired(self) -> None:
        """Goes planned to retired, with a failed test sending it back to built."""
        crm = advance(
            service("crm"), "design", who="actor:a", when=T0, data={"review": GOOD_REVIEW}
        )
        for event in ("build", "test", "fail_test", "test", "release", "retire", "remove"):
            crm = advance(crm, event, who="actor:ops", when=T0)
            assert crm.lifecycle_state == crm.lifecycle.state
        assert crm.lifecycle_state == "retired"
        assert crm.lifecycle.is_final
        assert [e.event for e in crm.lifecycle.history()][-2:] == ["retire", "remove"]
        assert service("crm").lifecycle_state == "planned"
        with pytest.raises(InvalidTransition):
            SERVICE_LIFECYCLE.begin().apply("release", who="actor:ops", when=T0)

    def test_advance_refused_changes_nothing(self) -> None:
        """A refused event raises what apply raises; the service stays as it was."""
        crm = service("crm")
        with pytest.raises(InvalidTransition) as expected:
            crm.lifecycle.apply("design", who="actor:a", when=T0, data={"review": {}})
        with pytest.raises(InvalidTransition) as info:
            advance(crm, "design", who="actor:a", when=T0, data={"review": {}})
        assert str(info.value) == str(expected.value)
        assert info.value.reason == "design checks not met: " + ", ".join(DESIGN_CHECKS)
        assert crm == service("crm")
        assert crm.lifecycle_state == "planned"

    def test_state_is_read_only(self) -> None:
        """The state is read from the instance; it cannot be set apart from it."""
        crm = service("crm")
        with pytest.raises(AttributeError):
            crm.lifecycle_state = "live"  # type: ignore[misc]
        with pytest.raises(TypeError):
            CloudService(  # type: ignore[call-arg]
                id="crm",
                name="CRM",
                category=ServiceCategory.SAAS,
                deployment_models=PUBLIC,
                owner="ops",
                lifecycle_state="live",
            )

    def test_instances_of_other_lifecycles_refused(self) -> None:
        """Refuses an instance of another lifecycle at $.lifecycle."""
        other = Lifecycle(
            name="x",
            states=("a", "b"),
            initial="a",
            finals=("b",),
            transitions=(Transition(source="a", event="go", target="b"),),
        )
        with pytest.raises(ValidationError) as info:
            CloudService(
                id="crm",
                name="CRM",
                category=ServiceCategory.SAAS,
                deployment_models=PUBLIC,
                owner="ops",
                lifecycle=other.begin(id="crm"),
            )
        assert info.value.errors == [
            (
                "expected an instance of the 'cloud_service' lifecycle, got an instance of 'x' "
                "@ $.lifecycle"
            )
        ]

    def test_review_round_trip(self) -> None:
        """Reads and writes a design review as JSON."""
        review = from_dict(DesignReview, GOOD_REVIEW)
        assert to_dict(review) == GOOD_REVIEW
        assert review.failed_checks() == ()


REVIEWS = st.fixed_dictionaries(
    {
        "review": st.fixed_dictionaries(
            {k: st.sampled_from([v, None]) for k, v in GOOD_REVIEW.items()}
        )
    }
)
ServiceLifecycleMachine = lifecycle_machine(SERVICE_LIFECYCLE, data=REVIEWS)
TestServiceLifecycleStateful = ServiceLifecycleMachine.TestCase
TestServiceLifecycleStateful.settings = settings(max_examples=examples(60), deadline=None)
