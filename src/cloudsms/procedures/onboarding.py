"""Onboarding a customer (S08): the plan of who does what by when, run to a verified delivery.

A new agreement is not yet a working service. `plan_onboarding` derives a plan for
one customer from the template of the deployment model it bought (public, private,
community or hybrid), declared as data in ``onboarding_templates.json`` beside this
module: each activity has an owner (the provider, the customer, or both), a
deadline counted from the start of onboarding on the agreement's calendar, and the
activities that must be complete before it. In a public offering the customer does
more itself (users, access channel, data, workload through self-service); in a
private one the provider does most, in an environment dedicated to the customer.
The agreement has the last word on owners: a template activity that names the
activity of the agreement's responsibilities it carries out (S07) goes to the
parties the agreement names for it, and the plan records where each owner came from.
The activities cover what S08 lists: the tenancy (dedicated or multi-tenant), the
resource allocations, users, roles and permissions, the access channel, management
and monitoring access for the customer's administrators, the information security
policy handed over, data migration under its security controls, secure network
links, integration through standard changes, training, documentation, the
customer's own workload, and a verification against the requirements traced to the
agreement (S04).

`OnboardingProcedure` runs the plan on the lifecycle core (`ONBOARDING_LIFECYCLE`)
with its audit trail; the plan sits in the instance's context, which the trail's
genesis hash covers, so no deadline or requirement can be changed afterwards. The
states, in words::

    planned --begin_work--> in_progress (at or after the plan's start)
    in_progress --complete--> in_progress (one activity, its prerequisites complete)
    in_progress --verify--> in_progress (one VerificationCheck of a traced requirement)
    in_progress --deliver--> delivered (final: the gate)
    planned, in_progress --cancel--> cancelled (final: the customer walks away, or
        the provider stops, before delivery; the reason is recorded)

Invariants, each enforced by a guard and checked by the stateful tests of
`cloudsms.testing`:

- no activity is complete before every one of its prerequisites;
- the resource allocation is complete only through `allocate_resources`, which
  carries the customer's resource requests out (so the cost profile starts), and
  the integration only with closed, successful standard changes
  (`OnboardingProcedure.complete_integration`) — raw ``apply`` takes the data's
  word, as a lifecycle cannot see allocations or changes;
- the service counts as delivered only after the gate: every activity complete and
  every requirement traced to the agreement with a passing latest check (a later
  check of a requirement supersedes an earlier one); a refusal names each
  requirement that failed or was never checked;
- an event that is not allowed, or that its guard refuses, raises
  `InvalidTransition` and changes nothing; the trail is append-only and verifiable.

Serves S08 (onboarding the customer) and the clauses of ISO/IEC 20000-1:2011 that
S08 lists: 4.3 (documentation management: the plan and the trail), 6.1 (service
level management: verification against the agreed requirements), 6.3 (service
continuity and availability), 6.4 (budgeting and accounting: the cost profile
starts with the allocation), 6.5 (capacity management: resources allocated), 6.6
(information security management: the policy handed over, access, secure links,
data migration controls), 7.1 (business relationship management), 7.2 (supplier
management), 8.1 (incident and service request management), 8.2 (problem
management), 9.1 (configuration management: records of the allocated resources),
9.2 (change management: integration as standard changes) and 9.3 (release and
deployment management).

Examples:
    >>> ONBOARDING_LIFECYCLE.allowed_events("in_progress")
    ('complete', 'verify', 'deliver', 'cancel')
    >>> ONBOARDING_LIFECYCLE.transition("planned", "deliver") is None  # never straight away
    True
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import json
from collections.abc import Callable, Iterable, Mapping
from importlib import resources as _package_data
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal, cast

import attrs
from dateutil.relativedelta import relativedelta

from cloudsms._foundation.frozen import FrozenMapping, as_frozen_mapping, as_frozenset, as_tuple
from cloudsms._foundation.instants import RANGE_TEXT, instant_key, load_zone, zone_key
from cloudsms._kit.checks import (
    calendar_length_problems,
    ident,
    instance_problems,
    instant,
    raise_problems,
    text,
)
from cloudsms._kit.converter import from_dict, to_dict
from cloudsms._kit.documents import document
from cloudsms._kit.durations import format_duration
from cloudsms._kit.records import Check, Record
from cloudsms.agreements import Activity, CloudServiceAgreement, ResponsibleParty, check_agreement
from cloudsms.catalogue import Catalogue
from cloudsms.configuration import ConfigurationRecord
from cloudsms.errors import InvalidTransition, Problem, ValidationError, describe
from cloudsms.lifecycle import (
    Attempt,
    Lifecycle,
    LifecycleInstance,
    Transition,
)
from cloudsms.operations.changes import Change, ChangeKind, ChangeOutcome
from cloudsms.periods import add_calendar, aware, timezone
from cloudsms.procedures._stepping import BoundedCache, moved, procedure_problems
from cloudsms.procedures.resource_change import ResourceChange, carry_out
from cloudsms.requirements import RequirementRegister
from cloudsms.resources import (
    Allocation,
    ResourcePool,
    ResourceRequest,
    ResourceRequestKind,
    ResourceType,
)
from cloudsms.services import DeploymentModel, ServiceCategory

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = [
    "ONBOARDING_LIFECYCLE",
    "TEMPLATES_VERSION",
    "OnboardingActivity",
    "OnboardingActivityKind",
    "OnboardingAllocation",
    "OnboardingPlan",
    "OnboardingProcedure",
    "OnboardingTemplate",
    "TemplateActivity",
    "Tenancy",
    "VerificationCheck",
    "VerificationResult",
    "allocate_resources",
    "load_onboarding_templates",
    "onboarding_templates",
    "plan_onboarding",
]

_SUBJECT = "onboarding"
_PLAN_SUBJECT = "Onboarding plan"
_TEMPLATE_SUBJECT = "Onboarding templates"

TEMPLATES_VERSION: Final = 1
"""The version of the templates file's syntax cloudsms reads (its ``version`` key)."""

Owner = Literal["provider", "customer", "both"]
"""Which party carries out an activity."""

_OWNERS: Final = ("provider", "customer", "both")

OwnerSource = Literal["template", "agreement"]
"""Where a plan activity's owner comes from: its template, or the agreement's responsibilities."""

_OWNER_SOURCES: Final = ("template", "agreement")


def _utc(instant_: dt.datetime) -> dt.datetime:
    return instant_.astimezone(dt.UTC)


class OnboardingActivityKind(enum.StrEnum):
    """What an onboarding activity does (S08).

    - ``tenancy``: the customer's environment is set up, dedicated or shared.
    - ``resource allocation``: resources are allocated through resource requests.
    - ``identity and access``: users, roles and permissions are registered.
    - ``access channel``: the way into the service is configured.
    - ``management access``: the customer's administrators get the management functions.
    - ``monitoring access``: the customer's administrators get the monitoring interfaces.
    - ``security information``: the customer receives the information security
      policy and how its information assets are handled.
    - ``data migration``: the customer's data moves in under its security controls.
    - ``network links``: secure links join the customer's environment to the service.
    - ``integration``: standard changes connect the service to the customer's systems.
    - ``training``: the customer's users and administrators are trained.
    - ``documentation``: the customer receives the technical documentation.
    - ``customer workload``: the customer moves its components in (IaaS, PaaS) or
      configures the application (SaaS).
    - ``verification``: the service is checked against the traced requirements.
    """

    TENANCY = "tenancy"
    RESOURCE_ALLOCATION = "resource allocation"
    IDENTITY_AND_ACCESS = "identity and access"
    ACCESS_CHANNEL = "access channel"
    MANAGEMENT_ACCESS = "management access"
    MONITORING_ACCESS = "monitoring access"
    SECURITY_INFORMATION = "security information"
    DATA_MIGRATION = "data migration"
    NETWORK_LINKS = "network links"
    INTEGRATION = "integration"
    TRAINING = "training"
    DOCUMENTATION = "documentation"
    CUSTOMER_WORKLOAD = "customer workload"
    VERIFICATION = "verification"


class Tenancy(enum.StrEnum):
    """The customer's environment: its own (``dedicated``) or shared (``multi-tenant``)."""

    DEDICATED = "dedicated"
    MULTI_TENANT = "multi-tenant"


_TENANCY_OF: Final[Mapping[DeploymentModel, Tenancy]] = FrozenMapping(
    {
        DeploymentModel.PUBLIC: Tenancy.MULTI_TENANT,
        DeploymentModel.COMMUNITY: Tenancy.MULTI_TENANT,
        DeploymentModel.PRIVATE: Tenancy.DEDICATED,
        DeploymentModel.HYBRID: Tenancy.DEDICATED,
    }
)
"""The tenancy each deployment model gives: a hybrid's private part is dedicated."""


class VerificationResult(enum.StrEnum):
    """How a verification of one requirement came out."""

    PASSED = "passed"
    FAILED = "failed"


# ---------------------------------------------------------------------- templates
def _owner_problems(value: object, path: str) -> list[Problem]:
    if isinstance(value, str) and value in _OWNERS:
        return []
    return [Problem(path, "an owner: 'provider', 'customer' or 'both'", describe(value))]


_owner = Check(_owner_problems, total=True)


def _owner_source_problems(value: object, path: str) -> list[Problem]:
    if isinstance(value, str) and value in _OWNER_SOURCES:
        return []
    return [
        Problem(path, "where the owner comes from: 'template' or 'agreement'", describe(value))
    ]


_owner_source = Check(_owner_source_problems, total=True)


def _key_list_problems(value: object, path: str) -> list[Problem]:
    return [
        Problem(f"{path}[{i}]", "an activity key", describe(key))
        for i, key in enumerate(cast("tuple[object, ...]", value))
        if not isinstance(key, str) or not key
    ]


_keys = Check(_key_list_problems)


def _due_problems(value: object, path: str) -> list[Problem]:
    """`calendar_length`, the length shown as ISO 8601 text (``-P1D``) when it has one."""
    found = calendar_length_problems(value, path)
    if found and isinstance(value, relativedelta):
        try:
            shown = repr(format_duration(value))
        except ValidationError:
            return found
        found = [p._replace(got=shown) for p in found]
    return found


_due = Check(_due_problems, total=True)


@attrs.frozen(kw_only=True)
class TemplateActivity(Record):
    """One activity of an onboarding template, before it is dated for a customer (S08).

    ``due`` is a calendar length counted from the plan's start; ``categories`` the
    service categories it applies to (empty: every category); ``prerequisites`` the
    keys of the activities of its template that come first. ``agreement_activity``,
    when given, is the activity of an agreement's responsibilities (S07,
    `cloudsms.agreements.Activity`) that this one carries out: a plan takes its owner
    from whoever the agreement names for it, ``owner`` standing only where the
    agreement names no party (see `plan_onboarding`).

    Raises:
        ValidationError: every problem of the fields, each with its path.
    """

    key: str = attrs.field(validator=ident)
    kind: OnboardingActivityKind
    owner: Owner = attrs.field(validator=_owner)
    due: relativedelta = attrs.field(validator=_due)
    prerequisites: tuple[str, ...] = attrs.field(default=(), converter=as_tuple, validator=_keys)
    categories: frozenset[ServiceCategory] = attrs.field(
        default=frozenset(), converter=as_frozenset
    )
    what: str = attrs.field(validator=text)
    agreement_activity: Activity | None = None

    def applies_to(self, categories: Iterable[ServiceCategory]) -> bool:
        """Whether the activity applies to a service of one of ``categories``."""
        return not self.categories or any(c in self.categories for c in categories)


_REFERENCE_STARTS: Final = (
    dt.datetime(2001, 1, 31, tzinfo=dt.UTC),
    dt.datetime(2000, 2, 29, tzinfo=dt.UTC),
    dt.datetime(2001, 3, 1, tzinfo=dt.UTC),
)
"""Starts on which a template's deadlines are compared: a month end, a leap day, a
month start, so a length of months and one of days are compared where they differ."""


def _cycle(graph: Mapping[str, tuple[str, ...]]) -> list[str] | None:
    """A cycle of prerequisites in ``graph`` (first key repeated at the end), or None."""
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(key: str) -> list[str] | None:
        state[key] = 1
        path.append(key)
        for nxt in graph.get(key, ()):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt in graph and nxt not in state:
                found = visit(nxt)
                if found is not None:
                    return found
        path.pop()
        state[key] = 2
        return None

    for key in graph:
        if key not in state:
            found = visit(key)
            if found is not None:
                return found
    return None


@attrs.frozen(kw_only=True)
class OnboardingTemplate(Record):
    """The onboarding activities of one deployment model, in the order a plan lists them (S08).

    Raises:
        ValidationError: every problem of the fields, each with its path — among
            them a tenancy other than the model's (public and community share a
            multi-tenant environment; private and hybrid have a dedicated one), a
            key used twice, an unknown prerequisite, a cycle of prerequisites, a
            prerequisite whose deadline may come after its dependant's, or no
            verification activity.
    """

    deployment_model: DeploymentModel
    tenancy: Tenancy
    activities: tuple[TemplateActivity, ...] = attrs.field(converter=as_tuple)

    def _rules(self) -> Iterator[Problem]:
        """The tenancy follows the model; prerequisites are known, acyclic and due first."""
        wanted = _TENANCY_OF[self.deployment_model]
        if self.tenancy is not wanted:
            expected = f"{wanted.value!r}, the tenancy of a {self.deployment_model.value} model"
            yield Problem("tenancy", expected, repr(self.tenancy.value))
        index: dict[str, int] = {}
        for i, activity in enumerate(self.activities):
            if activity.key in index:
                yield Problem(f"activities[{i}].key", "a key used once", repr(activity.key))
            index.setdefault(activity.key, i)
        yield from self._prerequisite_rules(index)
        graph = {a.key: a.prerequisites for a in self.activities}
        cycle = _cycle(graph)
        if cycle is not None and len(cycle) > 2:  # noqa: PLR2004 - a self-loop is reported above
            yield Problem(
                "activities", "prerequisites without a cycle", " -> ".join(repr(k) for k in cycle)
            )
        if not any(a.kind is OnboardingActivityKind.VERIFICATION for a in self.activities):
            yield Problem("activities", "a verification activity", "none")

    def _prerequisite_rules(self, index: Mapping[str, int]) -> Iterator[Problem]:
        for i, activity in enumerate(self.activities):
            for j, key in enumerate(activity.prerequisites):
                path = f"activities[{i}].prerequisites[{j}]"
                if key not in index:
                    yield Problem(path, "the key of an activity of the template", repr(key))
                elif key == activity.key:
                    yield Problem(path, "another activity's key (not its own)", repr(key))
                elif not _due_first(self.activities[index[key]].due, activity.due):
                    expected = (
                        f"a prerequisite due no later than {activity.key!r}"
                        f" ({format_duration(activity.due)})"
                    )
                    later = format_duration(self.activities[index[key]].due)
                    yield Problem(path, expected, f"{key!r}, due {later}")


def _due_first(first: relativedelta, then: relativedelta) -> bool:
    return all(
        add_calendar(start, first) <= add_calendar(start, then) for start in _REFERENCE_STARTS
    )


def _template_problems(
    data: object,
) -> tuple[dict[DeploymentModel, OnboardingTemplate], list[Problem]]:
    if not isinstance(data, Mapping):
        return {}, [Problem("$", "an object with 'templates'", describe(data))]
    version = data.get("version")
    if type(version) is not int or version != TEMPLATES_VERSION:
        got = "none" if "version" not in data else describe(version)
        expected = f"the version of the template syntax cloudsms reads ({TEMPLATES_VERSION})"
        return {}, [Problem("$.version", expected, got)]
    templates = data.get("templates")
    if not isinstance(templates, Mapping):
        return {}, [
            Problem(
                "$.templates", "an object of templates by deployment model", describe(templates)
            )
        ]
    problems: list[Problem] = []
    found: dict[DeploymentModel, OnboardingTemplate] = {}
    models = {m.value: m for m in DeploymentModel}
    problems += [
        Problem(f"$.templates.{name}", "a template for every deployment model", "none")
        for name in sorted(set(models) - set(templates))
    ]
    for name, body in templates.items():
        path = f"$.templates.{name}"
        model = models.get(name)
        if model is None:
            known = ", ".join(repr(m) for m in models)
            problems.append(Problem(path, f"a deployment model: one of {known}", repr(name)))
            continue
        if not isinstance(body, Mapping):
            problems.append(Problem(path, "a template object", describe(body)))
            continue
        try:
            found[model] = from_dict(OnboardingTemplate, {**body, "deployment_model": name})
        except ValidationError as error:
            problems += [p._replace(path=path + p.path[1:]) for p in error.problems]
    return found, problems


def load_onboarding_templates(
    source: str | Path,
) -> Mapping[DeploymentModel, OnboardingTemplate]:
    """Read and check onboarding templates from a JSON file (``source``: a path).

    The file has the shape of the one cloudsms ships (``onboarding_templates.json``
    beside this module, whose ``description`` documents the syntax): ``version``
    `TEMPLATES_VERSION` and a template for every `DeploymentModel` under
    ``templates``. Serves S08.

    Raises:
        ValidationError: the file cannot be read or is not JSON (at ``$``); another
            ``version``, or none (at ``$.version``); a template is missing or
            unknown, or breaks a rule of `OnboardingTemplate` (each problem at its
            path, such as
            ``$.templates.public.activities[3].prerequisites[0]``).
    """
    try:
        raw = Path(source).read_text("utf-8")
        data = json.loads(raw)
    except (OSError, ValueError) as error:
        raise ValidationError.single(
            "$",
            "a readable JSON file of onboarding templates",
            str(error),
            subject=_TEMPLATE_SUBJECT,
        ) from None
    return _checked_templates(data)


def _checked_templates(data: object) -> Mapping[DeploymentModel, OnboardingTemplate]:
    found, problems = _template_problems(data)
    raise_problems(problems, _TEMPLATE_SUBJECT)
    return FrozenMapping({m: found[m] for m in DeploymentModel})


@functools.cache
def onboarding_templates() -> Mapping[DeploymentModel, OnboardingTemplate]:
    """The templates cloudsms ships, one per deployment model, read and checked on first use."""
    raw = (
        _package_data.files("cloudsms.procedures")
        .joinpath("onboarding_templates.json")
        .read_text("utf-8")
    )
    return _checked_templates(json.loads(raw))


# ---------------------------------------------------------------------- the plan
def _optional_key(value: dt.datetime | None) -> tuple[dt.datetime, str] | None:
    return None if value is None else instant_key(value)


@attrs.frozen(kw_only=True)
class OnboardingActivity(Record):
    """One dated activity of a customer's onboarding plan (S08).

    ``due`` is its deadline, aware and in the agreement's zone; ``prerequisites``
    the keys of the plan's activities that must be complete first; ``services`` the
    subscribed services it concerns. ``agreement_activity`` is the activity of the
    agreement's responsibilities it carries out (S07), if its template names one;
    ``owner_from`` says where ``owner`` comes from: ``"agreement"`` (the parties the
    agreement names for ``agreement_activity``) or ``"template"``.

    Raises:
        ValidationError: every problem of the fields, each with its path — among
            them an owner taken from the agreement without the agreement activity.
    """

    key: str = attrs.field(validator=ident)
    kind: OnboardingActivityKind
    owner: Owner = attrs.field(validator=_owner)
    due: dt.datetime = attrs.field(validator=instant, eq=instant_key)
    prerequisites: tuple[str, ...] = attrs.field(default=(), converter=as_tuple, validator=_keys)
    what: str = attrs.field(validator=text)
    services: tuple[str, ...] = attrs.field(default=(), converter=as_tuple)
    agreement_activity: Activity | None = None
    owner_from: OwnerSource = attrs.field(default="template", validator=_owner_source)

    def _rules(self) -> Iterator[Problem]:
        """An owner from the agreement names the agreement activity it comes from."""
        if self.owner_from == "agreement" and self.agreement_activity is None:
            yield Problem(
                "agreement_activity",
                "the agreement activity the owner was taken from (owner_from is 'agreement')",
                "null",
            )


def _zone_problems(value: object, path: str) -> list[Problem]:
    found = load_zone(value, path)
    return found if isinstance(found, list) else []


def _positive(value: int, path: str) -> list[Problem]:
    return [] if value >= 1 else [Problem(path, "a version of 1 or more", str(value))]


@attrs.frozen(kw_only=True)
class OnboardingPlan(Record):
    """Who does what by when to onboard one customer under one agreement (S08).

    Built by `plan_onboarding` from the template of ``deployment_model``. ``start``
    is when onboarding begins; every instant is aware and in the agreement's zone
    (``timezone``). ``services`` are the subscribed services (sorted),
    ``requirement_ids`` the requirements traced to the agreement (sorted; empty when
    no register was given) that the verification gate checks, and ``activities``
    the activities in template order. The plan round-trips through JSON exactly;
    `OnboardingProcedure` keeps it in its trail's context.

    Raises:
        ValidationError: every problem of the fields, each with its path — among
            them a tenancy other than the model's, a key used twice, a prerequisite
            that is not an activity of the plan or is due after its dependant, a
            deadline before the start, an instant outside the agreement's zone, and
            services or requirement ids not sorted or repeated.
    """

    agreement_id: str = attrs.field(validator=ident)
    agreement_version: int = attrs.field(validator=Check(_positive))
    customer_id: str = attrs.field(validator=ident)
    provider: str = attrs.field(validator=text)
    timezone: str = attrs.field(validator=Check(_zone_problems, total=True))
    deployment_model: DeploymentModel
    tenancy: Tenancy
    start: dt.datetime = attrs.field(validator=instant, eq=instant_key)
    services: tuple[str, ...] = attrs.field(converter=as_tuple)
    requirement_ids: tuple[str, ...] = attrs.field(default=(), converter=as_tuple)
    activities: tuple[OnboardingActivity, ...] = attrs.field(converter=as_tuple)

    def _rules(self) -> Iterator[Problem]:
        """Tenancy, order, prerequisites and deadlines agree (class docs)."""
        wanted = _TENANCY_OF[self.deployment_model]
        if self.tenancy is not wanted:
            expected = f"{wanted.value!r}, the tenancy of a {self.deployment_model.value} model"
            yield Problem("tenancy", expected, repr(self.tenancy.value))
        for name in ("services", "requirement_ids"):
            values = getattr(self, name)
            if list(values) != sorted(set(values)):
                yield Problem(name, "ids sorted, each once", repr(list(values)))
        if not self.services:
            yield Problem("services", "one or more subscribed services", "none")
        if zone_key(self.start.tzinfo) != self.timezone:
            expected = f"an instant in the agreement's zone ({self.timezone})"
            yield Problem("start", expected, self.start.isoformat())
        yield from self._activity_rules()

    def _activity_rules(self) -> Iterator[Problem]:
        start = _utc(self.start)
        due: dict[str, dt.datetime] = {}
        for i, activity in enumerate(self.activities):
            if activity.key in due:
                yield Problem(f"activities[{i}].key", "a key used once", repr(activity.key))
            due.setdefault(activity.key, _utc(activity.due))
        for i, activity in enumerate(self.activities):
            path = f"activities[{i}]"
            if zone_key(activity.due.tzinfo) != self.timezone:
                expected = f"an instant in the agreement's zone ({self.timezone})"
                yield Problem(f"{path}.due", expected, activity.due.isoformat())
            if _utc(activity.due) < start:
                expected = f"a deadline no earlier than the start ({self.start.isoformat()})"
                yield Problem(f"{path}.due", expected, activity.due.isoformat())
            for j, key in enumerate(activity.prerequisites):
                where = f"{path}.prerequisites[{j}]"
                if key not in due or key == activity.key:
                    yield Problem(where, "the key of another activity of the plan", repr(key))
                elif due[key] > _utc(activity.due):
                    expected = f"a prerequisite due no later than {activity.key!r}"
                    yield Problem(where, expected, f"{key!r}, due later")

    @functools.cached_property
    def _by_key(self) -> dict[str, OnboardingActivity]:
        return {a.key: a for a in self.activities}

    def activity(self, key: str) -> OnboardingActivity:
        """The activity of ``key``.

        Raises:
            ValidationError: no activity of the plan has that key (at ``$.activity``).
        """
        given: object = key
        found = self._by_key.get(key) if isinstance(given, str) else None
        if found is None:
            raise ValidationError.single(
                "$.activity", _known_keys(self), describe(key), subject=_SUBJECT
            )
        return found

    def by_owner(self) -> Mapping[str, tuple[OnboardingActivity, ...]]:
        """The activities grouped by owner (provider, customer, both), each in plan order.

        Owners with no activity are left out.
        """
        groups = {
            owner: tuple(a for a in self.activities if a.owner == owner) for owner in _OWNERS
        }
        return FrozenMapping({owner: found for owner, found in groups.items() if found})


def _known_keys(plan: OnboardingPlan) -> str:
    return "an activity of the plan: one of " + ", ".join(repr(a.key) for a in plan.activities)


def _names_of(agreement: CloudServiceAgreement) -> frozenset[str]:
    """Every name a requirement's ``satisfied_by`` may use for what the agreement subscribes to."""
    names: set[str] = set()
    for sub in agreement.subscriptions:
        names.update(
            {
                sub.entry_id,
                f"catalogue-entry:{sub.entry_id}",
                f"{sub.entry_id}:{sub.offering_id}",
                f"offering:{sub.entry_id}:{sub.offering_id}",
                sub.offering_id,
                sub.service_id,
                f"service:{sub.service_id}",
            }
        )
    return frozenset(names)


def _start_instant(start: object, zone: dt.tzinfo) -> tuple[dt.datetime | None, list[Problem]]:
    if isinstance(start, dt.datetime):
        try:
            return aware(start, "$.start").astimezone(zone), []
        except ValidationError as error:
            return None, list(error.problems)
    if isinstance(start, dt.date):
        wall = dt.datetime(start.year, start.month, start.day, tzinfo=zone)
        try:
            real = wall.astimezone(dt.UTC).astimezone(zone)  # midnight skipped: the instant after
        except (OverflowError, ValueError):  # beyond Python's years 1-9999 in UTC
            return None, [
                Problem("$.start", f"a date whose start is {RANGE_TEXT}", start.isoformat())
            ]
        try:
            return aware(real, "$.start"), []
        except ValidationError as error:
            return None, list(error.problems)
    return None, [Problem("$.start", "a date, or a datetime with a time zone", describe(start))]


def _model_of(
    given: object, offered: Mapping[str, frozenset[DeploymentModel]]
) -> tuple[DeploymentModel | None, list[Problem]]:
    """The deployment model: the one given (offered by every entry), else the one all share."""
    shared = frozenset(DeploymentModel)
    for models in offered.values():
        shared &= models
    choices = ", ".join(repr(m.value) for m in DeploymentModel if m in shared) or "none"
    if given is None:
        if len(shared) == 1:
            return next(iter(shared)), []
        expected = (
            "a deployment model, since the subscribed entries share "
            + ("several" if shared else "none")
            + f" (choices: {choices})"
        )
        return None, [Problem("$.deployment_model", expected, "none given")]
    if not isinstance(given, str) or given not in {m.value for m in DeploymentModel}:
        known = ", ".join(repr(m.value) for m in DeploymentModel)
        return None, [
            Problem("$.deployment_model", f"a deployment model: one of {known}", describe(given))
        ]
    model = DeploymentModel(given)
    if model not in shared:
        lacking = sorted(e for e, models in offered.items() if model not in models)
        expected = f"a model every subscribed entry offers (choices: {choices})"
        verb = "does not offer" if len(lacking) == 1 else "do not offer"
        got = f"{model.value!r}, which {', '.join(repr(e) for e in lacking)} {verb}"
        return None, [Problem("$.deployment_model", expected, got)]
    return model, []


def _plan_prerequisites(
    template: OnboardingTemplate, kept: set[str]
) -> dict[str, tuple[str, ...]]:
    """Each kept activity's prerequisites, a left-out one replaced by its own (transitively)."""
    by_key = {a.key: a for a in template.activities}

    @functools.cache
    def through(key: str) -> tuple[str, ...]:
        if key in kept:
            return (key,)
        found: list[str] = []
        for nxt in by_key[key].prerequisites:
            found += [k for k in through(nxt) if k not in found]
        return tuple(found)

    result: dict[str, tuple[str, ...]] = {}
    for activity in template.activities:
        if activity.key in kept:
            found: list[str] = []
            for key in activity.prerequisites:
                found += [k for k in through(key) if k not in found]
            result[activity.key] = tuple(found)
    return result


def _given_templates(
    value: object,
) -> tuple[Mapping[DeploymentModel, OnboardingTemplate], list[Problem]]:
    """The templates to plan from (the shipped ones for None), or what is wrong with them."""
    if value is None:
        return onboarding_templates(), []
    if not isinstance(value, Mapping):
        expected = (
            "a mapping of deployment models to OnboardingTemplate (load_onboarding_templates)"
        )
        return {}, [Problem("$.templates", expected, describe(value))]
    models = {m.value: m for m in DeploymentModel}
    found: dict[DeploymentModel, OnboardingTemplate] = {}
    problems: list[Problem] = []
    for name, template in cast("Mapping[object, object]", value).items():
        model = models.get(name) if isinstance(name, str) else None
        if model is None:
            known = ", ".join(repr(m) for m in models)
            problems.append(
                Problem("$.templates", f"deployment models as keys: {known}", describe(name))
            )
            continue
        path = f"$.templates.{model.value}"
        if not isinstance(template, OnboardingTemplate):
            problems.append(Problem(path, "an OnboardingTemplate", describe(template)))
        elif template.deployment_model is not model:
            expected = f"{model.value!r}, the model the template is given for"
            got = repr(template.deployment_model.value)
            problems.append(Problem(f"{path}.deployment_model", expected, got))
        else:
            found[model] = template
    return found, problems


def _agreed_owner(agreement: CloudServiceAgreement, activity: Activity | None) -> Owner | None:
    """The owner the agreement's responsibilities give ``activity``, or None if they name no party.

    Holders who are partners (S06) act for one of the parties and say nothing of
    which: with no party among the holders, the template's owner stands.
    """
    if activity is None:
        return None
    holders = agreement.responsibilities.holders_of(activity)
    provider = ResponsibleParty.PROVIDER.value in holders
    customer = ResponsibleParty.CUSTOMER.value in holders
    if provider and customer:
        return "both"
    if provider:
        return "provider"
    if customer:
        return "customer"
    return None


def _deadline(start: dt.datetime, activity: TemplateActivity) -> dt.datetime:
    """The activity's deadline, or the start refused (``$.start``) when it falls out of range."""
    try:
        return add_calendar(start, activity.due)
    except ValidationError:
        expected = (
            f"a start from which every deadline is {RANGE_TEXT}"
            f" ({activity.key!r} is due {format_duration(activity.due)} after it)"
        )
        raise ValidationError.single(
            "$.start", expected, start.isoformat(), subject=_PLAN_SUBJECT
        ) from None


def plan_onboarding(
    agreement: CloudServiceAgreement,
    catalogue: Catalogue,
    *,
    start: dt.date | dt.datetime,
    requirements: RequirementRegister | None = None,
    deployment_model: DeploymentModel | str | None = None,
    templates: Mapping[DeploymentModel, OnboardingTemplate] | None = None,
) -> OnboardingPlan:
    """The onboarding plan of ``agreement``'s customer, starting at ``start`` (S08).

    ``start`` is an aware datetime (converted to the agreement's zone) or a `date`,
    the start of that day in the agreement's zone. The agreement must agree with
    the catalogue (`check_agreement`). The deployment model is ``deployment_model``
    when given (every subscribed entry must offer it), else the one model every
    subscribed entry offers if there is exactly one. The template of that model
    (``templates``: the shipped ones by default, `onboarding_templates`) gives the
    activities; one that names service categories is kept only when a subscribed
    entry is of one of them (a left-out activity's prerequisites pass to its
    dependants). Each deadline is the template's length after the start on the
    agreement's wall clock. The requirements traced to the agreement are those of
    ``requirements`` whose ``satisfied_by`` names a subscribed entry, offering or
    service (by any of the names `cloudsms.requirements.RequirementRegister`
    accepts).

    The agreement has the last word on who does what (S07, S08): where a template
    activity names the agreement activity it carries out (``agreement_activity``:
    the shipped templates map identity and access to user administration, the
    access channel to access management, monitoring access to monitoring, data
    migration and training to themselves), its owner is the parties the agreement's
    responsibilities name for that activity (the provider, the customer, or both),
    and the plan's activity says so (``owner_from="agreement"``). Where the
    agreement names only partners, or the template maps no agreement activity, the
    template's owner stands (``owner_from="template"``).

    Raises:
        ValidationError: ``agreement``, ``catalogue`` or ``requirements`` of the
            wrong type; ``templates`` not a mapping of deployment models to
            `OnboardingTemplate`, each given for its own model, or lacking the
            chosen model (``$.templates``); the agreement's problems against the
            catalogue (under ``$.agreement``); ``start`` not a date or aware
            datetime, outside the supported range, or so late that a deadline
            falls beyond it (``$.start``); no model given where the entries share
            none or several, or a model not every subscribed entry offers
            (``$.deployment_model``, naming the choices).
    """
    problems = instance_problems(agreement, CloudServiceAgreement, "$.agreement")
    problems += instance_problems(catalogue, Catalogue, "$.catalogue")
    if requirements is not None:
        problems += instance_problems(requirements, RequirementRegister, "$.requirements")
    given, found = _given_templates(templates)
    problems += found
    raise_problems(problems, _PLAN_SUBJECT)
    problems = [
        p._replace(path="$.agreement" + p.path[1:]) for p in check_agreement(agreement, catalogue)
    ]
    raise_problems(problems, _PLAN_SUBJECT)
    zone = timezone(agreement.timezone)
    moment, problems = _start_instant(start, zone)
    entries = {s.entry_id: catalogue.entry(s.entry_id) for s in agreement.subscriptions}
    offered = {e.id: e.deployment_models for e in entries.values()}
    model, found = _model_of(deployment_model, offered)
    problems += found
    if model is not None and model not in given:
        held = ", ".join(repr(m.value) for m in DeploymentModel if m in given) or "none"
        expected = f"a template for the {model.value} deployment model"
        problems.append(Problem("$.templates", expected, f"templates for {held}"))
    raise_problems(problems, _PLAN_SUBJECT)
    assert moment is not None  # noqa: S101 - refused above otherwise
    assert model is not None  # noqa: S101 - refused above otherwise
    template = given[model]
    categories = {e.category for e in entries.values()}
    services_of: dict[ServiceCategory, set[str]] = {}
    for entry in entries.values():
        services_of.setdefault(entry.category, set()).add(entry.service)
    all_services = sorted({s.service_id for s in agreement.subscriptions})
    kept = {a.key for a in template.activities if a.applies_to(categories)}
    prerequisites = _plan_prerequisites(template, kept)
    activities = []
    for activity in template.activities:
        if activity.key not in kept:
            continue
        services = (
            sorted({s for c in activity.categories for s in services_of.get(c, ())})
            if activity.categories
            else all_services
        )
        agreed = _agreed_owner(agreement, activity.agreement_activity)
        activities.append(
            OnboardingActivity(
                key=activity.key,
                kind=activity.kind,
                owner=activity.owner if agreed is None else agreed,
                due=_deadline(moment, activity),
                prerequisites=prerequisites[activity.key],
                what=activity.what,
                services=services,
                agreement_activity=activity.agreement_activity,
                owner_from="template" if agreed is None else "agreement",
            )
        )
    traced: list[str] = []
    if requirements is not None:
        names = _names_of(agreement)
        traced = sorted({r.id for r in requirements if any(t in names for t in r.satisfied_by)})
    return OnboardingPlan(
        agreement_id=agreement.id,
        agreement_version=agreement.version,
        customer_id=agreement.customer_id,
        provider=agreement.provider,
        timezone=agreement.timezone,
        deployment_model=model,
        tenancy=template.tenancy,
        start=moment,
        services=all_services,
        requirement_ids=traced,
        activities=activities,
    )


# ---------------------------------------------------------------------- checks
@attrs.frozen(kw_only=True)
class VerificationCheck(Record):
    """One verification of a traced requirement: how it came out and what shows it (S08, S04).

    ``evidence`` says what was run or seen (a test report, a demonstration). A later
    check of the same requirement supersedes an earlier one.

    Raises:
        ValidationError: every problem of the fields, each with its path.
    """

    requirement_id: str = attrs.field(validator=ident)
    result: VerificationResult
    evidence: str = attrs.field(validator=text)


# ---------------------------------------------------------------------- the plan, parsed once
@attrs.frozen(slots=True)
class _Frame:
    """What the guards need of a plan, computed once per distinct context text."""

    plan: OnboardingPlan
    start: dt.datetime
    by_key: Mapping[str, OnboardingActivity]
    requirements: frozenset[str]

    @classmethod
    def of(cls, plan: OnboardingPlan) -> _Frame:
        return cls(
            plan=plan,
            start=_utc(plan.start),
            by_key={a.key: a for a in plan.activities},
            requirements=frozenset(plan.requirement_ids),
        )


_FRAMES: BoundedCache[str, _Frame] = BoundedCache(1024)
"""Parsed plans by the canonical context text that holds them: a bounded cache, never a state."""


def _plan_problems(context_json: str) -> tuple[_Frame | None, list[Problem]]:
    """The frame of the plan ``context_json`` holds, or the problems that keep it from one."""
    frame = _FRAMES.get(context_json)
    if frame is not None:
        return frame, []
    context: dict[str, Any] = json.loads(context_json)
    if set(context) != {"plan"}:
        got = f"an object with keys {sorted(context)}" if context else "an empty object"
        return None, [Problem("$", "an object holding only the onboarding plan ('plan')", got)]
    try:
        plan = from_dict(OnboardingPlan, context["plan"])
    except ValidationError as error:
        return None, [p._replace(path="$.plan" + p.path[1:]) for p in error.problems]
    return _FRAMES.remember(context_json, _Frame.of(plan)), []


_PARSED: BoundedCache[str, Mapping[str, Any]] = BoundedCache(1024)
"""Event data by its canonical text, parsed once: a bounded cache like `_FRAMES`."""


def _parsed(data_json: str) -> Mapping[str, Any]:
    found = _PARSED.get(data_json)
    if found is None:
        found = _PARSED.remember(data_json, json.loads(data_json))
    return found


def _completed(instance: LifecycleInstance) -> dict[str, int]:
    """Each completed activity's key with the index of the entry that completed it."""
    return {
        _parsed(entry.data_json)["activity"]: index
        for index, entry in enumerate(instance.entries)
        if entry.event == "complete"
    }


def _latest_checks(instance: LifecycleInstance) -> dict[str, Mapping[str, Any]]:
    """Each checked requirement's latest check data, by requirement id."""
    return {
        data["requirement"]: data
        for data in (_parsed(e.data_json) for e in instance.entries if e.event == "verify")
    }


def _gate_problems(instance: LifecycleInstance, frame: _Frame) -> list[str]:
    """Each traced requirement without a passing latest check, with why ('failed', 'unchecked')."""
    latest = _latest_checks(instance)
    found = []
    for requirement in frame.plan.requirement_ids:
        check = latest.get(requirement)
        if check is None:
            found.append(f"{requirement} (unchecked)")
        elif check["result"] != VerificationResult.PASSED.value:
            found.append(f"{requirement} (failed: {check['evidence']})")
    return found


# ---------------------------------------------------------------------- the guards
_Check = Callable[[LifecycleInstance, Attempt, _Frame, Mapping[str, Any]], "str | None"]


def _planned(keys: frozenset[str] | None = None) -> Callable[[_Check], Callable[..., str | None]]:
    """A check as a guard, given the plan and the event's data (exactly ``keys``, or none)."""
    wanted = ", ".join(repr(k) for k in sorted(keys or ()))

    def wrap(check: _Check) -> Callable[..., str | None]:
        @functools.wraps(check)
        def guard(instance: LifecycleInstance, attempt: Attempt) -> str | None:
            frame, problems = _plan_problems(attempt.context_json)
            if frame is None:
                return f"the instance's context holds no valid onboarding plan ({problems[0]})"
            data = _parsed(attempt.data_json)
            if keys is None:
                if data:
                    held = ", ".join(repr(k) for k in sorted(data))
                    return f"the event carries no data (it holds {held})"
            elif data.keys() != keys:
                held = ", ".join(repr(k) for k in sorted(data)) or "nothing"
                return f"the event's data must hold exactly {wanted} (it holds {held})"
            return check(instance, attempt, frame, data)

        return guard

    return wrap


@_planned()
def _started(
    _: LifecycleInstance, attempt: Attempt, frame: _Frame, __: Mapping[str, Any]
) -> str | None:
    """``begin_work``: at or after the plan's start."""
    if _utc(attempt.when) < frame.start:
        return (
            f"onboarding begins at the plan's start ({frame.plan.start.isoformat()}), not before"
        )
    return None


_ACTIVITY: Final = frozenset({"activity"})
_DATA_KEYS: Final[Mapping[OnboardingActivityKind, frozenset[str]]] = FrozenMapping(
    {
        OnboardingActivityKind.RESOURCE_ALLOCATION: frozenset(
            {"activity", "requests", "holdings"}
        ),
        OnboardingActivityKind.INTEGRATION: frozenset({"activity", "changes"}),
    }
)
"""The data ``complete`` carries for an activity of each kind: ``{"activity"}`` unless listed."""


def _ids_reason(value: object, name: str, what: str) -> str | None:
    if (
        isinstance(value, list)
        and value
        and all(isinstance(v, str) and v.strip() for v in value)
        and len(set(value)) == len(value)
    ):
        return None
    return f"{name!r} must name one or more {what}, each once, not {describe(value)}"


def _kind_reason(
    instance: LifecycleInstance,
    activity: OnboardingActivity,
    frame: _Frame,
    data: Mapping[str, Any],
) -> str | None:
    """What an activity of each kind needs besides its prerequisites."""
    kind = activity.kind
    if kind is OnboardingActivityKind.RESOURCE_ALLOCATION:
        holdings = data["holdings"]
        if type(holdings) is not int or holdings < 1:
            return (
                "'holdings' must count the customer's holdings (1 or more),"
                f" not {describe(holdings)}"
            )
        return _ids_reason(data["requests"], "requests", "resource requests carried out")
    if kind is OnboardingActivityKind.INTEGRATION:
        return _ids_reason(data["changes"], "changes", "closed, successful standard changes")
    if kind is OnboardingActivityKind.VERIFICATION:
        open_ = _gate_problems(instance, frame)
        if open_:
            return "every traced requirement has a passing latest check first: " + ", ".join(open_)
    return None


def _completable(
    instance: LifecycleInstance, frame: _Frame, data: Mapping[str, Any]
) -> str | None:
    """``complete``: an activity of the plan, once, after its prerequisites, with its data."""
    key = data.get("activity")
    activity = frame.by_key.get(key) if isinstance(key, str) else None
    if activity is None:
        return f"'activity' must be {_known_keys(frame.plan)}, not {describe(key)}"
    wanted = _DATA_KEYS.get(activity.kind, _ACTIVITY)
    if data.keys() != wanted:
        held = ", ".join(repr(k) for k in sorted(data))
        need = ", ".join(repr(k) for k in sorted(wanted))
        return (
            f"completing a {activity.kind.value} activity carries exactly {need} (it holds {held})"
        )
    done = _completed(instance)
    if key in done:
        return f"{key!r} is complete already: each activity is completed once"
    missing = [p for p in activity.prerequisites if p not in done]
    if missing:
        return f"{key!r} waits for its prerequisites: {', '.join(missing)} not complete"
    return _kind_reason(instance, activity, frame, data)


def _complete_guard(instance: LifecycleInstance, attempt: Attempt) -> str | None:
    frame, problems = _plan_problems(attempt.context_json)
    if frame is None:
        return f"the instance's context holds no valid onboarding plan ({problems[0]})"
    data = _parsed(attempt.data_json)
    return _completable(instance, frame, data)


_VERIFY_KEYS: Final = frozenset({"requirement", "result", "evidence"})
_RESULTS: Final = tuple(r.value for r in VerificationResult)


@_planned(_VERIFY_KEYS)
def _checkable(
    _: LifecycleInstance, __: Attempt, frame: _Frame, data: Mapping[str, Any]
) -> str | None:
    """``verify``: a traced requirement, a result and the evidence.

    Each value is checked for its type before any lookup, so raw data holding a list
    or an object (JSON allows both) is refused with a reason, never a `TypeError`.
    """
    requirement = data["requirement"]
    if not isinstance(requirement, str) or requirement not in frame.requirements:
        traced = ", ".join(repr(r) for r in frame.plan.requirement_ids) or "none"
        return (
            f"'requirement' must be traced to the agreement ({traced}),"
            f" not {describe(requirement)}"
        )
    result = data["result"]
    if not isinstance(result, str) or result not in _RESULTS:
        return f"'result' must be 'passed' or 'failed', not {describe(result)}"
    evidence = data["evidence"]
    if not isinstance(evidence, str) or not evidence.strip():
        return f"'evidence' must say what was run or seen, not {describe(evidence)}"
    return None


@_planned()
def _gate(
    instance: LifecycleInstance, _: Attempt, frame: _Frame, __: Mapping[str, Any]
) -> str | None:
    """``deliver``: every activity complete and every traced requirement's latest check passed."""
    done = _completed(instance)
    pending = [a.key for a in frame.plan.activities if a.key not in done]
    reasons = []
    if pending:
        reasons.append(f"every activity is complete first (pending: {', '.join(pending)})")
    open_ = _gate_problems(instance, frame)
    if open_:
        reasons.append(
            "every traced requirement has a passing latest check first: " + ", ".join(open_)
        )
    return "; ".join(reasons) or None


@_planned(frozenset({"reason"}))
def _reason_given(
    _: LifecycleInstance, __: Attempt, ___: _Frame, data: Mapping[str, Any]
) -> str | None:
    """``cancel``: the reason is recorded."""
    reason = data["reason"]
    if not isinstance(reason, str) or not reason.strip():
        return f"a cancellation says why, not {describe(reason)}"
    return None


ONBOARDING_LIFECYCLE = Lifecycle(
    name="onboarding",
    states=("planned", "in_progress", "delivered", "cancelled"),
    initial="planned",
    finals=("delivered", "cancelled"),
    transitions=(
        Transition(source="planned", event="begin_work", target="in_progress", guard="started"),
        Transition(
            source="in_progress", event="complete", target="in_progress", guard="completable"
        ),
        Transition(source="in_progress", event="verify", target="in_progress", guard="checkable"),
        Transition(source="in_progress", event="deliver", target="delivered", guard="gate"),
        Transition(source="in_progress", event="cancel", target="cancelled", guard="reason_given"),
        Transition(source="planned", event="cancel", target="cancelled", guard="reason_given"),
    ),
    guards={
        "started": _started,
        "completable": _complete_guard,
        "checkable": _checkable,
        "gate": _gate,
        "reason_given": _reason_given,
    },
)
"""The lifecycle of an onboarding (S08); the module docstring draws it in words.

A customer may walk away before delivery (or the provider stop), so ``cancel`` leaves
every state but the finals. The instance's context is ``{"plan": <the OnboardingPlan
as JSON>}``. Each event's data: ``complete`` ``{"activity"}`` (a resource
allocation adds ``"requests"`` and ``"holdings"``, an integration ``"changes"``);
``verify`` ``{"requirement", "result", "evidence"}``; ``cancel`` ``{"reason"}``; the
others none."""


# ---------------------------------------------------------------------- the procedure
def _instance_problems(value: object, path: str) -> list[Problem]:
    lifecycle: Lifecycle = ONBOARDING_LIFECYCLE
    return lifecycle.instance_problems(value, path)


def _context_of(plan: OnboardingPlan) -> dict[str, Any]:
    return {"plan": to_dict(plan)}


@document("cloudsms.onboarding-procedure", version=1)
@attrs.frozen(kw_only=True)
class OnboardingProcedure(Record):
    """A customer's onboarding, step by step, on its audit trail (S08).

    ``id`` names the procedure (``onboard-`` and the agreement's id, by default) and
    ``lifecycle`` is its `ONBOARDING_LIFECYCLE` instance, bound to that id, whose
    context holds the `OnboardingPlan`: the one source of truth for the state, the
    completed activities and the checks. Start one with `initiate`; each step
    returns a new procedure (this one never changes); a step that is not allowed
    raises `InvalidTransition`, a malformed argument `ValidationError`, and nothing
    changes either way.

    A persisted document (``cloudsms.onboarding-procedure``, schema version 1):
    reading it replays every entry through the guards and checks the chain.

    Serves S08; ISO/IEC 20000-1:2011 4.3, 6.1 and 9.2 (see the module).

    Raises:
        ValidationError: every problem of the fields, each with its path: an
            instance of another lifecycle, bound to another id, begun part-way
            (``$.lifecycle.origin``), or whose context holds no valid plan.
    """

    id: str = attrs.field(validator=ident)
    lifecycle: LifecycleInstance = attrs.field(validator=Check(_instance_problems, total=True))

    def _rules(self) -> Iterator[Problem]:
        """The trail is bound to the id, begins at the plan, and holds a valid plan."""
        return procedure_problems(self, _plan_problems, recorded="from the plan on")

    # ------------------------------------------------------------------ starting
    @classmethod
    def initiate(
        cls,
        agreement: CloudServiceAgreement,
        catalogue: Catalogue,
        *,
        start: dt.date | dt.datetime,
        requirements: RequirementRegister | None = None,
        deployment_model: DeploymentModel | str | None = None,
        templates: Mapping[DeploymentModel, OnboardingTemplate] | None = None,
        who: str,
        id: str | None = None,  # noqa: A002 - the procedure's id, as its field
        keyed: bool = False,
        key: bytes | None = None,
    ) -> OnboardingProcedure:
        """Plan the onboarding (`plan_onboarding`) and begin the work at the plan's start.

        ``templates`` are the ones to plan from (default: the shipped ones;
        `load_onboarding_templates` reads a file of your own). The plan goes into
        the trail's context; the ``begin_work`` entry is recorded at the start by
        ``who``. ``id`` defaults to ``onboard-`` and the
        agreement's id. ``keyed`` makes the trail an HMAC-SHA-256 chain under
        ``key``.

        Raises:
            ValidationError: what `plan_onboarding` refuses; an id that is not one
                (an agreement id over 56 characters needs an explicit ``id``); a bad
                ``who`` or key.
        """
        plan = plan_onboarding(
            agreement,
            catalogue,
            start=start,
            requirements=requirements,
            deployment_model=deployment_model,
            templates=templates,
        )
        chosen = f"onboard-{agreement.id}" if id is None else id
        instance = ONBOARDING_LIFECYCLE.begin(id=chosen, context=_context_of(plan), keyed=keyed)
        if instance.context_json not in _FRAMES:
            _FRAMES.remember(instance.context_json, _Frame.of(plan))
        begun = instance.apply("begin_work", who=who, when=plan.start, key=key)
        return cls(id=chosen, lifecycle=begun)

    # ------------------------------------------------------------------ reading
    @property
    def plan(self) -> OnboardingPlan:
        """The plan the procedure runs on."""
        frame, _ = _plan_problems(self.lifecycle.context_json)
        return cast("_Frame", frame).plan

    @property
    def state(self) -> str:
        """Where the procedure stands in `ONBOARDING_LIFECYCLE`."""
        return self.lifecycle.state

    @property
    def completed(self) -> tuple[str, ...]:
        """The keys of the completed activities, in the order they were completed."""
        return tuple(_completed(self.lifecycle))

    @property
    def pending(self) -> tuple[str, ...]:
        """The keys of the activities not complete yet, in plan order."""
        done = _completed(self.lifecycle)
        return tuple(a.key for a in self.plan.activities if a.key not in done)

    def completed_at(self, activity: str) -> dt.datetime | None:
        """When ``activity`` was completed, or None while it is not."""
        index = _completed(self.lifecycle).get(activity)
        return None if index is None else self.lifecycle.entries[index].when

    def overdue(self, as_of: dt.datetime) -> tuple[str, ...]:
        """The keys of the activities not complete by their deadline, as of ``as_of``.

        An activity completed after its deadline counts as overdue too.

        Raises:
            ValidationError: ``as_of`` is not an aware datetime.
        """
        moment = _utc(aware(as_of, "$.as_of"))
        found = []
        for activity in self.plan.activities:
            done = self.completed_at(activity.key)
            due = _utc(activity.due)
            if (done is None and moment > due) or (done is not None and _utc(done) > due):
                found.append(activity.key)
        return tuple(found)

    @property
    def checks(self) -> Mapping[str, VerificationCheck]:
        """Each checked requirement's latest `VerificationCheck`, by requirement id."""
        return FrozenMapping(
            {
                rid: VerificationCheck(
                    requirement_id=rid,
                    result=VerificationResult(data["result"]),
                    evidence=data["evidence"],
                )
                for rid, data in _latest_checks(self.lifecycle).items()
            }
        )

    @property
    def failing(self) -> tuple[str, ...]:
        """The traced requirements whose latest check failed, sorted."""
        latest = _latest_checks(self.lifecycle)
        return tuple(
            r
            for r in self.plan.requirement_ids
            if r in latest and latest[r]["result"] != VerificationResult.PASSED.value
        )

    @property
    def unchecked(self) -> tuple[str, ...]:
        """The traced requirements not checked yet, sorted."""
        latest = _latest_checks(self.lifecycle)
        return tuple(r for r in self.plan.requirement_ids if r not in latest)

    @property
    def is_delivered(self) -> bool:
        """Whether the gate passed and the service counts as delivered."""
        return self.lifecycle.state == "delivered"

    @property
    def is_cancelled(self) -> bool:
        """Whether the onboarding was cancelled before delivery."""
        return self.lifecycle.state == "cancelled"

    # ------------------------------------------------------------------ stepping
    def apply(
        self,
        event: str,
        *,
        who: str,
        when: dt.datetime,
        data: Mapping[str, Any] | None = None,
        key: bytes | None = None,
    ) -> OnboardingProcedure:
        """Apply any event of `ONBOARDING_LIFECYCLE` with its raw data (the steps are simpler).

        Raises:
            InvalidTransition: the event is not allowed now, or its guard refuses it.
            ValidationError: a bad ``who``, ``when``, ``data`` or key.
        """
        return moved(self, self.lifecycle.apply(event, who=who, when=when, data=data, key=key))

    def refusal(
        self,
        event: str,
        *,
        who: str,
        when: dt.datetime,
        data: Mapping[str, Any] | None = None,
    ) -> str | None:
        """Why ``event`` would be refused now (``None`` when it would be applied)."""
        return self.lifecycle.refusal(event, who=who, when=when, data=data)

    def complete(
        self, activity: str, *, who: str, when: dt.datetime, key: bytes | None = None
    ) -> OnboardingProcedure:
        """Record that ``activity`` (its key) is complete.

        A resource allocation is completed by `allocate_resources`, an integration
        by `complete_integration`: this method refuses them.

        Raises:
            ValidationError: ``activity`` is not a key of the plan, or names an
                activity completed another way (at ``$.activity``).
            InvalidTransition: not in ``in_progress``, the activity is complete
                already, a prerequisite is not, or (for the verification) a traced
                requirement has no passing latest check.
        """
        found = self.plan.activity(activity)
        other = {
            OnboardingActivityKind.RESOURCE_ALLOCATION: "allocate_resources",
            OnboardingActivityKind.INTEGRATION: "OnboardingProcedure.complete_integration",
        }.get(found.kind)
        if other is not None:
            expected = f"an activity completed here, not a {found.kind.value} (use {other})"
            raise ValidationError.single("$.activity", expected, repr(activity), subject=_SUBJECT)
        return self.apply("complete", who=who, when=when, data={"activity": activity}, key=key)

    def _pending_of(self, kind: OnboardingActivityKind, event: str) -> OnboardingActivity:
        """The first pending activity of ``kind``, or InvalidTransition naming why."""
        done = _completed(self.lifecycle)
        of_kind = [a for a in self.plan.activities if a.kind is kind]
        pending = [a for a in of_kind if a.key not in done]
        if not pending:
            reason = (
                f"the plan has no {kind.value} activity"
                if not of_kind
                else f"every {kind.value} activity is complete already"
            )
            raise InvalidTransition(
                self.state,
                event,
                reason=reason,
                allowed=self.lifecycle.allowed_events(),
                subject=f"lifecycle {ONBOARDING_LIFECYCLE.name!r}",
            )
        return pending[0]

    def complete_integration(
        self,
        changes: Iterable[Change],
        *,
        who: str,
        when: dt.datetime,
        key: bytes | None = None,
    ) -> OnboardingProcedure:
        """Complete the integration with the standard changes that carried it out.

        Each change must be a `ChangeKind.STANDARD` change, closed with the outcome
        ``successful`` no later than ``when``; the entry records their ids.

        Raises:
            ValidationError: no change, a change that is not a `Change`, or one that
                is not standard, not closed, not successful or closed after ``when``
                (each at ``$.changes[i]``).
            InvalidTransition: not in ``in_progress``, no pending integration, or
                its prerequisites are not complete.
        """
        moment = _utc(aware(when, "$.when"))
        given: object = changes
        if isinstance(given, str | bytes | Mapping) or not isinstance(given, Iterable):
            raise ValidationError.single(
                "$.changes", "a list of Change", describe(given), subject=_SUBJECT
            )
        items = tuple(cast("Iterable[object]", given))
        problems: list[Problem] = []
        if not items:
            problems.append(Problem("$.changes", "one or more standard changes", "none"))
        for i, change in enumerate(items):
            problems += _change_problems(change, f"$.changes[{i}]", moment)
        raise_problems(problems, _SUBJECT)
        activity = self._pending_of(OnboardingActivityKind.INTEGRATION, "complete")
        ids = [cast("Change", c).id for c in items]
        data = {"activity": activity.key, "changes": ids}
        return self.apply("complete", who=who, when=when, data=data, key=key)

    def verify(
        self, check: VerificationCheck, *, who: str, when: dt.datetime, key: bytes | None = None
    ) -> OnboardingProcedure:
        """Record ``check``; it supersedes any earlier check of the same requirement.

        Raises:
            ValidationError: ``check`` is not a `VerificationCheck` (at ``$.check``).
            InvalidTransition: not in ``in_progress``, or the requirement is not
                traced to the agreement.
        """
        raise_problems(instance_problems(check, VerificationCheck, "$.check"), _SUBJECT)
        data = {
            "requirement": check.requirement_id,
            "result": check.result.value,
            "evidence": check.evidence,
        }
        return self.apply("verify", who=who, when=when, data=data, key=key)

    def deliver(
        self, *, who: str, when: dt.datetime, key: bytes | None = None
    ) -> OnboardingProcedure:
        """Pass the gate: the service counts as delivered from ``when``.

        Raises:
            InvalidTransition: not in ``in_progress``; an activity is pending, or a
                traced requirement's latest check failed or is missing (the reason
                names each).
        """
        return self.apply("deliver", who=who, when=when, key=key)

    def cancel(
        self, reason: str, *, who: str, when: dt.datetime, key: bytes | None = None
    ) -> OnboardingProcedure:
        """Stop the onboarding before delivery, recording why.

        Raises:
            ValidationError: ``reason`` is not non-empty text (at ``$.reason``).
            InvalidTransition: delivered or cancelled already.
        """
        given: object = reason
        if not isinstance(given, str) or not given.strip():
            raise ValidationError.single(
                "$.reason", "a non-empty string saying why", describe(reason), subject=_SUBJECT
            )
        return self.apply("cancel", who=who, when=when, data={"reason": reason}, key=key)


def _change_problems(change: object, path: str, moment: dt.datetime) -> list[Problem]:
    if not isinstance(change, Change):
        return [Problem(path, "a Change", describe(change))]
    if change.kind is not ChangeKind.STANDARD:
        return [Problem(f"{path}.kind", "a standard change", repr(change.kind.value))]
    if change.state != "closed":
        return [Problem(f"{path}.state", "a closed change", repr(change.state))]
    if change.outcome is not ChangeOutcome.SUCCESSFUL:
        got = "none" if change.outcome is None else repr(change.outcome.value)
        return [Problem(f"{path}.outcome", "the outcome 'successful'", got)]
    closed = change.closed_at
    if closed is not None and _utc(closed) > moment:
        expected = f"a change closed no later than the completion ({moment.isoformat()})"
        return [Problem(f"{path}.closed_at", expected, closed.isoformat())]
    return []


# ---------------------------------------------------------------------- the allocation
@attrs.frozen(kw_only=True)
class OnboardingAllocation(Record):
    """What `allocate_resources` did: the procedure moved on, and each allocation carried out.

    ``changes`` holds one `ResourceChange` per request, in order; ``allocations``
    and ``records`` are the allocations and configuration records after them all.

    Serves S08 (resources allocated for the predicted demand) and S11; ISO/IEC
    20000-1:2011 6.4, 6.5, 9.1 and 9.2.
    """

    procedure: OnboardingProcedure
    changes: tuple[ResourceChange, ...] = attrs.field(converter=as_tuple)
    allocations: tuple[Allocation, ...] = attrs.field(converter=as_tuple)
    records: Mapping[str, ConfigurationRecord] = attrs.field(converter=as_frozen_mapping)


def _listed(
    value: object, path: str, kind: type, what: str
) -> tuple[tuple[Any, ...], list[Problem]]:
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        return (), [Problem(path, f"a list of {what}", describe(value))]
    items = tuple(cast("Iterable[object]", value))
    return items, [
        Problem(f"{path}[{i}]", f"a {what}", describe(x))
        for i, x in enumerate(items)
        if not isinstance(x, kind)
    ]


def _pool_of(
    request: ResourceRequest, index: int, pools: tuple[ResourcePool, ...]
) -> ResourcePool | Problem:
    if request.location is None:
        if len(pools) == 1:
            return pools[0]
        return Problem(
            f"$.requests[{index}].location", "a location, to choose the pool among several", "null"
        )
    for pool in pools:
        if pool.location == request.location:
            return pool
    served = ", ".join(repr(p.location) for p in pools)
    return Problem(
        f"$.requests[{index}].location",
        f"the location of one of the pools given ({served})",
        repr(request.location),
    )


def _request_problems(
    request: ResourceRequest, index: int, plan: OnboardingPlan, moment: dt.datetime
) -> list[Problem]:
    path = f"$.requests[{index}]"
    problems = []
    if _utc(request.requested_at) > moment:
        expected = f"a request made no later than the allocation ($.when, {moment.isoformat()})"
        problems.append(
            Problem(f"{path}.requested_at", expected, request.requested_at.isoformat())
        )
    if request.kind is not ResourceRequestKind.ALLOCATE:
        problems.append(
            Problem(f"{path}.kind", "an allocation ('allocate')", repr(request.kind.value))
        )
    if request.customer != plan.customer_id:
        expected = f"the onboarding customer ({plan.customer_id!r})"
        problems.append(Problem(f"{path}.customer", expected, repr(request.customer)))
    if request.agreement != plan.agreement_id:
        expected = f"the onboarding agreement ({plan.agreement_id!r})"
        problems.append(Problem(f"{path}.agreement", expected, repr(request.agreement)))
    return problems


_CARRY_OUT_PATHS: Final = {"$.as_of": "$.when", "$.by": "$.who"}
"""`carry_out`'s parameters under the names `allocate_resources` takes them."""


def _carried_problem(problem: Problem, index: int, pool: int) -> Problem:
    """A problem `carry_out` found, at the path of `allocate_resources`' own arguments.

    ``index`` is the request's place in ``requests``, ``pool`` its pool's in ``pools``.
    """
    path = problem.path
    problem = problem._replace(expected=problem.expected.replace("as_of (", "$.when ("))
    paths = {"$.request": f"$.requests[{index}]", "$.pool": f"$.pools[{pool}]"}
    for given, ours in {**paths, **_CARRY_OUT_PATHS}.items():
        if path == given or path.startswith((given + ".", given + "[")):
            return problem._replace(path=ours + path[len(given) :])
    return problem


def _carried_out(
    placed: list[tuple[ResourceRequest, ResourcePool]],
    agreement: CloudServiceAgreement,
    state: tuple[tuple[Allocation, ...], dict[str, ConfigurationRecord]],
    pools: tuple[ResourcePool, ...],
    *,
    when: dt.datetime,
    types: Iterable[ResourceType] | None,
    who: str,
) -> tuple[list[ResourceChange], tuple[Allocation, ...], dict[str, ConfigurationRecord]]:
    """Each request carried out in turn, or the first refusal at its ``$.requests[i]``."""
    current, kept = state
    changes: list[ResourceChange] = []
    for index, (request, pool) in enumerate(placed):
        try:
            change = carry_out(
                request, agreement, pool, current, kept, as_of=when, types=types, by=who
            )
        except ValidationError as error:
            at = pools.index(pool)
            raise ValidationError(
                [_carried_problem(p, index, at) for p in error.problems], subject=_SUBJECT
            ) from None
        if change.refusals:
            expected = "a request the agreement's limits and the pool's capacity allow"
            got = "; ".join(r.message for r in change.refusals)
            raise ValidationError.single(f"$.requests[{index}]", expected, got, subject=_SUBJECT)
        changes.append(change)
        current, kept = change.allocations, dict(change.records)
    return changes, current, kept


def allocate_resources(  # noqa: PLR0917 - the inputs carry_out takes, as release_resources
    procedure: OnboardingProcedure,
    agreement: CloudServiceAgreement,
    pools: ResourcePool | Iterable[ResourcePool],
    allocations: Iterable[Allocation],
    records: Mapping[str, ConfigurationRecord],
    requests: Iterable[ResourceRequest],
    *,
    who: str,
    when: dt.datetime,
    types: Iterable[ResourceType] | None = None,
    key: bytes | None = None,
) -> OnboardingAllocation:
    """Carry out the customer's allocation requests, then complete the resource allocation (S08).

    Each request, an ``allocate`` for the procedure's customer under its agreement,
    is carried out in order with `cloudsms.procedures.resource_change.carry_out`
    (as a standard change, by ``who`` at ``when``) against the pool of its location
    (one pool may serve requests that name none). Then the plan's pending resource
    allocation activity is completed, its entry recording the requests' ids and
    how many holdings the customer then has under the agreement, so the cost
    profile starts from each holding's start (`cloudsms.resources.CostProfile`).
    ``allocations`` are the allocations of every customer in those pools;
    ``records`` the configuration records by item id.

    Raises:
        InvalidTransition: not in ``in_progress``, no pending resource allocation,
            or its prerequisites are not complete; nothing is done.
        ValidationError: wrong-typed arguments; no request; a request that is not
            an allocation for this customer and agreement (``$.requests[i]``); an
            agreement other than the procedure's (``$.agreement.id``); a request
            no pool serves; one `carry_out` refuses (the refusals named at
            ``$.requests[i]``). Nothing is built and nothing given changes.
    """
    problems = instance_problems(procedure, OnboardingProcedure, "$.procedure")
    problems += instance_problems(agreement, CloudServiceAgreement, "$.agreement")
    kept_records: object = records
    if not (
        isinstance(kept_records, Mapping)
        and all(
            isinstance(k, str) and isinstance(v, ConfigurationRecord)
            for k, v in cast("Mapping[object, object]", kept_records).items()
        )
    ):
        problems.append(
            Problem("$.records", "a mapping of item ids to ConfigurationRecord", describe(records))
        )
    chosen, found = _listed(
        (pools,) if isinstance(pools, ResourcePool) else pools,
        "$.pools",
        ResourcePool,
        "ResourcePool",
    )
    problems += found
    if not chosen and not found:
        problems.append(Problem("$.pools", "one or more ResourcePool", "none"))
    held, found = _listed(allocations, "$.allocations", Allocation, "Allocation")
    problems += found
    asked, found = _listed(requests, "$.requests", ResourceRequest, "ResourceRequest")
    problems += found
    if not asked and not found:
        problems.append(Problem("$.requests", "one or more allocation requests", "none"))
    raise_problems(problems, _SUBJECT)
    moment = _utc(aware(when, "$.when"))
    activity = procedure._pending_of(OnboardingActivityKind.RESOURCE_ALLOCATION, "complete")  # noqa: SLF001 - same module
    probe = {"activity": activity.key, "requests": ["probe"], "holdings": 1}
    reason = procedure.refusal("complete", who=who, when=when, data=probe)
    if reason is not None:
        raise InvalidTransition(
            procedure.state,
            "complete",
            reason=reason,
            allowed=procedure.lifecycle.allowed_events(),
            subject=f"lifecycle {ONBOARDING_LIFECYCLE.name!r}",
        )
    plan = procedure.plan
    if agreement.id != plan.agreement_id or agreement.customer_id != plan.customer_id:
        expected = (
            f"the agreement the procedure onboards ({plan.agreement_id!r} of {plan.customer_id!r})"
        )
        raise ValidationError.single(
            "$.agreement.id",
            expected,
            f"{agreement.id!r} of {agreement.customer_id!r}",
            subject=_SUBJECT,
        )
    problems = []
    placed: list[tuple[ResourceRequest, ResourcePool]] = []
    for index, request in enumerate(cast("tuple[ResourceRequest, ...]", asked)):
        problems += _request_problems(request, index, plan, moment)
        pool = _pool_of(request, index, cast("tuple[ResourcePool, ...]", chosen))
        if isinstance(pool, Problem):
            problems.append(pool)
        else:
            placed.append((request, pool))
    raise_problems(problems, _SUBJECT)
    changes, current, kept = _carried_out(
        placed,
        agreement,
        (cast("tuple[Allocation, ...]", held), dict(records)),
        cast("tuple[ResourcePool, ...]", chosen),
        when=when,
        types=types,
        who=who,
    )
    holdings = sum(
        1
        for a in current
        if a.customer == plan.customer_id
        and a.agreement == plan.agreement_id
        and (a.until is None or _utc(a.until) > moment)
    )
    data = {
        "activity": activity.key,
        "requests": [c.request.id for c in changes],
        "holdings": holdings,
    }
    moved = procedure.apply("complete", who=who, when=when, data=data, key=key)
    return OnboardingAllocation(
        procedure=moved, changes=changes, allocations=current, records=kept
    )
