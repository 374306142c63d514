"""Tests of the review fixes to conformity (S12; ISO/IEC 20000-1:2011 4.5.4).

Findings open at ``as_of``, ``valid_until`` days that end before collection,
gaps saying which scenarios cite a clause and which reach it through a parent,
editions checked for form and unmatched evidence reported, the ``as_of`` range,
finding ids in the register's zone, readable messages, and ``with_evidence``
extending an index already built. Every expected value is worked out by hand
from the shipped citations (S04 cites the whole of clause 4; S10 and S12 cite
4.5.4 directly).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from cloudsms import reference
from cloudsms.conformity import (
    Evidence,
    EvidenceKind,
    EvidenceRegister,
    Severity,
    assess,
    findings_from,
)
from cloudsms.errors import ValidationError
from cloudsms.reports.conformity import assessment_data, assessment_table
from cloudsms.serialization import from_json
from test_conformity import item as conformity_item
from test_conformity import register

EXAMPLE = (
    Path(__file__).resolve().parents[1] / "examples" / "conformity" / "evidence-register.json"
)
T0 = dt.datetime(2026, 2, 10, 11, tzinfo=dt.UTC)


def item(evidence_id: str, *supports: str, **changes: object) -> Evidence:
    """A document collected at this file's T0 supporting ``supports``, with ``changes``."""
    return conformity_item(evidence_id, *supports, **{"collected_at": T0, **changes})


def problems(error: pytest.ExceptionInfo[ValidationError]) -> list[tuple[str, str, str]]:
    """The (path, expected, got) of each problem of a refusal."""
    return [(p.path, p.expected, p.got) for p in error.value.problems]


def example() -> EvidenceRegister:
    """The shipped example register."""
    return from_json(EvidenceRegister, EXAMPLE.read_text(encoding="utf-8"))


class TestFindingsAsOf:
    """An assessment carries the findings open at as_of; the register keeps them all."""

    def test_the_example_on_2025_12_01(self) -> None:
        """fnd-2025-07 was open then (closed 2026-03-02); the 2026 findings were not raised yet."""
        held = example()
        result = assess(held, ["S07"], as_of=dt.date(2025, 12, 1))
        assert [f.id for f in result.findings] == ["fnd-2025-07"]
        assert len(held.findings) == 5
        table = assessment_table(result)
        assert "Open findings (1):" in table
        assert "fnd-2025-07" in table
        assert "fnd-2026-01" not in table
        assert [f["id"] for f in assessment_data(result)["findings"]] == ["fnd-2025-07"]

    def test_on_2026_12_31_the_closed_one_is_gone(self) -> None:
        """By the end of 2026 fnd-2025-07 is closed and every 2026 finding is raised."""
        result = assess(example(), ["S07"], as_of=dt.date(2026, 12, 31))
        assert "fnd-2025-07" not in [f.id for f in result.findings]
        assert {f.id for f in result.findings} >= {"fnd-2026-01", "fnd-2026-03"}

    def test_open_findings_as_of(self) -> None:
        """Raised by as_of and not closed by then; closed exactly at as_of counts as closed."""
        held = example()
        closed = held.findings[0].closed_at
        assert closed is not None
        assert [f.id for f in held.open_findings(closed - dt.timedelta(seconds=1))] == [
            "fnd-2025-07"
        ]
        assert [f.id for f in held.open_findings(closed)] == []
        assert held.open_findings() == tuple(f for f in held.findings if f.closed_at is None)
        with pytest.raises(ValidationError) as error:
            held.open_findings(dt.datetime(2026, 1, 1))  # type: ignore[arg-type]
        assert [p.path for p in error.value.problems] == ["$.as_of"]


class TestValidUntilBeforeCollection:
    """A valid_until day may not end before its evidence was collected."""

    def test_evidence_alone_refuses_a_day_ended_everywhere(self) -> None:
        """2020-01-01 ended in every zone before 2026-02-10: refused at $.valid_until."""
        with pytest.raises(ValidationError) as error:
            item("EV-1", "4.1", valid_until=dt.date(2020, 1, 1))
        ((path, expected, got),) = problems(error)
        assert (path, got) == ("$.valid_until", "2020-01-01")
        assert "collected_at" in expected

    def test_evidence_alone_keeps_a_day_still_running_at_utc_minus_12(self) -> None:
        """2026-02-09 ends at 2026-02-10 12:00 UTC at UTC-12: collected at 11:00 UTC is kept."""
        kept = item("EV-1", "4.1", valid_until=dt.date(2026, 2, 9))
        assert kept.valid_until == dt.date(2026, 2, 9)
        with pytest.raises(ValidationError) as error:
            item("EV-1", "4.1", valid_until=dt.date(2026, 2, 9),
                 collected_at=dt.datetime(2026, 2, 10, 12, 0, 1, tzinfo=dt.UTC))  # fmt: skip
        assert [p.path for p in error.value.problems] == ["$.valid_until"]

    @pytest.mark.parametrize(
        ("zone", "refused"),
        [
            ("Europe/Berlin", True),  # ends 2026-02-09T23:00Z
            ("America/Los_Angeles", True),  # ends 2026-02-10T08:00Z
            ("Etc/GMT+12", False),  # ends 2026-02-10T12:00Z, after 11:00Z
        ],
    )
    def test_the_register_reads_the_day_in_its_zone(self, zone: str, refused: bool) -> None:
        """The same item: refused where its day ended before 11:00 UTC, kept elsewhere."""
        early = item("EV-1", "4.1", valid_until=dt.date(2026, 2, 9))
        if not refused:
            assert register(early, timezone=zone).evidence == (early,)
            return
        with pytest.raises(ValidationError) as error:
            register(item("EV-0", "4.2"), early, timezone=zone)
        ((path, expected, got),) = problems(error)
        assert (path, got) == ("$.evidence[1].valid_until", "2026-02-09")
        assert zone in expected

    def test_a_day_ending_at_collection_is_kept(self) -> None:
        """Collected the instant its day ends in the zone: not before, so kept (never valid)."""
        at = dt.datetime(2026, 2, 9, 23, tzinfo=dt.UTC)  # Berlin's midnight
        held = register(item("EV-1", "4.1", valid_until=dt.date(2026, 2, 9), collected_at=at))
        assert len(held) == 1


class TestGapWording:
    """Gaps and findings tell direct citations from parents reached through."""

    def test_cited_directly_and_through_a_parent(self) -> None:
        """4.5.4: S10 and S12 cite it; S04 reaches it through clause 4."""
        result = assess(register(), ["S04", "S10", "S12"], as_of=dt.date(2026, 12, 31))
        gap = next(g for g in result.gaps if g.clause_number == "4.5.4")
        assert gap.scenario_ids == ("S04", "S10", "S12")
        assert gap.cited_by == ("S10", "S12")
        assert gap.reached_by == (("S04", "4"),)
        assert gap.severity is Severity.MAJOR
        assert gap.needed_by() == "cited directly by S10, S12; through clause 4 by S04"
        (found,) = (
            f
            for f in findings_from(result, raised_at=T0, raised_by="actor:auditor-1")
            if f.clauses == ("4.5.4",)
        )
        assert found.description == (
            "No evidence for clause 4.5.4 (Monitor and review the SMS (Check)): "
            "cited directly by S10, S12; through clause 4 by S04."
        )
        data = next(g for g in assessment_data(result)["gaps"] if g["clause_number"] == "4.5.4")
        assert (data["cited_by"], data["reached_by"]) == (
            ["S10", "S12"],
            [{"scenario_id": "S04", "through": "4"}],
        )

    def test_a_sub_clause_reached_only_through_parents(self) -> None:
        """4.1.1 under S04 alone: no direct citation, an observation, through clause 4."""
        result = assess(register(), ["S04"], as_of=dt.date(2026, 12, 31))
        gap = next(g for g in result.gaps if g.clause_number == "4.1.1")
        assert (gap.cited_by, gap.reached_by, gap.severity) == (
            (),
            (("S04", "4"),),
            Severity.OBSERVATION,
        )


class TestNothingAssessed:
    """Only unknown scenarios in scope: no rows, and the reports say so."""

    def test_coverage_ratio_of_no_rows(self) -> None:
        """No rows: 0.0, told apart by the empty clauses."""
        result = assess(register(item("EV-1", "4")), ["S14"], as_of=dt.date(2026, 12, 31))
        assert (result.clauses, result.coverage_ratio(), result.unknown) == ((), 0.0, ("S14",))
        table = assessment_table(result)
        assert "nothing was assessed" in table
        assert "of 0" not in table
        assert "every clause row is covered" not in table


class TestValidationPhases:
    """Items first, then the register's fields all together, then the rules joining fields."""

    def test_the_registers_fields_are_reported_together(self) -> None:
        """A bad zone, a bad sms_owner and a repeated evidence id: three problems at once."""
        data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
        data["timezone"] = "Mars/X"
        data["sms_owner"] = ""
        data["evidence"][1]["id"] = data["evidence"][0]["id"]
        with pytest.raises(ValidationError) as error:
            from_json(EvidenceRegister, json.dumps(data))
        assert sorted(p.path for p in error.value.problems) == [
            "$.evidence[1].id",
            "$.sms_owner",
            "$.timezone",
        ]

    def test_items_are_read_first_every_bad_item_together(self) -> None:
        """Every bad item (evidence, owner, finding) is reported, before the register's fields."""
        data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
        data["evidence"][2]["title"] = ""
        data["owners"][0]["owner"] = ""
        data["findings"][0]["description"] = ""
        data["timezone"] = "Mars/X"
        with pytest.raises(ValidationError) as error:
            from_json(EvidenceRegister, json.dumps(data))
        assert sorted(p.path for p in error.value.problems) == [
            "$.evidence[2].title",
            "$.findings[0].description",
            "$.owners[0].owner",
        ]

    def test_rules_joining_fields_come_once_the_fields_hold(self) -> None:
        """An owner's clause outside the edition: reported once the zone and ids are sound."""
        data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
        data["owners"][0]["clause"] = "99"
        data["evidence"][0]["valid_until"] = "2020-01-01"
        data["evidence"][0]["collected_at"] = "2026-02-10T09:00:00+01:00"
        with pytest.raises(ValidationError) as error:
            from_json(EvidenceRegister, json.dumps(data))
        assert [p.path for p in error.value.problems] == ["$.evidence[0].valid_until"]
        del data["evidence"][0]
        with pytest.raises(ValidationError) as error:
            from_json(EvidenceRegister, json.dumps(data))
        assert [p.path for p in error.value.problems] == ["$.owners[0].clause"]


class TestEditions:
    """Editions are checked for form; evidence an assessment cannot count is reported."""

    @pytest.mark.parametrize("edition", ["nonsense", "20000-1", "2011", " 20000-1:2011"])
    def test_an_edition_of_the_wrong_form_is_refused(self, edition: str) -> None:
        """Evidence and register alike, at $.edition."""
        with pytest.raises(ValidationError) as error:
            item("EV-1", "4.1", edition=edition)
        assert [p.path for p in error.value.problems] == ["$.edition"]
        with pytest.raises(ValidationError) as error:
            register(edition=edition)
        assert [p.path for p in error.value.problems] == ["$.edition"]

    def test_an_unshipped_edition_of_the_right_form_is_kept(self) -> None:
        """20000-1:2018 is well formed: kept, its clauses checked for form only."""
        held = register(item("EV-1", "9.9", edition="20000-1:2018"), edition="20000-1:2018")
        assert held.edition == "20000-1:2018"

    def test_unmatched_evidence_is_reported(self) -> None:
        """Another edition's evidence, and clauses the assessed edition lacks, are listed."""
        refs = reference.load(
            {
                "type": "cloudsms.reference-overlay",
                "schema_version": 1,
                "clauses": [
                    {"edition": "20000-1:2018", "number": "8", "title": "Operation",
                     "parent": None},
                ],
                "citations": [
                    {"scenario_id": "S03", "edition": "20000-1:2018", "clause_number": "8"},
                ],
            }
        )  # fmt: skip
        held = register(
            item("EV-2011", "4.1"),
            item("EV-2018", "8", "9.9", edition="20000-1:2018"),
            edition="20000-1:2018",
        )
        result = assess(held, ["S03"], as_of=dt.date(2026, 12, 31), reference=refs)
        assert result.edition == "20000-1:2018"  # the register's own, by default
        assert [(u.evidence_id, u.edition, u.clauses) for u in result.unmatched_evidence] == [
            ("EV-2011", "20000-1:2011", ("4.1",)),
            ("EV-2018", "20000-1:2018", ("9.9",)),
        ]
        assert "not 20000-1:2018" in result.unmatched_evidence[0].reason
        assert "no clause 9.9" in result.unmatched_evidence[1].reason
        assert result.status("S03", "8") == "covered"
        table = assessment_table(result)
        assert "Evidence not counted (2):" in table
        assert assessment_data(result)["unmatched_evidence"][1] == {
            "evidence_id": "EV-2018",
            "edition": "20000-1:2018",
            "clauses": ["9.9"],
            "reason": "edition 20000-1:2018 of the reference has no clause 9.9",
        }

    def test_the_shipped_default_is_unchanged_for_2011_registers(self) -> None:
        """A 2011 register assessed without an edition: 2011, nothing unmatched."""
        result = assess(register(item("EV-1", "4.1")), ["S04"], as_of=dt.date(2026, 12, 31))
        assert (result.edition, result.unmatched_evidence) == ("20000-1:2011", ())


class TestAsOfRange:
    """A date outside the range says the range and why."""

    @pytest.mark.parametrize(
        ("zone", "day"),
        [("Europe/Berlin", dt.date(9999, 12, 31)), ("Pacific/Auckland", dt.date(1900, 1, 1))],
    )
    def test_the_range_is_said(self, zone: str, day: dt.date) -> None:
        """The message names the zone and the supported instants."""
        with pytest.raises(ValidationError) as error:
            assess(register(timezone=zone), ["S07"], as_of=day)
        ((path, expected, _),) = problems(error)
        assert path == "$.as_of"
        assert zone in expected
        assert "1900-01-01T00:00Z up to (not including) 9000-01-01T00:00Z" in expected


def test_finding_ids_take_the_day_in_the_registers_zone() -> None:
    """as_of 2026-12-31 23:30 at UTC-5 is 2027-01-01 in Berlin: the id says 2027-01-01."""
    as_of = dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    result = assess(register(), ["S07"], as_of=as_of)
    assert result.day == dt.date(2027, 1, 1)
    assert result.timezone == "Europe/Berlin"
    (first, *_) = findings_from(result, raised_at=T0, raised_by="actor:auditor-1")
    assert first.id == "gap-2027-01-01-6.1"


class TestMessages:
    """Articles fit the type; lists are shown as lists."""

    def test_an_evidence(self) -> None:
        """with_evidence of a string: 'an Evidence'; with_findings: 'a Finding'."""
        with pytest.raises(ValidationError) as error:
            register().with_evidence("EV-1")  # type: ignore[arg-type]
        assert problems(error)[0][1] == "an Evidence"
        with pytest.raises(ValidationError) as error:
            register().with_findings("F-1")  # type: ignore[arg-type]
        assert problems(error)[0][1] == "a Finding"

    def test_lists_read_as_lists(self) -> None:
        """No clause: 'an empty list'; a repeated clause: the JSON list, not a tuple."""
        with pytest.raises(ValidationError) as error:
            item("EV-1")
        assert problems(error) == [("$.supports", "one or more clause numbers", "an empty list")]
        with pytest.raises(ValidationError) as error:
            item("EV-1", "4.1.2", "Clause 4.1.2", "4.1")
        assert problems(error) == [
            ("$.supports", "distinct clause numbers", "['4.1.2', '4.1.2', '4.1'] (array)")
        ]


def test_with_evidence_extends_a_built_index() -> None:
    """Adding to an indexed register gives the index a fresh register would build."""
    first = register(
        item("EV-1", "4.1"),
        item("EV-2", "6.1", valid_until=dt.date(2026, 6, 30)),
        item("EV-3", "9.2", edition="20000-1:2018"),
    )
    first.slots("20000-1:2011")  # build the index
    added = (
        item("EV-4", "6.1", collected_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC)),
        item("EV-5", "7.1", "4.1", valid_until=dt.date(2027, 1, 1)),
        item("EV-6", "9.2", edition="20000-1:2019"),
    )
    extended = first.with_evidence(*added)
    fresh = register(*first.evidence, *added)

    def table(
        held: EvidenceRegister,
    ) -> dict[str, dict[str, tuple[list[int], list[int], list[str]]]]:
        return {
            edition: {
                number: (slot.collected, slot.expires, slot.ids)
                for number, slot in held.slots(edition).items()
            }
            for edition in held.editions()
        }

    assert table(extended) == table(fresh)
    assert table(first)["20000-1:2011"]["6.1"][2] == ["EV-2"]  # the first is unchanged
    for as_of in (dt.date(2026, 3, 1), dt.date(2026, 12, 31)):
        assert assess(extended, as_of=as_of) == assess(fresh, as_of=as_of)


# ---------------------------------------------------------------------- second round
class TestTrailsThatProveNothing:
    """A trail with no entries is refused: it records nothing, so it proves nothing."""

    def test_an_empty_exit_trail_is_refused(self) -> None:
        """A begun exit procedure with no entries would otherwise support S13's 12 clauses."""
        from cloudsms.conformity import evidence_from_trail  # noqa: PLC0415
        from cloudsms.lifecycle import lifecycle_named  # noqa: PLC0415

        empty = lifecycle_named("exit_procedure").begin(id="exit-1")
        assert empty.entries == ()
        with pytest.raises(ValidationError) as error:
            evidence_from_trail(empty, provided_by="actor:a", collected_at=T0)
        assert problems(error) == [
            (
                "$.instance",
                "a trail with at least one entry (a trail that records nothing proves nothing)",
                "exit_procedure exit-1 with no entries",
            )
        ]


class TestDerivedKindsByHand:
    """A derived kind typed in by hand must support exactly what its kind supports (2011)."""

    def test_a_trust_me_trail_is_refused(self) -> None:
        """A verified trail supporting clause 4 alone matches no scenario's citations."""
        with pytest.raises(ValidationError) as error:
            item("EV-1", "4", kind=EvidenceKind.VERIFIED_TRAIL, source_ref="trust me")
        assert [p[0] for p in problems(error)] == ["$.supports"]
        assert problems(error)[0][2] == "['4'] (array)"

    def test_a_trail_with_a_scenarios_clauses_is_accepted(self) -> None:
        """S07 cites 6.1, 7.1 and 9.2: a trail for it supports exactly those, in any order."""
        made = item(
            "EV-1", "9.2", "6.1", "7.1", kind=EvidenceKind.VERIFIED_TRAIL, source_ref="x:y@z"
        )
        assert made.supports == ("9.2", "6.1", "7.1")

    @pytest.mark.parametrize(
        ("kind", "supports", "expected"),
        [
            (EvidenceKind.AGREEMENT, ("6.1",), "6.1, 7.1"),
            (EvidenceKind.AGREEMENT, ("6.1", "7.1", "4"), "6.1, 7.1"),
            (EvidenceKind.SERVICE_REPORT, ("6.1", "7.1"), "6.1, 6.2"),
        ],
    )
    def test_other_derived_kinds_support_their_table(
        self, kind: EvidenceKind, supports: tuple[str, ...], expected: str
    ) -> None:
        """An agreement supports 6.1 and 7.1, a service report 6.1 and 6.2: nothing else."""
        with pytest.raises(ValidationError) as error:
            item("EV-1", *supports, kind=kind, source_ref="agreement a-1 version 1")
        assert [p[:2] for p in problems(error)] == [
            ("$.supports", f"exactly the clauses {kind.value} evidence supports: {expected}")
        ]

    def test_another_editions_derived_items_are_taken_as_written(self) -> None:
        """The tables are for 2011; an overlay edition's derived item is checked by form only."""
        made = item(
            "EV-1", "10.4", kind=EvidenceKind.AGREEMENT, source_ref="a", edition="20000-1:2018"
        )
        assert made.supports == ("10.4",)

    def test_a_document_may_support_anything(self) -> None:
        """The rule is for derived kinds only: a document for clause 4 alone stands."""
        assert item("EV-1", "4").supports == ("4",)


class TestHandComputedBoundaries:
    """Cases worked out by hand that pin the severity rule and the collection boundary."""

    def test_a_gap_cited_directly_by_one_scenario_is_major(self) -> None:
        """S02 cites 4.5.1 directly, S04 reaches it through clause 4: the gap is major."""
        found = assess(register(), ["S02", "S04"], as_of=T0)
        gap = next(g for g in found.gaps if g.clause_number == "4.5.1")
        assert gap.severity is Severity.MAJOR
        assert gap.scenario_ids == ("S02", "S04")
        assert gap.cited_by == ("S02",)
        assert gap.reached_by == (("S04", "4"),)

    def test_reached_only_through_a_parent_is_an_observation(self) -> None:
        """S04 alone reaches 4.5.1 only through clause 4: an observation."""
        found = assess(register(), ["S04"], as_of=T0)
        gap = next(g for g in found.gaps if g.clause_number == "4.5.1")
        assert gap.severity is Severity.OBSERVATION

    def test_evidence_collected_at_as_of_counts(self) -> None:
        """Collected at T0 counts at T0 and after; collected 1 µs after T0 does not at T0."""
        micro = dt.timedelta(microseconds=1)
        held = register(item("EV-1", "6.1"))
        assert assess(held, ["S07"], as_of=T0).status("S07", "6.1") == "covered"
        assert assess(held, ["S07"], as_of=T0 + micro).status("S07", "6.1") == "covered"
        assert assess(held, ["S07"], as_of=T0 - micro).status("S07", "6.1") == "missing"
        later = register(item("EV-1", "6.1", collected_at=T0 + micro))
        assert assess(later, ["S07"], as_of=T0).status("S07", "6.1") == "missing"
        assert assess(later, ["S07"], as_of=T0 + micro).status("S07", "6.1") == "covered"
