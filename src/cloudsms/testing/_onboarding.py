"""Strategies and a state machine for onboarding (S08, `cloudsms.procedures.onboarding`).

For test authors whose code runs on an onboarding: `onboarding_plans`,
`verification_checks` and `onboarding_procedures` (driven through
`OnboardingProcedure`'s own methods into any reachable state, or the states asked
for) draw valid values only; `register` makes each type drawable with
``st.from_type``.

`OnboardingMachine` is a `RuleBasedStateMachine` over one customer's onboarding: its
rules try every step at any time, allowed or not, and its invariants are the rules
S08 must never break (ISO/IEC 20000-1:2011 4.3, 6.1, 6.5 and 9.2). Subclass it with
rules and invariants of your own; each built-in invariant is a named method.

The catalogues and agreements drawn here are built directly (drawing a catalogue
costs a tenth of a second): one provider, one customer, one or two subscribed
entries of a drawn category offered in a drawn deployment model, monthly charges per
user in EUR, in a zone from the ones that break naive code, and a register of
requirements of which some are traced to the agreement and one is not.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import TYPE_CHECKING, Any, Final

import attrs
from dateutil.relativedelta import relativedelta
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from cloudsms.agreements import (
    Activity,
    CloudServiceAgreement,
    Commitment,
    ExitTerms,
    Priority,
    PriorityScale,
    Responsibilities,
    Responsibility,
    ServiceLevelAgreement,
    ServiceTarget,
    Subscription,
    TerminatingParty,
    TerminationTerms,
    recurring_charges,
)
from cloudsms.catalogue import (
    Billing,
    BillingMethod,
    Catalogue,
    CatalogueEntry,
    Offering,
    OfferingKind,
)
from cloudsms.errors import InvalidTransition, ValidationError
from cloudsms.levels import Bound, ServiceLevel
from cloudsms.lifecycle import advance, verify
from cloudsms.money import Money, Price
from cloudsms.operations.changes import Change, ChangeKind, ChangeOutcome
from cloudsms.periods import SupportHours, add_exact, timezone
from cloudsms.procedures.onboarding import (
    ONBOARDING_LIFECYCLE,
    OnboardingActivity,
    OnboardingActivityKind,
    OnboardingPlan,
    OnboardingProcedure,
    OnboardingTemplate,
    TemplateActivity,
    VerificationCheck,
    VerificationResult,
    allocate_resources,
    onboarding_templates,
    plan_onboarding,
)
from cloudsms.requirements import QualityCharacteristic, RequirementRegister, ServiceRequirement
from cloudsms.resources import PoolCapacity, ResourcePool, ResourceRequest, ResourceRequestKind
from cloudsms.serialization import from_json, to_json
from cloudsms.services import (
    SERVICE_LIFECYCLE,
    CloudService,
    DeploymentModel,
    ServiceCategory,
    ServiceGraph,
)
from cloudsms.testing._strategies import TIME_ZONES
from cloudsms.units import quantity

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from cloudsms.configuration import ConfigurationRecord
    from cloudsms.resources import Allocation

__all__ = [
    "ONBOARDING_STATES",
    "OnboardingMachine",
    "onboarding_plans",
    "onboarding_procedures",
    "register",
    "verification_checks",
]

ONBOARDING_STATES: tuple[str, ...] = ("in_progress", "delivered", "cancelled")
"""The states an `OnboardingProcedure` can be in: `OnboardingProcedure.initiate` begins work."""

_CUSTOMER = "globex"
_AGREEMENT = "csa-onboard-1"
_OPS = "actor:nimbus-ops"
_CUSTOMER_ACTOR = "actor:globex-it"
_FIRST_DAY = dt.date(2000, 1, 1)
_LAST_DAY = dt.date(2040, 12, 31)
_STRATEGY = "the onboarding procedure strategy"
_EVIDENCE = st.sampled_from(
    (
        "ran the acceptance test suite",
        "watched a user sign in with single sign-on",
        "restored a backup into the test tenant",
        "the export opened in a CSV reader",
    )
)
_POOL = ResourcePool(
    id="fra-1",
    name="Frankfurt 1",
    location="eu-central",
    capacities=[PoolCapacity(resource_type="vcpu", capacity=quantity("512 vcpu"))],
)


_UPTIME = ServiceLevel(measure="availability", bound=Bound.AT_LEAST, target=quantity("99.9 %"))


# ---------------------------------------------------------------------- scenarios
@attrs.frozen
class _Scenario:
    """A catalogue, an agreement from it, a register and an onboarding start."""

    catalogue: Catalogue
    agreement: CloudServiceAgreement
    requirements: RequirementRegister | None
    model: DeploymentModel
    start: dt.datetime


def _catalogue(
    categories: Sequence[ServiceCategory], models: frozenset[DeploymentModel]
) -> Catalogue:
    """One entry per category (``svc-0-entry`` of service ``svc-0``...), offered in ``models``."""
    entries, services = [], []
    for index, category in enumerate(categories):
        service = f"svc-{index}"
        services.append(
            CloudService(
                id=service,
                name=f"Service {index}",
                category=category,
                deployment_models=models,
                owner="Service owner",
                lifecycle=SERVICE_LIFECYCLE.begin(id=service, origin="live"),
            )
        )
        entries.append(
            CatalogueEntry(
                id=f"{service}-entry",
                name=f"Service {index}",
                service=service,
                category=category,
                deployment_models=models,
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
                        levels=(_UPTIME,),
                        price=Price(Money("10", "EUR"), "user", per="month"),
                    ),
                ),
            )
        )
    return Catalogue(entries=entries, graph=ServiceGraph(services=services))


_HOLDERS: Final = (
    frozenset({"provider"}),
    frozenset({"customer"}),
    frozenset({"provider", "customer"}),
    frozenset({"partner-co"}),
)
"""Who may hold an agreement activity: so a plan's owners come from the agreement or not."""


def _agreement(
    shop: Catalogue,
    zone: str,
    start: dt.datetime,
    holders: Mapping[Activity, frozenset[str]] | None = None,
) -> CloudServiceAgreement:
    """Globex's agreement for 20 users of every entry of ``shop``, from ``start``.

    ``holders`` gives who holds each activity (default: the provider, every one).
    """
    held = holders or {}
    subscriptions = [
        Subscription(
            entry_id=entry.id,
            offering_id="standard",
            service_id=entry.service,
            commitments=(Commitment(item_id="standard", quantity=quantity("20 user")),),
        )
        for entry in shop.entries
    ]
    return CloudServiceAgreement(
        id=_AGREEMENT,
        provider="Nimbus Cloud",
        customer_id=_CUSTOMER,
        effective_from=start,
        subscriptions=subscriptions,
        slas=[
            ServiceLevelAgreement(
                id="sla",
                service_ids={s.service_id for s in subscriptions},
                targets=[ServiceTarget(id="uptime", level=_UPTIME)],
            )
        ],
        recurring_charges=recurring_charges(shop, subscriptions),
        responsibilities=Responsibilities(
            assignments=[
                Responsibility(activity=a, holders=held.get(a, {"provider"})) for a in Activity
            ]
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
        termination=TerminationTerms(
            terminable_by=TerminatingParty.CUSTOMER, notice_period=relativedelta(months=1)
        ),
        exit=ExitTerms(
            retrieval_window=relativedelta(days=30),
            export_formats=("CSV",),
            retention_window=relativedelta(days=90),
        ),
    )


def _register(shop: Catalogue, count: int) -> RequirementRegister:
    """``count`` requirements met by the entries and services in turn, and one met elsewhere."""
    targets = [t for e in shop.entries for t in (e.id, e.service, f"{e.id}:standard")]
    requirements = [
        ServiceRequirement(
            id=f"REQ-{index + 1}",
            statement=f"Requirement {index + 1} holds",
            quality=QualityCharacteristic.RESILIENCE,
            acceptance_criteria=("a test shows it",),
            satisfied_by=(targets[index % len(targets)],),
        )
        for index in range(count)
    ]
    requirements.append(
        ServiceRequirement(
            id="REQ-ELSEWHERE",
            statement="Another customer's service holds",
            quality=QualityCharacteristic.RESILIENCE,
            acceptance_criteria=("a test shows it",),
            satisfied_by=("erp",),
        )
    )
    return RequirementRegister(requirements=requirements)


@st.composite
def _scenarios(draw: st.DrawFn) -> _Scenario:
    zone = draw(st.sampled_from(TIME_ZONES))
    day = draw(st.dates(min_value=_FIRST_DAY, max_value=_LAST_DAY))
    start = dt.datetime(day.year, day.month, day.day, 9, tzinfo=timezone(zone))
    categories = draw(
        st.lists(st.sampled_from(tuple(ServiceCategory)), min_size=1, max_size=2, unique=True)
    )
    model = draw(st.sampled_from(tuple(DeploymentModel)))
    shop = _catalogue(categories, frozenset({model}))
    count: int | None = draw(st.integers(-1, 3))  # no register one time in five
    if count == -1:
        count = None
    holders = {a: draw(st.sampled_from(_HOLDERS)) for a in Activity}
    return _Scenario(
        catalogue=shop,
        agreement=_agreement(shop, zone, start, holders),
        requirements=None if count is None else _register(shop, count),
        model=model,
        start=start + dt.timedelta(days=draw(st.integers(0, 60))),
    )


def onboarding_plans() -> st.SearchStrategy[OnboardingPlan]:
    """Plans from `plan_onboarding` on drawn agreements: any model, category, zone and start."""
    return _scenarios().map(
        lambda s: plan_onboarding(
            s.agreement, s.catalogue, start=s.start, requirements=s.requirements
        )
    )


def verification_checks(
    *, requirement_ids: Sequence[str] | None = None
) -> st.SearchStrategy[VerificationCheck]:
    """Checks of one of ``requirement_ids`` (drawn ids by default), passed or failed."""
    ids = (
        st.from_regex(r"REQ-[0-9]{1,4}", fullmatch=True)
        if requirement_ids is None
        else st.sampled_from(tuple(requirement_ids))
    )
    return st.builds(
        lambda rid, result, evidence: VerificationCheck(
            requirement_id=rid, result=result, evidence=evidence
        ),
        ids,
        st.sampled_from(tuple(VerificationResult)),
        _EVIDENCE,
    )


# ---------------------------------------------------------------------- driving a procedure
def _ready(procedure: OnboardingProcedure) -> list[OnboardingActivity]:
    """The pending activities whose prerequisites are complete."""
    done = set(procedure.completed)
    return [
        a
        for a in procedure.plan.activities
        if a.key not in done and all(p in done for p in a.prerequisites)
    ]


def _standard_change(cid: str, when: dt.datetime) -> Change:
    """A standard change implemented, reviewed and closed successfully at ``when``."""
    change = Change(
        id=cid,
        kind=ChangeKind.STANDARD,
        summary="Connect the service to the customer's systems",
        services={"svc-0"},
        requested_at=when,
    )
    change = advance(change, "implement", who=_OPS, when=when)
    change = advance(change, "review", who=_OPS, when=when)
    change = attrs.evolve(change, outcome=ChangeOutcome.SUCCESSFUL)
    return advance(change, "close", who=_OPS, when=when, data={"outcome": "successful"})


def _request(procedure: OnboardingProcedure, when: dt.datetime, amount: int) -> ResourceRequest:
    plan = procedure.plan
    return ResourceRequest(
        id=f"{procedure.id[:40]}.alloc{len(procedure.lifecycle.entries)}",
        kind=ResourceRequestKind.ALLOCATE,
        customer=plan.customer_id,
        agreement=plan.agreement_id,
        service=plan.services[0],
        resource_type="vcpu",
        quantity=quantity(f"{amount} vcpu"),
        resource_id="vm-1",
        requested_at=when,
        requested_by=_OPS,
    )


def _step(
    procedure: OnboardingProcedure,
    activity: OnboardingActivity,
    agreement: CloudServiceAgreement,
    when: dt.datetime,
) -> tuple[OnboardingProcedure, tuple[Allocation, ...] | None]:
    """``activity`` completed at ``when`` the way its kind is completed."""
    if activity.kind is OnboardingActivityKind.RESOURCE_ALLOCATION:
        done = allocate_resources(
            procedure,
            agreement,
            _POOL,
            (),
            {},
            [_request(procedure, when, 4)],
            who=_OPS,
            when=when,
        )
        return done.procedure, done.allocations
    if activity.kind is OnboardingActivityKind.INTEGRATION:
        change = _standard_change(f"chg-{activity.key}", when)
        return procedure.complete_integration([change], who=_OPS, when=when), None
    return procedure.complete(activity.key, who=_OPS, when=when), None


def _pass_all(
    procedure: OnboardingProcedure, when: dt.datetime, evidence: str
) -> OnboardingProcedure:
    for rid in procedure.plan.requirement_ids:
        if rid not in procedure.checks or rid in procedure.failing:
            check = VerificationCheck(
                requirement_id=rid, result=VerificationResult.PASSED, evidence=evidence
            )
            procedure = procedure.verify(check, who=_OPS, when=when)
    return procedure


def _walk(
    draw: st.DrawFn, procedure: OnboardingProcedure, agreement: CloudServiceAgreement, target: str
) -> OnboardingProcedure:
    """``procedure`` moved through its own methods to ``target``, at drawn later instants."""
    when = procedure.lifecycle.entries[-1].when
    steps = (
        len(procedure.plan.activities)
        if target == "delivered"
        else draw(st.integers(0, len(procedure.plan.activities)))
    )
    for _ in range(steps):
        when = add_exact(when, dt.timedelta(seconds=draw(st.integers(0, 3 * 86_400))))
        ready = _ready(procedure)
        if not ready:
            break
        activity = draw(st.sampled_from(ready))
        if activity.kind is OnboardingActivityKind.VERIFICATION:
            if draw(st.booleans()) and procedure.plan.requirement_ids:
                check = draw(verification_checks(requirement_ids=procedure.plan.requirement_ids))
                procedure = procedure.verify(check, who=_OPS, when=when)
            procedure = _pass_all(procedure, when, draw(_EVIDENCE))
        procedure, _ = _step(procedure, activity, agreement, when)
    if target == "delivered":
        return procedure.deliver(who=_OPS, when=when)
    if target == "cancelled":
        return procedure.cancel("the customer walked away", who=_CUSTOMER_ACTOR, when=when)
    return procedure


def onboarding_procedures(
    *, states: Sequence[str] | None = None
) -> st.SearchStrategy[OnboardingProcedure]:
    """Procedures in one of ``states`` (any reachable one by default), moved there step by step.

    Each starts with `OnboardingProcedure.initiate` on a drawn scenario and is then
    driven only through its own methods and `allocate_resources` — no history is
    made up — so its trail verifies and replays: activities completed in an order
    their prerequisites allow, checks recorded (a failing one, then a passing
    re-check) before the verification, and delivery or cancellation as the state
    drawn needs.

    Raises:
        ValidationError: ``states`` is one text rather than a sequence of them, is
            empty, or holds a state that is not one of `ONBOARDING_STATES` (at
            ``$.states``).
    """
    expected = f"a sequence of states an onboarding can be in ({', '.join(ONBOARDING_STATES)})"
    if isinstance(states, str):
        raise ValidationError.single(
            "$.states",
            expected,
            f"the text {states!r} (write ({states!r},) for one state)",
            subject=_STRATEGY,
        )
    chosen = ONBOARDING_STATES if states is None else tuple(states)
    unknown = [s for s in chosen if s not in ONBOARDING_STATES]
    if unknown or not chosen:
        raise ValidationError.single(
            "$.states", expected, ", ".join(map(repr, unknown)) or "none", subject=_STRATEGY
        )

    @st.composite
    def build(draw: st.DrawFn) -> OnboardingProcedure:
        target = draw(st.sampled_from(chosen))
        scenario = draw(_scenarios())
        procedure = OnboardingProcedure.initiate(
            scenario.agreement,
            scenario.catalogue,
            start=scenario.start,
            requirements=scenario.requirements,
            who=_OPS,
        )
        return _walk(draw, procedure, scenario.agreement, target)

    return build()


def _template_activities() -> st.SearchStrategy[TemplateActivity]:
    return st.sampled_from(tuple(onboarding_templates().values())).flatmap(
        lambda t: st.sampled_from(t.activities)
    )


def register() -> None:
    """Register a strategy for each record type of onboarding with ``st.from_type``."""
    pairs: list[tuple[type, Callable[[], st.SearchStrategy[Any]]]] = [
        (OnboardingTemplate, lambda: st.sampled_from(tuple(onboarding_templates().values()))),
        (TemplateActivity, _template_activities),
        (OnboardingPlan, onboarding_plans),
        (
            OnboardingActivity,
            lambda: onboarding_plans().flatmap(lambda p: st.sampled_from(p.activities)),
        ),
        (VerificationCheck, verification_checks),
        (OnboardingProcedure, onboarding_procedures),
    ]
    for kind, factory in pairs:
        st.register_type_strategy(kind, _lazily(factory))


def _lazily(
    factory: Callable[[], st.SearchStrategy[Any]],
) -> Callable[[type], st.SearchStrategy[Any]]:
    return lambda _: factory()


# ---------------------------------------------------------------------- the state machine
_GAPS = st.one_of(st.just(0), st.integers(1, 6 * 3600), st.integers(-3600, -1))
"""Seconds from the last entry at which a step is tried: earlier ones must be refused."""


class OnboardingMachine(RuleBasedStateMachine):
    """One customer's onboarding, every step tried at any time, with the rules S08 must keep.

    ``initialize`` draws a scenario (catalogue, agreement, requirements, start) and
    initiates the procedure. Each rule then tries one step — completing any
    activity (ready or not), the allocation through `allocate_resources`, the
    integration with a standard change, a check of a traced (or untraced)
    requirement passed or failed, delivery, cancellation — at an instant drawn
    around the last entry, earlier too. A step that is refused must raise
    `InvalidTransition` or `ValidationError` and change nothing; one that is applied
    must add exactly one entry.

    State kept for subclasses: ``agreement``, ``procedure`` (the latest), ``plan``,
    ``allocations`` and ``refused`` (how many steps were). Each invariant is a
    method of its own; add yours with ``@invariant()``.
    """

    def __init__(self) -> None:
        super().__init__()
        self.agreement: CloudServiceAgreement
        self.procedure: OnboardingProcedure
        self.plan: OnboardingPlan
        self.allocations: tuple[Allocation, ...] = ()
        self.records: dict[str, ConfigurationRecord] = {}
        self.refused = 0

    @initialize(scenario=_scenarios())
    def begin(self, scenario: _Scenario) -> None:
        """Initiate the onboarding on the drawn scenario."""
        self.agreement = scenario.agreement
        self.procedure = OnboardingProcedure.initiate(
            scenario.agreement,
            scenario.catalogue,
            start=scenario.start,
            requirements=scenario.requirements,
            who=_OPS,
        )
        self.plan = self.procedure.plan

    def when(self, gap: int) -> dt.datetime:
        """``gap`` seconds from the last entry."""
        return add_exact(self.procedure.lifecycle.entries[-1].when, dt.timedelta(seconds=gap))

    def attempt(self, step: Callable[[], OnboardingProcedure]) -> None:
        """Apply ``step``; a refusal must change nothing, a success add exactly one entry."""
        before = self.procedure
        try:
            after = step()
        except (InvalidTransition, ValidationError):
            self.refused += 1
            assert self.procedure is before  # noqa: S101
            return
        assert len(after.lifecycle.entries) == len(before.lifecycle.entries) + 1  # noqa: S101
        self.procedure = after

    @rule(pick=st.integers(0, 40), gap=_GAPS)
    def complete(self, pick: int, gap: int) -> None:
        """Complete any activity of the plan, ready or not, the way its kind is completed."""
        activity = self.plan.activities[pick % len(self.plan.activities)]
        when = self.when(gap)

        def step() -> OnboardingProcedure:
            moved, held = _step(self.procedure, activity, self.agreement, when)
            if held is not None:
                self.allocations = held
            return moved

        self.attempt(step)

    @rule(pick=st.integers(0, 40), result=st.sampled_from(tuple(VerificationResult)), gap=_GAPS)
    def check(self, pick: int, result: VerificationResult, gap: int) -> None:
        """Record a check of a traced requirement, or of one not traced (refused)."""
        traced = (*self.plan.requirement_ids, "REQ-ELSEWHERE")
        rid = traced[pick % len(traced)]
        check = VerificationCheck(requirement_id=rid, result=result, evidence="ran the test")
        self.attempt(lambda: self.procedure.verify(check, who=_OPS, when=self.when(gap)))

    @rule(gap=_GAPS)
    def deliver(self, gap: int) -> None:
        """Try to pass the gate."""
        self.attempt(lambda: self.procedure.deliver(who=_OPS, when=self.when(gap)))

    @precondition(lambda self: not self.procedure.lifecycle.is_final)
    @rule(steps=st.integers(1, 20), data=st.data())
    def proceed(self, steps: int, data: st.DataObject) -> None:
        """Take up to ``steps`` allowed steps in a valid order, passing every check on the way."""
        for _ in range(steps):
            if self.procedure.lifecycle.is_final:
                return
            when = self.when(data.draw(st.integers(0, 86_400)))
            ready = _ready(self.procedure)
            if not ready:
                self.attempt(functools.partial(self.procedure.deliver, who=_OPS, when=when))
                continue
            activity = data.draw(st.sampled_from(ready))
            if activity.kind is OnboardingActivityKind.VERIFICATION:
                self.procedure = _pass_all(self.procedure, when, "ran the acceptance tests")
            moved, held = _step(self.procedure, activity, self.agreement, when)
            if held is not None:
                self.allocations = held
            self.procedure = moved

    @rule(chance=st.integers(0, 7), gap=_GAPS)
    def cancel(self, chance: int, gap: int) -> None:
        """Cancel, one time in eight it is drawn (so most runs go on); refused once final."""
        if chance:
            return
        self.attempt(
            lambda: self.procedure.cancel(
                "the customer walked away", who=_CUSTOMER_ACTOR, when=self.when(gap)
            )
        )

    # ------------------------------------------------------------------ invariants
    @invariant()
    def no_activity_before_its_prerequisites(self) -> None:
        """Each activity completed after every one of its prerequisites, each once."""
        seen: set[str] = set()
        by_key = {a.key: a for a in self.plan.activities}
        for entry in self.procedure.lifecycle.entries:
            if entry.event == "complete":
                key = entry.data["activity"]
                assert key not in seen  # noqa: S101
                assert all(p in seen for p in by_key[key].prerequisites)  # noqa: S101
                seen.add(key)

    @invariant()
    def delivered_only_through_the_gate(self) -> None:
        """Delivered only with every activity complete and every traced check last passed."""
        if not self.procedure.is_delivered:
            return
        assert self.procedure.pending == ()  # noqa: S101
        latest: dict[str, str] = {}
        for entry in self.procedure.lifecycle.entries:
            if entry.event == "verify":
                latest[entry.data["requirement"]] = entry.data["result"]
        assert all(latest.get(r) == "passed" for r in self.plan.requirement_ids)  # noqa: S101

    @invariant()
    def allocation_is_held(self) -> None:
        """Once the resource allocation is complete, the customer holds what it recorded."""
        for entry in self.procedure.lifecycle.entries:
            if entry.event == "complete" and "holdings" in entry.data:
                mine = [a for a in self.allocations if a.customer == self.plan.customer_id]
                assert len(mine) == entry.data["holdings"]  # noqa: S101

    @invariant()
    def trail_verifies_and_replays(self) -> None:
        """The chain holds; the procedure replays through the guards and survives JSON."""
        instance = self.procedure.lifecycle
        assert verify(instance) is None  # noqa: S101
        resumed = ONBOARDING_LIFECYCLE.resume(
            instance.history(), id=instance.id, context=instance.context
        )
        assert resumed == instance  # noqa: S101
        assert from_json(OnboardingProcedure, to_json(self.procedure)) == self.procedure  # noqa: S101

    @invariant()
    def time_never_runs_backwards(self) -> None:
        """Entries are in time order, by their UTC instants."""
        times = [e.when.astimezone(dt.UTC) for e in self.procedure.lifecycle.entries]
        assert times == sorted(times)  # noqa: S101
