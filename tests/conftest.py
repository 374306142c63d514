"""Shared test configuration: hypothesis profiles and fixtures."""

from __future__ import annotations

import functools
import importlib
import os
from typing import Any

import attrs
import jsonschema
import pytest
from hypothesis import HealthCheck, settings

from cloudsms import reference
from cloudsms.serialization import json_schema

SMOKE_EXAMPLES = 10

# `ci` is thorough and reproducible; `dev` is quick for the edit-test loop; `smoke` runs
# every test with a few examples (CI's second run, which only looks for skipped tests).
settings.register_profile(
    "ci",
    max_examples=100,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=50, deadline=None)
settings.register_profile(
    "smoke",
    max_examples=SMOKE_EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "dev")
settings.load_profile(PROFILE)


def examples(count: int) -> int:
    """``count`` examples for a property test that sets its own number, few under smoke.

    A test that sets ``max_examples`` overrides the loaded profile; under the smoke
    profile (CI's second run, which looks for skips) such a test runs the profile's few
    examples like every other, and under ci and dev exactly ``count``. Tests that must
    find something (``find``, a machine expected to fail) keep their own number.
    """
    return min(count, SMOKE_EXAMPLES) if PROFILE == "smoke" else count


MODULES = (
    "cloudsms.catalogue",
    "cloudsms.conformity",
    "cloudsms.configuration",
    "cloudsms.context",
    "cloudsms.improvement",
    "cloudsms.levels",
    "cloudsms.money",
    "cloudsms.monitoring",
    "cloudsms.operations",
    "cloudsms.parties",
    "cloudsms.periods",
    "cloudsms.planning",
    "cloudsms.procedures.onboarding",
    "cloudsms.procedures.release",
    "cloudsms.procedures.removal",
    "cloudsms.procedures.resource_change",
    "cloudsms.procedures.termination",
    "cloudsms.procedures.transfer",
    "cloudsms.reference",
    "cloudsms.requirements",
    "cloudsms.resources",
    "cloudsms.services",
)
# Exported attrs classes that are results of queries and procedures, never read from a
# document: they have no strategy of their own (`Release` is what release_to_live returns;
# `Trace` and `TraceLink` are what a requirement register's trace() returns). Named by
# module and name: `cloudsms.operations.Release` is a record of its own.
RESULTS = frozenset(
    {
        "cloudsms.conformity.Assessment",
        "cloudsms.conformity.ClauseAssessment",
        "cloudsms.conformity.Gap",
        "cloudsms.conformity.ProcessAssessment",
        "cloudsms.conformity.ScenarioAssessment",
        "cloudsms.improvement.Contribution",
        "cloudsms.improvement.RankedImprovement",
        "cloudsms.monitoring.ErrorBudget",
        "cloudsms.monitoring.EvidenceItem",
        "cloudsms.monitoring.FleetSummary",
        "cloudsms.monitoring.ServiceLevelReport",
        "cloudsms.monitoring.TargetResult",
        "cloudsms.operations.Breach",
        "cloudsms.operations.IncidentTimes",
        "cloudsms.operations.Timing",
        "cloudsms.procedures.onboarding.OnboardingAllocation",
        "cloudsms.procedures.release.Release",
        "cloudsms.procedures.removal.RemovalRelease",
        "cloudsms.procedures.resource_change.Refusal",
        "cloudsms.procedures.resource_change.ResourceChange",
        "cloudsms.procedures.termination.ExitRelease",
        "cloudsms.reference.CoverageCell",
        "cloudsms.reference.ProcessCoverage",
        "cloudsms.resources.CapacityLeftOut",
        "cloudsms.resources.CapacityLine",
        "cloudsms.resources.CapacityPlan",
        "cloudsms.resources.CapacitySample",
        "cloudsms.resources.CostProfile",
        "cloudsms.resources.CostToServe",
        "cloudsms.resources.Margin",
        "cloudsms.resources.OfferingComparison",
        "cloudsms.resources.OfferingCost",
        "cloudsms.resources.Projection",
        "cloudsms.resources.ServingLine",
        "cloudsms.resources.CostRevision",
        "cloudsms.resources.LeftOut",
        "cloudsms.resources.LeftOutGroup",
        "cloudsms.resources.ThresholdDate",
        "cloudsms.requirements.Trace",
        "cloudsms.requirements.TraceLink",
    }
)


def wire_types() -> list[type]:
    """Every attrs class the public modules export and read from JSON, by module and name."""
    found: list[type] = []
    for name in MODULES:
        module = importlib.import_module(name)
        for attr in module.__all__:
            value = getattr(module, attr)
            if (
                isinstance(value, type)
                and attrs.has(value)
                and f"{name}.{attr}" not in RESULTS
                and value not in found
            ):
                found.append(value)
    return sorted(found, key=lambda k: (k.__module__, k.__name__))


WRONG_VALUES = (5, [[]])  # a number, and a list holding an unhashable item


def public_attrs_classes(module: Any) -> set[type]:
    """The attrs classes a module exports."""
    values = (getattr(module, name) for name in module.__all__)
    return {v for v in values if isinstance(v, type) and attrs.has(v)}


def wrong_fields(valid: dict[type, dict[str, Any]]) -> list[tuple[type, str, object]]:
    """Each (class, field, wrong value) to try against the valid arguments of each class."""
    return [
        (kind, field.name, wrong)
        for kind in valid
        for field in attrs.fields(kind)
        if field.init
        for wrong in WRONG_VALUES
    ]


def assert_refused_at_field(
    kind: type, arguments: dict[str, Any], name: str, wrong: object
) -> None:
    """Building ``kind`` with ``wrong`` in ``name`` raises a ValidationError under that field."""
    from cloudsms.errors import ValidationError  # noqa: PLC0415

    kind(**arguments)
    with pytest.raises(ValidationError) as info:
        kind(**{**arguments, name: wrong})
    assert info.value.subject == kind.__name__
    assert info.value.paths
    assert all(
        p == f"$.{name}" or p.startswith((f"$.{name}[", f"$.{name}.")) for p in info.value.paths
    ), info.value.paths


def overlay(**sections: Any) -> dict[str, Any]:
    """Build an overlay document holding ``sections`` (clauses, scenarios, citations)."""
    return {"type": "cloudsms.reference-overlay", "schema_version": 1, **sections}


@pytest.fixture
def refs() -> reference.ReferenceSet:
    """The shipped reference set."""
    return reference.shipped()


@functools.cache
def schema_validator(kind: type) -> jsonschema.Draft202012Validator:
    """The validator of ``kind``'s JSON Schema, the schema checked against its metaschema once."""
    schema = json_schema(kind)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)
