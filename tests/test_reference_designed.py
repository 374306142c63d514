"""S14 and S15 are marked as designed by cloudsms (issue 19): the data, overlays and the CLI."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from cloudsms import reference
from cloudsms.errors import ValidationError


def test_only_the_title_only_scenarios_are_designed_by_cloudsms() -> None:
    """S14 and S15 carry the flag, with no citations; every other scenario does not."""
    flagged = {s.id: s for s in reference.scenarios() if s.designed_by_cloudsms}
    assert sorted(flagged) == ["S14", "S15"]
    # The flag never comes with invented citations.
    assert all(not s.citations_known for s in flagged.values())
    assert reference.matrix()["S14"] is None


def test_an_overlay_citing_s14_keeps_the_flag_and_a_replacement_may_clear_it() -> None:
    """Citations leave the flag set; a replacing record may clear it and keeps the rest."""
    cited = reference.load(
        {
            "type": "cloudsms.reference-overlay",
            "schema_version": 1,
            "citations": [{"scenario_id": "S14", "clause_number": "5"}],
        }
    )
    assert cited.scenario("S14").citations_known
    assert cited.scenario("S14").designed_by_cloudsms
    cleared = cited.overlay(
        {
            "type": "cloudsms.reference-overlay",
            "schema_version": 1,
            "scenarios": [
                {
                    "id": "S14",
                    "section": "5.14",
                    "title": "Transfer a cloud service",
                    "phase": "exit",
                    "designed_by_cloudsms": False,
                    "replace": True,
                }
            ],
        }
    )
    assert not cleared.scenario("S14").designed_by_cloudsms
    # What the replacing record leaves out is kept.
    assert cleared.scenario("S14").summary == reference.scenario("S14").summary


def test_a_new_scenario_is_not_designed_by_cloudsms_unless_it_says_so() -> None:
    """An overlay's new scenario defaults to false and may set the flag."""
    refs = reference.load(
        {
            "type": "cloudsms.reference-overlay",
            "schema_version": 1,
            "scenarios": [
                {"id": "S16", "section": "5.16", "title": "Ours", "phase": "exit"},
                {
                    "id": "S17",
                    "section": "5.17",
                    "title": "Also ours",
                    "phase": "exit",
                    "designed_by_cloudsms": True,
                },
            ],
        }
    )
    assert not refs.scenario("S16").designed_by_cloudsms
    assert refs.scenario("S17").designed_by_cloudsms


def test_a_flag_that_is_not_a_boolean_is_refused_at_its_path() -> None:
    """A flag of another type is a ValidationError at its field path."""
    with pytest.raises(ValidationError) as caught:
        reference.load(
            {
                "type": "cloudsms.reference-overlay",
                "schema_version": 1,
                "scenarios": [
                    {
                        "id": "S16",
                        "section": "5.16",
                        "title": "Ours",
                        "phase": "exit",
                        "designed_by_cloudsms": "yes",
                    }
                ],
            }
        )
    assert any(p.path.endswith("designed_by_cloudsms") for p in caught.value.problems)


def _cloudsms(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cloudsms", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_the_scenario_command_says_so_in_text_and_json() -> None:
    """``cloudsms scenario`` prints the flag in its text and its JSON (subprocess)."""
    shown = _cloudsms("scenario", "S14")
    assert shown.returncode == 0, shown.stderr
    assert "Designed by cloudsms" in shown.stdout
    assert "Cites: unknown" in shown.stdout
    data = json.loads(_cloudsms("scenario", "S15", "--format", "json").stdout)
    assert data["designed_by_cloudsms"] is True
    assert data["citations_known"] is False
    assert data["citations"] == []
    s13 = _cloudsms("scenario", "S13")
    assert "Designed by cloudsms" not in s13.stdout
