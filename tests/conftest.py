"""Shared test configuration: hypothesis profiles and fixtures."""

from __future__ import annotations

import importlib
import os
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, settings

from cloudsms import reference

# `ci` is thorough and reproducible; `dev` is quick for the edit-test loop.
settings.register_profile(
    "ci",
    max_examples=200,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=50, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


MODULES = (
    "cloudsms.catalogue",
    "cloudsms.configuration",
    "cloudsms.context",
    "cloudsms.money",
    "cloudsms.parties",
    "cloudsms.periods",
    "cloudsms.planning",
    "cloudsms.reference",
    "cloudsms.requirements",
    "cloudsms.services",
)
# Exported attrs classes that are results of queries and procedures, never read from a
# document: they have no strategy of their own (`Release` holds a LifecycleInstance, which
# is read back only through its lifecycle's resume()).
RESULTS = frozenset({"Release", "Trace", "TraceLink"})


def wire_types() -> list[type]:
    """Every attrs class the public modules export and read from JSON, by module and name."""
    found: list[type] = []
    for name in MODULES:
        module = importlib.import_module(name)
        for attr in module.__all__:
            value = getattr(module, attr)
            if isinstance(value, type) and attrs.has(value) and attr not in RESULTS:
                found.append(value)
    return sorted(found, key=lambda k: (k.__module__, k.__name__))


def overlay(**sections: Any) -> dict[str, Any]:
    """Build an overlay document holding ``sections`` (clauses, scenarios, citations)."""
    return {"type": "cloudsms.reference-overlay", "schema_version": 1, **sections}


@pytest.fixture
def refs() -> reference.ReferenceSet:
    """The shipped reference set."""
    return reference.shipped()
