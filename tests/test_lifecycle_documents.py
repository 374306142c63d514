"""Lifecycle instances on the wire: written with their lifecycle named, read through its guards."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cloudsms.errors import ValidationError
from cloudsms.lifecycle import LifecycleInstance
from cloudsms.parties import COMPLAINT_LIFECYCLE
from cloudsms.serialization import from_dict, json_schema, to_dict
from cloudsms.services import SERVICE_LIFECYCLE
from cloudsms.testing import lifecycle_instances

T0 = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
RESPONSE = {"response": "We restored the export."}
INSTANCE_SCHEMA = jsonschema.Draft202012Validator(json_schema(LifecycleInstance))


def handled() -> LifecycleInstance:
    """A complaint instance that was handled once."""
    return COMPLAINT_LIFECYCLE.begin().apply("handle", who="desk", when=T0, data=RESPONSE)


def written_entry(event: str, source: str, target: str, data: dict[str, Any]) -> dict[str, Any]:
    """A history entry as the converter writes it, by desk at T0."""
    return {
        "who": "desk",
        "when": "2026-03-02T09:00:00+00:00",
        "event": event,
        "source": source,
        "target": target,
        "data": data,
    }


class TestWritten:
    """The instance's JSON: its lifecycle's name, state, context and history."""

    def test_hand_written(self) -> None:
        """Writes exactly the four keys for an instance that began at the initial state."""
        assert to_dict(handled()) == {
            "lifecycle": "complaint",
            "state": "handled",
            "context": {},
            "history": [written_entry("handle", "received", "handled", RESPONSE)],
        }

    def test_origin_written_only_when_not_initial(self) -> None:
        """Writes the origin of a history that begins later, and reads it back."""
        later = COMPLAINT_LIFECYCLE.begin(origin="handled")
        data = to_dict(later)
        assert data == {
            "lifecycle": "complaint",
            "origin": "handled",
            "state": "handled",
            "context": {},
            "history": [],
        }
        assert from_dict(LifecycleInstance, data) == later
        INSTANCE_SCHEMA.validate(data)

    @settings(max_examples=30, deadline=None)
    @given(
        lifecycle_instances(
            COMPLAINT_LIFECYCLE,
            data=st.fixed_dictionaries(
                {
                    "response": st.sampled_from(["", "Fixed"]),
                    "reason": st.sampled_from(["", "Still broken"]),
                    "outcome": st.sampled_from(["resolved", "nope"]),
                }
            ),
            context=st.dictionaries(st.sampled_from(["a", "b"]), st.integers(0, 9)),
            origins=st.sampled_from([None, "received", "handled"]),
        )
    )
    def test_round_trip(self, instance: LifecycleInstance) -> None:
        """Reads back what it writes, valid under the schema."""
        data = to_dict(instance)
        INSTANCE_SCHEMA.validate(data)
        assert from_dict(LifecycleInstance, json.loads(json.dumps(data))) == instance


class TestRead:
    """Reading looks the lifecycle up by name and replays the history through its guards."""

    def test_reads_a_service_instance(self) -> None:
        """Reads the service lifecycle's instance, whose design guard runs again."""
        review = {
            "capacity_requirement": "400 vcpu",
            "availability_required": "99.9",
            "availability_designed": "99.95",
            "shared_resource_security": "isolation reviewed",
            "sla": "new",
        }
        designed = SERVICE_LIFECYCLE.begin().apply(
            "design", who="desk", when=T0, data={"review": review}
        )
        assert from_dict(LifecycleInstance, to_dict(designed)) == designed
        data = to_dict(designed)
        data["history"][0]["data"]["review"]["sla"] = None
        with pytest.raises(ValidationError) as info:
            from_dict(LifecycleInstance, data)
        assert info.value.errors == [
            (
                "expected an event the guard 'design_checks' allows, got 'design', refused: "
                "design checks not met: SLA reused or new @ $.history[0]"
            )
        ]

    def test_unknown_lifecycle(self) -> None:
        """Names an unregistered lifecycle at $.lifecycle, with a close name."""
        data = {**to_dict(handled()), "lifecycle": "complaints"}
        with pytest.raises(ValidationError) as info:
            from_dict(LifecycleInstance, data)
        assert info.value.errors == [
            (
                "expected the name of a registered lifecycle, got 'complaints' (string); "
                "did you mean complaint? @ $.lifecycle"
            )
        ]

    def test_state_must_be_where_the_history_leads(self) -> None:
        """Refuses a stored state the history does not reach, at $.state."""
        data = {**to_dict(handled()), "state": "closed"}
        with pytest.raises(ValidationError) as info:
            from_dict(LifecycleInstance, data)
        assert info.value.errors == [
            "expected 'handled', where the history leads, got 'closed' (string) @ $.state"
        ]

    def test_every_problem_with_its_path(self) -> None:
        """Lists missing and unknown keys and wrong shapes together."""
        data = {
            "lifecycle": 7,
            "origin": ["handled"],
            "context": [],
            "history": [{"who": "desk"}],
            "colour": "red",
        }
        with pytest.raises(ValidationError) as info:
            from_dict(LifecycleInstance, data)
        assert info.value.paths == [
            "$.state",
            "$.colour",
            "$.lifecycle",
            "$.history[0].when",
            "$.history[0].event",
            "$.history[0].source",
            "$.history[0].target",
            "$.history[0].data",
            "$.context",
            "$.origin",
        ]

    def test_replay_problems_with_the_others(self) -> None:
        """Reports a refused entry, a bad origin and an unknown key in one error."""
        entry = written_entry("close", "handled", "closed", {"outcome": "bribed"})
        data = {
            "lifecycle": "complaint",
            "origin": "handled",
            "state": "closed",
            "context": {"x": 1},
            "history": [entry],
            "note": "",
        }
        with pytest.raises(ValidationError) as info:
            from_dict(LifecycleInstance, data)
        assert info.value.paths == ["$.note", "$.history[0]"]
        data = {**data, "origin": "archived"}
        del data["note"]
        with pytest.raises(ValidationError) as info:
            from_dict(LifecycleInstance, data)
        assert info.value.errors == [
            (
                "expected a state of the 'complaint' lifecycle or null, got 'archived' (string) "
                "@ $.origin"
            )
        ]

    def test_not_an_object(self) -> None:
        """Refuses a state given where an instance belongs."""
        with pytest.raises(ValidationError) as info:
            from_dict(LifecycleInstance, "handled")
        assert info.value.errors == [
            "expected a lifecycle instance object, got 'handled' (string) @ $"
        ]
