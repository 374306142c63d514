"""The exceptions cloudsms raises: one root, each concrete error beside the builtin it resembles.

Every error keeps its facts as attributes (``path``, ``expected``, ``got``, ``kind``,
``key``) and builds its message in ``__str__``, so a program can act on the
attributes and a person can read the message. All of them pickle, so they survive
process pools and task queues.

This module imports only the standard library: ``cloudsms.reference`` (which serves
every scenario, S01-S15) raises these errors without pulling in cattrs or pint.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

__all__ = [
    "REDACTED",
    "CloudSMSError",
    "CurrencyMismatch",
    "InvalidDefinition",
    "InvalidTransition",
    "Problem",
    "UnknownReference",
    "ValidationError",
    "describe",
]

REDACTED = "<redacted>"
"""What a message shows instead of the value of a field marked sensitive."""

_MAX_SHOWN = 60
_DIGITS_PER_BIT = 0.30103  # log10(2): decimal digits per bit of an integer


def describe(value: object, *, sensitive: bool = False) -> str:
    """Describe a received value for an error message: its short repr and its JSON-ish type.

    With ``sensitive=True`` (a secret, personal data) only the type is shown.

    Examples:
        >>> describe(5)
        '5 (integer)'
        >>> describe(None)
        'null'
        >>> describe("x" * 1000)[-20:]  # long values are cut short
        "xxxxxx...' (string)"
        >>> describe(frozenset({"b", "a"}))  # a set travels as an array
        "['a', 'b'] (array)"
        >>> describe("hunter2", sensitive=True)
        '<redacted> (string)'
        >>> describe(10**5000)  # past Python's limit on int-to-text conversion
        'an integer of about 5001 digits'
        >>> import functools
        >>> describe(functools.reduce(lambda inner, _: [inner], range(5000), 1))
        'an array nested too deeply to show'
    """
    if value is None:
        return "null"
    if sensitive:
        return f"{REDACTED} ({_type_name(value)})"
    try:
        shown = _set_text(value) if isinstance(value, set | frozenset) else repr(value)
    except RecursionError:  # a value nested deeper than repr can walk
        return f"{_a(_type_name(value))} nested too deeply to show"
    except ValueError:  # an integer past Python's limit on int-to-text conversion
        if isinstance(value, int):
            digits = int(abs(value).bit_length() * _DIGITS_PER_BIT) + 1
            return f"an integer of about {digits} digits"
        return f"{_a(_type_name(value))} that has no text"

    if len(shown) > _MAX_SHOWN:
        shown = shown[: _MAX_SHOWN - 4] + "..." + shown[-1]
    return f"{shown} ({_type_name(value)})"


def _a(noun: str) -> str:
    return f"an {noun}" if noun[:1] in "aeiou" else f"a {noun}"


def _set_text(values: set[Any] | frozenset[Any]) -> str:
    """A set as the JSON array it travels as, its items in a stable order."""
    items = sorted(values, key=lambda item: (type(item).__name__, str(item)))
    return "[" + ", ".join(map(repr, items)) + "]"


def _type_name(value: object) -> str:
    names = {
        bool: "boolean",
        int: "integer",
        float: "number",
        str: "string",
        list: "array",
        tuple: "array",
        set: "array",
        frozenset: "array",
        dict: "object",
    }
    return names.get(type(value), type(value).__name__)


class Problem(NamedTuple):
    """One problem of a document: where it is, what was expected there and what arrived.

    ``path`` is a JSONPath-like location whose keys are the attribute names,
    for example ``$.citations[3].clause_number``.

    Examples:
        >>> str(Problem("$.clauses[0].title", "a non-empty string", "5 (integer)"))
        'expected a non-empty string, got 5 (integer) @ $.clauses[0].title'
    """

    path: str
    expected: str
    got: str

    def __str__(self) -> str:
        return f"expected {self.expected}, got {self.got} @ {self.path}"


class CloudSMSError(Exception):
    """The root of every error cloudsms raises on purpose.

    Catch this to handle anything the library refuses, whatever the cause.
    """


class ValidationError(CloudSMSError, ValueError):
    """A document or value breaks the model's rules; ``errors`` lists every problem found.

    Nothing is built or changed when this is raised. Each entry of ``errors`` reads
    ``"expected <what>, got <what arrived> @ <path>"``; ``problems`` holds the same
    facts as `Problem` tuples.

    Examples:
        >>> err = ValidationError(
        ...     [Problem("$.scenarios[1].phase", "one of 'plan', 'design'", "'later' (string)")],
        ...     subject="reference overlay",
        ... )
        >>> print(err)
        Reference overlay is invalid (1 problem):
          - expected one of 'plan', 'design', got 'later' (string) @ $.scenarios[1].phase
        >>> err.errors
        ["expected one of 'plan', 'design', got 'later' (string) @ $.scenarios[1].phase"]
    """

    def __init__(self, problems: Iterable[Problem], *, subject: str = "document") -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.subject = subject
        super().__init__(self.problems, subject)

    @classmethod
    def single(
        cls, path: str, expected: str, got: str, *, subject: str = "document"
    ) -> ValidationError:
        """Build the error for a single problem.

        Examples:
            >>> print(
            ...     ValidationError.single("$", "a JSON object", "[] (array)", subject="overlay")
            ... )
            Overlay is invalid (1 problem):
              - expected a JSON object, got [] (array) @ $
        """
        return cls([Problem(path, expected, got)], subject=subject)

    @property
    def errors(self) -> list[str]:
        """Every problem as ``"expected <what>, got <what arrived> @ <path>"``."""
        return [str(p) for p in self.problems]

    @property
    def paths(self) -> list[str]:
        """The path of every problem, in the order found."""
        return [p.path for p in self.problems]

    def __str__(self) -> str:
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        subject = self.subject[:1].upper() + self.subject[1:]  # one capitalisation
        lines = [f"{subject} is invalid ({count} {noun}):"]
        lines.extend(f"  - {p}" for p in self.problems)
        return "\n".join(lines)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_validation_error, (self.problems, self.subject))


def _rebuild_validation_error(problems: Sequence[Problem], subject: str) -> ValidationError:
    return ValidationError(problems, subject=subject)


class UnknownReference(CloudSMSError, LookupError):
    """An identifier names nothing known: a clause, a scenario or another record.

    ``kind`` says what was looked for, ``key`` what was asked, ``suggestions`` the
    closest known identifiers.

    Examples:
        >>> print(UnknownReference("scenario", "S16", suggestions=("S15", "S06")))
        unknown scenario 'S16'; did you mean S15 or S06?
        >>> print(UnknownReference("clause", "12", scope="edition 20000-1:2011"))
        unknown clause '12' in edition 20000-1:2011
    """

    def __init__(
        self,
        kind: str,
        key: object,
        *,
        suggestions: Sequence[str] = (),
        scope: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.kind = kind
        self.key = key
        self.suggestions: tuple[str, ...] = tuple(suggestions)
        self.scope = scope
        self.hint = hint
        super().__init__(kind, key)

    def __str__(self) -> str:
        shown = repr(self.key)
        if len(shown) > _MAX_SHOWN:
            shown = shown[: _MAX_SHOWN - 4] + "..." + shown[-1]
        text = f"unknown {self.kind} {shown}"
        if self.scope:
            text += f" in {self.scope}"
        if self.hint:
            text += f"; {self.hint}"
        if self.suggestions:
            *head, last = self.suggestions
            options = f"{', '.join(head)} or {last}" if head else last
            text += f"; did you mean {options}?"
        return text

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            _rebuild_unknown_reference,
            (self.kind, self.key, self.suggestions, self.scope, self.hint),
        )


def _rebuild_unknown_reference(
    kind: str, key: object, suggestions: Sequence[str], scope: str | None, hint: str | None
) -> UnknownReference:
    return UnknownReference(kind, key, suggestions=suggestions, scope=scope, hint=hint)


class InvalidDefinition(CloudSMSError, ValueError):
    """A state machine or data table is declared inconsistently; raised when it is declared.

    Kept apart from the errors of running a machine (`InvalidTransition`): this one
    means the declaration itself must be fixed. ``problems`` lists every fault found.

    Examples:
        >>> print(InvalidDefinition("lifecycle 'toy'", ["state 'lost' is unreachable"]))
        lifecycle 'toy' is declared inconsistently:
          - state 'lost' is unreachable
    """

    def __init__(self, subject: str, problems: Iterable[str]) -> None:
        self.subject = subject
        self.problems: tuple[str, ...] = tuple(problems)
        super().__init__(subject, self.problems)

    def __str__(self) -> str:
        lines = [f"{self.subject} is declared inconsistently:"]
        lines.extend(f"  - {p}" for p in self.problems)
        return "\n".join(lines)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.subject, self.problems))


class InvalidTransition(CloudSMSError, ValueError):
    """An event cannot be applied in the current state; nothing has changed.

    ``state`` and ``event`` say what was tried, ``reason`` why a guard refused it
    (``None`` when the event is simply not allowed there) and ``allowed`` which
    events the state does accept.

    Examples:
        >>> print(InvalidTransition("notice", "delete_data", allowed=("retrieve_data",)))
        can't 'delete_data' when in 'notice'; allowed events: retrieve_data
        >>> print(
        ...     InvalidTransition(
        ...         "retrieval", "confirm", reason="the window is open", allowed=("confirm",)
        ...     )
        ... )
        can't 'confirm' when in 'retrieval': the window is open
    """

    def __init__(
        self,
        state: str,
        event: str,
        *,
        reason: str | None = None,
        allowed: Sequence[str] = (),
        subject: str | None = None,
    ) -> None:
        self.state = state
        self.event = event
        self.reason = reason
        self.allowed: tuple[str, ...] = tuple(allowed)
        self.subject = subject
        super().__init__(state, event)

    def __str__(self) -> str:
        text = f"can't {self.event!r} when in {self.state!r}"
        if self.subject:
            text = f"{self.subject}: {text}"
        if self.reason:
            return f"{text}: {self.reason}"
        options = ", ".join(self.allowed) if self.allowed else "none (a final state)"
        return f"{text}; allowed events: {options}"

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            _rebuild_invalid_transition,
            (self.state, self.event, self.reason, self.allowed, self.subject),
        )


def _rebuild_invalid_transition(
    state: str, event: str, reason: str | None, allowed: Sequence[str], subject: str | None
) -> InvalidTransition:
    return InvalidTransition(state, event, reason=reason, allowed=allowed, subject=subject)


class CurrencyMismatch(CloudSMSError, ValueError):
    """Two amounts of different currencies were combined; money only mixes within one.

    Examples:
        >>> print(CurrencyMismatch("add", "EUR", "USD"))
        can't add EUR and USD: amounts in different currencies don't mix
    """

    def __init__(self, operation: str, left: str, right: str) -> None:
        self.operation = operation
        self.left = left
        self.right = right
        super().__init__(operation, left, right)

    def __str__(self) -> str:
        return (
            f"can't {self.operation} {self.left} and {self.right}: "
            "amounts in different currencies don't mix"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.operation, self.left, self.right))
