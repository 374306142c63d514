"""Lifecycle instances on the wire: written with their lifecycle named, read through its guards."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
from typing import Any

import attrs
import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import invariant, run_state_machine_as_test

from cloudsms.catalogue import Catalogue
from cloudsms.errors import InvalidDefinition, Problem, ValidationError, describe
from cloudsms.lifecycle import (
    HistoryEntry,
    LifecycleInstance,
    advance,
    register_lifecycle,
    verify,
)
from cloudsms.parties import COMPLAINT_LIFECYCLE, Complaint
from cloudsms.serialization import document, from_dict, from_json, json_schema, to_dict, to_json
from cloudsms.services import (
    SERVICE_LIFECYCLE,
    CloudService,
    DeploymentModel,
    ServiceCategory,
    ServiceGraph,
)
from cloudsms.testing import cloud_services, complaints, lifecycle_instances, lifecycle_machine

from conftest import examples

T0 = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
RESPONSE = {"response": "We restored the export."}
INSTANCE_SCHEMA = jsonschema.Draft202012Validator(json_schema(LifecycleInstance))


def handled() -> LifecycleInstance:
    """A complaint instance (id ``cmp-1``) that was handled once."""
    return COMPLAINT_LIFECYCLE.begin(id="cmp-1").apply(
        "handle", who="actor:desk", when=T0, data=RESPONSE
    )


def written_entry(
    event: str, source: str, target: str, data: dict[str, Any], *, after: str = ""
) -> dict[str, Any]:
    """A history entry as the converter writes it, by actor:desk at T0.

    ``after`` is the hash before it (the genesis, or the previous entry's): the entry
    then carries its own hash, recomputed here from the documented link (SHA-256 of
    the previous hash's bytes and the entry's canonical bytes); without it, no hash.
    """
    written = {
        "who": "actor:desk",
        "when": "2026-03-02T09:00:00+00:00",
        "event": event,
        "source": source,
        "target": target,
        "data": data,
        "hash": "",
    }
    if after:
        canonical = from_dict(HistoryEntry, written).canonical()
        written["hash"] = hashlib.sha256(bytes.fromhex(after) + canonical).hexdigest()
    return written


def v2_entry(
    event: str, source: str, target: str, data: dict[str, Any], who: str = "desk"
) -> dict[str, Any]:
    """A history entry as a version-2 document kept it: free-text who, no hash."""
    written = written_entry(event, source, target, data)
    del written["hash"]
    return {**written, "who": who}


class TestWritten:
    """The instance's JSON: its lifecycle's name, id, chain, state, context and history."""

    def test_hand_written(self) -> None:
        """Writes exactly the six keys for an instance that began at the initial state.

        Each entry carries the hash that links it to the genesis; the head is the last.
        """
        instance = handled()
        data = to_dict(instance)
        assert data == {
            "lifecycle": "complaint",
            "id": "cmp-1",
            "chain": "sha256",
            "state": "handled",
            "context": {},
            "history": [
                written_entry("handle", "received", "handled", RESPONSE, after=instance.genesis)
            ],
        }
        assert list(data) == ["lifecycle", "id", "chain", "state", "context", "history"]
        assert data["history"][0]["hash"] == instance.head
        INSTANCE_SCHEMA.validate(data)

    def test_origin_written_only_when_not_initial(self) -> None:
        """Writes the origin of a history that begins later, and reads it back.

        An origin equal to the initial state is no origin: the key is left out.
        """
        later = COMPLAINT_LIFECYCLE.begin(id="cmp-1", origin="handled")
        data = to_dict(later)
        assert data == {
            "lifecycle": "complaint",
            "id": "cmp-1",
            "chain": "sha256",
            "origin": "handled",
            "state": "handled",
            "context": {},
            "history": [],
        }
        assert from_dict(LifecycleInstance, data) == later
        INSTANCE_SCHEMA.validate(data)
        initial = to_dict(COMPLAINT_LIFECYCLE.begin(id="cmp-1", origin="received"))
        assert initial == {
            "lifecycle": "complaint",
            "id": "cmp-1",
            "chain": "sha256",
            "state": "received",
            "context": {},
            "history": [],
        }

    @settings(max_examples=examples(30), deadline=None)
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
        """Reads the service lifecycle's instance, whose design guard runs again.

        An edited entry breaks the chain at its hash; re-sealed by someone who knows
        the chain's rule (but not one with a key), the design guard still refuses it.
        """
        review = {
            "capacity_requirement": "400 vcpu",
            "availability_required": "99.9",
            "availability_designed": "99.95",
            "shared_resource_security": "isolation reviewed",
            "sla": "new",
        }
        designed = SERVICE_LIFECYCLE.begin(id="crm").apply(
            "design", who="actor:desk", when=T0, data={"review": review}
        )
        assert from_dict(LifecycleInstance, to_dict(designed)) == designed
        data = to_dict(designed)
        data["history"][0]["data"]["review"]["sla"] = None
        with pytest.raises(ValidationError) as info:
            from_dict(LifecycleInstance, data)
        assert info.value.paths == ["$.history[0].hash"]
        edited = {k: v for k, v in data["history"][0].items() if k != "hash"}
        data["history"][0] = written_entry(
            edited["event"],
            edited["source"],
            edited["target"],
            edited["data"],
            after=designed.genesis,
        )
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
        """Lists missing and unknown keys and wrong shapes together (id and chain included)."""
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
            "$.id",
            "$.chain",
            "$.state",
            "$.colour",
            "$.lifecycle",
            "$.history[0].when",
            "$.history[0].event",
            "$.history[0].source",
            "$.history[0].target",
            "$.history[0].data",
            "$.history[0].hash",
            "$.context",
            "$.origin",
        ]
        with pytest.raises(ValidationError) as info:
            from_dict(LifecycleInstance, {**to_dict(handled()), "id": "no spaces", "chain": "md5"})
        assert info.value.paths == ["$.chain"]
        with pytest.raises(ValidationError) as info:
            from_dict(LifecycleInstance, {**to_dict(handled()), "id": "no spaces"})
        assert info.value.paths == ["$.id"]

    @pytest.mark.parametrize("chain", [["sha256"], {"kind": "sha256"}, 256, None])
    def test_a_chain_that_is_not_text(self, chain: object) -> None:
        """A chain of another JSON type is a problem at $.chain, not a TypeError."""
        with pytest.raises(ValidationError) as info:
            from_dict(LifecycleInstance, {**to_dict(handled()), "chain": chain})
        assert "$.chain" in info.value.paths

    def test_replay_problems_with_the_others(self) -> None:
        """Reports a refused entry, a bad origin and an unknown key in one error."""
        start = COMPLAINT_LIFECYCLE.begin(id="cmp-1", origin="handled", context={"x": 1})
        entry = written_entry(
            "close", "handled", "closed", {"outcome": "bribed"}, after=start.genesis
        )
        data = {
            "lifecycle": "complaint",
            "id": "cmp-1",
            "chain": "sha256",
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


# ---------------------------------------------------------------------- versioned records
V1_SERVICE = {
    "id": "crm",
    "name": "CRM",
    "category": "SaaS",
    "deployment_models": ["public"],
    "owner": "sales-it",
    "lifecycle_state": "live",
    "components": ["db"],
}


def v3_service_body(**lifecycle: Any) -> dict[str, Any]:
    """The version-3 body ``V1_SERVICE`` becomes, with ``lifecycle`` as its instance."""
    return {
        "id": "crm",
        "name": "CRM",
        "category": "SaaS",
        "deployment_models": ["public"],
        "owner": "sales-it",
        "lifecycle": lifecycle,
        "components": ["db"],
    }


LIVE_UNRECORDED = {
    "lifecycle": "cloud_service",
    "id": "crm",
    "chain": "sha256",
    "origin": "live",
    "state": "live",
    "context": {},
    "history": [],
}


V2_LIVE_UNRECORDED = {
    "lifecycle": "cloud_service",
    "origin": "live",
    "state": "live",
    "context": {},
    "history": [],
}
"""The instance of ``V1_SERVICE`` as a version-2 document wrote it: no id, no chain."""


class TestServiceVersions:
    """CloudService documents are version 3; bodies of versions 1 and 2 still load, anywhere."""

    def test_version_1_alone(self) -> None:
        """Reads a headerless version-1 service as an instance at its state, with no history.

        The instance is bound to the service's id, and written back as version 3.
        """
        service = from_dict(CloudService, V1_SERVICE)
        assert service.lifecycle_state == "live"
        assert service.lifecycle.history() == ()
        assert service.lifecycle.id == "crm"
        assert verify(service.lifecycle) is None
        assert to_dict(service) == {
            "type": "cloudsms.cloud-service",
            "schema_version": 3,
            **v3_service_body(**LIVE_UNRECORDED),
        }
        assert from_dict(CloudService, to_dict(service)) == service

    def test_version_1_nested(self) -> None:
        """Reads version-1 services inside a graph, each at its state, and writes version 3."""
        planned = {k: v for k, v in V1_SERVICE.items() if k != "lifecycle_state"}
        planned["id"], planned["components"] = "wiki", []
        graph_v1 = {
            "services": [V1_SERVICE, {**planned, "lifecycle_state": "planned"}, planned],
            "components": [{"id": "db", "name": "Database", "kind": "software"}],
        }
        with pytest.raises(ValidationError) as info:  # the two wikis share an id
            from_json(ServiceGraph, json.dumps(graph_v1))
        assert info.value.paths == ["$.services[2].id"]
        graph_v1["services"] = graph_v1["services"][:2]
        graph = from_json(ServiceGraph, json.dumps(graph_v1))
        wiki_planned = {
            "lifecycle": "cloud_service",
            "id": "wiki",
            "chain": "sha256",
            "state": "planned",
            "context": {},
            "history": [],
        }
        assert to_dict(graph) == {
            "services": [
                v3_service_body(**LIVE_UNRECORDED),
                {**v3_service_body(**wiki_planned), "id": "wiki", "components": []},
            ],
            "components": [
                {"id": "db", "name": "Database", "kind": "software", "description": ""}
            ],
            "dependencies": [],
        }
        assert graph.service("wiki") == from_dict(CloudService, planned)
        assert from_json(ServiceGraph, to_json(graph)) == graph

    def test_version_1_inside_a_catalogue(self) -> None:
        """Upgrades a service two levels down, where the catalogue's graph holds it."""
        db = {"id": "db", "name": "Database", "kind": "software"}
        graph = {"services": [V1_SERVICE], "components": [db]}
        catalogue = from_dict(Catalogue, {"entries": [], "graph": graph})
        assert catalogue.graph.service("crm").lifecycle.origin == "live"
        assert to_dict(catalogue)["graph"]["services"][0]["lifecycle"] == LIVE_UNRECORDED

    def test_version_1_problems_with_the_others(self) -> None:
        """Names a bad version-1 state at its own key, with every other problem of the body."""
        bad = {**V1_SERVICE, "lifecycle_state": "dreaming", "owner": " "}
        with pytest.raises(ValidationError) as info:
            from_dict(ServiceGraph, {"services": [bad, {**bad, "id": "erp", "colour": "red"}]})
        assert info.value.errors == [
            (
                "expected one of planned, designed, built, tested, live, retiring, retired, "
                "got 'dreaming' (string) @ $.services[0].lifecycle_state"
            ),
            "expected a non-empty string, got ' ' (string) @ $.services[0].owner",
            (
                "expected one of planned, designed, built, tested, live, retiring, retired, "
                "got 'dreaming' (string) @ $.services[1].lifecycle_state"
            ),
            (
                "expected one of the keys id, name, category, deployment_models, owner, "
                "lifecycle, components, got key 'colour' @ $.services[1].colour"
            ),
        ]
        with pytest.raises(ValidationError) as info:
            from_dict(CloudService, {**V1_SERVICE, "lifecycle_state": 5})
        assert info.value.paths == ["$.lifecycle_state"]
        with pytest.raises(ValidationError) as info:
            from_dict(CloudService, {**V1_SERVICE, "lifecycle_state": 5, "id": "no spaces"})
        assert info.value.paths == ["$.lifecycle_state", "$.id"]

    def test_a_version_1_header(self) -> None:
        """Reads a version-1 body under a header that says so; refuses versions it lacks."""
        marked = {"type": "cloudsms.cloud-service", "schema_version": 1, **V1_SERVICE}
        assert from_dict(CloudService, marked) == from_dict(CloudService, V1_SERVICE)
        with pytest.raises(ValidationError) as info:
            from_dict(CloudService, {**marked, "schema_version": 4})
        assert info.value.errors == [
            (
                "expected one of 1, 2, 3 (the versions of cloudsms.cloud-service this cloudsms "
                "reads), got 4 (integer) @ $.schema_version"
            )
        ]

    def test_version_3_needs_its_header(self) -> None:
        """Refuses a version-3 body without a header at the top, and a version-1 key in it."""
        body = v3_service_body(**LIVE_UNRECORDED)
        with pytest.raises(ValidationError) as info:
            from_dict(CloudService, body)
        assert info.value.errors == ["expected 'cloudsms.cloud-service', got nothing @ $.type"]
        marked = {"type": "cloudsms.cloud-service", "schema_version": 3, **body}
        assert from_dict(CloudService, marked) == from_dict(CloudService, V1_SERVICE)
        with pytest.raises(ValidationError) as info:
            from_dict(CloudService, {**marked, "lifecycle_state": "live"})
        assert info.value.paths == ["$.lifecycle_state"]
        v2_marked = {**marked, "schema_version": 2, "lifecycle": V2_LIVE_UNRECORDED}
        with pytest.raises(ValidationError) as info:
            from_dict(CloudService, {**v2_marked, "lifecycle_state": "live"})
        assert info.value.paths == ["$.lifecycle_state"]

    def test_version_2(self) -> None:
        """Reads a version-2 service: bound to its id, who made an actor id, sealed; writes 3.

        The history (kept without id, chain or hashes, ``who`` as free text) is
        replayed through the design guard and its chain computed on reading.
        """
        history = [v2_entry("design", "planned", "designed", {"review": REVIEW})]
        v2 = {
            "type": "cloudsms.cloud-service",
            "schema_version": 2,
            **v3_service_body(
                lifecycle="cloud_service", state="designed", context={}, history=history
            ),
        }
        service = from_dict(CloudService, v2)
        assert service.lifecycle.id == "crm"
        assert service.lifecycle_state == "designed"
        assert [e.who for e in service.lifecycle.history()] == ["actor:desk"]
        assert verify(service.lifecycle) is None
        written = to_dict(service)
        assert written["schema_version"] == 3
        assert written["lifecycle"]["id"] == "crm"
        assert written["lifecycle"]["chain"] == "sha256"
        assert written["lifecycle"]["history"] == [
            {
                **written_entry("design", "planned", "designed", {"review": REVIEW}),
                "hash": service.lifecycle.head,
            }
        ]
        assert from_dict(CloudService, written) == service
        applied = advance(CRM, "design", who="actor:desk", when=T0, data={"review": REVIEW})
        assert service.lifecycle == applied.lifecycle

    @settings(max_examples=examples(40), deadline=None)
    @given(cloud_services())
    def test_round_trip(self, service: CloudService) -> None:
        """Reads back every service it writes, history and all, valid under the schema."""
        text = to_json(service)
        SERVICE_SCHEMA.validate(json.loads(text))
        assert from_json(CloudService, text) == service
        assert service.lifecycle_state == service.lifecycle.state

    def test_strategy_draws_histories(self) -> None:
        """Draws services whose instances hold real histories, the design guard passed."""
        seen: set[str] = set()

        @settings(max_examples=60, deadline=None, database=None)
        @given(cloud_services())
        def draw(service: CloudService) -> None:
            seen.update(e.event for e in service.lifecycle.history())

        draw()
        assert "design" in seen


V1_COMPLAINT = {
    "id": "cmp-1",
    "customer_id": "acme",
    "received_at": "2026-03-02T09:00:00+00:00",
    "summary": "Reports late",
    "service_id": None,
    "channel": "email",
    "state": "handled",
}


def v2_complaint(who: str = "desk") -> dict[str, Any]:
    """A version-2 complaint document, handled once by ``who`` (no id, chain or hashes)."""
    body = {k: v for k, v in V1_COMPLAINT.items() if k != "state"}
    return copy.deepcopy(
        {
            "type": "cloudsms.complaint",
            "schema_version": 2,
            **body,
            "lifecycle": {
                "lifecycle": "complaint",
                "state": "handled",
                "context": {},
                "history": [v2_entry("handle", "received", "handled", RESPONSE, who=who)],
            },
        }
    )


class TestComplaintVersions:
    """Complaint documents are version 3; version-1 and version-2 bodies still load."""

    def test_version_1(self) -> None:
        """Reads a version-1 complaint as an instance at its state, and writes version 3."""
        complaint = from_dict(Complaint, V1_COMPLAINT)
        assert to_dict(complaint) == {
            "type": "cloudsms.complaint",
            "schema_version": 3,
            "id": "cmp-1",
            "customer_id": "acme",
            "received_at": "2026-03-02T09:00:00+00:00",
            "summary": "Reports late",
            "service_id": None,
            "channel": "email",
            "lifecycle": {
                "lifecycle": "complaint",
                "id": "cmp-1",
                "chain": "sha256",
                "origin": "handled",
                "state": "handled",
                "context": {},
                "history": [],
            },
        }
        closed = advance(
            complaint, "close", who="actor:desk", when=T0, data={"outcome": "resolved"}
        )
        assert from_json(Complaint, to_json(closed)) == closed
        received = {k: v for k, v in V1_COMPLAINT.items() if k != "state"}
        assert from_dict(Complaint, received).lifecycle == COMPLAINT_LIFECYCLE.begin(id="cmp-1")

    def test_version_2(self) -> None:
        """Reads a version-2 complaint: bound to its id, ``desk`` made ``actor:desk``, sealed.

        Its chain verifies, and it is written back as version 3 that reads back equal.
        """
        complaint = from_dict(Complaint, v2_complaint())
        assert complaint.lifecycle.id == "cmp-1"
        assert complaint.state == "handled"
        assert [e.who for e in complaint.lifecycle.history()] == ["actor:desk"]
        assert verify(complaint.lifecycle) is None
        assert verify(complaint.lifecycle, expected_head=complaint.lifecycle.head) is None
        assert complaint.lifecycle == handled()
        written = to_dict(complaint)
        assert written["schema_version"] == 3
        assert written["lifecycle"] == to_dict(handled())
        assert from_dict(Complaint, written) == complaint
        headerless = {
            k: v for k, v in v2_complaint().items() if k not in ("type", "schema_version")
        }
        assert from_dict(Complaint, headerless) == complaint  # read by its older shape

    def test_version_2_actor_ids(self) -> None:
        """Keeps a version-2 who that is already an actor id; refuses a name or an e-mail.

        The refusal names the who alone (not the keys version 2 never had), and never
        shows the refused text; nothing is built.
        """
        kept = from_dict(Complaint, v2_complaint(who="actor:desk"))
        assert kept == from_dict(Complaint, v2_complaint())
        for who in ("Alice Smith", "alice@example.com"):
            with pytest.raises(ValidationError) as info:
                from_dict(Complaint, v2_complaint(who=who))
            assert info.value.errors[0] == (
                "expected text that can become an actor id (letters, digits, '.', '_', ':' or "
                "'-'); map people to actor ids before upgrading, got <redacted> (string) "
                "@ $.lifecycle.history[0].who"
            )
            assert info.value.paths == ["$.lifecycle.history[0].who"]
            assert who not in str(info.value)  # likely personal: never shown

    def test_version_2_state_must_be_where_the_history_leads(self) -> None:
        """Refuses a version-2 state its history does not reach, as version 3 does."""
        stale = v2_complaint()
        stale["lifecycle"]["state"] = "received"
        with pytest.raises(ValidationError) as info:
            from_dict(Complaint, stale)
        assert info.value.paths == ["$.lifecycle.state"]

    def test_version_1_bad_state(self) -> None:
        """Names a bad version-1 state at $.state, with the other problems."""
        with pytest.raises(ValidationError) as info:
            from_dict(Complaint, {**V1_COMPLAINT, "state": "lost", "summary": ""})
        assert info.value.errors == [
            "expected one of received, handled, closed, got 'lost' (string) @ $.state",
            "expected a non-empty string, got '' (string) @ $.summary",
        ]

    def test_history_checked_against_the_receipt(self) -> None:
        """Refuses a stored history that begins before the complaint was received."""
        complaint = advance(
            from_dict(Complaint, {**V1_COMPLAINT, "state": "received"}),
            "handle",
            who="actor:desk",
            when=T0,
            data=RESPONSE,
        )
        data = to_dict(complaint)
        data["received_at"] = "2026-03-02T10:00:00+00:00"
        with pytest.raises(ValidationError) as info:
            from_dict(Complaint, data)
        assert info.value.paths == ["$.lifecycle.history[0].when"]


class TestDocumentDeclaration:
    """document() checks its upgrades when declared, and runs them wherever a class is read."""

    @pytest.mark.parametrize(
        ("arguments", "faults"),
        [
            ({"version": 0}, ["the version must be a positive integer, not 0 (integer)"]),
            (
                {"version": 3, "upgrades": {1: dict}},
                [
                    "upgrades and version_of are given together, or neither",
                    "no upgrade from version 2",
                ],
            ),
            (
                {"version": 3, "upgrades": {1: dict}, "version_of": len},
                ["no upgrade from version 2"],
            ),
            (
                {"version": 2, "upgrades": {2: dict, 1: "step"}, "version_of": 5},
                [
                    "version_of must be a function, not 5 (integer)",
                    "2 (integer) is not an older version (1 to 1)",
                    "the upgrade from 1 is not a function",
                ],
            ),
        ],
        ids=["version", "alone", "a gap", "wrong parts"],
    )
    def test_faults(self, arguments: dict[str, Any], faults: list[str]) -> None:
        """Lists every fault of a declaration of versions."""
        with pytest.raises(InvalidDefinition) as info:
            document("cloudsms.example", **arguments)
        assert list(info.value.problems) == faults

    def test_two_steps_nested(self) -> None:
        """Takes a nested version-1 body through two steps, and a version-2 one through one."""
        assert from_dict(
            Shelf, {"notes": [{"text": "a"}, {"words": "b"}, {"body": "c"}]}
        ) == Shelf(notes=(Note(body="a"), Note(body="b"), Note(body="c")))
        marked = {"type": "cloudsms.note", "schema_version": 2, "words": "b"}
        assert from_dict(Note, marked) == Note(body="b")
        with pytest.raises(ValidationError) as info:
            from_dict(Shelf, {"notes": [{"text": 5}, {"type": "cloudsms.other", "body": "x"}]})
        assert info.value.errors == [  # the text left out leaves the body without a value
            "expected text, got 5 (integer) @ $.notes[0].text",
            "expected a value (required), got nothing @ $.notes[0].body",
            "expected 'cloudsms.note', got 'cloudsms.other' (string) @ $.notes[1].type",
        ]


def _text_to_words(body: dict[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    """Version 1 to 2 of the test note: ``text`` became ``words``."""
    rest = {k: v for k, v in body.items() if k != "text"}
    if not isinstance(body.get("text"), str):
        return rest, [Problem("$.text", "text", describe(body.get("text")))]
    return {**rest, "words": body["text"]}, []


def _words_to_body(body: dict[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    """Version 2 to 3 of the test note: ``words`` became ``body``."""
    if "words" not in body:
        return body, []
    rest = {k: v for k, v in body.items() if k != "words"}
    return {**rest, "body": body["words"]}, []


@document(
    "cloudsms.note",
    version=3,
    upgrades={1: _text_to_words, 2: _words_to_body},
    version_of=lambda body: 1 if "text" in body else 2 if "words" in body else 3,
)
@attrs.frozen
class Note:
    """A test document whose one field was renamed twice."""

    body: str


@attrs.frozen
class Shelf:
    """A test value holding notes, which carry no header there."""

    notes: tuple[Note, ...] = ()


SERVICE_SCHEMA = jsonschema.Draft202012Validator(json_schema(CloudService))
REVIEW = {
    "capacity_requirement": "400 vcpu",
    "availability_required": "99.9",
    "availability_designed": "99.95",
    "shared_resource_security": "tenant isolation reviewed",
    "sla": "new",
}
SERVICE_DATA = st.one_of(
    st.just({}),
    st.just({"review": REVIEW}),
    st.just({"review": {**REVIEW, "sla": None}}),
    st.just({"change": "CHG-1"}),
)
CRM = CloudService(
    id="crm",
    name="CRM",
    category=ServiceCategory.SAAS,
    deployment_models={DeploymentModel.PUBLIC},
    owner="sales-it",
)


class ServiceRecordRules(lifecycle_machine(SERVICE_LIFECYCLE, data=SERVICE_DATA, record=CRM)):  # type: ignore[misc]
    """A service moved by advance(): its state is its instance's, and its document reads back."""

    @invariant()
    def state_is_the_instances(self) -> None:
        """lifecycle_state is always the state of the instance the service holds."""
        assert self.record.lifecycle_state == self.record.lifecycle.state == self.instance.state

    @invariant()
    def document_reads_back(self) -> None:
        """The written version-3 document reads back equal, through the guards and chain."""
        text = to_json(self.record)
        assert json.loads(text)["schema_version"] == 3
        assert from_json(CloudService, text) == self.record
        assert verify(self.record.lifecycle) is None
        assert self.record.lifecycle.id == CRM.id

    @invariant()
    def only_the_lifecycle_moves(self) -> None:
        """Every field but the lifecycle is as the service began."""
        assert attrs.evolve(self.record, lifecycle=CRM.lifecycle) == CRM


ServiceRecordRules.TestCase.settings = settings(
    max_examples=examples(30), stateful_step_count=15, deadline=None
)
TestServiceRecordLifecycle = ServiceRecordRules.TestCase


class TestRecordMachine:
    """lifecycle_machine(record=...) needs a record holding an instance of its lifecycle."""

    def test_refuses_a_record_of_another_lifecycle(self) -> None:
        """Refuses, when the machine is made, a record without an instance of the lifecycle."""
        complaint = from_dict(Complaint, V1_COMPLAINT)
        with pytest.raises(ValidationError) as info:
            lifecycle_machine(SERVICE_LIFECYCLE, record=complaint)
        assert info.value.errors == [
            (
                "expected an instance of the 'cloud_service' lifecycle, got an instance of "
                "'complaint' @ $.record.lifecycle"
            )
        ]
        with pytest.raises(ValidationError) as info:
            lifecycle_machine(SERVICE_LIFECYCLE, record={"lifecycle": CRM.lifecycle})
        assert info.value.paths == ["$.record.lifecycle"]

    def test_runs_from_a_record_with_a_history(self) -> None:
        """Starts its clock after the record's last event, so every event it draws can apply."""
        later = dt.datetime(2030, 6, 1, tzinfo=dt.UTC)
        designed = advance(CRM, "design", who="actor:pm", when=later, data={"review": REVIEW})
        machine = lifecycle_machine(SERVICE_LIFECYCLE, data=SERVICE_DATA, record=designed)
        moved: list[int] = []

        class Counted(machine):  # type: ignore[misc,valid-type]
            def teardown(self) -> None:
                moved.append(len(self.record.lifecycle.history()))
                assert self.clock >= later

        run_state_machine_as_test(
            Counted, settings=settings(max_examples=10, stateful_step_count=5, deadline=None)
        )
        assert max(moved) > 1


class TestShapes:
    """What is not an object where a document or an instance belongs is named at its path."""

    def test_not_objects(self) -> None:
        """Refuses a number as a service document, and as a service inside a graph."""
        with pytest.raises(ValidationError) as info:
            from_dict(CloudService, 5)
        assert info.value.errors == ["expected a JSON object, got 5 (integer) @ $"]
        with pytest.raises(ValidationError) as info:
            from_dict(ServiceGraph, {"services": [5]})
        assert info.value.errors == [
            "expected an object (a CloudService), got 5 (integer) @ $.services[0]"
        ]

    def test_instance_without_its_lifecycle(self) -> None:
        """Names a missing lifecycle, a name like no other, and a registration that is broken."""
        data = to_dict(handled())
        del data["lifecycle"]
        with pytest.raises(ValidationError) as info:
            from_dict(LifecycleInstance, data)
        assert info.value.errors == ["expected a value (required), got nothing @ $.lifecycle"]
        with pytest.raises(ValidationError) as info:
            from_dict(LifecycleInstance, {**data, "lifecycle": "zzz"})
        assert info.value.errors == [
            "expected the name of a registered lifecycle, got 'zzz' (string) @ $.lifecycle"
        ]
        register_lifecycle("broken_for_reading", "cloudsms.nowhere:LIFECYCLE")
        with pytest.raises(ValidationError) as info:
            from_dict(LifecycleInstance, {**data, "lifecycle": "broken_for_reading"})
        assert info.value.errors == [
            (
                "expected a registered lifecycle that loads, got 'broken_for_reading' (string), "
                "whose registration is broken: 'cloudsms.nowhere:LIFECYCLE' names a module that "
                "cannot be imported (No module named 'cloudsms.nowhere') @ $.lifecycle"
            )
        ]


class TestComplaintStrategy:
    """complaints() draws complaints with real histories, in the states asked for."""

    @settings(max_examples=examples(30), deadline=None)
    @given(complaints(states=("closed",)))
    def test_only_the_states_asked_for(self, complaint: Complaint) -> None:
        """Draws only closed complaints when asked, none with an event before its receipt."""
        assert complaint.state == "closed"
        history = complaint.lifecycle.history()
        assert all(e.when.astimezone(dt.UTC) >= complaint.received_at for e in history)
