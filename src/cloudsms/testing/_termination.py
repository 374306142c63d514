"""Strategies and a state machine for the exit procedure (S13, `cloudsms.procedures.termination`).

For test authors whose code runs on an exit: `exit_plans`, `exit_procedures` (driven
through `ExitProcedure`'s own methods into any reachable state, or the states asked
for), `exit_confirmations`, `legal_holds`, `deletions` and `data_categories` draw
valid values only; `register` makes each type drawable with ``st.from_type``.

`ExitProcedureMachine` is a `RuleBasedStateMachine` over one customer's exit: its
rules try every step at any time, allowed or not, and its invariants are the rules
S13 must never break (ISO/IEC 20000-1:2011 4.3, 4.4, 6.6 and 7.1). Subclass it with
rules and invariants of your own; each built-in invariant is a named method, so a
subclass keeps it, or overrides it on purpose.

The agreements drawn here are built directly, not from a catalogue (drawing a
catalogue costs a tenth of a second): one provider, one customer, two subscribed
services with monthly charges in EUR, termination and exit terms drawn by
`termination_terms` and `exit_terms`, in a zone from the ones that break naive code.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from dateutil.relativedelta import relativedelta
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from cloudsms.agreements import (
    Activity,
    BackupRetention,
    CloudServiceAgreement,
    ExitTerms,
    Priority,
    PriorityScale,
    RecurringCharge,
    Responsibilities,
    Responsibility,
    ServiceLevelAgreement,
    ServiceTarget,
    Subscription,
    TerminatingParty,
    TerminationReason,
    TerminationTerms,
)
from cloudsms.errors import InvalidTransition, ValidationError
from cloudsms.levels import Bound, ServiceLevel
from cloudsms.lifecycle import verify
from cloudsms.money import Money, Price
from cloudsms.periods import Period, SupportHours, add_exact, timezone
from cloudsms.procedures.termination import (
    EXIT_LIFECYCLE,
    DataCategory,
    Deletion,
    Evidence,
    ExitConfirmation,
    ExitCriterion,
    ExitPlan,
    ExitProcedure,
    ExitStep,
    LegalHold,
    plan_exit,
    release_resources,
)
from cloudsms.resources import Allocation, CostProfile, PoolCapacity, ResourcePool
from cloudsms.resources.pricing import Rate, RateCard
from cloudsms.serialization import from_json, to_json
from cloudsms.testing._agreements_terms import exit_terms, termination_terms
from cloudsms.testing._strategies import _NAMES, TIME_ZONES, aware_datetimes, moneys
from cloudsms.units import quantity

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from cloudsms.configuration import ConfigurationRecord

__all__ = [
    "EXIT_STATES",
    "ExitProcedureMachine",
    "data_categories",
    "deletions",
    "exit_confirmations",
    "exit_plans",
    "exit_procedures",
    "legal_holds",
    "register",
]

EXIT_STATES: tuple[str, ...] = tuple(s for s in EXIT_LIFECYCLE.states if s != "opened")
"""The states an `ExitProcedure` can be in: `ExitProcedure.initiate` gives notice at once."""

_SERVICES = ("compute", "storage")
_CUSTOMER = "globex"
_AGREEMENT = "csa-exit-1"
_CUSTOMER_ACTOR = "actor:globex-it"
_PROVIDER_ACTOR = "actor:nimbus-ops"
_FIRST_DAY = dt.date(2000, 1, 1)
_LAST_DAY = dt.date(2040, 12, 31)
_DAY = dt.timedelta(days=1)
_SECOND = dt.timedelta(seconds=1)
_STRATEGY = "the exit procedure strategy"
_BASES = st.sampled_from(
    (
        "Commercial code: trading records are kept for six years",
        "Court order 4 O 211/26 to preserve evidence",
        "Tax law: booking records are kept for ten years",
    )
)
_METHODS = st.none() | st.sampled_from(("crypto-shred", "overwrite", "media destroyed"))


def data_categories() -> st.SearchStrategy[DataCategory]:
    """Each of the six categories of a customer's data an exit deletes or holds."""
    return st.sampled_from(tuple(DataCategory))


def legal_holds(
    *, categories: Sequence[DataCategory] | None = None
) -> st.SearchStrategy[LegalHold]:
    """Holds on a category (one of ``categories``), with a basis and a review date."""
    chosen = data_categories() if categories is None else st.sampled_from(tuple(categories))
    return st.builds(
        lambda category, basis, review: LegalHold(
            category=category, basis=basis, review_on=review
        ),
        chosen,
        st.one_of(_BASES, _NAMES),
        st.dates(min_value=_FIRST_DAY, max_value=_LAST_DAY),
    )


def deletions(*, categories: Sequence[DataCategory] | None = None) -> st.SearchStrategy[Deletion]:
    """Deletions of a category (one of ``categories``), at an instant, with or without a method."""
    chosen = data_categories() if categories is None else st.sampled_from(tuple(categories))
    instants = aware_datetimes(
        min_value=dt.datetime(2000, 1, 1),  # noqa: DTZ001 - hypothesis takes naive bounds
        max_value=dt.datetime(2040, 12, 31),  # noqa: DTZ001
    )
    return st.builds(
        lambda category, at, method: Deletion(category=category, at=at, method=method),
        chosen,
        instants,
        _METHODS,
    )


# ---------------------------------------------------------------------- agreements
def _agreement(
    *,
    zone: str = "Europe/Berlin",
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    termination: TerminationTerms | None = None,
    exit: ExitTerms | None = None,  # noqa: A002 - the agreement's field
    charges: Sequence[Money] = (Money("100.00", "EUR"), Money("50.00", "EUR")),
) -> CloudServiceAgreement:
    """A small agreement of Nimbus Cloud with globex, on the termination and exit terms given.

    Two services (``compute``, ``storage``), each subscribed, with the monthly
    ``charges`` in that order (fewer charges: fewer services charged). By default it
    starts on 15 March 2026 in ``zone``, either party may end it (the provider for
    misuse or non-payment) with a month's notice inside a 12-month minimum term,
    and the customer has 30 days to take its data back, kept 90 days.
    """
    first = dt.datetime(2026, 3, 15, tzinfo=timezone(zone)) if start is None else start
    terms = termination or TerminationTerms(
        terminable_by=TerminatingParty.EITHER,
        provider_reasons={TerminationReason.MISUSE, TerminationReason.NON_PAYMENT},
        notice_period=relativedelta(months=1),
        minimum_term=relativedelta(months=12),
        withdrawable=True,
    )
    leaving = exit or ExitTerms(
        retrieval_window=relativedelta(days=30),
        export_formats=("CSV", "Parquet"),
        retention_window=relativedelta(days=90),
        backup_retention=BackupRetention.UNTIL_RETENTION_ENDS,
    )
    uptime = ServiceTarget(
        id="uptime",
        level=ServiceLevel(
            measure="availability", bound=Bound.AT_LEAST, target=quantity("99.9 %")
        ),
    )
    return CloudServiceAgreement(
        id=_AGREEMENT,
        provider="Nimbus Cloud",
        customer_id=_CUSTOMER,
        effective_from=first,
        end=end,
        subscriptions=[
            Subscription(entry_id=f"{service}-entry", offering_id="standard", service_id=service)
            for service in _SERVICES
        ],
        slas=[ServiceLevelAgreement(id="sla", service_ids=set(_SERVICES), targets=[uptime])],
        recurring_charges=[
            RecurringCharge(service_id=service, amount=amount, period=relativedelta(months=1))
            for service, amount in zip(_SERVICES, charges, strict=False)
        ],
        responsibilities=Responsibilities(
            assignments=[Responsibility(activity=a, holders={"provider"}) for a in Activity]
        ),
        data_locations={"DE"},
        resource_locations={"DE"},
        monitoring_retention=relativedelta(months=13),
        record_keeping=relativedelta(years=6),
        timezone=zone,
        support_hours=SupportHours.weekdays("08:00", "18:00", zone),
        customer_wait_pauses_clocks=True,
        priorities=PriorityScale(
            priorities=[Priority(id="P1", name="Critical", description="Down")]
        ),
        termination=terms,
        exit=leaving,
    )


def _withdrawable(terms: TerminationTerms, *, withdrawable: bool) -> TerminationTerms:
    return TerminationTerms(
        terminable_by=terms.terminable_by,
        provider_reasons=terms.provider_reasons,
        notice_period=terms.notice_period,
        minimum_term=terms.minimum_term,
        early_termination_charge=terms.early_termination_charge,
        withdrawable=withdrawable,
    )


@st.composite
def _agreements(draw: st.DrawFn, *, withdrawable: bool | None = None) -> CloudServiceAgreement:
    """An agreement on drawn terms, starting 09:00 on a drawn day in a drawn zone."""
    zone = draw(st.sampled_from(TIME_ZONES))
    day = draw(st.dates(min_value=_FIRST_DAY, max_value=_LAST_DAY))
    start = dt.datetime(day.year, day.month, day.day, 9, tzinfo=timezone(zone))
    terms = draw(termination_terms(currency="EUR"))
    if withdrawable is not None:
        terms = _withdrawable(terms, withdrawable=withdrawable)
    days = draw(st.none() | st.integers(2, 3000))
    charges = draw(
        st.lists(moneys(currency="EUR", min_value=0, max_value=10**6, edges=False), max_size=2)
    )
    return _agreement(
        zone=zone,
        start=start,
        end=None if days is None else add_exact(start, days * _DAY),
        termination=terms,
        exit=draw(exit_terms()),
        charges=charges,
    )


@st.composite
def _notices(
    draw: st.DrawFn, agreement: CloudServiceAgreement
) -> tuple[dt.date | dt.datetime, str, str | None]:
    """A notice the terms allow: (when, by whom, reason), while the agreement runs."""
    start = agreement.effective_from
    span = 3000 if agreement.end is None else (agreement.end - start) // _DAY
    offset = draw(st.integers(1, max(1, span - 1)))
    if draw(st.booleans()):
        local = start.astimezone(timezone(agreement.timezone)).date()
        notice: dt.date | dt.datetime = local + offset * _DAY
    else:
        seconds = draw(st.integers(0, offset * 86_400 - 1))
        notice = add_exact(start, dt.timedelta(seconds=seconds))
    terms = agreement.termination
    parties = [p for p in ("customer", "provider") if _may(terms, p)]
    by = draw(st.sampled_from(parties))
    if by == "provider":
        reason: str | None = draw(st.sampled_from(sorted(terms.provider_reasons)))
    else:
        reason = draw(st.none() | st.sampled_from(tuple(TerminationReason)))
    return notice, by, None if reason is None else str(reason)


def _may(terms: TerminationTerms, party: str) -> bool:
    return terms.customer_may_terminate if party == "customer" else bool(terms.provider_reasons)


@st.composite
def exit_plans(draw: st.DrawFn) -> ExitPlan:
    """Plans of a notice the terms allow, by either party, on drawn terms and zones.

    Early terminations inside a minimum term come with their charge (fixed, all or a
    share of the remaining monthly charges, or none when nothing bases it); notices
    are dates (the start of that day in the agreement's zone) or instants.
    """
    agreement = draw(_agreements())
    notice, by, reason = draw(_notices(agreement))
    return plan_exit(agreement, notice=notice, by=by, reason=reason)


# ---------------------------------------------------------------------- procedures
def _actor(party: str) -> str:
    """The actor who speaks for ``party`` (``customer`` or ``provider``)."""
    return _CUSTOMER_ACTOR if party == "customer" else _PROVIDER_ACTOR


def _later(draw: st.DrawFn, after: dt.datetime, *, most: int = 20 * 86_400) -> dt.datetime:
    """An instant from ``after`` up to ``most`` seconds later (``after`` itself now and then)."""
    seconds = draw(st.one_of(st.just(0), st.integers(0, most)))
    return add_exact(after, dt.timedelta(seconds=seconds))


def _seconds(first: dt.datetime, then: dt.datetime) -> int:
    """Whole seconds from ``first`` to ``then`` on the absolute timeline (not the wall clock)."""
    return int((then.astimezone(dt.UTC) - first.astimezone(dt.UTC)).total_seconds())


def _walk(  # noqa: C901, PLR0911, PLR0912 - one branch per step of the exit
    draw: st.DrawFn, procedure: ExitProcedure, target: str
) -> ExitProcedure:
    """``procedure`` moved by its own methods until it reaches ``target``."""
    plan = procedure.plan
    clock = plan.notice_at
    if target == "notice_period":
        return procedure
    if target == "withdrawn":
        room = max(0, _seconds(plan.notice_at, plan.effective_at) - 1)
        when = add_exact(clock, dt.timedelta(seconds=draw(st.integers(0, room))))
        return procedure.withdraw(by=plan.initiated_by, who=_actor(plan.initiated_by), when=when)
    clock = _later(draw, plan.effective_at, most=3600)
    procedure = procedure.take_effect(who=_PROVIDER_ACTOR, when=clock)
    for _ in range(draw(st.integers(0, 3))):
        room = _seconds(clock, plan.retrieval_ends) - 1
        if room < 0:
            break
        clock = add_exact(clock, dt.timedelta(seconds=draw(st.integers(0, room))))
        chosen = draw(st.sampled_from(plan.export_formats))
        procedure = procedure.record_retrieval(chosen, who=_CUSTOMER_ACTOR, when=clock)
    if target == "retrieval":
        return procedure
    if draw(st.booleans()):
        clock = _later(draw, clock)
        procedure = procedure.confirm_not_needed(who=_CUSTOMER_ACTOR, when=clock)
    else:
        clock = _later(draw, max(clock, plan.retention_ends))
        procedure = procedure.end_retention(who=_PROVIDER_ACTOR, when=clock)
    if target == "releasing":
        return procedure
    clock = _later(draw, clock)
    procedure = procedure.record_release(who=_PROVIDER_ACTOR, when=clock)
    order = draw(st.permutations(tuple(DataCategory)))
    decide = len(order) if target != "deleting" else draw(st.integers(0, len(order)))
    for category in order[:decide]:
        if category is DataCategory.BACKUPS and plan.backup_retention is (
            BackupRetention.UNTIL_RETENTION_ENDS
        ):
            clock = max(clock, plan.retention_ends)
        clock = _later(draw, clock)
        if draw(st.integers(0, 3)) == 0:
            local = clock.astimezone(timezone(plan.timezone)).date()
            review = local + draw(st.integers(1, 3650)) * _DAY
            basis = draw(st.one_of(_BASES, _NAMES))
            procedure = procedure.hold(
                category, basis=basis, review_on=review, who=_PROVIDER_ACTOR, when=clock
            )
        else:
            method = draw(_METHODS)
            procedure = procedure.delete(category, method, who=_PROVIDER_ACTOR, when=clock)
    if target == "deleting":
        return procedure
    clock = _later(draw, clock)
    procedure = procedure.update_records(
        configuration=[f"ci-{_CUSTOMER}-env"],
        capacity=["capacity-plan-2026"],
        financial=[f"invoice-{_CUSTOMER}-final"],
        who=_PROVIDER_ACTOR,
        when=clock,
    )
    if target == "records_updated":
        return procedure
    closed, _ = procedure.issue_confirmation(who=_PROVIDER_ACTOR, when=_later(draw, clock))
    return closed


def exit_procedures(*, states: Sequence[str] | None = None) -> st.SearchStrategy[ExitProcedure]:
    """Procedures in one of ``states`` (any reachable one by default), moved there step by step.

    Each starts with `ExitProcedure.initiate` on a drawn agreement and notice and is
    then driven only through its own methods — no history is made up — so its trail
    verifies and replays. On the way: zero to three retrievals, the customer's
    confirmation or the end of the retention window, the release recorded, each
    category deleted (the backups not before the terms allow) or held, the records
    updated and the confirmation issued, as far as the state drawn needs.

    Raises:
        ValidationError: ``states`` is one text rather than a sequence of them
            (``states="closed"`` is refused: write ``states=("closed",)``), is empty,
            or holds a state that is not one of `EXIT_STATES` (at ``$.states``).
    """
    expected = f"a sequence of states an exit procedure can be in ({', '.join(EXIT_STATES)})"
    if isinstance(states, str):
        raise ValidationError.single(
            "$.states",
            expected,
            f"the text {states!r} (write ({states!r},) for one state)",
            subject=_STRATEGY,
        )
    chosen = EXIT_STATES if states is None else tuple(states)
    unknown = [s for s in chosen if s not in EXIT_STATES]
    if unknown or not chosen:
        raise ValidationError.single(
            "$.states",
            expected,
            ", ".join(map(repr, unknown)) or "none",
            subject=_STRATEGY,
        )

    @st.composite
    def build(draw: st.DrawFn) -> ExitProcedure:
        target = draw(st.sampled_from(chosen))
        agreement = draw(_agreements(withdrawable=True if target == "withdrawn" else None))
        notice, by, reason = draw(_notices(agreement))
        procedure = ExitProcedure.initiate(
            agreement, notice=notice, by=by, reason=reason, who=_CUSTOMER_ACTOR
        )
        return _walk(draw, procedure, target)

    return build()


def exit_confirmations() -> st.SearchStrategy[ExitConfirmation]:
    """Written confirmations of closed procedures (`ExitConfirmation.of`)."""
    return exit_procedures(states=("closed",)).map(ExitConfirmation.of)


def _criteria() -> st.SearchStrategy[ExitCriterion]:
    return exit_confirmations().flatmap(lambda c: st.sampled_from(c.criteria))


def register() -> None:
    """Register a strategy for each record type of the exit procedure with ``st.from_type``."""
    pairs: list[tuple[type, Callable[[], st.SearchStrategy[Any]]]] = [
        (LegalHold, legal_holds),
        (Deletion, deletions),
        (ExitPlan, exit_plans),
        (ExitStep, lambda: exit_plans().flatmap(lambda p: st.sampled_from(p.steps))),
        (ExitProcedure, exit_procedures),
        (ExitConfirmation, exit_confirmations),
        (ExitCriterion, _criteria),
        (Evidence, lambda: _criteria().flatmap(lambda c: st.sampled_from(c.evidence))),
    ]
    for kind, factory in pairs:
        st.register_type_strategy(kind, _lazily(factory))


def _lazily(
    factory: Callable[[], st.SearchStrategy[Any]],
) -> Callable[[type], st.SearchStrategy[Any]]:
    return lambda _: factory()


# ---------------------------------------------------------------------- the state machine
_ANCHORS = ("clock", "notice", "effective", "retrieval_ends", "retention_ends")
_MOMENTS = st.tuples(
    st.sampled_from(_ANCHORS),
    st.one_of(
        st.just(0),
        st.integers(-3 * 86_400, 3 * 86_400),
        st.integers(0, 40 * 86_400),
        st.sampled_from((-1, 1)),
    ),
)
"""Where an event is tried: an anchor (the last event, or a date of the plan) and seconds."""

_POOLS = (
    ResourcePool(
        id="fra-1",
        name="Frankfurt 1",
        location="eu-central",
        capacities=[PoolCapacity(resource_type="vcpu", capacity=quantity("512 vcpu"))],
    ),
    ResourcePool(
        id="ber-1",
        name="Berlin 1",
        location="eu-east",
        capacities=[PoolCapacity(resource_type="vcpu", capacity=quantity("256 vcpu"))],
    ),
)
_RATES = RateCard("EUR", [Rate("vcpu", price=Price(Money("0.042", "EUR"), "vcpu*hour"))])


def _holdings(agreement: CloudServiceAgreement, start: dt.datetime) -> tuple[Allocation, ...]:
    """Globex's virtual machines in both pools, one booked for later, and a neighbour's."""

    def held(
        customer: str, where: str, amount: str, since: dt.datetime, machine: str
    ) -> Allocation:
        return Allocation(
            customer,
            agreement.id if customer == _CUSTOMER else "csa-other",
            "compute",
            "vcpu",
            quantity(amount),
            since,
            None,
            resource_id=machine,
            location=where,
        )

    return (
        held(_CUSTOMER, "eu-central", "8 vcpu", start, "vm-web-1"),
        held(_CUSTOMER, "eu-east", "4 vcpu", add_exact(start, 30 * _DAY), "vm-batch-1"),
        held(_CUSTOMER, "eu-central", "2 vcpu", add_exact(start, 900 * _DAY), "vm-later-1"),
        held("initech", "eu-central", "16 vcpu", start, "vm-initech-1"),
    )


@st.composite
def _scenarios(
    draw: st.DrawFn,
) -> tuple[CloudServiceAgreement, dt.date | dt.datetime, str, str | None]:
    """An agreement with no end (its resources outlive any notice) and a notice on its terms."""
    agreement = draw(_agreements())
    if agreement.end is not None:
        agreement = _agreement(
            zone=agreement.timezone,
            start=agreement.effective_from,
            termination=agreement.termination,
            exit=agreement.exit,
            charges=[c.amount for c in agreement.recurring_charges],
        )
    # One run in three may withdraw (and `proceed` then does so three times in four);
    # the others cannot: withdrawn is final, and the exit's later steps need runs too.
    withdrawable = draw(st.integers(0, 2)) == 0
    if agreement.termination.withdrawable is not withdrawable:
        agreement = _agreement(
            zone=agreement.timezone,
            start=agreement.effective_from,
            termination=_withdrawable(agreement.termination, withdrawable=withdrawable),
            exit=agreement.exit,
            charges=[c.amount for c in agreement.recurring_charges],
        )
    notice, by, reason = draw(_notices(agreement))
    return agreement, notice, by, reason


class ExitProcedureMachine(RuleBasedStateMachine):
    """One customer's exit, every step tried at any time, with the rules S13 must never break.

    ``initialize`` draws an agreement (terms, zone, charges), a notice the terms allow
    and globex's holdings in two pools (one booked to start later) beside another
    customer's, and initiates the procedure. Each rule then tries one step through
    `ExitProcedure`'s methods (the release through
    `cloudsms.procedures.termination.release_resources`, which carries the releases
    out), at an instant drawn around the last event or one of the plan's dates —
    earlier than the last event too — with data that is sometimes wrong. A step that
    is refused must raise `InvalidTransition` or `ValidationError` and leave the
    procedure, the allocations and the records as they were; one that is applied
    must add exactly one entry to the trail.

    State kept for subclasses: ``agreement``, ``pools``, ``allocations``,
    ``records``, ``procedure`` (the latest), ``plan`` (taken at initiation),
    ``clock`` (the last entry's instant) and ``refused`` (how many steps were).
    Each invariant is a method of its own; add yours with ``@invariant()``. To
    extend a built-in one, override it under ``@invariant()`` again and call
    ``super()``: an override without the decorator is no longer run at all.
    """

    def __init__(self) -> None:
        super().__init__()
        self.agreement: CloudServiceAgreement
        self.pools: tuple[ResourcePool, ...] = _POOLS
        self.allocations: tuple[Allocation, ...] = ()
        self.records: dict[str, ConfigurationRecord] = {}
        self.procedure: ExitProcedure
        self.plan: ExitPlan
        self.clock: dt.datetime
        self.refused = 0
        self._priced: str | None = None

    # ------------------------------------------------------------------ set-up
    @initialize(scenario=_scenarios())
    def give_notice(
        self, scenario: tuple[CloudServiceAgreement, dt.date | dt.datetime, str, str | None]
    ) -> None:
        """Initiate the exit on the drawn agreement and notice."""
        agreement, notice, by, reason = scenario
        self.agreement = agreement
        self.allocations = _holdings(agreement, agreement.effective_from)
        self.procedure = ExitProcedure.initiate(
            agreement, notice=notice, by=by, reason=reason, who=_CUSTOMER_ACTOR
        )
        self.plan = self.procedure.plan
        self.clock = self.plan.notice_at

    # ------------------------------------------------------------------ helpers
    def moment(self, anchor: str, seconds: int) -> dt.datetime:
        """The instant ``seconds`` from ``anchor``: the clock or one of the plan's dates."""
        base = {
            "clock": self.clock,
            "notice": self.plan.notice_at,
            "effective": self.plan.effective_at,
            "retrieval_ends": self.plan.retrieval_ends,
            "retention_ends": self.plan.retention_ends,
        }[anchor]
        return add_exact(base, dt.timedelta(seconds=seconds))

    def attempt(
        self,
        step: Callable[[ExitProcedure, dt.datetime], ExitProcedure],
        when: dt.datetime,
        *,
        allowed: bool = False,
    ) -> bool:
        """Try ``step`` at ``when``; check the outcome either way; whether it was applied.

        With ``allowed``, the step is one the procedure must accept: a refusal fails.
        """
        before = self.procedure
        try:
            after = step(before, when)
        except (InvalidTransition, ValidationError) as refused:
            if allowed:
                message = f"an allowed step was refused in {before.state!r}: {refused}"
                raise AssertionError(message) from refused
            if isinstance(refused, InvalidTransition):
                assert refused.state == before.state  # noqa: S101, PT017 - a hypothesis rule
            assert self.procedure is before  # noqa: S101 - a refused step changes nothing
            self.refused += 1
            return False
        assert after.lifecycle.history()[:-1] == before.lifecycle.history()  # noqa: S101
        assert after.lifecycle.entries[-1].when == when  # noqa: S101
        assert after.plan == self.plan  # noqa: S101 - the terms at notice, whatever happens
        self.procedure, self.clock = after, when
        return True

    # ------------------------------------------------------------------ rules
    @rule(other=st.integers(0, 3), moment=_MOMENTS)
    def withdraw(self, other: int, moment: tuple[str, int]) -> None:
        """Try to withdraw the notice: by the party that gave it, or now and then by the other."""
        party = self.plan.initiated_by.value
        if other == 0:
            party = "provider" if party == "customer" else "customer"
        applied = self.attempt(
            lambda p, w: p.withdraw(by=party, who=_actor(party), when=w), self.moment(*moment)
        )
        assert not applied or party == self.plan.initiated_by  # noqa: S101 - only the notifier

    @rule(moment=_MOMENTS)
    def take_effect(self, moment: tuple[str, int]) -> None:
        """Try to make the termination take effect."""
        self.attempt(lambda p, w: p.take_effect(who=_PROVIDER_ACTOR, when=w), self.moment(*moment))

    @rule(pick=st.integers(0, 4), moment=_MOMENTS)
    def record_retrieval(self, pick: int, moment: tuple[str, int]) -> None:
        """Try to record a retrieval, in an agreed format or in one that is not."""
        formats = (*self.plan.export_formats, "a format nobody agreed")
        chosen = formats[pick % len(formats)]
        self.attempt(
            lambda p, w: p.record_retrieval(chosen, who=_CUSTOMER_ACTOR, when=w),
            self.moment(*moment),
        )

    @rule(moment=_MOMENTS)
    def confirm_not_needed(self, moment: tuple[str, int]) -> None:
        """Try to record the customer's confirmation that its data is no longer needed."""
        self.attempt(
            lambda p, w: p.confirm_not_needed(who=_CUSTOMER_ACTOR, when=w), self.moment(*moment)
        )

    @rule(moment=_MOMENTS)
    def end_retention(self, moment: tuple[str, int]) -> None:
        """Try to record the end of the retention window."""
        self.attempt(
            lambda p, w: p.end_retention(who=_PROVIDER_ACTOR, when=w), self.moment(*moment)
        )

    @rule(moment=_MOMENTS)
    def release(self, moment: tuple[str, int]) -> None:
        """Try to release every holding through `release_resources` (carried out by carry_out)."""
        held, records = self.allocations, dict(self.records)
        outcome: list[Any] = []

        def step(procedure: ExitProcedure, when: dt.datetime) -> ExitProcedure:
            done = release_resources(
                procedure,
                self.agreement,
                self.pools,
                held,
                records,
                who=_PROVIDER_ACTOR,
                when=when,
            )
            outcome.append(done)
            return done.procedure

        if self.attempt(step, self.moment(*moment)):
            done = outcome[0]
            neighbours = [a for a in held if a.customer != _CUSTOMER]
            assert [a for a in done.allocations if a.customer != _CUSTOMER] == neighbours  # noqa: S101
            self.allocations, self.records = done.allocations, dict(done.records)
        else:
            assert self.allocations is held  # noqa: S101 - nothing released when refused
            assert self.records == records  # noqa: S101

    @rule(remaining=st.integers(1, 3), moment=_MOMENTS)
    def claim_a_release_with_holdings_left(self, remaining: int, moment: tuple[str, int]) -> None:
        """Try to record a release that leaves something held: always refused."""
        applied = self.attempt(
            lambda p, w: p.record_release(remaining=remaining, who=_PROVIDER_ACTOR, when=w),
            self.moment(*moment),
        )
        assert not applied  # noqa: S101

    @rule(category=data_categories(), method=_METHODS, moment=_MOMENTS)
    def delete(self, category: DataCategory, method: str | None, moment: tuple[str, int]) -> None:
        """Try to delete a category of the customer's data."""
        self.attempt(
            lambda p, w: p.delete(category, method, who=_PROVIDER_ACTOR, when=w),
            self.moment(*moment),
        )

    @rule(
        category=data_categories(),
        basis=st.sampled_from(("", " ", "Tax law: booking records are kept for ten years")),
        review_in=st.integers(-2, 400),
        moment=_MOMENTS,
    )
    def hold(
        self, category: DataCategory, basis: str, review_in: int, moment: tuple[str, int]
    ) -> None:
        """Try to keep a category under a legal hold (with an empty basis or a past review too)."""
        when = self.moment(*moment)
        review = when.astimezone(timezone(self.plan.timezone)).date() + review_in * _DAY
        self.attempt(
            lambda p, w: p.hold(
                category, basis=basis, review_on=review, who=_PROVIDER_ACTOR, when=w
            ),
            when,
        )

    @rule(empty=st.booleans(), moment=_MOMENTS)
    def update_records(self, empty: bool, moment: tuple[str, int]) -> None:
        """Try to record the updated records (sometimes naming none of one kind)."""
        financial: list[str] = [] if empty else ["invoice-globex-final"]
        self.attempt(
            lambda p, w: p.update_records(
                configuration=["ci-globex-env"],
                capacity=["capacity-plan-2026"],
                financial=financial,
                who=_PROVIDER_ACTOR,
                when=w,
            ),
            self.moment(*moment),
        )

    @rule(moment=_MOMENTS)
    def issue_confirmation(self, moment: tuple[str, int]) -> None:
        """Try to issue the written confirmation; when issued, it must confirm the procedure."""
        issued: list[ExitConfirmation] = []

        def step(procedure: ExitProcedure, when: dt.datetime) -> ExitProcedure:
            closed, confirmation = procedure.issue_confirmation(who=_PROVIDER_ACTOR, when=when)
            issued.append(confirmation)
            return closed

        if self.attempt(step, self.moment(*moment)):
            assert issued[0].problems(self.procedure) == []  # noqa: S101
            assert issued[0] == ExitConfirmation.of(self.procedure)  # noqa: S101

    @rule(steps=st.integers(1, 10), data=st.data())
    def proceed(self, steps: int, data: st.DataObject) -> None:
        """Take up to ``steps`` steps the procedure allows, each with right data at a right time.

        Drawing every step blindly seldom gets far into an exit; this rule walks on,
        and each step it takes must be applied (an allowed step is never refused).
        """
        for _ in range(steps):
            move = self.next_step(data)
            if move is None:
                return
            step, when = move
            self.attempt(step, when, allowed=True)

    def next_step(  # noqa: PLR0911 - one step per state
        self, data: st.DataObject
    ) -> tuple[Callable[[ExitProcedure, dt.datetime], ExitProcedure], dt.datetime] | None:
        """A step the procedure allows now, and when: ``None`` once it is closed or withdrawn."""
        plan, state = self.plan, self.procedure.state
        later = add_exact(self.clock, dt.timedelta(seconds=data.draw(st.integers(0, 86_400))))
        if state == "notice_period":
            return self._withdrawal_or_effect(data, later)
        if state == "retrieval":
            if later < plan.retrieval_ends and data.draw(st.booleans()):
                chosen = data.draw(st.sampled_from(plan.export_formats))
                return (
                    lambda p, w: p.record_retrieval(chosen, who=_CUSTOMER_ACTOR, when=w),
                    max(later, plan.effective_at),
                )
            if data.draw(st.booleans()):
                return (
                    lambda p, w: p.confirm_not_needed(who=_CUSTOMER_ACTOR, when=w),
                    max(later, plan.effective_at),
                )
            return (
                lambda p, w: p.end_retention(who=_PROVIDER_ACTOR, when=w),
                max(later, plan.retention_ends),
            )
        if state == "releasing":
            return self._release_step(), later
        if state == "deleting":
            return self._decision(data, later)
        if state == "records_updated":
            return (
                lambda p, w: p.issue_confirmation(who=_PROVIDER_ACTOR, when=w)[0],
                later,
            )
        return None

    def _withdrawal_or_effect(
        self, data: st.DataObject, later: dt.datetime
    ) -> tuple[Callable[[ExitProcedure, dt.datetime], ExitProcedure], dt.datetime]:
        """Withdraw (three times in four, where the terms allow it) or take effect in time."""
        plan = self.plan
        room = _seconds(self.clock, plan.effective_at) - 1
        if plan.withdrawable and room >= 0 and data.draw(st.integers(0, 3)):
            party = plan.initiated_by.value
            when = add_exact(self.clock, dt.timedelta(seconds=data.draw(st.integers(0, room))))
            return (lambda p, w: p.withdraw(by=party, who=_actor(party), when=w), when)
        # Before the retrieval window ends, so that the walk can record a retrieval.
        when = min(max(later, plan.effective_at), add_exact(plan.retrieval_ends, -_SECOND))
        return (lambda p, w: p.take_effect(who=_PROVIDER_ACTOR, when=w), when)

    def _release_step(self) -> Callable[[ExitProcedure, dt.datetime], ExitProcedure]:
        def step(procedure: ExitProcedure, when: dt.datetime) -> ExitProcedure:
            done = release_resources(
                procedure,
                self.agreement,
                self.pools,
                self.allocations,
                self.records,
                who=_PROVIDER_ACTOR,
                when=when,
            )
            self.allocations, self.records = done.allocations, dict(done.records)
            return done.procedure

        return step

    def _decision(
        self, data: st.DataObject, later: dt.datetime
    ) -> tuple[Callable[[ExitProcedure, dt.datetime], ExitProcedure], dt.datetime]:
        """Delete or hold an undecided category; update the records once none is left."""
        open_ = self.procedure.undecided
        if not open_:
            return (
                lambda p, w: p.update_records(
                    configuration=["ci-globex-env"],
                    capacity=["capacity-plan-2026"],
                    financial=["invoice-globex-final"],
                    who=_PROVIDER_ACTOR,
                    when=w,
                ),
                later,
            )
        category = data.draw(st.sampled_from(open_))
        if category is DataCategory.BACKUPS and (
            self.plan.backup_retention is BackupRetention.UNTIL_RETENTION_ENDS
        ):
            later = max(later, self.plan.retention_ends)
        if data.draw(st.integers(0, 3)) == 0:
            review = later.astimezone(timezone(self.plan.timezone)).date() + 365 * _DAY
            return (
                lambda p, w: p.hold(
                    category,
                    basis="Tax law: booking records are kept for ten years",
                    review_on=review,
                    who=_PROVIDER_ACTOR,
                    when=w,
                ),
                later,
            )
        method = data.draw(_METHODS)
        return (lambda p, w: p.delete(category, method, who=_PROVIDER_ACTOR, when=w), later)

    # ------------------------------------------------------------------ invariants
    def _entries(self, *events: str) -> list[tuple[int, Any]]:
        return [
            (index, entry)
            for index, entry in enumerate(self.procedure.lifecycle.entries)
            if entry.event in events
        ]

    @invariant()
    def nothing_deleted_before_confirmation_or_retention_end(self) -> None:
        """Every deletion comes after the customer's confirmation or the retention window's end."""
        released = self._entries("confirm_not_needed", "end_retention")
        for index, entry in self._entries("delete"):
            assert released, entry  # noqa: S101
            assert released[0][0] < index  # noqa: S101
        for _, entry in self._entries("end_retention"):
            assert entry.when.astimezone(dt.UTC) >= self.plan.retention_ends.astimezone(dt.UTC)  # noqa: S101
        if self.procedure.state in {
            "opened",
            "notice_period",
            "withdrawn",
            "retrieval",
            "releasing",
        }:
            assert not self.procedure.decisions  # noqa: S101

    @invariant()
    def backup_lives_until_then(self) -> None:
        """The backup is kept until confirmation or retention end; to the end under its terms."""
        deleted = [
            entry
            for _, entry in self._entries("delete")
            if entry.data["category"] == DataCategory.BACKUPS.value
        ]
        assert self.procedure.backup_kept == (not deleted)  # noqa: S101
        if deleted and self.plan.backup_retention is BackupRetention.UNTIL_RETENTION_ENDS:
            when = deleted[0].when.astimezone(dt.UTC)
            assert when >= self.plan.retention_ends.astimezone(dt.UTC)  # noqa: S101
        if not self.procedure.data_released:
            assert self.procedure.backup_kept  # noqa: S101

    @invariant()
    def confirmation_only_when_everything_is_done(self) -> None:
        """Confirmed only with every category decided, the resources released, records updated."""
        issued = self._entries("issue_confirmation")
        if not issued:
            assert not self.procedure.is_closed  # noqa: S101
            return
        index = issued[0][0]
        decided = {e.data["category"] for i, e in self._entries("delete", "hold") if i < index}
        assert decided == {c.value for c in DataCategory}  # noqa: S101
        assert any(i < index for i, _ in self._entries("release_resources"))  # noqa: S101
        assert any(i < index for i, _ in self._entries("update_records"))  # noqa: S101
        assert self.procedure.undecided == ()  # noqa: S101

    @invariant()
    def nothing_held_nor_charged_after_the_release(self) -> None:
        """Once released (and so once closed), globex holds nothing and no cost accrues."""
        released = self._entries("release_resources")
        if not released:
            return
        when = released[0][1].when
        mine = [a for a in self.allocations if a.customer == _CUSTOMER]
        assert all(a.until is not None and a.until <= when for a in mine)  # noqa: S101
        head = released[0][1].hash
        if self._priced == head:
            return
        month = Period(when, add_exact(when, 31 * _DAY))
        profile = CostProfile.build(self.agreement, self.allocations, [], month, rates=_RATES)
        assert profile.total == Money.zero("EUR")  # noqa: S101
        self._priced = head

    @invariant()
    def trail_verifies_and_replays(self) -> None:
        """The chain holds; the procedure replays through the guards and survives JSON."""
        instance = self.procedure.lifecycle
        assert verify(instance) is None  # noqa: S101
        resumed = EXIT_LIFECYCLE.resume(
            instance.history(), id=instance.id, context=instance.context
        )
        assert resumed == instance  # noqa: S101
        assert from_json(ExitProcedure, to_json(self.procedure)) == self.procedure  # noqa: S101

    @invariant()
    def time_never_runs_backwards(self) -> None:
        """Entries are in time order, by their UTC instants."""
        times = [e.when.astimezone(dt.UTC) for e in self.procedure.lifecycle.entries]
        assert times == sorted(times)  # noqa: S101
