"""A fleet of agreements judged for one period, on one machine's cores (S10).

A provider reports on every agreement it holds, month after month: thousands of
`cloudsms.monitoring.evaluate` calls, each independent of the others. `evaluate_many`
runs them over a process pool and returns the reports in the order of the pairs it
was given; with one worker it runs them in the calling process, so the two runs can
be compared report for report. `summarise` folds any number of reports into a
`FleetSummary` (agreements, targets judged, breaches, credits per currency), the
totals a provider checks a run against and that partial runs add up to with
`FleetSummary.merged`: partitions of a Dask bag or a Spark job summarise their own
reports, and the driver merges the summaries (``docs/monitoring-fleet.md`` and
``examples/fleet_dask.py`` show both engines, with no code beyond these functions).

Serves S10 (the provider monitors every agreement's targets and reports them, to each
customer and to itself) and ISO/IEC 20000-1:2011 6.1 (service level management:
achievement against every agreed target, period by period) and 6.2 (service
reporting: the provider's own reports across customers).

    >>> FleetSummary().merged(FleetSummary(reports=2, results=5, judged=4, breaches=1))
    FleetSummary(reports=2, results=5, judged=4, breaches=1, credits={})
"""

from __future__ import annotations

import math
import os
import pickle
from functools import partial
from typing import TYPE_CHECKING, Any, cast

import attrs

from cloudsms._foundation.frozen import FrozenMapping, as_frozen_mapping
from cloudsms._foundation.instants import instant_problems
from cloudsms._kit.checks import instance_problems, raise_problems
from cloudsms.agreements import CloudServiceAgreement, Predicates
from cloudsms.errors import Problem, ValidationError, describe
from cloudsms.money import Money
from cloudsms.monitoring.evaluation import ServiceLevelReport, evaluate
from cloudsms.monitoring.observations import Observations
from cloudsms.periods import Period

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterable, Iterator
    from concurrent.futures import ProcessPoolExecutor

__all__ = ["FleetSummary", "evaluate_many", "summarise"]

_SUBJECT = "Fleet evaluation"
_START_METHOD = "spawn"
"""How pool workers start: a fresh interpreter each (`evaluate_many` says why)."""
_CHUNKS_PER_WORKER = 4
"""Default chunks per worker: small enough to even out slow agreements, few enough to be cheap."""
_PAIR = "a pair (CloudServiceAgreement, Observations)"


# ---------------------------------------------------------------------- summaries
def _add_credits(left: dict[str, Money], right: Iterable[tuple[str, Money]]) -> None:
    for currency, amount in right:
        held = left.get(currency)
        left[currency] = amount if held is None else held + amount


@attrs.frozen(kw_only=True)
class FleetSummary:
    """The totals of a set of service level reports, to compare runs by (S10).

    ``reports`` counts the reports (one per agreement and period); ``results`` their
    target results (one per target, SLA and service); ``judged`` the results with a
    judgement, met or breached (the others had nothing to measure, or a qualitative
    objective without its predicate); ``breaches`` the judged results that missed
    their target; ``credits`` the credits due, added up exactly per currency code
    (a currency whose targets were all met appears with zero). Two runs over the
    same agreements and observations give equal summaries whatever ran them and
    however they were split, since every part is a count or an exact sum: a
    summary of the parts, `merged`, equals the summary of the whole.

    A result, built by `summarise` and `merged`: it carries no checks, compares by
    value and pickles. ``FleetSummary()`` is the summary of no reports.

    Serves S10 (the provider's own report across customers: breaches and credits);
    ISO/IEC 20000-1:2011 6.1 and 6.2.
    """

    reports: int = 0
    results: int = 0
    judged: int = 0
    breaches: int = 0
    credits: FrozenMapping[str, Money] = attrs.field(
        factory=FrozenMapping, converter=as_frozen_mapping
    )

    @property
    def met(self) -> int:
        """The judged results that met their target."""
        return self.judged - self.breaches

    def merged(self, other: FleetSummary) -> FleetSummary:
        """The summary of both sets of reports: counts added, credits added per currency.

        Raises:
            ValidationError: ``other`` is not a `FleetSummary` (at ``$.other``).
        """
        if not isinstance(other, FleetSummary):
            raise ValidationError.single(
                "$.other", "a FleetSummary", describe(other), subject="Fleet summary"
            )
        totals = dict(self.credits)
        _add_credits(totals, other.credits.items())
        return FleetSummary(
            reports=self.reports + other.reports,
            results=self.results + other.results,
            judged=self.judged + other.judged,
            breaches=self.breaches + other.breaches,
            credits=dict(sorted(totals.items())),
        )


def _is_iterable(value: object) -> bool:
    return not isinstance(value, str | bytes) and hasattr(value, "__iter__")


def summarise(reports: Iterable[ServiceLevelReport]) -> FleetSummary:
    """The totals of ``reports``: counts of reports, results, judged and breached, credits.

    Reads each report's results and its `ServiceLevelReport.credits` (exact, per
    currency). The reports may come from `evaluate`, `evaluate_many` or any engine
    that ran `evaluate`; a run split into parts gives, merged with
    `FleetSummary.merged`, the summary of the whole.

    Serves S10; ISO/IEC 20000-1:2011 6.1 and 6.2.

    Raises:
        ValidationError: ``reports`` is not an iterable (at ``$.reports``) or holds
            something other than a `ServiceLevelReport` (at ``$.reports[i]``; every
            such item is listed).

    Examples:
        >>> summarise([])
        FleetSummary(reports=0, results=0, judged=0, breaches=0, credits={})
        >>> summarise(["csa-1"])
        Traceback (most recent call last):
        ...
        cloudsms.errors.ValidationError: Fleet summary is invalid (1 problem):
          - expected a ServiceLevelReport, got 'csa-1' (string) @ $.reports[0]
    """
    if not _is_iterable(reports):
        raise ValidationError.single(
            "$.reports",
            "an iterable of ServiceLevelReport",
            describe(reports),
            subject="Fleet summary",
        )
    listed = list(reports)
    problems: list[Problem] = []
    for index, report in enumerate(listed):
        problems += instance_problems(report, ServiceLevelReport, f"$.reports[{index}]")
    raise_problems(problems, "Fleet summary")
    results = judged = breaches = 0
    totals: dict[str, Money] = {}
    for report in listed:
        results += len(report.results)
        for result in report.results:
            if result.judgement is not None:
                judged += 1
                breaches += not result.judgement.met
        _add_credits(totals, report.credits.items())
    return FleetSummary(
        reports=len(listed),
        results=results,
        judged=judged,
        breaches=breaches,
        credits=dict(sorted(totals.items())),
    )


# ---------------------------------------------------------------------- evaluate_many
def _available_cores() -> int:
    """The CPUs this process may run on (its affinity where the system reports one)."""
    affinity = getattr(os, "sched_getaffinity", None)
    if affinity is not None:
        return max(len(affinity(0)), 1)
    return os.cpu_count() or 1  # pragma: no cover - platforms without sched_getaffinity


def _count_problems(value: object, path: str, what: str) -> list[Problem]:
    """``[]`` for ``None`` or a positive int (not a bool), else the problem at ``path``."""
    if value is None or (type(value) is int and value >= 1):
        return []
    return [Problem(path, f"a positive number of {what}, or None", describe(value))]


def _pair_problems(pairs: object) -> tuple[list[tuple[Any, Any]], list[Problem]]:
    """The pairs as a list, and every problem of them, each at its path."""
    if not _is_iterable(pairs):
        expected = "an iterable of (CloudServiceAgreement, Observations) pairs"
        return [], [Problem("$.pairs", expected, describe(pairs))]
    listed: list[tuple[Any, Any]] = []
    problems: list[Problem] = []
    for index, pair in enumerate(cast("Iterable[object]", pairs)):
        path = f"$.pairs[{index}]"
        if not isinstance(pair, tuple | list) or len(pair) != 2:  # noqa: PLR2004 - a pair
            problems.append(Problem(path, _PAIR, describe(pair)))
            continue
        agreement, observations = pair
        problems += instance_problems(agreement, CloudServiceAgreement, f"{path}[0]")
        problems += instance_problems(observations, Observations, f"{path}[1]")
        listed.append((agreement, observations))
    return listed, problems


def _pickle_problems(predicates: Predicates | None) -> list[Problem]:
    """``[]`` when ``predicates`` can travel to a worker process, else the problem."""
    try:
        pickle.dumps(predicates)
    except (pickle.PicklingError, AttributeError, TypeError) as error:
        expected = "predicates that pickle (functions defined at a module's top level)"
        return [Problem("$.predicates", expected, f"{describe(predicates)}: {error}")]
    return []


def _pool(workers: int) -> ProcessPoolExecutor:
    """A pool of ``workers`` spawned processes (the pool's modules are imported only now)."""
    import multiprocessing  # noqa: PLC0415 - a pool's machinery costs an import only when used
    from concurrent.futures import ProcessPoolExecutor  # noqa: PLC0415

    return ProcessPoolExecutor(
        max_workers=workers, mp_context=multiprocessing.get_context(_START_METHOD)
    )


def _collected(
    reports: Iterator[ServiceLevelReport], pairs: list[tuple[Any, Any]]
) -> tuple[ServiceLevelReport, ...]:
    """Every report, in order; an evaluation's refusal names the pair it came from."""
    done: list[ServiceLevelReport] = []
    try:
        done.extend(reports)
    except ValidationError as error:
        index = len(done)
        agreement_id = pairs[index][0].id
        subject = f"{_SUBJECT} of $.pairs[{index}] (agreement {agreement_id!r})"
        raise ValidationError(error.problems, subject=subject) from error
    return tuple(done)


def evaluate_many(
    pairs: Iterable[tuple[CloudServiceAgreement, Observations]],
    period: Period,
    *,
    workers: int | None = None,
    chunksize: int | None = None,
    as_of: dt.datetime | None = None,
    predicates: Predicates | None = None,
) -> tuple[ServiceLevelReport, ...]:
    """Judge many agreements over one period, on a process pool (S10).

    Each pair is an agreement and the `Observations` of its services; the result is
    ``evaluate(agreement, observations, period, as_of=as_of, predicates=predicates)``
    for each pair, **in the order of** ``pairs``, equal report for report to what
    `evaluate` gives in this process. Every pair is checked before any work starts.

    ``workers`` is the number of processes (default: the CPUs this process may run
    on), never more than there are pairs. With one worker, one pair or none, the
    pairs are evaluated here, one after the other, without a pool: the reference a
    pooled run can be compared with, and the cheapest way for a small fleet.
    ``chunksize`` is how many pairs travel to a worker at once (default: the pairs
    split into about four chunks per worker, which evens out slow agreements while
    keeping the number of round trips small; objects shared by the pairs of a chunk,
    such as one agreement under several observations, are sent once per chunk).

    **How workers start.** The pool is given an explicit ``spawn`` context
    (``mp_context``; the process-wide default start method is left alone). A
    spawned worker is a fresh interpreter that imports cloudsms and inherits nothing
    from the caller, so it is safe when the caller runs threads (a web server, a
    Dask client, a notebook kernel), where ``fork``, Linux's default before Python
    3.14, may copy a lock another thread holds and hang the child (Python 3.12 warns
    of it); and it behaves the same on Linux, macOS and Windows. The price is an
    interpreter start and an import per worker per call, about half a second on a
    small machine, so a pool pays off for fleets that take longer than that. As for
    any spawned process, a script calling `evaluate_many` with a pool does so under
    ``if __name__ == "__main__":``, and the pairs and ``predicates`` must pickle.

    Serves S10 (every agreement's targets judged for the period, the provider's
    report across customers); ISO/IEC 20000-1:2011 6.1 and 6.2.

    Raises:
        ValidationError: before any evaluation, every problem of the arguments:
            ``pairs`` not an iterable (``$.pairs``), an item not a pair
            (``$.pairs[i]``), not an agreement (``$.pairs[i][0]``) or not
            observations (``$.pairs[i][1]``); ``period`` not a `Period`
            (``$.period``); ``workers`` or ``chunksize`` not a positive int
            (``$.workers``, ``$.chunksize``); ``as_of`` not an aware instant
            (``$.as_of``); ``predicates`` not a `Predicates` registry, or one that
            does not pickle when a pool is used (``$.predicates``). Then the first
            refusal of `evaluate` in the order of the pairs (a period outside an
            agreement's term), with the pair's path and agreement id in its subject.

    Examples:
        >>> from cloudsms.periods import Period
        >>> evaluate_many([], Period.month(2026, 10, "UTC"))
        ()
        >>> evaluate_many([("csa-1", None)], "2026-10", workers=0)
        Traceback (most recent call last):
        ...
        cloudsms.errors.ValidationError: Fleet evaluation is invalid (4 problems):
          - expected a CloudServiceAgreement, got 'csa-1' (string) @ $.pairs[0][0]
          - expected an Observations, got null @ $.pairs[0][1]
          - expected a Period, got '2026-10' (string) @ $.period
          - expected a positive number of worker processes, or None, got 0 (integer) @ $.workers
    """
    listed, problems = _pair_problems(pairs)
    problems += instance_problems(period, Period, "$.period")
    worker_problems = _count_problems(workers, "$.workers", "worker processes")
    problems += worker_problems
    problems += _count_problems(chunksize, "$.chunksize", "pairs per chunk")
    if as_of is not None:
        problems += instant_problems(as_of, "$.as_of")
    predicate_problems = instance_problems(predicates, Predicates, "$.predicates", optional=True)
    problems += predicate_problems
    wanted = _available_cores() if workers is None or worker_problems else workers
    count = min(wanted, len(listed))
    if count > 1 and not predicate_problems:
        problems += _pickle_problems(predicates)
    raise_problems(problems, _SUBJECT)
    job = partial(evaluate, period=period, as_of=as_of, predicates=predicates)
    agreements = [agreement for agreement, _ in listed]
    observations = [seen for _, seen in listed]
    if count <= 1:
        return _collected(map(job, agreements, observations), listed)
    size = chunksize or math.ceil(len(listed) / (count * _CHUNKS_PER_WORKER))
    pool = _pool(count)
    try:
        return _collected(pool.map(job, agreements, observations, chunksize=size), listed)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
