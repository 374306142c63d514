"""The register of operations records under one agreement, and the questions it answers (S09).

An `OperationsRegister` holds an agreement with its incidents, service requests,
problems, changes and releases, checked to belong together, and answers the
questions service level management asks of them, each *as of* an instant: the
records are read as they stood then, so a report for October run in December gives
the same answers as one run on 1 November with ``as_of`` the end of October. The
answers are plain values (dicts and tuples of records and `cloudsms.operations.
clocks.Timing` results); tables are for `cloudsms.reports`.

Serves S09 (the provider shows that it met its targets) and S10; ISO/IEC
20000-1:2011 6.1 (service level management), 8.1, 8.2 and 9.2.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import attrs

from cloudsms._foundation.frozen import as_tuple
from cloudsms._foundation.instants import instant_problems
from cloudsms._kit.checks import instance_problems, raise_problems
from cloudsms.agreements import CloudServiceAgreement, Metric
from cloudsms.errors import Problem as Finding
from cloudsms.errors import describe
from cloudsms.operations.changes import Change, ChangeKind, ChangeOutcome
from cloudsms.operations.clocks import Timing, judge_resolution, judge_response
from cloudsms.operations.incidents import Incident
from cloudsms.operations.problems import Problem
from cloudsms.operations.releases import Release
from cloudsms.operations.requests import ServiceRequest
from cloudsms.periods import Period

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence

    from cloudsms.lifecycle import LifecycleInstance

__all__ = ["Breach", "IncidentTimes", "OperationsRegister"]

_SUBJECT = "Operations register"
_UTC = dt.UTC
_OPEN = frozenset({"opened", "acknowledged", "waiting", "restored"})


@attrs.frozen(kw_only=True)
class IncidentTimes:
    """One incident's response and resolution, each judged (``None``: no target applies).

    A result of `OperationsRegister.incident_times`; it carries no checks.
    """

    incident: Incident
    response: Timing | None
    resolution: Timing | None


@attrs.frozen(kw_only=True)
class Breach:
    """A response or resolution that missed its target: the incident and the judged figure.

    A result of `OperationsRegister.breaches`; it carries no checks.
    """

    incident: Incident
    timing: Timing

    @property
    def metric(self) -> Metric:
        """What was missed: incident response or resolution time."""
        return self.timing.metric


def _ids_problems(records: Sequence[object], kind: type, key: str) -> Iterator[Finding]:
    seen: dict[str, int] = {}
    for index, record in enumerate(records):
        path = f"$.{key}[{index}]"
        found = instance_problems(record, kind, path)
        if found:
            yield from found
            continue
        ident: str = getattr(record, "id", "")
        if ident in seen:
            yield Finding(f"{path}.id", f"an id not used by {key}[{seen[ident]}]", describe(ident))
        else:
            seen[ident] = index


def _state_at(instance: LifecycleInstance, as_of: dt.datetime) -> str:
    """Where ``instance`` stood at ``as_of``: the target of its last entry by then."""
    limit = as_of.astimezone(_UTC)
    state = instance.origin or instance.lifecycle.initial
    for entry in instance.entries:
        if entry.when.astimezone(_UTC) > limit:
            break
        state = entry.target
    return state


def _first_by(instance: LifecycleInstance, event: str, as_of: dt.datetime) -> dt.datetime | None:
    limit = as_of.astimezone(_UTC)
    for entry in instance.entries:
        if entry.when.astimezone(_UTC) > limit:
            return None
        if entry.event == event:
            return entry.when
    return None


def _within(period: Period, instant: dt.datetime | None) -> bool:
    if instant is None:
        return False
    moment = instant.astimezone(_UTC)
    return period.start.astimezone(_UTC) <= moment < period.end.astimezone(_UTC)


class OperationsRegister:
    """The operations records kept under one agreement, checked to belong to it.

    Ids are unique among the records of each kind; every incident and service
    request names the agreement (``agreement_id``) and every incident's priority is
    on the agreement's scale. Problems, changes and releases name no agreement and
    are taken as given. Each question takes ``as_of``, an aware instant: history
    entries after it are ignored, and records opened after it do not exist yet.

    A register is a view for questions, not a document: it is built from records
    read on their own (``cloudsms incident list`` reads them from a records file),
    and its fields are read-only.

    Serves S09 and S10; ISO/IEC 20000-1:2011 6.1, 8.1, 8.2, 9.2.

    Raises:
        ValidationError: every problem, each with its path: a record of the wrong
            type (``$.incidents[2]``), an id used twice (``$.changes[1].id``), a
            record of another agreement (``$.incidents[0].agreement_id``), a priority
            off the scale (``$.incidents[0].priority``).
    """

    __slots__ = ("_agreement", "_changes", "_incidents", "_problems", "_releases", "_requests")

    def __init__(
        self,
        *,
        agreement: CloudServiceAgreement,
        incidents: Iterable[Incident] = (),
        requests: Iterable[ServiceRequest] = (),
        problems: Iterable[Problem] = (),
        changes: Iterable[Change] = (),
        releases: Iterable[Release] = (),
    ) -> None:
        self._agreement = agreement
        self._incidents: tuple[Incident, ...] = as_tuple(incidents)
        self._requests: tuple[ServiceRequest, ...] = as_tuple(requests)
        self._problems: tuple[Problem, ...] = as_tuple(problems)
        self._changes: tuple[Change, ...] = as_tuple(changes)
        self._releases: tuple[Release, ...] = as_tuple(releases)
        self._check()

    @property
    def agreement(self) -> CloudServiceAgreement:
        """The agreement the records are kept under."""
        return self._agreement

    @property
    def incidents(self) -> tuple[Incident, ...]:
        """The incidents, in the order given."""
        return self._incidents

    @property
    def requests(self) -> tuple[ServiceRequest, ...]:
        """The service requests, in the order given."""
        return self._requests

    @property
    def problems(self) -> tuple[Problem, ...]:
        """The problems, in the order given."""
        return self._problems

    @property
    def changes(self) -> tuple[Change, ...]:
        """The changes, in the order given."""
        return self._changes

    @property
    def releases(self) -> tuple[Release, ...]:
        """The releases, in the order given."""
        return self._releases

    def __repr__(self) -> str:
        counts = ", ".join(
            f"{key}={len(getattr(self, key))}"
            for key in ("incidents", "requests", "problems", "changes", "releases")
        )
        return f"OperationsRegister(agreement={self._agreement.id!r}, {counts})"

    def _check(self) -> None:
        found = instance_problems(self.agreement, CloudServiceAgreement, "$.agreement")
        raise_problems(found, _SUBJECT)
        found += _ids_problems(self.incidents, Incident, "incidents")
        found += _ids_problems(self.requests, ServiceRequest, "requests")
        found += _ids_problems(self.problems, Problem, "problems")
        found += _ids_problems(self.changes, Change, "changes")
        found += _ids_problems(self.releases, Release, "releases")
        agreement_id = self.agreement.id
        scale = self.agreement.priorities.ids
        subscribed = self.agreement.service_ids
        for key, records in (("incidents", self.incidents), ("requests", self.requests)):
            for index, record in enumerate(records):
                if isinstance(record, Incident | ServiceRequest):
                    if record.agreement_id != agreement_id:
                        found.append(
                            Finding(
                                f"$.{key}[{index}].agreement_id",
                                f"the register's agreement {agreement_id!r}",
                                describe(record.agreement_id),
                            )
                        )
                    if isinstance(record, Incident) and not record.services <= subscribed:
                        found.append(
                            Finding(
                                f"$.{key}[{index}].services",
                                "services the agreement subscribes ("
                                + ", ".join(sorted(subscribed))
                                + ")",
                                ", ".join(sorted(record.services - subscribed)),
                            )
                        )
                    if isinstance(record, Incident) and record.priority not in scale:
                        found.append(
                            Finding(
                                f"$.{key}[{index}].priority",
                                f"a priority of the agreement's scale ({', '.join(scale)})",
                                describe(record.priority),
                            )
                        )
        raise_problems(found, _SUBJECT)

    # ------------------------------------------------------------------ questions
    @staticmethod
    def _checked(as_of: object, period: object = None, *, with_period: bool = False) -> None:
        found = instant_problems(as_of, "$.as_of")
        if with_period:
            found += instance_problems(period, Period, "$.period")
        raise_problems(found, _SUBJECT)

    def _existing(self, as_of: dt.datetime) -> Iterator[Incident]:
        limit = as_of.astimezone(_UTC)
        return (i for i in self.incidents if i.opened_at.astimezone(_UTC) <= limit)

    def open_incidents_by_priority(self, as_of: dt.datetime) -> dict[str, tuple[Incident, ...]]:
        """The incidents open at ``as_of``, per priority of the scale (most urgent first).

        Open: opened by then and not yet resolved (opened, acknowledged, waiting on
        the customer or restored). Every priority of the scale is a key, with an
        empty tuple when none is open; incidents keep the register's order.

        Raises:
            ValidationError: ``as_of`` is not an aware instant (``$.as_of``).
        """
        self._checked(as_of)
        found: dict[str, list[Incident]] = {p: [] for p in self.agreement.priorities.ids}
        for incident in self._existing(as_of):
            if _state_at(incident.lifecycle, as_of) in _OPEN:
                found[incident.priority].append(incident)
        return {priority: tuple(items) for priority, items in found.items()}

    def incident_times(self, period: Period, as_of: dt.datetime) -> tuple[IncidentTimes, ...]:
        """Each incident opened in ``period`` (by ``as_of``), its response and resolution judged.

        Each figure is as it stood at ``as_of``: a clock still running then is
        judged on the time so far (`Timing.final` is ``False``). The register's
        order is kept.

        Raises:
            ValidationError: ``as_of`` is not an aware instant or ``period`` not a
                `cloudsms.periods.Period` (``$.as_of``, ``$.period``).
        """
        self._checked(as_of, period, with_period=True)
        return tuple(
            IncidentTimes(
                incident=incident,
                response=judge_response(incident, self.agreement, as_of=as_of),
                resolution=judge_resolution(incident, self.agreement, as_of=as_of),
            )
            for incident in self._existing(as_of)
            if _within(period, incident.opened_at)
        )

    def breaches(self, period: Period, as_of: dt.datetime) -> tuple[Breach, ...]:
        """Responses and resolutions of incidents opened in ``period`` that missed their target.

        Read as `incident_times` reads them: a clock still running at ``as_of`` that
        is already past its target has missed it (it can only grow). An incident
        with both missed appears twice, response first.

        Raises:
            ValidationError: as `incident_times`.
        """
        return tuple(
            Breach(incident=times.incident, timing=timing)
            for times in self.incident_times(period, as_of)
            for timing in (times.response, times.resolution)
            if timing is not None and not timing.met
        )

    def mean_time_to_restore(self, period: Period, as_of: dt.datetime) -> dt.timedelta | None:
        """The mean wall-clock time to restore, over the incidents first restored in ``period``.

        From each incident's opening to its first restoration, on the wall clock
        (the time customers were without the service). The incidents counted are
        those first restored within ``period`` and by ``as_of``; ``None`` when there
        is none. The mean is rounded to the microsecond as `datetime.timedelta`
        division rounds.

        Raises:
            ValidationError: as `incident_times`.
        """
        self._checked(as_of, period, with_period=True)
        spans: list[dt.timedelta] = []
        for incident in self._existing(as_of):
            restored = _first_by(incident.lifecycle, "restore", as_of)
            if _within(period, restored):
                assert restored is not None  # noqa: S101 - _within says so
                spans.append(restored.astimezone(_UTC) - incident.opened_at.astimezone(_UTC))
        if not spans:
            return None
        return sum(spans, dt.timedelta()) / len(spans)

    def changes_by_kind_and_outcome(
        self, period: Period, as_of: dt.datetime
    ) -> dict[ChangeKind, dict[ChangeOutcome | None, tuple[Change, ...]]]:
        """The changes implemented in ``period`` (by ``as_of``), by kind and then by outcome.

        Every kind is a key (in `ChangeKind` order), each mapping to the outcomes
        seen: the outcome the ``close`` event recorded by ``as_of``, or ``None`` for a
        change not yet closed then. The register's order is kept.

        Raises:
            ValidationError: as `incident_times`.
        """
        self._checked(as_of, period, with_period=True)
        found: dict[ChangeKind, dict[ChangeOutcome | None, list[Change]]] = {
            kind: {} for kind in ChangeKind
        }
        for change in self.changes:
            if not _within(period, _first_by(change.lifecycle, "implement", as_of)):
                continue
            outcome: ChangeOutcome | None = None
            if _first_by(change.lifecycle, "close", as_of) is not None:
                outcome = change.outcome
            found[change.kind].setdefault(outcome, []).append(change)
        return {
            kind: {outcome: tuple(items) for outcome, items in outcomes.items()}
            for kind, outcomes in found.items()
        }
