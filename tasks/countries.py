"""Regenerate ``src/cloudsms/data/countries.json`` from the PyPI package ``pycountry``.

The package carries the ISO 3166-1 country codes and the ISO 3166-2 subdivision
codes (from Debian's iso-codes); this script copies the codes, their names and each
country's alpha-3 code (read only to suggest the alpha-2 one) into a package data
file stamped with the package's version, so cloudsms reads no network and needs no
extra dependency at run time. ``pycountry`` is a
development dependency (``pip install -e '.[dev]'``).

The file also lists the region codes cloudsms accepts beside the countries: only
``EU`` (the European Union, exceptionally reserved in ISO 3166-1 for it), which
cloud contracts use for "anywhere in the Union".

Usage (from the project root)::

    python tasks/countries.py [--check]

``--check`` exits 1 when the committed file differs from what the package gives.
"""

from __future__ import annotations

import argparse
import json
import sys
from importlib.metadata import version
from pathlib import Path

from _datafile import write_or_check

TARGET = Path(__file__).resolve().parent.parent / "src" / "cloudsms" / "data" / "countries.json"

REGIONS = {"EU": {"names": ["European Union"]}}
"""Region codes accepted beside the countries, with their names."""


def build() -> str:
    """Return the JSON text of the countries document."""
    import pycountry  # noqa: PLC0415 - a development dependency, needed only here

    countries: dict[str, dict[str, object]] = {}
    for country in pycountry.countries:
        names = [country.name]
        common = getattr(country, "common_name", None)
        if common and common != country.name:
            names.append(common)
        countries[country.alpha_2] = {"alpha_3": country.alpha_3, "names": names}
    subdivisions = {s.code: s.name for s in pycountry.subdivisions}
    document = {
        "type": "cloudsms.countries",
        "schema_version": 1,
        "generated_from": {
            "package": "pycountry",
            "version": version("pycountry"),
            "by": "tasks/countries.py",
        },
        "regions": dict(sorted(REGIONS.items())),
        "countries": dict(sorted(countries.items())),
        "subdivisions": dict(sorted(subdivisions.items())),
    }
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


def main() -> int:
    """Write (or with ``--check`` compare) the countries data file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    text = build()
    document = json.loads(text)
    return write_or_check(
        TARGET,
        text,
        check=args.check,
        source="the pycountry package",
        summary=(
            f"{len(document['countries'])} countries and "
            f"{len(document['subdivisions'])} subdivisions"
        ),
    )


if __name__ == "__main__":
    sys.exit(main())
