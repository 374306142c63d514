"""Strategies and a state machine for a service's removal (S15, `cloudsms.procedures.removal`).

For test authors whose code runs on a removal: `removal_plans`,
`removal_procedures` (driven through `RemovalProcedure`'s own steps into any state,
or the states asked for) and `archived_records` draw valid values only; `register`
makes each type drawable with ``st.from_type``.

`RemovalMachine` is a `RuleBasedStateMachine` over one service's removal: its rules
try every step at any time, allowed or not, and its invariants are the rules the
removal must never break. Subclass it with rules and invariants of your own; each
built-in invariant is a named method.

The removal is designed by cloudsms: the TR's guidance for S15 is not in our source.
The catalogue drawn here is fixed and small (two live services, ``compute`` and
``storage``, one entry each); the agreements are built directly (as the exit
procedure's strategies build theirs), in zones that break naive code, with notice
periods, ends and starts drawn around the day the notices go out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import attrs
from dateutil.relativedelta import relativedelta
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from cloudsms.agreements import (
    CloudServiceAgreement,
    TerminatingParty,
    TerminationReason,
    TerminationTerms,
)
from cloudsms.catalogue import (
    Billing,
    BillingMethod,
    Bound,
    Catalogue,
    CatalogueEntry,
    Offering,
    OfferingKind,
    ServiceLevel,
)
from cloudsms.errors import InvalidTransition, ValidationError
from cloudsms.lifecycle import verify
from cloudsms.money import Money, Price
from cloudsms.periods import add_exact, timezone
from cloudsms.procedures.removal import (
    REMOVAL_LIFECYCLE,
    ArchivedRecord,
    RemovalEnd,
    RemovalPlan,
    RemovalProcedure,
    Subscriber,
    announce_removal,
    plan_removal,
    retire_service,
)
from cloudsms.serialization import from_json, to_json
from cloudsms.services import (
    SERVICE_LIFECYCLE,
    CloudService,
    DeploymentModel,
    ServiceCategory,
    ServiceGraph,
)
from cloudsms.testing._strategies import _NAMES, TIME_ZONES
from cloudsms.testing._termination import _agreement
from cloudsms.units import quantity

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = [
    "REMOVAL_STATES",
    "RemovalMachine",
    "archived_records",
    "register",
    "removal_plans",
    "removal_procedures",
]

REMOVAL_STATES: tuple[str, ...] = REMOVAL_LIFECYCLE.states
"""The states a `RemovalProcedure` can be in."""

_SERVICES = ("compute", "storage")
_OPS = "actor:catalogue-manager"
_STRATEGY = "the removal procedure strategy"
_DAY = dt.timedelta(days=1)
_SECOND = dt.timedelta(seconds=1)
_FIRST_DAY = dt.date(2001, 1, 1)
_LAST_DAY = dt.date(2035, 12, 31)
_STRANGER = "csa-stranger"
"""An agreement id no drawn plan holds: notices and closings for it are always refused."""


# ---------------------------------------------------------------------- the catalogue
def _catalogue() -> Catalogue:
    """Two live services, ``compute`` and ``storage``, with one entry each (``compute-entry``)."""
    uptime = ServiceLevel(measure="availability", bound=Bound.AT_LEAST, target=quantity("99.9 %"))
    services, entries = [], []
    for service in _SERVICES:
        services.append(
            CloudService(
                id=service,
                name=service.title(),
                category=ServiceCategory.IAAS,
                deployment_models={DeploymentModel.PUBLIC},
                owner="Service owner",
                lifecycle=SERVICE_LIFECYCLE.begin(id=service, origin="live"),
            )
        )
        entries.append(
            CatalogueEntry(
                id=f"{service}-entry",
                name=service.title(),
                service=service,
                category=ServiceCategory.IAAS,
                deployment_models={DeploymentModel.PUBLIC},
                ordering_procedure="Order in the portal",
                provisioning_procedure="Ready within one working day",
                billing=Billing(
                    method=BillingMethod.SUBSCRIPTION,
                    cycle=relativedelta(months=1),
                    currency="EUR",
                ),
                resource_locations={"DE"},
                data_locations={"DE"},
                offerings=(
                    Offering(
                        id="standard",
                        name="Standard",
                        kind=OfferingKind.FIXED,
                        levels=(uptime,),
                        price=Price(Money("10", "EUR"), "user", per="month"),
                    ),
                ),
            )
        )
    return Catalogue(entries=entries, graph=ServiceGraph(services=services))


_CATALOGUES: list[Catalogue] = []


def _the_catalogue() -> Catalogue:
    """The fixed catalogue, built once (a catalogue's checks cost more than a draw should)."""
    if not _CATALOGUES:
        _CATALOGUES.append(_catalogue())
    return _CATALOGUES[0]


# ---------------------------------------------------------------------- agreements
_PERIODS = st.one_of(
    st.integers(1, 24).map(lambda months: relativedelta(months=months)),
    st.integers(1, 400).map(lambda days: relativedelta(days=days)),
)


@st.composite
def _terms(draw: st.DrawFn) -> TerminationTerms:
    """Termination terms; three times in four the provider may end them for a retirement."""
    party = draw(st.sampled_from((TerminatingParty.EITHER, TerminatingParty.PROVIDER)))
    retirement = draw(st.integers(0, 3)) > 0
    if not retirement and draw(st.booleans()):
        return TerminationTerms(
            terminable_by=TerminatingParty.CUSTOMER, notice_period=draw(_PERIODS)
        )
    reasons = {TerminationReason.MISUSE}
    if retirement:
        reasons.add(TerminationReason.SERVICE_RETIREMENT)
    return TerminationTerms(
        terminable_by=party, provider_reasons=reasons, notice_period=draw(_PERIODS)
    )


@st.composite
def _subscribers(draw: st.DrawFn, number: int, as_of: dt.datetime) -> CloudServiceAgreement:
    """Agreement ``csa-<number>``, mostly in force at ``as_of`` (one in five starts later)."""
    zone = draw(st.sampled_from(TIME_ZONES))
    # One in five starts after the notice (a subscriber too, told before its start).
    later = draw(st.integers(0, 4)) == 0
    days = -draw(st.integers(1, 400)) if later else draw(st.integers(-10, 3000))
    started = add_exact(as_of, -days * _DAY)
    start = started.astimezone(timezone(zone)).replace(microsecond=0)
    end = None
    if draw(st.booleans()):
        # Mostly after the notice (some before it, and then not in force), after the start.
        ends = add_exact(as_of, draw(st.integers(-30, 3000)) * _DAY)
        end = ends if _utc(ends) > _utc(start) else add_exact(start, _DAY)
    agreement = _agreement(zone=zone, start=start, end=end, termination=draw(_terms()))
    changes: dict[str, Any] = {
        "id": f"csa-{number}",
        "customer_id": f"cust-{draw(st.integers(0, 3))}",
    }
    only = draw(st.sampled_from((None, None, "compute", "storage")))
    if only is not None:
        changes["subscriptions"] = tuple(
            s for s in agreement.subscriptions if s.service_id == only
        )
        changes["slas"] = tuple(
            attrs.evolve(sla, service_ids=sla.service_ids & {only}) for sla in agreement.slas
        )
        changes["recurring_charges"] = tuple(
            c for c in agreement.recurring_charges if c.service_id == only
        )
    return attrs.evolve(agreement, **changes)


@st.composite
def _scenarios(
    draw: st.DrawFn, *, max_agreements: int = 5
) -> tuple[str, tuple[CloudServiceAgreement, ...], dt.date | dt.datetime]:
    """A service to remove, the agreements to plan over and when the notices go out."""
    day = draw(st.dates(min_value=_FIRST_DAY, max_value=_LAST_DAY))
    as_of: dt.date | dt.datetime
    if draw(st.booleans()):
        as_of = day
        anchor = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    else:
        zone = timezone(draw(st.sampled_from(TIME_ZONES)))
        seconds = draw(st.integers(0, 86_399))
        # The day's first instant: a midnight the clocks skip is the instant after it.
        local = dt.datetime(day.year, day.month, day.day, tzinfo=zone)
        local = local.astimezone(dt.UTC).astimezone(zone)
        as_of = anchor = add_exact(local, seconds * _SECOND)
    # Nobody subscribing is one case in eight; hypothesis would draw it far more often.
    none = draw(st.integers(0, 7)) == 0 or max_agreements < 1
    count = 0 if none else draw(st.integers(1, max_agreements))
    agreements = tuple(draw(_subscribers(number, anchor)) for number in range(count))
    return draw(st.sampled_from(_SERVICES)), agreements, as_of


def removal_plans(*, max_agreements: int = 5) -> st.SearchStrategy[RemovalPlan]:
    """Plans of one of two services over up to ``max_agreements`` agreements.

    The notices go out on a drawn day (the start of it in each agreement's zone) or
    at a drawn instant; the agreements start before it (one in five after it), some
    end, some subscribe to one service only, and their terms let the provider end
    them for a retirement three times in four (with one to 24 months' or one to
    400 days' notice); the others end at their own end or are blockers.
    """

    @st.composite
    def build(draw: st.DrawFn) -> RemovalPlan:
        service, agreements, as_of = draw(_scenarios(max_agreements=max_agreements))
        return plan_removal(_the_catalogue(), service, agreements, as_of=as_of)

    return build()


_KEPT = st.sampled_from(
    ("billing records", "the service's audit trail", "configuration history", "incident records")
)
_BASES = st.sampled_from(
    (
        "Tax law: booking records are kept for ten years",
        "Commercial code: trading records are kept for six years",
        "The agreements' record keeping term",
    )
)


def archived_records() -> st.SearchStrategy[ArchivedRecord]:
    """Things kept after a removal, each with the basis that keeps it (any text too)."""
    return st.builds(
        lambda what, basis: ArchivedRecord(what=what, basis=basis),
        st.one_of(_KEPT, _NAMES),
        st.one_of(_BASES, _NAMES),
    )


# ---------------------------------------------------------------------- procedures
def _later(draw: st.DrawFn, after: dt.datetime, *, most: int = 10 * 86_400) -> dt.datetime:
    seconds = draw(st.one_of(st.just(0), st.integers(0, most)))
    return add_exact(after, seconds * _SECOND)


def _latest(*instants: dt.datetime) -> dt.datetime:
    return max(instants, key=lambda instant: instant.astimezone(dt.UTC))


def _walk(
    draw: st.DrawFn, procedure: RemovalProcedure, catalogue: Catalogue, target: str
) -> RemovalProcedure:
    """``procedure`` moved by its own steps (with the catalogue) until it reaches ``target``."""
    if target == "opened":
        return procedure
    plan = procedure.plan
    subscribers = plan.subscribers
    first = min((s.notice_at for s in subscribers), key=_utc, default=procedure.removal_date)
    clock = add_exact(first, -draw(st.integers(0, 5 * 86_400)) * _SECOND)
    procedure, catalogue = announce_removal(procedure, catalogue, who=_OPS, when=clock)
    told = draw(st.permutations(subscribers))
    tell = len(told) if target == "retired" else draw(st.integers(0, len(told)))
    for subscriber in told[:tell]:
        clock = _later(draw, _latest(clock, subscriber.notice_at))
        procedure = procedure.notify(subscriber.agreement_id, who=_OPS, when=clock)
    close = tell if target == "retired" else draw(st.integers(0, tell))
    for subscriber in told[:close]:
        clock = _later(draw, _latest(clock, subscriber.notice_ends or clock))
        hows: tuple[str, ...] = ("terminated", "transferred")
        if subscriber.ends_by is RemovalEnd.AGREEMENT_END:
            hows += ("expired",)
        how = draw(st.sampled_from(hows))
        if how == "expired":
            procedure = procedure.apply(
                "close_subscription", who=_OPS, when=clock, data=_expiry(subscriber.agreement_id)
            )
            continue
        kind = "exit" if how == "terminated" else "transfer"
        procedure = procedure.close_subscription(
            subscriber.agreement_id,
            how=how,
            procedure_id=f"{kind}-{subscriber.agreement_id}",
            who=_OPS,
            when=clock,
        )
    if target == "retiring":
        return procedure
    clock = _later(draw, clock)
    procedure = procedure.record_release(who=_OPS, when=clock)
    clock = _later(draw, clock)
    procedure = procedure.update_records(
        catalogue=[f"catalogue:{plan.service_id}"],
        configuration=[f"ci:{plan.service_id}"],
        archive=draw(st.lists(archived_records(), max_size=2)),
        who=_OPS,
        when=clock,
    )
    clock = _later(draw, _latest(clock, procedure.removal_date))
    retired, _ = retire_service(procedure, catalogue, who=_OPS, when=clock)
    return retired


def _utc(instant: dt.datetime) -> dt.datetime:
    return instant.astimezone(dt.UTC)


def _expiry(agreement_id: str) -> dict[str, Any]:
    """The data of a ``close_subscription`` for an agreement that ran out (no procedure)."""
    return {"agreement_id": agreement_id, "how": "expired", "procedure_id": None}


def removal_procedures(
    *, states: Sequence[str] | None = None
) -> st.SearchStrategy[RemovalProcedure]:
    """Procedures in one of ``states`` (any by default), moved there step by step.

    Each starts with `RemovalProcedure.initiate` on a drawn plan (`removal_plans`)
    and is driven only through its own steps and `announce_removal` and
    `retire_service` with the fixed catalogue, so its trail verifies and replays:
    some subscribers notified (all, on the way to ``retired``), some of those closed
    (each after its notice, terminated or transferred, or expired at its
    agreement's end where the plan ends it so), then the release, the records and
    the retirement.

    Raises:
        ValidationError: ``states`` is one text rather than a sequence of them, is
            empty, or holds a state that is not one of `REMOVAL_STATES`
            (at ``$.states``).
    """
    expected = f"a sequence of states a removal procedure can be in ({', '.join(REMOVAL_STATES)})"
    if isinstance(states, str):
        raise ValidationError.single(
            "$.states",
            expected,
            f"the text {states!r} (write ({states!r},) for one state)",
            subject=_STRATEGY,
        )
    chosen = REMOVAL_STATES if states is None else tuple(states)
    unknown = [s for s in chosen if s not in REMOVAL_STATES]
    if unknown or not chosen:
        raise ValidationError.single(
            "$.states", expected, ", ".join(map(repr, unknown)) or "none", subject=_STRATEGY
        )

    @st.composite
    def build(draw: st.DrawFn) -> RemovalProcedure:
        target = draw(st.sampled_from(chosen))
        service, agreements, as_of = draw(_scenarios())
        catalogue = _the_catalogue()
        procedure = RemovalProcedure.initiate(catalogue, service, agreements, as_of=as_of)
        return _walk(draw, procedure, catalogue, target)

    return build()


def register() -> None:
    """Register a strategy for each record type of the removal with ``st.from_type``."""
    pairs: list[tuple[type, Callable[[], st.SearchStrategy[Any]]]] = [
        (ArchivedRecord, archived_records),
        (RemovalPlan, removal_plans),
        (Subscriber, lambda: removal_plans().filter(_subscribed).flatmap(_one_subscriber)),
        (RemovalProcedure, removal_procedures),
    ]
    for kind, factory in pairs:
        st.register_type_strategy(kind, _lazily(factory))


def _subscribed(plan: RemovalPlan) -> bool:
    return bool(plan.subscribers)


def _one_subscriber(plan: RemovalPlan) -> st.SearchStrategy[Subscriber]:
    return st.sampled_from(plan.subscribers)


def _lazily(
    factory: Callable[[], st.SearchStrategy[Any]],
) -> Callable[[type], st.SearchStrategy[Any]]:
    return lambda _: factory()


# ---------------------------------------------------------------------- the state machine
_Step = Callable[[RemovalProcedure, Catalogue, dt.datetime], tuple[RemovalProcedure, Catalogue]]
"""One step of the removal: from the procedure and the catalogue, at an instant, both after it."""

_ANCHORS = ("clock", "notice", "removal")
_MOMENTS = st.tuples(
    st.sampled_from(_ANCHORS),
    st.one_of(
        st.just(0),
        st.integers(-3 * 86_400, 3 * 86_400),
        st.integers(0, 200 * 86_400),
        st.sampled_from((-1, 1)),
    ),
)
"""Where a step is tried: an anchor (the last event, the first notice, the removal date)
and seconds from it."""


class RemovalMachine(RuleBasedStateMachine):
    """One service's removal, every step tried at any time, with the rules it must never break.

    ``initialize`` draws a service of the fixed catalogue, up to five agreements and
    when the notices go out, and initiates the procedure. Each rule then tries one
    step — the announcement and the retirement through `announce_removal` and
    `retire_service`, which move the catalogue's service too — at an instant drawn
    around the last event, the first notice or the removal date (earlier than the
    last event too), for a subscriber of the plan or for a stranger. A refused step
    must raise `InvalidTransition` or `ValidationError` and leave the procedure and
    the catalogue as they were; an applied one adds exactly one entry.

    State kept for subclasses: ``catalogue``, ``procedure`` (the latest), ``plan``,
    ``clock`` (the last entry's instant, or the first notice before any) and
    ``refused`` (how many steps were). Each invariant is a method of its own; add
    yours with ``@invariant()``, or override one under ``@invariant()`` and call
    ``super()``.
    """

    def __init__(self) -> None:
        super().__init__()
        self.catalogue: Catalogue = _the_catalogue()
        self.procedure: RemovalProcedure
        self.plan: RemovalPlan
        self.clock: dt.datetime
        self.refused = 0

    @initialize(scenario=_scenarios())
    def plan_the_removal(
        self, scenario: tuple[str, tuple[CloudServiceAgreement, ...], dt.date | dt.datetime]
    ) -> None:
        """Initiate the removal of the drawn service over the drawn agreements."""
        service, agreements, as_of = scenario
        self.procedure = RemovalProcedure.initiate(
            self.catalogue, service, agreements, as_of=as_of
        )
        self.plan = self.procedure.plan
        self.clock = self._first_notice()

    def _first_notice(self) -> dt.datetime:
        notices = [s.notice_at for s in self.plan.subscribers]
        return min(notices, key=_utc) if notices else self.procedure.removal_date

    # ------------------------------------------------------------------ helpers
    def moment(self, anchor: str, seconds: int) -> dt.datetime:
        """The instant ``seconds`` from ``anchor``: the clock, the first notice, the removal."""
        base = {
            "clock": self.clock,
            "notice": self._first_notice(),
            "removal": self.procedure.removal_date,
        }[anchor]
        return add_exact(base, seconds * _SECOND)

    def attempt(
        self,
        step: _Step,
        when: dt.datetime,
        *,
        allowed: bool = False,
    ) -> bool:
        """Try ``step`` at ``when``; check the outcome either way; whether it was applied."""
        before, shop = self.procedure, self.catalogue
        try:
            after, catalogue = step(before, shop, when)
        except (InvalidTransition, ValidationError) as refused:
            if allowed:
                message = f"an allowed step was refused in {before.state!r}: {refused}"
                raise AssertionError(message) from refused
            assert self.procedure is before  # noqa: S101 - a refused step changes nothing
            assert self.catalogue is shop  # noqa: S101
            self.refused += 1
            return False
        assert after.lifecycle.history()[:-1] == before.lifecycle.history()  # noqa: S101
        assert after.lifecycle.entries[-1].when == when  # noqa: S101
        assert after.plan == self.plan  # noqa: S101
        self.procedure, self.catalogue, self.clock = after, catalogue, when
        return True

    def _agreement(self, pick: int) -> str:
        ids = (*self.plan.agreement_ids, _STRANGER)
        return ids[pick % len(ids)]

    # ------------------------------------------------------------------ rules
    @rule(moment=_MOMENTS)
    def announce(self, moment: tuple[str, int]) -> None:
        """Try to announce the removal (the service goes retiring with it)."""
        self.attempt(
            lambda p, c, w: announce_removal(p, c, who=_OPS, when=w), self.moment(*moment)
        )

    @rule(pick=st.integers(0, 5), moment=_MOMENTS)
    def notify(self, pick: int, moment: tuple[str, int]) -> None:
        """Try to notify a subscriber of the plan, or a stranger."""
        chosen = self._agreement(pick)
        applied = self.attempt(
            lambda p, c, w: (p.notify(chosen, who=_OPS, when=w), c), self.moment(*moment)
        )
        assert not applied or chosen != _STRANGER  # noqa: S101 - strangers are never told

    @rule(
        pick=st.integers(0, 5),
        how=st.sampled_from(("terminated", "transferred")),
        moment=_MOMENTS,
    )
    def close(self, pick: int, how: str, moment: tuple[str, int]) -> None:
        """Try to close a subscription, terminated or transferred."""
        chosen = self._agreement(pick)
        self.attempt(
            lambda p, c, w: (
                p.close_subscription(
                    chosen, how=how, procedure_id=f"proc-{chosen}", who=_OPS, when=w
                ),
                c,
            ),
            self.moment(*moment),
        )

    @rule(pick=st.integers(0, 5), moment=_MOMENTS)
    def expire(self, pick: int, moment: tuple[str, int]) -> None:
        """Try to close a subscription as expired (its agreement ran out), raw data."""
        chosen = self._agreement(pick)
        self.attempt(
            lambda p, c, w: (
                p.apply("close_subscription", who=_OPS, when=w, data=_expiry(chosen)),
                c,
            ),
            self.moment(*moment),
        )

    @rule(moment=_MOMENTS)
    def release(self, moment: tuple[str, int]) -> None:
        """Try to record the release of the service's resources."""
        self.attempt(
            lambda p, c, w: (p.record_release(("rel-1",), who=_OPS, when=w), c),
            self.moment(*moment),
        )

    @rule(moment=_MOMENTS)
    def update_records(self, moment: tuple[str, int]) -> None:
        """Try to record the updated catalogue and configuration records."""
        self.attempt(
            lambda p, c, w: (
                p.update_records(
                    catalogue=["catalogue:v2"], configuration=["ci:1"], who=_OPS, when=w
                ),
                c,
            ),
            self.moment(*moment),
        )

    @rule(moment=_MOMENTS)
    def retire(self, moment: tuple[str, int]) -> None:
        """Try to retire the service (with the catalogue's service)."""
        self.attempt(lambda p, c, w: retire_service(p, c, who=_OPS, when=w), self.moment(*moment))

    @rule(steps=st.integers(1, 8), data=st.data())
    def proceed(self, steps: int, data: st.DataObject) -> None:
        """Take up to ``steps`` steps the procedure allows, each at a right time; none refused."""
        for _ in range(steps):
            move = self.next_step(data)
            if move is None:
                return
            step, when = move
            self.attempt(step, when, allowed=True)

    def next_step(  # noqa: PLR0911 - one step per stage of the removal
        self, data: st.DataObject
    ) -> tuple[_Step, dt.datetime] | None:
        """A step the procedure allows now, and when: ``None`` once it is retired."""
        procedure = self.procedure
        later = add_exact(self.clock, data.draw(st.integers(0, 86_400)) * _SECOND)
        if procedure.state == "opened":
            return (lambda p, c, w: announce_removal(p, c, who=_OPS, when=w)), later
        if procedure.state != "retiring":
            return None
        if procedure.unnotified:
            chosen = data.draw(st.sampled_from(procedure.unnotified))
            subscriber = self.plan.subscriber(chosen)
            assert subscriber is not None  # noqa: S101
            when = _latest(later, subscriber.notice_at)
            return (lambda p, c, w: (p.notify(chosen, who=_OPS, when=w), c)), when
        if procedure.open_subscriptions:
            chosen = data.draw(st.sampled_from(procedure.open_subscriptions))
            subscriber = self.plan.subscriber(chosen)
            assert subscriber is not None  # noqa: S101
            ends = subscriber.notice_ends
            if subscriber.ends_by is RemovalEnd.AGREEMENT_END and ends is not None:
                return (
                    lambda p, c, w: (
                        p.apply("close_subscription", who=_OPS, when=w, data=_expiry(chosen)),
                        c,
                    )
                ), _latest(later, ends)
            return (
                lambda p, c, w: (
                    p.close_subscription(
                        chosen, how="terminated", procedure_id=f"exit-{chosen}", who=_OPS, when=w
                    ),
                    c,
                )
            ), later
        if not procedure.resources_released:
            return (lambda p, c, w: (p.record_release(who=_OPS, when=w), c)), later
        events = {e.event for e in procedure.lifecycle.entries}
        if "update_records" not in events:
            return (
                lambda p, c, w: (
                    p.update_records(
                        catalogue=["catalogue:v2"], configuration=["ci:1"], who=_OPS, when=w
                    ),
                    c,
                )
            ), later
        when = _latest(later, procedure.removal_date)
        return (lambda p, c, w: retire_service(p, c, who=_OPS, when=w)), when

    # ------------------------------------------------------------------ invariants
    def _entries(self, event: str) -> list[tuple[int, Any]]:
        return [
            (index, entry)
            for index, entry in enumerate(self.procedure.lifecycle.entries)
            if entry.event == event
        ]

    @invariant()
    def never_retired_while_open_or_early(self) -> None:
        """Retired only with every subscription closed, and not before the removal date."""
        retired = self._entries("retire")
        if not retired:
            assert not self.procedure.is_retired  # noqa: S101
            return
        index, entry = retired[0]
        closed = {
            e.data["agreement_id"] for i, e in self._entries("close_subscription") if i < index
        }
        assert closed == set(self.plan.agreement_ids)  # noqa: S101
        assert self.procedure.open_subscriptions == ()  # noqa: S101
        assert _utc(entry.when) >= _utc(self.procedure.removal_date)  # noqa: S101
        if self.plan.earliest_removal is not None:
            assert _utc(entry.when) >= _utc(self.plan.earliest_removal)  # noqa: S101

    @invariant()
    def notices_only_to_subscribers(self) -> None:
        """Every notice goes to a subscriber of the plan, once, not before it is due."""
        told = [entry for _, entry in self._entries("notify")]
        ids = [entry.data["agreement_id"] for entry in told]
        assert len(ids) == len(set(ids))  # noqa: S101
        for entry in told:
            subscriber = self.plan.subscriber(entry.data["agreement_id"])
            assert subscriber is not None  # noqa: S101
            assert _utc(entry.when) >= _utc(subscriber.notice_at)  # noqa: S101

    @invariant()
    def closed_only_after_notice(self) -> None:
        """A subscription closes once, and only after its customer was notified."""
        told = {e.data["agreement_id"]: i for i, e in self._entries("notify")}
        closed = [(i, e.data["agreement_id"]) for i, e in self._entries("close_subscription")]
        assert len({a for _, a in closed}) == len(closed)  # noqa: S101
        for index, agreement_id in closed:
            assert agreement_id in told  # noqa: S101
            assert told[agreement_id] < index  # noqa: S101

    @invariant()
    def expired_only_at_the_agreement_end(self) -> None:
        """An ``expired`` closing is for a subscriber ending at its agreement's end, not before."""
        for _, entry in self._entries("close_subscription"):
            if entry.data["how"] != "expired":
                continue
            subscriber = self.plan.subscriber(entry.data["agreement_id"])
            assert subscriber is not None  # noqa: S101
            assert subscriber.ends_by is RemovalEnd.AGREEMENT_END  # noqa: S101
            assert subscriber.notice_ends is not None  # noqa: S101
            assert _utc(entry.when) >= _utc(subscriber.notice_ends)  # noqa: S101

    @invariant()
    def catalogue_moves_with_the_procedure(self) -> None:
        """The service is live, retiring, retired as the procedure is opened, retiring, retired."""
        state = self.catalogue.graph.service(self.plan.service_id).lifecycle_state
        expected = {"opened": "live", "retiring": "retiring", "retired": "retired"}
        assert state == expected[self.procedure.state]  # noqa: S101
        offered = {e.service for e in self.catalogue.entries}
        assert (self.plan.service_id in offered) == (not self.procedure.is_retired)  # noqa: S101

    @invariant()
    def trail_verifies_and_replays(self) -> None:
        """The chain holds; the procedure replays through the guards and survives JSON."""
        instance = self.procedure.lifecycle
        assert verify(instance) is None  # noqa: S101
        resumed = REMOVAL_LIFECYCLE.resume(
            instance.history(), id=instance.id, context=instance.context
        )
        assert resumed == instance  # noqa: S101
        assert from_json(RemovalProcedure, to_json(self.procedure)) == self.procedure  # noqa: S101
