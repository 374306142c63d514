"""The converter core: one strict cattrs converter for every cloudsms type.

Containers and attrs classes are read with every problem collected, each at its path;
unknown keys are refused; the leaves are the wire types declared in
`cloudsms._kit.wire`. The public entry points live in `cloudsms.serialization`.

There is one converter, with cattrs' detailed validation: a good document and a bad
one take the same path, and a bad one is reported whole. Hooks are chosen once per
type, when cattrs first meets it, by predicates: ``str``, ``bool``, ``int`` and
``float`` hooks see values of exactly their type, and enums (a ``StrEnum`` is also a
``str``) go to the enum hook.

What becomes a `ValidationError` with paths is a refusal: a cloudsms hook's or
constructor's own `ValidationError`, or cattrs' account of the document's shape (an
object's fields, a list's items, an unknown key, a missing key, a type the converter
does not read). Any other exception raised while reading is a bug in a hook or a
constructor, and propagates as itself, with cattrs' note of the field it was reading.
"""

from __future__ import annotations

import collections.abc
import contextlib
import enum
import gc
import re
import typing
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar, cast

import attrs
import cattrs
from cattrs.dispatch import _DispatchNotFound
from cattrs.errors import (
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    StructureHandlerNotFoundError,
)
from cattrs.fns import identity

from cloudsms._foundation.strict_json import key_path
from cloudsms._kit.documents import read_versions, unwrap
from cloudsms._kit.leaves import (
    format_float,
    format_int,
    prefixed,
    strict,
    structure_float,
    structure_int,
)
from cloudsms._kit.wire import WIRE_TYPES
from cloudsms.errors import REDACTED, Problem, ValidationError, describe
from cloudsms.lifecycle import Lifecycle

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

__all__ = ["configure_converter", "from_dict", "make_converter", "to_dict"]


T = TypeVar("T")

_REFUSALS = (
    ValidationError,
    ClassValidationError,
    IterableValidationError,
    ForbiddenExtraKeysError,
    StructureHandlerNotFoundError,
    KeyError,
)
"""What a hook may raise that can be a refusal; `_problems` tells a missing key from a bug."""


# ---------------------------------------------------------------------- leaves
def _exactly(kind: type) -> Callable[[Any], bool]:
    """A predicate true for ``kind`` itself, not for its subclasses."""
    return lambda t: t is kind


def _is_enum(t: object) -> bool:
    return isinstance(t, type) and issubclass(t, enum.Enum)


def _enum_value(member: enum.Enum) -> Any:
    return member.value


@cache
def _enum_factory(t: type[enum.Enum]) -> Callable[[object, Any], enum.Enum]:
    """The member whose value is the value read, of the same type (``True`` is not ``1``)."""
    members = {(type(member.value), member.value): member for member in t}
    expected = "one of " + ", ".join(repr(value) for _, value in members)

    def structure(value: object, _: object) -> enum.Enum:
        try:
            return members[type(value), value]
        except (KeyError, TypeError):
            raise ValidationError.single("$", expected, describe(value)) from None

    return structure


def _is_literal(t: object) -> bool:
    return typing.get_origin(t) is typing.Literal


def _literal_factory(t: Any) -> Callable[[object, Any], Any]:
    """One of a ``Literal``'s values, of the same type (``True`` is not ``1``)."""
    options: dict[tuple[type, object], object] = {}
    for option in typing.get_args(t):
        written = option.value if isinstance(option, enum.Enum) else option
        options[type(written), written] = option
    expected = "one of " + ", ".join(repr(written) for _, written in options)

    def structure(value: object, _: object) -> Any:
        try:
            return options[type(value), value]
        except (KeyError, TypeError):
            raise ValidationError.single("$", expected, describe(value)) from None

    return structure


# ---------------------------------------------------------------------- containers
_ARRAYS: dict[object, Callable[[Any], Any]] = {
    list: list,
    tuple: tuple,
    set: set,
    frozenset: frozenset,
    collections.abc.Sequence: tuple,
    collections.abc.Set: frozenset,
}
"""Each collection type a JSON array is read as, and what builds it from the items."""


def _is_collection(t: object) -> bool:
    origin = typing.get_origin(t) or t
    if origin is tuple:
        args = typing.get_args(t)
        return not args or (len(args) == 2 and args[1] is Ellipsis)  # noqa: PLR2004 - X, ...
    try:
        return origin in _ARRAYS
    except TypeError:  # an unhashable type argument
        return False


def _collection_factory(converter: cattrs.Converter) -> Callable[[Any], Any]:
    def factory(t: Any) -> Callable[[object, Any], Any]:
        args = typing.get_args(t)
        item_type = args[0] if args else Any
        build = _ARRAYS[typing.get_origin(t) or t]
        hook = converter.get_structure_hook(item_type)
        distinct = build in {set, frozenset}

        def structure(value: object, _: object) -> Any:
            if not isinstance(value, list | tuple):
                raise ValidationError.single("$", "an array", describe(value))
            items = []
            problems: list[Problem] = []
            for index, item in enumerate(value):
                try:
                    items.append(hook(item, item_type))
                except _REFUSALS as exc:
                    problems += _problems(exc, f"$[{index}]", item_type)
            if problems:
                raise ValidationError(problems)
            result = build(items)
            if distinct and len(result) != len(items):
                raise ValidationError.single(
                    "$", "distinct items (a set)", f"{len(items) - len(result)} repeated"
                )
            return result

        return structure

    return factory


def _is_fixed_tuple(t: object) -> bool:
    return typing.get_origin(t) is tuple and not _is_collection(t)


def _fixed_tuple_factory(converter: cattrs.Converter) -> Callable[[Any], Any]:
    def factory(t: Any) -> Callable[[object, Any], Any]:
        kinds = typing.get_args(t)
        hooks = [converter.get_structure_hook(kind) for kind in kinds]
        expected = f"an array of {len(kinds)} items"

        def structure(value: object, _: object) -> tuple[Any, ...]:
            if not isinstance(value, list | tuple):
                raise ValidationError.single("$", expected, describe(value))
            items = []
            problems: list[Problem] = []
            for index, (hook, kind, item) in enumerate(zip(hooks, kinds, value, strict=False)):
                try:
                    items.append(hook(item, kind))
                except _REFUSALS as exc:
                    problems += _problems(exc, f"$[{index}]", kind)
            if len(value) != len(kinds):
                problems.append(Problem("$", expected, f"{len(value)} items"))
            if problems:
                raise ValidationError(problems)
            return tuple(items)

        return structure

    return factory


def _is_mapping(t: object) -> bool:
    origin = typing.get_origin(t) or t
    return origin in {dict, collections.abc.Mapping}


def _mapping_factory(converter: cattrs.Converter) -> Callable[[Any], Any]:
    def factory(t: Any) -> Callable[[object, Any], Any]:
        args = typing.get_args(t)
        key_type, value_type = args if len(args) == 2 else (Any, Any)  # noqa: PLR2004
        key_hook = converter.get_structure_hook(key_type)
        value_hook = converter.get_structure_hook(value_type)

        def structure(value: object, _: object) -> dict[Any, Any]:
            if not isinstance(value, dict):
                raise ValidationError.single("$", "an object", describe(value))
            result: dict[Any, Any] = {}
            problems: list[Problem] = []
            for key, item in value.items():
                try:  # the value first; its key is read once the value is sound
                    result[key_hook(key, key_type)] = value_hook(item, value_type)
                except _REFUSALS as exc:
                    problems += _problems(exc, key_path("$", key), value_type)
            if problems:
                raise ValidationError(problems)
            return result

        return structure

    return factory


# ---------------------------------------------------------------------- attrs classes
def _attrs_factory(converter: cattrs.Converter) -> Callable[[Any], Any]:
    """Cattrs' own function for an attrs class, after a check that an object arrived."""
    from cattrs.gen import make_dict_structure_fn  # noqa: PLC0415

    def factory(kind: Any) -> Callable[[object, Any], Any]:
        if kind is Lifecycle:  # a transition table with guards is code, not data
            return _not_a_document(kind)
        generated = make_dict_structure_fn(
            kind,
            converter,
            _cattrs_forbid_extra_keys=True,
            _cattrs_detailed_validation=converter.detailed_validation,
        )

        def structure(value: object, _: object) -> Any:
            if not isinstance(value, dict):
                raise ValidationError.single(
                    "$", f"an object (a {kind.__name__})", describe(value)
                )
            return generated(value, kind)

        def problems_of(exc: BaseException) -> list[Problem]:
            return _problems(exc, "$", kind)

        return read_versions(kind, structure, problems_of)  # older versions upgraded first

    return factory


def _not_a_document(kind: Any) -> Callable[[object, Any], Any]:
    def refuse(value: object, _: object) -> Any:
        raise ValidationError.single(
            "$",
            f"no {kind.__name__}: its guards are code, not data; read a LifecycleInstance, "
            "whose lifecycle is found by the name it carries "
            "(cloudsms.lifecycle.register_lifecycle)",
            describe(value),
        )

    return refuse


# ---------------------------------------------------------------------- the converter
_DECIDED_BY_PREDICATES = (str, int, float)
"""Classes cattrs matches by class, with their subclasses, before it asks any predicate.

cattrs registers ``str``, ``int`` and ``float`` in its class registries (which also
match ``bool``, ``StrEnum``, ``IntEnum`` and an enum mixed into ``str``), and reads
those registries before the predicates. Registering its own "no hook here" marker
for them sends these types on to the predicates, in both directions, so the ``str``
hooks never see an enum. tests/test_converter.py pins which hook each type gets.
"""


def configure_converter(converter: cattrs.Converter) -> None:
    """Teach ``converter`` the wire format of every cloudsms type (see the module docs)."""
    for wire in WIRE_TYPES:  # every type with a wire form of its own: cloudsms._kit.wire
        converter.register_structure_hook(wire.kind, wire.structure)
        if wire.subclasses is not None:
            converter.register_unstructure_hook_func(wire.subclasses, wire.unstructure)
        converter.register_unstructure_hook(wire.kind, wire.unstructure)
    for kind in _DECIDED_BY_PREDICATES:  # cattrs' marker, never called: typed as a hook
        converter.register_structure_hook(kind, cast("Any", _DispatchNotFound))
    converter.register_structure_hook_func(_exactly(str), strict(str, "a string"))
    converter.register_structure_hook_func(_exactly(bool), strict(bool, "a boolean"))
    converter.register_structure_hook_func(_exactly(int), structure_int)
    converter.register_structure_hook_func(_exactly(float), structure_float)
    converter.register_structure_hook_factory(_is_enum, _enum_factory)
    converter.register_structure_hook_factory(_is_literal, _literal_factory)
    converter.register_structure_hook_factory(attrs.has, _attrs_factory(converter))
    converter.register_structure_hook_factory(_is_collection, _collection_factory(converter))
    converter.register_structure_hook_factory(_is_fixed_tuple, _fixed_tuple_factory(converter))
    converter.register_structure_hook_factory(_is_mapping, _mapping_factory(converter))

    for kind in _DECIDED_BY_PREDICATES:  # written the same way: an enum member as its value
        converter.register_unstructure_hook(kind, cast("Any", _DispatchNotFound))
    converter.register_unstructure_hook_func(_exactly(str), identity)
    converter.register_unstructure_hook_func(_exactly(bool), identity)
    converter.register_unstructure_hook_func(_exactly(int), format_int)
    converter.register_unstructure_hook_func(_exactly(float), format_float)
    converter.register_unstructure_hook_func(_is_enum, _enum_value)


def _set_as_list(items: typing.Iterable[Any]) -> list[Any]:
    """A set's items as a list, sorted when they can be, so the same set writes the same JSON."""
    values = list(items)
    with contextlib.suppress(TypeError):  # items of no common order keep the set's order
        values.sort()
    return values


def make_converter() -> cattrs.Converter:
    """A cattrs converter for cloudsms types: strict, refusing unknown keys, reporting all.

    Strings, integers and booleans are not coerced into each other; every type's wire
    format is the module's table.
    """
    converter = cattrs.Converter(
        forbid_extra_keys=True,
        detailed_validation=True,
        unstruct_collection_overrides={
            collections.abc.Set: _set_as_list,
            collections.abc.Sequence: list,
            tuple: list,
        },
    )
    configure_converter(converter)
    return converter


@cache
def _converter() -> cattrs.Converter:
    return make_converter()


def _structure(value: object, kind: Any) -> Any:
    """Structure ``value`` as ``kind``: a refusal becomes a ValidationError with paths.

    Anything else the hooks raise propagates (module docs).
    """
    try:
        return _converter().structure(value, kind)
    except ValidationError:
        raise
    except _REFUSALS as exc:
        raise ValidationError(_problems(exc, "$", kind)) from None


def _problems(exc: BaseException, path: str, kind: object = None) -> list[Problem]:
    """The problems of a refusal, each with its path; re-raises anything else as it is.

    cattrs gathers what each field's hook raised into exception groups; a group's
    member that is no refusal is a bug in a hook or constructor, so it is raised
    again, with the note cattrs added of the field it was reading.
    """
    if isinstance(exc, ValidationError):
        return prefixed(exc.problems, path)
    if isinstance(exc, ClassValidationError | IterableValidationError):
        return _group_problems(exc, path, kind)
    if isinstance(exc, ForbiddenExtraKeysError):
        known = (
            ", ".join(a.alias for a in attrs.fields(exc.cl) if a.init) if attrs.has(exc.cl) else ""
        )
        return [
            Problem(key_path(path, key), f"one of the keys {known}", f"key {key!r}")
            for key in sorted(exc.extra_fields)
        ]
    if _missing_key(exc):
        return [Problem(path, "a value (required)", "nothing")]
    if isinstance(exc, StructureHandlerNotFoundError):  # the caller asked for a type we lack
        asked: object = exc.type_  # typed as a type, though any object can be asked for
        is_type = isinstance(asked, type) or typing.get_origin(asked) is not None
        shown = f"the type {kind_name(asked)}" if is_type else f"{describe(asked)}, not a type"
        return [Problem(path, _READABLE, shown)]
    exc.__suppress_context__ = True  # the group that carried it says nothing its notes do not
    raise exc


def _missing_key(exc: BaseException) -> bool:
    """Whether ``exc`` is cattrs' KeyError for a key the object lacks, not a hook's.

    cattrs reads a required field as ``o["name"]`` inside the function it generated for
    the class, and catches what that raises in the same function: so the KeyError of
    a missing key was raised in the one frame of its traceback, while a hook's own
    KeyError passed through the hook's frame too.
    """
    traceback = exc.__traceback__
    return type(exc) is KeyError and traceback is not None and traceback.tb_next is None


def _group_problems(
    exc: ClassValidationError | IterableValidationError, path: str, kind: object
) -> list[Problem]:
    """The problems of an object's fields, or of a tuple's or mapping's items, at their paths."""
    with_notes, without = exc.group_exceptions()
    secret = _sensitive_fields(getattr(exc, "cl", None))
    found: list[Problem] = []
    for inner, note in with_notes:
        step = getattr(note, "name", None)
        if step is None:  # an item: its index, or a mapping's key
            index = getattr(note, "index", None)
            where = key_path(path, index) if isinstance(index, str) else f"{path}[{index}]"
        else:
            where = f"{path}.{step}"
        problems = _problems(inner, where, note.type)
        if step in secret:
            problems = [p._replace(got=REDACTED) for p in problems]
        found += problems
    for inner in without:  # the constructor's own refusal: its paths may enter a secret
        found += [
            p._replace(got=REDACTED) if _within(p.path, path, secret) else p
            for p in _problems(inner, path, kind)
        ]
    return found


def _within(where: str, path: str, fields: frozenset[str]) -> bool:
    """Whether ``where`` is at or inside one of ``fields`` of the object at ``path``."""
    if not fields or not where.startswith(f"{path}."):
        return False
    rest = where[len(path) + 1 :]
    return any(rest == name or rest.startswith((f"{name}.", f"{name}[")) for name in fields)


def _sensitive_fields(kind: object) -> frozenset[str]:
    if not (isinstance(kind, type) and attrs.has(kind)):
        return frozenset()
    return frozenset(f.name for f in attrs.fields(kind) if f.metadata.get("sensitive"))


_READABLE = (
    "a type cloudsms reads: a cloudsms value or model class, str, int, bool, Decimal, "
    "date, datetime, or a list, tuple, set or str-keyed dict of them"
)


# ---------------------------------------------------------------------- public API
@contextlib.contextmanager
def collector_paused(pause: bool) -> Iterator[None]:
    """Pause Python's cyclic garbage collector while the block runs, if ``pause``.

    The collector is resumed even on error, and left alone if it was already off;
    with ``pause`` false nothing is touched.
    """
    if not pause or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def to_dict(value: object, *, pause_gc: bool = False) -> Any:
    """``value`` as JSON-ready data (a document carries its type and schema version first).

    cloudsms types are written as the module's table says; a value of another type is
    passed through as it is, for `to_json` or the caller to write or refuse.

    ``pause_gc=True`` pauses the cyclic garbage collector while converting (see
    `from_dict` for the trade-off); by default it is left alone.
    """
    kind = type(value)
    try:
        with collector_paused(pause_gc):
            data = _converter().unstructure(value)
    except ValidationError as exc:  # a value that cannot be written, such as P999999Y
        raise ValidationError(exc.problems, subject=kind.__name__) from None
    except RecursionError:
        raise ValidationError.single(
            "$",
            "a value nested less deeply than Python can walk",
            describe(value),
            subject=kind.__name__,
        ) from None
    except TypeError as exc:  # such as a mapping whose keys become lists
        raise ValidationError.single(
            "$",
            "a value cloudsms can write",
            f"{describe(value)}, which cannot be written ({exc})"[:160],
            subject=kind.__name__,
        ) from None
    if hasattr(kind, "__document_type__"):
        return {
            "type": getattr(kind, "__document_type__"),  # noqa: B009 - set by @document
            "schema_version": getattr(kind, "__schema_version__"),  # noqa: B009
            **data,
        }
    return data


def from_dict(kind: type[T], data: object, *, pause_gc: bool = False) -> T:
    """Build a ``kind`` from JSON-like data, checking everything.

    ``pause_gc=True`` pauses Python's cyclic garbage collector while converting and
    resumes it afterwards, even on error (a collector that was already off stays off).
    A large load allocates many objects and no reference cycles, so the collector's
    passes over them can take as long as the load itself: pausing it can halve the
    time. It is off by default because the switch is process-wide: while it is
    paused, no thread's garbage is collected, and a thread that switches the collector
    off meanwhile finds it on again afterwards. Whether that trade is worth it is the
    caller's choice.

    Raises:
        ValidationError: every problem of the data, each with its path; nothing is built.
            A document of another type or an unknown schema version fails first. Data
            nested more deeply than Python can walk is refused at ``$``. An exception
            of another type is a bug in a hook or a constructor, raised as it is.
    """
    subject = kind_name(kind)
    if hasattr(kind, "__document_type__"):
        data = unwrap(kind, data, subject)
    try:
        with collector_paused(pause_gc):
            return cast("T", _structure(data, kind))
    except ValidationError as exc:
        raise ValidationError(exc.problems, subject=subject) from None
    except RecursionError:
        raise ValidationError.single(
            "$", "data nested less deeply than Python can walk", describe(data), subject=subject
        ) from None


def kind_name(kind: object) -> str:
    """How a message names ``kind``: ``Money``, or ``Money | None`` without module paths."""
    name = getattr(kind, "__name__", None)
    if isinstance(name, str) and not typing.get_args(kind):
        return name
    return re.sub(r"\b(?:[A-Za-z_]\w*\.)+([A-Za-z_]\w*)", r"\1", str(kind))
