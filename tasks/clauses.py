"""Regenerate ``src/cloudsms/reference/data/clauses.json`` from the shared clause table.

The table ``../shared/reference/iso20000-1-2011-clauses.csv`` lists the 53 numbered
clauses of ISO/IEC 20000-1:2011 from 4 to 9.3 with their titles, parents and process
groups. This script turns it into the package's data file, marks the 14 clauses that
are processes of the standard, and stamps the file with the table's SHA-256 so a
reviewer can tell which table it came from.

Usage (from the project root)::

    python tasks/clauses.py [--csv PATH] [--check]

``--check`` exits 1 when the committed file differs from what the table gives.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
from pathlib import Path

from cloudsms.reference._build import KNOWN_PROCESSES

from _datafile import write_or_check

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CSV = ROOT.parent / "shared" / "reference" / "iso20000-1-2011-clauses.csv"
TARGET = ROOT / "src" / "cloudsms" / "reference" / "data" / "clauses.json"
EDITION = "20000-1:2011"

# Which clauses are processes is declared once, in the package (cloudsms.reference).
PROCESSES = KNOWN_PROCESSES[EDITION]


def _provenance(row: dict[str, str]) -> dict[str, str]:
    provenance = {"document": "ISO/IEC 20000-1", "edition": "2011", "section": row["number"]}
    if row.get("title_confirmed_from_public_sources", "yes") != "yes":
        provenance["note"] = "title confirmed by number and topic only, not word for word"
    return provenance


def build(csv_path: Path) -> str:
    """Return the JSON text of the clauses document built from ``csv_path``."""
    raw = csv_path.read_bytes()
    rows = list(csv.DictReader(raw.decode("utf-8").splitlines()))
    clauses = [
        {
            "edition": EDITION,
            "number": row["number"],
            "title": row["title"],
            "parent": row["parent"] or None,
            "process_group": row["process_group"] or None,
            "is_process": row["number"] in PROCESSES,
            "provenance": _provenance(row),
        }
        for row in rows
    ]
    document = {
        "type": "cloudsms.clauses",
        "schema_version": 1,
        "generated_from": {
            "file": "iso20000-1-2011-clauses.csv",
            "sha256": hashlib.sha256(raw).hexdigest(),
            "by": "tasks/clauses.py",
        },
        "clauses": clauses,
    }
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


def main() -> int:
    """Write (or with ``--check`` compare) the clauses data file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    text = build(args.csv)
    count = len(json.loads(text)["clauses"])
    return write_or_check(
        TARGET, text, check=args.check, source=args.csv.name, summary=f"{count} clauses"
    )


if __name__ == "__main__":
    sys.exit(main())
