"""cloudsms.configuration: items and records that keep every version."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings

from cloudsms.configuration import (
    ConfigurationItem,
    ConfigurationRecord,
    ConfigurationVersion,
    Relation,
    RelationKind,
)
from cloudsms.errors import ValidationError
from cloudsms.serialization import from_dict, from_json, json_schema, to_dict, to_json
from cloudsms.testing import configuration_items, configuration_records

from conftest import examples

T0 = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)
VM = ConfigurationItem(
    id="vm-17",
    name="App server",
    kind="virtual machine",
    attributes={"vcpus": "4"},
    relations=(Relation(kind=RelationKind.HOSTED_ON, target="host-3"),),
)


class TestItem:
    """An item is a validated value."""

    def test_problems_all_at_once(self) -> None:
        """Lists bad id, name, kind, attribute keys and values, and self-relations."""
        with pytest.raises(ValidationError) as info:
            ConfigurationItem(
                id="vm 17",
                name="",
                kind=" ",
                attributes={"Bad Key": "x", "ok": 5},  # type: ignore[dict-item]
                relations=(
                    Relation(kind=RelationKind.USES, target="vm-17"),
                    Relation(kind=RelationKind.USES, target="vm-17"),
                ),
            )
        assert info.value.paths == [
            "$.id",
            "$.name",
            "$.kind",
            "$.attributes",
            "$.attributes.ok",
            "$.relations[1]",
        ]
        with pytest.raises(ValidationError) as info:
            ConfigurationItem(
                id="vm-17",
                name="x",
                kind="vm",
                relations=(Relation(kind=RelationKind.USES, target="vm-17"),),
            )
        assert info.value.paths == ["$.relations[0].target"]

    def test_relation_checks(self) -> None:
        """Refuses an unknown kind, a bad target and an empty interface."""
        with pytest.raises(ValidationError) as info:
            Relation(kind="owns", target="", interface=" ")  # type: ignore[arg-type]
        assert info.value.paths == ["$.kind", "$.target", "$.interface"]

    def test_hashable_value(self) -> None:
        """Compares and hashes by value, attributes included."""
        same = ConfigurationItem(
            id="vm-17",
            name="App server",
            kind="virtual machine",
            attributes={"vcpus": "4"},
            relations=VM.relations,
        )
        assert same == VM
        assert hash(same) == hash(VM)


class TestRecord:
    """A record changes only by update, which keeps every earlier version."""

    def test_update_keeps_history(self) -> None:
        """Adds a version with who, when and which change; earlier versions stay."""
        record = ConfigurationRecord.create(VM, by="provisioning", at=T0)
        resized = record.update(
            attributes={"vcpus": "8"}, by="ops", at=T0 + DAY, change="CHG-1042"
        )
        assert [v.version for v in resized.history()] == [1, 2]
        assert resized.current.attributes == {"vcpus": "8"}
        assert resized.current.relations == VM.relations
        assert resized.current_version.change == "CHG-1042"
        assert record.current == VM
        assert resized.diff(1, 2) == {"attributes.vcpus": ("4", "8")}

    def test_as_of(self) -> None:
        """Gives the item as it was at an instant, and None before it existed."""
        record = ConfigurationRecord.create(VM, by="a", at=T0).update(
            name="App server 2", by="b", at=T0 + DAY
        )
        assert record.as_of(T0 - DAY) is None
        assert record.as_of(T0 + DAY / 2) == VM
        assert record.as_of(T0 + DAY).name == "App server 2"  # type: ignore[union-attr]

    def test_refusals(self) -> None:
        """Refuses an update that changes nothing, goes back in time, or breaks the item."""
        record = ConfigurationRecord.create(VM, by="a", at=T0)
        with pytest.raises(ValidationError, match="changes the item"):
            record.update(attributes={"vcpus": "4"}, by="b", at=T0 + DAY)
        with pytest.raises(ValidationError) as info:
            record.update(name="x", by="b", at=T0 - DAY)
        assert info.value.paths == ["$.versions[1].changed_at"]
        with pytest.raises(ValidationError) as info:
            record.update(attributes={"Bad": "x"}, by="", at=dt.datetime(2026, 4, 1))
        assert info.value.paths == ["$.attributes"]
        with pytest.raises(ValidationError) as info:
            record.update(name="x", by="", at=dt.datetime(2026, 4, 1))
        assert info.value.paths == ["$.changed_by", "$.changed_at"]
        with pytest.raises(ValidationError):
            record.diff(1, 3)

    def test_versions_must_chain(self) -> None:
        """Refuses versions out of order or of another item."""
        other = ConfigurationItem(id="db-1", name="DB", kind="database")
        with pytest.raises(ValidationError) as info:
            ConfigurationRecord(
                versions=(
                    ConfigurationVersion(version=1, item=VM, changed_by="a", changed_at=T0),
                    ConfigurationVersion(version=3, item=other, changed_by="a", changed_at=T0),
                )
            )
        assert info.value.paths == ["$.versions[1].version", "$.versions[1].item.id"]
        with pytest.raises(ValidationError):
            ConfigurationRecord(versions=())

    @given(configuration_records())
    def test_history_is_append_only(self, record: ConfigurationRecord) -> None:
        """Numbers versions 1..n in time order, each differing from the one before."""
        versions = record.history()
        assert [v.version for v in versions] == list(range(1, len(versions) + 1))
        for before, after in itertools.pairwise(versions):
            assert before.changed_at.astimezone(dt.UTC) <= after.changed_at.astimezone(dt.UTC)
            assert before.item != after.item


class TestDocuments:
    """Items and records round-trip through JSON and the exported schema."""

    @settings(max_examples=examples(80))  # records of several versions are costly to draw
    @given(configuration_records())
    def test_round_trip(self, record: ConfigurationRecord) -> None:
        """Reads its JSON back into an equal record that the schema accepts."""
        assert from_json(ConfigurationRecord, to_json(record)) == record
        jsonschema.validate(json.loads(to_json(record)), json_schema(ConfigurationRecord))

    @given(configuration_items())
    def test_items(self, item: ConfigurationItem) -> None:
        """Round-trips items."""
        assert from_dict(ConfigurationItem, to_dict(item)) == item

    def test_bad_document(self) -> None:
        """Reports each problem with its path."""
        data: dict[str, Any] = to_dict(ConfigurationRecord.create(VM, by="a", at=T0))
        data["versions"][0]["changed_at"] = "2026-03-02T09:00:00"
        data["versions"][0]["item"]["attributes"]["vcpus"] = 4
        data["versions"][0]["item"]["relations"][0]["kind"] = "owns"
        with pytest.raises(ValidationError) as info:
            from_dict(ConfigurationRecord, data)
        assert sorted(info.value.paths) == [
            "$.versions[0].changed_at",
            "$.versions[0].item.attributes.vcpus",
            "$.versions[0].item.relations[0].kind",
        ]


def test_attributes_are_a_read_only_dict() -> None:
    """Attributes are a dict for json and attrs.asdict, and cannot be changed."""
    import copy  # noqa: PLC0415
    import pickle  # noqa: PLC0415

    import attrs  # noqa: PLC0415

    item = ConfigurationItem(id="vm-1", name="VM", kind="vm", attributes={"vcpus": "4"})
    assert json.loads(json.dumps(attrs.asdict(item)))["attributes"] == {"vcpus": "4"}
    for change in (
        lambda m: m.__setitem__("vcpus", "8"),
        lambda m: m.__delitem__("vcpus"),
        lambda m: m.update(vcpus="8"),
        lambda m: m.pop("vcpus"),
        lambda m: m.popitem(),
        lambda m: m.setdefault("ram", "1"),
        lambda m: m.clear(),
    ):
        with pytest.raises(TypeError):
            change(item.attributes)
    assert item.attributes == {"vcpus": "4"}
    back = pickle.loads(pickle.dumps(item))
    assert back == item
    assert hash(back) == hash(item)
    assert copy.deepcopy(item) == item
    assert copy.copy(item.attributes) is item.attributes
