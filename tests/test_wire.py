"""cloudsms._kit.wire: each wire type declared once, and everything reads the declaration."""

from __future__ import annotations

import importlib
import json
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cloudsms._kit.converter import make_converter
from cloudsms._kit.json_schema import build
from cloudsms._kit.wire import WIRE_TYPES, WireType, wire_type
from cloudsms.lifecycle import LifecycleInstance
from cloudsms.money import Money
from cloudsms.serialization import from_dict, json_schema, to_dict

from conftest import examples

DRAWN = [w for w in WIRE_TYPES if w.strategy is not None]


def _strategy(wire: WireType) -> st.SearchStrategy[Any]:
    assert wire.strategy is not None
    module, _, name = wire.strategy.partition(":")
    return getattr(importlib.import_module(module), name)()  # type: ignore[no-any-return]


class TestDeclarations:
    """The table itself: one entry per type, each complete."""

    def test_one_entry_per_type(self) -> None:
        """No type is declared twice, so no declaration silently wins over another."""
        kinds = [w.kind for w in WIRE_TYPES]
        assert len(kinds) == len(set(kinds))

    def test_lookup(self) -> None:
        """wire_type finds a declaration by its type, and nothing for other objects."""
        found = wire_type(Money)
        assert found is not None
        assert found.kind is Money
        assert found.strategy == "cloudsms.testing._strategies:moneys"
        assert wire_type(dict) is None
        assert wire_type("Money") is None

    @pytest.mark.parametrize("wire", DRAWN, ids=lambda w: w.kind.__name__)
    def test_strategy_paths_resolve(self, wire: WireType) -> None:
        """Every declared strategy path names a strategy factory in cloudsms.testing."""
        assert wire.strategy is not None
        assert wire.strategy.startswith("cloudsms.testing.")
        assert isinstance(_strategy(wire), st.SearchStrategy)


class TestEveryReaderUsesTheTable:
    """The converter, the schema builder and hypothesis all take each entry as declared."""

    @pytest.mark.parametrize("wire", WIRE_TYPES, ids=lambda w: w.kind.__name__)
    def test_schema_is_the_declared_one(self, wire: WireType) -> None:
        """json_schema of a wire type is its declared schema (a copy the caller may change)."""
        schema = build(wire.kind)
        schema.pop("$schema")
        assert schema == json.loads(json.dumps(wire.schema))
        schema["changed"] = True
        assert "changed" not in wire.schema

    @pytest.mark.parametrize("wire", DRAWN, ids=lambda w: w.kind.__name__)
    def test_from_type_uses_the_declared_strategy(self, wire: WireType) -> None:
        """st.from_type(kind) draws values of the kind (registered from the table)."""

        @settings(max_examples=10, deadline=None)
        @given(st.from_type(wire.kind))
        def drawn(value: object) -> None:
            assert isinstance(value, wire.kind)

        drawn()

    @pytest.mark.parametrize("wire", DRAWN, ids=lambda w: w.kind.__name__)
    def test_round_trip_and_schema(self, wire: WireType) -> None:
        """Each drawn value is written by its hook, valid under its schema, and read back."""
        converter = make_converter()
        validator = jsonschema.Draft202012Validator(json_schema(wire.kind))

        @settings(max_examples=examples(25), deadline=None)
        @given(_strategy(wire))
        def round_trip(value: object) -> None:
            written = to_dict(value)
            assert written == wire.unstructure(value)
            assert converter.unstructure(value) == written
            validator.validate(written)
            assert from_dict(wire.kind, written) == value

        round_trip()

    def test_instance_has_no_strategy_of_its_own(self) -> None:
        """A lifecycle instance is drawn with its lifecycle (testing.lifecycle_instances)."""
        wire = wire_type(LifecycleInstance)
        assert wire is not None
        assert wire.strategy is None
