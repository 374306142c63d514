"""Tests of evidence, the evidence register and its assessment (S12; 20000-1:2011 4.5.4).

Every expected value here is worked out by hand from the shipped citations: S02
cites 4.5.1 directly, S04 cites the whole of clause 4, S07 cites 6.1, 7.1 and 9.2,
S12 cites the whole of clause 5, S14 and S15 have unknown citations.
"""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import attrs
import pytest

from cloudsms import reference
from cloudsms.conformity import ClauseStatus as S
from cloudsms.conformity import (
    Evidence,
    EvidenceKind,
    EvidenceRegister,
    Finding,
    FindingKind,
    ProcessOwner,
    ProcessStatus,
    ScenarioStatus,
    Severity,
    assess,
)
from cloudsms.errors import UnknownReference, ValidationError
from cloudsms.improvement import OpportunitySource
from cloudsms.periods import Period
from cloudsms.serialization import from_json, to_json

T0 = dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)
AS_OF = dt.date(2026, 12, 31)


def utc(*fields: int) -> dt.datetime:
    """A UTC instant from its year, month, day, hour and minute."""
    return dt.datetime(*fields, tzinfo=dt.UTC)  # type: ignore[misc]


def item(evidence_id: str, *supports: str, **changes: object) -> Evidence:
    """A document collected at T0 supporting ``supports``, with ``changes`` to its fields."""
    fields: dict[str, object] = {
        "id": evidence_id,
        "kind": EvidenceKind.DOCUMENT,
        "title": f"Evidence {evidence_id}",
        "supports": supports,
        "provided_by": "actor:quality-lead",
        "collected_at": T0,
    }
    fields.update(changes)
    return Evidence(**fields)  # type: ignore[arg-type]


def register(*evidence: Evidence, **changes: object) -> EvidenceRegister:
    """A register in Berlin holding ``evidence``, with ``changes`` to its fields."""
    fields: dict[str, object] = {
        "id": "reg-1",
        "organisation": "provider-1",
        "timezone": "Europe/Berlin",
        "evidence": evidence,
    }
    fields.update(changes)
    return EvidenceRegister(**fields)  # type: ignore[arg-type]


def finding(**changes: object) -> Finding:
    """A minor nonconformity against 6.1, with ``changes`` to its fields."""
    fields: dict[str, object] = {
        "id": "F-1",
        "kind": FindingKind.NONCONFORMITY,
        "severity": Severity.MINOR,
        "clauses": ("6.1",),
        "description": "Two agreements were renewed without a review",
        "raised_at": T0,
        "raised_by": "actor:auditor-1",
        "source": OpportunitySource.INTERNAL_AUDIT,
    }
    fields.update(changes)
    return Finding(**fields)  # type: ignore[arg-type]


def paths(error: pytest.ExceptionInfo[ValidationError]) -> list[str]:
    """The paths of the problems a ValidationError holds."""
    return [p.path for p in error.value.problems]


# ---------------------------------------------------------------------- evidence
class TestEvidence:
    """Evidence: clause numbers, derived kinds, field checks."""

    def test_clause_numbers_are_kept_canonical(self) -> None:
        """'Clause 06.1' is kept as '6.1', so it round-trips exactly."""
        found = item("EV-1", "Clause 06.1", "4.5.1.")
        assert found.supports == ("6.1", "4.5.1")
        assert from_json(Evidence, to_json(found)) == found

    @pytest.mark.parametrize(
        ("supports", "path"),
        [
            ((), "$.supports"),
            (("6.1", "Clause 6.1"), "$.supports"),
            (("six",), "$.supports[0]"),
            (("6.1", "4.9"), "$.supports[1]"),
            ("6.1", "$.supports"),
        ],
    )
    def test_bad_supports_are_refused(self, supports: object, path: str) -> None:
        """No clause, a repeat, a word, a clause 2011 lacks, a bare string: each at its path."""
        with pytest.raises(ValidationError) as error:
            item("EV-1", supports=supports)
        assert paths(error) == [path]

    def test_another_editions_clauses_are_checked_by_shape_only(self) -> None:
        """A clause of an edition the shipped set lacks is taken as written (an overlay's)."""
        found = item("EV-1", "10.4", edition="20000-1:2018")
        assert found.supports == ("10.4",)

    def test_derived_kind_names_its_source(self) -> None:
        """An agreement, service report or trail kind without a source_ref is refused."""
        with pytest.raises(ValidationError) as error:
            item("EV-1", "6.1", "7.1", kind=EvidenceKind.AGREEMENT)
        assert paths(error) == ["$.source_ref"]
        made = item("EV-1", "6.1", "7.1", kind=EvidenceKind.AGREEMENT, source_ref="a-1 v1")
        assert made.source_ref == "a-1 v1"

    @pytest.mark.parametrize(
        ("changes", "path"),
        [
            ({"collected_at": dt.datetime(2026, 1, 5)}, "$.collected_at"),
            ({"valid_until": dt.datetime(2026, 1, 5, tzinfo=dt.UTC)}, "$.valid_until"),
            ({"valid_until": dt.date(9999, 12, 31)}, "$.valid_until"),
            ({"source_ref": " "}, "$.source_ref"),
            ({"provided_by": "a person"}, "$.provided_by"),
            ({"title": ""}, "$.title"),
        ],
    )
    def test_bad_fields_are_refused(self, changes: dict[str, object], path: str) -> None:
        """A naive instant, a datetime for a day, a day past 8998, blank text, a bad id."""
        with pytest.raises(ValidationError) as error:
            item("EV-1", "6.1", **changes)
        assert paths(error) == [path]


class TestFinding:
    """Findings: severity by kind, closing."""

    def test_a_nonconformity_is_major_or_minor(self) -> None:
        """A nonconformity of severity observation is refused at $.severity."""
        with pytest.raises(ValidationError) as error:
            finding(severity=Severity.OBSERVATION)
        assert paths(error) == ["$.severity"]

    @pytest.mark.parametrize("kind", [FindingKind.OBSERVATION, FindingKind.OPPORTUNITY])
    def test_others_are_observations(self, kind: FindingKind) -> None:
        """An observation or opportunity has severity observation, nothing else."""
        with pytest.raises(ValidationError) as error:
            finding(kind=kind, severity=Severity.MAJOR)
        assert paths(error) == ["$.severity"]
        assert finding(kind=kind, severity=Severity.OBSERVATION).open

    def test_closed_no_earlier_than_raised(self) -> None:
        """closed_at before raised_at is refused; after it, the finding is closed."""
        with pytest.raises(ValidationError) as error:
            finding(closed_at=T0 - dt.timedelta(seconds=1))
        assert paths(error) == ["$.closed_at"]
        assert not finding(closed_at=T0).open

    def test_improvement_ids_are_distinct_ids(self) -> None:
        """A repeated improvement id is refused at $.improvement_ids."""
        with pytest.raises(ValidationError) as error:
            finding(improvement_ids=("IMP-1", "IMP-1"))
        assert paths(error) == ["$.improvement_ids"]


# ---------------------------------------------------------------------- the register
class TestRegister:
    """The register: round trip, unique ids, new registers, owners."""

    def test_round_trip(self) -> None:
        """A register with evidence, owners and findings reads back equal, as the same JSON."""
        original = register(
            item("EV-1", "6.1", valid_until=dt.date(2026, 6, 30), note="signed copy"),
            item(
                "EV-2",
                "6.1",
                "7.1",
                "9.2",
                kind=EvidenceKind.VERIFIED_TRAIL,
                source_ref="change:chg-1@abc",
                collected_at=dt.datetime(2026, 2, 1, 10, tzinfo=ZoneInfo("Europe/Berlin")),
            ),
            owners=(ProcessOwner(clause="Clause 6", owner="actor:delivery"),),
            sms_owner="actor:ceo",
            findings=(finding(improvement_ids=("IMP-1",)),),
        )
        text = to_json(original)
        assert text.startswith('{"type":"cloudsms.evidence-register","schema_version":1')
        again = from_json(EvidenceRegister, text)
        assert again == original
        assert to_json(again) == text
        assert again.owners[0].clause == "6"

    @pytest.mark.parametrize(
        ("changes", "path"),
        [
            ({"timezone": "Mars/Olympus"}, "$.timezone"),
            ({"evidence": (item("EV-1", "6.1"), item("EV-1", "7.1"))}, "$.evidence[1].id"),
            ({"findings": (finding(), finding())}, "$.findings[1].id"),
            (
                {
                    "owners": (
                        ProcessOwner(clause="6", owner="actor:a"),
                        ProcessOwner(clause="6", owner="actor:b"),
                    )
                },
                "$.owners[1].clause",
            ),
            ({"owners": (ProcessOwner(clause="4.9", owner="actor:a"),)}, "$.owners[0].clause"),
            ({"sms_owner": ""}, "$.sms_owner"),
        ],
    )
    def test_bad_registers_are_refused(self, changes: dict[str, object], path: str) -> None:
        """An unknown zone, repeated ids, an owner clause twice or unknown, a bad owner."""
        with pytest.raises(ValidationError) as error:
            register(**changes)
        assert paths(error) == [path]

    def test_a_document_with_faults_names_each_path(self) -> None:
        """Read from JSON: every fault at its path, nothing built."""
        data = json.loads(to_json(register(item("EV-1", "6.1"), item("EV-2", "7.1"))))
        data["evidence"][0]["supports"] = []
        data["evidence"][1]["id"] = "EV-1"
        data["evidence"][1]["valid_until"] = "31/12/2026"
        with pytest.raises(ValidationError) as error:
            from_json(EvidenceRegister, json.dumps(data))
        assert set(paths(error)) == {
            "$.evidence[0].supports",
            "$.evidence[1].valid_until",
        }
        data["evidence"][0]["supports"] = ["Clause 6.1"]
        data["evidence"][1]["valid_until"] = "2026-12-31"
        with pytest.raises(ValidationError) as error:
            from_json(EvidenceRegister, json.dumps(data))
        assert paths(error) == ["$.evidence[1].id"]

    def test_with_evidence_and_findings(self) -> None:
        """New registers; the old one unchanged; a duplicate id refused at $.items[i].id."""
        empty = register()
        one = empty.with_evidence(item("EV-1", "6.1"))
        assert (len(empty), len(one), [e.id for e in one]) == (0, 1, ["EV-1"])
        assert one.item("EV-1").supports == ("6.1",)
        with pytest.raises(ValidationError) as error:
            one.with_evidence(item("EV-2", "7.1"), item("EV-1", "7.1"))
        assert paths(error) == ["$.items[1].id"]
        with pytest.raises(ValidationError) as error:
            one.with_evidence(finding())  # type: ignore[arg-type]
        assert paths(error) == ["$.items[0]"]
        closed = finding(id="F-2", closed_at=T0)
        held = one.with_findings(finding(), closed)
        assert held.open_findings() == (finding(),)
        with pytest.raises(ValidationError) as error:
            held.with_findings(finding())
        assert paths(error) == ["$.items[0].id"]

    def test_unknown_evidence_id_is_told_with_close_matches(self) -> None:
        """item() of an id the register lacks names the close one."""
        with pytest.raises(UnknownReference, match="EV-1"):
            register(item("EV-1", "6.1")).item("EV-l")

    def test_owners(self) -> None:
        """The nearest declared ancestor owns a gap; else the SMS owner; else nobody."""
        owned = register(
            owners=(
                ProcessOwner(clause="6", owner="actor:delivery"),
                ProcessOwner(clause="6.3", owner="actor:continuity"),
            ),
            sms_owner="actor:sms-owner",
        )
        assert owned.owner_of("6.3.2") == "actor:continuity"
        assert owned.owner_of("6.3") == "actor:continuity"
        assert owned.owner_of("Clause 6.1") == "actor:delivery"
        assert owned.owner_of("4.5.1") == "actor:sms-owner"
        assert attrs.evolve(owned, sms_owner=None).owner_of("4.5.1") is None
        with pytest.raises(ValidationError) as error:
            owned.owner_of("six")
        assert paths(error) == ["$.clause_number"]


# ---------------------------------------------------------------------- assess
def rows(result: object) -> dict[tuple[str, str], tuple[str, str | None]]:
    """(scenario, clause) -> (status, via) of every row."""
    return {
        (r.scenario_id, r.clause_number): (r.status.value, r.via)
        for r in result.clauses  # type: ignore[attr-defined]
    }


class TestAssess:
    """assess: hand-computed rows, zones, severities, processes, refusals."""

    def test_whole_clause_4_covers_4_5_1_through_its_parent(self) -> None:
        """Evidence for clause 4 covers S02's 4.5.1 as inherited, via '4'."""
        result = assess(register(item("EV-4", "4")), ["S02"], as_of=AS_OF)
        (row,) = [r for r in result.clauses if r.clause_number == "4.5.1"]
        assert (row.status, row.via, row.inherited, row.cited_directly) == (
            S.COVERED,
            "4",
            True,
            True,
        )
        assert row.evidence_ids == ("EV-4",)
        assert result.status("S2", "Clause 4.5.1") is S.COVERED
        # S02 cites 4.1, 4.3, 4.4, 4.5.1, 4.5.2 of clause 4: each with its sub-clauses.
        covered = [r.clause_number for r in result.clauses if r.status is S.COVERED]
        assert covered == [
            "4.1", "4.1.1", "4.1.2", "4.1.3", "4.1.4", "4.3", "4.3.1", "4.3.2", "4.3.3",
            "4.4", "4.4.1", "4.4.2", "4.5.1", "4.5.2",
        ]  # fmt: skip

    def test_a_sub_clause_never_covers_its_parent(self) -> None:
        """Evidence for 4.5.1 leaves clause 4 (S04 cites it) missing, 4.5.1 covered directly."""
        result = assess(register(item("EV-1", "4.5.1")), ["S04"], as_of=AS_OF)
        assert rows(result)["S04", "4"] == ("missing", None)
        assert rows(result)["S04", "4.5"] == ("missing", None)
        assert rows(result)["S04", "4.5.1"] == ("covered", "4.5.1")

    def test_the_most_specific_evidence_is_the_via(self) -> None:
        """Evidence for 4 and for 4.5.1: 4.5.1's row goes via 4.5.1, listing both ids."""
        result = assess(register(item("EV-4", "4"), item("EV-1", "4.5.1")), ["S02"], as_of=AS_OF)
        (row,) = [r for r in result.clauses if r.clause_number == "4.5.1"]
        assert (row.via, row.evidence_ids, row.inherited) == ("4.5.1", ("EV-1", "EV-4"), False)

    @pytest.mark.parametrize(
        ("zone", "valid_until", "as_of", "status"),
        [
            # A date as_of is its first instant in the register's zone.
            ("Europe/Berlin", dt.date(2026, 12, 30), AS_OF, S.STALE),
            ("Europe/Berlin", dt.date(2026, 12, 31), AS_OF, S.COVERED),
            # 2026-12-31T10:59Z is 23:59 on the 31st in Auckland (UTC+13): still valid.
            ("Pacific/Auckland", AS_OF, utc(2026, 12, 31, 10, 59), S.COVERED),
            # 11:00Z is midnight starting 1 January there: the 31st has ended.
            ("Pacific/Auckland", AS_OF, utc(2026, 12, 31, 11), S.STALE),
            # The same instant is 03:00 on the 31st in Los Angeles (UTC-8): valid.
            ("America/Los_Angeles", AS_OF, utc(2026, 12, 31, 11), S.COVERED),
            # Its 31st ends at 08:00Z on 1 January.
            ("America/Los_Angeles", AS_OF, utc(2027, 1, 1, 7, 59), S.COVERED),
            ("America/Los_Angeles", AS_OF, utc(2027, 1, 1, 8), S.STALE),
        ],
    )  # fmt: skip
    def test_valid_until_is_read_in_the_registers_zone(
        self, zone: str, valid_until: dt.date, as_of: dt.date, status: S
    ) -> None:
        """Valid through the end of its day in the register's zone; after that, stale."""
        held = register(item("EV-1", "6.1", valid_until=valid_until), timezone=zone)
        result = assess(held, ["S07"], as_of=as_of)
        assert result.status("S07", "6.1") is status
        row = result.scenario("S07").clauses[0]
        expected_stale = ("EV-1",) if status is S.STALE else ()
        assert (row.stale_ids, bool(row.evidence_ids)) == (expected_stale, status is S.COVERED)

    def test_a_date_as_of_starts_in_the_registers_zone(self) -> None:
        """as_of=2026-12-31 in Auckland is 2026-12-30T11:00Z."""
        result = assess(register(timezone="Pacific/Auckland"), ["S07"], as_of=AS_OF)
        assert result.as_of == dt.datetime(2026, 12, 30, 11, tzinfo=dt.UTC)

    def test_evidence_collected_later_or_of_another_edition_does_not_count(self) -> None:
        """Collected after as_of: missing, not stale; of 2018: missing."""
        held = register(
            item("EV-late", "6.1", collected_at=dt.datetime(2027, 1, 1, tzinfo=dt.UTC)),
            item("EV-old", "7.1", collected_at=dt.datetime(2027, 1, 1, tzinfo=dt.UTC),
                 valid_until=dt.date(2027, 1, 1)),
            item("EV-2018", "9.2", edition="20000-1:2018"),
        )  # fmt: skip
        result = assess(held, ["S07"], as_of=AS_OF)
        assert {r.clause_number: r.status for r in result.clauses} == {
            "6.1": S.MISSING,
            "7.1": S.MISSING,
            "9.2": S.MISSING,
        }
        later = assess(held, ["S07"], as_of=dt.date(2027, 1, 2))
        assert later.status("S07", "6.1") is S.COVERED
        assert later.status("S07", "7.1") is S.STALE
        assert [(u.evidence_id, u.clauses) for u in later.unmatched_evidence] == [
            ("EV-2018", ("9.2",))
        ]
        assert "not 20000-1:2011" in later.unmatched_evidence[0].reason

    def test_valid_evidence_beats_stale_evidence(self) -> None:
        """One expired and one valid item for a clause: covered, the expired one listed."""
        held = register(
            item(
                "EV-old",
                "6.1",
                valid_until=dt.date(2025, 12, 31),
                collected_at=dt.datetime(2025, 1, 5, tzinfo=dt.UTC),
            ),
            item("EV-new", "6.1"),
        )
        (row, *_) = assess(held, ["S07"], as_of=AS_OF).clauses
        assert (row.status, row.evidence_ids, row.stale_ids) == (
            S.COVERED,
            ("EV-new",),
            ("EV-old",),
        )

    def test_stale_parent_evidence_makes_sub_clauses_stale(self) -> None:
        """Expired evidence for clause 5 leaves 5 and 5.1-5.4 stale for S12."""
        held = register(item("EV-5", "5", valid_until=dt.date(2026, 6, 30)))
        result = assess(held, ["S12"], as_of=AS_OF)
        assert {n: result.status("S12", n) for n in ("5", "5.1", "5.4")} == dict.fromkeys(
            ("5", "5.1", "5.4"), S.STALE
        )

    def test_unknown_scenarios_are_never_covered(self) -> None:
        """S14 in scope: unknown, no rows, in `unknown`; every row S07's own."""
        held = register(item("EV-all", "4", "5", "6", "7", "8", "9"))
        result = assess(held, ["S14", "S07"], as_of=AS_OF)
        assert result.scope == ("S07", "S14")
        s14 = result.scenario("S14")
        assert (s14.status, s14.clauses, s14.total, s14.covered) == (
            ScenarioStatus.UNKNOWN,
            (),
            0,
            0,
        )
        assert result.unknown == ("S14",)
        assert {r.scenario_id for r in result.clauses} == {"S07"}
        with pytest.raises(UnknownReference):
            result.status("S14", "9.2")
        with pytest.raises(UnknownReference):
            result.status("S07", "4.1")  # S07 does not cite it
        with pytest.raises(UnknownReference):
            result.scenario("S01")  # not in scope

    def test_severities(self) -> None:
        """Missing and cited directly: major; stale: minor; missing below a cited parent: obs."""
        held = register(
            item("EV-51", "5.1", valid_until=dt.date(2026, 3, 31)),
            item("EV-52", "5.2"),
            item("EV-61", "6.1"),
        )
        result = assess(held, ["S12", "S07"], as_of=AS_OF)
        found = {g.clause_number: (g.status, g.severity, g.scenario_ids) for g in result.gaps}
        assert found["5"] == (S.MISSING, Severity.MAJOR, ("S12",))
        assert found["5.1"] == (S.STALE, Severity.MINOR, ("S12",))
        assert found["5.3"] == (S.MISSING, Severity.OBSERVATION, ("S12",))
        assert found["9.2"] == (S.MISSING, Severity.MAJOR, ("S07", "S12"))
        assert "5.2" not in found
        assert "6.1" not in found
        ranks = [g.severity.rank for g in result.gaps]
        assert ranks == sorted(ranks)
        observations = [g.clause_number for g in result.gaps if g.severity is Severity.OBSERVATION]
        assert observations == ["4.3.1", "4.3.2", "4.3.3", "4.5.4.1", "4.5.4.2", "4.5.4.3",
                                "4.5.5.1", "4.5.5.2", "5.3", "5.4"]  # fmt: skip
        majors = [g.clause_number for g in result.gaps if g.severity is Severity.MAJOR]
        assert majors == ["4.1.2", "4.2", "4.3", "4.4.1", "4.5.4", "4.5.5", "5", "6.2",
                          "7.1", "8.2", "9.1", "9.2", "9.3"]  # fmt: skip
        assert next(g for g in result.gaps if g.clause_number == "5.1").stale_ids == ("EV-51",)

    def test_gap_owners(self) -> None:
        """Each gap names the owner the register declares for it, or the SMS owner."""
        held = register(
            owners=(ProcessOwner(clause="9", owner="actor:change-lead"),),
            sms_owner="actor:sms-owner",
        )
        result = assess(held, ["S07"], as_of=AS_OF)
        assert {g.clause_number: g.owner for g in result.gaps} == {
            "6.1": "actor:sms-owner",
            "7.1": "actor:sms-owner",
            "9.2": "actor:change-lead",
        }

    def test_processes(self) -> None:
        """Per process: scenarios, status and covered/total over its subtree's rows in scope."""
        held = register(item("EV-61", "6.1"), item("EV-631", "6.3.1"))
        result = assess(held, ["S07", "S05"], as_of=AS_OF)
        by = {p.clause_number: p for p in result.processes}
        assert len(by) == 14
        assert (by["6.1"].status, by["6.1"].covered, by["6.1"].total) == (
            ProcessStatus.COVERED,
            1,
            1,
        )
        assert by["6.1"].scenario_ids == ("S05", "S07")
        # S05 cites 6.3: 6.3, 6.3.1, 6.3.2, 6.3.3, one covered.
        assert (by["6.3"].status, by["6.3"].covered, by["6.3"].total) == (
            ProcessStatus.MISSING,
            1,
            4,
        )
        assert by["8.1"].status is ProcessStatus.OUT_OF_SCOPE
        assert (by["8.1"].covered, by["8.1"].total, by["8.1"].scenario_ids) == (0, 0, ())
        stale = assess(
            register(item("EV-61", "6.1", valid_until=dt.date(2026, 1, 31))), ["S07"], as_of=AS_OF
        )
        assert {p.clause_number: p.status for p in stale.processes}["6.1"] is ProcessStatus.STALE

    def test_counts_and_ratio(self) -> None:
        """S07 with 6.1 covered: 1 covered, 2 missing; ratio 1/3; no rows, ratio 0."""
        result = assess(register(item("EV-61", "6.1")), ["S07"], as_of=AS_OF)
        s07 = result.scenario("S7")
        assert (s07.covered, s07.stale, s07.missing, s07.total) == (1, 0, 2, 3)
        assert result.coverage_ratio() == pytest.approx(1 / 3)
        assert assess(register(), ["S15"], as_of=AS_OF).coverage_ratio() == 0.0

    def test_all_scenarios_by_default(self) -> None:
        """scope=None assesses all 15 scenarios; findings are the register's."""
        held = register(findings=(finding(),))
        result = assess(held, as_of=AS_OF)
        assert result.scope == tuple(s.id for s in reference.scenarios())
        assert result.findings == (finding(),)
        assert result.register_id == "reg-1"
        assert result.edition == "20000-1:2011"

    def test_equal_by_value(self) -> None:
        """Two assessments of equal registers at the same instant are equal."""
        one = assess(register(item("EV-1", "6.1")), ["S07"], as_of=AS_OF)
        two = assess(register(item("EV-1", "6.1")), ["S07"], as_of=AS_OF)
        assert one == two
        assert one != assess(register(), ["S07"], as_of=AS_OF)

    @pytest.mark.parametrize(
        ("call", "path"),
        [
            ({"register": "reg-1"}, "$.register"),
            ({"scope": "S07"}, "$.scope"),
            ({"scope": ["S07", "S99", "nope"]}, "$.scope[1]"),
            ({"as_of": dt.datetime(2026, 12, 31)}, "$.as_of"),
            ({"as_of": "2026-12-31"}, "$.as_of"),
            ({"as_of": dt.date(9999, 12, 31)}, "$.as_of"),
            ({"edition": "20000-1:2018"}, "$.edition"),
            ({"reference": {"clauses": []}}, "$.reference"),
        ],
    )
    def test_bad_input_is_refused(self, call: dict[str, object], path: str) -> None:
        """Each bad argument is refused with a ValidationError at its path."""
        arguments: dict[str, object] = {"register": register(), "scope": None, "as_of": AS_OF}
        arguments.update(call)
        with pytest.raises(ValidationError) as error:
            assess(**arguments)  # type: ignore[arg-type]
        assert paths(error)[0] == path

    def test_another_edition_through_an_overlay(self) -> None:
        """A 2018 overlay: its clauses, its citations; other scenarios unknown for it."""
        refs = reference.load(
            {
                "type": "cloudsms.reference-overlay",
                "schema_version": 1,
                "clauses": [
                    {"edition": "20000-1:2018", "number": "8", "title": "Operation",
                     "parent": None},
                    {"edition": "20000-1:2018", "number": "8.1", "title": "Planning",
                     "parent": "8", "is_process": True, "process_group": "control"},
                    {"edition": "20000-1:2018", "number": "8.2", "title": "Portfolio",
                     "parent": "8", "is_process": True, "process_group": "control"},
                ],
                "citations": [
                    {"scenario_id": "S03", "edition": "20000-1:2018", "clause_number": "8"},
                ],
            }
        )  # fmt: skip
        held = register(
            item("EV-2018", "8.1", edition="20000-1:2018"),
            item("EV-2011", "4", "6", "7"),
        )
        result = assess(held, ["S03", "S07"], as_of=AS_OF, edition="20000-1:2018", reference=refs)
        assert rows(result) == {
            ("S03", "8"): ("missing", None),
            ("S03", "8.1"): ("covered", "8.1"),
            ("S03", "8.2"): ("missing", None),
        }
        assert result.unknown == ("S07",)
        assert [(p.clause_number, p.status) for p in result.processes] == [
            ("8.1", ProcessStatus.COVERED),
            ("8.2", ProcessStatus.MISSING),
        ]
        assert [(g.clause_number, g.severity) for g in result.gaps] == [
            ("8", Severity.MAJOR),
            ("8.2", Severity.OBSERVATION),
        ]


@pytest.mark.parametrize(
    "zone",
    [
        "Europe/Berlin",
        "America/Santiago",  # the clocks change at midnight
        "America/Havana",
        "Asia/Beirut",
        "Australia/Lord_Howe",
        "Pacific/Auckland",
        "America/Los_Angeles",
    ],
)
def test_a_days_end_is_the_next_days_first_instant(zone: str) -> None:
    """day_end reads plain midnights itself; it agrees with Period.day on every day."""
    held = register(timezone=zone)
    day = dt.date(2025, 1, 1)
    while day < dt.date(2028, 1, 1):
        expected = Period.day(day, zone).end
        found = held.day_end(day)
        assert (found, found.utcoffset()) == (expected, expected.utcoffset()), day
        day += dt.timedelta(days=1)
