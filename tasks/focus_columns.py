"""Regenerate ``src/cloudsms/data/focus_1_0.json``: the FinOps FOCUS 1.0 columns as data.

Two inputs make the file:

- the rule files of the ``focus-validator`` package (version 1.0.0), set ``"1.0"`` of
  its ``rules/version_sets.yaml``: whether each column is required, may be null, its
  data type and, for some, its allowed values. The validator still names four
  columns by their names before 1.0 (``InvoiceIssuer``, ``Provider``, ``Publisher``,
  ``ResourceID``); they are filed under the 1.0 names here.
- the tables below, read off the FOCUS 1.0 specification
  (``specification/columns/*.md`` of the FOCUS_Spec repository, tag ``v1.0``): the
  allowed values the validator lacks (``ChargeCategory``'s), each column's
  conditional rules in a small checkable form (documented in the file's ``syntax``),
  what cloudsms fills each column from (``source``) and a description, all in our
  own words.

The file records the validator's facts of each column (its rule files and their
checks, under ``origin``) and the SHA-256 of the rule files read, so it can be
checked with or without the validator at hand.

Usage (from the project root)::

    python tasks/focus_columns.py --rules PATH/focus_validator/rules [--check]
    python tasks/focus_columns.py --check

``--rules`` names the ``rules`` folder of an installed ``focus-validator``; reading
its YAML needs PyYAML (the ``dev`` extra brings it, through mkdocs): without it, or
without a rule set in that folder, the script says so and exits 2. With
``--check`` the script exits 1 when the committed file differs from what it would
write: from the rule files when ``--rules`` is given, else from the validator facts
the committed file records (so CI without the validator still catches a hand edit
of the file, or a change of the tables here not regenerated).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path
from typing import Any

from cloudsms.reports.focus import FOCUS_COLUMNS

from _datafile import write_or_check

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "src" / "cloudsms" / "data" / "focus_1_0.json"
VERSION_SET = "1.0"
SPEC = "FinOps-Open-Cost-and-Usage-Spec/FOCUS_Spec, tag v1.0"

# The 43 columns of FOCUS 1.0, in the order the export writes them (one list, the
# export's).
COLUMNS = tuple(FOCUS_COLUMNS)

# The validator's names from before 1.0, and the 1.0 names they stand for.
RENAMED = {
    "InvoiceIssuer": "InvoiceIssuerName",
    "Provider": "ProviderName",
    "Publisher": "PublisherName",
    "ResourceID": "ResourceId",
}

# The specification's file of a column, where it is not the name in lower case.
SPEC_FILES = {
    "InvoiceIssuerName": "invoiceissuer.md",
    "ProviderName": "provider.md",
    "PublisherName": "publisher.md",
}

TYPES = {
    "string": "string",
    "decimal": "decimal",
    "datetime": "datetime",
    "currency-code": "currency-code",
    "stringified-json-object": "json-object",
}

# Whether a column may be null, where the validator's rules do not say (its rule for
# SkuPriceId is an SQL check it cannot run on 1.0 data): from the specification.
SPEC_NULLABLE = {"SkuPriceId": True}

# Allowed values the validator's rules do not list, from the specification.
SPEC_ALLOWED = {
    "ChargeCategory": ["Usage", "Purchase", "Tax", "Credit", "Adjustment"],
}

SYNTAX = [
    "Each column: name; type (string, decimal, datetime, currency-code, json-object);",
    "nullable (whether a row may leave it empty); allowed (the values it may take, or",
    "null for any); conditions; source (what cloudsms fills it from); description;",
    "origin (the validator's rule files read and their checks, the specification file).",
    "A condition holds 'when', an object of tests on other columns that must all pass,",
    "and 'then', a test the column's own value must pass when they do; 'says' puts the",
    "rule in words. A test is 'null' (the cell is empty), 'present' (it is not),",
    "{'in': [...]} (one of the values; an empty cell is none of them), {'not_in': [...]}",
    "(none of the values; an empty cell passes), {'min': '0'} (a number at least that)",
    "or {'product': [A, B]} (the product of columns A and B, to the 38 significant",
    "digits a decimal cell holds).",
]

_NOT_CORRECTION = {"ChargeClass": {"not_in": ["Correction"]}}
_USAGE_OR_PURCHASE = {"ChargeCategory": {"in": ["Usage", "Purchase"]}, **_NOT_CORRECTION}
_TAX = {"ChargeCategory": {"in": ["Tax"]}}


def _priced(what: str) -> list[dict[str, Any]]:
    """The two nullability rules FOCUS 1.0 gives the price, quantity and SKU columns."""
    return [
        {
            "when": _USAGE_OR_PURCHASE,
            "then": "present",
            "says": f"a usage or purchase that corrects nothing states its {what}",
        },
        {"when": _TAX, "then": "null", "says": f"a tax row has no {what}"},
    ]


def _commitment(what: str, *, required: bool = True) -> list[dict[str, Any]]:
    """Rules of a commitment-discount column: empty without a commitment discount id."""
    rules: list[dict[str, Any]] = [
        {
            "when": {"CommitmentDiscountId": "null"},
            "then": "null",
            "says": f"no {what} without a commitment discount",
        }
    ]
    if required:
        rules.append(
            {
                "when": {"CommitmentDiscountId": "present"},
                "then": "present",
                "says": f"a row of a commitment discount states its {what}",
            }
        )
    return rules


def _product(price: str) -> list[dict[str, Any]]:
    return [
        {
            "when": {**_NOT_CORRECTION, price: "present", "PricingQuantity": "present"},
            "then": {"product": [price, "PricingQuantity"]},
            "says": f"the cost is {price} times PricingQuantity, corrections aside",
        }
    ]


_NOT_NEGATIVE = {"when": {}, "then": {"min": "0"}, "says": "a unit price is never negative"}

# Per column: its conditions, what cloudsms fills it from, and what it means.
TABLE: dict[str, dict[str, Any]] = {
    "AvailabilityZone": {
        "source": "always empty: cloudsms records no availability zones",
        "description": "The provider's zone, inside a region, the resource ran in.",
    },
    "BilledCost": {
        "source": "the line's share of the profile's rounded total: the total handed out "
        "in proportion to the lines' exact amounts (largest remainder), so the column "
        "sums to the total exactly",
        "description": "What the row adds to the invoice, after discounts, without "
        "spreading prepaid purchases.",
    },
    "BillingAccountId": {
        "source": "the agreement's customer_id",
        "description": "The provider's identifier of the account invoices go to.",
    },
    "BillingAccountName": {
        "source": "the customer_name given to the export, else empty",
        "description": "The display name of that billing account.",
    },
    "BillingCurrency": {
        "source": "the profile's currency (its rate card's)",
        "description": "The ISO 4217 code of the currency the charge is billed in.",
    },
    "BillingPeriodEnd": {
        "source": "the end of the billing period holding the profile's period (the"
        " profile's own when it spans several), in UTC",
        "description": "Where the billing period ends (the instant itself not included).",
    },
    "BillingPeriodStart": {
        "source": "the start of the billing period holding the profile's period (the"
        " profile's own when it spans several), in UTC",
        "description": "Where the billing period starts (included).",
    },
    "ChargeCategory": {
        "source": "Usage for an allocation held or a usage; Adjustment for a minimum "
        "commitment's shortfall",
        "description": "The broadest kind of charge: usage, purchase, tax, credit or adjustment.",
    },
    "ChargeClass": {
        "source": "always empty: a profile corrects no earlier invoice",
        "description": "Correction when the row corrects a charge invoiced for an earlier "
        "billing period, else empty.",
    },
    "ChargeDescription": {
        "source": "a sentence made of the line's quantity, resource type, service and price "
        "(for a shortfall: the minimum and its scope)",
        "description": "A short text saying what is charged and at what price.",
    },
    "ChargeFrequency": {
        "conditions": [
            {
                "when": {"ChargeCategory": {"in": ["Purchase"]}},
                "then": {"not_in": ["Usage-Based"]},
                "says": "a purchase is never usage-based",
            }
        ],
        "source": "Recurring for a price per calendar period and for a commitment's "
        "shortfall; Usage-Based for a price per unit and time or per unit used",
        "description": "How often the charge comes back: once, on a schedule, or with use.",
    },
    "ChargePeriodEnd": {
        "source": "the end of the time held (an allocation), of the usage's interval cut "
        "to the period (a usage) or of the part of a calendar period owed (a "
        "shortfall), in UTC, rounded up to the whole second",
        "description": "Where the time the row charges for ends (not included).",
    },
    "ChargePeriodStart": {
        "source": "the start of that time, in UTC, rounded down to the whole second",
        "description": "Where the time the row charges for starts (included).",
    },
    "CommitmentDiscountCategory": {
        "conditions": _commitment("commitment discount category"),
        "source": "always empty: cloudsms's minimum commitments are not commitment discounts",
        "description": "Whether a commitment discount commits to an amount used or to "
        "money spent.",
    },
    "CommitmentDiscountId": {
        "source": "always empty, as CommitmentDiscountCategory",
        "description": "The provider's identifier of the commitment discount the row draws on.",
    },
    "CommitmentDiscountName": {
        "conditions": _commitment("commitment discount name", required=False),
        "source": "always empty, as CommitmentDiscountCategory",
        "description": "The display name of that commitment discount.",
    },
    "CommitmentDiscountStatus": {
        "conditions": [
            *_commitment("status", required=False),
            {
                "when": {"CommitmentDiscountId": "present", "ChargeCategory": {"in": ["Usage"]}},
                "then": "present",
                "says": "usage under a commitment discount says whether it was used",
            },
        ],
        "source": "always empty, as CommitmentDiscountCategory",
        "description": "Whether the row consumes the commitment or is its unused part.",
    },
    "CommitmentDiscountType": {
        "conditions": _commitment("commitment discount type"),
        "source": "always empty, as CommitmentDiscountCategory",
        "description": "The provider's name for the kind of commitment discount.",
    },
    "ConsumedQuantity": {
        "conditions": [
            {
                "when": {"ChargeCategory": {"in": ["Usage"]}, **_NOT_CORRECTION},
                "then": "present",
                "says": "usage that corrects nothing states how much was consumed",
            },
            {
                "when": {"ChargeCategory": {"not_in": ["Usage"]}},
                "then": "null",
                "says": "only usage states an amount consumed",
            },
        ],
        "source": "an allocation: the quantity held times the hours held; a usage: the "
        "part the row charges (a graduated rate's tier part) in the unit the usage was "
        "measured in; a shortfall: empty",
        "description": "How much of the resource was consumed, in ConsumedUnit.",
    },
    "ConsumedUnit": {
        "conditions": [
            {
                "when": {"ChargeCategory": {"in": ["Usage"]}, **_NOT_CORRECTION},
                "then": "present",
                "says": "usage that corrects nothing states the unit consumed",
            },
            {
                "when": {"ChargeCategory": {"not_in": ["Usage"]}},
                "then": "null",
                "says": "only usage states a unit consumed",
            },
        ],
        "source": "an allocation: its unit times hour (vcpu*hour); a usage: the unit the "
        "usage was measured in; a shortfall: empty",
        "description": "The unit ConsumedQuantity counts in.",
    },
    "ContractedCost": {
        "conditions": _product("ContractedUnitPrice"),
        "source": "the line's exact amount as a decimal (38 significant digits where its "
        "decimals do not end): the agreed price is the only price",
        "description": "The agreed unit price times the pricing quantity.",
    },
    "ContractedUnitPrice": {
        "conditions": [*_priced("contracted unit price"), _NOT_NEGATIVE],
        "source": "the amount of the price charged (the agreement's rate card)",
        "description": "The price agreed for one PricingUnit, before commitment discounts.",
    },
    "EffectiveCost": {
        "source": "the line's exact amount, as ContractedCost: nothing is amortised",
        "description": "The cost once every discount and the share of prepaid purchases "
        "covering it are applied.",
    },
    "InvoiceIssuerName": {
        "source": "the provider profile's name, else the agreement's provider",
        "description": "Who sends the invoice for the row.",
    },
    "ListCost": {
        "conditions": _product("ListUnitPrice"),
        "source": "the line's exact amount, as ContractedCost",
        "description": "The list unit price times the pricing quantity.",
    },
    "ListUnitPrice": {
        "conditions": [*_priced("list unit price"), _NOT_NEGATIVE],
        "source": "the amount of the price charged, as ContractedUnitPrice",
        "description": "The published price of one PricingUnit, before any discount.",
    },
    "PricingCategory": {
        "conditions": [
            *_priced("pricing category"),
            {
                "when": {"CommitmentDiscountId": "present"},
                "then": {"in": ["Committed"]},
                "says": "a row of a commitment discount is priced as committed",
            },
        ],
        "source": "Standard for an allocation or a usage (the agreed rate); empty for a shortfall",
        "description": "The pricing model of the charge: standard, dynamic, committed or other.",
    },
    "PricingQuantity": {
        "conditions": _priced("pricing quantity"),
        "source": "the quantity in the price's unit the amount is the price of: the "
        "quantity times the time held (a price per unit and time) or times the "
        "calendar periods held (a price per calendar period), or the quantity used; "
        "empty for a shortfall",
        "description": "How many PricingUnits the row charges for.",
    },
    "PricingUnit": {
        "conditions": _priced("pricing unit"),
        "source": "the price's unit, times its calendar period when it has one "
        "(GiB*month); empty for a shortfall",
        "description": "The unit a unit price is quoted for.",
    },
    "ProviderName": {
        "source": "the provider profile's name, else the agreement's provider",
        "description": "Who made the resource or service available.",
    },
    "PublisherName": {
        "source": "the provider profile's name, else the agreement's provider",
        "description": "Who produced the resource or service.",
    },
    "RegionId": {
        "source": "the allocation's location, else empty (usage and shortfalls have none)",
        "description": "The provider's identifier of the region the resource runs in.",
    },
    "RegionName": {
        "source": "the allocation's location, as RegionId (cloudsms has no region names)",
        "description": "The name of that region.",
    },
    "ResourceId": {
        "source": "the resource_id of the allocation or usage, else empty",
        "description": "The provider's identifier of the resource charged.",
    },
    "ResourceName": {
        "source": "always empty: cloudsms records no display names of resources",
        "description": "The display name of the resource.",
    },
    "ResourceType": {
        "conditions": [
            {
                "when": {"ResourceId": "null"},
                "then": "null",
                "says": "no resource type without a resource id",
            },
            {
                "when": {"ResourceId": "present"},
                "then": "present",
                "says": "a row with a resource id names its kind of resource",
            },
        ],
        "source": "the name of the line's resource type when the line has a resource id, "
        "else empty",
        "description": "What kind of resource the row charges for.",
    },
    "ServiceCategory": {
        "source": "the focus_category of the line's resource type; Other for a shortfall "
        "of every type",
        "description": "The broadest grouping of the service by what it does.",
    },
    "ServiceName": {
        "source": "the line's service; for a shortfall of every service, the agreement's "
        "service ids joined by ', '",
        "description": "The service the customer buys.",
    },
    "SkuId": {
        "conditions": _priced("SKU id"),
        "source": "the resource type's id; for a shortfall, its type's id or empty",
        "description": "The provider's identifier of a product whose prices share properties.",
    },
    "SkuPriceId": {
        "conditions": _priced("SKU price id"),
        "source": "the rate's service (* for every service), the type id, and the price: "
        "*:vcpu:EUR0.042/vcpu*hour; empty for a shortfall",
        "description": "The identifier of the unit price the charge was reckoned from.",
    },
    "SubAccountId": {
        "source": "the agreement's id",
        "description": "The identifier of the group of resources the charge belongs to.",
    },
    "SubAccountName": {
        "conditions": [
            {
                "when": {"SubAccountId": "null"},
                "then": "null",
                "says": "no sub-account name without a sub-account",
            }
        ],
        "source": "always empty: agreements have no display name",
        "description": "The display name of that group.",
    },
    "Tags": {
        "source": 'a JSON object: {"cost_centre": ...} when the line has a cost centre, '
        "else empty",
        "description": "The tags of the resource, as a JSON object of keys and values.",
    },
}

# What a rule file of the validator that cannot be applied as written is: our words.
RULE_NOTES = {
    "SkuPriceId_Nullable.yaml": "an SQL check that reads the column ChargeType, which "
    "FOCUS 1.0 renamed ChargeCategory: the validator cannot run it on 1.0 data",
    "InvoiceIssuer_Required.yaml": "requires InvoiceIssuer, the name before 1.0",
    "Provider_Required.yaml": "requires Provider, the name before 1.0",
    "Publisher_Required.yaml": "requires Publisher, the name before 1.0",
    "ResourceID_Required.yaml": "requires ResourceID, the name before 1.0",
}


# ---------------------------------------------------------------------- the validator
def _rule_files(rules: Path) -> list[str]:
    """The file names of the validator's rule set for FOCUS 1.0, in its order."""
    import yaml  # noqa: PLC0415 - a development dependency (mkdocs needs it), needed only here

    sets = yaml.safe_load((rules / "version_sets.yaml").read_text(encoding="utf-8"))
    return list(sets[VERSION_SET])


def _validator_version(rules: Path) -> str:
    """The version of the focus-validator package whose rules folder is ``rules``."""
    found = sorted(rules.parent.parent.glob("focus_validator-*.dist-info/METADATA"))
    for metadata in found:
        for line in metadata.read_text(encoding="utf-8").splitlines():
            if line.startswith("Version: "):
                return line.removeprefix("Version: ").strip()
    msg = f"no focus_validator-*.dist-info beside {rules.parent}: is it an installed package?"
    raise SystemExit(msg)


def read_validator(rules: Path) -> tuple[dict[str, list[dict[str, Any]]], dict[str, Any]]:
    """Each 1.0 column's rules as the validator gives them, and a stamp of the files read."""
    import yaml  # noqa: PLC0415

    names = _rule_files(rules)
    digest = hashlib.sha256()
    facts: dict[str, list[dict[str, Any]]] = {name: [] for name in COLUMNS}
    for name in names:
        raw = (rules / "version_sets" / VERSION_SET / name).read_bytes()
        digest.update(name.encode() + b"\n" + raw + b"\n")
        rule = yaml.safe_load(raw)
        column = RENAMED.get(rule["column_id"], rule["column_id"])
        check = rule["check"]
        entry: dict[str, Any] = {"file": name}
        if check == "column_required":
            entry["check"] = "column_required"
        elif "sql_query" in check:
            entry["check"] = "sql_query"
        else:
            ((key, value),) = check.items()
            entry["check"] = {key: value}
        if rule["column_id"] != column:
            entry["names"] = rule["column_id"]
        if name in RULE_NOTES:
            entry["note"] = RULE_NOTES[name]
        facts[column].append(entry)
    stamp = {
        "package": "focus-validator",
        "version": _validator_version(rules),
        "rule_set": f"rules/version_sets.yaml, set {VERSION_SET!r}",
        "files": len(names),
        "sha256": digest.hexdigest(),
    }
    return facts, stamp


def recorded_validator(text: str) -> tuple[dict[str, list[dict[str, Any]]], dict[str, Any]]:
    """The validator's facts and stamp as the committed file records them."""
    document = json.loads(text)
    facts = {column["name"]: column["origin"]["validator"] for column in document["columns"]}
    return facts, document["generated_from"]["validator"]


# ---------------------------------------------------------------------- the file
def _column(name: str, rules: list[dict[str, Any]]) -> dict[str, Any]:
    checks = [rule["check"] for rule in rules if isinstance(rule["check"], dict)]
    kinds = [check["data_type"] for check in checks if "data_type" in check]
    nulls = [check["allow_nulls"] for check in checks if "allow_nulls" in check]
    allowed = [check["value_in"] for check in checks if "value_in" in check]
    if not nulls and name in SPEC_NULLABLE:
        nulls = [SPEC_NULLABLE[name]]
    if len(kinds) != 1 or len(nulls) != 1 or len(allowed) > 1:
        msg = f"{name}: expected one data type, one nullability and at most one value list"
        raise SystemExit(msg)
    spec = TABLE[name]
    values = allowed[0] if allowed else SPEC_ALLOWED.get(name)
    origin: dict[str, Any] = {
        "validator": rules,
        "specification": "specification/columns/" + SPEC_FILES.get(name, name.lower() + ".md"),
    }
    if name in SPEC_ALLOWED:
        origin["allowed"] = "the specification (the validator lists none)"
    if name in SPEC_NULLABLE:
        origin["nullable"] = "the specification (the validator's rule cannot say)"
    return {
        "name": name,
        "type": TYPES[kinds[0]],
        "nullable": nulls[0],
        "allowed": values,
        "conditions": spec.get("conditions", []),
        "source": spec["source"],
        "description": spec["description"],
        "origin": origin,
    }


def _checked_conditions() -> None:
    """Every condition names known columns and known tests (a typo here fails loudly)."""
    tests = re.compile(r"^(null|present)$")
    for name, spec in TABLE.items():
        for condition in spec.get("conditions", []):
            for column, test in condition["when"].items():
                if column not in COLUMNS:
                    raise SystemExit(f"{name}: a condition names an unknown column {column}")
                if not (isinstance(test, dict) or tests.match(test)):
                    raise SystemExit(f"{name}: an unknown test {test!r}")


def build(facts: dict[str, list[dict[str, Any]]], stamp: dict[str, Any]) -> str:
    """The JSON text of the column file from the validator's facts and the tables above."""
    if set(TABLE) != set(COLUMNS):
        raise SystemExit("TABLE and COLUMNS name different columns")
    _checked_conditions()
    document = {
        "type": "cloudsms.focus-columns",
        "schema_version": 1,
        "focus_version": "1.0",
        "description": "The 43 columns of a FinOps FOCUS 1.0 cost and usage file, in the "
        "order cloudsms.reports.focus writes them, with the rules each must keep.",
        "syntax": SYNTAX,
        "generated_from": {
            "validator": stamp,
            "specification": SPEC + ", specification/columns/*.md",
            "by": "tasks/focus_columns.py",
        },
        "columns": [_column(name, facts[name]) for name in COLUMNS],
    }
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


def _rules_problem(rules: Path) -> str | None:
    """Why ``--rules`` cannot be read here, or None: PyYAML missing, or no rule set there."""
    try:
        import yaml  # noqa: PLC0415, F401 - only whether it is there
    except ModuleNotFoundError:
        return (
            "--rules needs PyYAML to read the validator's rule files; the dev extra brings"
            " it (through mkdocs): pip install -e '.[dev]', or pip install pyyaml"
        )
    if not (rules / "version_sets.yaml").is_file():
        return f"{rules} holds no version_sets.yaml: name the rules folder of focus-validator"
    return None


def main() -> int:
    """Write (or with ``--check`` compare) the FOCUS column file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", type=Path, help="the rules folder of focus-validator 1.0.0")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    if args.rules is not None:
        unusable = _rules_problem(args.rules)
        if unusable:
            print(f"focus_columns.py: {unusable}", file=sys.stderr)
            return 2
        facts, stamp = read_validator(args.rules)
        source = f"the rules of focus-validator {stamp['version']} and tasks/focus_columns.py"
    elif args.check:
        facts, stamp = recorded_validator(TARGET.read_text(encoding="utf-8"))
        source = "the validator facts it records and tasks/focus_columns.py"
    else:
        parser.error("--rules is needed to write the file")
    return write_or_check(
        TARGET,
        build(facts, stamp),
        check=args.check,
        source=source,
        summary=f"{len(COLUMNS)} FOCUS 1.0 columns",
    )


if __name__ == "__main__":
    sys.exit(main())
