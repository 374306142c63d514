"""The catalogue of cloud services: entries, offerings, prices and the queries on them.

Serves S03 (provide a catalogue of cloud services) and the catalogue update of S05
(a service released to live is published); ISO/IEC 20000-1:2011 4.3, 5.4, 6.1 and
7.1. The catalogue is where contracts and SLAs (S07) start from.

A `CatalogueEntry` describes one cloud service the way a customer reads it: the
category and deployment options, the policies, technical standards, security
policies and compliance controls that apply, how to order it and how it is
provisioned, how it is priced and billed, where its resources and data live, legal
and privacy notes, what higher service levels and extra resources cost, the
minimum term and the charge for ending early. Each entry has one or more
`Offering` values: fixed SLA options, and customizable ones that let the customer
add priced `Upgrade` values.

A `Catalogue` keeps its entries with the `cloudsms.services.ServiceGraph` of the
services they describe, so it can say which entries depend on a component.
Publishing a tested service (S05) is a procedure,
`cloudsms.procedures.release.release_to_live`; the catalogue as tables is
`cloudsms.reports.catalogue_table` and `cloudsms.reports.offerings_table`.

The parts live in submodules, all re-exported here: `cloudsms.levels` (`Bound`,
`ServiceLevel`, shared with agreements and monitoring), `offerings`, `entries` and
`collection` (the `Catalogue`).
"""

from __future__ import annotations

from cloudsms.catalogue.collection import Catalogue
from cloudsms.catalogue.entries import Billing, BillingMethod, CatalogueEntry, Control, Policy
from cloudsms.catalogue.offerings import Offering, OfferingKind, Upgrade, UpgradeKind
from cloudsms.levels import Bound, ServiceLevel

__all__ = [
    "Billing",
    "BillingMethod",
    "Bound",
    "Catalogue",
    "CatalogueEntry",
    "Control",
    "Offering",
    "OfferingKind",
    "Policy",
    "ServiceLevel",
    "Upgrade",
    "UpgradeKind",
]
