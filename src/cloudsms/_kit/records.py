"""The record decorator: model records whose checks sit beside their fields.

A record is an attrs frozen class (keyword-only; `attrs.fields`, `attrs.evolve`,
cattrs and ``st.from_type`` work on it as on any attrs class) whose every field is
checked when a value is built, every problem collected and reported at once in one
`ValidationError`, each at a path taken from the field's name::

    @record
    class ServiceLevel:
        measure: str = field(check=text)
        bound: Bound
        target: Quantity = field(check=quantity_check & non_negative & fixed_length)

        def _rules(
            self,
        ) -> Iterator[
            Problem
        ]: ...  # cross-field rules, only reached when every field is well-formed

Each field is checked in two steps. First its **type**, read from its annotation
(resolved when the first value is built, so string annotations and names defined
later in the module work; names imported only under ``TYPE_CHECKING`` do not).
Then, for a value of the right type, its **check**: any callable
``(value, path) -> list[Problem]``; wrap it in `Check` to combine checks with
``&`` (the second runs only if the first found nothing). When the type is wrong the
problem says what the check expects, if the check says (``Check(..., expected=)``),
so a wrong-typed id reads "expected an id of letters, ..." rather than "a string".

Supported annotations, and what a wrong value is told:

| annotation | accepted | expected, when wrong |
|---|---|---|
| ``str``, ``bool``, ``Decimal``, a class | an instance | ``a string``, ``a Money`` |
| ``int`` | an int, not a bool | ``an integer`` |
| an enum class | a member | ``one of 'a', 'b'`` |
| ``X | None`` | ``None`` or an ``X`` | ``<X's text> or null`` |
| ``tuple[X, ...]`` | a tuple of ``X`` (from any list) | ``a list of X``; items at ``[i]`` |
| ``frozenset[X]`` | a frozenset of ``X`` (from any list) | ``a set of X``; items sorted |
| ``Mapping[str, X]`` | a mapping of text to ``X`` (copied) | ``a mapping of text to X`` |
| ``Literal[a, b]`` | one of the values | ``one of a, b`` |
| ``Any``, ``object`` | anything | |

``dict[str, X]`` reads as ``Mapping[str, X]``; the value kept is a read-only copy.

Any other annotation is refused with `InvalidDefinition` when the checks are
compiled, naming the class, the field and the annotation.

Cross-field rules live in one method, ``_rules(self)``, which yields `Problem`
values whose path is relative to the record and starts with a field name
(``Problem("upgrades[2].id", ...)``); the record puts ``$.`` in front, and a path
that does not start with a field of the record raises `InvalidDefinition`, so a
renamed field cannot leave a rule pointing nowhere.

The checks of a class are compiled once, on first use, into one function (as attrs
generates ``__init__``): its source is registered in `linecache`, so tracebacks and
debuggers show it, and building it is thread-safe.
"""

from __future__ import annotations

import collections.abc
import enum
import inspect
import linecache
import threading
import types
import typing
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar, cast, dataclass_transform, overload

import attrs

from cloudsms._foundation.frozen import as_frozen_mapping, as_frozenset, as_tuple
from cloudsms._foundation.strict_json import key_path
from cloudsms.errors import InvalidDefinition, Problem, ValidationError, describe

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

__all__ = [
    "Check",
    "check",
    "each",
    "field",
    "one_or_more",
    "record",
    "unique",
    "unique_by",
]

C = TypeVar("C", bound=type)

_CHECK = "cloudsms.check"  # the metadata key a field's check is kept under
_COUNTING: Any = type(attrs.field())  # what attrs.field returns before the class is made


class Check:
    """A field check: ``check(value, path)`` returns the problems of ``value`` at ``path``.

    ``expected`` is what the check wants, said as a problem says it ("an id of
    ...", "one or more ISO 3166 codes"); the record uses it when the value is not
    even of the annotated type. A ``total`` check takes any value and says itself
    what a wrong one lacks (the `cloudsms._kit.checks` functions do): the record
    then reports its problems for a wrong type too. ``a & b`` runs ``b`` only when
    ``a`` found nothing.

    Examples:
        >>> positive = Check(
        ...     lambda v, p: [] if v > 0 else [Problem(p, "a positive number", str(v))],
        ...     expected="a positive number",
        ... )
        >>> positive(0, "$.count")
        [Problem(path='$.count', expected='a positive number', got='0')]
    """

    __slots__ = ("expected", "function", "total")

    def __init__(
        self,
        function: Callable[[Any, str], list[Problem]],
        *,
        expected: str = "",
        total: bool = False,
    ) -> None:
        self.function = function
        self.expected = expected
        self.total = total

    def __call__(self, value: Any, path: str) -> list[Problem]:
        return self.function(value, path)

    def __and__(self, other: Callable[[Any, str], list[Problem]]) -> Check:
        first, second = self.function, other

        def both(value: Any, path: str) -> list[Problem]:
            return first(value, path) or second(value, path)

        said = self.expected or str(getattr(other, "expected", ""))
        return Check(both, expected=said, total=self.total)

    def __repr__(self) -> str:
        return f"Check({getattr(self.function, '__name__', self.function)!r})"


def check(
    function: Callable[[Any, str], list[Problem]], *, expected: str = "", total: bool = False
) -> Check:
    """``function`` as a `Check` (combinable with ``&``); see `Check` for the keywords."""
    return Check(function, expected=expected, total=total)


def each(item_check: Callable[[Any, str], list[Problem]]) -> Check:
    """Check every item of a tuple or frozenset (a set's items in a stable sorted order).

    Each item's problems are at its index: ``$.codes[2]``.
    """

    def check_items(values: Iterable[Any], path: str) -> list[Problem]:
        items = _sorted_items(values) if isinstance(values, frozenset) else list(values)
        problems: list[Problem] = []
        for index, item in enumerate(items):
            problems += item_check(item, f"{path}[{index}]")
        return problems

    expected = getattr(item_check, "expected", "")
    return Check(check_items, expected=f"a list of {_plural(expected)}" if expected else "")


def _plural(expected: str) -> str:
    for article in ("an ", "a "):
        if expected.startswith(article):
            return expected.removeprefix(article) + " values"
    return expected


def _not_empty(values: Sequence[Any] | frozenset[Any], path: str) -> list[Problem]:
    return [] if values else [Problem(path, "one or more items", describe(values))]


one_or_more = Check(_not_empty, expected="one or more items")
"""A tuple or set with at least one item."""


def _distinct(values: Iterable[Any], path: str) -> list[Problem]:
    items = list(values)
    try:
        repeated = len(set(items)) != len(items)
    except TypeError:  # unhashable items: compare them pairwise
        repeated = any(a == b for i, a in enumerate(items) for b in items[i + 1 :])
    return [Problem(path, "distinct items", describe(tuple(items)))] if repeated else []


unique = Check(_distinct, expected="distinct items")
"""A tuple whose items are all different."""


def unique_by(attribute: str) -> Check:
    """Items whose ``attribute`` differs: a repeat is reported at ``[i].attribute``."""

    def check_unique(values: Iterable[Any], path: str) -> list[Problem]:
        seen: set[Any] = set()
        problems: list[Problem] = []
        for index, value in enumerate(values):
            key = getattr(value, attribute)
            if key in seen:
                problems.append(
                    Problem(
                        f"{path}[{index}].{attribute}", f"a {attribute} used once", describe(key)
                    )
                )
            seen.add(key)
        return problems

    return Check(check_unique)


def field(
    *,
    check: Callable[[Any, str], list[Problem]] | None = None,
    default: Any = attrs.NOTHING,
    factory: Callable[[], Any] | None = None,
    converter: Callable[[Any], Any] | None = None,
    eq: bool | Callable[[Any], Any] = True,
    metadata: dict[str, Any] | None = None,
    repr: bool = True,  # noqa: A002 - attrs' own keyword
) -> Any:
    """An attrs field with its ``check`` beside it (see the module docs).

    ``default``, ``factory``, ``converter``, ``eq``, ``metadata`` and ``repr`` are
    attrs'. Fields annotated with a tuple, a frozenset or a mapping get the
    converter that builds one from any list or mapping unless ``converter`` is given.
    """
    meta = dict(metadata or {})
    if check is not None:
        meta[_CHECK] = check
    return attrs.field(
        default=default,
        factory=factory,
        converter=converter,
        eq=eq,
        metadata=meta,
        repr=repr,
    )


@overload
def record(cls: C) -> C: ...
@overload
def record(*, subject: str | None = None) -> Callable[[C], C]: ...


@dataclass_transform(
    frozen_default=True, kw_only_default=True, field_specifiers=(field, attrs.field)
)
def record(cls: C | None = None, *, subject: str | None = None) -> C | Callable[[C], C]:
    """Make ``cls`` a frozen, keyword-only attrs class whose fields check themselves.

    ``subject`` names the value in error messages (the class name by default).
    """

    def make(kind: C) -> C:
        if "__attrs_post_init__" in kind.__dict__:
            raise InvalidDefinition(
                f"record {kind.__name__}",
                ["declare cross-field rules in _rules(self), not __attrs_post_init__"],
            )
        _add_converters(kind)
        kind.__attrs_post_init__ = _first_check  # type: ignore[attr-defined]
        built: C = attrs.frozen(kw_only=True)(kind)
        built.__record_subject__ = subject or kind.__name__  # type: ignore[attr-defined]
        return built

    return make(cls) if cls is not None else make


# ---------------------------------------------------------------------- conversion
_CONVERTERS = (
    (("tuple[", "typing.Tuple[", "Tuple["), as_tuple),
    (("frozenset[", "FrozenSet["), as_frozenset),
    (("Mapping[", "dict[", "typing.Mapping[", "collections.abc.Mapping["), as_frozen_mapping),
)


def _add_converters(kind: type) -> None:
    """Give container fields the converter that builds them from any list or mapping.

    Decided from the annotation's text, which is known when the class is made (its
    names may not resolve until later): ``tuple[...]`` gets `as_tuple`, and so on.
    """
    annotations = inspect.get_annotations(kind)
    for name, annotation in annotations.items():
        text = annotation if isinstance(annotation, str) else _annotation_text(annotation)
        converter = next((c for prefixes, c in _CONVERTERS if text.startswith(prefixes)), None)
        if converter is None:
            continue
        current = kind.__dict__.get(name, attrs.NOTHING)
        if isinstance(current, _COUNTING):
            if current.converter is None:
                current.converter = converter
        else:
            setattr(kind, name, attrs.field(default=current, converter=converter))


def _annotation_text(annotation: object) -> str:
    text = getattr(annotation, "__name__", None) if not typing.get_args(annotation) else None
    return text or str(annotation).removeprefix("typing.")


# ---------------------------------------------------------------------- compiling
_LOCK = threading.Lock()


def _first_check(self: Any) -> None:
    """Compile the class's checks on first use, install them, and run them."""
    kind = type(self)
    with _LOCK:
        checker = kind.__dict__.get("__record_checker__")
        if checker is None:
            checker = _compile(kind)
            kind.__record_checker__ = checker
            kind.__attrs_post_init__ = checker
    checker(self)


def checker_of(kind: type) -> Callable[[Any], None]:
    """The compiled check function of a record class (compiled now if needed)."""
    with _LOCK:
        checker = kind.__dict__.get("__record_checker__")
        if checker is None:
            checker = _compile(kind)
            kind.__record_checker__ = checker  # type: ignore[attr-defined]
            kind.__attrs_post_init__ = checker  # type: ignore[attr-defined]
    return cast("Callable[[Any], None]", checker)


class _Source:
    """The generated function's text and the objects its names refer to."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.names: dict[str, object] = {
            "Problem": Problem,
            "ValidationError": ValidationError,
            "describe": describe,
            "_rule_problems": _rule_problems,
        }

    def name(self, value: object, hint: str) -> str:
        """A name in the generated function's globals bound to ``value``."""
        for existing, bound in self.names.items():
            if bound is value and existing.startswith(f"_{hint}"):
                return existing
        name = f"_{hint}{len(self.names)}"
        self.names[name] = value
        return name

    def add(self, line: str, depth: int = 1) -> None:
        self.lines.append("    " * depth + line)


_COUNTER = iter(range(1, 1 << 62))


def _compile(kind: type) -> Callable[[Any], None]:
    """The one check function of ``kind``: every field's type and check, then its rules."""
    try:
        hints = typing.get_type_hints(kind)
    except NameError as exc:
        raise InvalidDefinition(
            f"record {kind.__name__}",
            [f"an annotation does not resolve at run time ({exc}); import it at run time"],
        ) from None
    source = _Source()
    source.add(f"def check_{kind.__name__}(self):", 0)
    source.add("problems = []")
    for attribute in attrs.fields(kind):
        if not attribute.init:
            continue
        _field_lines(kind, attribute, hints[attribute.name], source)
    rules = getattr(kind, "_rules", None)
    if rules is not None:
        source.add("if not problems:")
        source.add("problems = _rule_problems(self, self._rules(), _fields)", 2)
        source.names["_fields"] = frozenset(a.name for a in attrs.fields(kind))
    source.add("if problems:")
    subject = getattr(kind, "__record_subject__", kind.__name__)
    source.add(f"raise ValidationError(problems, subject={subject!r})", 2)
    text = "\n".join(source.lines) + "\n"
    filename = f"<cloudsms record {kind.__module__}.{kind.__qualname__} #{next(_COUNTER)}>"
    namespace = dict(source.names)
    exec(compile(text, filename, "exec"), namespace)  # noqa: S102 - our own generated source
    linecache.cache[filename] = (len(text), None, text.splitlines(keepends=True), filename)
    return cast("Callable[[Any], None]", namespace[f"check_{kind.__name__}"])


def _field_lines(
    kind: type, attribute: attrs.Attribute[Any], hint: object, source: _Source
) -> None:
    """The lines checking one field: its type, then its check on a value of that type."""
    path = f"$.{attribute.alias or attribute.name}"
    user_check = attribute.metadata.get(_CHECK)
    test, expected = _type_test(kind, attribute.name, hint)
    said = str(getattr(user_check, "expected", "")) if user_check is not None else ""
    if said:
        expected = _with_null(said, hint)
    sensitive = bool(attribute.metadata.get("sensitive"))
    source.add(f"value = self.{attribute.name}")
    if user_check is not None and (test is None or getattr(user_check, "total", False)):
        # A total check sees every value and says itself what a wrong type lacks.
        optional = test is not None and _optional(hint)
        if optional:
            source.add("if value is not None:")
        _check_lines(source, user_check, path, sensitive, 2 if optional else 1)
    elif test is not None:
        got = f"describe(value, sensitive={sensitive})"
        source.add(
            f"if not ({_inline_test(hint, source) or source.name(test, 'type') + '(value)'}):"
        )
        source.add(f"problems.append(Problem({path!r}, {expected!r}, {got}))", 2)
        items = _item_test(hint)
        if items is not None:
            source.add(f"elif {source.name(items, 'items')}(value, {path!r}, problems):")
            source.add("pass", 2)
        if user_check is not None:
            source.add("elif value is not None:" if _optional(hint) else "else:")
            _check_lines(source, user_check, path, sensitive, 2)


def _check_lines(
    source: _Source, user_check: object, path: str, sensitive: bool, depth: int
) -> None:
    name = source.name(user_check, "check")
    if not sensitive:
        source.add(f"problems += {name}(value, {path!r})", depth)
        return
    source.add(f"found = {name}(value, {path!r})", depth)
    source.add("problems += [p._replace(got='<redacted>') for p in found]", depth)


def _inline_test(hint: object, source: _Source) -> str | None:
    """The type test as an expression on ``value``, for the common annotations (faster)."""
    nullable = ""
    if _optional(hint):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(options) != 1:
            return None
        hint, nullable = options[0], "value is None or "
    origin = typing.get_origin(hint)
    if origin in {tuple, frozenset}:
        hint = origin
    if not isinstance(hint, type) or hint is object:
        return None
    if hint is int:
        return f"{nullable}(isinstance(value, int) and value.__class__ is not bool)"
    return f"{nullable}isinstance(value, {source.name(hint, 'class')})"


def _optional(hint: object) -> bool:
    return _is_union(hint) and type(None) in typing.get_args(hint)


def _with_null(expected: str, hint: object) -> str:
    return f"{expected} or null" if _optional(hint) else expected


def _is_union(hint: object) -> bool:
    return typing.get_origin(hint) in {typing.Union, types.UnionType}


# ---------------------------------------------------------------------- type tests
def _type_test(kind: type, name: str, hint: object) -> tuple[Callable[[Any], bool] | None, str]:
    """A function telling whether a value has the annotated type, and what to say if not."""
    if hint is Any or hint is object:
        return None, ""
    if _is_union(hint):
        return _union_test(kind, name, hint)
    origin = typing.get_origin(hint)
    if origin is not None:
        return _generic_test(kind, name, origin, typing.get_args(hint))
    if isinstance(hint, type):
        return _class_test(hint)
    raise InvalidDefinition(
        f"record {kind.__name__}",
        [f"field {name!r}: cloudsms records do not check the annotation {hint!r}"],
    )


def _union_test(kind: type, name: str, hint: object) -> tuple[Callable[[Any], bool] | None, str]:
    options = [a for a in typing.get_args(hint) if a is not type(None)]
    nullable = len(options) != len(typing.get_args(hint))
    tests = [_type_test(kind, name, option) for option in options]
    functions = [t for t, _ in tests if t is not None]
    if len(functions) != len(tests):  # Any among the options
        return None, ""
    said = " or ".join(e for _, e in tests) + (" or null" if nullable else "")
    if nullable and len(functions) == 1:
        only = functions[0]
        return (lambda v: v is None or only(v)), said
    return (lambda v: (nullable and v is None) or any(f(v) for f in functions)), said


def _generic_test(
    kind: type, name: str, origin: object, args: tuple[Any, ...]
) -> tuple[Callable[[Any], bool], str]:
    if origin is typing.Literal:
        allowed = frozenset(args)
        return (lambda v: v in allowed), "one of " + ", ".join(map(repr, args))
    if origin is tuple:
        item = _item_name(kind, name, args[0] if args else Any)
        return (lambda v: isinstance(v, tuple)), f"a list of {item}"
    if origin is frozenset:
        item = _item_name(kind, name, args[0] if args else Any)
        return (lambda v: isinstance(v, frozenset)), f"a set of {item}"
    if origin in {dict, collections.abc.Mapping}:
        item = _item_name(kind, name, args[1] if len(args) == 2 else Any)  # noqa: PLR2004
        return (lambda v: isinstance(v, collections.abc.Mapping)), f"a mapping of text to {item}"
    raise InvalidDefinition(
        f"record {kind.__name__}",
        [f"field {name!r}: cloudsms records do not check the annotation {origin!r}{list(args)}"],
    )


def _class_test(hint: type) -> tuple[Callable[[Any], bool], str]:
    if hint is int:
        return (lambda v: isinstance(v, int) and not isinstance(v, bool)), "an integer"
    if issubclass(hint, enum.Enum):
        names = ", ".join(repr(m.value) for m in hint)
        return (lambda v: isinstance(v, hint)), f"one of {names}"
    return (lambda v: isinstance(v, hint)), _a(_readable(hint))


def _item_name(kind: type, name: str, hint: object) -> str:
    _type_test(kind, name, hint)  # refuses an unsupported item type when compiled
    return _readable(hint)


def _readable(hint: object) -> str:
    if hint is str:
        return "text"
    if hint is Decimal:
        return "Decimal"
    return getattr(hint, "__name__", None) or str(hint)


def _a(name: str) -> str:
    if name == "text":
        return "a string"
    return f"an {name}" if name[:1].lower() in "aeiou" else f"a {name}"


def _item_test(hint: object) -> Callable[[Any, str, list[Problem]], bool] | None:
    """For containers: a function adding a problem per bad item (true if it found any)."""
    if _is_union(hint):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        return _item_test(options[0]) if len(options) == 1 else None
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is frozenset and args:
        return _items_test(args[0])
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:  # noqa: PLR2004
        return _items_test(args[0])
    if origin in {dict, collections.abc.Mapping} and len(args) == 2:  # noqa: PLR2004
        return _entries_test(args[1])
    return None  # not a container, or a fixed-length tuple: its field check sees it whole


def _items_test(item: object) -> Callable[[Any, str, list[Problem]], bool] | None:
    test, expected = _type_test(object, "item", item)
    if test is None:
        return None
    item_test = test

    def bad_items(values: Iterable[Any], path: str, problems: list[Problem]) -> bool:
        items = _sorted_items(values) if isinstance(values, frozenset) else values
        found = False
        for index, value in enumerate(items):
            if not item_test(value):
                problems.append(Problem(f"{path}[{index}]", expected, describe(value)))
                found = True
        return found

    return bad_items


def _entries_test(item: object) -> Callable[[Any, str, list[Problem]], bool]:
    test, expected = _type_test(object, "value", item)

    def bad_entries(
        values: collections.abc.Mapping[Any, Any], path: str, problems: list[Problem]
    ) -> bool:
        found = False
        for key, value in values.items():
            if not isinstance(key, str):
                problems.append(Problem(path, "text keys", describe(key)))
                found = True
            elif test is not None and not test(value):
                problems.append(Problem(key_path(path, key), expected, describe(value)))
                found = True
        return found

    return bad_entries


def _sorted_items(values: Iterable[Any]) -> list[Any]:
    return sorted(values, key=lambda item: (type(item).__name__, str(item)))


# ---------------------------------------------------------------------- rules
def _rule_problems(
    record: object, found: Iterable[Problem], fields: frozenset[str]
) -> list[Problem]:
    """The problems a record's ``_rules`` yielded, each path put under ``$.``.

    Raises:
        InvalidDefinition: a path does not start with a field of the record.
    """
    problems: list[Problem] = []
    for problem in found:
        path = problem.path
        head = path.split(".", 1)[0].split("[", 1)[0]
        if head not in fields:
            raise InvalidDefinition(
                f"record {type(record).__name__}",
                [f"a rule reports a problem at {path!r}, which is not a field of the record"],
            )
        problems.append(problem._replace(path=f"$.{path}"))
    return problems
