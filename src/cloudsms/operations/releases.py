"""Releases: changes bundled, built, tested and deployed together to the services (S09).

A `Release` names the changes it bundles, the cloud services it updates and when its
deployment is planned; its `RELEASE_LIFECYCLE` instance records when it was built,
tested and actually deployed.

How it meets the service lifecycle of S05: ``services`` are
`cloudsms.services.CloudService` ids. A release updates services that already run;
it never moves a service through its own lifecycle. Bringing a new or changed
service into live use is the procedure `cloudsms.procedures.release.release_to_live`
(S05), which moves the service from ``tested`` to ``live`` and publishes its
catalogue entry. A release that carries a new service is deployed together with
that procedure: the release records the deployment, the procedure moves the
service. (`cloudsms.procedures.release.Release` is that procedure's result, not
this record.)

Serves S09 (releases of changes into the live services) and S05 (transition into
live use); ISO/IEC 20000-1:2011 9.3 (release and deployment management).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import attrs

from cloudsms._foundation.frozen import as_frozenset
from cloudsms._kit.checks import binding_problems, id_set, ident, own_id
from cloudsms._kit.documents import document
from cloudsms._kit.records import Check, Record, one_or_more
from cloudsms.lifecycle import Lifecycle, LifecycleInstance, Transition
from cloudsms.periods import Period

if TYPE_CHECKING:
    from collections.abc import Iterator

    from cloudsms.errors import Problem as Finding

__all__ = ["RELEASE_LIFECYCLE", "RELEASE_STATES", "Release"]


RELEASE_STATES: tuple[str, ...] = (
    "planned",
    "built",
    "tested",
    "deployed",
    "closed",
    "cancelled",
)
"""The states of a release (S09), in order; ``closed`` and ``cancelled`` are final."""

RELEASE_LIFECYCLE = Lifecycle(
    name="release",
    states=RELEASE_STATES,
    initial="planned",
    finals=("closed", "cancelled"),
    transitions=(
        Transition(source="planned", event="build", target="built"),
        Transition(source="built", event="test", target="tested"),
        Transition(source="tested", event="deploy", target="deployed"),
        Transition(source="deployed", event="close", target="closed"),
        Transition(source="planned", event="cancel", target="cancelled"),
        Transition(source="built", event="cancel", target="cancelled"),
        Transition(source="tested", event="cancel", target="cancelled"),
    ),
)
"""The lifecycle of a release (S09): planned, built, tested, deployed, closed.

Each step in order: a release is not deployed before it is tested, nor tested
before it is built. ``deploy``'s entry is the actual deployment (its ``when``);
``close`` ends a deployed release. ``cancel`` drops a release at any point before
its deployment; a deployed release is undone by a new change, not cancelled."""


def _planned(record: object) -> LifecycleInstance:
    return RELEASE_LIFECYCLE.begin(id=own_id(record))


def _release_instance_problems(value: object, path: str) -> list[Finding]:
    lifecycle: Lifecycle = RELEASE_LIFECYCLE
    return lifecycle.instance_problems(value, path)


@document("cloudsms.release", version=1)
@attrs.frozen(kw_only=True)
class Release(Record):
    """Changes deployed together to cloud services, planned for a period, deployed once.

    ``change_ids`` names the changes it bundles (one or more
    `cloudsms.operations.Change` ids); ``services`` the cloud services it updates
    (one or more `cloudsms.services.CloudService` ids); ``planned`` the
    `cloudsms.periods.Period` its deployment is planned in. ``lifecycle`` is its
    `RELEASE_LIFECYCLE` instance (planned, bound to the release's id, by default);
    `state` reads it, `cloudsms.lifecycle.advance` moves it, and `deployed_at` is
    the actual deployment read from it. A release does not move the services it
    updates through the S05 service lifecycle: see the module's docs.

    A persisted document (``cloudsms.release``, schema version 1).

    Serves S09 and S05; ISO/IEC 20000-1:2011 9.3.

    Raises:
        ValidationError: every problem of the fields, each with its path: no
            change or no service, a ``planned`` that is not a Period, an instance of
            another lifecycle (at ``$.lifecycle``).

    Examples:
        >>> from cloudsms.lifecycle import advance
        >>> night = Period.day(dt.date(2026, 10, 10), "Europe/Berlin")
        >>> release = Release(id="rel-4", change_ids={"chg-9"}, services={"crm"}, planned=night)
        >>> for event in ("build", "test", "deploy"):
        ...     release = advance(release, event, who="actor:ops-2", when=night.start)
        >>> release.state, release.deployed_at == night.start, release.deployed_as_planned
        ('deployed', True, True)
    """

    id: str = attrs.field(validator=ident)
    change_ids: frozenset[str] = attrs.field(
        validator=id_set(of="change") & one_or_more("change ids"), converter=as_frozenset
    )
    services: frozenset[str] = attrs.field(
        validator=id_set(of="service") & one_or_more("service ids"), converter=as_frozenset
    )
    planned: Period
    lifecycle: LifecycleInstance = attrs.field(
        default=attrs.Factory(_planned, takes_self=True),
        validator=Check(_release_instance_problems, total=True),
    )

    def _rules(self) -> Iterator[Finding]:
        """The trail is bound to this record's id."""
        yield from binding_problems(self)

    @property
    def state(self) -> str:
        """Where the release stands in `RELEASE_LIFECYCLE`: its instance's state."""
        return self.lifecycle.state

    @property
    def deployed_at(self) -> dt.datetime | None:
        """The actual deployment: the ``deploy`` entry's instant (``None`` if not deployed)."""
        return next((e.when for e in self.lifecycle.entries if e.event == "deploy"), None)

    @property
    def deployed_as_planned(self) -> bool | None:
        """Whether the deployment fell in the planned period (``None`` if not deployed)."""
        deployed = self.deployed_at
        if deployed is None:
            return None
        start, end = self.planned.start.astimezone(dt.UTC), self.planned.end.astimezone(dt.UTC)
        return start <= deployed.astimezone(dt.UTC) < end
