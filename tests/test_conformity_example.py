"""The example register (examples/conformity/evidence-register.json), read and assessed (S12).

The CLI's docs, the notebook and docs/conformity.md read this register; these
tests pin what they show, worked out by hand from its evidence.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

from cloudsms.conformity import (
    ClauseStatus,
    EvidenceKind,
    EvidenceRegister,
    Severity,
    assess,
    link_problems,
)
from cloudsms.improvement import ImprovementRegister
from cloudsms.serialization import from_json, to_json

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "examples" / "conformity"
TEXT = (FOLDER / "evidence-register.json").read_text(encoding="utf-8")
REGISTER = from_json(EvidenceRegister, TEXT)
AS_OF = dt.date(2026, 12, 31)


def test_it_reads_and_writes_back_the_same_text() -> None:
    """Forty items, twelve owners, five findings; indented JSON as to_json writes it."""
    assert (len(REGISTER), len(REGISTER.owners), len(REGISTER.findings)) == (40, 12, 5)
    assert json.dumps(json.loads(to_json(REGISTER)), indent=2, ensure_ascii=False) + "\n" == TEXT
    kinds = {e.kind for e in REGISTER.evidence}
    assert kinds == set(EvidenceKind)


def test_the_hand_checked_rows() -> None:
    """Edges of the register's zone and collection, as of 2026-12-31 in Berlin."""
    result = assess(REGISTER, as_of=AS_OF)
    # EV-SMP-01 is valid until 2026-12-31: through that day, so covered.
    assert result.status("S02", "4.5.2") is ClauseStatus.COVERED
    # EV-MON-01 ended with 2026-12-30: stale.
    assert result.status("S12", "4.5.4.1") is ClauseStatus.STALE
    # EV-AUD-02 is collected in 2027: only EV-AUD-01 counts for 4.5.4.2.
    row = next(r for r in result.clauses if r.clause_number == "4.5.4.2")
    assert row.evidence_ids == ("EV-AUD-01",)
    # Nobody holds evidence for the whole of 4.5.4: a major gap, the SMS owner's.
    gap = next(g for g in result.gaps if g.clause_number == "4.5.4")
    assert (gap.severity, gap.owner) == (Severity.MAJOR, "actor:sms-owner")
    assert result.unknown == ("S14", "S15")
    assert [g.severity for g in result.gaps[:4]] == [Severity.MAJOR] * 4


def test_the_findings_link_to_the_example_improvements() -> None:
    """Every improvement a finding names is in examples/conformity/improvement-register.json."""
    improvements = from_json(
        ImprovementRegister,
        (FOLDER / "improvement-register.json").read_text(encoding="utf-8"),
    )
    assert link_problems(REGISTER, improvements) == []


def test_the_example_program_runs() -> None:
    """examples/conformity.py runs to its end and prints the gap report."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "conformity.py")],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Gaps (" in done.stdout
    assert "fresh evidence" in done.stdout
