"""Shared test configuration: hypothesis profiles and fixtures."""

from __future__ import annotations

import os
from typing import Any

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


def overlay(**sections: Any) -> dict[str, Any]:
    """Build an overlay document holding ``sections`` (clauses, scenarios, citations)."""
    return {"type": "cloudsms.reference-overlay", "schema_version": 1, **sections}


@pytest.fixture
def refs() -> reference.ReferenceSet:
    """The shipped reference set."""
    return reference.shipped()
