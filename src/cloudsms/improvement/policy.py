"""How improvements are prioritised: stated criteria with weights, and the major-impact line (S12).

The criteria and their weights are data, not code. The ones cloudsms ships live in
``criteria.json`` beside this module, a JSON object with these keys:

``version``
    the version of this file's shape: ``1``;
``criteria``
    a list of ``{"key", "title", "weight"}`` objects: ``key`` is a lower-case name
    (``business_objectives``) that an assessment scores from 0 to 5, ``title`` says
    in a line what the score measures and which end is which, ``weight`` is a
    positive decimal written as a string (``"3"``, ``"1.5"``).
``major_impact_services``, ``major_impact_customers``
    the most services and customers an improvement may affect and still be carried
    out as a change (ISO/IEC 20000-1:2011 9.2); above either, its impact is major
    and it goes through design and transition of new or changed services (clause 5).

The shipped criteria are the ones the TR names for ranking improvements (the
provider's business objectives, its capability, the service requirements) plus
the effect on other customers and services that its cloud guidance asks for. A
provider states its own with `load_policy`, or builds a `PrioritisationPolicy`.

Serves S12; ISO/IEC 20000-1:2011 4.5.5 (maintain and improve the SMS).
"""

from __future__ import annotations

import decimal
import functools
import importlib.resources as _package_data
import json
import re
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from cloudsms._foundation.frozen import as_tuple
from cloudsms._kit.checks import text
from cloudsms._kit.limits import DECIMAL, INT64, LONGEST_NUMBER
from cloudsms._kit.records import Check, Record, one_or_more
from cloudsms.errors import Problem, ValidationError, describe

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

__all__ = [
    "MAX_SCORE",
    "Criterion",
    "PrioritisationPolicy",
    "default_policy",
    "load_policy",
    "policy_json",
]

MAX_SCORE = 5
"""The top of the scale every criterion is scored on: whole numbers from 0 to 5."""

KEY = re.compile(r"[a-z][a-z0-9_]{0,63}")
"""What a criterion key looks like: lower-case letters, digits and underscores."""

_EXACT = decimal.Context(
    prec=decimal.MAX_PREC,
    Emax=decimal.MAX_EMAX,
    Emin=decimal.MIN_EMIN,
    traps=[decimal.Inexact, decimal.InvalidOperation],
)
"""A private context whose precision no sum or product of weights can reach: exact.

Sums and products of weights are worked out through it, never through the
caller's context (which may round to a few digits); it raises rather than round.
"""


def exact_sum(values: Iterable[Decimal]) -> Decimal:
    """The exact sum of ``values`` (``0`` for none), whatever the caller's decimal context."""
    total = Decimal(0)
    for value in values:
        total = _EXACT.add(total, value)
    return total


def exact_points(weight: Decimal, score: int) -> Decimal:
    """``weight`` times ``score``, exactly, whatever the caller's decimal context."""
    return _EXACT.multiply(weight, Decimal(score))


def plain(value: Decimal) -> str:
    """A weight or a count of points as people write it (``3``, ``1.5``), every digit kept."""
    return format(_EXACT.normalize(value), "f")


_KEY_EXPECTED = (
    "a criterion key of lower-case letters, digits and _ (such as 'business_objectives')"
)


def _key_problems(value: object, path: str) -> list[Problem]:
    if isinstance(value, str) and KEY.fullmatch(value):
        return []
    return [Problem(path, _KEY_EXPECTED, describe(value))]


def _shown(value: object) -> str:
    """What was given, as it is written: a Decimal as its digits (``0``, ``-1.5``).

    A weight travels as a JSON string and a caller writes a number, so a Decimal is
    shown as its text, never as Python's ``Decimal('0')``; anything else as
    `describe` shows it (``0 (integer)``, ``'x' (string)``).
    """
    if isinstance(value, Decimal):
        shown = str(value)
        return shown if len(shown) <= _LONGEST_SHOWN else f"{shown[: _LONGEST_SHOWN - 3]}..."
    return describe(value)


_LONGEST_SHOWN = 60


def _weight_problems(value: object, path: str) -> list[Problem]:
    """A positive, finite Decimal a JSON document carries and reads back."""
    expected = "a positive decimal weight (written as a string, such as '3' or '1.5')"
    if not isinstance(value, Decimal) or not value.is_finite() or value <= 0:
        return [Problem(path, expected, _shown(value))]
    shown = str(value)
    if len(shown) > LONGEST_NUMBER or not DECIMAL.fullmatch(shown):
        return [
            Problem(
                path,
                "a decimal weight written in at most 100 characters, its exponent in at most "
                "3 digits",
                _shown(value),
            )
        ]
    return []


def _threshold_problems(value: object, path: str) -> list[Problem]:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= INT64[1]:
        return []
    return [
        Problem(path, "a whole number from 0 (a count of services or customers)", describe(value))
    ]


_KEY = Check(_key_problems, expected=_KEY_EXPECTED, total=True)
_WEIGHT = Check(_weight_problems, total=True)
_THRESHOLD = Check(_threshold_problems, total=True)


@attrs.frozen(kw_only=True)
class Criterion(Record):
    """One stated criterion improvements are scored against, with its weight (S12).

    ``key`` names it in scores (``business_objectives``); ``title`` says what a score
    from 0 to `MAX_SCORE` measures and which end is better; ``weight`` is how much
    it counts beside the others (a positive Decimal: only the ratios matter).

    Raises:
        ValidationError: a key that is not lower-case letters, digits and ``_``, an
            empty title, or a weight that is not a positive Decimal.

    Examples:
        >>> Criterion(key="cost", title="Saves money (5: most)", weight=Decimal("1.5")).weight
        Decimal('1.5')
    """

    key: str = attrs.field(validator=_KEY)
    title: str = attrs.field(validator=text)
    weight: Decimal = attrs.field(validator=_WEIGHT)


def _unique_keys(criteria: tuple[Criterion, ...], path: str) -> list[Problem]:
    """A problem at each criterion whose key an earlier one used (the list's type is checked)."""
    seen: set[str] = set()
    problems: list[Problem] = []
    for index, criterion in enumerate(criteria):
        key = criterion.key
        if key in seen:
            problems.append(Problem(f"{path}[{index}].key", "a key used once", describe(key)))
        seen.add(key)
    return problems


@attrs.frozen(kw_only=True)
class PrioritisationPolicy(Record):
    """The criteria improvements are ranked by, and where a major impact begins (S12).

    ``criteria`` are the stated, weighted criteria (one or more, keys distinct): an
    assessment scores every one of them. ``major_impact_services`` and
    ``major_impact_customers`` are the caller's thresholds: an improvement that
    affects more services, or more customers, than these has a major impact, and
    is carried out through design and transition of new or changed services
    (ISO/IEC 20000-1:2011 clause 5) rather than through change management (9.2).
    An assessment records the verdict of the policy in force when it is made;
    changing the thresholds later leaves recorded verdicts as they were
    (`ImprovementRegister.ranked` shows where they now differ).

    Kept inside an `ImprovementRegister` (and written with it); `default_policy` is
    the one cloudsms ships; `load_policy` reads a provider's own from a file of the
    shipped form.

    Serves S12; ISO/IEC 20000-1:2011 4.5.5.

    Raises:
        ValidationError: no criteria, a key used twice (at ``$.criteria[i].key``), a
            weight that is not positive, or a negative threshold.

    Examples:
        >>> policy = PrioritisationPolicy(
        ...     criteria=(
        ...         Criterion(key="value", title="Business value (5: most)", weight=Decimal(2)),
        ...         Criterion(
        ...             key="ease", title="Ease of delivery (5: easiest)", weight=Decimal(1)
        ...         ),
        ...     ),
        ... )
        >>> policy.keys, policy.total_weight
        (('value', 'ease'), Decimal('3'))
        >>> policy.is_major(services=2, customers=0)
        True
    """

    criteria: tuple[Criterion, ...] = attrs.field(
        validator=one_or_more("criteria") & _unique_keys, converter=as_tuple
    )
    major_impact_services: int = attrs.field(default=1, validator=_THRESHOLD)
    major_impact_customers: int = attrs.field(default=2, validator=_THRESHOLD)

    def _rules(self) -> Iterator[Problem]:
        """Nothing beyond the fields' own checks: each criterion and threshold is checked there."""
        yield from ()

    @property
    def keys(self) -> tuple[str, ...]:
        """The criteria's keys, in the policy's order."""
        return tuple(c.key for c in self.criteria)

    @property
    def total_weight(self) -> Decimal:
        """The sum of the weights: what a weighted score is divided by.

        Exact whatever the caller's decimal context: worked out in a private context
        of unbounded precision, so no digit of any weight is lost.
        """
        return exact_sum(c.weight for c in self.criteria)

    def criterion(self, key: str) -> Criterion:
        """The criterion with this key.

        Raises:
            ValidationError: the policy has no such criterion (at ``$.key``).
        """
        given: object = key
        found = self._by_key.get(given) if isinstance(given, str) else None
        if found is None:
            expected = f"one of the policy's criteria ({', '.join(self.keys)})"
            raise ValidationError.single("$.key", expected, describe(key), subject="criterion")
        return found

    @functools.cached_property
    def _by_key(self) -> dict[str, Criterion]:
        return {c.key: c for c in self.criteria}

    def is_major(self, *, services: int, customers: int) -> bool:
        """Whether affecting this many services and customers is a major impact (clause 5)."""
        return services > self.major_impact_services or customers > self.major_impact_customers

    def score_problems(self, scores: object, path: str) -> list[Problem]:
        """``[]`` when ``scores`` gives every criterion, and only those, a whole score 0..5.

        The check an assessment must pass: a mapping of criterion key to an int from
        0 to `MAX_SCORE` (not a bool), with no key missing and none extra.
        """
        if not isinstance(scores, Mapping) or not all(isinstance(k, str) for k in scores):
            expected = f"an object scoring each criterion ({', '.join(self.keys)}) from 0 to 5"
            return [Problem(path, expected, describe(scores))]
        problems = [
            Problem(f"{path}.{key}", f"a score for {key!r} (an integer from 0 to 5)", "nothing")
            for key in self.keys
            if key not in scores
        ]
        for key, score in scores.items():
            if key not in self._by_key:
                expected = f"only the policy's criteria ({', '.join(self.keys)})"
                problems.append(Problem(f"{path}.{key}", expected, describe(key)))
            else:
                problems += score_value_problems(score, f"{path}.{key}")
        return problems


def score_value_problems(value: object, path: str) -> list[Problem]:
    """``[]`` for a whole score from 0 to `MAX_SCORE` (an int, not a bool)."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_SCORE:
        return []
    return [Problem(path, f"an integer from 0 to {MAX_SCORE}", _shown(value))]


_DATA_FILE = "criteria.json"


@functools.cache
def default_policy() -> PrioritisationPolicy:
    """The prioritisation policy cloudsms ships (``criteria.json``), read on first use.

    Four criteria: business objectives (weight 3), the provider's capability (2),
    the service requirements (2) and the effect on other customers and services
    (1); an impact is major above one service or two customers.

    Examples:
        >>> default_policy().keys
        ('business_objectives', 'provider_capability', 'service_requirements', 'impact_on_others')
    """
    raw = _package_data.files("cloudsms.improvement").joinpath(_DATA_FILE).read_text("utf-8")
    return _read(raw)


def load_policy(path: str | Path) -> PrioritisationPolicy:
    """A provider's own prioritisation policy, read from a JSON file of the shipped form.

    The file is an object with ``"version": 1`` and the fields of a
    `PrioritisationPolicy` (module docs); `policy_json` writes one.

    Raises:
        ValidationError: the file cannot be read (at ``$.path``), is not JSON, has
            another version (at ``$.version``), or holds an invalid policy (every
            problem with its path, such as ``$.criteria[1].weight``).
    """
    given: object = path
    if not isinstance(given, str | Path):
        raise ValidationError.single(
            "$.path", "a file path", describe(given), subject="prioritisation policy"
        )
    try:
        raw = Path(given).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError.single(
            "$.path",
            "a readable UTF-8 JSON file",
            f"{given} ({exc.__class__.__name__})",
            subject="prioritisation policy",
        ) from None
    return _read(raw)


_VERSION = 1
_SUBJECT = "PrioritisationPolicy"


def _read(raw: str) -> PrioritisationPolicy:
    from cloudsms._foundation.strict_json import loads  # noqa: PLC0415 - only when reading
    from cloudsms._kit.converter import from_dict  # noqa: PLC0415 - cattrs only when reading

    data = loads(raw, subject=_SUBJECT)
    if not isinstance(data, dict):
        raise ValidationError.single("$", "a JSON object", describe(data), subject=_SUBJECT)
    found = data.get("version")
    if type(found) is not int or found != _VERSION:
        got = describe(found) if "version" in data else "nothing"
        expected = f"{_VERSION} (the version of the policy file this cloudsms reads)"
        raise ValidationError.single("$.version", expected, got, subject=_SUBJECT)
    return from_dict(PrioritisationPolicy, {k: v for k, v in data.items() if k != "version"})


def policy_json(policy: PrioritisationPolicy) -> str:
    """``policy`` as the JSON text of a policy file that `load_policy` reads back.

    Raises:
        ValidationError: ``policy`` is not a `PrioritisationPolicy` (at ``$.policy``).

    Examples:
        >>> print(policy_json(default_policy()).splitlines()[:3])
        ['{', '  "version": 1,', '  "criteria": [']
    """
    from cloudsms._kit.converter import to_dict  # noqa: PLC0415 - cattrs only when writing

    given: object = policy
    if not isinstance(given, PrioritisationPolicy):
        raise ValidationError.single(
            "$.policy", "a PrioritisationPolicy", describe(given), subject=_SUBJECT
        )
    body = {"version": _VERSION, **to_dict(policy)}
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"
