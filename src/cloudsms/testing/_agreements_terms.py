"""Hypothesis strategies for an agreement's terms (S07; `cloudsms.agreements.terms`).

Every strategy draws valid values only, edges included: a charge of zero or of 100 %,
a retention window equal to the retrieval window, a notice effective the instant it
is sent, limits at zero or at the largest magnitudes. Arguments are keyword-only and
narrow what is drawn (a currency, the partners who may hold activities, the parties
who send notices) so a test can build consistent agreements. `register` makes each
type drawable with ``st.from_type``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from dateutil.relativedelta import relativedelta
from hypothesis import strategies as st

from cloudsms._foundation.instants import instant_key
from cloudsms.agreements.terms import (
    Activity,
    BackupRetention,
    ChargeKind,
    EarlyTerminationCharge,
    ExitTerms,
    LegalTerm,
    LegalTermKind,
    Notice,
    NoticePayload,
    Priority,
    PriorityScale,
    ResourceLimit,
    ResourceType,
    Responsibilities,
    Responsibility,
    ResponsibleParty,
    TerminatingParty,
    TerminationReason,
    TerminationTerms,
)
from cloudsms.testing._strategies import (
    _IDS,
    _NAMES,
    aware_datetimes,
    calendar_lengths,
    moneys,
    quantities,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = [
    "activity_responsibilities",
    "early_termination_charges",
    "exit_terms",
    "legal_terms",
    "notice_payloads",
    "notices",
    "priorities",
    "priority_scales",
    "register",
    "resource_limits",
    "responsibilities",
    "termination_terms",
]

_PERCENT_EDGES = (Decimal(100), Decimal("1E-10"), Decimal("0.01"), Decimal(50))
_RESOURCE_UNITS: dict[ResourceType, tuple[str, ...]] = {
    ResourceType.VCPU: ("vcpu",),
    ResourceType.INSTANCES: ("instance",),
    ResourceType.MEMORY: ("MiB", "GiB", "GB"),
    ResourceType.STORAGE: ("B", "GB", "TB", "TiB"),
    ResourceType.BANDWIDTH: ("bit/s", "kbit/s", "Mbit/s", "GiB/h"),
    ResourceType.USERS: ("user", "seat"),
    ResourceType.REQUEST_RATE: ("request/s", "request/min", "req/h"),
    ResourceType.LICENCES: ("licence",),
}
"""Units `resource_limits` draws each resource's limit in (none of calendar length)."""

_FORMATS = st.one_of(st.sampled_from(("CSV", "JSON", "Parquet", "SQL dump", "OVA")), _NAMES)
_JSON_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**63), 2**63 - 1), st.text(max_size=12)
)
_JSON_VALUES = st.recursive(
    _JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


def _percents() -> st.SearchStrategy[Decimal]:
    ordinary = st.decimals(
        min_value=Decimal("0.01"),
        max_value=Decimal(100),
        places=2,
        allow_nan=False,
        allow_infinity=False,
    )
    return st.one_of(ordinary, ordinary, st.sampled_from(_PERCENT_EDGES))


def early_termination_charges(
    *, currency: str | None = None, kinds: Sequence[ChargeKind] | None = None
) -> st.SearchStrategy[EarlyTerminationCharge]:
    """Charges of each form (or of ``kinds``); a fixed one in ``currency`` (or any).

    Fixed amounts are zero or more, with the edges of `moneys` (the largest amounts
    included); percentages lie above 0 and at most 100, with 100 and 1E-10 as edges.
    """
    forms = tuple(ChargeKind) if kinds is None else tuple(kinds)
    fixed = moneys(currency=currency, min_value=0).map(EarlyTerminationCharge.fixed)
    share = _percents().map(EarlyTerminationCharge.share_of_remaining)
    remaining = st.just(EarlyTerminationCharge.remaining_charges())
    by_kind = {
        ChargeKind.FIXED: fixed,
        ChargeKind.REMAINING_CHARGES: remaining,
        ChargeKind.SHARE_OF_REMAINING: share,
    }
    return st.one_of(*(by_kind[kind] for kind in forms))


@st.composite
def termination_terms(draw: st.DrawFn, *, currency: str | None = None) -> TerminationTerms:
    """Termination terms for either party or one alone; a fixed charge in ``currency``.

    Reasons are drawn exactly when the provider may terminate; a charge comes only
    with a minimum term.
    """
    party = draw(st.sampled_from(TerminatingParty))
    reasons = (
        frozenset()
        if party is TerminatingParty.CUSTOMER
        else draw(st.frozensets(st.sampled_from(TerminationReason), min_size=1))
    )
    minimum = draw(st.none() | calendar_lengths(max_months=60))
    charge = (
        None if minimum is None else draw(st.none() | early_termination_charges(currency=currency))
    )
    return TerminationTerms(
        terminable_by=party,
        provider_reasons=reasons,
        notice_period=draw(calendar_lengths(max_months=12)),
        minimum_term=minimum,
        early_termination_charge=charge,
        withdrawable=draw(st.booleans()),
    )


@st.composite
def exit_terms(draw: st.DrawFn) -> ExitTerms:
    """Exit terms whose retention window is the retrieval window or longer (equal as an edge)."""
    retrieval = draw(calendar_lengths(max_months=6))
    extra_months = draw(st.integers(0, 24))
    extra_days = draw(st.integers(0, 90))
    return ExitTerms(
        retrieval_window=retrieval,
        export_formats=draw(st.lists(_FORMATS, min_size=1, max_size=4, unique=True)),
        retention_window=retrieval + relativedelta(months=extra_months, days=extra_days),
        backup_retention=draw(st.sampled_from(BackupRetention)),
    )


def _holders(partners: Sequence[str] | None) -> st.SearchStrategy[frozenset[str]]:
    pool = st.sampled_from(tuple(ResponsibleParty)).map(str)
    if partners is None:
        pool = pool | _IDS
    elif partners:
        pool = pool | st.sampled_from(tuple(partners))
    return st.frozensets(pool, min_size=1, max_size=4)


def activity_responsibilities(
    *, activity: Activity | None = None, partners: Sequence[str] | None = None
) -> st.SearchStrategy[Responsibility]:
    """One activity (or ``activity``) with its holders: roles and ``partners`` (or any ids)."""
    activities = st.sampled_from(Activity) if activity is None else st.just(activity)
    return st.builds(
        lambda a, h: Responsibility(activity=a, holders=h), activities, _holders(partners)
    )


@st.composite
def responsibilities(
    draw: st.DrawFn, *, partners: Sequence[str] | None = None
) -> Responsibilities:
    """Every activity held by someone, in a drawn order; holders among roles and ``partners``."""
    order = draw(st.permutations(tuple(Activity)))
    return Responsibilities(
        assignments=tuple(
            draw(activity_responsibilities(activity=a, partners=partners)) for a in order
        )
    )


def priorities(*, ids: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[Priority]:
    """A priority with an id (from ``ids``, or any), a name and a description."""
    return st.builds(
        lambda i, n, d: Priority(id=i, name=n, description=d),
        _IDS if ids is None else ids,
        _NAMES,
        _NAMES,
    )


@st.composite
def priority_scales(draw: st.DrawFn, *, max_size: int = 6) -> PriorityScale:
    """A scale of one to ``max_size`` priorities with distinct ids (often P1, P2, ...)."""
    size = draw(st.integers(1, max(1, max_size)))
    if draw(st.booleans()):
        ids = [f"P{n}" for n in range(1, size + 1)]
    else:
        ids = draw(st.lists(_IDS, min_size=size, max_size=size, unique=True))
    return PriorityScale(priorities=tuple(draw(priorities(ids=st.just(i))) for i in ids))


def legal_terms(*, kinds: Sequence[LegalTermKind] | None = None) -> st.SearchStrategy[LegalTerm]:
    """A legal term of each kind (or of ``kinds``) with some text."""
    chosen = st.sampled_from(tuple(LegalTermKind) if kinds is None else tuple(kinds))
    return st.builds(lambda k, t: LegalTerm(kind=k, text=t), chosen, _NAMES)


def resource_limits(
    *, resource_types: Sequence[ResourceType] | None = None
) -> st.SearchStrategy[ResourceLimit]:
    """A limit of zero or more on a resource (or one of ``resource_types``) in its units."""
    chosen = tuple(ResourceType) if resource_types is None else tuple(resource_types)

    def limit_of(kind: ResourceType) -> st.SearchStrategy[ResourceLimit]:
        return quantities(units=_RESOURCE_UNITS[kind], min_value=0).map(
            lambda q: ResourceLimit(resource_type=kind, at_most=q)
        )

    return st.sampled_from(chosen).flatmap(limit_of)


def notice_payloads(*, kinds: Sequence[str] | None = None) -> st.SearchStrategy[NoticePayload]:
    """A payload of a kind (from ``kinds``, or any id) with JSON data of any shape."""
    chosen = _IDS if kinds is None else st.sampled_from(tuple(kinds))
    data = st.dictionaries(st.text(max_size=8), _JSON_VALUES, max_size=4)
    return st.builds(lambda k, d: NoticePayload(kind=k, data=d), chosen, data)


@st.composite
def notices(
    draw: st.DrawFn,
    *,
    parties: Sequence[str] | None = None,
    payloads: st.SearchStrategy[NoticePayload | None] | None = None,
) -> Notice:
    """A notice between ``parties`` (or any ids), effective when sent or later.

    Instants carry the edges of `aware_datetimes` (the ends of the supported range,
    DST folds); now and then the notice takes effect the instant it is sent.
    """
    ids = _IDS if parties is None else st.sampled_from(tuple(parties))
    first = draw(aware_datetimes())
    second = first if draw(st.integers(0, 4)) == 0 else draw(aware_datetimes())
    sent_at, effective_at = sorted((first, second), key=instant_key)
    return Notice(
        sent_by=draw(ids),
        sent_to=draw(st.frozensets(ids, min_size=1, max_size=3)),
        sent_at=sent_at,
        effective_at=effective_at,
        payload=draw((st.none() | notice_payloads()) if payloads is None else payloads),
    )


def strategy_pairs() -> list[tuple[type, st.SearchStrategy[Any]]]:
    """Each value type of `cloudsms.agreements.terms` with the strategy that draws it."""
    return [
        (EarlyTerminationCharge, early_termination_charges()),
        (TerminationTerms, termination_terms()),
        (ExitTerms, exit_terms()),
        (Responsibility, activity_responsibilities()),
        (Responsibilities, responsibilities()),
        (Priority, priorities()),
        (PriorityScale, priority_scales()),
        (LegalTerm, legal_terms()),
        (ResourceLimit, resource_limits()),
        (NoticePayload, notice_payloads()),
        (Notice, notices()),
    ]


def register() -> None:
    """Register a strategy for each type of `cloudsms.agreements.terms` with ``st.from_type``."""
    for kind, strategy in strategy_pairs():
        st.register_type_strategy(kind, strategy)
