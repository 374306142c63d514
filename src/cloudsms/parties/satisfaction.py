"""Satisfaction surveys on a declared scale, and how scores changed (S06; 20000-1:2011 7.1)."""

from __future__ import annotations

import decimal
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING

import attrs

from cloudsms._foundation.frozen import as_frozen_mapping
from cloudsms._kit.checks import ident, instance_problems, raise_problems
from cloudsms._kit.records import Check, Record
from cloudsms.errors import Problem, describe
from cloudsms.parties._shared import count, decimal_problems, finite_problems, json_decimal
from cloudsms.periods import Period

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["SatisfactionSurvey", "ScoreScale", "score_changes"]

_ASPECT = re.compile(r"[a-z][a-z0-9_]{0,63}")
# Survey arithmetic runs in this context, never the caller's: 28 significant digits,
# half-even rounding, and only the signals that mean a real error are raised.
_ARITHMETIC = decimal.Context(
    prec=28,
    rounding=decimal.ROUND_HALF_EVEN,
    Emin=-999_999,
    Emax=999_999,
    capitals=1,
    clamp=0,
    flags=[],
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)


def _score_problems(scores: object, path: str) -> list[Problem]:
    """One or more scores, each a Decimal a document carries, under a lower-case aspect."""
    if not isinstance(scores, Mapping) or not scores:
        return [Problem(path, "an object of one or more aspect scores", describe(scores))]
    problems: list[Problem] = []
    for aspect, score in scores.items():
        if not isinstance(aspect, str) or not _ASPECT.fullmatch(aspect):
            expected = "lower-case aspect names such as 'overall'"
            problems.append(Problem(path, expected, describe(aspect)))
        else:
            problems += decimal_problems(score, f"{path}.{aspect}")
    return problems


# ---------------------------------------------------------------------- satisfaction
@attrs.frozen
class ScoreScale(Record):
    """The range a survey's scores lie on, both ends included: ``ScoreScale(low, high)``.

    Each end is a finite Decimal a JSON document can carry (at most 100 characters,
    an exponent of at most three digits). `normalise` computes in a fixed decimal
    context of 28 significant digits, rounding half to even, whatever the caller's
    context is.

    Serves S06 (measuring customer satisfaction); ISO/IEC 20000-1:2011 7.1.

    Raises:
        ValidationError: an end is not such a Decimal, or ``low`` is not below ``high``.

    Examples:
        >>> five = ScoreScale(Decimal(1), Decimal(5))
        >>> five.contains(Decimal("4.5")), five.normalise(Decimal(4))
        (True, Decimal('0.75'))
    """

    low: Decimal = attrs.field(validator=json_decimal)
    high: Decimal = attrs.field(validator=json_decimal)

    def _rules(self) -> Iterator[Problem]:
        """The low end is below the high end."""
        if self.low >= self.high:
            yield Problem("high", f"a value above the low end {self.low}", describe(self.high))

    def contains(self, score: Decimal) -> bool:
        """Whether ``score`` lies on the scale, ends included.

        Raises:
            ValidationError: ``score`` is not a finite Decimal.
        """
        raise_problems(finite_problems(score, "$.score"), "score")
        return self.low <= score <= self.high

    def normalise(self, score: Decimal) -> Decimal:
        """Where ``score`` lies on the scale, from 0 at the low end to 1 at the high end.

        Raises:
            ValidationError: ``score`` is not a finite Decimal.
        """
        raise_problems(finite_problems(score, "$.score"), "score")
        span = _ARITHMETIC.subtract(self.high, self.low)
        return _ARITHMETIC.divide(_ARITHMETIC.subtract(score, self.low), span)


@attrs.frozen(kw_only=True)
class SatisfactionSurvey(Record):
    """The results of one customer satisfaction survey.

    ``scores`` gives, per aspect asked about (lower-case keys such as ``overall``,
    ``support``, ``reporting``), the mean score of the respondents, each on the
    survey's ``scale``; ``responses`` counts who answered and ``invited`` (if known)
    who was asked. ``period`` is when the survey ran. A survey covers one customer
    (``customer_id``), one group (``group_id``) or, with neither, every customer.
    ``scores`` is kept as a read-only mapping, so a survey cannot change once
    checked. Counts fit in 64 bits and scores in what a JSON document carries, so
    whatever is built can be written and read back. The summaries compute in a
    fixed decimal context (28 significant digits, rounding half to even), so they
    give the same digits whatever the caller's decimal context.

    Serves S06 (satisfaction measured, opportunities for improvement found);
    ISO/IEC 20000-1:2011 7.1 (satisfaction measured at planned intervals and
    analysed) and 6.2 (results reported).

    Raises:
        ValidationError: every problem of the fields, each with its path: a score off
            the scale, no scores, no responses, more responses than invitations, or a
            survey naming both a customer and a group.

    Examples:
        >>> import datetime as dt
        >>> from cloudsms.periods import Period
        >>> q1 = SatisfactionSurvey(
        ...     id="csat-2026q1",
        ...     period=Period(
        ...         dt.datetime(2026, 3, 1, tzinfo=dt.UTC), dt.datetime(2026, 3, 15, tzinfo=dt.UTC)
        ...     ),
        ...     scale=ScoreScale(Decimal(1), Decimal(5)),
        ...     scores={"overall": Decimal("4.2"), "support": Decimal("3.4")},
        ...     responses=42,
        ...     invited=120,
        ... )
        >>> q1.mean_score(), q1.response_rate(), q1.aspects_below(Decimal("3.5"))
        (Decimal('3.8'), Decimal('0.35'), ('support',))
    """

    id: str = attrs.field(validator=ident)
    period: Period
    scale: ScoreScale
    scores: Mapping[str, Decimal] = attrs.field(
        validator=Check(_score_problems, total=True), converter=as_frozen_mapping
    )
    responses: int = attrs.field(validator=count(least=1))
    invited: int | None = attrs.field(validator=count(least=1), default=None)
    customer_id: str | None = attrs.field(validator=ident, default=None)
    group_id: str | None = attrs.field(validator=ident, default=None)

    def _rules(self) -> Iterator[Problem]:
        """Scores lie on the scale; no more respondents than invitations; one population."""
        for aspect, score in self.scores.items():
            if not self.scale.contains(score):
                expected = f"a score on the scale {self.scale.low} to {self.scale.high}"
                yield Problem(f"scores.{aspect}", expected, describe(score))
        if self.invited is not None and self.invited < self.responses:
            expected = f"an integer from {self.responses} (at least the respondents), or null"
            yield Problem("invited", expected, describe(self.invited))
        if self.customer_id is not None and self.group_id is not None:
            expected = (
                "null when customer_id is set (a survey covers one customer, one group "
                "or all customers)"
            )
            yield Problem("group_id", expected, describe(self.group_id))

    def mean_score(self) -> Decimal:
        """The mean of the aspects' scores, each aspect weighing the same (28 digits)."""
        total = Decimal(0)
        for score in self.scores.values():
            total = _ARITHMETIC.add(total, score)
        return _ARITHMETIC.divide(total, Decimal(len(self.scores)))

    def normalised_scores(self) -> dict[str, Decimal]:
        """Each aspect's score as a fraction of the scale (0 at the low end, 1 at the high)."""
        return {aspect: self.scale.normalise(s) for aspect, s in self.scores.items()}

    def response_rate(self) -> Decimal | None:
        """The share of those invited who answered (``None`` when ``invited`` is unknown)."""
        if self.invited is None:
            return None
        return _ARITHMETIC.divide(Decimal(self.responses), Decimal(self.invited))

    def aspects_below(self, threshold: Decimal) -> tuple[str, ...]:
        """The aspects scoring below ``threshold``, sorted: candidates for improvement.

        Raises:
            ValidationError: ``threshold`` is not a finite Decimal on the survey's scale.
        """
        problems = finite_problems(threshold, "$.threshold")
        if not problems and not self.scale.contains(threshold):
            problems.append(
                Problem(
                    "$.threshold",
                    f"a score on the scale {self.scale.low} to {self.scale.high}",
                    describe(threshold),
                )
            )
        raise_problems(problems, "survey threshold")
        return tuple(sorted(a for a, s in self.scores.items() if s < threshold))


def score_changes(earlier: SatisfactionSurvey, later: SatisfactionSurvey) -> dict[str, Decimal]:
    """How each aspect both surveys asked about moved from ``earlier`` to ``later``.

    Positive is better. Scores on different scales are not compared (the raw
    numbers would mislead): normalise them first with
    `SatisfactionSurvey.normalised_scores` if that comparison is really wanted.
    Nor are surveys of different populations: both must cover the same customer,
    the same group, or every customer. Differences are computed in the fixed
    context of the summaries (28 significant digits, rounding half to even).

    Raises:
        ValidationError: an argument is not a survey, the scales or the populations
            (``customer_id``, ``group_id``) differ, or ``later`` started before
            ``earlier``.

    Examples:
        >>> import datetime as dt
        >>> from cloudsms.periods import Period
        >>> def survey(sid, month, overall):
        ...     start = dt.datetime(2026, month, 1, tzinfo=dt.UTC)
        ...     return SatisfactionSurvey(
        ...         id=sid,
        ...         period=Period(start, start + dt.timedelta(days=7)),
        ...         scale=ScoreScale(Decimal(1), Decimal(5)),
        ...         scores={"overall": Decimal(overall)},
        ...         responses=30,
        ...     )
        >>> score_changes(survey("q1", 3, "3.9"), survey("q2", 6, "4.3"))
        {'overall': Decimal('0.4')}
    """
    problems = instance_problems(earlier, SatisfactionSurvey, "$.earlier")
    problems += instance_problems(later, SatisfactionSurvey, "$.later")
    raise_problems(problems, "survey comparison")
    for field in ("customer_id", "group_id"):
        before, after = getattr(earlier, field), getattr(later, field)
        if before != after:
            problems.append(
                Problem(
                    f"$.later.{field}",
                    f"{_or_null(before)}, as in the earlier survey (one population)",
                    _or_null(after),
                )
            )
    if earlier.scale != later.scale:
        problems.append(
            Problem(
                "$.later.scale",
                f"the earlier survey's scale, {earlier.scale.low} to {earlier.scale.high}",
                f"{later.scale.low} to {later.scale.high}",
            )
        )
    if later.period.start < earlier.period.start:
        problems.append(
            Problem(
                "$.later.period",
                f"a survey starting no earlier than {earlier.period.start.isoformat()}",
                later.period.start.isoformat(),
            )
        )
    raise_problems(problems, "survey comparison")
    common = sorted(earlier.scores.keys() & later.scores.keys())
    return {
        aspect: _ARITHMETIC.subtract(later.scores[aspect], earlier.scores[aspect])
        for aspect in common
    }


def _or_null(value: str | None) -> str:
    return "null" if value is None else repr(value)
