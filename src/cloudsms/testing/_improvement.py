"""Strategies and a state machine for the improvement register of S12 (`cloudsms.improvement`).

Every strategy draws valid values only. An improvement holds an
`IMPROVEMENT_LIFECYCLE` instance bound to its id with a real history that reaches
the state drawn (assessments scoring every criterion of the policy, an impact the
policy agrees with, a link that a major impact allows), none before it was raised;
its scores are its latest assessment's. `ImprovementMachine` drives a register
through every step, allowed or not, and checks the rules S12 must never break.
`register` makes each type drawable with ``st.from_type``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from cloudsms.errors import InvalidTransition, ValidationError
from cloudsms.improvement import (
    CLOSED_STATES,
    IMPROVEMENT_LIFECYCLE,
    IMPROVEMENT_STATES,
    Criterion,
    Impact,
    Improvement,
    ImprovementArea,
    ImprovementRegister,
    OpportunitySource,
    PrioritisationPolicy,
    default_policy,
)
from cloudsms.improvement.improvement import latest_entry
from cloudsms.lifecycle import advance, verify
from cloudsms.operations import Change, ChangeKind
from cloudsms.periods import add_exact
from cloudsms.services import (
    SERVICE_LIFECYCLE,
    CloudService,
    ComponentKind,
    DeploymentModel,
    ServiceCategory,
    ServiceComponent,
    ServiceGraph,
)
from cloudsms.testing._strategies import _IDS, _NAMES, actor_ids, aware_datetimes

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from cloudsms.lifecycle import LifecycleInstance

__all__ = [
    "IMPROVEMENT_STATES",
    "ImprovementMachine",
    "criteria",
    "impacts",
    "improvement_registers",
    "improvements",
    "prioritisation_policies",
    "register",
]

_FIRST = dt.datetime(1950, 1, 1)  # noqa: DTZ001 - hypothesis takes naive bounds
_LAST = dt.datetime(2050, 1, 1)  # noqa: DTZ001
# Mostly familiar keys (cheap to draw), now and then any key the model reads.
_KEYS = st.one_of(
    st.sampled_from(("value", "cost", "risk", "effort", "reach", "urgency", "fit", "tenants")),
    st.from_regex(r"[a-z][a-z0-9_]{0,63}", fullmatch=True),
)
_SERVICE_IDS = st.integers(0, 30).map(lambda n: f"service-{n}")
_CUSTOMER_IDS = st.integers(0, 60).map(lambda n: f"customer-{n}")
_IMPROVEMENT_IDS = st.integers(0, 10**6).map(lambda n: f"imp-{n}") | _IDS
_REFS = st.integers(0, 999).map(lambda n: f"ref-{n}")
_OWNERS = st.sampled_from(("actor:sms-owner", "crm-owner", "process-owner.9"))
_TEXTS = st.sampled_from(("Cheaper elsewhere", "No longer needed", "Done as planned", "x"))
_WEIGHTS = st.one_of(
    st.integers(1, 10).map(Decimal),
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal(100), places=2).filter(
        lambda d: d > 0
    ),
)

# The path from the initial state to each state; withdrawal comes after a prefix of one.
_PATHS: Mapping[str, tuple[str, ...]] = {
    "identified": (),
    "assessed": ("assess",),
    "approved": ("assess", "approve"),
    "rejected": ("assess", "reject"),
    "planned": ("assess", "approve", "plan"),
    "in_progress": ("assess", "approve", "plan", "start"),
    "implemented": ("assess", "approve", "plan", "start", "complete"),
    "reviewed": ("assess", "approve", "plan", "start", "complete", "review"),
}
_WITHDRAWABLE = ("identified", "assessed", "approved", "planned", "in_progress")


def criteria(*, keys: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[Criterion]:
    """Criteria with a lower-case key (from ``keys`` if given), a title and a positive weight."""
    return st.builds(
        lambda key, title, weight: Criterion(key=key, title=title, weight=weight),
        _KEYS if keys is None else keys,
        _NAMES,
        _WEIGHTS,
    )


def prioritisation_policies(
    *, min_criteria: int = 1, max_criteria: int = 5
) -> st.SearchStrategy[PrioritisationPolicy]:
    """Policies of ``min_criteria`` to ``max_criteria`` criteria, keys distinct, any thresholds."""
    return st.builds(
        lambda chosen, services, customers: PrioritisationPolicy(
            criteria=chosen, major_impact_services=services, major_impact_customers=customers
        ),
        st.lists(
            criteria(), min_size=min_criteria, max_size=max_criteria, unique_by=lambda c: c.key
        ),
        st.integers(0, 5),
        st.integers(0, 10),
    )


def impacts(*, policy: PrioritisationPolicy | None = None) -> st.SearchStrategy[Impact]:
    """Impacts on up to 4 services and 6 customers; ``major`` as ``policy`` judges, if given."""

    def build(services: list[str], customers: list[str], major: bool) -> Impact:
        if policy is not None:
            major = policy.is_major(services=len(services), customers=len(customers))
        return Impact(services=tuple(services), customers=tuple(customers), major=major)

    return st.builds(
        build,
        st.lists(_SERVICE_IDS, max_size=4, unique=True),
        st.lists(_CUSTOMER_IDS, max_size=6, unique=True),
        st.booleans(),
    )


def _payload(
    draw: st.DrawFn, event: str, policy: PrioritisationPolicy, instance: LifecycleInstance
) -> dict[str, Any]:
    """Data ``event`` accepts: scores and impact, a reason, a link, measured results."""
    if event == "assess":
        scores = {key: draw(st.integers(0, 5)) for key in policy.keys}
        return {
            "scores": scores,
            "impact": draw(impacts(policy=policy)).to_data(),
            "thresholds": {
                "services": policy.major_impact_services,
                "customers": policy.major_impact_customers,
            },
        }
    if event in {"reject", "withdraw"}:
        return {"reason": draw(_TEXTS | _NAMES)}
    if event == "plan":
        assessed = latest_entry(instance, "assess")
        major = assessed is not None and assessed.data["impact"]["major"]
        route = "design" if major else draw(st.sampled_from(("change", "design")))
        return {route: draw(_REFS)}
    if event == "review":
        return {"results": draw(_TEXTS | _NAMES), "benefit_realised": draw(st.booleans())}
    return {}


def _events_to(draw: st.DrawFn, state: str) -> tuple[str, ...]:
    """The events that lead to ``state``, now and then with a repeated assessment."""
    if state == "withdrawn":
        return (*_PATHS[draw(st.sampled_from(_WITHDRAWABLE))], "withdraw")
    path = _PATHS[state]
    if path and draw(st.integers(0, 3)) == 0:
        return ("assess", *path)
    return path


def improvements(
    *,
    policy: PrioritisationPolicy | None = None,
    states: Sequence[str] = IMPROVEMENT_STATES,
    services: Sequence[str] | None = None,
    ids: st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[Improvement]:
    """Improvements in one of ``states``, assessed (when they are) on ``policy``'s criteria.

    ``policy`` defaults to `cloudsms.improvement.default_policy`; ``services`` are
    the ids the improvements may touch (any ids when not given); ``ids`` draws the
    improvement ids. Each holds an `IMPROVEMENT_LIFECYCLE` instance with the real
    history that leads to its state: a few minutes to days between events, none
    before it was raised; its scores are the latest assessment's (or, before any,
    draft scores or none).
    """
    chosen = default_policy() if policy is None else policy
    wanted = tuple(states)
    pool = st.sampled_from(tuple(services)) if services else _SERVICE_IDS | _IDS
    touched = (
        st.just(())
        if services is not None and not services
        else st.lists(pool, max_size=3, unique=True)
    )

    @st.composite
    def build(draw: st.DrawFn) -> Improvement:
        improvement_id = draw(_IMPROVEMENT_IDS if ids is None else ids)
        raised = draw(aware_datetimes(min_value=_FIRST, max_value=_LAST))
        instance = IMPROVEMENT_LIFECYCLE.begin(id=improvement_id)
        when = raised
        for event in _events_to(draw, draw(st.sampled_from(wanted))):
            when = add_exact(when, dt.timedelta(minutes=draw(st.integers(0, 5000))))
            data = _payload(draw, event, chosen, instance)
            instance = instance.apply(event, who=draw(actor_ids()), when=when, data=data)
        assessed = latest_entry(instance, "assess")
        if assessed is not None:
            scores: dict[str, int] = assessed.data["scores"]
        elif draw(st.booleans()):
            scores = {key: draw(st.integers(0, 5)) for key in chosen.keys}
        else:
            scores = {}
        return Improvement(
            id=improvement_id,
            title=draw(_NAMES),
            description=draw(_NAMES),
            source=draw(st.sampled_from(OpportunitySource)),
            source_ref=draw(st.none() | _REFS),
            area=draw(st.sampled_from(ImprovementArea)),
            services=tuple(draw(touched)),
            scores=scores,
            owner=draw(_OWNERS),
            raised_at=raised,
            lifecycle=instance,
        )

    return build()


def improvement_registers(
    *,
    policy: PrioritisationPolicy | None = None,
    states: Sequence[str] = IMPROVEMENT_STATES,
    max_size: int = 6,
) -> st.SearchStrategy[ImprovementRegister]:
    """Registers of up to ``max_size`` improvements (ids distinct) in ``states``.

    The policy is ``policy`` when given, else drawn (`prioritisation_policies`) now
    and then and the shipped one otherwise; every assessed improvement is scored on
    its criteria.
    """

    @st.composite
    def build(draw: st.DrawFn) -> ImprovementRegister:
        chosen = policy
        if chosen is None:
            chosen = draw(st.just(default_policy()) | prioritisation_policies())
        items = draw(
            st.lists(
                improvements(policy=chosen, states=states),
                max_size=max_size,
                unique_by=lambda i: i.id,
            )
        )
        return ImprovementRegister(id=draw(_IDS), policy=chosen, improvements=items)

    return build()


def register() -> None:
    """Register a strategy for each type of `cloudsms.improvement` with ``st.from_type``."""
    st.register_type_strategy(Criterion, criteria())
    st.register_type_strategy(PrioritisationPolicy, prioritisation_policies())
    st.register_type_strategy(Impact, impacts())
    st.register_type_strategy(Improvement, improvements())
    st.register_type_strategy(ImprovementRegister, improvement_registers())


# ---------------------------------------------------------------------- the machine
_T0 = dt.datetime(2026, 10, 1, 9, tzinfo=dt.UTC)
_OWNER = "actor:sms-owner"


def _service(ident: str, *components: str, live: bool = False) -> CloudService:
    lifecycle = SERVICE_LIFECYCLE.begin(id=ident, origin="live" if live else None)
    return CloudService(
        id=ident,
        name=ident.upper(),
        category=ServiceCategory.SAAS,
        deployment_models={DeploymentModel.PUBLIC},
        owner="service-owner",
        components=components,
        lifecycle=lifecycle,
    )


# A shared database behind two services, a third on its own, a new one being designed.
_GRAPH = ServiceGraph(
    services=(_service("crm", "db"), _service("erp", "db"), _service("mail")),
    components=(ServiceComponent(id="db", name="Database", kind=ComponentKind.HARDWARE),),
)
_NODES = ("crm", "erp", "mail", "db")
_DESIGNS = (_service("crm-v2"), _service("crm", "db", live=True))
_OPEN_CHANGE = Change(
    id="chg-1",
    kind=ChangeKind.NORMAL,
    summary="Carry out an improvement",
    services={"crm"},
    requested_at=_T0,
)
_CHANGES = (_OPEN_CHANGE, advance(_OPEN_CHANGE, "reject", who=_OWNER, when=_T0))
_BOTH = {"change": "chg-9", "design": "crm-v3"}
_OFFSETS = st.integers(-3600, 7 * 86400)
_MOST = 4  # improvements in one run: few enough that each goes far along its lifecycle
_REASONS = st.sampled_from(("", " ", "A better option came up", "Out of budget this year"))


class ImprovementMachine(RuleBasedStateMachine):
    """A provider's improvement register, every step tried at any time, with S12's rules.

    ``initialize`` draws the policy (the shipped one or another). Rules raise
    improvements touching parts of a small service graph (a database shared by
    two services), assess them (with the impact the graph gives, or one the
    policy disagrees with, or scores that miss a criterion), approve or reject
    them, plan them through an open or a rejected change, through design work on a
    service in design or a live one, or with raw link data, start, complete,
    review and withdraw them, each at an instant drawn around the improvement's
    last event (earlier too). A refused step must raise `InvalidTransition` or
    `ValidationError` and leave the register as it was; an applied one must add
    exactly one entry to exactly one improvement's trail.

    State kept for subclasses: ``register`` (the latest), ``clocks`` (each
    improvement's latest instant), ``applied`` and ``refused`` (counts). Each
    invariant is a method of its own; add yours with ``@invariant()``.
    """

    def __init__(self) -> None:
        super().__init__()
        self.register: ImprovementRegister
        self.clocks: dict[str, dt.datetime] = {}
        self.applied = 0
        self.refused = 0

    @initialize(policy=st.just(default_policy()) | prioritisation_policies(max_criteria=3))
    def open_register(self, policy: PrioritisationPolicy) -> None:
        """Open an empty register under the drawn policy."""
        self.register = ImprovementRegister(id="improvements", policy=policy)

    # ------------------------------------------------------------------ helpers
    def pick(self, index: int) -> Improvement:
        """The improvement at ``index``, wrapping around."""
        return self.register.improvements[index % len(self.register)]

    def when(self, improvement: Improvement, seconds: int) -> dt.datetime:
        """``seconds`` from the improvement's latest instant (earlier, when negative)."""
        return add_exact(self.clocks[improvement.id], dt.timedelta(seconds=seconds))

    def attempt(
        self,
        improvement: Improvement,
        when: dt.datetime,
        step: Callable[[ImprovementRegister], ImprovementRegister],
    ) -> bool:
        """Try ``step``; check the outcome either way; whether it was applied."""
        before = self.register
        try:
            after = step(before)
        except (InvalidTransition, ValidationError):
            assert self.register is before  # noqa: S101 - a refused step changes nothing
            assert self.register.improvement(improvement.id) is improvement  # noqa: S101
            self.refused += 1
            return False
        changed = [
            (old, new)
            for old, new in zip(before.improvements, after.improvements, strict=True)
            if old != new
        ]
        assert [old.id for old, _ in changed] == [improvement.id]  # noqa: S101 - one of them
        old, new = changed[0]
        assert len(new.lifecycle.entries) == len(old.lifecycle.entries) + 1  # noqa: S101
        assert new.lifecycle.entries[-1].when == when  # noqa: S101
        self.register = after
        self.clocks[new.id] = when
        self.applied += 1
        return True

    # ------------------------------------------------------------------ rules
    @precondition(lambda self: len(self.register) < _MOST)
    @rule(
        area=st.sampled_from(ImprovementArea),
        source=st.sampled_from(OpportunitySource),
        touched=st.lists(st.sampled_from(_NODES), max_size=2, unique=True),
        offset=st.integers(0, 30 * 86400),
    )
    def raise_improvement(
        self,
        area: ImprovementArea,
        source: OpportunitySource,
        touched: list[str],
        offset: int,
    ) -> None:
        """Record a new opportunity."""
        ident = f"imp-{len(self.register) + 1}"
        raised = add_exact(_T0, dt.timedelta(seconds=offset))
        found = Improvement(
            id=ident,
            title=f"Opportunity {ident}",
            description="Found while checking the SMS.",
            source=source,
            area=area,
            services=tuple(touched),
            owner=_OWNER,
            raised_at=raised,
        )
        self.register = self.register.with_improvement(found)
        self.clocks[ident] = raised

    @precondition(lambda self: len(self.register) > 0)
    @rule(
        pick=st.integers(0, 20),
        score=st.integers(0, 5),
        how=st.sampled_from(("graph", "graph", "contrary", "partial")),
        offset=_OFFSETS,
    )
    def assess(self, pick: int, score: int, how: str, offset: int) -> None:
        """Try to assess one: on the graph's impact, or with a wrong verdict or missing scores."""
        found = self.pick(pick)
        impact = self.register.impact_of(found, _GRAPH)
        if how == "contrary":
            impact = attrs.evolve(impact, major=not impact.major)
        keys = self.register.policy.keys
        scores = {key: (score + index) % 6 for index, key in enumerate(keys)}
        if how == "partial":
            scores.pop(keys[-1])
        when = self.when(found, offset)
        applied = self.attempt(
            found,
            when,
            lambda r: r.assess(found.id, scores, impact, when=when, actor=_OWNER),
        )
        assert not applied or how == "graph"  # noqa: S101 - only a sound assessment

    @precondition(lambda self: len(self.register) > 0)
    @rule(
        pick=st.integers(0, 20),
        event=st.sampled_from(("approve", "reject", "start", "complete", "withdraw", "review")),
        reason=_REASONS,
        realised=st.sampled_from((True, False, "yes")),
        offset=_OFFSETS,
    )
    def move(self, pick: int, event: str, reason: str, realised: object, offset: int) -> None:
        """Try a step that needs at most a reason, or a review (results sometimes missing).

        A review's verdict is now and then not a boolean, and its results empty.
        """
        found = self.pick(pick)
        when = self.when(found, offset)
        data: dict[str, object] | None = None
        if event in {"reject", "withdraw"}:
            data = {"reason": reason}
        elif event == "review":
            data = {"results": reason, "benefit_realised": realised}
        self.attempt(
            found, when, lambda r: r.apply(found.id, event, when=when, actor=_OWNER, data=data)
        )

    @precondition(lambda self: len(self.register) > 0)
    @rule(
        pick=st.integers(0, 20),
        link=st.sampled_from(
            (*_CHANGES, *_DESIGNS, {}, {"change": "chg-9"}, {"design": "crm-v3"}, _BOTH)
        ),
        offset=_OFFSETS,
    )
    def plan(self, pick: int, link: Change | CloudService | dict[str, str], offset: int) -> None:
        """Try to plan one through a change, as design work, or with raw link data.

        The change is open or rejected; the service is in design or live; raw data
        names no link, one of each kind, or both.
        """
        found = self.pick(pick)
        when = self.when(found, offset)
        step: Callable[[ImprovementRegister], ImprovementRegister]
        if isinstance(link, Change):
            step = lambda r: r.link_change(found.id, link, when=when, actor=_OWNER)  # noqa: E731
            sound = link.state != "rejected"
        elif isinstance(link, CloudService):
            step = lambda r: r.link_design(found.id, link, when=when, actor=_OWNER)  # noqa: E731
            sound = link.lifecycle_state != "live"
        else:
            step = lambda r: r.apply(found.id, "plan", when=when, actor=_OWNER, data=link)  # noqa: E731
            sound = len(link) == 1
        applied = self.attempt(found, when, step)
        assert not applied or sound  # noqa: S101 - only a sound link is taken

    @precondition(lambda self: len(self.register) > 0)
    @rule(
        pick=st.integers(0, 20),
        count=st.integers(1, 4),
        choice=st.integers(0, 3),
        offset=st.integers(0, 86400),
    )
    def step_forward(self, pick: int, count: int, choice: int, offset: int) -> None:
        """Take up to ``count`` steps forward with sound data: each must be applied."""
        for _ in range(count):
            self.forward(self.pick(pick), choice, offset)

    def forward(self, found: Improvement, choice: int, offset: int) -> None:
        """Take one step forward (never a rejection or a withdrawal) with sound data."""
        events = [e for e in found.lifecycle.allowed_events() if e not in {"reject", "withdraw"}]
        if not events:
            return
        event = events[choice % len(events)]
        when = self.when(found, offset)
        impact = found.impact
        design = impact is not None and impact.major
        steps: dict[str, Callable[[ImprovementRegister], ImprovementRegister]] = {
            "assess": lambda r: r.assess(
                found.id,
                dict.fromkeys(r.policy.keys, choice),
                r.impact_of(found, _GRAPH),
                when=when,
                actor=_OWNER,
            ),
            "plan": (
                (lambda r: r.link_design(found.id, _DESIGNS[0], when=when, actor=_OWNER))
                if design or choice % 2
                else (lambda r: r.link_change(found.id, _OPEN_CHANGE, when=when, actor=_OWNER))
            ),
            "review": lambda r: r.apply(
                found.id,
                "review",
                when=when,
                actor=_OWNER,
                data={"results": "Measured after a month", "benefit_realised": choice > 1},
            ),
        }
        default = steps.get(event, lambda r: r.apply(found.id, event, when=when, actor=_OWNER))
        assert self.attempt(found, when, default)  # noqa: S101 - a sound step is taken

    # ------------------------------------------------------------------ invariants
    @invariant()
    def trail_verifies_and_replays(self) -> None:
        """Every improvement's trail verifies, and replays through the guards to its state."""
        for found in self.register:
            assert verify(found.lifecycle) is None  # noqa: S101
            replayed = IMPROVEMENT_LIFECYCLE.resume(
                found.lifecycle.entries, id=found.id, context=found.lifecycle.context
            )
            assert replayed.state == found.state  # noqa: S101

    @invariant()
    def time_never_runs_backwards(self) -> None:
        """No event precedes the one before it, nor the improvement's raising."""
        for found in self.register:
            instants = [found.raised_at] + [e.when for e in found.lifecycle.entries]
            utc = [instant.astimezone(dt.UTC) for instant in instants]
            assert utc == sorted(utc)  # noqa: S101

    @invariant()
    def planned_implies_linked(self) -> None:
        """From planned on, an improvement is linked to a change or to design work."""
        for found in self.register:
            if found.state in {"planned", "in_progress", "implemented", "reviewed"}:
                assert found.linked  # noqa: S101

    @invariant()
    def major_impact_goes_through_design(self) -> None:
        """An improvement whose assessment found a major impact is never linked to a change."""
        for found in self.register:
            impact = found.impact
            if impact is not None and impact.major:
                assert found.change_id is None  # noqa: S101

    @invariant()
    def ranking_excludes_closed(self) -> None:
        """The ranking holds exactly the open, assessed improvements, best first."""
        ranked = self.register.ranked()
        expected = {i.id for i in self.register if i.assessed and i.state not in CLOSED_STATES}
        assert {r.id for r in ranked} == expected  # noqa: S101
        assert [r.rank for r in ranked] == list(range(1, len(ranked) + 1))  # noqa: S101
        scores = [r.score for r in ranked]
        assert scores == sorted(scores, reverse=True)  # noqa: S101
        assert all(sum(c.share for c in r.contributions) == r.score for r in ranked)  # noqa: S101

    @invariant()
    def scores_are_the_latest_assessment(self) -> None:
        """An assessed improvement's scores are those its latest assessment recorded."""
        for found in self.register:
            entry = latest_entry(found.lifecycle, "assess")
            if entry is not None:
                assert dict(found.scores) == entry.data["scores"]  # noqa: S101
