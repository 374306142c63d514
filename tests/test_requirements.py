"""cloudsms.requirements: classified requirements traced from source to what satisfies them."""

from __future__ import annotations

import json
from typing import Any

import attrs
import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cloudsms.catalogue import (
    Billing,
    Catalogue,
    CatalogueEntry,
    Control,
    Offering,
    Policy,
    ServiceLevel,
    Upgrade,
)
from cloudsms.errors import UnknownReference, ValidationError
from cloudsms.requirements import (
    CapabilityType,
    QualityCharacteristic,
    RequirementRegister,
    RequirementSource,
    ServiceRequirement,
    SourceKind,
    Trace,
    TraceLink,
)
from cloudsms.serialization import from_dict, from_json, json_schema, to_dict, to_json
from cloudsms.services import ServiceCategory, ServiceGraph
from cloudsms.testing import requirement_registers, service_requirements

from conftest import examples
from test_catalogue import CATALOGUE, entry, offering, svc

ACME = RequirementSource(kind=SourceKind.CUSTOMER, reference="acme")
GDPR = RequirementSource(kind=SourceKind.STATUTORY, reference="GDPR art. 32")


def requirement(rid: str, **changes: Any) -> ServiceRequirement:
    """A traced functional requirement on the application layer."""
    fields: dict[str, Any] = {
        "id": rid,
        "statement": "Users can search their records",
        "source": ACME,
        "capability": CapabilityType.APPLICATION,
        "quality": QualityCharacteristic.FUNCTIONALITY,
        "acceptance_criteria": ("a search returns in under 2 s",),
        "satisfied_by": ("crm-std",),
    }
    return ServiceRequirement(**{**fields, **changes})


def problems(call: Any) -> list[str]:
    """The paths of the ValidationError ``call`` raises."""
    with pytest.raises(ValidationError) as info:
        call()
    return info.value.paths


REGISTER = RequirementRegister(
    requirements=(
        requirement("R1", satisfied_by=("crm-std", "vm:custom", "hv")),
        requirement(
            "R2",
            source=GDPR,
            capability=None,
            quality=QualityCharacteristic.PRIVACY,
            satisfied_by=("blob",),
        ),
        requirement("R3", source=None),
        requirement("R4", satisfied_by=()),
        requirement("R5", capability=CapabilityType.PLATFORM, satisfied_by=("seat",)),
    ),
    catalogue=CATALOGUE,
)


class TestRequirement:
    """The rules of one requirement."""

    def test_functional_needs_a_capability(self) -> None:
        """A functional requirement names its capability layer; others may not."""
        assert problems(lambda: requirement("R", capability=None)) == ["$.capability"]
        other = requirement("R", capability=None, quality=QualityCharacteristic.PERFORMANCE)
        assert other.capability is None

    def test_qualified_targets_of_the_longest_ids(self) -> None:
        """Accepts a 64-character id after its kind, and refuses a bad target at its index."""
        longest = "e" * 64
        targets = (f"catalogue-entry:{longest}", f"offering:{longest}:{longest}", longest)
        assert requirement("R", satisfied_by=targets).satisfied_by == targets
        with pytest.raises(ValidationError) as info:
            requirement("R", satisfied_by=("crm", "service: crm", "crm"))
        assert info.value.errors == [
            (
                "expected a target: an id, ENTRY:OFFERING, or either after service:, component:, "
                "catalogue-entry: or offering:, got 'service: crm' (string) @ $.satisfied_by[1]"
            )
        ]

    def test_refusals(self) -> None:
        """Names every bad field."""
        assert problems(
            lambda: requirement(
                "not an id",
                statement="",
                source="acme",
                quality="speed",
                capability="network",
                acceptance_criteria=(),
                satisfied_by=("a", "a"),
            )
        ) == [
            "$.id",
            "$.statement",
            "$.source",
            "$.capability",
            "$.quality",
            "$.acceptance_criteria",
            "$.satisfied_by",
        ]
        assert problems(lambda: RequirementSource(kind="boss", reference=" ")) == [  # type: ignore[arg-type]
            "$.kind",
            "$.reference",
        ]

    def test_traced(self) -> None:
        """Traced means a source and something that satisfies it."""
        assert requirement("R").traced
        assert not requirement("R", source=None).traced
        assert not requirement("R", satisfied_by=()).traced


class TestRegister:
    """trace(), untraced() and the catalogue check."""

    def test_trace_names_each_satisfier(self) -> None:
        """Resolves entries, qualified and bare offerings, services and components."""
        trace = REGISTER.trace("R1")
        assert trace.complete
        assert trace.source == ACME
        assert trace.satisfied_by == (
            TraceLink(id="crm-std", kind="catalogue entry", name="CRM"),
            TraceLink(id="vm:custom", kind="offering", name="Custom"),
            TraceLink(id="hv", kind="component", name="Hypervisor cluster"),
        )
        assert str(REGISTER.trace(REGISTER.requirement("R2"))) == (
            "statutory: GDPR art. 32 -> R2 -> blob (catalogue entry: Object storage)"
        )
        assert str(REGISTER.trace("R3")).startswith("no source -> R3 -> crm-std")
        assert str(REGISTER.trace("R4")) == "customer: acme -> R4 -> nothing satisfies it"

    def test_bare_offering_only_when_unique(self) -> None:
        """A bare offering id resolves while one entry has it; otherwise it is refused."""
        assert REGISTER.trace("R5").satisfied_by[0].id == "crm-std:seat"
        ambiguous = requirement("R9", satisfied_by=("custom",))
        assert problems(
            lambda: RequirementRegister(requirements=(ambiguous,), catalogue=CATALOGUE)
        ) == ["$.requirements[0].satisfied_by[0]"]

    def test_every_name_of_a_target_finds_the_same_requirements(self) -> None:
        """A bare offering id and its qualified form, a plain id and its kind prefix."""
        register = RequirementRegister(
            catalogue=CATALOGUE,
            requirements=(
                requirement("A", satisfied_by=("crm-std:seat",)),
                requirement("B", satisfied_by=("seat",)),
                requirement("C", satisfied_by=("service:crm",)),
                requirement("D", satisfied_by=("crm",)),
            ),
        )
        assert [r.id for r in register.satisfied_by("seat")] == ["A", "B"]
        assert [r.id for r in register.satisfied_by("crm-std:seat")] == ["A", "B"]
        assert [r.id for r in register.satisfied_by("crm")] == ["C", "D"]
        assert problems(lambda: register.satisfied_by("nowhere")) == ["$.target"]

    def test_shared_ids_must_be_qualified(self) -> None:
        """An id two kinds share is refused bare, named in the message, accepted qualified."""
        catalogue = Catalogue(
            entries=(entry("vm", "vm"),),
            graph=ServiceGraph(services=(svc("vm", ServiceCategory.IAAS),)),
        )
        with pytest.raises(ValidationError) as info:
            RequirementRegister(
                requirements=(requirement("R", satisfied_by=("vm",)),), catalogue=catalogue
            )
        assert info.value.paths == ["$.requirements[0].satisfied_by[0]"]
        assert "names the service 'vm' and catalogue entry 'vm'" in str(info.value)
        register = RequirementRegister(
            catalogue=catalogue,
            requirements=(
                requirement("R1", satisfied_by=("catalogue-entry:vm",)),
                requirement("R2", satisfied_by=("service:vm",)),
            ),
        )
        assert [link.kind for r in register for link in register.trace(r).satisfied_by] == [
            "catalogue entry",
            "service",
        ]

    def test_names_with_colons_are_never_silently_ambiguous(self) -> None:
        """An entry called "service" with offering "x" and a service "x"; ids with ':'."""
        catalogue = Catalogue(
            entries=(entry("service", "x", offerings=(offering("crm"),), upgrades=()),),
            graph=ServiceGraph(
                services=(svc("x", ServiceCategory.IAAS), svc("crm", ServiceCategory.IAAS))
            ),
        )

        def paths(*targets: str) -> list[str]:
            return problems(
                lambda: RequirementRegister(
                    catalogue=catalogue, requirements=(requirement("R", satisfied_by=targets),)
                )
            )

        assert paths("service:crm") == ["$.requirements[0].satisfied_by[0]"]
        assert paths("crm") == ["$.requirements[0].satisfied_by[0]"]
        register = RequirementRegister(
            catalogue=catalogue,
            requirements=(
                requirement("R1", satisfied_by=("offering:service:crm",)),
                requirement("R2", satisfied_by=("catalogue-entry:service",)),
            ),
        )
        kinds = [link.kind for r in register for link in register.trace(r).satisfied_by]
        assert kinds == ["offering", "catalogue entry"]

    def test_a_target_named_twice(self) -> None:
        """Two names for one thing in one requirement are refused."""
        assert problems(
            lambda: RequirementRegister(
                catalogue=CATALOGUE,
                requirements=(requirement("R", satisfied_by=("crm", "service:crm")),),
            )
        ) == ["$.requirements[0].satisfied_by[1]"]

    def test_bad_arguments(self) -> None:
        """Queries and updates refuse arguments of the wrong type with cloudsms errors."""
        assert problems(lambda: REGISTER.satisfied_by(["x"])) == ["$.target"]  # type: ignore[arg-type]
        bare = RequirementRegister(requirements=(requirement("R1"),))
        assert problems(lambda: bare.satisfied_by(["x"])) == ["$.target"]  # type: ignore[arg-type]
        with pytest.raises(UnknownReference):
            REGISTER.requirement(None)  # type: ignore[arg-type]
        with pytest.raises(UnknownReference):
            REGISTER.trace(5)  # type: ignore[arg-type]
        assert problems(lambda: REGISTER.with_requirement("x")) == ["$.requirement"]  # type: ignore[arg-type]

    def test_untraced(self) -> None:
        """Lists requirements with no source or nothing satisfying them, in order."""
        assert [r.id for r in REGISTER.untraced()] == ["R3", "R4"]

    def test_unknown_targets_and_repeats(self) -> None:
        """With a catalogue, every target must exist; ids are used once."""
        bad = requirement("R1", satisfied_by=("crm-std", "nowhere"))
        assert problems(
            lambda: RequirementRegister(requirements=(bad, requirement("R1")), catalogue=CATALOGUE)
        ) == ["$.requirements[0].satisfied_by[1]", "$.requirements[1].id"]

    def test_without_catalogue(self) -> None:
        """Keeps ids as given and traces them as unresolved."""
        register = RequirementRegister(requirements=(requirement("R1", satisfied_by=("x",)),))
        assert register.trace("R1").satisfied_by == (
            TraceLink(id="x", kind="unresolved", name="x"),
        )

    def test_queries(self) -> None:
        """By quality, by satisfier, by id, with one more requirement."""
        assert [r.id for r in REGISTER.by_quality("privacy")] == ["R2"]
        assert [r.id for r in REGISTER.satisfied_by("crm-std")] == ["R1", "R3"]
        assert len(REGISTER) == 5
        assert [r.id for r in REGISTER] == ["R1", "R2", "R3", "R4", "R5"]
        changed = REGISTER.with_requirement(requirement("R3"))
        assert changed.untraced() == (REGISTER.requirement("R4"),)
        assert [r.id for r in changed.with_requirement(requirement("R6"))][-1] == "R6"
        assert problems(lambda: REGISTER.by_quality("speed")) == ["$.quality"]
        with pytest.raises(UnknownReference, match="R1"):
            REGISTER.trace("R11")

    @settings(max_examples=examples(60))  # each example draws a whole catalogue
    @given(requirement_registers())
    def test_untraced_is_what_trace_calls_incomplete(self, register: RequirementRegister) -> None:
        """untraced() holds exactly the requirements whose trace is not complete."""
        incomplete = [r for r in register if not register.trace(r).complete]
        assert list(register.untraced()) == incomplete
        for r in register:
            trace = register.trace(r)
            assert isinstance(trace, Trace)
            assert len(trace.satisfied_by) == len(r.satisfied_by)
            if register.catalogue is None:
                assert [link.id for link in trace.satisfied_by] == list(r.satisfied_by)
            else:
                assert all(link.kind != "unresolved" for link in trace.satisfied_by)
                for link in trace.satisfied_by:  # named with its kind: never ambiguous
                    assert r in register.satisfied_by(f"{PREFIXES[link.kind]}:{link.id}")


PREFIXES = {"service": "service", "component": "component", "catalogue entry": "catalogue-entry"}
PREFIXES["offering"] = "offering"


class TestDocuments:
    """Round trips, the schema and bad documents."""

    @given(service_requirements())
    def test_requirement_round_trip(self, value: ServiceRequirement) -> None:
        """Reads its JSON back into an equal requirement."""
        assert from_json(ServiceRequirement, to_json(value)) == value

    @settings(max_examples=examples(40))
    @given(requirement_registers())
    def test_register_round_trip(self, value: RequirementRegister) -> None:
        """Reads its JSON back into an equal register."""
        assert from_json(RequirementRegister, to_json(value)) == value

    def test_schema(self) -> None:
        """The schema accepts what is written."""
        schema = json_schema(RequirementRegister)
        jsonschema.Draft202012Validator.check_schema(schema)
        jsonschema.validate(json.loads(to_json(REGISTER)), schema)

    def test_mutated_document(self) -> None:
        """Reports a wrong enum, a missing field, an unknown key and an unknown target."""
        data: dict[str, Any] = to_dict(attrs.evolve(REGISTER, catalogue=None))
        data["requirements"][0]["quality"] = "speed"
        del data["requirements"][1]["statement"]
        data["requirements"][2]["priority"] = "high"
        with pytest.raises(ValidationError) as info:
            from_dict(RequirementRegister, data)
        assert sorted(info.value.paths) == [
            "$.requirements[0].quality",
            "$.requirements[1].statement",
            "$.requirements[2].priority",
        ]
        full: dict[str, Any] = to_dict(REGISTER)
        full["requirements"][0]["satisfied_by"] = ["ghost"]
        with pytest.raises(ValidationError) as info:
            from_dict(RequirementRegister, full)
        assert info.value.paths == ["$.requirements[0].satisfied_by[0]"]


MODEL_TYPES = [
    ServiceLevel,
    Upgrade,
    Offering,
    Billing,
    Policy,
    Control,
    CatalogueEntry,
    Catalogue,
    RequirementSource,
    ServiceRequirement,
    RequirementRegister,
]


@pytest.mark.parametrize("kind", MODEL_TYPES, ids=lambda k: k.__name__)
@settings(max_examples=examples(15))
@given(data=st.data())
def test_every_type_round_trips_and_fits_its_schema(kind: type, data: st.DataObject) -> None:
    """st.from_type works for every S03/S04 type; JSON is lossless and fits the schema."""
    value = data.draw(st.from_type(kind))
    text = to_json(value)
    assert from_json(kind, text) == value
    jsonschema.validate(json.loads(text), _schema(kind))


_SCHEMAS: dict[type, dict[str, Any]] = {}


def _schema(kind: type) -> dict[str, Any]:
    if kind not in _SCHEMAS:
        _SCHEMAS[kind] = json_schema(kind)
    return _SCHEMAS[kind]
