"""A pydantic v2 model of a cloud service agreement, shaped as cloudsms's, for the benchmark.

Kept without postponed annotations so pydantic resolves every type by itself. It
checks what pydantic can declare (ids, enumerations, currencies, instants, decimals,
non-empty lists); cloudsms checks more: quantities parsed with their units and
converted once to each metric's canonical unit, calendar lengths, credit tiers that
worsen outwards, every activity held, priorities that exist, zones that exist.
"""

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

import pydantic

from pydantic_catalogue import PLevel, PMoney

config = pydantic.ConfigDict(extra="forbid", frozen=True, strict=False)
Ident = pydantic.constr(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
Text = pydantic.constr(min_length=1)
Length = pydantic.constr(pattern=r"^P(\d+Y)?(\d+M)?(\d+W)?(\d+D)?$", min_length=3)
Location = pydantic.constr(pattern=r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")


class PCommitment(pydantic.BaseModel):
    """A committed quantity of one priced item."""

    model_config = config
    item_id: Ident
    quantity: str


class PSubscription(pydantic.BaseModel):
    """A catalogue entry's offering with its upgrades."""

    model_config = config
    entry_id: Ident
    offering_id: Ident
    upgrade_ids: frozenset[Ident]
    service_id: Ident
    commitments: tuple[PCommitment, ...]


class PExclusions(pydantic.BaseModel):
    """What a target does not count."""

    model_config = config
    maintenance_notice: Length | None
    causes: frozenset[
        Literal["provider", "customer", "third_party", "force_majeure", "maintenance", "security"]
    ]


class PTier(pydantic.BaseModel):
    """A credit tier."""

    model_config = config
    worse_than: str
    credit: Decimal = pydantic.Field(ge=0, le=100)


class PCredits(pydantic.BaseModel):
    """Credit terms."""

    model_config = config
    tiers: tuple[PTier, ...] = pydantic.Field(min_length=1)
    cap_percent: Decimal | None = pydantic.Field(ge=0, le=100)
    cap_amount: PMoney | None
    claim: Literal["automatic", "claimed"]
    claim_within: Length | None


class PTarget(pydantic.BaseModel):
    """A service target: a level or a named predicate."""

    model_config = config
    id: Ident
    level: PLevel | None
    predicate: Ident | None
    description: Text | None
    percentile: Decimal | None = pydantic.Field(gt=0, lt=100)
    priority: Ident | None
    period: Literal["month", "quarter", "year"]
    uptime: Literal["24x7", "service hours"]
    exclusions: PExclusions
    credits: PCredits | None


class PSla(pydantic.BaseModel):
    """A service level agreement."""

    model_config = config
    id: Ident
    service_ids: frozenset[Ident] = pydantic.Field(min_length=1)
    targets: tuple[PTarget, ...] = pydantic.Field(min_length=1)


class PRecurring(pydantic.BaseModel):
    """A recurring charge."""

    model_config = config
    service_id: Ident
    amount: PMoney
    period: Length


class POneOff(pydantic.BaseModel):
    """A one-off charge."""

    model_config = config
    description: Text
    amount: PMoney


class PResponsibility(pydantic.BaseModel):
    """Who holds an activity."""

    model_config = config
    activity: str
    holders: frozenset[Ident] = pydantic.Field(min_length=1)


class PResponsibilities(pydantic.BaseModel):
    """Every activity's holders."""

    model_config = config
    assignments: tuple[PResponsibility, ...]


class PLimit(pydantic.BaseModel):
    """A resource limit."""

    model_config = config
    resource_type: str
    at_most: str


class PLegal(pydantic.BaseModel):
    """A legal term."""

    model_config = config
    kind: str
    text: Text


class PSupportHours(pydantic.BaseModel):
    """Weekly support windows in a zone."""

    model_config = config
    timezone: str
    windows: tuple[str, ...]
    holidays: frozenset[dt.date]


class PPriority(pydantic.BaseModel):
    """One incident priority."""

    model_config = config
    id: Ident
    name: Text
    description: Text


class PPriorities(pydantic.BaseModel):
    """The agreed priorities."""

    model_config = config
    priorities: tuple[PPriority, ...] = pydantic.Field(min_length=1)


class PCharge(pydantic.BaseModel):
    """An early-termination charge."""

    model_config = config
    kind: Literal["fixed", "remaining charges", "share of remaining charges"]
    amount: PMoney | None
    percent: Decimal | None


class PTermination(pydantic.BaseModel):
    """Termination terms."""

    model_config = config
    terminable_by: Literal["customer", "provider", "either"]
    provider_reasons: frozenset[str]
    notice_period: Length
    minimum_term: Length | None
    early_termination_charge: PCharge | None
    withdrawable: bool


class PExit(pydantic.BaseModel):
    """Exit terms."""

    model_config = config
    retrieval_window: Length
    export_formats: tuple[Text, ...] = pydantic.Field(min_length=1)
    retention_window: Length
    backup_retention: str


class PRule(pydantic.BaseModel):
    """Which term the provider may change on notice."""

    model_config = config
    term: str
    notice: Length


class PAgreement(pydantic.BaseModel):
    """A cloud service agreement document."""

    model_config = config
    type: Literal["cloudsms.cloud-service-agreement"]
    schema_version: Literal[1]
    id: Ident
    version: int = pydantic.Field(ge=1)
    provider: Text
    customer_id: Ident
    effective_from: pydantic.AwareDatetime
    end: pydantic.AwareDatetime | None
    subscriptions: tuple[PSubscription, ...] = pydantic.Field(min_length=1)
    slas: tuple[PSla, ...] = pydantic.Field(min_length=1)
    recurring_charges: tuple[PRecurring, ...]
    one_off_charges: tuple[POneOff, ...]
    responsibilities: PResponsibilities
    resource_limits: tuple[PLimit, ...]
    data_locations: frozenset[Location]
    resource_locations: frozenset[Location]
    monitoring_retention: Length
    record_keeping: Length
    legal_terms: tuple[PLegal, ...]
    timezone: str
    support_hours: PSupportHours
    customer_wait_pauses_clocks: bool
    priorities: PPriorities
    termination: PTermination
    exit: PExit
    amendment_rules: tuple[PRule, ...]
    amendments: tuple[dict[str, Any], ...]
