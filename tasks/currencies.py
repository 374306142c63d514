"""Regenerate ``src/cloudsms/data/currencies.json`` from the PyPI package ``iso4217``.

The package carries the ISO 4217 table (codes, numbers, names and minor units); this
script copies what cloudsms needs into a package data file stamped with the
package's version, so cloudsms reads no network and needs no extra dependency at run
time. ``iso4217`` is a development dependency (``pip install -e '.[dev]'``).

Usage (from the project root)::

    python tasks/currencies.py [--check]

``--check`` exits 1 when the committed file differs from what the package gives.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from _datafile import write_or_check

TARGET = Path(__file__).resolve().parent.parent / "src" / "cloudsms" / "data" / "currencies.json"


def build() -> str:
    """Return the JSON text of the currencies document."""
    import iso4217  # noqa: PLC0415 - a development dependency, needed only here

    currencies = sorted(
        (
            {
                "code": c.code,
                "number": c.number,
                "name": c.currency_name,
                "minor_unit": c.exponent,
            }
            for c in iso4217.Currency
        ),
        key=lambda c: c["code"],
    )
    document = {
        "type": "cloudsms.currencies",
        "schema_version": 1,
        "generated_from": {
            "package": "iso4217",
            "version": iso4217.__version__,
            "published": iso4217.__published__.isoformat(),
            "by": "tasks/currencies.py",
        },
        "currencies": currencies,
    }
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


def main() -> int:
    """Write (or with ``--check`` compare) the currencies data file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    text = build()
    count = len(json.loads(text)["currencies"])
    return write_or_check(
        TARGET,
        text,
        check=args.check,
        source="the iso4217 package",
        summary=f"{count} currencies",
    )


if __name__ == "__main__":
    sys.exit(main())
