"""Evidence derived from the model, findings from gaps, links to improvements (S12).

The exit procedure is run for real (`cloudsms.procedures.termination`): the tests
may import procedures, the conformity model may not, so it takes the procedure's
`LifecycleInstance`.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import attrs
import pytest

from cloudsms import reference
from cloudsms.agreements import CloudServiceAgreement
from cloudsms.conformity import (
    DERIVED_CLAUSES,
    TRAIL_SCENARIOS,
    EvidenceKind,
    EvidenceRegister,
    Finding,
    FindingKind,
    ProcessOwner,
    Severity,
    assess,
    evidence_from_agreement,
    evidence_from_service_report,
    evidence_from_trail,
    findings_from,
    link_problems,
)
from cloudsms.errors import ValidationError
from cloudsms.improvement import (
    Improvement,
    ImprovementArea,
    ImprovementRegister,
    OpportunitySource,
)
from cloudsms.monitoring import Observations, evaluate
from cloudsms.periods import Period
from cloudsms.procedures.termination import DataCategory, ExitProcedure
from cloudsms.serialization import from_json, to_json

if TYPE_CHECKING:
    from types import ModuleType

    from cloudsms.catalogue import Catalogue
    from cloudsms.lifecycle import LifecycleInstance

ROOT = Path(__file__).resolve().parents[1]
BERLIN = ZoneInfo("Europe/Berlin")
WHO = "actor:exit-desk"
T0 = dt.datetime(2027, 2, 1, 9, tzinfo=dt.UTC)


def _example() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "conformity_agreement_example", ROOT / "examples" / "agreement.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


EXAMPLE = _example()
CATALOGUE: Catalogue = EXAMPLE.catalogue()
AGREEMENT: CloudServiceAgreement = EXAMPLE.agree(CATALOGUE)
"""globex's agreement csa-2026-001, version 1, clean against its catalogue."""
EXIT_AGREEMENT = from_json(
    CloudServiceAgreement,
    (ROOT / "examples" / "data" / "resources" / "agreement.json").read_text(encoding="utf-8"),
)


def at(year: int, month: int, day: int, hour: int = 0) -> dt.datetime:
    """A wall time in Europe/Berlin."""
    return dt.datetime(year, month, day, hour, tzinfo=BERLIN)


def exit_steps() -> list[ExitProcedure]:
    """A customer's exit, notice on 2026-12-01 to the written confirmation: every step."""
    procedure = ExitProcedure.initiate(EXIT_AGREEMENT, notice=dt.date(2026, 12, 1), who=WHO)
    steps = [procedure]
    procedure = procedure.take_effect(who=WHO, when=at(2027, 1, 1))
    procedure = procedure.record_retrieval("CSV", who=WHO, when=at(2027, 1, 5))
    procedure = procedure.confirm_not_needed(who=WHO, when=at(2027, 1, 10))
    procedure = procedure.record_release(["rr-1"], who=WHO, when=at(2027, 1, 11))
    steps.append(procedure)
    for category in DataCategory:
        procedure = procedure.delete(category, "crypto-shred", who=WHO, when=at(2027, 1, 12))
    procedure = procedure.update_records(
        configuration=["ci-1"], capacity=["cap-1"], financial=["inv-9"], who=WHO,
        when=at(2027, 1, 13),
    )  # fmt: skip
    done, _ = procedure.issue_confirmation(who=WHO, when=at(2027, 1, 14))
    steps.append(done)
    return steps


STEPS = exit_steps()
CLOSED: LifecycleInstance = STEPS[-1].lifecycle


def paths(error: pytest.ExceptionInfo[ValidationError]) -> list[str]:
    """The paths of the problems a ValidationError holds."""
    return [p.path for p in error.value.problems]


# ---------------------------------------------------------------------- the tables
def test_every_derived_clause_is_a_clause_of_2011() -> None:
    """The clause tables and trail scenarios name what the reference holds."""
    for clauses in DERIVED_CLAUSES.values():
        for number in clauses:
            assert reference.clause(number).number == number
    for lifecycle, scenario in TRAIL_SCENARIOS.items():
        assert reference.scenario(scenario).citations_known, lifecycle
    assert DERIVED_CLAUSES[EvidenceKind.SERVICE_REPORT] == ("6.1", "6.2")
    assert DERIVED_CLAUSES[EvidenceKind.AGREEMENT] == ("6.1", "7.1")
    assert reference.clause("6.2").title == "Service reporting"


# ---------------------------------------------------------------------- trails
class TestTrail:
    """A verified trail of an exit procedure supports what S13 cites."""

    def test_an_exit_trail_supports_s13s_clauses(self) -> None:
        """Defaults to S13 by lifecycle name; source_ref fixes the head; id is stable."""
        made = evidence_from_trail(CLOSED, provided_by=WHO, collected_at=T0)
        s13 = tuple(c.number for c in reference.clauses_cited_by("S13"))
        assert made.supports == s13
        assert made.kind is EvidenceKind.VERIFIED_TRAIL
        assert made.source_ref == f"exit_procedure:{CLOSED.id}@{CLOSED.head}"
        assert made.id.startswith("verified_trail:")
        assert made == evidence_from_trail(CLOSED, provided_by=WHO, collected_at=T0)
        assert "state closed" in made.title
        named = evidence_from_trail(
            CLOSED, provided_by=WHO, collected_at=T0, id="EV-exit", valid_until=dt.date(2028, 1, 1)
        )
        assert (named.id, named.valid_until) == ("EV-exit", dt.date(2028, 1, 1))

    def test_the_trail_covers_s13_in_an_assessment(self) -> None:
        """Assessed for S13, every clause row is covered (S13 cites 5: its sub-clauses too)."""
        made = evidence_from_trail(CLOSED, provided_by=WHO, collected_at=T0)
        held = EvidenceRegister(id="r", organisation="p", timezone="Europe/Berlin").with_evidence(
            made
        )
        result = assess(held, ["S13"], as_of=dt.date(2027, 3, 1))
        assert result.scenario("S13").missing == 0
        assert result.status("S13", "5.3") is result.status("S13", "5")
        assert not result.gaps
        assert from_json(EvidenceRegister, to_json(held)) == held

    def test_another_scenario_by_name(self) -> None:
        """scenario= picks the clauses another scenario cites."""
        made = evidence_from_trail(CLOSED, provided_by=WHO, collected_at=T0, scenario="S7")
        assert made.supports == ("6.1", "7.1", "9.2")

    def test_a_broken_trail_is_refused_naming_the_break(self) -> None:
        """A trail cut short of a head kept elsewhere is refused at $.instance."""
        earlier = STEPS[1].lifecycle
        with pytest.raises(ValidationError) as error:
            evidence_from_trail(
                earlier, provided_by=WHO, collected_at=T0, expected_head=CLOSED.head
            )
        assert paths(error) == ["$.instance"]
        assert "does not reach the expected head" in error.value.problems[0].got
        assert evidence_from_trail(
            CLOSED, provided_by=WHO, collected_at=T0, expected_head=STEPS[1].lifecycle.head
        ).supports  # a trail that has grown since its head was taken holds

    @pytest.mark.parametrize("scenario", ["S14", "S15", "S99"])
    def test_a_scenario_without_known_clauses_is_refused(self, scenario: str) -> None:
        """S14 and S15 have unknown citations, S99 is no scenario: $.scenario."""
        with pytest.raises(ValidationError) as error:
            evidence_from_trail(CLOSED, provided_by=WHO, collected_at=T0, scenario=scenario)
        assert paths(error) == ["$.scenario"]

    def test_other_lifecycles_name_their_scenario(self) -> None:
        """A change's trail has no default scenario; with scenario='S09' it is evidence."""
        from cloudsms.operations.changes import CHANGE_LIFECYCLE  # noqa: PLC0415

        change = CHANGE_LIFECYCLE.begin(id="chg-1", context={"kind": "normal"}).apply(
            "approve", who="actor:cab", when=dt.datetime(2027, 1, 3, tzinfo=dt.UTC)
        )
        with pytest.raises(ValidationError) as error:
            evidence_from_trail(change, provided_by=WHO, collected_at=T0)
        assert paths(error) == ["$.scenario"]
        assert "change" in error.value.problems[0].got
        made = evidence_from_trail(change, provided_by=WHO, collected_at=T0, scenario="S09")
        assert "9.2" in made.supports

    def test_collected_no_earlier_than_the_last_entry(self) -> None:
        """Evidence collected before the trail's last entry is refused at $.collected_at."""
        with pytest.raises(ValidationError) as error:
            evidence_from_trail(CLOSED, provided_by=WHO, collected_at=at(2027, 1, 13))
        assert paths(error) == ["$.collected_at"]
        naive = dt.datetime(2027, 2, 1)
        with pytest.raises(ValidationError) as error:
            evidence_from_trail(CLOSED, provided_by=WHO, collected_at=naive)
        assert paths(error) == ["$.collected_at"]

    def test_not_an_instance(self) -> None:
        """Anything but a LifecycleInstance is refused at $.instance."""
        with pytest.raises(ValidationError) as error:
            evidence_from_trail(STEPS[-1], provided_by=WHO, collected_at=T0)  # type: ignore[arg-type]
        assert paths(error) == ["$.instance"]


# ---------------------------------------------------------------------- reports
class TestServiceReport:
    """A report of an ended period supports 6.1 and 6.2."""

    OCTOBER = Period.month(2026, 10, "Europe/Berlin")

    def test_an_ended_period(self) -> None:
        """Collected at the report's as_of; source_ref names agreement, version, period."""
        report = evaluate(AGREEMENT, Observations(), self.OCTOBER)
        made = evidence_from_service_report(report, provided_by="actor:slm")
        assert made.supports == ("6.1", "6.2")
        assert made.collected_at == report.as_of
        assert made.source_ref == (
            "service report: agreement csa-2026-001 version 1, "
            "period 2026-10-01T00:00:00+02:00/2026-11-01T00:00:00+01:00"
        )
        assert made.kind is EvidenceKind.SERVICE_REPORT

    def test_a_period_not_yet_ended_is_refused(self) -> None:
        """A report read mid-month (its note set) is refused at $.report."""
        report = evaluate(
            AGREEMENT, Observations(), self.OCTOBER, as_of=dt.datetime(2026, 10, 15, tzinfo=dt.UTC)
        )
        assert report.note is not None
        with pytest.raises(ValidationError) as error:
            evidence_from_service_report(report, provided_by="actor:slm")
        assert paths(error) == ["$.report"]
        with pytest.raises(ValidationError) as error:
            evidence_from_service_report(AGREEMENT, provided_by="actor:slm")  # type: ignore[arg-type]
        assert paths(error) == ["$.report"]


# ---------------------------------------------------------------------- agreements
class TestAgreement:
    """An agreement checked clean supports 6.1 and 7.1."""

    def test_a_clean_agreement(self) -> None:
        """The example agreement against its catalogue."""
        made = evidence_from_agreement(
            AGREEMENT, CATALOGUE, provided_by="actor:slm", collected_at=T0
        )
        assert (made.supports, made.source_ref) == (
            ("6.1", "7.1"),
            "agreement csa-2026-001 version 1",
        )
        assert made.kind is EvidenceKind.AGREEMENT

    def test_problems_are_listed_under_agreement(self) -> None:
        """An entry the catalogue lacks: refused, the problem under $.agreement."""
        wrong = attrs.evolve(AGREEMENT.subscriptions[0], entry_id="no-such-entry")
        broken = attrs.evolve(AGREEMENT, subscriptions=(wrong, *AGREEMENT.subscriptions[1:]))
        with pytest.raises(ValidationError) as error:
            evidence_from_agreement(broken, CATALOGUE, provided_by="actor:slm", collected_at=T0)
        assert paths(error)
        assert all(p.startswith("$.agreement.subscriptions[0]") for p in paths(error))

    def test_wrong_types(self) -> None:
        """Neither an agreement nor a catalogue: both refused at once."""
        with pytest.raises(ValidationError) as error:
            evidence_from_agreement(
                CATALOGUE,  # type: ignore[arg-type]
                AGREEMENT,  # type: ignore[arg-type]
                provided_by="actor:slm",
                collected_at=T0,
            )
        assert paths(error) == ["$.agreement", "$.catalogue"]


# ---------------------------------------------------------------------- findings
REGISTER = EvidenceRegister(
    id="reg-1",
    organisation="provider-1",
    timezone="Europe/Berlin",
    owners=(ProcessOwner(clause="9", owner="actor:change-lead"),),
    evidence=(
        evidence_from_agreement(
            AGREEMENT, CATALOGUE, provided_by="actor:slm", collected_at=T0, id="EV-csa",
            valid_until=dt.date(2027, 2, 28),
        ),
    ),
)  # fmt: skip


class TestFindings:
    """Gaps become findings; findings link to improvements."""

    def test_findings_from_gaps(self) -> None:
        """S07 and S12 as of 2027-03-01: the agreement evidence expired; 7.1 minor."""
        result = assess(REGISTER, ["S07", "S12"], as_of=dt.date(2027, 3, 1))
        found = findings_from(result, raised_at=T0, raised_by="actor:auditor-1")
        assert len(found) == len(result.gaps)
        by = {f.clauses[0]: f for f in found}
        assert (by["6.1"].kind, by["6.1"].severity) == (FindingKind.NONCONFORMITY, Severity.MINOR)
        assert by["6.1"].id == "gap-2027-03-01-6.1"
        assert by["6.1"].description == (
            "The evidence for clause 6.1 (Service level management) has expired (EV-csa); "
            "S07 needs it renewed."
        )
        assert (by["9.2"].severity, by["9.2"].description) == (
            Severity.MAJOR,
            "No evidence for clause 9.2 (Change management): cited directly by S07, S12.",
        )
        assert (by["5.1"].kind, by["5.1"].severity) == (
            FindingKind.OBSERVATION,
            Severity.OBSERVATION,
        )
        assert {f.source for f in found} == {OpportunitySource.INTERNAL_AUDIT}
        held = REGISTER.with_findings(*found)
        assert len(held.open_findings()) == len(found)
        with pytest.raises(ValidationError):
            held.with_findings(found[0])

    def test_bad_arguments(self) -> None:
        """Not an assessment, a prefix that is no id: both at once."""
        with pytest.raises(ValidationError) as error:
            findings_from(REGISTER, raised_at=T0, raised_by="actor:a", prefix="a b")  # type: ignore[arg-type]
        assert paths(error) == ["$.assessment", "$.prefix"]

    def test_link_problems(self) -> None:
        """Improvement ids the improvement register lacks, each at its place."""
        improvements = ImprovementRegister(id="imp-register").with_improvement(
            Improvement(
                id="IMP-1",
                title="Review agreements before renewal",
                description="Renewals went out without a review.",
                source=OpportunitySource.INTERNAL_AUDIT,
                area=ImprovementArea.AGREEMENT,
                owner="actor:slm",
                raised_at=T0,
            )
        )
        linked = Finding(
            id="F-1",
            kind=FindingKind.NONCONFORMITY,
            severity=Severity.MINOR,
            clauses=("6.1",),
            description="Renewals without a review",
            raised_at=T0,
            raised_by="actor:auditor-1",
            source=OpportunitySource.INTERNAL_AUDIT,
            improvement_ids=("IMP-1", "IMP-9"),
        )
        held = REGISTER.with_findings(linked)
        found = link_problems(held, improvements)
        assert [(p.path, p.expected) for p in found] == [
            ("$.findings[0].improvement_ids[1]", "an improvement of register imp-register")
        ]
        assert link_problems(REGISTER, improvements) == []
        with pytest.raises(ValidationError) as error:
            link_problems(improvements, held)  # type: ignore[arg-type]
        assert paths(error) == ["$.register", "$.improvements"]
