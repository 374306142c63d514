"""A field with a default may be left out of a document, and its JSON Schema says so."""

from __future__ import annotations

import inspect
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cloudsms.errors import ValidationError
from cloudsms.serialization import from_dict, json_schema, to_dict

from conftest import wire_types

EVERY_TYPE = DRAWN_TYPES = wire_types()


def defaults(kind: type, record: object = None) -> dict[str, Any]:
    """The JSON keys of ``kind``'s fields that have a default, with the default's JSON.

    Read from the constructor's signature, so classes with an ``__init__`` of their own
    (`Price`) are read as users call them. A default built from the record itself (an
    ``attrs.Factory`` with ``takes_self``, such as a service's lifecycle bound to the
    service's id) is built from ``record``, the value whose document is being read; with
    no record only its key is known, and its value is ``None``.
    """
    found: dict[str, Any] = {}
    for field in attrs.fields(kind):
        if not field.init:
            continue
        default = field.default
        if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
            factory: Any = default
            if not factory.takes_self:
                default = factory.factory()
            elif record is None:
                found[field.alias] = None
                continue
            else:
                default = factory.factory(record)
        elif default is attrs.NOTHING:
            parameter = inspect.signature(kind).parameters.get(field.alias)
            if parameter is None or parameter.default is inspect.Parameter.empty:
                continue
            default = parameter.default
        found[field.alias] = to_dict(default)
    return found


def outcome(kind: type, data: Any) -> Any:
    """What reading ``data`` as ``kind`` gives: the value's JSON, or the problems."""
    try:
        return to_dict(from_dict(kind, data))
    except ValidationError as exc:
        return sorted(exc.errors)


def object_schema(kind: type) -> dict[str, Any]:
    """``kind``'s own object schema, through its $ref where it has one."""
    schema = json_schema(kind)
    if "$ref" in schema:
        return schema["$defs"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


class TestDefaults:
    """Every public type: defaults are optional on the wire."""

    @pytest.mark.parametrize("kind", EVERY_TYPE, ids=[k.__name__ for k in EVERY_TYPE])
    def test_schema_requires_exactly_the_fields_without_defaults(self, kind: type) -> None:
        """Lists as required the keys of the fields without a default, and no other."""
        schema = object_schema(kind)
        if schema.get("type") != "object":  # written as text, such as DailyWindow
            return
        required = {f.alias for f in attrs.fields(kind) if f.init} - set(defaults(kind))
        documents = {"type", "schema_version"} if hasattr(kind, "__document_type__") else set()
        assert required | documents == set(schema["required"])

    @pytest.mark.parametrize("kind", DRAWN_TYPES, ids=[k.__name__ for k in DRAWN_TYPES])
    def test_reads_a_document_without_its_defaulted_keys(self, kind: type) -> None:
        """Reads a document without its defaulted keys as one that writes the defaults."""

        @settings(
            max_examples=10,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        )
        @given(st.from_type(kind))
        def run(value: Any) -> None:
            written = to_dict(value)
            if not isinstance(written, dict):
                return
            implied = defaults(kind, value)
            shortened = {k: v for k, v in written.items() if k not in implied}
            assert outcome(kind, {**shortened, **implied}) == outcome(kind, shortened)

        run()
