"""cloudsms.monitoring.fleet: many agreements judged on a process pool, and their totals (S10).

The pool and the single-process run give equal reports in the order of the pairs; one
worker, one pair or a one-CPU machine use no pool; every bad argument is refused with
its path before any work starts, and a refusal of `evaluate` names its pair. Summaries
are hand-computed, and the summary of a run's parts, merged, is that of the whole.
The fleet is the one examples/fleet_dask.py generates from its seed.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import pickle
import sys
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import pytest

from cloudsms.agreements import (
    CloudServiceAgreement,
    Judgement,
    Metric,
    Predicates,
    ServiceLevelAgreement,
    ServiceTarget,
)
from cloudsms.errors import ValidationError
from cloudsms.money import Money
from cloudsms.monitoring import (
    FleetSummary,
    Observations,
    ServiceLevelReport,
    TargetResult,
    evaluate,
    evaluate_many,
    summarise,
)
from cloudsms.monitoring import fleet as fleet_module

if TYPE_CHECKING:
    from types import ModuleType

    from cloudsms.periods import Period

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "fleet_dask.py"


def _example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fleet_dask_example", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["fleet_dask_example"] = module
    spec.loader.exec_module(module)
    return module


example = _example()
OCTOBER: Period = example.PERIOD
TEMPLATE: CloudServiceAgreement = example.template()
SHARED = example.profiles(7)
Pair = tuple[CloudServiceAgreement, Observations]


def fleet(*indices: int) -> list[Pair]:
    """The example's agreements ``indices`` (seed 7), in the order given."""
    return [example.pair(index, TEMPLATE, 7, SHARED) for index in indices]


def one_by_one(pairs: list[Pair], **options: Any) -> list[ServiceLevelReport]:
    """What `evaluate` gives for each pair, in this process."""
    return [evaluate(agreement, seen, OCTOBER, **options) for agreement, seen in pairs]


def _no_pool(workers: int) -> None:
    pytest.fail(f"a process pool of {workers} was started")


@pytest.fixture
def no_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to start a process pool fails the test."""
    monkeypatch.setattr(fleet_module, "_pool", _no_pool)


class TestEvaluateMany:
    """evaluate_many: evaluate over a process pool, in input order."""

    def test_pool_gives_the_single_process_reports_in_input_order(self) -> None:
        """Two workers give the reports one process gives, in the order of the pairs."""
        pairs = fleet(5, 0, 3, 1, 4, 2)  # ids out of order: the order kept is the input's
        alone = evaluate_many(pairs, OCTOBER, workers=1)
        pooled = evaluate_many(pairs, OCTOBER, workers=2)
        assert pooled == alone
        assert list(alone) == one_by_one(pairs)
        assert [r.agreement_id for r in pooled] == [a.id for a, _ in pairs]
        assert summarise(pooled) == summarise(alone)

    def test_chunks_of_one_and_an_as_of_give_the_same_reports(self) -> None:
        """A chunk size and an as_of reach every worker: the reports match evaluate's."""
        pairs = fleet(9, 8, 7)
        as_of = dt.datetime(2026, 11, 3, tzinfo=dt.UTC)
        pooled = evaluate_many(pairs, OCTOBER, workers=2, chunksize=1, as_of=as_of)
        assert list(pooled) == one_by_one(pairs, as_of=as_of)
        assert {r.as_of for r in pooled} == {as_of}

    @pytest.mark.usefixtures("no_pool")
    def test_one_worker_runs_here(self) -> None:
        """workers=1 evaluates in this process, without a pool."""
        pairs = fleet(0, 1, 2)
        assert list(evaluate_many(pairs, OCTOBER, workers=1)) == one_by_one(pairs)

    @pytest.mark.usefixtures("no_pool")
    def test_no_more_workers_than_pairs(self) -> None:
        """One pair needs no pool, however many workers are asked for."""
        pairs = fleet(3)
        assert list(evaluate_many(pairs, OCTOBER, workers=4)) == one_by_one(pairs)

    @pytest.mark.usefixtures("no_pool")
    def test_default_workers_follow_the_cpus(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Without workers=, a machine with one CPU evaluates in this process."""
        monkeypatch.setattr(fleet_module, "_available_cores", lambda: 1)
        pairs = fleet(0, 1)
        assert list(evaluate_many(iter(pairs), OCTOBER)) == one_by_one(pairs)

    def test_no_pairs_no_reports(self) -> None:
        """An empty fleet gives an empty tuple."""
        assert evaluate_many([], OCTOBER, workers=2) == ()

    @pytest.mark.usefixtures("no_pool")
    def test_predicates_judge_qualitative_objectives(self) -> None:
        """The predicates reach evaluate: a qualitative objective is judged."""
        contact = ServiceTarget(id="contact", predicate="had-outages", description="Any outage")
        sla = TEMPLATE.slas[0]
        agreement = attrs.evolve(
            TEMPLATE, slas=(attrs.evolve(sla, targets=(*sla.targets, contact)),)
        )
        predicates = Predicates()
        predicates.register("had-outages")(_had_outages)
        pairs = [(attrs.evolve(agreement, id=a.id), seen) for a, seen in fleet(0, 1)]
        reports = evaluate_many(pairs, OCTOBER, workers=1, predicates=predicates)
        assert list(reports) == one_by_one(pairs, predicates=predicates)
        judged = [r.judgement for rep in reports for r in rep.results if r.target_id == "contact"]
        assert len(judged) == 2
        assert all(j is not None for j in judged)

    def test_refuses_every_bad_argument_with_its_path(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Every problem is reported at its path, before anything is evaluated."""
        monkeypatch.setattr(fleet_module, "evaluate", _never)
        (agreement, seen) = fleet(0)[0]
        with pytest.raises(ValidationError) as caught:
            evaluate_many(
                [(agreement, seen), "pair", (seen, agreement), (agreement,)],
                "2026-10",  # type: ignore[arg-type]
                workers=0,
                chunksize=True,  # type: ignore[arg-type]
                as_of=dt.datetime(2026, 11, 1),  # naive
                predicates={},  # type: ignore[arg-type]
            )
        assert caught.value.subject == "Fleet evaluation"
        assert caught.value.paths == [
            "$.pairs[1]",
            "$.pairs[2][0]",
            "$.pairs[2][1]",
            "$.pairs[3]",
            "$.period",
            "$.workers",
            "$.chunksize",
            "$.as_of",
            "$.predicates",
        ]
        assert caught.value.errors[0] == (
            "expected a pair (CloudServiceAgreement, Observations), got 'pair' (string)"
            " @ $.pairs[1]"
        )
        assert caught.value.errors[5] == (
            "expected a positive number of worker processes, or None, got 0 (integer) @ $.workers"
        )

    def test_refuses_workers_of_any_other_kind(self) -> None:
        """Workers and chunk sizes are positive ints: not text, not a bool, not a float."""
        pairs = fleet(0, 1)
        for wrong in ("2", True, 1.5, -1):
            with pytest.raises(ValidationError) as caught:
                evaluate_many(pairs, OCTOBER, workers=wrong, chunksize=wrong)  # type: ignore[arg-type]
            assert caught.value.paths == ["$.workers", "$.chunksize"]

    def test_refuses_what_is_not_an_iterable_of_pairs(self) -> None:
        """A string or a number is not a fleet."""
        for wrong in ("csa-1", 5):
            with pytest.raises(ValidationError) as caught:
                evaluate_many(wrong, OCTOBER)  # type: ignore[arg-type]
            assert caught.value.paths == ["$.pairs"]

    def test_refuses_predicates_that_cannot_reach_a_worker(self) -> None:
        """A pool needs predicates that pickle; a lambda does not (one process is fine)."""
        predicates = Predicates()
        predicates.register("anything")(lambda _: True)
        pairs = fleet(0, 1)
        with pytest.raises(ValidationError) as caught:
            evaluate_many(pairs, OCTOBER, workers=2, predicates=predicates)
        assert caught.value.paths == ["$.predicates"]
        assert caught.value.problems[0].expected == (
            "predicates that pickle (functions defined at a module's top level)"
        )
        assert len(evaluate_many(pairs, OCTOBER, workers=1, predicates=predicates)) == 2

    @pytest.mark.parametrize("workers", [1, 2])
    def test_a_refused_evaluation_names_its_pair(self, workers: int) -> None:
        """An agreement not in force in the period is refused, naming the pair and its id."""
        pairs = fleet(0, 1, 2)
        early = attrs.evolve(pairs[1][0], effective_from=dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
        pairs[1] = (early, pairs[1][1])
        with pytest.raises(ValidationError) as caught:
            evaluate_many(pairs, OCTOBER, workers=workers, chunksize=1)
        assert caught.value.subject == "Fleet evaluation of $.pairs[1] (agreement 'csa-00001')"
        assert caught.value.paths == ["$.period"]
        assert str(caught.value).startswith(
            "Fleet evaluation of $.pairs[1] (agreement 'csa-00001') is invalid (1 problem):"
        )


def _had_outages(observations: Observations) -> bool:
    return bool(observations.outages)


def _never(*_: object, **__: object) -> ServiceLevelReport:
    pytest.fail("evaluate was called")


# ---------------------------------------------------------------------- summaries
def _result(judgement: Judgement | None, credit: Money | None) -> TargetResult:
    return TargetResult(
        sla_id="sla",
        target_id="uptime",
        service_id="crm-service",
        metric=Metric.AVAILABILITY,
        period=OCTOBER,
        achieved=None,
        judgement=judgement,
        credit=credit,
        coverage_gap=dt.timedelta(),
        evidence=(),
        note=None,
    )


def _report(agreement_id: str, *results: TargetResult) -> ServiceLevelReport:
    return ServiceLevelReport(
        agreement_id=agreement_id,
        agreement_version=1,
        customer_id="globex",
        period=OCTOBER,
        as_of=OCTOBER.end,
        results=results,
        notices=(),
        expired=(),
    )


MET = Judgement(met=True, margin=Decimal("0.01"))
MISSED = Judgement(met=False, margin=Decimal("-0.4"))
FIRST = _report(
    "csa-1",
    _result(MET, Money("0", "EUR")),
    _result(MISSED, Money("85.00", "EUR")),
    _result(None, None),
)
SECOND = _report("csa-2", _result(MISSED, Money("10.50", "USD")), _result(MISSED, None))
THIRD = _report("csa-3", _result(MISSED, Money("14.5", "EUR")))


class TestSummarise:
    """summarise and FleetSummary: the totals runs are compared by."""

    def test_counts_and_credits_by_hand(self) -> None:
        """Two reports: four results, three judged, two breached, credits per currency."""
        summary = summarise([FIRST, SECOND])
        assert summary == FleetSummary(
            reports=2,
            results=5,
            judged=4,
            breaches=3,
            credits={"EUR": Money("85.00", "EUR"), "USD": Money("10.50", "USD")},
        )
        assert summary.met == 1
        assert list(summary.credits) == ["EUR", "USD"]

    def test_parts_merged_are_the_whole(self) -> None:
        """The summaries of a split run, merged in any order, equal the whole run's."""
        whole = summarise([FIRST, SECOND, THIRD])
        left, right = summarise([FIRST]), summarise([SECOND, THIRD])
        assert left.merged(right) == whole
        assert right.merged(left) == whole
        assert FleetSummary().merged(whole) == whole
        assert whole.credits["EUR"] == Money("99.50", "EUR")

    def test_no_reports(self) -> None:
        """No reports: nothing counted, no credits."""
        assert summarise(iter([])) == FleetSummary()
        assert FleetSummary().credits == {}

    def test_pickles_and_hashes(self) -> None:
        """A summary travels between processes and compares by value."""
        summary = summarise([FIRST, SECOND])
        assert pickle.loads(pickle.dumps(summary)) == summary
        assert hash(summary) == hash(summarise([FIRST, SECOND]))

    def test_credits_cannot_be_changed(self) -> None:
        """The credits of a summary are read-only."""
        summary = summarise([FIRST])
        with pytest.raises(TypeError):
            summary.credits["EUR"] = Money("1", "EUR")  # type: ignore[index]

    def test_refuses_what_is_not_a_report(self) -> None:
        """Each item that is not a report is named by its index; a non-iterable by $.reports."""
        with pytest.raises(ValidationError) as caught:
            summarise([FIRST, "csa-2", None])  # type: ignore[list-item]
        assert caught.value.paths == ["$.reports[1]", "$.reports[2]"]
        assert caught.value.subject == "Fleet summary"
        with pytest.raises(ValidationError) as caught:
            summarise(FIRST)  # type: ignore[arg-type]
        assert caught.value.paths == ["$.reports"]

    def test_merged_refuses_what_is_not_a_summary(self) -> None:
        """Only a summary merges with a summary."""
        with pytest.raises(ValidationError) as caught:
            FleetSummary().merged({"reports": 1})  # type: ignore[arg-type]
        assert caught.value.paths == ["$.other"]

    def test_a_generated_fleet_sums_up(self) -> None:
        """The example's fleet: every result is judged, the summary counts every report."""
        pairs = fleet(0, 1, 2, 3)
        summary = summarise(evaluate_many(pairs, OCTOBER, workers=1))
        targets = len(TEMPLATE.slas[0].targets)
        assert (summary.reports, summary.results) == (4, 4 * targets)
        assert summary.judged == 4 * targets
        assert set(summary.credits) == {"EUR", "USD"}  # the fourth agreement pays in USD
        assert summary == example.judged(range(4), TEMPLATE, 7)


def test_an_agreement_of_the_template_is_its_own() -> None:
    """The example's agreements differ in id, customer and charge, not in their targets."""
    (first, _), (second, _) = fleet(0, 1)
    assert (first.id, second.id) == ("csa-00000", "csa-00001")
    assert first.customer_id != second.customer_id
    assert first.slas == second.slas == TEMPLATE.slas
    assert isinstance(first.slas[0], ServiceLevelAgreement)
