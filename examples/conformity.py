"""A provider checks its SMS against the TR's scenarios: evidence, gaps, findings (S12).

Run it with ``python examples/conformity.py`` from the repository's root. ACME Cloud
keeps its evidence for ISO/IEC 20000-1:2011 in
``examples/conformity/evidence-register.json``: forty items (policies, records, a
checked agreement, service reports, verified trails), the owner of each process and
the findings of its audits and reviews. The program

1. assesses the register as of 31 December 2026 (in its zone, Europe/Berlin)
   against all 15 scenarios: S14 and S15 are reported unknown (their citations are
   not in our source), and the summary counts the rows covered, stale and missing;
2. derives fresh evidence from the model itself, never typed in: the agreement
   ``csa-2026-011`` checked clean against the catalogue
   (``examples/data/resources``), October 2026's service report of the agreement of
   ``examples/agreement.py`` evaluated from ``examples/data/sla`` after the month
   ended, and the verified trail of an exit procedure run here from notice on
   1 September 2026 to the written confirmation on 14 October (its trail supports
   the clauses S13 cites);
3. assesses again with that evidence added, and prints which gaps it closed;
4. prints the gap report (worst first, each gap with its owner and severity), turns
   the major gaps into nonconformities (`findings_from`), adds them to the register,
   and checks that every improvement a finding names is in the improvement register
   (``examples/conformity/improvement-register.json``);
5. writes the register as JSON and reads it back, equal.

Serves S12 (check and improve the SMS and the cloud services) with the agreements of
S07, the service reports of S10 and the exit procedure of S13; ISO/IEC 20000-1:2011
4.5.4 and 4.5.5.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

from cloudsms.agreements import CloudServiceAgreement
from cloudsms.catalogue import Catalogue
from cloudsms.conformity import (
    Assessment,
    Evidence,
    EvidenceRegister,
    Severity,
    assess,
    evidence_from_agreement,
    evidence_from_service_report,
    evidence_from_trail,
    findings_from,
    link_problems,
)
from cloudsms.improvement import ImprovementRegister
from cloudsms.monitoring import evaluate, read_observations
from cloudsms.periods import Period
from cloudsms.procedures.termination import DataCategory, ExitProcedure
from cloudsms.reports.conformity import assessment_table
from cloudsms.serialization import from_json, to_json

HERE = Path(__file__).resolve().parent
REGISTER = HERE / "conformity" / "evidence-register.json"
IMPROVEMENTS = HERE / "conformity" / "improvement-register.json"
RESOURCES = HERE / "data" / "resources"
SLA = HERE / "data" / "sla"
BERLIN = ZoneInfo("Europe/Berlin")
AS_OF = dt.date(2026, 12, 31)
AUDITOR = "actor:internal-auditor"


def at(year: int, month: int, day: int, hour: int = 9) -> dt.datetime:
    """A wall time in Europe/Berlin."""
    return dt.datetime(year, month, day, hour, tzinfo=BERLIN)


def _agreement_example():  # noqa: ANN202 - a module loaded from its file
    """examples/agreement.py, beside this file, loaded by its path."""
    name = "cloudsms_agreement_example"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, HERE / "agreement.py")
    assert spec is not None  # noqa: S101 - the file is beside this one
    assert spec.loader is not None  # noqa: S101
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def closed_exit(agreement: CloudServiceAgreement) -> ExitProcedure:
    """Customer globex leaves csa-2026-011: notice 1 September 2026, confirmation 14 October."""
    who = "actor:exit-desk"
    procedure = ExitProcedure.initiate(agreement, notice=dt.date(2026, 9, 1), who=who)
    procedure = procedure.take_effect(who=who, when=at(2026, 10, 1))
    procedure = procedure.record_retrieval("CSV", who=who, when=at(2026, 10, 5))
    procedure = procedure.confirm_not_needed(who=who, when=at(2026, 10, 10))
    procedure = procedure.record_release(["rr-2026-0412"], who=who, when=at(2026, 10, 11))
    for category in DataCategory:
        procedure = procedure.delete(category, "crypto-shred", who=who, when=at(2026, 10, 12))
    procedure = procedure.update_records(
        configuration=["ci-globex-vm"],
        capacity=["cap-2026-q4"],
        financial=["inv-2026-1013"],
        who=who,
        when=at(2026, 10, 13),
    )
    done, _ = procedure.issue_confirmation(who=who, when=at(2026, 10, 14))
    return done


def fresh_evidence() -> tuple[Evidence, Evidence, Evidence]:
    """Evidence derived from an agreement check, a service report and an exit's trail."""
    catalogue = from_json(Catalogue, (RESOURCES / "catalogue.json").read_text(encoding="utf-8"))
    agreement = from_json(
        CloudServiceAgreement, (RESOURCES / "agreement.json").read_text(encoding="utf-8")
    )
    checked = evidence_from_agreement(
        agreement,
        catalogue,
        provided_by="actor:service-level-manager",
        collected_at=at(2026, 11, 16),
        id="EV-CSA-11",
        valid_until=dt.date(2027, 11, 15),
    )
    example = _agreement_example()
    crm = example.agree(example.catalogue())
    october = Period.month(2026, 10, crm.timezone)
    report = evaluate(crm, read_observations(SLA), october)
    reported = evidence_from_service_report(
        report,
        provided_by="actor:service-level-manager",
        id="EV-SLR-10",
        valid_until=dt.date(2027, 1, 31),
    )
    procedure = closed_exit(agreement)
    trail = evidence_from_trail(
        procedure.lifecycle,
        provided_by="actor:exit-desk",
        collected_at=at(2026, 10, 20),
        id="EV-EXIT-02",
        valid_until=dt.date(2027, 10, 19),
    )
    return checked, reported, trail


def summary(title: str, result: Assessment) -> None:
    """One line: rows covered, stale, missing; gaps by severity; unknown scenarios."""
    counts = {
        status: sum(1 for r in result.clauses if r.status.value == status)
        for status in ("covered", "stale", "missing")
    }
    severities = {s.value: sum(1 for g in result.gaps if g.severity is s) for s in Severity}
    print(
        f"{title}: {counts['covered']} rows covered, {counts['stale']} stale, "
        f"{counts['missing']} missing of {len(result.clauses)}; gaps "
        + ", ".join(f"{n} {s}" for s, n in severities.items())
        + f"; unknown: {' '.join(result.unknown)}"
    )


def main() -> None:
    """Assess, add derived evidence, assess again, raise findings, save the register."""
    register = from_json(EvidenceRegister, REGISTER.read_text(encoding="utf-8"))
    before = assess(register, as_of=AS_OF)
    summary(f"Register {register.id} as of {AS_OF}", before)

    added = fresh_evidence()
    for item in added:
        print(f"  derived {item.id} ({item.kind.value}): supports {', '.join(item.supports)}")
    register = register.with_evidence(*added)
    after = assess(register, as_of=AS_OF)
    summary("With the fresh evidence", after)
    closed = sorted(
        {g.clause_number for g in before.gaps} - {g.clause_number for g in after.gaps},
        key=lambda n: tuple(int(p) for p in n.split(".")),
    )
    print(f"  gaps the fresh evidence closed: {', '.join(closed)}")
    print()
    print(assessment_table(after))
    print()

    majors = [
        f
        for f in findings_from(after, raised_at=at(2027, 1, 8), raised_by=AUDITOR)
        if f.severity is Severity.MAJOR
    ]
    register = register.with_findings(*majors)
    print(f"Raised {len(majors)} major nonconformities:")
    for finding in majors:
        print(f"  {finding.id}: {finding.description}")
    improvements = from_json(ImprovementRegister, IMPROVEMENTS.read_text(encoding="utf-8"))
    problems = link_problems(register, improvements)
    print(f"Links to improvements that {improvements.id} lacks: {len(problems)}")

    with tempfile.TemporaryDirectory() as folder:
        saved = Path(folder) / "evidence-register.json"
        saved.write_text(to_json(register), encoding="utf-8")
        again = from_json(EvidenceRegister, saved.read_text(encoding="utf-8"))
    assert again == register  # noqa: S101 - the example shows the round trip holds
    print(f"Saved and read back: {len(again)} evidence items, {len(again.findings)} findings")


if __name__ == "__main__":
    main()
