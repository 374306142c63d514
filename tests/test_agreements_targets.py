"""cloudsms.agreements targets and credits: metrics, targets, judge, credit tiers (S07)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import jsonschema
import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from cloudsms.agreements.credits import ClaimMethod, CreditTerms, CreditTier, credit_for
from cloudsms.agreements.targets import (
    MEASURES,
    Exclusions,
    Judgement,
    MeasurementPeriod,
    Metric,
    OutageCause,
    Predicates,
    ServiceTarget,
    UptimeBasis,
    judge,
    metric_for,
)
from cloudsms.errors import InvalidDefinition, UnknownReference, ValidationError
from cloudsms.levels import Bound, ServiceLevel
from cloudsms.money import Money
from cloudsms.serialization import from_json, json_schema, to_json
from cloudsms.testing._agreements_targets import (
    credit_terms,
    credit_tiers,
    exclusions,
    judgements,
    service_targets,
)
from cloudsms.units import Quantity, calendar_units, magnitude_in, quantity


def level(measure: str, bound: Bound, target: str) -> ServiceLevel:
    """A service level from text."""
    return ServiceLevel(measure=measure, bound=bound, target=quantity(target))


def tier(limit: str, credit: int | str) -> CreditTier:
    """A credit tier from text."""
    return CreditTier(worse_than=quantity(limit), credit=Decimal(credit))


UPTIME_TIERS = (tier("99.9 %", 10), tier("99 %", 25), tier("95 %", 100))


def uptime(**terms: Any) -> ServiceTarget:
    """Availability at least 99.9 %: 10 % below it, 25 % below 99 %, 100 % below 95 %."""
    return ServiceTarget(
        id="uptime",
        level=level("availability", Bound.AT_LEAST, "99.9 %"),
        credits=CreditTerms(tiers=terms.pop("tiers", UPTIME_TIERS), **terms),
    )


def resolution(**terms: Any) -> ServiceTarget:
    """P1 resolution at most 4 h: 10 % above it, 50 % above 8 h."""
    return ServiceTarget(
        id="p1-resolution",
        level=level("time to resolve", Bound.AT_MOST, "4 h"),
        priority="P1",
        credits=CreditTerms(tiers=terms.pop("tiers", (tier("4 h", 10), tier("8 h", 50))), **terms),
    )


def problems(error: pytest.ExceptionInfo[ValidationError]) -> list[tuple[str, str]]:
    """Each problem's path and what it expected."""
    return [(p.path, p.expected) for p in error.value.problems]


class TestMetric:
    """Metric and the measure table."""

    def test_canonical_units(self) -> None:
        """Each metric names its canonical units; capacity has two, qualitative none."""
        assert Metric.AVAILABILITY.units == ("percent",)
        assert Metric.THROUGHPUT.units == ("request/second",)
        assert Metric.CAPACITY.units == ("byte", "instance")
        assert Metric.QUALITATIVE.units == ()
        assert all(Metric(m).units == ("second",) for m in MEASURES.values() if "time" in m)

    def test_extra_needs(self) -> None:
        """Response time needs a percentile; incident times a priority and support hours."""
        assert [m for m in Metric if m.needs_percentile] == [Metric.RESPONSE_TIME]
        incident = [Metric.INCIDENT_RESPONSE_TIME, Metric.INCIDENT_RESOLUTION_TIME]
        assert incident == [m for m in Metric if m.needs_priority]
        assert incident == [m for m in Metric if m.on_support_hours]

    def test_every_quantitative_metric_is_a_measure(self) -> None:
        """The table maps every metric's own name onto it."""
        for metric in Metric:
            if metric is not Metric.QUALITATIVE:
                assert metric is metric_for(metric.value)

    def test_measure_text_is_read_loosely(self) -> None:
        """Case and spacing do not matter; ITSM names map too."""
        assert Metric.INCIDENT_RESPONSE_TIME is metric_for("  Time to   OWN ")
        assert Metric.AVAILABILITY is metric_for("Uptime")

    def test_unknown_measure_suggests(self) -> None:
        """An unknown measure is refused with close matches."""
        with pytest.raises(UnknownReference) as error:
            metric_for("latencey")
        assert "latency" in error.value.suggestions


class TestMeasurementPeriod:
    """MeasurementPeriod.containing."""

    def test_month_in_zone(self) -> None:
        """The month is the agreement zone's, not UTC's."""
        tokyo = ZoneInfo("Asia/Tokyo")
        when = dt.datetime(2026, 1, 31, 16, tzinfo=dt.UTC)  # 1 February in Tokyo
        period = MeasurementPeriod.MONTH.containing(when, tokyo)
        assert dt.datetime(2026, 2, 1, tzinfo=tokyo) == period.start
        assert dt.datetime(2026, 3, 1, tzinfo=tokyo) == period.end

    def test_year(self) -> None:
        """A year runs from 1 January to 1 January."""
        when = dt.datetime(2026, 7, 1, tzinfo=dt.UTC)
        period = MeasurementPeriod.YEAR.containing(when, dt.UTC)
        assert (period.start.year, period.end.year) == (2026, 2027)


class TestExclusions:
    """Exclusions and their rules."""

    def test_by_cause(self) -> None:
        """An outage of an excluded cause is excluded; another cause counts."""
        rules = Exclusions(causes={OutageCause.CUSTOMER, OutageCause.FORCE_MAJEURE})
        assert rules.excludes(OutageCause.FORCE_MAJEURE)
        assert not rules.excludes(OutageCause.PROVIDER)

    def test_maintenance_notice_edge(self) -> None:
        """Maintenance announced the minimum notice ahead is excluded; a second later, not."""
        rules = Exclusions(maintenance_notice=relativedelta(days=7))
        announced = dt.datetime(2026, 3, 25, 12, tzinfo=ZoneInfo("Europe/Berlin"))
        start = announced + relativedelta(days=7)  # across the DST change: calendar days
        assert rules.excludes(OutageCause.MAINTENANCE, announced_at=announced, starts_at=start)
        early = start - dt.timedelta(seconds=1)
        assert not rules.excludes(OutageCause.MAINTENANCE, announced_at=announced, starts_at=early)

    def test_unannounced_maintenance_counts(self) -> None:
        """Maintenance without an announcement, or with no notice rule, is not excluded."""
        assert not Exclusions(maintenance_notice=relativedelta(days=1)).excludes(
            OutageCause.MAINTENANCE
        )
        start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        assert not Exclusions().excludes(
            OutageCause.MAINTENANCE, announced_at=start - relativedelta(years=1), starts_at=start
        )

    def test_maintenance_is_not_a_cause_to_exclude(self) -> None:
        """Maintenance is excluded only through its notice, never by cause alone."""
        with pytest.raises(ValidationError) as error:
            Exclusions(causes={OutageCause.MAINTENANCE})
        assert error.value.paths == ["$.causes"]

    def test_bad_notice(self) -> None:
        """A notice that is not a calendar length is refused at its path."""
        with pytest.raises(ValidationError) as error:
            Exclusions(maintenance_notice=dt.timedelta(days=1))  # type: ignore[arg-type]
        assert error.value.paths == ["$.maintenance_notice"]

    def test_bad_cause_asked(self) -> None:
        """Asking about something that is not an OutageCause is refused."""
        with pytest.raises(ValidationError) as error:
            Exclusions().excludes("customer")  # type: ignore[arg-type]
        assert error.value.paths == ["$.cause"]


class TestServiceTarget:
    """ServiceTarget: its metric, its threshold and its rules."""

    def test_threshold_in_canonical_unit(self) -> None:
        """The threshold is converted once to a Decimal in the canonical unit."""
        target = ServiceTarget(
            id="rto", level=level("RTO", Bound.AT_MOST, "4 h"), period=MeasurementPeriod.QUARTER
        )
        assert (Metric.RECOVERY_TIME_OBJECTIVE, "second", Decimal(14400)) == (
            target.metric,
            target.unit,
            target.threshold,
        )

    @given(service_targets())
    def test_remembered_threshold_is_the_exact_conversion(self, target: ServiceTarget) -> None:
        """Thresholds are remembered per magnitude and units; each is still the exact one."""
        if target.level is None or not target.unit or calendar_units(target.level.target):
            return
        assert target.threshold == magnitude_in(target.level.target, target.unit)
        again = ServiceTarget(
            id="again", level=target.level, percentile=target.percentile, priority=target.priority
        )
        assert again.threshold == target.threshold

    def test_equal_magnitudes_share_a_threshold(self) -> None:
        """1 h and 1.0 h convert to the same threshold, whichever is built first."""
        whole = ServiceTarget(id="a", level=level("RTO", Bound.AT_MOST, "1 h"))
        point = ServiceTarget(id="b", level=level("RTO", Bound.AT_MOST, "1.0 h"))
        minutes = ServiceTarget(id="c", level=level("RTO", Bound.AT_MOST, "90 min"))
        assert (whole.threshold, point.threshold, minutes.threshold) == (3600, 3600, 5400)

    def test_capacity_in_bytes_or_instances(self) -> None:
        """Capacity takes a data size or a count of instances, each in its own unit."""
        storage = ServiceTarget(id="s", level=level("storage", Bound.AT_LEAST, "2 TB"))
        nodes = ServiceTarget(id="n", level=level("capacity", Bound.AT_LEAST, "20 instance"))
        assert ("byte", Decimal(2 * 10**12)) == (storage.unit, storage.threshold)
        assert ("instance", Decimal(20)) == (nodes.unit, nodes.threshold)

    def test_wrong_dimension_refused_at_its_path(self) -> None:
        """A target of another dimension than its metric's is refused at $.level.target."""
        with pytest.raises(ValidationError) as error:
            ServiceTarget(id="t", level=level("availability", Bound.AT_LEAST, "4 h"))
        assert problems(error) == [("$.level.target", "a percentage such as '99.9 %'")]

    def test_wrong_dimension_in_a_document(self) -> None:
        """Read from JSON, the wrong dimension is reported at the same path."""
        text = json.dumps(
            {"id": "t", "level": {"measure": "throughput", "bound": "at least", "target": "5 GB"}}
        )
        with pytest.raises(ValidationError) as error:
            from_json(ServiceTarget, text)
        assert "$.level.target" in error.value.paths

    def test_wrong_bound(self) -> None:
        """A time target is at most, never at least."""
        with pytest.raises(ValidationError) as error:
            ServiceTarget(id="t", level=level("rpo", Bound.AT_LEAST, "15 min"))
        assert problems(error) == [("$.level.bound", "at most for recovery point objective")]

    def test_availability_at_most_100(self) -> None:
        """Availability above 100 % is refused; exactly 100 % is allowed."""
        ServiceTarget(id="t", level=level("availability", Bound.AT_LEAST, "100 %"))
        with pytest.raises(ValidationError) as error:
            ServiceTarget(id="t", level=level("availability", Bound.AT_LEAST, "100.01 %"))
        assert error.value.paths == ["$.level.target"]

    def test_percentile_required_for_response_time(self) -> None:
        """Response time states its percentile; other metrics have none."""
        with pytest.raises(ValidationError) as error:
            ServiceTarget(id="t", level=level("latency", Bound.AT_MOST, "200 ms"))
        assert error.value.paths == ["$.percentile"]
        with pytest.raises(ValidationError) as error:
            ServiceTarget(id="t", level=level("rto", Bound.AT_MOST, "1 h"), percentile=Decimal(99))
        assert problems(error) == [("$.percentile", "null for recovery time objective")]

    @pytest.mark.parametrize("percentile", ["0", "100", "-1", "NaN"])
    def test_percentile_range(self, percentile: str) -> None:
        """A percentile lies strictly between 0 and 100."""
        with pytest.raises(ValidationError) as error:
            ServiceTarget(
                id="t",
                level=level("latency", Bound.AT_MOST, "200 ms"),
                percentile=Decimal(percentile),
            )
        assert error.value.paths == ["$.percentile"]

    def test_priority_required_for_incident_metrics(self) -> None:
        """Incident response and resolution name a priority; others do not."""
        with pytest.raises(ValidationError) as error:
            ServiceTarget(id="t", level=level("incident response time", Bound.AT_MOST, "1 h"))
        assert error.value.paths == ["$.priority"]
        with pytest.raises(ValidationError) as error:
            ServiceTarget(
                id="t", level=level("throughput", Bound.AT_LEAST, "5 request/s"), priority="P1"
            )
        assert error.value.paths == ["$.priority"]

    def test_unknown_measure(self) -> None:
        """A measure outside the table is refused at its path, with a suggestion."""
        with pytest.raises(ValidationError) as error:
            ServiceTarget(id="t", level=level("availabilty", Bound.AT_LEAST, "99 %"))
        assert error.value.paths == ["$.level.measure"]
        assert "did you mean availability" in error.value.problems[0].expected

    def test_level_or_predicate(self) -> None:
        """A target has a level or a predicate: not both, not neither."""
        with pytest.raises(ValidationError) as error:
            ServiceTarget(id="t")
        assert error.value.paths == ["$.level"]
        with pytest.raises(ValidationError) as error:
            ServiceTarget(
                id="t",
                level=level("uptime", Bound.AT_LEAST, "99 %"),
                predicate="p",
                description="d",
            )
        assert error.value.paths == ["$.level"]

    def test_qualitative(self) -> None:
        """A qualitative objective has a description and no threshold, percentile or credits."""
        objective = ServiceTarget(id="eu", predicate="data-in-eu", description="EU only")
        assert (Metric.QUALITATIVE, "", Decimal(0)) == (
            objective.metric,
            objective.unit,
            objective.threshold,
        )
        with pytest.raises(ValidationError) as error:
            ServiceTarget(
                id="eu",
                predicate="data-in-eu",
                credits=CreditTerms(tiers=[tier("1", 10)]),
            )
        assert error.value.paths == ["$.description", "$.credits"]

    def test_wrong_types_at_their_paths(self) -> None:
        """Fields of the wrong type are refused, each at its path."""
        with pytest.raises(ValidationError) as error:
            ServiceTarget(
                id=5,  # type: ignore[arg-type]
                level="99 %",  # type: ignore[arg-type]
                period="monthly",  # type: ignore[arg-type]
                exclusions=None,  # type: ignore[arg-type]
            )
        assert error.value.paths == ["$.id", "$.level", "$.period", "$.exclusions"]

    def test_derived_fields_stay_off_the_wire(self) -> None:
        """metric, unit, threshold and sign are not written, and are derived again on reading."""
        target = uptime()
        data = json.loads(to_json(target))
        assert not {"metric", "unit", "threshold", "sign"} & set(data)
        assert target == from_json(ServiceTarget, to_json(target))

    @given(service_targets())
    def test_round_trip(self, target: ServiceTarget) -> None:
        """Every drawn target reads back equal from its JSON, which its schema accepts."""
        text = to_json(target)
        SCHEMA.validate(json.loads(text))
        assert target == from_json(ServiceTarget, text)

    @given(exclusions(), credit_terms())
    def test_parts_round_trip(self, rules: Exclusions, terms: CreditTerms) -> None:
        """Exclusions and credit terms read back equal from their JSON."""
        assert rules == from_json(Exclusions, to_json(rules))
        assert terms == from_json(CreditTerms, to_json(terms))

    @given(credit_tiers(), judgements())
    def test_small_parts(self, one: CreditTier, result: Judgement) -> None:
        """Single tiers round trip; a drawn judgement is met exactly when its margin allows."""
        assert one == from_json(CreditTier, to_json(one))
        assert result.margin is None or result.met == (result.margin >= 0)


SCHEMA = jsonschema.Draft202012Validator(json_schema(ServiceTarget))


class TestJudge:
    """judge: met or breached, and the margin."""

    def test_at_least(self) -> None:
        """Above the threshold meets with a positive margin; exactly on it meets with zero."""
        target = uptime()
        assert Judgement(met=True, margin=Decimal("0.05")) == judge(target, Decimal("99.95"))
        assert Judgement(met=True, margin=Decimal("0.0")) == judge(target, Decimal("99.9"))
        assert Judgement(met=False, margin=Decimal("-0.9")) == judge(target, 99)

    def test_at_most(self) -> None:
        """For a time, less is better: the margin is threshold minus achievement."""
        target = resolution()
        assert Judgement(met=True, margin=Decimal(3600)) == judge(target, 10800)
        assert Judgement(met=False, margin=Decimal(-1)) == judge(target, quantity("14401 s"))

    def test_quantity_in_another_unit(self) -> None:
        """A quantity is converted exactly: 0.999 (a plain ratio) is 99.9 %."""
        assert Judgement(met=True, margin=Decimal(0)) == judge(uptime(), quantity("0.999"))

    @pytest.mark.parametrize(
        "achieved", [99.95, Decimal("NaN"), Decimal("Infinity"), True, "99.95", quantity("1 h")]
    )
    def test_refused(self, achieved: object) -> None:
        """Floats, non-finite numbers, bools, text and other dimensions are refused."""
        with pytest.raises(ValidationError) as error:
            judge(uptime(), achieved)
        assert error.value.paths == ["$.achieved"]

    def test_qualitative(self) -> None:
        """A qualitative objective is judged by its registered predicate."""
        predicates = Predicates()

        @predicates.register("data-in-eu")
        def in_eu(locations: set[str]) -> bool:
            return locations <= {"DE", "FR"}

        objective = ServiceTarget(id="eu", predicate="data-in-eu", description="EU only")
        assert Judgement(met=True, margin=None) == judge(objective, {"DE"}, predicates=predicates)
        assert not judge(objective, {"US"}, predicates=predicates).met

    def test_unknown_predicate(self) -> None:
        """An unregistered predicate fails clearly, with close names."""
        predicates = Predicates()
        predicates.register("data-in-the-eu")(lambda _: True)
        objective = ServiceTarget(id="eu", predicate="data-in-eu", description="EU only")
        with pytest.raises(UnknownReference) as error:
            judge(objective, None, predicates=predicates)
        assert error.value.suggestions == ("data-in-the-eu",)
        with pytest.raises(UnknownReference):
            judge(objective, None)

    def test_predicate_must_answer_a_bool(self) -> None:
        """A predicate returning something else than a bool is refused."""
        predicates = Predicates()
        predicates.register("p")(lambda _: 1)
        with pytest.raises(ValidationError):
            judge(ServiceTarget(id="q", predicate="p", description="d"), 0, predicates=predicates)

    def test_registering(self) -> None:
        """A name is an id, registered once (again with the same function is harmless)."""
        predicates = Predicates()

        def holds(_: object) -> bool:
            return True

        predicates.register("p")(holds)
        predicates.register("p")(holds)
        assert predicates.names() == ("p",)
        with pytest.raises(InvalidDefinition):
            predicates.register("p")(lambda _: False)
        with pytest.raises(InvalidDefinition):
            predicates.register("not an id")

    @given(service_targets(metrics=[m for m in Metric if m is not Metric.QUALITATIVE]), st.data())
    def test_agrees_with_comparing_quantities(
        self, target: ServiceTarget, data: st.DataObject
    ) -> None:
        """Judge says met exactly when the quantities compare so; both paths agree."""
        assert target.level is not None
        unit = str(target.level.target.units)
        achieved = quantity(data.draw(st.decimals(0, 2 * 10**6, places=3)), unit)
        expected = (
            achieved >= target.level.target
            if target.level.bound is Bound.AT_LEAST
            else achieved <= target.level.target
        )
        by_quantity = judge(target, achieved)
        assert expected == by_quantity.met == target.level.is_met_by(achieved)
        fast = judge(target, Decimal(str(achieved.to(target.unit).magnitude)))
        assert by_quantity == fast


class TestCreditRules:
    """CreditTerms and the tier rules against the target's threshold and bound."""

    def test_gap(self) -> None:
        """A first tier worse than the threshold leaves a gap: refused."""
        with pytest.raises(ValidationError) as error:
            uptime(tiers=[tier("99.5 %", 10)])
        assert error.value.paths == ["$.credits.tiers[0].worse_than"]
        assert "a gap" in error.value.problems[0].expected

    def test_overlap_with_the_met_range(self) -> None:
        """A first tier better than the threshold would pay while the target is met."""
        with pytest.raises(ValidationError) as error:
            resolution(tiers=[tier("2 h", 10)])
        assert "an overlap" in error.value.problems[0].expected

    def test_tiers_overlap(self) -> None:
        """A tier no worse than the one before overlaps it (same limit, or out of order)."""
        for second in ("99.9 %", "99.95 %"):
            with pytest.raises(ValidationError) as error:
                uptime(tiers=[tier("99.9 %", 10), tier(second, 20)])
            assert error.value.paths == ["$.credits.tiers[1].worse_than"]
        with pytest.raises(ValidationError) as error:
            resolution(tiers=[tier("4 h", 10), tier("3 h", 20)])
        assert error.value.paths == ["$.credits.tiers[1].worse_than"]

    def test_credits_rise(self) -> None:
        """A worse tier pays strictly more; equal is refused."""
        with pytest.raises(ValidationError) as error:
            uptime(tiers=[tier("99.9 %", 10), tier("99 %", 10)])
        assert error.value.paths == ["$.credits.tiers[1].credit"]

    def test_tier_limits_in_other_units(self) -> None:
        """A tier may be written in another unit of the dimension: 240 min is 4 h."""
        resolution(tiers=[tier("240 min", 10), tier("0.5 day", 30)])

    def test_tier_of_another_dimension(self) -> None:
        """A tier of another dimension than the target is refused at its path."""
        with pytest.raises(ValidationError) as error:
            uptime(tiers=[tier("99.9 %", 10), tier("1 h", 20)])
        assert error.value.paths == ["$.credits.tiers[1].worse_than"]

    @pytest.mark.parametrize("credit", ["0", "100.01", "-5"])
    def test_credit_percentage(self, credit: str) -> None:
        """A tier's credit is above 0 and at most 100 percent."""
        with pytest.raises(ValidationError) as error:
            tier("99 %", credit)
        assert error.value.paths == ["$.credit"]

    def test_caps_and_claims(self) -> None:
        """One cap at most, in whole minor units; a claim window exactly for claimed credits."""
        with pytest.raises(ValidationError) as error:
            CreditTerms(
                tiers=UPTIME_TIERS,
                cap_percent=Decimal(50),
                cap_amount=Money("10", "EUR"),
                claim_within=relativedelta(months=1),
            )
        assert error.value.paths == ["$.cap_amount", "$.claim_within"]
        with pytest.raises(ValidationError) as error:
            CreditTerms(tiers=UPTIME_TIERS, cap_amount=Money("10.5", "JPY"))
        assert error.value.paths == ["$.cap_amount.amount"]
        with pytest.raises(ValidationError) as error:
            CreditTerms(tiers=())
        assert error.value.paths == ["$.tiers"]


EUR_1000 = Money("1000.00", "EUR")


class TestCreditFor:
    """credit_for: hand-computed credits at each edge."""

    @pytest.mark.parametrize(
        ("achieved", "credit"),
        [
            ("100", "0.00"),
            ("99.9", "0.00"),  # on the threshold: met, no tier reached
            ("99.89", "100.00"),  # just below: the first tier
            ("99", "100.00"),  # on the second tier's limit: not reached
            ("98.999", "250.00"),
            ("95", "250.00"),
            ("94.999", "1000.00"),
            ("0", "1000.00"),
        ],
    )
    def test_each_tier_edge(self, achieved: str, credit: str) -> None:
        """Each tier applies strictly below its limit; the worst tier that applies wins."""
        assert Money(credit, "EUR") == credit_for(uptime(), Decimal(achieved), EUR_1000)

    @pytest.mark.parametrize(
        ("achieved", "credit"),
        [("4 h", "0.00"), ("14401 s", "100.00"), ("8 h", "100.00"), ("481 min", "500.00")],
    )
    def test_at_most_edges(self, achieved: str, credit: str) -> None:
        """For an at-most target, tiers apply strictly above their limits."""
        assert Money(credit, "EUR") == credit_for(resolution(), quantity(achieved), EUR_1000)

    def test_cap_percent(self) -> None:
        """A percentage cap limits the credit to that share of the charge."""
        assert Money("500.00", "EUR") == credit_for(uptime(cap_percent=Decimal(50)), 0, EUR_1000)

    def test_cap_amount(self) -> None:
        """An amount cap limits the credit to that amount; below it, the tier's share."""
        target = uptime(cap_amount=Money("300.00", "EUR"))
        assert Money("300.00", "EUR") == credit_for(target, Decimal(90), EUR_1000)
        assert Money("250.00", "EUR") == credit_for(target, Decimal(98), EUR_1000)

    def test_rounding_never_lifts_above_the_cap(self) -> None:
        """5.015 (50 % of 10.03) would round half-even to 5.02; the cap keeps it at 5.01."""
        target = uptime(cap_percent=Decimal(50))
        assert Money("5.01", "EUR") == credit_for(target, 0, Money("10.03", "EUR"))

    def test_half_even(self) -> None:
        """Rounding is once, half to even: 0.005 is 0.00 and 0.015 is 0.02."""
        assert Money("0.00", "EUR") == credit_for(uptime(), Decimal(99), Money("0.05", "EUR"))
        assert Money("0.02", "EUR") == credit_for(uptime(), Decimal(99), Money("0.15", "EUR"))

    def test_jpy(self) -> None:
        """JPY has no minor unit: 10 % of 1234 is 123; 25 % of 1234 (308.5) is 308."""
        charge = Money("1234", "JPY")
        assert Money("123", "JPY") == credit_for(uptime(), Decimal("99.5"), charge)
        assert Money("308", "JPY") == credit_for(uptime(), Decimal(98), charge)
        assert credit_for(uptime(), Decimal(98), charge).amount.as_tuple().exponent == 0

    def test_other_currency_than_the_cap(self) -> None:
        """A charge in another currency than the cap amount is refused."""
        target = uptime(cap_amount=Money("300.00", "EUR"))
        with pytest.raises(ValidationError) as error:
            credit_for(target, Decimal(90), Money("1000.00", "USD"))
        assert error.value.paths == ["$.charge"]

    @pytest.mark.parametrize("charge", [Money("-1", "EUR"), Money("1", "XAU"), Decimal(1)])
    def test_bad_charge(self, charge: object) -> None:
        """A negative charge, one without a minor unit, or no Money at all is refused."""
        with pytest.raises(ValidationError) as error:
            credit_for(uptime(), Decimal(90), charge)  # type: ignore[arg-type]
        assert error.value.paths == ["$.charge"]

    def test_no_terms(self) -> None:
        """A target without credit terms earns nothing."""
        target = ServiceTarget(id="t", level=level("uptime", Bound.AT_LEAST, "99 %"))
        assert Money("0", "EUR") == credit_for(target, Decimal(1), EUR_1000)

    def test_claimed_terms_compute_alike(self) -> None:
        """How a credit is claimed does not change its amount."""
        target = uptime(claim=ClaimMethod.CLAIMED, claim_within=relativedelta(months=2))
        assert Money("100.00", "EUR") == credit_for(target, Decimal("99.5"), EUR_1000)


def _cap(target: ServiceTarget, charge: Money) -> Decimal:
    terms = target.credits
    assert terms is not None
    if terms.cap_amount is not None:
        return terms.cap_amount.amount
    share = terms.cap_percent if terms.cap_percent is not None else Decimal(100)
    return charge.amount * share / 100


@st.composite
def credit_cases(draw: st.DrawFn) -> tuple[ServiceTarget, Quantity, Quantity, Money]:
    """A target with credit terms, two achievements in its unit, and a charge."""
    code = draw(st.sampled_from(("EUR", "JPY", "BHD")))
    target = draw(
        service_targets(
            metrics=[m for m in Metric if m is not Metric.QUALITATIVE],
            with_credits=True,
            currencies=[code],
        )
    )
    assert target.level is not None
    unit = str(target.level.target.units)
    values = st.decimals(0, 2 * 10**6, places=3).map(lambda d: quantity(d, unit))
    minor = Money.zero(code).minor_unit or 0
    charge = Money(draw(st.decimals(0, 10**6, places=minor)), code)
    return target, draw(values), draw(values), charge


class TestCreditProperties:
    """The laws of credits."""

    @given(credit_cases())
    def test_never_negative_never_above_the_cap(
        self, case: tuple[ServiceTarget, Quantity, Quantity, Money]
    ) -> None:
        """A credit is never negative and never above the cap (or the charge)."""
        target, achieved, _, charge = case
        credit = credit_for(target, achieved, charge)
        assert Decimal(0) <= credit.amount <= min(_cap(target, charge), charge.amount)
        assert charge.currency == credit.currency

    @given(credit_cases())
    def test_better_never_earns_more(
        self, case: tuple[ServiceTarget, Quantity, Quantity, Money]
    ) -> None:
        """A better achievement never earns a larger credit; a met target earns none."""
        target, a, b, charge = case
        better, worse = (a, b) if judge(target, a).margin >= judge(target, b).margin else (b, a)  # type: ignore[operator]
        assert credit_for(target, better, charge) <= credit_for(target, worse, charge)
        if judge(target, better).met:
            assert not credit_for(target, better, charge)


def test_uptime_basis_values() -> None:
    """The uptime basis reads as agreements write it."""
    assert [b.value for b in UptimeBasis] == ["24x7", "service hours"]


class TestEdges:
    """Smaller rules: tier limits, negative caps, qualitative conversions, registration."""

    @pytest.mark.parametrize("limit", ["-1 %", "1 month", "99.9"])
    def test_tier_limit(self, limit: str) -> None:
        """A tier limit is a quantity not below zero, of fixed length."""
        if limit == "99.9":
            with pytest.raises(ValidationError) as error:
                CreditTier(worse_than=limit, credit=Decimal(1))  # type: ignore[arg-type]
        else:
            with pytest.raises(ValidationError) as error:
                tier(limit, 1)
        assert error.value.paths == ["$.worse_than"]

    def test_negative_cap_amount(self) -> None:
        """A cap amount below zero is refused at its amount."""
        with pytest.raises(ValidationError) as error:
            CreditTerms(tiers=UPTIME_TIERS, cap_amount=Money("-1.00", "EUR"))
        assert error.value.paths == ["$.cap_amount.amount"]

    def test_qualitative_has_no_number(self) -> None:
        """A qualitative objective has no exact threshold and reads no achieved number."""
        objective = ServiceTarget(id="q", predicate="p", description="d")
        assert objective.exact_threshold() == 0
        with pytest.raises(ValidationError) as error:
            objective.achieved_fraction(Decimal(1))
        assert error.value.paths == ["$.achieved"]

    def test_a_predicate_is_callable(self) -> None:
        """Registering something that cannot be called is refused."""
        with pytest.raises(InvalidDefinition):
            Predicates().register("p")(None)  # type: ignore[arg-type]

    def test_registered_for_from_type(self) -> None:
        """register() makes st.from_type draw valid targets and terms."""
        from cloudsms.testing._agreements_targets import register  # noqa: PLC0415

        register()

        @given(st.from_type(ServiceTarget), st.from_type(CreditTerms))
        def drawn(target: ServiceTarget, terms: CreditTerms) -> None:
            assert isinstance(target, ServiceTarget)
            assert terms.tiers

        drawn()

    def test_at_least_from_zero(self) -> None:
        """A threshold of zero at least has the one tier it can have."""
        target = ServiceTarget(
            id="c",
            level=level("capacity", Bound.AT_LEAST, "0 instance"),
            credits=CreditTerms(tiers=[tier("0 instance", 5)]),
        )
        assert credit_for(target, 0, EUR_1000) == Money("0.00", "EUR")

    @given(credit_terms(threshold=Decimal(0)))
    def test_terms_from_zero(self, terms: CreditTerms) -> None:
        """Terms drawn for a threshold of zero have a single tier at zero."""
        assert [t.worse_than.magnitude for t in terms.tiers] == [0]
