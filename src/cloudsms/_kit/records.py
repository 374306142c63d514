"""Model records whose checks sit beside their fields, compiled once per class.

A record is a frozen, keyword-only attrs class that derives from `Record`; each
field names its check as its attrs ``validator``::

    @attrs.frozen(kw_only=True)
    class ServiceLevel(Record):
        measure: str = attrs.field(validator=text)
        bound: Bound
        target: Quantity = attrs.field(validator=_TARGET)

        def _rules(
            self,
        ) -> Iterator[Problem]: ...  # cross-field rules, reached only when every field is sound

It stays a plain attrs class to every tool: mypy's attrs plugin types its
``__init__`` (with its converters), ``attrs.fields``, ``attrs.evolve``, cattrs and
``st.from_type`` work on it as on any attrs class. What `Record` adds is how it is
checked: when a value is built, every field is checked and every problem collected
into one `ValidationError`, each at a path taken from the field's name.

Each field is checked in two steps. First its **type**, read from its annotation
(resolved when the first value is built, so string annotations and names defined
later in the module work; names imported only under ``TYPE_CHECKING`` do not).
Then, for a value of that type, its **check**: a `Check` (build one with `check`,
combine two with ``&``: the second runs only if the first found nothing). attrs
calls a validator with each value in ``__init__``; a `Check` does nothing then,
because the record checks all its fields together right after. A *total* check
takes any value and says itself what a wrong one lacks (the shared checks of
`cloudsms._kit.checks` do), so a wrong-typed id reads "expected an id of letters,
..." rather than "a string"; for an optional field (``X | None``) a total check
runs only on values other than ``None``, and its own problems say "or null".

Supported annotations, and what a value of the wrong type is told:

| annotation | accepted | expected, when wrong |
|---|---|---|
| ``str``, ``bool``, ``Decimal``, a class | an instance | ``a string``, ``a Money`` |
| ``int`` | an int, not a bool | ``an integer`` |
| an enum class | a member | ``a Bound (Bound.AT_LEAST or Bound.AT_MOST)`` |
| ``X | None`` | ``None`` or an ``X`` | ``<X's text> or null`` |
| ``tuple[X, ...]`` | a tuple of ``X`` | ``a list of X``; a bad item at ``[i]`` |
| ``frozenset[X]`` | a frozenset of ``X`` | ``a set of X``; items sorted |
| ``Mapping[str, X]`` | a mapping of text to ``X`` | ``a mapping of text to X`` |
| ``Literal[a, b]`` | one of the values, of its type | ``one of a, b`` |
| ``Any``, ``object`` | anything | |

``dict[str, X]`` reads as ``Mapping[str, X]``. Give container fields their attrs
converter (``converter=as_tuple``, ``as_frozenset``, ``as_frozen_mapping`` from
`cloudsms._foundation.frozen`) so they are built from any list or mapping and mypy
knows it. Any other annotation is refused with `InvalidDefinition` when the checks
are compiled, naming the class, the field and the annotation.

Cross-field rules live in one method, ``_rules(self)``, which yields `Problem`
values whose path is relative to the record and starts with a field name
(``Problem("upgrades[2].id", ...)``), or is empty for a problem of the record as a
whole; the record puts ``$.`` in front, and a path that does not start with a field
of the record raises `InvalidDefinition`, so a renamed field cannot leave a rule
pointing nowhere. Rules run once every field is
sound, so they may rely on the types. A value derived from the fields (a look-up
table) is a `functools.cached_property`, which works on these slotted classes.

The checks of a class are compiled once, when its first value is built, into one
function (as attrs generates ``__init__``): its source is registered in
`linecache`, so tracebacks and debuggers show it, and building it is thread-safe.
"""

from __future__ import annotations

import collections.abc
import enum
import linecache
import threading
import types
import typing
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, cast

import attrs

from cloudsms._foundation.strict_json import key_path
from cloudsms._kit.limits import INT64
from cloudsms.errors import InvalidDefinition, Problem, ValidationError, describe

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

__all__ = [
    "Check",
    "Record",
    "check",
    "checker_of",
    "each",
    "one_or_more",
    "sorted_items",
    "unique",
    "unique_by",
]


class Check:
    """A field check: ``check.problems(value, path)`` lists the problems of ``value``.

    ``expected`` is what the check wants, said as a problem says it ("an id of
    ...", "one or more ISO 3166 codes"); the record uses it when the value is not
    even of the annotated type. A ``total`` check takes any value and says itself
    what a wrong one lacks (the `cloudsms._kit.checks` functions do): the record
    then asks it about a wrong type too. ``a & b`` runs ``b`` only when ``a`` found
    nothing. As an attrs validator (``attrs.field(validator=check)``) it does
    nothing: the record checks every field at once after ``__init__``.

    Examples:
        >>> positive = Check(
        ...     lambda v, p: [] if v > 0 else [Problem(p, "a positive number", str(v))],
        ...     expected="a positive number",
        ... )
        >>> positive.problems(0, "$.count")
        [Problem(path='$.count', expected='a positive number', got='0')]
    """

    __slots__ = ("expected", "problems", "total")

    def __init__(
        self,
        problems: Callable[[Any, str], list[Problem]],
        *,
        expected: str = "",
        total: bool = False,
    ) -> None:
        self.problems = problems
        self.expected = expected
        self.total = total

    def __call__(self, instance: Any, attribute: Any, value: Any) -> None:
        """Attrs' validator call in ``__init__``: nothing to do, the record checks later."""

    def __and__(self, other: Check | Callable[[Any, str], list[Problem]]) -> Check:
        first = self.problems
        second = other.problems if isinstance(other, Check) else other

        def both(value: Any, path: str) -> list[Problem]:
            return first(value, path) or second(value, path)

        said = self.expected or str(getattr(other, "expected", ""))
        return Check(both, expected=said, total=self.total)

    def __repr__(self) -> str:
        return f"Check({getattr(self.problems, '__name__', self.problems)!r})"


def check(
    function: Callable[[Any, str], list[Problem]], *, expected: str = "", total: bool = False
) -> Check:
    """``function`` as a `Check` (combinable with ``&``); see `Check` for the keywords."""
    return Check(function, expected=expected, total=total)


def each(item_check: Check, *, expected: str = "") -> Check:
    """Check every item of a tuple or frozenset (a set's items in a stable sorted order).

    Each item's problems are at its index: ``$.codes[2]``. Total when ``item_check``
    is: a value that is not a list is then refused, told ``expected`` (by default
    "a list, each item <what the item check expects>").
    """
    item = item_check.problems
    said = expected or (f"a list, each item {item_check.expected}" if item_check.expected else "")

    def check_items(values: Any, path: str) -> list[Problem]:
        if not isinstance(values, tuple | frozenset):
            return [Problem(path, said or "a list", describe(values))]
        items = sorted_items(values) if isinstance(values, frozenset) else values
        problems: list[Problem] = []
        for index, value in enumerate(items):
            problems += item(value, f"{path}[{index}]")
        return problems

    return Check(check_items, expected=said, total=item_check.total)


def one_or_more(what: type | str = "items") -> Check:
    """A tuple or set with at least one item; ``what`` names the items in the message.

    Examples:
        >>> from cloudsms.levels import ServiceLevel
        >>> one_or_more(ServiceLevel).problems((), "$.levels")
        [Problem(path='$.levels', expected='one or more ServiceLevel values', got='() (array)')]
    """
    name = what if isinstance(what, str) else f"{what.__name__} values"
    said = f"one or more {name}"

    def not_empty(values: Any, path: str) -> list[Problem]:
        return [] if values else [Problem(path, said, describe(values))]

    return Check(not_empty, expected=said)


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
                        f"{path}[{index}].{attribute}", f"{_a(attribute)} used once", describe(key)
                    )
                )
            seen.add(key)
        return problems

    return Check(check_unique)


class Record:
    """The base of model records: build one and every field is checked (module docs).

    Derive a frozen, keyword-only attrs class from it; do not define
    ``__attrs_post_init__`` (cross-field rules go in ``_rules``). ``__record_subject__``
    names the value in error messages (the class name by default).
    """

    __slots__ = ()
    __record_subject__: ClassVar[str | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Refuse a record with its own ``__attrs_post_init__``: it would skip the checks."""
        super().__init_subclass__(**kwargs)
        own = cls.__dict__.get("__attrs_post_init__")
        if own is not None and own is not cls.__dict__.get("__record_checker__"):
            raise InvalidDefinition(
                f"record {cls.__name__}",
                ["declare cross-field rules in _rules(self), not __attrs_post_init__"],
            )

    def __attrs_post_init__(self) -> None:
        """Compile the class's checks on first use, install them, and run them."""
        checker_of(type(self))(self)


# ---------------------------------------------------------------------- compiling
_LOCK = threading.Lock()


def checker_of(kind: type) -> Callable[[Any], None]:
    """The compiled check function of a record class, compiled now if it is not yet.

    It is installed as the class's own ``__attrs_post_init__``, so later values call
    it directly.

    Raises:
        InvalidDefinition: ``kind`` is not an attrs class deriving from `Record`, defines
            its own ``__attrs_post_init__``, or has an annotation records cannot check.
    """
    checker = kind.__dict__.get("__record_checker__")
    if checker is not None:
        return cast("Callable[[Any], None]", checker)
    with _LOCK:
        checker = kind.__dict__.get("__record_checker__")
        if checker is None:
            _definition_problems(kind)
            checker = _compile(kind)
            kind.__record_checker__ = checker  # type: ignore[attr-defined]
            kind.__attrs_post_init__ = checker  # type: ignore[attr-defined]
    return cast("Callable[[Any], None]", checker)


def _definition_problems(kind: type) -> None:
    faults = []
    if not (attrs.has(kind) and issubclass(kind, Record)):
        faults.append("a record is an attrs class deriving from Record")
    for klass in kind.__mro__:
        if klass is Record:
            break
        own = klass.__dict__.get("__attrs_post_init__")
        if own is not None and own is not klass.__dict__.get("__record_checker__"):
            faults.append("declare cross-field rules in _rules(self), not __attrs_post_init__")
    if faults:
        raise InvalidDefinition(f"record {kind.__name__}", faults)


class _Source:
    """The generated function's text and the objects its names refer to."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.names: dict[str, object] = {
            "Problem": Problem,
            "ValidationError": ValidationError,
            "describe": describe,
            "_rule_problems": _rule_problems,
            "_or_null": _or_null,
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
    source.add("if self.__class__ is not _kind:  # a derived record: its own checks")
    source.add("return _checker_of(self.__class__)(self)", 2)
    source.add("problems = []")
    source.names["_kind"] = kind
    source.names["_checker_of"] = checker_of
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
    subject = getattr(kind, "__record_subject__", None) or kind.__name__
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
    user_check = attribute.validator if isinstance(attribute.validator, Check) else None
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
        _check_lines(source, user_check, path, sensitive, 2 if optional else 1, null=optional)
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
    source: _Source,
    user_check: Check,
    path: str,
    sensitive: bool,
    depth: int,
    *,
    null: bool = False,
) -> None:
    name = source.name(user_check.problems, "check")
    if not sensitive and not null:
        source.add(f"problems += {name}(value, {path!r})", depth)
        return
    source.add(f"found = {name}(value, {path!r})", depth)
    if null:  # an optional field: its own problems say that null is allowed too
        source.add(f"found = _or_null(found, {path!r})", depth)
    if sensitive:
        source.add("found = [p._replace(got='<redacted>') for p in found]", depth)
    source.add("problems += found", depth)


def _or_null(found: list[Problem], path: str) -> list[Problem]:
    return [
        p._replace(expected=p.expected + " or null")
        if p.path == path and not p.expected.endswith(" or null")
        else p
        for p in found
    ]


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
        low, high = INT64
        return (
            f"{nullable}(isinstance(value, int) and value.__class__ is not bool"
            f" and {low} <= value <= {high})"
        )
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
        return _literal_test(args)
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


def _literal_test(args: tuple[Any, ...]) -> tuple[Callable[[Any], bool], str]:
    """The test of a ``Literal`` field: one of its values, of the same type.

    A value is compared with the allowed ones by its type and its value together, as
    the converter reads a ``Literal`` (`cloudsms._kit.converter`): ``True`` is not
    ``1`` and ``1.0`` is not ``1``. A value that cannot be hashed (a list, a dict) is
    simply not one of them: the record reports it at the field's path, expected the
    allowed values, rather than letting ``TypeError`` escape from the look-up.
    """
    allowed = frozenset((type(option), option) for option in args)

    def test(value: Any) -> bool:
        try:
            return (type(value), value) in allowed
        except TypeError:  # unhashable: never one of the (hashable) allowed values
            return False

    said = ", ".join(
        f"{type(option).__name__}.{option.name}" if isinstance(option, enum.Enum) else repr(option)
        for option in args
    )
    return test, f"one of {said}"


def _class_test(hint: type) -> tuple[Callable[[Any], bool], str]:
    if hint is int:
        low, high = INT64
        return (
            lambda v: isinstance(v, int) and not isinstance(v, bool) and low <= v <= high
        ), "an integer (within 64 bits)"
    if issubclass(hint, enum.Enum):
        return (lambda v: isinstance(v, hint)), _members(hint)
    return (lambda v: isinstance(v, hint)), _a(_readable(hint))


def _members(kind: type[enum.Enum]) -> str:
    """What an enum field wants, by member: "a Bound (Bound.AT_LEAST or Bound.AT_MOST)".

    Members, not values: a constructor takes a member (``'new'`` is the wire form of
    ``SlaDecision.NEW``, which the converter reads; the constructor does not).
    """
    members = [f"{kind.__name__}.{m.name}" for m in kind]
    if len(members) > 6:  # noqa: PLR2004 - beyond six, the names crowd the message
        return f"a {kind.__name__} member"
    listed = ", ".join(members[:-1]) + " or " + members[-1] if len(members) > 1 else members[0]
    return f"{_a(kind.__name__)} ({listed})"


def _item_name(kind: type, name: str, hint: object) -> str:
    _type_test(kind, name, hint)  # refuses an unsupported item type when compiled
    return _readable(hint)


def _readable(hint: object) -> str:
    if hint is str:
        return "text"
    if hint is Decimal:
        return "Decimal"
    if hint is bool:
        return "boolean"
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
        items = sorted_items(values) if isinstance(values, frozenset) else values
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


def sorted_items(values: Iterable[Any]) -> list[Any]:
    """The items of a set in a stable order (by type, then text), to report them by index."""
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
        if not path:  # a rule about the record as a whole
            problems.append(problem._replace(path="$"))
            continue
        head = path.split(".", 1)[0].split("[", 1)[0]
        if head not in fields:
            raise InvalidDefinition(
                f"record {type(record).__name__}",
                [f"a rule reports a problem at {path!r}, which is not a field of the record"],
            )
        problems.append(problem._replace(path=f"$.{path}"))
    return problems
