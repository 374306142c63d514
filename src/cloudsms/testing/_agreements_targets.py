"""Hypothesis strategies for service targets, exclusions and credit terms (S07)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from hypothesis import strategies as st

from cloudsms.agreements.credits import ClaimMethod, CreditTerms, CreditTier
from cloudsms.agreements.targets import (
    MEASURES,
    Exclusions,
    Judgement,
    MeasurementPeriod,
    Metric,
    OutageCause,
    ServiceTarget,
    UptimeBasis,
)
from cloudsms.levels import Bound, ServiceLevel
from cloudsms.money import Money
from cloudsms.testing._strategies import _IDS, calendar_lengths, currency_codes

if TYPE_CHECKING:
    from collections.abc import Sequence

    from dateutil.relativedelta import relativedelta

    from cloudsms.units import Quantity

__all__ = [
    "credit_terms",
    "credit_tiers",
    "exclusions",
    "judgements",
    "service_targets",
]

# Units a drawn target of each metric is written in (every one converts exactly).
_UNITS: dict[Metric, tuple[str, ...]] = {
    Metric.AVAILABILITY: ("%",),
    Metric.RESPONSE_TIME: ("ms", "s"),
    Metric.INCIDENT_RESPONSE_TIME: ("min", "h"),
    Metric.INCIDENT_RESOLUTION_TIME: ("h", "day"),
    Metric.REQUEST_FULFILMENT_TIME: ("h", "day"),
    Metric.THROUGHPUT: ("request/s", "request/ms"),
    Metric.RECOVERY_POINT_OBJECTIVE: ("s", "min", "h"),
    Metric.RECOVERY_TIME_OBJECTIVE: ("min", "h"),
    Metric.CAPACITY: ("B", "GB", "TiB", "instance"),
}
_HIGHEST = {Metric.AVAILABILITY: Decimal(100)}
_QUANTITATIVE = tuple(m for m in Metric if m is not Metric.QUALITATIVE)
_TEXT = st.text(min_size=1, max_size=24).filter(str.strip)
_PERCENT = st.decimals(min_value=Decimal("0.01"), max_value=100, places=2)


def _quantity(magnitude: Decimal, unit: str) -> Quantity:
    from cloudsms.units import quantity  # noqa: PLC0415 - pint only when drawing

    return quantity(magnitude, unit)


def _magnitudes(highest: Decimal) -> st.SearchStrategy[Decimal]:
    edges = st.sampled_from(tuple(e for e in (Decimal(0), highest) if e <= highest))
    ordinary = st.decimals(min_value=0, max_value=highest, places=3)
    return st.one_of(ordinary, ordinary, ordinary, edges)


def credit_tiers(*, unit: str = "%") -> st.SearchStrategy[CreditTier]:
    """Single credit tiers in ``unit`` (any credit from 0.01 % to 100 %)."""
    return st.builds(
        lambda magnitude, credit: CreditTier(worse_than=_quantity(magnitude, unit), credit=credit),
        _magnitudes(Decimal(100)),
        _PERCENT,
    )


def _claims(draw: st.DrawFn) -> tuple[ClaimMethod, relativedelta | None]:
    claim = draw(st.sampled_from(ClaimMethod))
    return claim, draw(calendar_lengths()) if claim is ClaimMethod.CLAIMED else None


def _caps(
    draw: st.DrawFn, currencies: Sequence[str] | None
) -> tuple[Decimal | None, Money | None]:
    kind = draw(st.sampled_from(("none", "percent", "amount")))
    if kind == "percent":
        return draw(_PERCENT), None
    if kind == "amount":
        code = draw(currency_codes(codes=currencies))
        minor = Money.zero(code).minor_unit or 0
        amount = draw(st.decimals(min_value=0, max_value=10**6, places=minor))
        return None, Money(amount, code)
    return None, None


@st.composite
def _terms(
    draw: st.DrawFn,
    limits: tuple[Decimal, ...],
    unit: str,
    currencies: Sequence[str] | None,
) -> CreditTerms:
    shares = sorted(
        draw(st.lists(_PERCENT, min_size=len(limits), max_size=len(limits), unique=True))
    )
    tiers = [
        CreditTier(worse_than=_quantity(limit, unit), credit=credit)
        for limit, credit in zip(limits, shares, strict=True)
    ]
    cap_percent, cap_amount = _caps(draw, currencies)
    claim, within = _claims(draw)
    return CreditTerms(
        tiers=tiers,
        cap_percent=cap_percent,
        cap_amount=cap_amount,
        claim=claim,
        claim_within=within,
    )


def credit_terms(
    *,
    bound: Bound = Bound.AT_LEAST,
    threshold: Decimal = Decimal("99.9"),
    unit: str = "%",
    currencies: Sequence[str] | None = None,
    max_tiers: int = 4,
) -> st.SearchStrategy[CreditTerms]:
    """Credit terms valid for a target of ``threshold`` ``unit`` and ``bound``.

    The first tier starts at the threshold, each next one lies strictly further from
    it (down to zero for an at-least target), credits rise strictly; a cap by
    percentage, by an amount (in one of ``currencies``, whole minor units) or none;
    credits paid automatically or claimed within a calendar length.
    """

    @st.composite
    def build(draw: st.DrawFn) -> CreditTerms:
        return draw(_terms(draw(_limits(threshold, bound, max_tiers)), unit, currencies))

    return build()


def _limits(
    threshold: Decimal, bound: Bound, max_tiers: int
) -> st.SearchStrategy[tuple[Decimal, ...]]:
    """The tiers' limits: the threshold, then distinct values ever further from it."""
    at_least = bound is Bound.AT_LEAST
    if at_least and threshold <= 0:
        return st.just((threshold,))
    low, high = (Decimal(0), threshold) if at_least else (threshold, threshold + 10**4)
    further = st.decimals(min_value=low, max_value=high, places=3).filter(lambda d: d != threshold)

    def ordered(values: list[Decimal]) -> tuple[Decimal, ...]:
        return (threshold, *sorted(set(values), reverse=at_least))

    return st.lists(further, max_size=max_tiers - 1).map(ordered)


def exclusions() -> st.SearchStrategy[Exclusions]:
    """Exclusions: maintenance announced with some notice (or none), excluded causes."""
    causes = st.frozensets(
        st.sampled_from([c for c in OutageCause if c is not OutageCause.MAINTENANCE])
    )
    return st.builds(
        Exclusions,
        maintenance_notice=st.none() | calendar_lengths(max_months=2),
        causes=causes,
    )


def service_targets(
    *,
    metrics: Sequence[Metric] | None = None,
    with_credits: bool | None = None,
    currencies: Sequence[str] | None = None,
) -> st.SearchStrategy[ServiceTarget]:
    """Valid service targets of the given ``metrics`` (default: every metric).

    A quantitative target's measure is one of `MEASURES` naming its metric, its bound
    the metric's, its threshold drawn from zero to a large value (availability up to
    exactly 100 %), its percentile or priority where the metric needs one. With
    ``with_credits`` true every quantitative target has credit terms, false none, ``None``
    either; a cap amount is in one of ``currencies`` (default: any with a minor unit).
    """
    pool = tuple(metrics) if metrics else tuple(Metric)

    @st.composite
    def build(draw: st.DrawFn) -> ServiceTarget:
        metric = draw(st.sampled_from(pool))
        ident = draw(_IDS)
        period = draw(st.sampled_from(MeasurementPeriod))
        uptime = draw(st.sampled_from(UptimeBasis))
        excluded = draw(exclusions())
        if metric is Metric.QUALITATIVE:
            return ServiceTarget(
                id=ident,
                predicate=draw(_IDS),
                description=draw(_TEXT),
                period=period,
                uptime=uptime,
                exclusions=excluded,
            )
        bound = metric.bound or Bound.AT_LEAST
        unit = draw(st.sampled_from(_UNITS[metric]))
        threshold = draw(_magnitudes(_HIGHEST.get(metric, Decimal(10**6))))
        measure = draw(st.sampled_from(sorted(k for k, m in MEASURES.items() if m is metric)))
        has_credits = draw(st.booleans()) if with_credits is None else with_credits
        terms = (
            draw(credit_terms(bound=bound, threshold=threshold, unit=unit, currencies=currencies))
            if has_credits
            else None
        )
        return ServiceTarget(
            level=ServiceLevel(measure=measure, bound=bound, target=_quantity(threshold, unit)),
            percentile=draw(st.sampled_from((Decimal(50), Decimal(95), Decimal("99.9"))))
            if metric.needs_percentile
            else None,
            priority=draw(st.sampled_from(("P1", "P2", "P3", "P4")))
            if metric.needs_priority
            else None,
            credits=terms,
            id=ident,
            period=period,
            uptime=uptime,
            exclusions=excluded,
        )

    return build()


def judgements() -> st.SearchStrategy[Judgement]:
    """Judgements as `cloudsms.agreements.targets.judge` returns them (met when margin >= 0)."""
    margins = st.decimals(min_value=-(10**6), max_value=10**6, places=3)
    return st.one_of(
        margins.map(lambda m: Judgement(met=m >= 0, margin=m)),
        st.booleans().map(lambda met: Judgement(met=met, margin=None)),
    )


def register() -> None:
    """Register these strategies for ``st.from_type``."""
    st.register_type_strategy(ServiceTarget, lambda _: service_targets())
    st.register_type_strategy(CreditTerms, lambda _: credit_terms())
    st.register_type_strategy(CreditTier, lambda _: credit_tiers())
    st.register_type_strategy(Exclusions, lambda _: exclusions())
    st.register_type_strategy(Judgement, lambda _: judgements())
