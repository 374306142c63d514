"""Strategies and a state machine for the transfer of a service (S14: `procedures.transfer`).

Designed by cloudsms; the TR's guidance for S14 is not in our source, so the rules
checked here are the ones `cloudsms.procedures.transfer` chose. For test authors
whose code runs on a transfer: `data_exports`, `transition_plans` and
`transfer_procedures` (driven through `TransferProcedure`'s own methods into any
reachable state, or the states asked for) draw valid values only; `register` makes
each type drawable with ``st.from_type``.

`TransferMachine` is a `RuleBasedStateMachine` over one customer's transfer: its
rules try every step at any time, allowed or not, with checksums that sometimes
differ, and its invariants are the rules the transfer must never break. Subclass
it with rules and invariants of your own; each built-in invariant is a named
method, so a subclass keeps it, or overrides it on purpose.

The agreements drawn here are those of the exit procedure's strategies (one
provider, one customer, two subscribed services), with drawn exit terms (so drawn
export formats), in a zone from the ones that break naive code, and with no end,
so the customer may give notice whenever the receiver has accepted.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from cloudsms.errors import InvalidTransition, ValidationError
from cloudsms.lifecycle import verify
from cloudsms.periods import add_exact, timezone
from cloudsms.procedures.termination import DataCategory, ExitProcedure
from cloudsms.procedures.transfer import (
    TRANSFER_LIFECYCLE,
    DataExport,
    ReceiverKind,
    Rejection,
    TransferProcedure,
    TransferScope,
    TransitionPlan,
    export_checksum,
)
from cloudsms.serialization import from_json, to_json
from cloudsms.testing._agreements_terms import exit_terms
from cloudsms.testing._strategies import TIME_ZONES, aware_datetimes
from cloudsms.testing._termination import _agreement

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from cloudsms.agreements import CloudServiceAgreement

__all__ = [
    "TRANSFER_STATES",
    "TransferMachine",
    "data_exports",
    "register",
    "transfer_procedures",
    "transition_plans",
]

TRANSFER_STATES: tuple[str, ...] = tuple(s for s in TRANSFER_LIFECYCLE.states if s != "opened")
"""The states a `TransferProcedure` can be in: `TransferProcedure.initiate` begins the export."""

_CUSTOMER_ACTOR = "actor:globex-it"
_SOURCE_ACTOR = "actor:nimbus-ops"
_RECEIVER_ACTOR = "actor:stratus-intake"
_FIRST_DAY = dt.date(2000, 1, 1)
_LAST_DAY = dt.date(2040, 12, 31)
_HOUR = dt.timedelta(hours=1)
_SECOND = dt.timedelta(seconds=1)
_STRATEGY = "the transfer procedure strategy"
_FORMATS = st.sampled_from(("CSV", "JSON", "Parquet", "SQL dump", "OVA image"))
_LOCATIONS = st.sampled_from(
    (
        "s3://globex-export/2026/",
        "sftp://transfer.nimbus.example/globex/",
        "courier: sealed disk 7",
    )
)
_ROLLBACKS = st.sampled_from(
    (
        "Point DNS back to the source, still running beside the receiver",
        "Restore the load balancer's old pool and replay the queue from the source",
    )
)
_RECEIVERS = st.sampled_from(
    (("Stratus Cloud", ReceiverKind.PROVIDER), ("Globex IT", ReceiverKind.IN_HOUSE))
)
_PAYLOADS = st.binary(max_size=48)
_MOSTLY = st.sampled_from((True, True, False))
"""Yes two times in three, and yes first: hypothesis draws small integers and False more often."""


def _checksums() -> st.SearchStrategy[str]:
    return _PAYLOADS.map(export_checksum)


def data_exports(
    *,
    categories: Sequence[DataCategory] | None = None,
    formats: Sequence[str] | None = None,
) -> st.SearchStrategy[DataExport]:
    """Exports of a category (one of ``categories``) in a format (one of ``formats``).

    The checksum is the SHA-256 of drawn bytes and the size a drawn count; the
    instant is aware, in a zone from the ones that break naive code.
    """
    chosen = st.sampled_from(tuple(DataCategory) if categories is None else tuple(categories))
    kinds = _FORMATS if formats is None else st.sampled_from(tuple(formats))
    instants = aware_datetimes(
        min_value=dt.datetime(2000, 1, 1),  # noqa: DTZ001 - hypothesis takes naive bounds
        max_value=dt.datetime(2040, 12, 31),  # noqa: DTZ001
    )
    return st.builds(
        lambda category, kind, checksum, size, where, at: DataExport(
            category=category, format=kind, sha256=checksum, size=size, location=where, at=at
        ),
        chosen,
        kinds,
        _checksums(),
        st.integers(0, 2**40),
        _LOCATIONS,
        instants,
    )


@st.composite
def _plan_after(
    draw: st.DrawFn, after: dt.datetime, *, parallel: bool | None = None
) -> TransitionPlan:
    """A plan whose window opens at or after ``after``: hours long, maybe with a parallel run."""
    start = add_exact(after, dt.timedelta(seconds=draw(st.integers(0, 10 * 86_400))))
    length = draw(st.integers(1, 72 * 3600))
    end = add_exact(start, dt.timedelta(seconds=length))
    runs = draw(_MOSTLY) if parallel is None else parallel
    until = add_exact(start, dt.timedelta(seconds=draw(st.integers(1, length)))) if runs else None
    return TransitionPlan(
        cut_over_start=start, cut_over_end=end, parallel_run_until=until, rollback=draw(_ROLLBACKS)
    )


@st.composite
def transition_plans(draw: st.DrawFn) -> TransitionPlan:
    """Plans with a window of a second to three days, with or without a parallel run in it."""
    zone = timezone(draw(st.sampled_from(TIME_ZONES)))
    day = draw(st.dates(min_value=_FIRST_DAY, max_value=_LAST_DAY))
    after = dt.datetime(day.year, day.month, day.day, 12, tzinfo=zone)
    return draw(_plan_after(after))


# ---------------------------------------------------------------------- procedures
@st.composite
def _opening(draw: st.DrawFn) -> tuple[CloudServiceAgreement, dt.datetime]:
    """An agreement without an end on drawn exit terms, and an instant while it runs."""
    zone = draw(st.sampled_from(TIME_ZONES))
    day = draw(st.dates(min_value=_FIRST_DAY, max_value=_LAST_DAY))
    start = dt.datetime(day.year, day.month, day.day, 9, tzinfo=timezone(zone))
    agreement = _agreement(zone=zone, start=start, exit=draw(exit_terms()))
    opened = add_exact(start, dt.timedelta(seconds=draw(st.integers(0, 3 * 365 * 86_400))))
    return agreement, opened


def _categories() -> st.SearchStrategy[tuple[DataCategory, ...]]:
    """All six categories most of the time, else a drawn subset."""
    return st.one_of(
        st.just(tuple(DataCategory)),
        st.lists(st.sampled_from(tuple(DataCategory)), min_size=1, max_size=6, unique=True).map(
            tuple
        ),
    )


def _utc(instant: dt.datetime) -> dt.datetime:
    """``instant`` in UTC, where comparing and subtracting follow the absolute timeline.

    Two datetimes of one zone compare and subtract by their wall clocks, which is
    wrong across a clock change; in UTC they cannot go wrong.
    """
    return instant.astimezone(dt.UTC)


def _seconds(first: dt.datetime, then: dt.datetime) -> int:
    """Whole seconds from ``first`` to ``then`` on the absolute timeline."""
    return int((_utc(then) - _utc(first)).total_seconds())


def _later(draw: st.DrawFn, after: dt.datetime, *, most: int = 2 * 86_400) -> dt.datetime:
    """An instant from ``after`` up to ``most`` seconds later (``after`` itself now and then)."""
    seconds = draw(st.one_of(st.just(0), st.integers(0, most)))
    return add_exact(after, dt.timedelta(seconds=seconds))


def _export_all(
    draw: st.DrawFn, procedure: TransferProcedure, clock: dt.datetime, *, some: bool = False
) -> tuple[TransferProcedure, dt.datetime]:
    """Every category still pending exported (or a drawn part of them, with ``some``)."""
    pending = procedure.pending
    count = draw(st.integers(0, len(pending))) if some else len(pending)
    for category in pending[:count]:
        clock = _later(draw, clock)
        made = DataExport(
            category=category,
            format=draw(st.sampled_from(procedure.scope.export_formats)),
            sha256=draw(_checksums()),
            size=draw(st.integers(0, 2**30)),
            location=draw(_LOCATIONS),
            at=clock,
        )
        procedure = procedure.record_export(made, who=_SOURCE_ACTOR)
    return procedure, clock


def _receivers_sums(procedure: TransferProcedure) -> dict[DataCategory, str]:
    return {category: export.sha256 for category, export in procedure.exports.items()}


def _walk(  # noqa: C901, PLR0911 - one branch per stage of the transfer
    draw: st.DrawFn, procedure: TransferProcedure, target: str, agreement: CloudServiceAgreement
) -> TransferProcedure:
    """``procedure`` moved by its own methods until it reaches ``target``."""
    clock = _utc(procedure.scope.opened_at)
    if target == "cancelled":
        stop = draw(st.sampled_from(("exporting", "exported", "planned", "cut_over", "accepted")))
        procedure = _walk(draw, procedure, stop, agreement)
        clock = _later(draw, _utc(procedure.lifecycle.entries[-1].when))
        return procedure.cancel(
            "the customer stays with the source", who=_CUSTOMER_ACTOR, when=clock
        )
    procedure, clock = _export_all(draw, procedure, clock, some=target == "exporting")
    if target == "exporting":
        return procedure
    rounds = draw(st.integers(0, 1)) if target in {"accepted", "exit_started"} else 0
    for round_ in range(rounds + 1):
        clock = _later(draw, clock)
        procedure = procedure.finish_export(who=_SOURCE_ACTOR, when=clock)
        if target == "exported":
            return procedure
        clock = _later(draw, clock)
        plan = draw(_plan_after(clock, parallel=True if target == "parallel_run" else None))
        procedure = procedure.plan_transition(plan, who=_SOURCE_ACTOR, when=clock)
        if target == "planned":
            return procedure
        until = plan.parallel_run_until
        closes = _utc(add_exact(plan.cut_over_end, -_SECOND))  # the window's last second
        if until is not None and (target == "parallel_run" or draw(st.booleans())):
            room = _seconds(clock, until) - 1  # the plan opens its window at or after clock
            clock = add_exact(clock, dt.timedelta(seconds=draw(st.integers(0, room))))
            procedure = procedure.start_parallel_run(who=_SOURCE_ACTOR, when=clock)
            if target == "parallel_run":
                return procedure
            closes = min(closes, _utc(until))  # the cut-over comes while both still run
        opens = max(clock, _utc(plan.cut_over_start))
        room = _seconds(opens, closes)
        clock = add_exact(opens, dt.timedelta(seconds=draw(st.integers(0, room))))
        procedure = procedure.cut_over(who=_SOURCE_ACTOR, when=clock)
        if target == "cut_over":
            return procedure
        clock = _later(draw, clock)
        if round_ < rounds:
            moved = procedure.scope.categories
            sent_back = draw(st.lists(st.sampled_from(moved), min_size=1, unique=True))
            procedure = procedure.reject(
                "the receiver's checksum differs", sent_back, who=_RECEIVER_ACTOR, when=clock
            )
            procedure, clock = _export_all(draw, procedure, clock)
    procedure = procedure.accept(_receivers_sums(procedure), who=_RECEIVER_ACTOR, when=clock)
    if target == "accepted":
        return procedure
    notice = _later(draw, add_exact(clock, _HOUR))
    moved_on, _ = procedure.start_exit(agreement, notice=notice, who=_CUSTOMER_ACTOR)
    return moved_on


def transfer_procedures(
    *, states: Sequence[str] | None = None
) -> st.SearchStrategy[TransferProcedure]:
    """Procedures in one of ``states`` (any reachable one by default), moved there step by step.

    Each starts with `TransferProcedure.initiate` on a drawn agreement, receiver and
    categories and is then driven only through its own methods — no history is made
    up — so its trail verifies and replays. On the way to ``accepted`` or
    ``exit_started`` the receiver rejects the first cut-over now and then, and the
    categories it names are exported again.

    Raises:
        ValidationError: ``states`` is one text rather than a sequence of them
            (``states="accepted"`` is refused: write ``states=("accepted",)``), is
            empty, or holds a state that is not one of `TRANSFER_STATES` (at
            ``$.states``).
    """
    expected = f"a sequence of states a transfer can be in ({', '.join(TRANSFER_STATES)})"
    if isinstance(states, str):
        raise ValidationError.single(
            "$.states",
            expected,
            f"the text {states!r} (write ({states!r},) for one state)",
            subject=_STRATEGY,
        )
    chosen = TRANSFER_STATES if states is None else tuple(states)
    unknown = [s for s in chosen if s not in TRANSFER_STATES]
    if unknown or not chosen:
        raise ValidationError.single(
            "$.states", expected, ", ".join(map(repr, unknown)) or "none", subject=_STRATEGY
        )

    @st.composite
    def build(draw: st.DrawFn) -> TransferProcedure:
        target = draw(st.sampled_from(chosen))
        agreement, opened = draw(_opening())
        receiver, kind = draw(_RECEIVERS)
        procedure = TransferProcedure.initiate(
            agreement,
            receiver=receiver,
            receiver_kind=kind,
            categories=draw(_categories()),
            who=_CUSTOMER_ACTOR,
            when=opened,
        )
        return _walk(draw, procedure, target, agreement)

    return build()


def _rejections() -> st.SearchStrategy[Rejection]:
    return st.builds(
        lambda reason, categories, at: Rejection(reason=reason, categories=categories, at=at),
        st.sampled_from(("checksum differs", "unreadable archive")),
        _categories(),
        aware_datetimes(
            min_value=dt.datetime(2000, 1, 1),  # noqa: DTZ001 - hypothesis takes naive bounds
            max_value=dt.datetime(2040, 12, 31),  # noqa: DTZ001
        ),
    )


def register() -> None:
    """Register a strategy for each record type of the transfer with ``st.from_type``."""
    pairs: list[tuple[type, Callable[[], st.SearchStrategy[Any]]]] = [
        (DataExport, data_exports),
        (TransitionPlan, transition_plans),
        (Rejection, _rejections),
        (TransferProcedure, transfer_procedures),
        (TransferScope, lambda: transfer_procedures().map(lambda p: p.scope)),
    ]
    for kind, factory in pairs:
        st.register_type_strategy(kind, _lazily(factory))


def _lazily(
    factory: Callable[[], st.SearchStrategy[Any]],
) -> Callable[[type], st.SearchStrategy[Any]]:
    return lambda _: factory()


# ---------------------------------------------------------------------- the state machine
_ANCHORS = ("clock", "window_start", "window_end", "parallel_until")
_MOMENTS = st.tuples(
    st.sampled_from(_ANCHORS),
    st.one_of(
        st.just(0),
        st.integers(-2 * 86_400, 2 * 86_400),
        st.integers(0, 3 * 86_400),
        st.sampled_from((-1, 1)),
    ),
)
"""Where an event is tried: an anchor (the last event, or a date of the plan) and seconds."""


def _entries_of(procedure: TransferProcedure, *events: str) -> list[tuple[int, Any]]:
    return [
        (index, entry)
        for index, entry in enumerate(procedure.lifecycle.entries)
        if entry.event in events
    ]


class TransferMachine(RuleBasedStateMachine):
    """One customer's transfer, every step tried at any time, with the rules it must never break.

    ``initialize`` draws an agreement (exit terms, zone) without an end, a receiver and
    the categories to move, and opens the transfer. Each rule then tries one step
    through `TransferProcedure`'s methods at an instant drawn around the last event
    or the plan's dates — earlier than the last event too — with data that is
    sometimes wrong: a format nobody agreed, a receiver's checksum that differs, a
    rejection of a category the transfer does not move. A step that is refused must
    raise `InvalidTransition` or `ValidationError` and leave the procedure as it
    was; one that is applied must add exactly one entry to the trail. ``start_exit``
    is tried in every state: an exit it returns is kept in ``exits``.

    State kept for subclasses: ``agreement``, ``procedure`` (the latest), ``scope``
    (taken at the opening), ``clock`` (the last entry's instant), ``exits`` (every
    `ExitProcedure` a step returned) and ``refused`` (how many steps were). Each
    invariant is a method of its own; add yours with ``@invariant()``. To extend a
    built-in one, override it under ``@invariant()`` again and call ``super()``.
    """

    def __init__(self) -> None:
        super().__init__()
        self.agreement: CloudServiceAgreement
        self.procedure: TransferProcedure
        self.scope: TransferScope
        self.clock: dt.datetime
        self.exits: list[ExitProcedure] = []
        self.refused = 0
        self._checked: str | None = None

    # ------------------------------------------------------------------ set-up
    @initialize(opening=_opening(), receiver=_RECEIVERS, categories=_categories())
    def open_transfer(
        self,
        opening: tuple[CloudServiceAgreement, dt.datetime],
        receiver: tuple[str, ReceiverKind],
        categories: tuple[DataCategory, ...],
    ) -> None:
        """Open the transfer on the drawn agreement, to the drawn receiver."""
        self.agreement, opened = opening
        self.procedure = TransferProcedure.initiate(
            self.agreement,
            receiver=receiver[0],
            receiver_kind=receiver[1],
            categories=categories,
            who=_CUSTOMER_ACTOR,
            when=opened,
        )
        self.scope = self.procedure.scope
        self.clock = _utc(self.scope.opened_at)

    # ------------------------------------------------------------------ helpers
    def moment(self, anchor: str, seconds: int) -> dt.datetime:
        """The instant ``seconds`` from ``anchor``: the clock, or a date of the plan in force."""
        plan = self.procedure.plan
        base = self.clock
        if plan is not None and anchor == "window_start":
            base = plan.cut_over_start
        elif plan is not None and anchor == "window_end":
            base = plan.cut_over_end
        elif plan is not None and anchor == "parallel_until" and plan.parallel_run_until:
            base = plan.parallel_run_until
        return add_exact(base, dt.timedelta(seconds=seconds))

    def attempt(
        self,
        step: Callable[[TransferProcedure, dt.datetime], TransferProcedure],
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
        assert after.scope == self.scope  # noqa: S101 - the scope at the opening, always
        self.procedure, self.clock = after, _utc(after.lifecycle.entries[-1].when)
        return True

    def _export(
        self, category: DataCategory, kind: str, payload: bytes, at: dt.datetime
    ) -> DataExport:
        return DataExport(
            category=category,
            format=kind,
            sha256=export_checksum(payload),
            size=len(payload),
            location="s3://globex-export/",
            at=at,
        )

    # ------------------------------------------------------------------ rules
    @rule(
        category=st.sampled_from(tuple(DataCategory)),
        pick=st.integers(0, 4),
        payload=_PAYLOADS,
        moment=_MOMENTS,
    )
    def record_export(
        self, category: DataCategory, pick: int, payload: bytes, moment: tuple[str, int]
    ) -> None:
        """Try to export a category (maybe out of scope) in an agreed format or another."""
        formats = (*self.scope.export_formats, "a format nobody agreed")
        made = self._export(category, formats[pick % len(formats)], payload, self.moment(*moment))
        self.attempt(lambda p, _: p.record_export(made, who=_SOURCE_ACTOR), made.at)

    @rule(moment=_MOMENTS)
    def finish_export(self, moment: tuple[str, int]) -> None:
        """Try to close the export."""
        self.attempt(lambda p, w: p.finish_export(who=_SOURCE_ACTOR, when=w), self.moment(*moment))

    @rule(
        opens_in=st.integers(-3600, 5 * 86_400),
        length=st.integers(1, 2 * 86_400),
        parallel=st.none() | st.floats(0, 1),
        moment=_MOMENTS,
    )
    def plan(
        self, opens_in: int, length: int, parallel: float | None, moment: tuple[str, int]
    ) -> None:
        """Try to record a plan whose window opens a drawn time after (or before) the step."""
        when = self.moment(*moment)
        start = add_exact(when, dt.timedelta(seconds=opens_in))
        end = add_exact(start, dt.timedelta(seconds=length))
        until = (
            None
            if parallel is None
            else add_exact(start, dt.timedelta(seconds=int(parallel * length)))
        )
        made = TransitionPlan(
            cut_over_start=start,
            cut_over_end=end,
            parallel_run_until=until,
            rollback="Point DNS back to the source",
        )
        self.attempt(lambda p, w: p.plan_transition(made, who=_SOURCE_ACTOR, when=w), when)

    @rule(moment=_MOMENTS)
    def start_parallel_run(self, moment: tuple[str, int]) -> None:
        """Try to start the parallel run."""
        self.attempt(
            lambda p, w: p.start_parallel_run(who=_SOURCE_ACTOR, when=w), self.moment(*moment)
        )

    @rule(moment=_MOMENTS)
    def cut_over(self, moment: tuple[str, int]) -> None:
        """Try to cut over."""
        self.attempt(lambda p, w: p.cut_over(who=_SOURCE_ACTOR, when=w), self.moment(*moment))

    @rule(
        differ=st.none() | st.sampled_from(tuple(DataCategory)),
        payload=_PAYLOADS,
        moment=_MOMENTS,
    )
    def accept(self, differ: DataCategory | None, payload: bytes, moment: tuple[str, int]) -> None:
        """Try to accept with the exports' checksums, or with one the receiver got otherwise."""
        sums = {c.value: e.sha256 for c, e in self.procedure.exports.items()}
        if differ is not None:
            sums[differ.value] = export_checksum(payload)
        mismatch = any(
            sums.get(c.value) != e.sha256 for c, e in self.procedure.exports.items()
        ) or set(sums) != {c.value for c in self.scope.categories}
        applied = self.attempt(
            lambda p, w: p.accept(sums, who=_RECEIVER_ACTOR, when=w), self.moment(*moment)
        )
        assert not (applied and mismatch)  # noqa: S101 - a differing checksum is never accepted

    @rule(
        categories=st.lists(
            st.sampled_from(tuple(DataCategory)), min_size=1, max_size=3, unique=True
        ),
        moment=_MOMENTS,
    )
    def reject(self, categories: list[DataCategory], moment: tuple[str, int]) -> None:
        """Try to reject the cut-over, sending categories (maybe out of scope) back."""
        self.attempt(
            lambda p, w: p.reject("checksum differs", categories, who=_RECEIVER_ACTOR, when=w),
            self.moment(*moment),
        )

    @rule(seconds=st.integers(-86_400, 30 * 86_400))
    def start_exit(self, seconds: int) -> None:
        """Try to start the source's exit, a drawn time from the last step: kept when begun."""
        notice = add_exact(self.clock, dt.timedelta(seconds=seconds))
        begun: list[ExitProcedure] = []

        def step(procedure: TransferProcedure, _: dt.datetime) -> TransferProcedure:
            moved, leaving = procedure.start_exit(
                self.agreement, notice=notice, who=_CUSTOMER_ACTOR
            )
            begun.append(leaving)
            return moved

        if self.attempt(step, notice):
            self.exits.extend(begun)

    @rule(why=st.integers(0, 15), moment=_MOMENTS)
    def cancel(self, why: int, moment: tuple[str, int]) -> None:
        """Try to call the transfer off: with a reason one time in 16, else without (refused).

        A cancellation is final, so it is rare: the runs must get to the exit too.
        """
        reason = "the customer stays" if why == 0 else " "
        self.attempt(
            lambda p, w: p.cancel(reason, who=_CUSTOMER_ACTOR, when=w), self.moment(*moment)
        )

    @rule(steps=st.integers(1, 20), data=st.data())
    def proceed(self, steps: int, data: st.DataObject) -> None:
        """Take up to ``steps`` steps the procedure allows, each with right data at a right time.

        Drawing every step blindly seldom gets far; this rule walks on, and each step
        it takes must be applied (an allowed step is never refused).
        """
        for _ in range(steps):
            move = self.next_step(data)
            if move is None:
                return
            step, when = move
            self.attempt(step, when, allowed=True)

    def next_step(  # noqa: PLR0911 - one step per state
        self, data: st.DataObject
    ) -> tuple[Callable[[TransferProcedure, dt.datetime], TransferProcedure], dt.datetime] | None:
        """A step the procedure allows now, and when: ``None`` once it has ended."""
        state, procedure = self.procedure.state, self.procedure
        later = add_exact(self.clock, dt.timedelta(seconds=data.draw(st.integers(0, 86_400))))
        if state == "exporting":
            if procedure.pending:
                category = data.draw(st.sampled_from(procedure.pending))
                kind = data.draw(st.sampled_from(self.scope.export_formats))
                made = self._export(category, kind, data.draw(_PAYLOADS), later)
                return (lambda p, _: p.record_export(made, who=_SOURCE_ACTOR), later)
            return (lambda p, w: p.finish_export(who=_SOURCE_ACTOR, when=w), later)
        if state in {"exported", "planned"} and procedure.plan is None:
            made_plan = data.draw(_plan_after(later))
            return (lambda p, w: p.plan_transition(made_plan, who=_SOURCE_ACTOR, when=w), later)
        plan = procedure.plan
        if state in {"planned", "parallel_run"} and plan is not None:
            return self._window_step(data, later, plan)
        if state == "cut_over":
            if not data.draw(_MOSTLY):
                back = data.draw(
                    st.lists(st.sampled_from(self.scope.categories), min_size=1, unique=True)
                )
                return (
                    lambda p, w: p.reject("checksum differs", back, who=_RECEIVER_ACTOR, when=w),
                    later,
                )
            sums = {c: e.sha256 for c, e in procedure.exports.items()}
            return (lambda p, w: p.accept(sums, who=_RECEIVER_ACTOR, when=w), later)
        if state == "accepted":
            exits = self.exits

            def leave(p: TransferProcedure, w: dt.datetime) -> TransferProcedure:
                moved, leaving = p.start_exit(self.agreement, notice=w, who=_CUSTOMER_ACTOR)
                exits.append(leaving)
                return moved

            return (leave, later)
        return None

    def _window_step(
        self, data: st.DataObject, later: dt.datetime, plan: TransitionPlan
    ) -> tuple[Callable[[TransferProcedure, dt.datetime], TransferProcedure], dt.datetime]:
        """In ``planned`` or ``parallel_run``: start the parallel run, cut over, or replan."""
        state = self.procedure.state
        until = plan.parallel_run_until
        if state == "planned" and until is not None and later < _utc(until) and data.draw(_MOSTLY):
            return (lambda p, w: p.start_parallel_run(who=_SOURCE_ACTOR, when=w), later)
        last = _utc(add_exact(plan.cut_over_end, -_SECOND))
        if state == "parallel_run" and until is not None:
            last = min(last, _utc(until))  # the cut-over comes while both sides still run
        when = min(max(later, _utc(plan.cut_over_start)), last)
        if when >= self.clock:
            return (lambda p, w: p.cut_over(who=_SOURCE_ACTOR, when=w), when)
        # The window has passed: plan again, or call the transfer off.
        if state == "planned":
            made = data.draw(_plan_after(later))
            return (lambda p, w: p.plan_transition(made, who=_SOURCE_ACTOR, when=w), later)
        return (lambda p, w: p.cancel("window missed", who=_CUSTOMER_ACTOR, when=w), later)

    # ------------------------------------------------------------------ invariants
    @invariant()
    def no_exit_before_acceptance(self) -> None:
        """An exit exists only once the receiver has accepted: none begins, nothing is deleted."""
        started = _entries_of(self.procedure, "start_exit")
        accepted = _entries_of(self.procedure, "accept")
        assert len(self.exits) == len(started) <= 1  # noqa: S101
        if not started:
            assert self.procedure.exit_id is None  # noqa: S101
            return
        assert accepted  # noqa: S101
        assert accepted[0][0] < started[0][0]  # noqa: S101
        leaving = self.exits[0]
        assert self.procedure.exit_id == leaving.id  # noqa: S101
        assert leaving.state == "notice_period"  # noqa: S101 - nothing deleted yet
        notice = leaving.plan.notice_at.astimezone(dt.UTC)
        assert notice >= accepted[0][1].when.astimezone(dt.UTC)  # noqa: S101

    @invariant()
    def accepted_exports_match_checksums(self) -> None:
        """Every acceptance carries, for each category moved, the checksum of its export."""
        standing: dict[str, str] = {}
        for entry in self.procedure.lifecycle.entries:
            data = entry.data
            if entry.event == "record_export":
                standing[data["category"]] = data["sha256"]
            elif entry.event == "reject":
                for category in data["categories"]:
                    standing.pop(category, None)
            elif entry.event == "accept":
                assert dict(data["checksums"]) == standing  # noqa: S101
                assert set(standing) == {c.value for c in self.scope.categories}  # noqa: S101

    @invariant()
    def rejection_returns_to_exporting(self) -> None:
        """A rejection leads back to exporting, and what it names stands no more until exported."""
        entries = list(self.procedure.lifecycle.entries)
        for index, entry in _entries_of(self.procedure, "reject"):
            assert entry.target == "exporting"  # noqa: S101
            named = set(entry.data["categories"])
            exported_again = {
                e.data["category"] for e in entries[index + 1 :] if e.event == "record_export"
            }
            for category in named - exported_again:
                assert DataCategory(category) in self.procedure.pending  # noqa: S101
                assert DataCategory(category) not in self.procedure.exports  # noqa: S101
        if self.procedure.rejections and self.procedure.state == "exporting":
            assert self.procedure.plan is None  # noqa: S101 - the plan is void after a rejection

    @invariant()
    def cut_over_while_the_parallel_run_lasts(self) -> None:
        """A cut-over after `start_parallel_run` comes no later than the run's planned end."""
        until: str | None = None
        running = False
        for entry in self.procedure.lifecycle.entries:
            if entry.event == "plan":
                until, running = entry.data["parallel_run_until"], False
            elif entry.event == "reject":
                until, running = None, False
            elif entry.event == "start_parallel_run":
                running = True
            elif entry.event == "cut_over" and running:
                assert until is not None  # noqa: S101 - a run starts only under a plan with one
                ends = dt.datetime.fromisoformat(until).astimezone(dt.UTC)
                assert entry.when.astimezone(dt.UTC) <= ends  # noqa: S101

    @invariant()
    def trail_verifies_and_replays(self) -> None:
        """The chain holds; the procedure replays through the guards and survives JSON."""
        instance = self.procedure.lifecycle
        if self._checked == instance.head:
            return
        assert verify(instance) is None  # noqa: S101
        resumed = TRANSFER_LIFECYCLE.resume(
            instance.history(), id=instance.id, context=instance.context
        )
        assert resumed == instance  # noqa: S101
        assert from_json(TransferProcedure, to_json(self.procedure)) == self.procedure  # noqa: S101
        self._checked = instance.head

    @invariant()
    def time_never_runs_backwards(self) -> None:
        """Entries are in time order, by their UTC instants."""
        times = [e.when.astimezone(dt.UTC) for e in self.procedure.lifecycle.entries]
        assert times == sorted(times)  # noqa: S101
