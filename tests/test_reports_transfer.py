"""The transfer's summary as data and Markdown (S14, designed by cloudsms)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from cloudsms.errors import ValidationError
from cloudsms.procedures.termination import DataCategory
from cloudsms.procedures.transfer import export_checksum
from cloudsms.reports.transfer import transfer_summary_data, transfer_summary_markdown
from test_transfer import (
    AGREEMENT,
    PAYLOADS,
    RECEIVER,
    WHO,
    accepted,
    at,
    cut,
    opened,
)


class TestTransferSummaryData:
    """transfer_summary_data: the trail read into one JSON-ready shape."""

    def test_an_accepted_transfer_whose_exit_started(self) -> None:
        """Gives the scope, the exports with checksums, the plan, acceptance and exit."""
        p, leaving = accepted().start_exit(AGREEMENT, notice=dt.date(2026, 12, 15), who=WHO)
        data = transfer_summary_data(p)
        assert json.loads(json.dumps(data)) == data
        assert {k: data[k] for k in ("procedure_id", "state", "receiver", "receiver_kind")} == {
            "procedure_id": "transfer-csa-2026-011",
            "state": "exit_started",
            "receiver": "Stratus Cloud",
            "receiver_kind": "provider",
        }
        assert data["opened_at"] == "2026-12-01T09:00:00+01:00"
        assert data["service_ids"] == ["iaas-compute", "iaas-storage"]
        assert data["export_formats"] == ["CSV", "JSON"]
        assert [e["category"] for e in data["exports"]] == [c.value for c in DataCategory]
        logs = data["exports"][2]
        assert logs == {
            "category": "logs",
            "format": "CSV",
            "size": len(PAYLOADS[DataCategory.LOGS]),
            "sha256": export_checksum(PAYLOADS[DataCategory.LOGS]),
            "location": "s3://globex-export/logs.csv",
            "at": "2026-12-02T12:00:00+01:00",
        }
        assert data["pending"] == []
        assert data["plan"] == {
            "cut_over_start": "2026-12-12T22:00:00+01:00",
            "cut_over_end": "2026-12-13T04:00:00+01:00",
            "parallel_run_until": "2026-12-13T02:00:00+01:00",
            "rollback": "Point DNS back to ACME Cloud, which runs beside Stratus until 02:00",
        }
        assert data["parallel_run_started"] == "2026-12-05T09:00:00+01:00"
        assert data["cut_over_at"] == "2026-12-12T23:00:00+01:00"
        assert data["rejections"] == []
        assert data["accepted_at"] == "2026-12-14T09:00:00+01:00"
        assert data["acceptance"] == {e["category"]: e["sha256"] for e in data["exports"]}
        assert data["exit_id"] == leaving.id
        assert data["head"] == p.lifecycle.head

    def test_a_rejected_transfer(self) -> None:
        """Lists the rejection, the category still to export and no plan in force."""
        p = cut().reject("logs unreadable", ["logs"], who=RECEIVER, when=at(12, 13, 8))
        data = transfer_summary_data(p)
        assert data["state"] == "exporting"
        assert data["pending"] == ["logs"]
        assert data["plan"] is None
        assert data["cut_over_at"] is None
        assert data["rejections"] == [
            {
                "reason": "logs unreadable",
                "categories": ["logs"],
                "at": "2026-12-13T08:00:00+01:00",
            }
        ]
        assert data["acceptance"] == {}
        assert data["exit_id"] is None

    def test_refuses_something_else(self) -> None:
        """Refuses what is not a transfer procedure, at $.procedure."""
        with pytest.raises(ValidationError) as caught:
            transfer_summary_data("transfer-1")  # type: ignore[arg-type]
        assert [p.path for p in caught.value.problems] == ["$.procedure"]


class TestTransferSummaryMarkdown:
    """transfer_summary_markdown: the same for people, every record's text escaped."""

    def test_an_accepted_transfer(self) -> None:
        """Writes the exports with their checksums, the plan, the acceptance and the exit."""
        p, _ = accepted().start_exit(AGREEMENT, notice=dt.date(2026, 12, 15), who=WHO)
        text = transfer_summary_markdown(p)
        checksum = export_checksum(PAYLOADS[DataCategory.CUSTOMER_DATA])
        assert text.startswith(
            "# Transfer: globex, agreement csa-2026-011, to Stratus Cloud\n\n"
            "- Procedure: transfer-csa-2026-011 (exit_started)\n"
            "- From ACME Cloud to Stratus Cloud (another provider)\n"
            "- Opened: 2026-12-01T09:00:00+01:00 (agreement version 1)\n"
        )
        assert (
            f"| customer data | CSV | {len(PAYLOADS[DataCategory.CUSTOMER_DATA])} | `{checksum}` |"
            " s3://globex-export/customer-data.csv | 2026-12-02T10:00:00+01:00 |"
        ) in text
        assert (
            "- Cut-over window: 2026-12-12T22:00:00+01:00 up to 2026-12-13T04:00:00+01:00\n"
            in (text)
        )
        assert f"- customer data: `{checksum}`\n" in text
        assert "Exit procedure exit-csa-2026-011.\n" in text
        assert text.endswith(f"Trail head: `{p.lifecycle.head}`\n")

    def test_an_open_transfer(self) -> None:
        """Says nothing is exported, planned, rejected, accepted or exited yet."""
        text = transfer_summary_markdown(opened(categories=["logs"]))
        assert "## Exports\n\nNone yet.\n\nStill to export: logs.\n" in text
        assert "## Transition plan\n\nNo plan in force.\n" in text
        assert "## Rejections\n\nNone.\n" in text
        assert "Not accepted: the source deletes nothing and starts no exit." in text
        assert "## Exit of the source\n\nNot started.\n" in text

    def test_a_rejected_transfer(self) -> None:
        """Lists each rejection with what must be exported again."""
        p = cut().reject("logs *unreadable*", ["logs"], who=RECEIVER, when=at(12, 13, 8))
        text = transfer_summary_markdown(p)
        assert (
            "## Rejections\n\n- 2026-12-13T08:00:00+01:00: logs \\*unreadable\\*"
            " (export again: logs)\n"
        ) in text

    def test_escapes_text_from_records(self) -> None:
        """Escapes Markdown's marks and control characters in the receiver's name."""
        text = transfer_summary_markdown(opened(receiver="Stratus | *Cloud*\x1b[31m"))
        assert "to Stratus \\| \\*Cloud\\*\\\\x1b\\[31m\n" in text
        assert "\x1b" not in text
