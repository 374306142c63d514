"""The converter core: one strict cattrs converter for every cloudsms type.

Containers and attrs classes are read with every problem collected, each at its path;
unknown keys are refused; the leaves are the wire types declared in
`cloudsms._kit.wire`. The public entry points live in `cloudsms.serialization`.
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
from cattrs.errors import (
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    StructureHandlerNotFoundError,
)

from cloudsms._foundation.strict_json import key_path
from cloudsms._kit.documents import read_versions, unwrap
from cloudsms._kit.leaves import (
    format_float,
    format_int,
    prefixed,
    sequence_of,
    strict,
    structure_int,
)
from cloudsms._kit.wire import WIRE_TYPES
from cloudsms.errors import REDACTED, Problem, ValidationError, describe
from cloudsms.lifecycle import Lifecycle

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

__all__ = ["configure_converter", "from_dict", "make_converter", "to_dict"]


T = TypeVar("T")


# ---------------------------------------------------------------------- containers
def _is_collection(t: object) -> bool:
    origin = typing.get_origin(t)
    return origin in {
        list,
        tuple,
        set,
        frozenset,
        collections.abc.Sequence,
        collections.abc.Set,
    } and (origin is not tuple or _homogeneous(t))


def _homogeneous(t: object) -> bool:
    args = typing.get_args(t)
    return len(args) == 2 and args[1] is Ellipsis  # noqa: PLR2004 - tuple[X, ...]


def _collection_factory(converter: cattrs.Converter) -> Callable[[Any], Any]:
    def factory(t: Any) -> Callable[[object, Any], Any]:
        origin = typing.get_origin(t)
        item_type = typing.get_args(t)[0] if typing.get_args(t) else Any
        build: Callable[[Any], Any] = {list: list, set: set, frozenset: frozenset}.get(
            origin, tuple
        )

        hook = converter.get_structure_hook(item_type)
        distinct = build in {set, frozenset}

        def structure(value: object, _: object) -> Any:
            if isinstance(value, list | tuple):
                try:  # the fast path: every item is fine
                    items = [hook(v, item_type) for v in value]
                except Exception:  # noqa: BLE001 - read again below to report every problem
                    items = sequence_of(value, lambda v, _t: _structure(converter, v, item_type))
            else:
                items = sequence_of(value, lambda v, _t: _structure(converter, v, item_type))
            result = build(items)
            if distinct and len(result) != len(items):
                raise ValidationError.single(
                    "$", "distinct items (a set)", f"{len(items) - len(result)} repeated"
                )
            return result

        return structure

    return factory


def _is_string_mapping(t: object) -> bool:
    origin = typing.get_origin(t)
    args = typing.get_args(t)
    return origin in {dict, collections.abc.Mapping} and bool(args) and args[0] is str


def _mapping_factory(converter: cattrs.Converter) -> Callable[[Any], Any]:
    def factory(t: Any) -> Callable[[object, Any], Any]:
        value_type = typing.get_args(t)[1]

        def structure(value: object, _: object) -> dict[str, Any]:
            if not isinstance(value, dict):
                raise ValidationError.single("$", "an object", describe(value))
            result: dict[str, Any] = {}
            problems: list[Problem] = []
            for key, item in value.items():
                try:
                    result[key] = _structure(converter, item, value_type)
                except ValidationError as exc:
                    problems += prefixed(exc.problems, key_path("$", key))
            if problems:
                raise ValidationError(problems)
            return result

        return structure

    return factory


def _attrs_factory(converter: cattrs.Converter, *, every_key_path: bool) -> Callable[[Any], Any]:
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

        if every_key_path:  # older versions of a document are upgraded before either path
            return read_versions(kind, _every_key_path(kind, converter, structure), problems_of)
        return read_versions(kind, structure, problems_of)

    return factory


_PASSED_AS_IS = frozenset({str, bool})  # field types whose values are read as they arrive
_BUILDING: set[Any] = set()  # classes whose hook is being made (recursive classes)


def _every_key_path(
    kind: Any, converter: cattrs.Converter, otherwise: Callable[[object, Any], Any]
) -> Callable[[object, Any], Any]:
    """A generated function for an object that has every field's key, else ``otherwise``.

    A document written by `to_dict` has every key, so this is the path a load takes.
    With as many keys as fields and each field's key found, the keys are exactly the
    fields: no key is unknown and none is missing, and nothing else needs checking.
    A missing key raises KeyError, which sends the whole document to the detailed
    converter to be reported. Generic classes, and fields without a type, keep
    cattrs' function.
    """
    if not isinstance(kind, type) or _generic(kind):
        return otherwise
    if any(isinstance(f.type, str) for f in attrs.fields(kind)):
        attrs.resolve_types(kind)
    fields = [f for f in attrs.fields(kind) if f.init]
    if any(f.type is None for f in fields):
        return otherwise
    namespace: dict[str, Any] = {"kind": kind, "otherwise": otherwise}
    arguments = []
    building = kind not in _BUILDING
    _BUILDING.add(kind)
    try:
        for i, field in enumerate(fields):
            namespace[f"hook{i}"] = _field_hook(converter, field.type)
            namespace[f"type{i}"] = field.type
            item = f"value[{field.name!r}]"
            if field.type in _PASSED_AS_IS:  # inline: a str is a str, no call needed
                item = f"(v{i} if type(v{i} := {item}) is type{i} else hook{i}(v{i}, type{i}))"
            else:
                item = f"hook{i}({item}, type{i})"
            arguments.append(f"{field.alias}={item}")
    finally:
        if building:
            _BUILDING.discard(kind)
    source = (
        "def structure(value, _):\n"
        f"    if type(value) is dict and len(value) == {len(fields)}:\n"
        f"        return kind({', '.join(arguments)})\n"
        "    return otherwise(value, _)\n"
    )
    exec(compile(source, f"<cloudsms structure {kind.__qualname__}>", "exec"), namespace)  # noqa: S102 - our own text, names from attrs
    return cast("Callable[[object, Any], Any]", namespace["structure"])


def _field_hook(converter: cattrs.Converter, kind: Any) -> Callable[[object, Any], Any]:
    """The field type's hook; found when called if it holds a class whose hook is being made.

    A class that holds itself, directly or in a collection (``children: tuple[Node,
    ...]``), would otherwise ask for its own hook while that hook is being made.
    """
    if _mentions(kind, _BUILDING.__contains__):
        return lambda value, t: converter.get_structure_hook(t)(value, t)
    return cast("Callable[[object, Any], Any]", converter.get_structure_hook(kind))


def _mentions(kind: Any, test: Callable[[Any], bool]) -> bool:
    """Whether ``kind`` or any type argument inside it passes ``test``."""
    try:
        if test(kind):
            return True
    except TypeError:  # an unhashable type argument, such as a Literal's list
        return False
    return any(_mentions(arg, test) for arg in typing.get_args(kind))


def _generic(kind: type) -> bool:
    """Whether ``kind`` is generic, or subclasses a generic, by its ``__orig_bases__``.

    ``class Box(Generic[T])`` and ``class Meters(Box[int])`` both: cattrs maps the
    type variables to their arguments, the generated path does not.
    """
    return bool(getattr(kind, "__orig_bases__", ()))


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


def _enums_aside(
    hook: Callable[[object, Any], Any], plain: type | None = None
) -> Callable[[object, Any], Any]:
    """``hook`` for ``plain`` values; enums (subclasses of str and int) to the enum hook."""

    def structure(value: object, kind: Any) -> Any:
        if kind is plain and type(value) is plain:  # the hot path: a well-typed str or bool
            return value
        if _is_enum(kind):
            return _enum_factory(kind)(value, kind)
        return hook(value, kind)

    return structure


def _enum_value(member: enum.Enum) -> Any:
    return member.value


def _is_enum(t: object) -> bool:
    return isinstance(t, type) and issubclass(t, enum.Enum)


@cache
def _enum_factory(t: type[enum.Enum]) -> Callable[[object, Any], enum.Enum]:
    values = {member.value: member for member in t}
    expected = "one of " + ", ".join(repr(v) for v in values)

    def structure(value: object, _: object) -> enum.Enum:
        try:
            return values[value]
        except (KeyError, TypeError):
            raise ValidationError.single("$", expected, describe(value)) from None

    return structure


# ---------------------------------------------------------------------- the converter
def configure_converter(converter: cattrs.Converter) -> None:
    """Teach ``converter`` the wire format of every cloudsms type (see the module docs)."""
    _configure(converter, every_key_path=False)


def _configure(converter: cattrs.Converter, *, every_key_path: bool) -> None:
    """`configure_converter`; ``every_key_path`` adds the generated path of the fast converter.

    The generated path reads keys by attribute name and ignores attrs converters, as the
    library's own converters do; a user's converter may be set otherwise, so it keeps
    cattrs' functions.
    """
    for wire in WIRE_TYPES:  # every type with a wire form of its own: cloudsms._kit.wire
        converter.register_structure_hook(wire.kind, wire.structure)
        if wire.subclasses is not None:
            converter.register_unstructure_hook_func(wire.subclasses, wire.unstructure)
        converter.register_unstructure_hook(wire.kind, wire.unstructure)
    # A class registration also catches subclasses: StrEnum and IntEnum fields arrive
    # here too, and are handed to the enum hook.
    converter.register_structure_hook(str, _enums_aside(strict(str, "a string"), str))
    converter.register_structure_hook(bool, _enums_aside(strict(bool, "a boolean"), bool))
    converter.register_structure_hook(int, _enums_aside(structure_int))
    converter.register_structure_hook_factory(_is_enum, _enum_factory)
    converter.register_structure_hook_factory(
        attrs.has, _attrs_factory(converter, every_key_path=every_key_path)
    )
    converter.register_structure_hook_factory(_is_collection, _collection_factory(converter))
    converter.register_structure_hook_factory(_is_string_mapping, _mapping_factory(converter))

    converter.register_unstructure_hook_func(_is_enum, _enum_value)
    # StrEnum and IntEnum members are also str and int, whose hooks pass them through:
    # name the two classes so their members are written as plain values too.
    converter.register_unstructure_hook(enum.StrEnum, _enum_value)
    converter.register_unstructure_hook(enum.IntEnum, _enum_value)
    converter.register_unstructure_hook(float, format_float)
    converter.register_unstructure_hook(int, format_int)


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


@cache
def _fast_converter() -> cattrs.Converter:
    """The same wire format without cattrs' detailed validation: tried first, for speed.

    Only when it fails is the document read again by the detailed converter, which
    collects every problem; so a good document pays nothing for error reporting.
    """
    converter = cattrs.Converter(forbid_extra_keys=True, detailed_validation=False)
    _configure(converter, every_key_path=True)
    return converter


def _structure(converter: cattrs.Converter, value: object, kind: Any) -> Any:
    """Structure ``value`` as ``kind``; any failure becomes a ValidationError with paths."""
    try:
        return converter.structure(value, kind)
    except ValidationError:
        raise
    except Exception as exc:  # noqa: BLE001 - every failure is reported, none leaks
        raise ValidationError(_problems(exc, "$", kind)) from None


def _structure_reporting(value: object, kind: Any) -> Any:
    """Structure fast; on any failure, again in detail to report every problem."""
    try:
        return _fast_converter().structure(value, kind)
    except Exception:  # noqa: BLE001 - the detailed pass says what is wrong
        return _structure(_converter(), value, kind)


def _problems(exc: BaseException, path: str, kind: object = None) -> list[Problem]:
    """Flatten cattrs' exception groups into our problems, each with its path."""
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
    return [_leaf_problem(exc, path, kind)]


def _leaf_problem(exc: BaseException, path: str, kind: object) -> Problem:
    """One failure that is not a cloudsms refusal, said as well as it can be."""
    if isinstance(exc, KeyError):
        return Problem(path, "a value (required)", "nothing")
    if isinstance(exc, StructureHandlerNotFoundError):  # the caller asked for a type we lack
        asked: object = exc.type_  # typed as a type, though any object can be asked for
        is_type = isinstance(asked, type) or typing.get_origin(asked) is not None
        shown = f"the type {kind_name(asked)}" if is_type else f"{describe(asked)}, not a type"
        return Problem(path, _READABLE, shown)
    if _sensitive_fields(kind):
        # A validator's message may quote a secret: say only what kind of failure it was.
        return Problem(path, _type_name(kind), f"{REDACTED} ({exc.__class__.__name__})")
    return Problem(path, _type_name(kind), f"a value it refused ({exc})")


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
    for inner in without:
        found += _problems(inner, path, kind)
    return found


def _sensitive_fields(kind: object) -> frozenset[str]:
    if not (isinstance(kind, type) and attrs.has(kind)):
        return frozenset()
    return frozenset(f.name for f in attrs.fields(kind) if f.metadata.get("sensitive"))


_READABLE = (
    "a type cloudsms reads: a cloudsms value or model class, str, int, bool, Decimal, "
    "date, datetime, or a list, tuple, set or str-keyed dict of them"
)


def _type_name(kind: object) -> str:
    name = getattr(kind, "__name__", None) or str(kind)
    return f"a valid {name}"


# ---------------------------------------------------------------------- public API
@contextlib.contextmanager
def collector_paused(pause: bool) -> Iterator[None]:
    """Pause Python's cyclic garbage collector for one bulk conversion, then resume it.

    Converting a large document allocates many short-lived objects and no reference
    cycles; with the collector running, its passes over every live object take about
    half the time. It is resumed even on error, and left alone if it was already off.
    """
    if not pause or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def to_dict(value: object, *, pause_gc: bool = True) -> Any:
    """``value`` as JSON-ready data (a document carries its type and schema version first).

    cloudsms types are written as the module's table says; a value of another type is
    passed through as it is, for `to_json` or the caller to write or refuse.

    ``pause_gc`` pauses the cyclic garbage collector while converting (see `from_dict`).
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


def from_dict(kind: type[T], data: object, *, pause_gc: bool = True) -> T:
    """Build a ``kind`` from JSON-like data, checking everything.

    While it works, Python's cyclic garbage collector is paused (unless ``pause_gc``
    is false) and then resumed, even on error: building many values allocates many
    objects but no reference cycles, and the collector's passes would otherwise take
    about half the time of a large load. A collector that was already off stays off.

    Raises:
        ValidationError: every problem of the data, each with its path; nothing is built.
            A document of another type or an unknown schema version fails first.
    """
    subject = kind_name(kind)
    if hasattr(kind, "__document_type__"):
        data = unwrap(kind, data, subject)
    try:
        with collector_paused(pause_gc):
            return cast("T", _structure_reporting(data, kind))
    except ValidationError as exc:
        raise ValidationError(exc.problems, subject=subject) from None


def kind_name(kind: object) -> str:
    """How a message names ``kind``: ``Money``, or ``Money | None`` without module paths."""
    name = getattr(kind, "__name__", None)
    if isinstance(name, str) and not typing.get_args(kind):
        return name
    return re.sub(r"\b(?:[A-Za-z_]\w*\.)+([A-Za-z_]\w*)", r"\1", str(kind))
