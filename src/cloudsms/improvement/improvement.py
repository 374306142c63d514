"""One improvement opportunity, from where it was found to the review of its results (S12).

An `Improvement` records what could be better (its `ImprovementArea`), where the
opportunity was found (its `OpportunitySource` and a reference to the finding,
report, survey or complaint), which services or components it touches, who owns it
and when it was raised. Its state is its `IMPROVEMENT_LIFECYCLE` instance: every
step (assessed, approved or rejected, planned, started, implemented, reviewed, or
withdrawn) is an event with its actor and instant on a verifiable trail.

Serves S12 (opportunities identified, prioritised, carried out through change
management or design and transition, their results measured); ISO/IEC 20000-1:2011
4.5.5 (maintain and improve the SMS), 9.2 (change management) and 5 (design and
transition of new or changed services).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs

from cloudsms._foundation.frozen import FrozenMapping, as_frozen_mapping, as_tuple
from cloudsms._foundation.instants import instant_key
from cloudsms._kit.checks import (
    binding_problems,
    id_problems,
    ident,
    ids,
    instant,
    own_id,
    text,
    text_problems,
)
from cloudsms._kit.limits import INT64
from cloudsms._kit.records import Check, Record
from cloudsms.errors import Problem, describe
from cloudsms.improvement._kinds import ImprovementArea, OpportunitySource
from cloudsms.improvement.policy import KEY, score_value_problems
from cloudsms.lifecycle import Attempt, Lifecycle, LifecycleInstance, Transition

if TYPE_CHECKING:
    from collections.abc import Iterator

    from cloudsms.lifecycle import HistoryEntry

__all__ = [
    "CLOSED_STATES",
    "EVENT_DATA",
    "IMPROVEMENT_LIFECYCLE",
    "IMPROVEMENT_STATES",
    "Impact",
    "Improvement",
]

IMPROVEMENT_STATES: tuple[str, ...] = (
    "identified",
    "assessed",
    "approved",
    "planned",
    "in_progress",
    "implemented",
    "reviewed",
    "rejected",
    "withdrawn",
)
"""The states of an improvement (S12), in order; the last three are final."""

CLOSED_STATES: frozenset[str] = frozenset({"reviewed", "rejected", "withdrawn"})
"""The final states: an improvement there is no longer ranked among the open ones."""

_OPEN_FOR_WITHDRAWAL = ("identified", "assessed", "approved", "planned", "in_progress")


# ---------------------------------------------------------------------- impact
@attrs.frozen(kw_only=True)
class Impact(Record):
    """Who an improvement touches besides its own subject: services and customers (S12).

    ``services`` are the ids of the cloud services affected (the ones it names and
    every service depending on a component or service it names, sorted);
    ``customers`` the ids of the customers subscribing to them (sorted); ``major``
    whether that is more than the register's policy lets a change carry
    (`PrioritisationPolicy.is_major`), so the improvement goes through design and
    transition (ISO/IEC 20000-1:2011 clause 5). `ImprovementRegister.impact_of`
    works it out through the service graph; an assessment records it.

    Raises:
        ValidationError: an id that is not an id, or one listed twice.

    Examples:
        >>> Impact(services=("crm",), customers=(), major=False).to_data()
        {'services': ['crm'], 'customers': [], 'major': False}
    """

    services: tuple[str, ...] = attrs.field(
        default=(), validator=ids(of="service"), converter=as_tuple
    )
    customers: tuple[str, ...] = attrs.field(
        default=(), validator=ids(of="customer"), converter=as_tuple
    )
    major: bool = False

    def to_data(self) -> dict[str, Any]:
        """The impact as an assessment event's data records it (JSON values)."""
        return {
            "services": list(self.services),
            "customers": list(self.customers),
            "major": self.major,
        }

    def __str__(self) -> str:
        weight = "major" if self.major else "minor"
        return (
            f"{weight} impact: {_counted(self.services, 'service')}, "
            f"{_counted(self.customers, 'customer')}"
        )


def _counted(ids: tuple[str, ...], noun: str) -> str:
    """``2 services (crm, erp)``, ``1 customer (acme)``, ``0 services``."""
    plural = noun if len(ids) == 1 else f"{noun}s"
    listed = f" ({', '.join(ids)})" if ids else ""
    return f"{len(ids)} {plural}{listed}"


def impact_data_problems(value: object, path: str) -> list[Problem]:
    """``[]`` when ``value`` is an impact as event data holds it (`Impact.to_data`)."""
    expected = (
        "an impact: an object with 'services' and 'customers' (lists of ids) and 'major' "
        "(true or false)"
    )
    if not isinstance(value, Mapping) or set(value) != {"services", "customers", "major"}:
        return [Problem(path, expected, describe(value))]
    problems: list[Problem] = []
    for key in ("services", "customers"):
        items = value[key]
        if not isinstance(items, list | tuple):
            problems.append(Problem(f"{path}.{key}", "a list of ids", describe(items)))
            continue
        for index, item in enumerate(items):
            problems += id_problems(item, f"{path}.{key}[{index}]")
    if not isinstance(value["major"], bool):
        problems.append(Problem(f"{path}.major", "true or false", describe(value["major"])))
    return problems


def _impact_from(data: Mapping[str, Any]) -> Impact:
    return Impact(
        services=tuple(data["services"]),
        customers=tuple(data["customers"]),
        major=data["major"],
    )


# ---------------------------------------------------------------------- event data
EVENT_DATA: Mapping[str, tuple[str, ...]] = FrozenMapping(
    {
        "assess": ("scores", "impact", "thresholds"),
        "approve": (),
        "reject": ("reason",),
        "plan": ("change", "design"),
        "start": (),
        "complete": (),
        "review": ("results", "benefit_realised"),
        "withdraw": ("reason",),
    }
)
"""The keys each event's data may hold; any other key is refused, live and on replay."""


def _quoted(keys: tuple[str, ...]) -> str:
    quoted = [repr(key) for key in keys]
    if len(quoted) < 2:  # noqa: PLR2004 - one key needs no 'and'
        return "".join(quoted)
    return f"{', '.join(quoted[:-1])} and {quoted[-1]}"


def extra_data_problems(event: str, data: Mapping[str, Any], path: str) -> list[Problem]:
    """A problem at ``path.<key>`` for each key ``event``'s data may not hold (`EVENT_DATA`)."""
    allowed = EVENT_DATA.get(event, ())
    expected = (
        f"no other key: {event!r} data holds only {_quoted(allowed)}"
        if allowed
        else f"no data: {event!r} carries none"
    )
    return [
        Problem(f"{path}.{key}", expected, describe(value))
        for key, value in data.items()
        if key not in allowed
    ]


def thresholds_data_problems(value: object, path: str) -> list[Problem]:
    """``[]`` when ``value`` is thresholds as an assessment records them.

    An object ``{"services": N, "customers": M}`` of whole numbers from 0: the
    policy's `PrioritisationPolicy.major_impact_services` and
    `PrioritisationPolicy.major_impact_customers` the impact was judged by.
    """
    expected = "the thresholds judged by: an object with 'services' and 'customers' (counts)"
    if not isinstance(value, Mapping) or set(value) != set(_THRESHOLD_KEYS):
        return [Problem(path, expected, describe(value))]
    return [
        Problem(f"{path}.{key}", "a whole number from 0", describe(value[key]))
        for key in _THRESHOLD_KEYS
        if not isinstance(value[key], int)
        or isinstance(value[key], bool)
        or not 0 <= value[key] <= INT64[1]
    ]


_THRESHOLD_KEYS = ("services", "customers")


def judged_major(impact: Mapping[str, Any], thresholds: Mapping[str, int]) -> bool:
    """The verdict of ``thresholds`` on the counts of an impact's data: above either, major."""
    return (
        len(impact["services"]) > thresholds["services"]
        or len(impact["customers"]) > thresholds["customers"]
    )


def verdict_expected(
    major: bool, impact: Mapping[str, Any], thresholds: Mapping[str, int], whose: str
) -> str:
    """What a refused ``major`` should have been: the verdict, on what counts, by which line."""
    return (
        f"{str(major).lower()}: {whose} verdict on "
        f"{_counted_plain(len(impact['services']), 'service')} and "
        f"{_counted_plain(len(impact['customers']), 'customer')} (major above "
        f"{_counted_plain(thresholds['services'], 'service')} or "
        f"{_counted_plain(thresholds['customers'], 'customer')})"
    )


def _counted_plain(count: int, noun: str) -> str:
    return f"{count} {noun if count == 1 else noun + 's'}"


# ---------------------------------------------------------------------- guards
def _scores_problems(value: object, path: str) -> list[Problem]:
    """``[]`` for one or more criterion scores: lower-case keys, whole numbers 0..5."""
    if not isinstance(value, Mapping) or not value:
        return [Problem(path, "an object of one or more criterion scores", describe(value))]
    problems: list[Problem] = []
    for key, score in value.items():
        if not isinstance(key, str) or not KEY.fullmatch(key):
            expected = "criterion keys of lower-case letters, digits and _"
            problems.append(Problem(path, expected, describe(key)))
        else:
            problems += score_value_problems(score, f"{path}.{key}")
    return problems


def _said(problems: list[Problem]) -> str:
    return "; ".join(f"expected {p.expected}, got {p.got} @ {p.path}" for p in problems)


def assessment_data_problems(data: Mapping[str, Any], path: str = "$.data") -> list[Problem]:
    """``[]`` when ``data`` is an assessment as ``assess`` records it, whatever the policy.

    Scores (one or more), the impact weighed, and, when recorded, the thresholds
    it was judged by; then ``major`` must be their verdict on the counts. No other
    key. What the policy of a register adds (every criterion scored; the verdict of
    its thresholds where none are recorded) the register checks.
    """
    problems = extra_data_problems("assess", data, path)
    problems += _scores_problems(data.get("scores"), f"{path}.scores")
    impact = data.get("impact")
    impact_problems = impact_data_problems(impact, f"{path}.impact")
    problems += impact_problems
    if "thresholds" not in data:
        return problems
    thresholds = data["thresholds"]
    threshold_problems = thresholds_data_problems(thresholds, f"{path}.thresholds")
    problems += threshold_problems
    if not impact_problems and not threshold_problems:
        assert isinstance(impact, Mapping)  # noqa: S101 - checked just above
        major = judged_major(impact, thresholds)
        if impact["major"] is not major:
            expected = verdict_expected(major, impact, thresholds, "the recorded thresholds'")
            problems.append(Problem(f"{path}.impact.major", expected, describe(impact["major"])))
    return problems


def _scored(_: LifecycleInstance, attempt: Attempt) -> str | None:
    """The guard of ``assess``: scores, the impact, its verdict by the thresholds recorded."""
    problems = assessment_data_problems(attempt.data)
    return None if not problems else "the assessment is incomplete: " + _said(problems)


def _no_data(_: LifecycleInstance, attempt: Attempt) -> str | None:
    """The guard of ``approve``, ``start`` and ``complete``: no data."""
    problems = extra_data_problems(attempt.event, attempt.data, "$.data")
    return None if not problems else f"{attempt.event!r} carries no data: " + _said(problems)


def _reason_given(_: LifecycleInstance, attempt: Attempt) -> str | None:
    """The guard of ``reject`` and ``withdraw``: the data says why, and nothing else."""
    data = attempt.data
    extra = extra_data_problems(attempt.event, data, "$.data")
    if extra:
        return "only a reason is recorded: " + _said(extra)
    problems = text_problems(data.get("reason"), "data.reason")
    return None if not problems else "no reason given (the data needs a 'reason': text)"


def latest_entry(instance: LifecycleInstance, event: str) -> HistoryEntry | None:
    """The last entry of ``event`` in the instance's history, or ``None``."""
    return next((e for e in reversed(instance.entries) if e.event == event), None)


def _linked(instance: LifecycleInstance, attempt: Attempt) -> str | None:
    """The guard of ``plan``: one link, to a change or to design work, as the impact allows."""
    data = attempt.data
    extra = extra_data_problems("plan", data, "$.data")
    if extra:
        return "a plan records only its link: " + _said(extra)
    routes = [key for key in ("change", "design") if key in data]
    if len(routes) != 1:
        return (
            "an improvement is planned through one change ({'change': CHANGE_ID}, clause 9.2) "
            "or through design work ({'design': SERVICE_ID}, clause 5)"
        )
    (route,) = routes
    if id_problems(data[route], "$"):
        return f"the {route} link is not an id: {describe(data[route])}"
    assessed = latest_entry(instance, "assess")
    major = assessed is not None and assessed.data.get("impact", {}).get("major") is True
    if major and route == "change":
        return (
            "the assessment found a major impact: the improvement goes through design and "
            "transition of new or changed services (clause 5), not a change (9.2)"
        )
    return None


def _results_measured(_: LifecycleInstance, attempt: Attempt) -> str | None:
    """The guard of ``review``: the results measured, and whether the benefit came."""
    data = attempt.data
    extra = extra_data_problems("review", data, "$.data")
    if extra:
        return "a review records only its results: " + _said(extra)
    if text_problems(data.get("results"), "$") or not isinstance(
        data.get("benefit_realised"), bool
    ):
        return (
            "a review records the results measured ({'results': TEXT, "
            "'benefit_realised': true or false})"
        )
    return None


IMPROVEMENT_LIFECYCLE = Lifecycle(
    name="improvement",
    states=IMPROVEMENT_STATES,
    initial="identified",
    finals=tuple(sorted(CLOSED_STATES)),
    transitions=(
        Transition(source="identified", event="assess", target="assessed", guard="scored"),
        Transition(source="assessed", event="assess", target="assessed", guard="scored"),
        Transition(source="assessed", event="approve", target="approved", guard="no_data"),
        Transition(source="assessed", event="reject", target="rejected", guard="reason_given"),
        Transition(source="approved", event="plan", target="planned", guard="linked"),
        Transition(source="planned", event="start", target="in_progress", guard="no_data"),
        Transition(source="in_progress", event="complete", target="implemented", guard="no_data"),
        Transition(
            source="implemented", event="review", target="reviewed", guard="results_measured"
        ),
        *(
            Transition(source=state, event="withdraw", target="withdrawn", guard="reason_given")
            for state in _OPEN_FOR_WITHDRAWAL
        ),
    ),
    guards={
        "scored": _scored,
        "no_data": _no_data,
        "reason_given": _reason_given,
        "linked": _linked,
        "results_measured": _results_measured,
    },
)
"""The lifecycle of an improvement (S12): identified, assessed, approved or rejected,
planned, in progress, implemented, reviewed; or withdrawn on the way.

``assess`` records the scores against the register's criteria, the impact weighed
and the thresholds it was judged by (``{"scores": {KEY: 0..5, ...}, "impact":
{"services": [...], "customers": [...], "major": BOOL}, "thresholds": {"services":
N, "customers": M}}``): ``major`` must be the verdict of those thresholds on the
counts, so a record that says otherwise is refused when applied and when read back.
The thresholds may be absent (documents written before they were recorded); the
register then judges ``major`` by its own policy. It may be repeated while the
improvement waits for a decision. ``approve`` follows an assessment, never comes
before one. ``reject`` and ``withdraw`` say why (``{"reason": TEXT}``); ``withdraw``
leaves any state up to ``in_progress``. ``plan`` links the improvement to the change
that carries it out (``{"change": CHANGE_ID}``, ISO/IEC 20000-1:2011 9.2) or to the
service being designed for it (``{"design": SERVICE_ID}``, clause 5), and an
improvement whose assessment found a major impact is refused a change. ``start`` and
``complete`` mark the work; ``review`` records the results measured (``{"results":
TEXT, "benefit_realised": BOOL}``). ``approve``, ``start`` and ``complete`` carry no
data, and no event's data holds a key beyond these (`EVENT_DATA`): the guards refuse
one at ``$.data.<key>``. Every event carries its actor and instant."""


# ---------------------------------------------------------------------- the record
def _identified(record: object) -> LifecycleInstance:
    return IMPROVEMENT_LIFECYCLE.begin(id=own_id(record))


def _instance_problems(value: object, path: str) -> list[Problem]:
    lifecycle: Lifecycle = IMPROVEMENT_LIFECYCLE
    return lifecycle.instance_problems(value, path)


def _score_map_problems(value: object, path: str) -> list[Problem]:
    if not isinstance(value, Mapping):
        return [Problem(path, "an object of criterion scores (0 to 5)", describe(value))]
    return [] if not value else _scores_problems(value, path)


@attrs.frozen(kw_only=True)
class Improvement(Record):
    """An opportunity to improve the SMS or a service, and what became of it (S12).

    ``source`` is where it was found (`OpportunitySource`) and ``source_ref`` the id
    of what found it (a finding of `cloudsms.conformity`, a service report, a
    survey, a complaint), if any. ``area`` is what it improves (`ImprovementArea`).
    ``services`` are the ids of the services or components it touches (the
    register's `ImprovementRegister.impact_of` follows them through the service
    graph). ``scores`` maps each criterion of the register's policy to a whole score
    from 0 to 5: free while the improvement is only identified, and from its first
    assessment on, exactly the scores its latest ``assess`` event recorded.
    ``owner`` is the id of whoever coordinates it (a process owner, a service's
    owner, the SMS's senior responsible owner). ``lifecycle`` is its
    `IMPROVEMENT_LIFECYCLE` instance, bound to its id; `state` reads it.

    Rules: no event is earlier than ``raised_at``; once assessed, ``scores`` are
    the latest assessment's. So an improvement is assessed by setting ``scores``
    and applying ``assess`` with the same scores: `ImprovementRegister.apply` does
    both.

    Serves S12; ISO/IEC 20000-1:2011 4.5.5, 9.2 and 5.

    Raises:
        ValidationError: every problem of the fields, each with its path; scores
            that differ from the latest assessment (at ``$.scores``); an instance
            of another lifecycle or bound to another id (at ``$.lifecycle``).

    Examples:
        >>> import datetime as dt
        >>> found = Improvement(
        ...     id="imp-1",
        ...     title="Automate certificate renewal",
        ...     description="Two outages last quarter came from expired certificates.",
        ...     source=OpportunitySource.SERVICE_REPORT,
        ...     source_ref="rep-2026-q3",
        ...     area=ImprovementArea.RELIABILITY,
        ...     services=("crm",),
        ...     owner="actor:ops-lead",
        ...     raised_at=dt.datetime(2026, 10, 1, 9, tzinfo=dt.UTC),
        ... )
        >>> found.state, found.lifecycle.allowed_events()
        ('identified', ('assess', 'withdraw'))
    """

    id: str = attrs.field(validator=ident)
    title: str = attrs.field(validator=text)
    description: str = attrs.field(validator=text)
    source: OpportunitySource
    source_ref: str | None = attrs.field(default=None, validator=ident)
    area: ImprovementArea
    services: tuple[str, ...] = attrs.field(
        default=(), validator=ids(of="service or component"), converter=as_tuple
    )
    scores: Mapping[str, int] = attrs.field(
        factory=FrozenMapping,
        validator=Check(_score_map_problems, total=True),
        converter=as_frozen_mapping,
    )
    owner: str = attrs.field(validator=ident)
    raised_at: dt.datetime = attrs.field(validator=instant, eq=instant_key)
    lifecycle: LifecycleInstance = attrs.field(
        default=attrs.Factory(_identified, takes_self=True),
        validator=Check(_instance_problems, total=True),
    )

    def _rules(self) -> Iterator[Problem]:
        """The trail is this improvement's, begins after it was raised, and agrees with scores."""
        yield from binding_problems(self)
        entries = self.lifecycle.entries
        if entries and entries[0].when.astimezone(dt.UTC) < self.raised_at.astimezone(dt.UTC):
            expected = f"an event no earlier than the improvement was raised ({self.raised_at})"
            yield Problem("lifecycle.history[0].when", expected, entries[0].when.isoformat())
        assessed = latest_entry(self.lifecycle, "assess")
        if assessed is not None:
            recorded = assessed.data["scores"]
            if dict(self.scores) != recorded:
                expected = f"the scores the latest assessment recorded ({recorded})"
                yield Problem("scores", expected, describe(dict(self.scores)))

    # ------------------------------------------------------------------ readings
    @property
    def state(self) -> str:
        """Where the improvement stands in `IMPROVEMENT_LIFECYCLE`."""
        return self.lifecycle.state

    @property
    def closed(self) -> bool:
        """Whether it is reviewed, rejected or withdrawn (a final state)."""
        return self.lifecycle.state in CLOSED_STATES

    @property
    def assessed(self) -> bool:
        """Whether it has been assessed (its scores and impact recorded)."""
        return latest_entry(self.lifecycle, "assess") is not None

    @property
    def assessed_at(self) -> dt.datetime | None:
        """When it was last assessed (``None`` if never)."""
        entry = latest_entry(self.lifecycle, "assess")
        return None if entry is None else entry.when

    @property
    def impact(self) -> Impact | None:
        """The impact its latest assessment recorded (``None`` if never assessed)."""
        entry = latest_entry(self.lifecycle, "assess")
        return None if entry is None else _impact_from(entry.data["impact"])

    @property
    def judged_by(self) -> tuple[int, int] | None:
        """The thresholds (services, customers) its latest assessment's verdict was reached by.

        ``None`` if it was never assessed, or assessed before assessments recorded
        their thresholds (its register's policy judges such a verdict).
        """
        entry = latest_entry(self.lifecycle, "assess")
        if entry is None or "thresholds" not in entry.data:
            return None
        recorded = entry.data["thresholds"]
        return (recorded["services"], recorded["customers"])

    @property
    def change_id(self) -> str | None:
        """The change it is carried out through (clause 9.2), once planned so."""
        entry = latest_entry(self.lifecycle, "plan")
        found = None if entry is None else entry.data.get("change")
        return found if isinstance(found, str) else None

    @property
    def design_id(self) -> str | None:
        """The service designed for it (clause 5), once planned so."""
        entry = latest_entry(self.lifecycle, "plan")
        found = None if entry is None else entry.data.get("design")
        return found if isinstance(found, str) else None

    @property
    def linked(self) -> bool:
        """Whether it is linked to a change or to design work (from ``planned`` on)."""
        return self.change_id is not None or self.design_id is not None

    @property
    def approved_by(self) -> str | None:
        """Who approved it (an actor id), or ``None``."""
        entry = latest_entry(self.lifecycle, "approve")
        return None if entry is None else entry.who

    @property
    def results(self) -> str | None:
        """The results its review measured (``None`` until reviewed)."""
        entry = latest_entry(self.lifecycle, "review")
        return None if entry is None else str(entry.data["results"])

    @property
    def benefit_realised(self) -> bool | None:
        """Whether its review found the benefit realised (``None`` until reviewed)."""
        entry = latest_entry(self.lifecycle, "review")
        return None if entry is None else bool(entry.data["benefit_realised"])
