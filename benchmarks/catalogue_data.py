"""Write, or check, the committed test data of the catalogue benchmark.

``python benchmarks/catalogue_data.py`` writes ``benchmarks/data/catalogue-entries.json.gz``:
10,000 catalogue entries as a JSON list, deterministic and varied (ids, names, prices,
levels, locations, terms all change with the index, so no cache sees one value twice).
``--check`` verifies the committed file still equals what this script writes, and
that every entry in it loads as a `cloudsms.catalogue.CatalogueEntry`.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path
from typing import Any

ENTRIES = 10_000
DATA = Path(__file__).resolve().parent / "data" / "catalogue-entries.json.gz"
CATEGORIES = ("IaaS", "PaaS", "SaaS", "DSaaS", "NaaS", "CaaS", "CompaaS")
MODELS = ("public", "private", "community", "hybrid")
LOCATIONS = ("DE", "FR", "IE", "NL", "US", "US-CA", "JP", "SG", "BR-SP", "AU")
UNITS = ("vcpu*hour", "user*hour", "request", "GiB", "transaction")
CURRENCIES = ("EUR", "USD", "GBP", "JPY")


def _money(i: int, code: str) -> dict[str, str]:
    places = 0 if code == "JPY" else 2
    amount = f"{i % 900 + 10}" if places == 0 else f"{i % 900 + 10}.{i % 100:02d}"
    return {"amount": amount, "currency": code}


def _levels(i: int) -> list[dict[str, str]]:
    return [
        {"measure": "availability", "bound": "at least", "target": f"99.{i % 100:02d} %"},
        {"measure": "response time", "bound": "at most", "target": f"{i % 47 + 1} h"},
    ]


def entry(i: int) -> dict[str, Any]:
    """Entry ``i`` as JSON data: three offerings, two upgrades, every listed item."""
    code = CURRENCIES[i % len(CURRENCIES)]
    price = {
        "amount": {"amount": f"0.{i % 1000:03d}1", "currency": code},
        "unit": UNITS[i % 5],
        "per": None,
    }
    monthly = {"amount": _money(i, code), "unit": "instance", "per": "month"}
    return {
        "id": f"entry-{i}",
        "name": f"Service offering number {i}",
        "service": f"svc-{i % 997}",
        "category": CATEGORIES[i % len(CATEGORIES)],
        "deployment_models": sorted({MODELS[i % 4], MODELS[(i // 4) % 4]}),
        "description": f"A managed cloud service, variant {i}, operated around the clock.",
        "policies": [
            {"topic": "data retention", "statement": f"Backups are kept for {i % 90 + 7} days."},
            {"topic": "patching", "statement": f"Patches within {i % 14 + 1} days."},
        ],
        "technical_standards": [f"baseline image v{i % 12}", "TLS 1.3 only"],
        "security_policies": [f"privileged access reviewed every {i % 6 + 1} months"],
        "controls": [
            {"id": f"ctl-{i}-a", "basis": "statutory", "description": "data processing terms"},
            {"id": f"ctl-{i}-b", "basis": "contractual", "description": "yearly audit right"},
        ],
        "ordering_procedure": f"Order through portal queue {i % 8}.",
        "provisioning_procedure": f"Ready within {i % 50 + 5} minutes.",
        "billing": {
            "method": ("pay as you go", "subscription", "prepaid")[i % 3],
            "cycle": ("P1M", "P3M", "P1Y")[i % 3],
            "currency": code,
            "accounting": None,
        },
        "resource_locations": sorted({LOCATIONS[i % 10], LOCATIONS[(i // 10) % 10]}),
        "data_locations": [LOCATIONS[i % 10]],
        "legal_notes": [f"Personal data stays in {LOCATIONS[i % 10]}."],
        "offerings": [
            {
                "id": "silver",
                "name": f"Silver {i}",
                "kind": "fixed",
                "levels": _levels(i),
                "price": price,
                "upgrades": [],
                "sla": f"sla-{i}-silver",
            },
            {
                "id": "gold",
                "name": f"Gold {i}",
                "kind": "fixed",
                "levels": _levels(i + 1),
                "price": price,
                "upgrades": [],
                "sla": f"sla-{i}-gold",
            },
            {
                "id": "flex",
                "name": f"Flex {i}",
                "kind": "customizable",
                "levels": _levels(i + 2)[:1],
                "price": price,
                "upgrades": ["disk", "ha"],
                "sla": None,
            },
        ],
        "upgrades": [
            {
                "id": "ha",
                "description": "standby host",
                "kind": "service level",
                "price": monthly,
                "level": {"measure": "availability", "bound": "at least", "target": "99.995 %"},
            },
            {
                "id": "disk",
                "description": "more block storage",
                "kind": "resource",
                "price": {"amount": _money(i + 1, code), "unit": "GiB", "per": "month"},
                "level": None,
            },
        ],
        "minimum_term": f"P{i % 24 + 1}M",
        "early_termination_charge": _money(i + 2, code),
    }


def payload() -> bytes:
    """The benchmark's bytes: a compact JSON list of every entry."""
    return json.dumps([entry(i) for i in range(ENTRIES)], separators=(",", ":")).encode()


def load() -> bytes:
    """The committed bytes (decompressed)."""
    return gzip.decompress(DATA.read_bytes())


def main() -> int:
    """Write the data file, or with --check compare it with what would be written."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    args = parser.parse_args()
    data = payload()
    if args.check:
        if not DATA.exists() or load() != data:
            print(f"{DATA} is stale: run python benchmarks/catalogue_data.py", file=sys.stderr)
            return 1
        from cloudsms.catalogue import CatalogueEntry  # noqa: PLC0415 - only for the check
        from cloudsms.serialization import from_json  # noqa: PLC0415

        from_json(list[CatalogueEntry], data)  # raises ValidationError naming each problem
        return 0
    DATA.parent.mkdir(exist_ok=True)
    DATA.write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
    print(f"wrote {DATA} ({len(data)} bytes of JSON)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
