"""A pydantic v2 model of a catalogue entry, equal in shape to cloudsms's, for the benchmark.

Kept without postponed annotations so pydantic resolves every type by itself. It
checks what pydantic can declare (ids, enumerations, currencies, non-empty lists);
cloudsms checks more (units, calendar lengths, cross-field rules).
"""

from decimal import Decimal
from typing import Literal

import pydantic

config = pydantic.ConfigDict(extra="forbid", frozen=True, strict=False)


class PMoney(pydantic.BaseModel):
    """An amount and an ISO 4217 code."""

    model_config = config
    amount: Decimal
    currency: str = pydantic.Field(pattern="^[A-Z]{3}$")


class PPrice(pydantic.BaseModel):
    """Money per unit, maybe per calendar period."""

    model_config = config
    amount: PMoney
    unit: str
    per: Literal["day", "month", "quarter", "year"] | None


class PLevel(pydantic.BaseModel):
    """A service level: measure, bound, target text."""

    model_config = config
    measure: str = pydantic.Field(min_length=1)
    bound: Literal["at least", "at most"]
    target: str


class POffering(pydantic.BaseModel):
    """A fixed or customizable offering."""

    model_config = config
    id: str = pydantic.Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
    name: str = pydantic.Field(min_length=1)
    kind: Literal["fixed", "customizable"]
    levels: tuple[PLevel, ...] = pydantic.Field(min_length=1)
    price: PPrice
    upgrades: frozenset[str]
    sla: str | None


class PUpgrade(pydantic.BaseModel):
    """A priced upgrade."""

    model_config = config
    id: str = pydantic.Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
    description: str = pydantic.Field(min_length=1)
    kind: Literal["service level", "resource"]
    price: PPrice
    level: PLevel | None


class PPolicy(pydantic.BaseModel):
    """A policy: topic and statement."""

    model_config = config
    topic: str
    statement: str


class PControl(pydantic.BaseModel):
    """A compliance control."""

    model_config = config
    id: str
    basis: Literal["statutory", "regulatory", "contractual"]
    description: str


class PBilling(pydantic.BaseModel):
    """Billing method, cycle and currency."""

    model_config = config
    method: Literal["pay as you go", "subscription", "prepaid"]
    cycle: str
    currency: str = pydantic.Field(pattern="^[A-Z]{3}$")
    accounting: str | None


class PEntry(pydantic.BaseModel):
    """A catalogue entry."""

    model_config = config
    id: str = pydantic.Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
    name: str = pydantic.Field(min_length=1)
    service: str
    category: Literal["CaaS", "CompaaS", "DSaaS", "IaaS", "NaaS", "PaaS", "SaaS"]
    deployment_models: frozenset[Literal["public", "private", "community", "hybrid"]]
    description: str | None
    policies: tuple[PPolicy, ...]
    technical_standards: tuple[str, ...]
    security_policies: tuple[str, ...]
    controls: tuple[PControl, ...]
    ordering_procedure: str
    provisioning_procedure: str
    billing: PBilling
    resource_locations: frozenset[str]
    data_locations: frozenset[str]
    legal_notes: tuple[str, ...]
    offerings: tuple[POffering, ...] = pydantic.Field(min_length=1)
    upgrades: tuple[PUpgrade, ...]
    minimum_term: str | None
    early_termination_charge: PMoney | None
