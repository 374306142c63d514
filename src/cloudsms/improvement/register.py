"""The improvement register: opportunities, their ranking, their impact and their links (S12).

An `ImprovementRegister` holds a provider's improvements and the
`PrioritisationPolicy` they are ranked by. `ImprovementRegister.ranked` orders the
open, assessed ones by their weighted score and explains each score;
`ImprovementRegister.impact_of` follows an improvement through the service graph to
the services and customers it affects; `ImprovementRegister.apply`,
`ImprovementRegister.assess`, `ImprovementRegister.link_change` and
`ImprovementRegister.link_design` move one improvement along its lifecycle and
return a new register.

Serves S12 (an improvement register, prioritisation by stated criteria, the impact
on other tenants and services, the link to change or design work); ISO/IEC
20000-1:2011 4.5.5 (maintain and improve the SMS), 9.2 (change management) and 5
(design and transition of new or changed services).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import attrs

from cloudsms._foundation.frozen import as_tuple
from cloudsms._foundation.suggest import suggest
from cloudsms._kit.checks import ident
from cloudsms._kit.documents import document
from cloudsms._kit.records import Record
from cloudsms.agreements import CloudServiceAgreement
from cloudsms.errors import Problem, UnknownReference, ValidationError, describe
from cloudsms.improvement.improvement import (
    Impact,
    Improvement,
    extra_data_problems,
    impact_data_problems,
    judged_major,
    thresholds_data_problems,
    verdict_expected,
)
from cloudsms.improvement.policy import (
    PrioritisationPolicy,
    default_policy,
    exact_points,
    exact_sum,
    plain,
)
from cloudsms.operations import Change
from cloudsms.services import CloudService, ServiceGraph

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = [
    "DESIGN_STATES",
    "Contribution",
    "ImprovementRegister",
    "RankedImprovement",
]

DESIGN_STATES: tuple[str, ...] = ("planned", "designed", "built", "tested")
"""The states of a cloud service that is design work: new or changed, not yet live (S05)."""

_SUBJECT = "ImprovementRegister"
_CLOSED_CHANGES = frozenset({"rejected", "closed"})


def _places(value: Fraction, places: int = 2) -> Decimal:
    """``value`` rounded half to even to ``places`` decimals, in integers (no decimal context)."""
    scaled = round(value * 10**places)
    return Decimal(f"{scaled}E-{places}")


# ---------------------------------------------------------------------- ranking
@attrs.frozen(kw_only=True)
class Contribution:
    """What one criterion adds to an improvement's score (S12).

    ``points`` is the weight times the score, exact whatever the caller's decimal
    context (every digit kept); ``share`` is the points over the policy's total
    weight: the shares of an improvement add up to its score.
    """

    key: str
    title: str
    weight: Decimal
    score: int
    points: Decimal
    share: Fraction


@attrs.frozen(kw_only=True)
class RankedImprovement:
    """One improvement's place in the ranking, its score and why (S12).

    ``rank`` counts from 1. ``score`` is the exact weighted mean of the criterion
    scores (0 to 5): the sum of weight times score over the sum of the weights;
    `display_score` rounds it once, to two places. ``contributions`` break it
    down by criterion, in the policy's order; ``explanation`` says it in a
    sentence. ``closed`` marks a reviewed, rejected or withdrawn improvement, ranked
    only when asked for (``ranked(include_closed=True)``).

    ``impact`` is the impact its latest assessment recorded, with the verdict
    (major or not) the policy of that moment gave; ``policy_major`` is the verdict
    the register's policy gives today on the same counts of services and
    customers. They differ only when the policy's thresholds were changed after
    the assessment: the recorded verdict stands (it decided the route the
    improvement took), and `verdict_differs` says so. ``judged_by`` is the
    thresholds (services, customers) the assessment recorded (``None`` for one
    written before they were recorded, judged by today's policy);
    ``thresholds_differ`` says they are not the policy's today, whether or not the
    verdict would change.
    """

    rank: int
    improvement: Improvement
    score: Fraction
    contributions: tuple[Contribution, ...]
    explanation: str
    closed: bool
    impact: Impact
    policy_major: bool
    judged_by: tuple[int, int] | None = None
    thresholds_differ: bool = False

    @property
    def verdict_differs(self) -> bool:
        """Whether today's policy would judge the recorded impact otherwise than its assessment."""
        return self.impact.major is not self.policy_major

    @property
    def id(self) -> str:
        """The improvement's id."""
        return self.improvement.id

    @property
    def display_score(self) -> Decimal:
        """The score rounded half to even to two places, for people to read."""
        return _places(self.score)


def _score(
    improvement: Improvement, policy: PrioritisationPolicy
) -> tuple[Fraction, tuple[Contribution, ...]]:
    total = Fraction(policy.total_weight)
    parts = tuple(
        Contribution(
            key=c.key,
            title=c.title,
            weight=c.weight,
            score=improvement.scores[c.key],
            points=exact_points(c.weight, improvement.scores[c.key]),
            share=Fraction(c.weight) * improvement.scores[c.key] / total,
        )
        for c in policy.criteria
    )
    return sum((p.share for p in parts), Fraction(0)), parts


def _explain(
    place: tuple[int, int],
    improvement: Improvement,
    score: Fraction,
    parts: tuple[Contribution, ...],
    *,
    policy: PrioritisationPolicy,
    tied_with: tuple[str, ...],
) -> str:
    rank, count = place
    terms = ", ".join(
        f"{_words(p.key)} {p.score} x {plain(p.weight)} = {plain(p.points)}" for p in parts
    )
    points = exact_sum(p.points for p in parts)
    sentence = (
        f"{improvement.id} ranks {rank} of {count} with {_places(score)} of 5: "
        f"{plain(points)} weighted points ({terms}) over a total weight of "
        f"{plain(policy.total_weight)}; {_most(parts)}."
    )
    if tied_with:
        sentence += (
            f" Tied with {_listed(tied_with)} at {_places(score)}: ordered by when each was "
            "raised, then by id."
        )
    impact = improvement.impact
    if impact is not None and impact.major is not _policy_major(policy, impact):
        recorded, now = ("major", "minor") if impact.major else ("minor", "major")
        sentence += (
            f" Its assessment recorded a {recorded} impact ({_counted_short(impact)}), which "
            f"the current policy ({_major_line(policy)}) would call {now}; the recorded "
            "verdict stands"
        )
        sentence += " until it is assessed again." if improvement.state == "assessed" else "."
    elif _thresholds_differ(policy, improvement):
        services, customers = improvement.judged_by or (0, 0)
        sentence += (
            f" Its assessment was judged by other thresholds (major above "
            f"{_plural(services, 'service')} or {_plural(customers, 'customer')}) than the "
            f"current policy's ({_major_line(policy)}), which give the same verdict."
        )
    return sentence


def _thresholds_differ(policy: PrioritisationPolicy, improvement: Improvement) -> bool:
    """Whether the thresholds its assessment recorded are not the policy's today."""
    judged = improvement.judged_by
    return judged is not None and judged != (
        policy.major_impact_services,
        policy.major_impact_customers,
    )


def _policy_major(policy: PrioritisationPolicy, impact: Impact) -> bool:
    """The policy's verdict today on the counts an assessment recorded."""
    return policy.is_major(services=len(impact.services), customers=len(impact.customers))


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun if count == 1 else noun + 's'}"


def _counted_short(impact: Impact) -> str:
    """``2 services, 1 customer``."""
    return (
        f"{_plural(len(impact.services), 'service')}, {_plural(len(impact.customers), 'customer')}"
    )


def _major_line(policy: PrioritisationPolicy) -> str:
    """``major above 1 service or 2 customers``: where the policy's major impact begins."""
    return (
        f"major above {_plural(policy.major_impact_services, 'service')} or "
        f"{_plural(policy.major_impact_customers, 'customer')}"
    )


def _most(parts: tuple[Contribution, ...]) -> str:
    """Which criterion adds the most points, naming every one that shares the top."""
    best = max(p.points for p in parts)
    if best == 0:
        return "no criterion adds any points"
    top = tuple(_words(p.key) for p in parts if p.points == best)
    if len(top) == 1:
        return f"{top[0]} contributes most"
    return f"{_listed(top)} contribute most, {plain(best)} points each"


def _listed(names: tuple[str, ...]) -> str:
    """``a``, ``a and b``, ``a, b and c``: names in a sentence, in the order given."""
    if len(names) == 1:
        return names[0]
    return f"{', '.join(names[:-1])} and {names[-1]}"


def _recorded(improvement: Improvement) -> Impact:
    """The impact an assessed improvement's latest assessment recorded."""
    impact = improvement.impact
    assert impact is not None  # noqa: S101 - only assessed improvements are ranked
    return impact


def _words(key: str) -> str:
    """A criterion key as words: ``business_objectives`` -> ``business objectives``."""
    return key.replace("_", " ")


def _order_key(item: tuple[Improvement, Fraction]) -> tuple[Fraction, dt.datetime, str]:
    improvement, score = item
    return (-score, improvement.raised_at.astimezone(dt.UTC), improvement.id)


# ---------------------------------------------------------------------- the register
@document("cloudsms.improvement-register", version=1)
@attrs.frozen(kw_only=True)
class ImprovementRegister(Record):
    """A provider's improvement opportunities and the policy that ranks them (S12).

    ``policy`` is the `PrioritisationPolicy` (the shipped `default_policy` unless
    stated); ``improvements`` the `Improvement` records, ids distinct. Every
    assessed improvement is scored on exactly the policy's criteria. The register
    never changes: `with_improvement`, `replace`, `apply` and the helpers built on
    `apply` return a new register, and refuse what is wrong leaving nothing
    half-changed.

    An assessment records the impact together with the verdict (major or not) the
    policy gave at that moment, and the route that verdict decided (a change, or
    design work) follows the record. A later change to the policy's thresholds does
    not reopen those decisions: the register still validates, every recorded
    verdict stands as history, and `ranked` shows where today's policy would judge
    otherwise (`RankedImprovement.verdict_differs`, and a sentence in the
    explanation). An improvement still waiting for its decision can be assessed
    again under the new policy.

    A persisted document (``cloudsms.improvement-register``, schema version 1).

    Serves S12; ISO/IEC 20000-1:2011 4.5.5, 9.2 and 5.

    Raises:
        ValidationError: a repeated improvement id (at ``$.improvements[i].id``), an
            assessed improvement whose scores miss a criterion of the policy or
            score one it does not have (at ``$.improvements[i].scores``).

    Examples:
        >>> import datetime as dt
        >>> from cloudsms.improvement import ImprovementArea, OpportunitySource
        >>> t0 = dt.datetime(2026, 10, 1, 9, tzinfo=dt.UTC)
        >>> register = ImprovementRegister(id="imp-register").with_improvement(
        ...     Improvement(
        ...         id="imp-1",
        ...         title="Publish the restore procedure",
        ...         description="Customers asked twice how a restore is requested.",
        ...         source=OpportunitySource.COMPLAINT,
        ...         area=ImprovementArea.DOCUMENTATION,
        ...         owner="actor:sms-owner",
        ...         raised_at=t0,
        ...     )
        ... )
        >>> register = register.assess(
        ...     "imp-1",
        ...     {
        ...         "business_objectives": 2,
        ...         "provider_capability": 5,
        ...         "service_requirements": 3,
        ...         "impact_on_others": 5,
        ...     },
        ...     Impact(),
        ...     when=t0,
        ...     actor="actor:sms-owner",
        ... )
        >>> (top,) = register.ranked()
        >>> top.display_score
        Decimal('3.38')
    """

    id: str = attrs.field(validator=ident)
    policy: PrioritisationPolicy = attrs.field(factory=default_policy)
    improvements: tuple[Improvement, ...] = attrs.field(default=(), converter=as_tuple)

    def _rules(self) -> Iterator[Problem]:
        """Ids used once; assessed improvements scored on the policy's criteria; verdicts sound.

        An assessment that recorded no thresholds (a document written before they
        were recorded) is judged by the register's policy: its ``major`` must be
        that policy's verdict. One that recorded them was judged by those when it
        was applied and read back (the lifecycle's guard), and stands.
        """
        seen: set[str] = set()
        for index, improvement in enumerate(self.improvements):
            if improvement.id in seen:
                yield Problem(
                    f"improvements[{index}].id", "an id used once", describe(improvement.id)
                )
            seen.add(improvement.id)
            if improvement.assessed:
                yield from self.policy.score_problems(
                    dict(improvement.scores), f"improvements[{index}].scores"
                )
                yield from self._unrecorded_verdicts(improvement, f"improvements[{index}]")

    def _unrecorded_verdicts(self, improvement: Improvement, path: str) -> Iterator[Problem]:
        """Each assessment without thresholds whose ``major`` the policy would not give."""
        thresholds = self._thresholds
        for number, entry in enumerate(improvement.lifecycle.entries):
            if entry.event != "assess" or "thresholds" in entry.data:
                continue
            impact = entry.data["impact"]
            major = judged_major(impact, thresholds)
            if impact["major"] is not major:
                yield Problem(
                    f"{path}.lifecycle.history[{number}].data.impact.major",
                    verdict_expected(
                        major, impact, thresholds, "no thresholds recorded: the policy's"
                    ),
                    describe(impact["major"]),
                )

    @property
    def _thresholds(self) -> dict[str, int]:
        """The policy's thresholds as an assessment records them."""
        return {
            "services": self.policy.major_impact_services,
            "customers": self.policy.major_impact_customers,
        }

    @functools.cached_property
    def _by_id(self) -> dict[str, Improvement]:
        return {i.id: i for i in self.improvements}

    def __iter__(self) -> Iterator[Improvement]:
        return iter(self.improvements)

    def __len__(self) -> int:
        return len(self.improvements)

    # ------------------------------------------------------------------ look-ups
    def improvement(self, improvement_id: str) -> Improvement:
        """The improvement with this id.

        Raises:
            UnknownReference: the register has none (close ids suggested).
        """
        key: object = improvement_id
        found = self._by_id.get(key) if isinstance(key, str) else None
        if found is None:
            raise UnknownReference("improvement", key, suggestions=suggest(key, self._by_id))
        return found

    def __contains__(self, improvement_id: object) -> bool:
        return isinstance(improvement_id, str) and improvement_id in self._by_id

    def in_state(self, *states: str) -> tuple[Improvement, ...]:
        """The improvements in any of ``states``, in register order."""
        return tuple(i for i in self.improvements if i.state in states)

    def unassessed(self) -> tuple[Improvement, ...]:
        """The open improvements never assessed: not ranked until they are, in order."""
        return tuple(i for i in self.improvements if not i.closed and not i.assessed)

    # ------------------------------------------------------------------ new registers
    def with_improvement(self, improvement: Improvement) -> ImprovementRegister:
        """A new register with ``improvement`` added at the end.

        Raises:
            ValidationError: ``improvement`` is not an `Improvement`, or its id is
                taken (at ``$.improvement.id``), or it is assessed on other criteria.
        """
        self._check_improvement(improvement)
        if improvement.id in self._by_id:
            raise ValidationError.single(
                "$.improvement.id",
                "an id not yet in the register",
                describe(improvement.id),
                subject=_SUBJECT,
            )
        return attrs.evolve(self, improvements=(*self.improvements, improvement))

    def replace(self, improvement: Improvement) -> ImprovementRegister:
        """A new register with ``improvement`` in the place of the one with its id.

        Raises:
            ValidationError: ``improvement`` is not an `Improvement`, or the register
                has no improvement with its id (at ``$.improvement.id``).
        """
        self._check_improvement(improvement)
        if improvement.id not in self._by_id:
            raise ValidationError.single(
                "$.improvement.id",
                "the id of an improvement in the register",
                describe(improvement.id),
                subject=_SUBJECT,
            )
        kept = tuple(improvement if i.id == improvement.id else i for i in self.improvements)
        return attrs.evolve(self, improvements=kept)

    @staticmethod
    def _check_improvement(improvement: object) -> None:
        if not isinstance(improvement, Improvement):
            raise ValidationError.single(
                "$.improvement", "an Improvement", describe(improvement), subject=_SUBJECT
            )

    def apply(
        self,
        improvement_id: str,
        event: str,
        *,
        when: dt.datetime,
        actor: str,
        data: Mapping[str, Any] | None = None,
    ) -> ImprovementRegister:
        """A new register in which one improvement has taken ``event`` (`IMPROVEMENT_LIFECYCLE`).

        ``actor`` is who acts (an actor id, ``actor:...``) and ``when`` the aware
        instant, both kept on the trail. An ``assess`` event's ``data`` must score
        every criterion of the register's policy (and no other) and record the
        impact weighed, whose ``major`` must be the policy's verdict on its counts;
        the trail records beside them the policy's thresholds the verdict was
        reached by (``"thresholds"``: given, they must be the policy's), and the
        improvement's ``scores`` become the ones given. No event's data may hold a
        key beyond those its event records (`EVENT_DATA`).

        Raises:
            UnknownReference: no improvement with this id.
            InvalidTransition: the event is not allowed in the improvement's state,
                or its guard refuses it (approving before an assessment, planning
                without a link, a change for a major impact).
            ValidationError: ``when``, ``actor`` or ``data`` is refused (each at its
                path: ``$.data.scores.business_objectives``, ``$.data.thresholds``, an
                extra key at ``$.data.<key>``), or the event is earlier
                than the improvement was raised. Nothing changes.
        """
        found = self.improvement(improvement_id)
        changes: dict[str, Any] = {}
        allowed = found.lifecycle.lifecycle.transition(found.state, event) is not None
        if allowed and isinstance(data, Mapping):
            extra = extra_data_problems(event, data, "$.data")
            if extra:
                raise ValidationError(extra, subject=_SUBJECT)
        if allowed and event == "assess":
            self._check_assessment(data)
            assert isinstance(data, Mapping)  # noqa: S101 - _check_assessment refused the rest
            changes["scores"] = dict(data["scores"])
            data = {**data, "thresholds": self._thresholds}
        moved = found.lifecycle.apply(event, who=actor, when=when, data=data)
        try:
            changed = attrs.evolve(found, lifecycle=moved, **changes)
        except ValidationError as exc:
            raise ValidationError(exc.problems, subject=_SUBJECT) from None
        return self.replace(changed)

    def _check_assessment(self, data: object) -> None:
        if not isinstance(data, Mapping):
            expected = "an object with 'scores' and 'impact'"
            raise ValidationError.single("$.data", expected, describe(data), subject=_SUBJECT)
        problems = self.policy.score_problems(data.get("scores"), "$.data.scores")
        impact = data.get("impact")
        impact_problems = impact_data_problems(impact, "$.data.impact")
        problems += impact_problems
        thresholds = self._thresholds
        if "thresholds" in data:
            given = data["thresholds"]
            shape = thresholds_data_problems(given, "$.data.thresholds")
            problems += shape or [
                Problem(
                    f"$.data.thresholds.{key}",
                    f"{thresholds[key]}: the register's policy's threshold, which the "
                    "assessment is judged by",
                    describe(given[key]),
                )
                for key in ("services", "customers")
                if given[key] != thresholds[key]
            ]
        if not impact_problems:
            assert isinstance(impact, Mapping)  # noqa: S101 - checked just above
            major = judged_major(impact, thresholds)
            if impact["major"] is not major:
                expected = verdict_expected(major, impact, thresholds, "the policy's")
                problems.append(
                    Problem("$.data.impact.major", expected, describe(impact["major"]))
                )
        if problems:
            raise ValidationError(problems, subject=_SUBJECT)

    def assess(
        self,
        improvement_id: str,
        scores: Mapping[str, int],
        impact: Impact,
        *,
        when: dt.datetime,
        actor: str,
    ) -> ImprovementRegister:
        """A new register with one improvement assessed: scored on every criterion, impact weighed.

        ``impact`` is usually `impact_of`'s answer; an improvement that touches no
        service takes ``Impact()``. Its ``major`` must agree with the policy.

        Raises:
            UnknownReference: no improvement with this id.
            InvalidTransition: the improvement is past its decision (approved,
                rejected or later).
            ValidationError: ``impact`` is not an `Impact` (``$.impact``), a score is
                missing or out of range (``$.data.scores.<key>``), the impact's
                ``major`` is not the policy's verdict (``$.data.impact.major``), or
                ``when`` or ``actor`` is refused. Nothing changes.
        """
        given: object = impact
        if not isinstance(given, Impact):
            raise ValidationError.single(
                "$.impact", "an Impact", describe(given), subject=_SUBJECT
            )
        scored: object = scores
        data = {
            "scores": dict(scores) if isinstance(scored, Mapping) else scored,
            "impact": impact.to_data(),
        }
        return self.apply(improvement_id, "assess", when=when, actor=actor, data=data)

    def link_change(
        self, improvement_id: str, change: Change, *, when: dt.datetime, actor: str
    ) -> ImprovementRegister:
        """A new register with one approved improvement planned through ``change`` (9.2, S09).

        The change must be open: neither rejected nor closed. An improvement whose
        assessment found a major impact is refused: it goes through design work
        (`link_design`).

        Raises:
            ValidationError: ``change`` is not a `cloudsms.operations.Change`, or is
                rejected or closed (at ``$.change``); as `apply` raises otherwise.
            InvalidTransition: the improvement is not approved, or its impact is major.
        """
        given: object = change
        if not isinstance(given, Change):
            raise ValidationError.single("$.change", "a Change", describe(given), subject=_SUBJECT)
        if change.state in _CLOSED_CHANGES:
            expected = "an open change (requested, approved, implemented or reviewed)"
            raise ValidationError.single(
                "$.change", expected, f"the change {change.id!r}, {change.state}", subject=_SUBJECT
            )
        return self.apply(
            improvement_id, "plan", when=when, actor=actor, data={"change": change.id}
        )

    def link_design(
        self, improvement_id: str, service: CloudService, *, when: dt.datetime, actor: str
    ) -> ImprovementRegister:
        """A new register with one approved improvement planned as design work (clause 5, S05).

        ``service`` is the new or changed service being designed for it: one still in
        design and transition (`DESIGN_STATES`: planned, designed, built or tested).

        Raises:
            ValidationError: ``service`` is not a `cloudsms.services.CloudService`, or
                is live, retiring or retired (at ``$.service``); as `apply` raises
                otherwise.
            InvalidTransition: the improvement is not approved.
        """
        given: object = service
        if not isinstance(given, CloudService):
            raise ValidationError.single(
                "$.service", "a CloudService", describe(given), subject=_SUBJECT
            )
        if service.lifecycle_state not in DESIGN_STATES:
            expected = f"a service in design and transition ({', '.join(DESIGN_STATES)})"
            got = f"the service {service.id!r}, {service.lifecycle_state}"
            raise ValidationError.single("$.service", expected, got, subject=_SUBJECT)
        return self.apply(
            improvement_id, "plan", when=when, actor=actor, data={"design": service.id}
        )

    # ------------------------------------------------------------------ queries
    def impact_of(
        self,
        improvement: Improvement | str,
        graph: ServiceGraph,
        agreements: Iterable[CloudServiceAgreement] = (),
    ) -> Impact:
        """The services and customers ``improvement`` affects, and whether that is major.

        Each id in the improvement's ``services`` names a service or a component of
        ``graph``: a service is affected itself, and so is every service that
        depends on it or on the component, at any depth
        (`cloudsms.services.ServiceGraph.impact_of`). The customers are those of
        ``agreements`` subscribing to an affected service. ``major`` is the policy's
        verdict (`PrioritisationPolicy.is_major`) on the two counts.

        Raises:
            UnknownReference: an improvement id the register does not hold.
            ValidationError: ``graph`` is not a `ServiceGraph`, an id names nothing
                in it (at ``$.improvement.services[i]``), or an agreement is not a
                `CloudServiceAgreement` (at ``$.agreements[i]``).
        """
        found = self.improvement(improvement) if isinstance(improvement, str) else improvement
        self._check_improvement(found)
        given: object = graph
        if not isinstance(given, ServiceGraph):
            raise ValidationError.single(
                "$.graph", "a ServiceGraph", describe(given), subject=_SUBJECT
            )
        chosen: list[object] = list(agreements)
        problems = [
            Problem(f"$.agreements[{index}]", "a CloudServiceAgreement", describe(item))
            for index, item in enumerate(chosen)
            if not isinstance(item, CloudServiceAgreement)
        ]
        services = {s.id for s in graph.services}
        components = {c.id for c in graph.components}
        affected: set[str] = set()
        for index, node in enumerate(found.services):
            if node not in services and node not in components:
                close = suggest(node, sorted(services | components))
                hint = f" (close matches: {', '.join(close)})" if close else ""
                problems.append(
                    Problem(
                        f"$.improvement.services[{index}]",
                        f"a service or component of the graph{hint}",
                        describe(node),
                    )
                )
                continue
            if node in services:
                affected.add(node)
            affected.update(s.id for s in graph.impact_of(node))
        if problems:
            raise ValidationError(problems, subject=_SUBJECT)
        customers = sorted(
            {
                a.customer_id
                for a in chosen
                if isinstance(a, CloudServiceAgreement) and a.service_ids & affected
            }
        )
        ordered = tuple(sorted(affected))
        major = self.policy.is_major(services=len(ordered), customers=len(customers))
        return Impact(services=ordered, customers=tuple(customers), major=major)

    def ranked(self, *, include_closed: bool = False) -> tuple[RankedImprovement, ...]:
        """The assessed improvements, best first, each with its score and its explanation.

        score = sum(weight x score) / sum(weights) over the policy's criteria, kept
        exact (a `fractions.Fraction`) and rounded only for display. Ties are broken
        by when the improvement was raised (earlier first), then by id; each
        explanation names every improvement sharing its score and every criterion
        sharing the most points. Improvements
        never assessed are left out (`unassessed`); so are reviewed, rejected and
        withdrawn ones unless ``include_closed`` (then marked ``closed``). Each
        carries the impact its assessment recorded and the verdict today's policy
        gives on it; where they differ, the recorded verdict stands and the
        explanation says so. Where only the recorded thresholds differ from the
        policy's (the verdict would be the same), it is marked
        (``thresholds_differ``) and the explanation says so too.

        Raises:
            ValidationError: ``include_closed`` is not a bool.
        """
        flag: object = include_closed
        if not isinstance(flag, bool):
            raise ValidationError.single(
                "$.include_closed", "true or false", describe(flag), subject=_SUBJECT
            )
        chosen = [i for i in self.improvements if i.assessed and (include_closed or not i.closed)]
        scored = {i.id: _score(i, self.policy) for i in chosen}
        ordered = sorted(((i, scored[i.id][0]) for i in chosen), key=_order_key)
        ties: dict[Fraction, list[str]] = {}
        for improvement, score in ordered:
            ties.setdefault(score, []).append(improvement.id)
        ranked: list[RankedImprovement] = []
        for position, (improvement, score) in enumerate(ordered):
            tied_with = tuple(other for other in ties[score] if other != improvement.id)
            parts = scored[improvement.id][1]
            ranked.append(
                RankedImprovement(
                    rank=position + 1,
                    improvement=improvement,
                    score=score,
                    contributions=parts,
                    explanation=_explain(
                        (position + 1, len(ordered)),
                        improvement,
                        score,
                        parts,
                        policy=self.policy,
                        tied_with=tied_with,
                    ),
                    closed=improvement.closed,
                    impact=_recorded(improvement),
                    policy_major=_policy_major(self.policy, _recorded(improvement)),
                    judged_by=improvement.judged_by,
                    thresholds_differ=_thresholds_differ(self.policy, improvement),
                )
            )
        return tuple(ranked)
