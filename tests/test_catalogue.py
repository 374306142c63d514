"""cloudsms.catalogue: entries, offerings, the catalogue's queries and release to live."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import attrs
import jsonschema
import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

import cloudsms.catalogue
from cloudsms.catalogue import (
    Billing,
    BillingMethod,
    Bound,
    Catalogue,
    CatalogueEntry,
    Control,
    Offering,
    OfferingKind,
    Policy,
    ServiceLevel,
    Upgrade,
    UpgradeKind,
)
from cloudsms.configuration import ConfigurationItem, ConfigurationRecord, RelationKind
from cloudsms.context import ObligationKind
from cloudsms.errors import InvalidTransition, UnknownReference, ValidationError
from cloudsms.lifecycle import LifecycleInstance, advance
from cloudsms.money import Money, Price
from cloudsms.procedures import release as release_module
from cloudsms.procedures.release import Release, release_to_live
from cloudsms.reports import catalogue_rows, catalogue_table, offering_rows, offerings_table
from cloudsms.serialization import from_dict, from_json, json_schema, to_dict, to_json
from cloudsms.services import (
    SERVICE_LIFECYCLE,
    CloudService,
    ComponentKind,
    Dependency,
    DeploymentModel,
    ServiceCategory,
    ServiceComponent,
    ServiceGraph,
)
from cloudsms.testing import catalogue_entries, catalogues, offerings, service_levels
from cloudsms.units import quantity

from conftest import assert_refused_at_field, examples, public_attrs_classes, wrong_fields

T0 = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
MONTH = relativedelta(months=1)
AVAILABILITY = ServiceLevel(
    measure="availability", bound=Bound.AT_LEAST, target=quantity("99.9 %")
)
RESPONSE = ServiceLevel(measure="response time", bound=Bound.AT_MOST, target=quantity("4 h"))
HA = Upgrade(
    id="ha",
    description="Availability raised to 99.99 %",
    kind=UpgradeKind.SERVICE_LEVEL,
    price=Price(Money("40", "EUR"), "instance", per="month"),
    level=ServiceLevel(measure="availability", bound=Bound.AT_LEAST, target=quantity("99.99 %")),
)
DISK = Upgrade(
    id="disk",
    description="Extra block storage",
    kind=UpgradeKind.RESOURCE,
    price=Price(Money("0.04", "EUR"), "GiB", per="month"),
)


def offering(oid: str, kind: OfferingKind = OfferingKind.FIXED, **changes: Any) -> Offering:
    """An offering with one availability level at EUR 0.042 per vcpu-hour."""
    fields: dict[str, Any] = {
        "id": oid,
        "name": oid.title(),
        "kind": kind,
        "levels": (AVAILABILITY,),
        "price": Price(Money("0.042", "EUR"), "vcpu*hour"),
        "upgrades": {"ha", "disk"} if kind is OfferingKind.CUSTOMIZABLE else (),
    }
    return Offering(**{**fields, **changes})


def entry(eid: str = "vm", service: str = "compute", **changes: Any) -> CatalogueEntry:
    """An IaaS entry in EUR with two fixed offerings, one customizable, and both upgrades."""
    fields: dict[str, Any] = {
        "id": eid,
        "name": "Virtual machines",
        "service": service,
        "category": ServiceCategory.IAAS,
        "deployment_models": {DeploymentModel.PUBLIC},
        "policies": (Policy(topic="data retention", statement="Backups are kept 35 days"),),
        "technical_standards": ("x86-64 images, UEFI boot",),
        "security_policies": ("Administrators sign in with two factors",),
        "controls": (
            Control(id="gdpr-dpa", basis=ObligationKind.STATUTORY, description="DPA offered"),
            Control(id="msa-7", basis=ObligationKind.CONTRACTUAL, description="Audit rights"),
        ),
        "ordering_procedure": "Order in the portal; approval within one business day",
        "provisioning_procedure": "Provisioned automatically within 10 minutes",
        "billing": Billing(method=BillingMethod.PAY_AS_YOU_GO, cycle=MONTH, currency="EUR"),
        "resource_locations": {"DE", "IE"},
        "data_locations": {"DE"},
        "legal_notes": ("Personal data stays in the EU",),
        "offerings": (
            offering("basic"),
            offering("business", levels=(AVAILABILITY, RESPONSE)),
            offering("custom", OfferingKind.CUSTOMIZABLE),
        ),
        "upgrades": (HA, DISK),
        "minimum_term": relativedelta(months=12),
        "early_termination_charge": Money("250.00", "EUR"),
    }
    return CatalogueEntry(**{**fields, **changes})


def svc(sid: str, category: ServiceCategory, *components: str) -> CloudService:
    """A public service owned by ops."""
    return CloudService(
        id=sid,
        name=sid.title(),
        category=category,
        deployment_models={DeploymentModel.PUBLIC},
        owner="ops",
        components=components,
    )


GRAPH = ServiceGraph(
    services=(
        svc("compute", ServiceCategory.IAAS, "hv"),
        svc("storage", ServiceCategory.DSAAS, "san"),
        svc("crm", ServiceCategory.SAAS),
    ),
    components=(
        ServiceComponent(id="hv", name="Hypervisor cluster", kind=ComponentKind.HARDWARE),
        ServiceComponent(id="san", name="Storage network", kind=ComponentKind.HARDWARE),
    ),
    dependencies=(
        Dependency(dependant="compute", dependency="storage"),
        Dependency(dependant="crm", dependency="compute"),
    ),
)
STORE = entry(
    "blob",
    "storage",
    name="Object storage",
    category=ServiceCategory.DSAAS,
    data_locations={"US-CA"},
    minimum_term=None,
    early_termination_charge=None,
)
CRM = entry(
    "crm-std",
    "crm",
    name="CRM",
    category=ServiceCategory.SAAS,
    data_locations={"FR"},
    offerings=(offering("seat"),),
    upgrades=(),
)
CATALOGUE = Catalogue(entries=(entry(), STORE, CRM), graph=GRAPH)


def problems(call: Any) -> list[str]:
    """The paths of the ValidationError ``call`` raises."""
    with pytest.raises(ValidationError) as info:
        call()
    return info.value.paths


class TestParts:
    """Service levels, upgrades, offerings and billing, hand-checked."""

    def test_service_level_bounds(self) -> None:
        """At least is met from the target up, at most from the target down, across units."""
        assert str(AVAILABILITY) == "availability at least 99.9 %"
        assert AVAILABILITY.is_met_by("99.9 %")
        assert not AVAILABILITY.is_met_by("99.89 %")
        assert RESPONSE.is_met_by("240 min")
        assert not RESPONSE.is_met_by("241 min")
        assert problems(lambda: RESPONSE.is_met_by("3 GiB")) == ["$.value"]

    def test_service_level_refusals(self) -> None:
        """Names every bad field."""
        bad = {"measure": " ", "bound": "roughly", "target": "99.9 %"}
        assert problems(lambda: ServiceLevel(**bad)) == ["$.measure", "$.bound", "$.target"]
        negative = {"measure": "m", "bound": Bound.AT_LEAST, "target": quantity("-1 ms")}
        assert problems(lambda: ServiceLevel(**negative)) == ["$.target"]

    def test_upgrade_level_matches_kind(self) -> None:
        """A service-level upgrade names its level; a resource upgrade names none."""
        assert problems(lambda: attrs.evolve(HA, level=None)) == ["$.level"]
        assert problems(lambda: attrs.evolve(DISK, level=AVAILABILITY)) == ["$.level"]

    def test_upgrade_resource_type(self) -> None:
        """A resource upgrade may name its resource type; a service-level upgrade names none."""
        assert DISK.resource_type is None
        assert attrs.evolve(DISK, resource_type="storage").resource_type == "storage"
        with pytest.raises(ValidationError) as refused:
            attrs.evolve(HA, resource_type="vcpu")
        expected = (
            "expected null for a service-level upgrade (only a resource upgrade adds a "
            "resource), got 'vcpu' (string) @ $.resource_type"
        )
        assert [str(p) for p in refused.value.problems] == [expected]
        assert problems(lambda: attrs.evolve(DISK, resource_type="no such id")) == [
            "$.resource_type"
        ]

    def test_upgrade_resource_type_round_trips(self) -> None:
        """The resource type goes over the wire and back; an upgrade without one omits nothing."""
        named = attrs.evolve(DISK, resource_type="storage")
        data = to_dict(named)
        assert data["resource_type"] == "storage"
        assert from_dict(Upgrade, data) == named
        assert to_dict(DISK)["resource_type"] is None
        assert (
            from_dict(Upgrade, {k: v for k, v in to_dict(DISK).items() if k != "resource_type"})
            == DISK
        )

    def test_upgrade_quantity(self) -> None:
        """A resource upgrade may add a fixed quantity of its type, of what its price counts."""
        standby = attrs.evolve(
            DISK,
            price=Price(Money("0.03", "EUR"), "instance*hour"),
            resource_type="instance",
            quantity=quantity("1 instance"),
        )
        assert standby.quantity == quantity("1 instance")
        monthly = attrs.evolve(standby, price=Price(Money("25", "EUR"), "instance", per="month"))
        assert monthly.quantity == quantity("1 instance")
        assert DISK.quantity is None

    def test_upgrade_quantity_refusals(self) -> None:
        """Refuses a quantity without a resource type, of another dimension, zero or by month."""
        with pytest.raises(ValidationError) as refused:
            attrs.evolve(DISK, quantity=quantity("100 GiB"))
        assert [str(p) for p in refused.value.problems] == [
            (
                "expected null, or a resource_type beside it (the quantity is an amount of that "
                "type), got 100 GiB @ $.quantity"
            )
        ]
        storage = attrs.evolve(DISK, resource_type="storage")
        with pytest.raises(ValidationError) as refused:
            attrs.evolve(storage, quantity=quantity("2 instance"))
        assert [str(p) for p in refused.value.problems] == [
            (
                "expected a quantity of what the price counts (GiB), or of that per unit of "
                "time, got 2 instance @ $.quantity"
            )
        ]
        assert problems(lambda: attrs.evolve(storage, quantity=quantity("0 GiB"))) == [
            "$.quantity"
        ]
        assert problems(lambda: attrs.evolve(storage, quantity=quantity("1 GiB*month"))) == [
            "$.quantity"
        ]
        assert problems(lambda: attrs.evolve(storage, quantity="1 GiB")) == ["$.quantity"]

    def test_offering_requires(self) -> None:
        """An offering requires only upgrades it allows; a fixed one requires none."""
        custom = offering("c", OfferingKind.CUSTOMIZABLE, requires={"disk"})
        assert custom.requires == frozenset({"disk"})
        assert offering("a").requires == frozenset()
        with pytest.raises(ValidationError) as refused:
            offering("b", OfferingKind.CUSTOMIZABLE, requires={"disk", "standby"})
        assert [str(p) for p in refused.value.problems] == [
            "expected ids of upgrades the offering allows (disk, ha), got standby @ $.requires"
        ]
        assert problems(lambda: offering("d", requires={"ha"})) == ["$.requires"]
        assert problems(lambda: offering("e", OfferingKind.CUSTOMIZABLE, requires={" "})) == [
            "$.requires[0]"
        ]

    def test_new_fields_round_trip(self) -> None:
        """The quantity and the required upgrades go over the wire; documents without them load."""
        standby = attrs.evolve(
            DISK,
            price=Price(Money("0.03", "EUR"), "instance*hour"),
            resource_type="instance",
            quantity=quantity("1 instance"),
        )
        data = to_dict(standby)
        assert data["quantity"] == "1 instance"
        assert from_dict(Upgrade, data) == standby
        assert from_dict(Upgrade, {k: v for k, v in to_dict(DISK).items() if k != "quantity"}) == (
            DISK
        )
        custom = offering("c", OfferingKind.CUSTOMIZABLE, requires={"disk"})
        assert to_dict(custom)["requires"] == ["disk"]
        assert from_dict(Offering, to_dict(custom)) == custom
        plain = offering("a")
        assert from_dict(
            Offering, {k: v for k, v in to_dict(plain).items() if k != "requires"}
        ) == (plain)

    def test_catalogue_without_the_new_fields_loads(self) -> None:
        """A catalogue written before quantity and requires existed reads the same."""
        path = Path(__file__).parent.parent / "examples" / "data" / "resources" / "catalogue.json"
        data = json.loads(path.read_text(encoding="utf-8"))
        for each in data["entries"]:
            for upgrade in each["upgrades"]:
                del upgrade["quantity"]
            for offered in each["offerings"]:
                del offered["requires"]
        older = from_dict(Catalogue, data)
        assert older == from_json(Catalogue, path.read_text(encoding="utf-8"))
        assert all(u.quantity is None for e in older.entries for u in e.upgrades)
        assert all(not o.requires for e in older.entries for o in e.offerings)

    def test_offering_kinds(self) -> None:
        """Fixed offerings take no upgrades; customizable ones take one or more."""
        assert problems(lambda: offering("a", upgrades={"ha"})) == ["$.upgrades"]
        assert problems(lambda: offering("b", OfferingKind.CUSTOMIZABLE, upgrades=())) == [
            "$.upgrades"
        ]
        assert problems(lambda: offering("c", levels=())) == ["$.levels"]
        assert problems(lambda: offering("d", levels=(AVAILABILITY, AVAILABILITY))) == [
            "$.levels[1].measure"
        ]

    def test_offering_level_lookup(self) -> None:
        """Finds a level by measure and names a missing one."""
        business = entry().offering("business")
        assert business.level("response time") == RESPONSE
        with pytest.raises(UnknownReference):
            business.level("throughput")

    def test_billing(self) -> None:
        """Needs a known method, a positive calendar cycle and an ISO 4217 currency."""
        assert problems(
            lambda: Billing(method="monthly", cycle=relativedelta(), currency="EURO")  # type: ignore[arg-type]
        ) == ["$.method", "$.cycle", "$.currency"]
        assert problems(
            lambda: Billing(
                method=BillingMethod.PREPAID, cycle=relativedelta(months=-1), currency="EUR"
            )
        ) == ["$.cycle"]
        assert problems(
            lambda: Billing(
                method=BillingMethod.PREPAID, cycle=dt.timedelta(days=30), currency="EUR"
            )  # type: ignore[arg-type]
        ) == ["$.cycle"]


class TestReviewFixes:
    """Rules added after an independent review."""

    def test_prices_are_not_negative(self) -> None:
        """Offerings and upgrades refuse a negative price; zero (a free tier) is fine."""
        free = Price(Money("0", "EUR"), "vcpu*hour")
        assert offering("free", price=free).price == free
        negative = Price(Money("-0.04", "EUR"), "vcpu*hour")
        assert problems(lambda: offering("x", price=negative)) == ["$.price.amount"]
        assert problems(lambda: attrs.evolve(DISK, price=negative)) == ["$.price.amount"]

    def test_level_targets_have_fixed_units(self) -> None:
        """A level in calendar months would be pint's average month: refused."""
        assert problems(
            lambda: ServiceLevel(measure="m", bound=Bound.AT_MOST, target=quantity("1 month"))
        ) == ["$.target"]

    def test_stricter_levels(self) -> None:
        """Stricter means higher for at-least levels and lower for at-most ones."""
        assert HA.level is not None
        assert HA.level.is_stricter_than(AVAILABILITY)
        assert not AVAILABILITY.is_stricter_than(HA.level)
        assert not AVAILABILITY.is_stricter_than(AVAILABILITY)
        faster = ServiceLevel(measure="response time", bound=Bound.AT_MOST, target=quantity("1 h"))
        assert faster.is_stricter_than(RESPONSE)
        assert problems(lambda: faster.is_stricter_than(AVAILABILITY)) == ["$.other"]

    def test_upgrades_must_raise_the_level(self) -> None:
        """A service-level upgrade allowed by an offering must promise more than it does."""
        lower = attrs.evolve(
            HA,
            level=ServiceLevel(
                measure="availability", bound=Bound.AT_LEAST, target=quantity("90 %")
            ),
        )
        assert problems(lambda: entry(upgrades=(lower, DISK))) == ["$.offerings[2].upgrades"]
        hours = attrs.evolve(
            HA,
            level=ServiceLevel(
                measure="availability", bound=Bound.AT_LEAST, target=quantity("4 h")
            ),
        )
        assert problems(lambda: entry(upgrades=(hours, DISK))) == ["$.offerings[2].upgrades"]
        new_measure = attrs.evolve(
            HA,
            level=ServiceLevel(measure="support", bound=Bound.AT_LEAST, target=quantity("12 h")),
        )
        assert entry(upgrades=(new_measure, DISK)).upgrades_for("custom")[0] == new_measure

    def test_controls_for_takes_text(self) -> None:
        """The basis may be given as text; anything else is refused."""
        assert [c.id for c in entry().controls_for("statutory")] == ["gdpr-dpa"]
        assert problems(lambda: entry().controls_for("moral")) == ["$.basis"]

    def test_bad_arguments(self) -> None:
        """Queries and updates refuse arguments of the wrong type with cloudsms errors."""
        with pytest.raises(UnknownReference):
            CATALOGUE.entry(None)  # type: ignore[arg-type]
        assert problems(lambda: CATALOGUE.with_entry(None)) == ["$.entry"]  # type: ignore[arg-type]
        assert problems(lambda: offering("x", upgrades=[["ha"]])) == ["$.upgrades"]
        assert problems(lambda: entry(data_locations=[["DE"]])) == ["$.data_locations"]

    def test_deployment_models_of_the_service(self) -> None:
        """An entry offers only deployment models its service has."""
        private = entry(deployment_models={DeploymentModel.PUBLIC, DeploymentModel.PRIVATE})
        assert problems(lambda: Catalogue(entries=(private,), graph=GRAPH)) == [
            "$.entries[0].deployment_models"
        ]

    def test_calendar_lengths_in_whole_units(self) -> None:
        """Fractional or sub-second calendar lengths cannot be written losslessly: refused."""
        assert problems(lambda: entry(minimum_term=relativedelta(days=1.5))) == ["$.minimum_term"]
        assert problems(lambda: entry(minimum_term=relativedelta(months=1, microseconds=1))) == [
            "$.minimum_term"
        ]
        assert problems(
            lambda: Billing(
                method=BillingMethod.PREPAID, cycle=relativedelta(years=9000), currency="EUR"
            )
        ) == ["$.cycle"]


class TestSecondReview:
    """Rules added after a second independent review."""

    def test_pickled_values_keep_hash_and_units(self) -> None:
        """A pickled quantity comes back in the library's registry: equal, same hash."""
        import pickle  # noqa: PLC0415

        back = pickle.loads(pickle.dumps(entry()))
        assert back == entry()
        assert hash(back) == hash(entry())
        assert back.offerings[1].levels[1].is_stricter_than(RESPONSE) is False
        target = back.offerings[1].levels[1].target
        assert target + RESPONSE.target == quantity("8 h")

    def test_measurements_in_calendar_units_are_refused(self) -> None:
        """A level is checked in fixed units only, like its target."""
        assert problems(lambda: RESPONSE.is_met_by("0.001 month")) == ["$.value"]

    def test_bad_arguments(self) -> None:
        """Comparisons and location queries name a wrong argument."""
        assert problems(lambda: RESPONSE.is_stricter_than("x")) == ["$.other"]  # type: ignore[arg-type]
        assert problems(lambda: entry().stores_data_in(None)) == ["$.code"]  # type: ignore[arg-type]
        with pytest.raises(ValidationError, match=r"^Catalogue query is invalid"):
            CATALOGUE.by_category("XaaS")

    def test_one_problem_per_bad_level(self) -> None:
        """Each level of the wrong type is reported once, at its index, and nothing besides."""
        assert problems(lambda: offering("x", levels=("a", [1]))) == ["$.levels[0]", "$.levels[1]"]


class TestEntry:
    """The rules that tie an entry's items together."""

    def test_every_item_is_kept(self) -> None:
        """Holds the items the TR lists, with helpers to read them."""
        vm = entry()
        assert [o.id for o in vm.fixed_offerings] == ["basic", "business"]
        assert [o.id for o in vm.customizable_offerings] == ["custom"]
        assert vm.upgrades_for("custom") == (HA, DISK)
        assert vm.upgrades_for("basic") == ()
        assert [c.id for c in vm.controls_for(ObligationKind.STATUTORY)] == ["gdpr-dpa"]
        assert vm.minimum_term == relativedelta(years=1)
        assert vm.policies[0].topic == "data retention"

    def test_unknown_upgrade(self) -> None:
        """An offering may only name the entry's own upgrades."""
        assert problems(lambda: entry(upgrades=(HA,))) == ["$.offerings[2].upgrades"]

    def test_one_currency(self) -> None:
        """Every price and charge is in the billing currency."""
        usd = Price(Money("1", "USD"), "vcpu*hour")
        paths = problems(
            lambda: entry(
                offerings=(
                    offering("basic", price=usd),
                    offering("custom", OfferingKind.CUSTOMIZABLE),
                ),
                early_termination_charge=Money("5", "GBP"),
            )
        )
        assert paths == ["$.offerings[0].price.amount", "$.early_termination_charge"]

    def test_rules_reported_together(self) -> None:
        """An unknown upgrade and a charge in another currency are reported at once."""
        gbp = Money("5", "GBP")
        assert problems(lambda: entry(upgrades=(HA,), early_termination_charge=gbp)) == [
            "$.offerings[2].upgrades",
            "$.early_termination_charge",
        ]

    def test_charge_needs_a_term(self) -> None:
        """An early-termination charge needs a minimum term, and is not negative."""
        assert problems(lambda: entry(minimum_term=None)) == ["$.minimum_term"]
        assert problems(lambda: entry(early_termination_charge=Money("-1", "EUR"))) == [
            "$.early_termination_charge"
        ]
        assert problems(lambda: entry(minimum_term=relativedelta(days=-3))) == ["$.minimum_term"]

    def test_repeated_ids_and_bad_items(self) -> None:
        """Names repeated offering and control ids, and bad locations and texts."""
        twice = (offering("basic"), offering("basic"))
        assert problems(lambda: entry(offerings=twice)) == ["$.offerings[1].id"]
        control = Control(id="c", basis=ObligationKind.REGULATORY, description="d")
        assert problems(lambda: entry(controls=(control, control))) == ["$.controls[1].id"]
        assert problems(
            lambda: entry(data_locations={"Germany"}, legal_notes=("ok", ""), offerings=())
        ) == ["$.data_locations[0]", "$.legal_notes[1]", "$.offerings"]

    def test_data_location(self) -> None:
        """A country matches its subdivisions, not the other way round."""
        assert STORE.stores_data_in("US")
        assert STORE.stores_data_in("US-CA")
        assert not entry().stores_data_in("DE-BY")


ROOT = Path(__file__).resolve().parent.parent


class TestLocations:
    """Resource and data locations are known ISO 3166 codes (or EU), each checked alone."""

    def test_unknown_codes_refused_at_their_index(self) -> None:
        """Refuses codes ISO 3166 does not assign, each at its index in the sorted set."""
        assert problems(
            lambda: entry(data_locations={"XX", "ZZ", "DE-XX", "DE"}, resource_locations={"QQ"})
        ) == [
            "$.resource_locations[0]",
            "$.data_locations[1]",
            "$.data_locations[2]",
            "$.data_locations[3]",
        ]

    def test_name_gets_its_code_suggested(self) -> None:
        """Refuses a country's name and suggests its code."""
        with pytest.raises(ValidationError) as info:
            entry(data_locations={"DE", "Germany"})
        assert info.value.errors == [
            (
                "expected an ISO 3166 code such as 'DE' or 'US-CA' (close matches: DE), "
                "got 'Germany' (string) @ $.data_locations[1]"
            )
        ]

    @pytest.mark.parametrize(
        ("given", "closest"),
        [
            ("de", "DE"),
            ("DEU", "DE"),
            ("United Kingdom", "GB"),
            ("california", "US-CA"),
            ("DE-BYY", "DE-BY"),
        ],
    )
    def test_closest_match_first(self, given: str, closest: str) -> None:
        """Suggests first the code meant by a lower-case code, an alpha-3 code or a name."""
        with pytest.raises(ValidationError) as info:
            entry(data_locations={given})
        (problem,) = info.value.problems
        prefix = "an ISO 3166 code such as 'DE' or 'US-CA' (close matches: "
        assert prefix + closest == problem.expected[: len(prefix) + len(closest)]

    def test_no_close_match(self) -> None:
        """Says only what was expected when nothing is close."""
        with pytest.raises(ValidationError) as info:
            entry(data_locations={"x" * 41})
        (problem,) = info.value.problems
        assert problem.expected == "an ISO 3166 code such as 'DE' or 'US-CA'"

    def test_wrong_item_type(self) -> None:
        """Refuses a location that is not text at its index."""
        assert problems(lambda: entry(data_locations={"DE", 5})) == ["$.data_locations[0]"]

    def test_eu_region(self) -> None:
        """Accepts EU beside the countries; a query for EU matches only EU itself."""
        eu = entry(data_locations={"EU"}, resource_locations={"EU", "DE"})
        assert frozenset({"EU"}) == eu.data_locations
        assert eu.stores_data_in("EU")
        assert not eu.stores_data_in("DE")

    def test_subdivisions(self) -> None:
        """Accepts ISO 3166-2 subdivision codes of every shape."""
        codes = {"US-CA", "GB-ENG", "FR-75C", "CZ-10", "SI-001"}
        assert codes == entry(data_locations=codes).data_locations

    def test_queries_check_the_code(self) -> None:
        """Refuses a query for an unknown code instead of answering no."""
        assert problems(lambda: CATALOGUE.by_data_location("XX")) == ["$.code"]
        assert problems(lambda: entry().stores_data_in("Germany")) == ["$.code"]

    def test_document_path(self) -> None:
        """Reports a bad code of a document at its index."""
        data = to_dict(entry())
        data["data_locations"] = ["DE", "ZZ"]
        with pytest.raises(ValidationError) as info:
            from_dict(CatalogueEntry, data)
        assert info.value.paths == ["$.data_locations[1]"]

    @given(
        st.frozensets(
            st.sampled_from(
                sorted(
                    json.loads(
                        (ROOT / "src" / "cloudsms" / "data" / "countries.json").read_text(
                            encoding="utf-8"
                        )
                    )["subdivisions"]
                )
            ),
            min_size=1,
            max_size=4,
        )
    )
    def test_every_subdivision_accepted(self, codes: frozenset[str]) -> None:
        """Accepts every subdivision code the data file lists."""
        assert codes == entry(data_locations=codes).data_locations

    def test_data_file_stamped(self) -> None:
        """Finds the data file stamped with its source package and version."""
        document = json.loads(
            (ROOT / "src" / "cloudsms" / "data" / "countries.json").read_text(encoding="utf-8")
        )
        assert document["generated_from"]["package"] == "pycountry"
        assert {"EU"} == set(document["regions"])
        assert {"DE", "US", "GB"} <= set(document["countries"])

    def test_generator_in_sync(self) -> None:
        """Finds countries.json identical to what tasks/countries.py generates."""
        pytest.importorskip("pycountry", reason="tasks/countries.py needs the dev extra")
        result = subprocess.run(
            [sys.executable, str(ROOT / "tasks" / "countries.py"), "--check"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stdout

    def test_data_read_lazily(self) -> None:
        """Imports cloudsms.catalogue without reading the country data."""
        code = (
            "import cloudsms.catalogue, cloudsms._foundation.countries as c;"
            "print(c._table.cache_info().currsize)"
        )
        result = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        assert result.stdout.strip() == "0"


class TestLookups:
    """Offerings and levels are found by id or measure, with close matches when not."""

    def test_unknown_offering_suggests(self) -> None:
        """Names the offering ids close to an unknown one."""
        with pytest.raises(UnknownReference) as info:
            entry().offering("basci")
        assert str(info.value) == "unknown offering 'basci'; did you mean basic?"

    def test_unknown_level_suggests(self) -> None:
        """Names the measures close to an unknown one."""
        with pytest.raises(UnknownReference) as info:
            offering("business", levels=(AVAILABILITY, RESPONSE)).level("availabilty")
        assert info.value.suggestions == ("availability",)


def _fields(value: object) -> dict[str, Any]:
    return {f.name: getattr(value, f.name) for f in attrs.fields(type(value)) if f.init}


VALID: dict[type, dict[str, Any]] = {
    ServiceLevel: _fields(AVAILABILITY),
    Upgrade: _fields(HA),
    Offering: _fields(offering("custom", OfferingKind.CUSTOMIZABLE)),
    Policy: {"topic": "data retention", "statement": "35 days"},
    Control: {"id": "c", "basis": ObligationKind.STATUTORY, "description": "d"},
    Billing: {
        "method": BillingMethod.SUBSCRIPTION,
        "cycle": MONTH,
        "currency": "EUR",
        "accounting": "by cost centre",
    },
    CatalogueEntry: {**_fields(entry()), "description": "VMs"},
    Catalogue: _fields(CATALOGUE),
    Release: {
        "service": GRAPH.services[0],
        "catalogue": CATALOGUE,
        "records": {},
    },
}


class TestFieldTypes:
    """Every public class of cloudsms.catalogue refuses a wrong-typed field with its path."""

    def test_every_class_is_covered(self) -> None:
        """Lists every public class of the catalogue and of the release procedure."""
        found = public_attrs_classes(cloudsms.catalogue) | public_attrs_classes(release_module)
        assert found == set(VALID)

    @pytest.mark.parametrize(("kind", "name", "wrong"), wrong_fields(VALID))
    def test_wrong_type_refused_at_its_path(self, kind: type, name: str, wrong: object) -> None:
        """Raises a ValidationError at the field's path, never a builtin error."""
        assert_refused_at_field(kind, VALID[kind], name, wrong)


class TestCatalogue:
    """The catalogue's rules and queries."""

    def test_entries_must_match_the_graph(self) -> None:
        """An entry's service must be in the graph, in the entry's category."""
        assert problems(lambda: Catalogue(entries=(entry(service="ghost"),), graph=GRAPH)) == [
            "$.entries[0].service"
        ]
        wrong = entry(category=ServiceCategory.PAAS)
        assert problems(lambda: Catalogue(entries=(wrong,), graph=GRAPH)) == [
            "$.entries[0].category"
        ]
        assert problems(lambda: Catalogue(entries=(entry(), entry()), graph=GRAPH)) == [
            "$.entries[1].id"
        ]

    def test_queries(self) -> None:
        """By category, data location and dependency, hand-computed from GRAPH."""
        ids = lambda entries: [e.id for e in entries]  # noqa: E731
        assert ids(CATALOGUE.by_category("IaaS")) == ["vm"]
        assert ids(CATALOGUE.by_category(ServiceCategory.SAAS)) == ["crm-std"]
        assert ids(CATALOGUE.by_data_location("US")) == ["blob"]
        assert ids(CATALOGUE.by_data_location("DE")) == ["vm"]
        assert ids(CATALOGUE.depending_on("san")) == ["vm", "blob", "crm-std"]
        assert ids(CATALOGUE.depending_on("hv")) == ["vm", "crm-std"]
        assert ids(CATALOGUE.depending_on("crm")) == []
        assert CATALOGUE.dependencies_of("crm-std") == ("compute", "hv", "san", "storage")
        assert problems(lambda: CATALOGUE.by_category("XaaS")) == ["$.category"]
        assert problems(lambda: CATALOGUE.by_data_location("europe")) == ["$.code"]
        with pytest.raises(UnknownReference, match="vm"):
            CATALOGUE.entry("vn")
        with pytest.raises(UnknownReference):
            CATALOGUE.depending_on("nothing")

    def test_with_and_without_entry(self) -> None:
        """Replaces an entry in place, adds a new one last, removes one; the old value stays."""
        renamed = attrs.evolve(entry(), name="VMs")
        replaced = CATALOGUE.with_entry(renamed)
        assert replaced.entries[0].name == "VMs"
        assert CATALOGUE.entry("vm").name == "Virtual machines"
        smaller = CATALOGUE.without_entry("blob")
        assert [e.id for e in smaller.entries] == ["vm", "crm-std"]
        assert [e.id for e in smaller.with_entry(STORE).entries] == ["vm", "crm-std", "blob"]
        with pytest.raises(UnknownReference):
            smaller.without_entry("blob")

    def test_table(self) -> None:
        """One line per entry under a header, minimum term as an ISO duration."""
        lines = catalogue_table(CATALOGUE).splitlines()
        assert lines[0].split() == [
            "id", "name", "category", "deployment", "data", "in", "offerings",
            "minimum", "term", "early", "exit",
        ]  # fmt: skip
        assert lines[2].startswith("vm ")
        assert "P1Y" in lines[2]
        assert "250.00 EUR" in lines[2]
        assert "basic (fixed), business (fixed), custom (customizable)" in lines[2]
        assert len(lines) == 5
        assert catalogue_rows(CATALOGUE)[1]["early exit"] == ""

    def test_offerings_table(self) -> None:
        """One line per offering, with levels, price and the upgrades it allows."""
        rows = offering_rows(CATALOGUE)
        assert [r["offering"] for r in rows][:3] == ["vm:basic", "vm:business", "vm:custom"]
        assert rows[1]["levels"] == "availability at least 99.9 %; response time at most 4 h"
        assert rows[0]["price"] == "EUR 0.042 per vcpu*hour"
        assert rows[2]["upgrades"] == "ha, disk"
        assert rows[0]["upgrades"] == ""
        lines = offerings_table(CATALOGUE).splitlines()
        assert lines[0].split() == ["offering", "kind", "levels", "price", "upgrades"]
        assert len(lines) == 2 + len(rows) == 2 + 7

    @settings(max_examples=examples(30))  # each example draws a graph and up to five entries
    @given(catalogues())
    def test_queries_agree_with_brute_force(self, catalogue: Catalogue) -> None:
        """Entries depend on a node exactly when their service reaches it; categories partition."""
        found = [e for c in ServiceCategory for e in catalogue.by_category(c)]
        assert sorted(e.id for e in found) == sorted(e.id for e in catalogue.entries)
        graph = catalogue.graph
        edges: dict[str, set[str]] = {s.id: set(s.components) for s in graph.services}
        for c in graph.components:
            edges[c.id] = set()
        for d in graph.dependencies:
            edges[d.dependant].add(d.dependency)

        def reaches(start: str, goal: str) -> bool:
            seen, todo = set(), [start]
            while todo:
                for nxt in edges[todo.pop()]:
                    if nxt == goal:
                        return True
                    if nxt not in seen:
                        seen.add(nxt)
                        todo.append(nxt)
            return False

        for node in edges:
            expected = [e.id for e in catalogue.entries if reaches(e.service, node)]
            assert [e.id for e in catalogue.depending_on(node)] == expected


class TestDocuments:
    """JSON round trips, the schema and bad documents."""

    @settings(max_examples=examples(40))
    @given(catalogue_entries())
    def test_entry_round_trip(self, value: CatalogueEntry) -> None:
        """Reads its JSON back into an equal entry."""
        assert from_json(CatalogueEntry, to_json(value)) == value

    @settings(max_examples=examples(25))
    @given(catalogues())
    def test_catalogue_round_trip(self, value: Catalogue) -> None:
        """Reads its JSON back into an equal catalogue."""
        assert from_json(Catalogue, to_json(value)) == value

    @given(service_levels(), offerings(upgrade_ids=("a", "b")))
    def test_parts_round_trip(self, level: ServiceLevel, offer: Offering) -> None:
        """Round-trips levels and offerings."""
        assert from_dict(ServiceLevel, to_dict(level)) == level
        assert from_dict(Offering, to_dict(offer)) == offer

    def test_schema(self) -> None:
        """Exports a schema that accepts what is written and refuses an unknown key."""
        schema = json_schema(Catalogue)
        jsonschema.Draft202012Validator.check_schema(schema)
        document = json.loads(to_json(CATALOGUE))
        jsonschema.validate(document, schema)
        document["entries"][0]["colour"] = "red"
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(document, schema)

    def test_mutated_document(self) -> None:
        """Wrong type, missing field, unknown key, float money, bad unit, negative quantity."""
        data: dict[str, Any] = to_dict(CATALOGUE)
        vm = data["entries"][0]
        vm["category"] = 7
        del vm["ordering_procedure"]
        vm["colour"] = "red"
        vm["early_termination_charge"]["amount"] = 250.0
        vm["offerings"][0]["price"]["unit"] = "parsecs*banana"
        vm["offerings"][1]["levels"][1]["target"] = "-4 h"
        with pytest.raises(ValidationError) as info:
            from_dict(Catalogue, data)
        assert sorted(info.value.paths) == [
            "$.entries[0].category",
            "$.entries[0].colour",
            "$.entries[0].early_termination_charge.amount",
            "$.entries[0].offerings[0].price.unit",
            "$.entries[0].offerings[1].levels[1].target",
            "$.entries[0].ordering_procedure",
        ]

    def test_cycle_in_the_graph(self) -> None:
        """A dependency cycle in the catalogue's graph is named at its path."""
        data: dict[str, Any] = to_dict(CATALOGUE)
        data["graph"]["dependencies"].append({"dependant": "storage", "dependency": "crm"})
        with pytest.raises(ValidationError) as info:
            from_dict(Catalogue, data)
        assert info.value.paths == ["$.graph.dependencies[2]"]
        assert "storage -> crm -> compute -> storage" in str(info.value)


REVIEW = {
    "capacity_requirement": "400 vcpu",
    "availability_required": "99.9",
    "availability_designed": "99.95",
    "shared_resource_security": "isolation reviewed",
    "sla": "new",
}


def at_tested(service_id: str = "compute") -> LifecycleInstance:
    """A service's lifecycle instance (the compute service's) taken to ``tested``."""
    instance = SERVICE_LIFECYCLE.begin(id=service_id)
    for event, data in (("design", {"review": REVIEW}), ("build", {}), ("test", {})):
        instance = instance.apply(event, who="actor:pm", when=T0, data=data)
    return instance


def holding(instance: LifecycleInstance) -> Catalogue:
    """A catalogue whose graph's compute service holds ``instance``."""
    compute = attrs.evolve(GRAPH.services[0], lifecycle=instance)
    return Catalogue(graph=attrs.evolve(GRAPH, services=(compute, *GRAPH.services[1:])))


TESTED = holding(at_tested())


class TestReleaseToLive:
    """S05: release moves the service live, publishes its entry and updates the records."""

    def test_release(self) -> None:
        """Everything moves together through the service's own instance; inputs stay as given."""
        san = ConfigurationRecord.create(
            ConfigurationItem(id="hv", name="Hypervisors", kind="hardware"), by="ops", at=T0
        )
        records = {"hv": san}
        service = TESTED.graph.services[0]
        at = T0 + dt.timedelta(days=1)
        result = release_to_live(
            service=service,
            entry=entry(),
            catalogue=TESTED,
            records=records,
            by="actor:release-manager",
            at=at,
            change="CHG-7",
        )
        assert result.service == advance(
            service, "release", who="actor:release-manager", when=at, data={"change": "CHG-7"}
        )
        assert result.instance is result.service.lifecycle
        assert result.instance.history()[-1].data == {"change": "CHG-7"}
        assert result.service.lifecycle_state == "live"
        assert result.catalogue.entry("vm") == entry()
        assert result.catalogue.graph.services[0] == result.service
        assert result.catalogue.graph.services[1:] == GRAPH.services[1:]
        assert sorted(result.records) == ["compute", "hv"]
        created = result.records["compute"]
        assert created.current.attributes == {"status": "live"}
        assert [(r.kind, r.target) for r in created.current.relations] == [
            (RelationKind.USES, "hv")
        ]
        assert created.current_version.change == "CHG-7"
        updated = result.records["hv"]
        assert [v.version for v in updated.history()] == [1, 2]
        assert updated.current.attributes == {"status": "live"}
        assert updated.current_version.changed_at == at
        assert TESTED.entries == ()
        assert records == {"hv": san}
        assert service.lifecycle_state == "tested"
        assert TESTED.graph.services[0] is service

    def test_refused_before_tested(self) -> None:
        """A service not yet tested cannot go live; nothing is produced."""
        tested = at_tested()
        built = SERVICE_LIFECYCLE.resume(tested.history()[:-1], id=tested.id)
        catalogue = holding(built)
        with pytest.raises(InvalidTransition) as info:
            release_to_live(
                service=catalogue.graph.services[0],
                entry=entry(),
                catalogue=catalogue,
                records={},
                by="actor:rm",
                at=T0,
            )
        assert (info.value.state, info.value.event) == ("built", "release")

    def test_the_graph_copy_of_the_service(self) -> None:
        """A service that differs from the graph's own copy is refused, not published."""
        stale = attrs.evolve(TESTED.graph.services[0], components=(), name="Old name")
        planned = GRAPH.services[0]  # the same fields, but its lifecycle is still planned
        for service in (stale, planned):
            with pytest.raises(ValidationError) as info:
                release_to_live(
                    service=service,
                    entry=entry(),
                    catalogue=TESTED,
                    records={},
                    by="actor:rm",
                    at=T0,
                )
            assert info.value.paths == ["$.service"]

    def test_bad_arguments_and_a_frozen_result(self) -> None:
        """Wrong argument types are named; the result is hashable and cannot be changed."""
        with pytest.raises(ValidationError) as info:
            release_to_live(
                service=TESTED.graph.services[0],
                entry=entry(),
                catalogue=TESTED,
                records=None,  # type: ignore[arg-type]
                by="actor:rm",
                at=T0,
            )
        assert info.value.paths == ["$.records"]
        with pytest.raises(ValidationError) as info:
            release_to_live(
                service=at_tested(),  # type: ignore[arg-type]
                entry=entry(),
                catalogue=TESTED,
                records={},
                by="actor:rm",
                at=T0,
            )
        assert info.value.paths == ["$.service"]
        result = release_to_live(
            service=TESTED.graph.services[0],
            entry=entry(),
            catalogue=TESTED,
            records={},
            by="actor:rm",
            at=T0,
        )
        assert hash(result) == hash(result)
        with pytest.raises(TypeError):
            result.records["compute"] = result.records["hv"]  # type: ignore[index]
        with pytest.raises(TypeError):
            result.records["compute"].current.attributes["status"] = "retired"  # type: ignore[index]
        assert result.records["compute"].versions[0].item.attributes == {"status": "live"}
        with pytest.raises(ValidationError) as info:
            Release(service=result.service, catalogue=None, records={})  # type: ignore[arg-type]
        assert info.value.paths == ["$.catalogue"]

    def test_records_must_be_keyed_by_their_item(self) -> None:
        """A record filed under another item's id is refused."""
        hv = ConfigurationRecord.create(
            ConfigurationItem(id="hv", name="HV", kind="hardware"), by="ops", at=T0
        )
        with pytest.raises(ValidationError) as info:
            release_to_live(
                service=TESTED.graph.services[0],
                entry=entry(),
                catalogue=TESTED,
                records={"compute": hv},
                by="actor:rm",
                at=T0,
            )
        assert info.value.paths == ["$.records.compute"]

    def test_an_entry_id_of_another_service(self) -> None:
        """Releasing never replaces the entry of another service that has the same id."""
        theirs = entry(
            "vm",
            "storage",
            category=ServiceCategory.DSAAS,
            minimum_term=None,
            early_termination_charge=None,
        )
        with pytest.raises(ValidationError) as info:
            release_to_live(
                service=TESTED.graph.services[0],
                entry=entry(),
                catalogue=attrs.evolve(TESTED, entries=(theirs,)),
                records={},
                by="actor:rm",
                at=T0,
            )
        assert info.value.paths == ["$.entry.id"]

    def test_entry_and_service_must_match(self) -> None:
        """The entry must describe the released service, which must be in the graph."""
        kwargs: dict[str, Any] = {"catalogue": TESTED, "records": {}, "by": "actor:rm", "at": T0}
        with pytest.raises(ValidationError) as info:
            release_to_live(service=TESTED.graph.services[1], entry=entry(), **kwargs)
        assert info.value.paths == ["$.entry.service"]
        ghost = attrs.evolve(svc("ghost", ServiceCategory.IAAS), lifecycle=at_tested("ghost"))
        with pytest.raises(ValidationError) as info:
            release_to_live(service=ghost, entry=entry(service="ghost"), **kwargs)
        assert info.value.paths == ["$.service"]

    @given(st.sampled_from(["planned", "designed", "built", "live", "retiring"]))
    def test_only_from_tested(self, state: str) -> None:
        """Every state but tested refuses the release, and nothing is produced."""
        tested = at_tested()
        steps = {"planned": 0, "designed": 1, "built": 2}
        if state in steps:
            instance = SERVICE_LIFECYCLE.resume(tested.history()[: steps[state]], id=tested.id)
        else:
            instance = tested.apply("release", who="actor:rm", when=T0)
            if state == "retiring":
                instance = instance.apply("retire", who="actor:rm", when=T0)
        catalogue = holding(instance)
        with pytest.raises(InvalidTransition) as info:
            release_to_live(
                service=catalogue.graph.services[0],
                entry=entry(),
                catalogue=catalogue,
                records={},
                by="actor:rm",
                at=T0,
            )
        assert info.value.state == state


class TestServiceLevelTargetRegistry:
    """ServiceLevel's target check names a quantity of another pint registry."""

    def test_other_registry_named(self) -> None:
        """Refuses a target from another pint registry, saying so."""
        from decimal import Decimal  # noqa: PLC0415 - as the other registry needs it

        import pint  # noqa: PLC0415 - only this test builds a second registry

        other = pint.UnitRegistry(non_int_type=Decimal).Quantity(Decimal(1), "ms")
        with pytest.raises(ValidationError) as info:
            ServiceLevel(measure="latency", bound=Bound.AT_MOST, target=other)
        expected = (
            "expected a quantity of cloudsms's registry (cloudsms.units.registry()); rebuild "
            "it with cloudsms.units.quantity(magnitude, unit), got 1 millisecond from another "
            "pint registry @ $.target"
        )
        assert [expected] == info.value.errors

    def test_not_a_quantity(self) -> None:
        """Refuses a plain number as before, with the example."""
        with pytest.raises(ValidationError) as info:
            ServiceLevel(measure="availability", bound=Bound.AT_LEAST, target=99.9)  # type: ignore[arg-type]
        assert (info.value.errors) == [
            "expected a quantity such as '99.9 %', got 99.9 (number) @ $.target"
        ]
