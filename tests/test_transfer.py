"""The transfer of a cloud service (S14, designed by cloudsms): exports, plan, cut-over, exit.

S14 is a title only in our source, so these tests check the rules cloudsms chose for
it: every category exported in an agreed format with its checksum, a cut-over inside
a planned window, an acceptance only on matching checksums (a rejection sends the
transfer back to exporting), and the source's exit procedure (S13) started only from
an accepted transfer.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import attrs
import pytest

from _cli_run import fresh, in_process
from cloudsms.agreements import CloudServiceAgreement
from cloudsms.errors import InvalidTransition, ValidationError
from cloudsms.lifecycle import verify
from cloudsms.procedures import transfer
from cloudsms.procedures.termination import DataCategory, ExitConfirmation, ExitProcedure
from cloudsms.procedures.transfer import (
    TRANSFER_LIFECYCLE,
    DataExport,
    ReceiverKind,
    Rejection,
    TransferProcedure,
    TransitionPlan,
    export_checksum,
)
from cloudsms.serialization import from_json, to_json

if TYPE_CHECKING:
    import subprocess

BERLIN = ZoneInfo("Europe/Berlin")
ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "data" / "resources" / "agreement.json"
AGREEMENT = from_json(CloudServiceAgreement, EXAMPLE.read_text(encoding="utf-8"))
WHO = "actor:transfer-desk"
RECEIVER = "actor:stratus-intake"
KEY = b"0123456789abcdef0123456789abcdef"

PAYLOADS = {
    DataCategory.CUSTOMER_DATA: b"order_id;amount\n1;19.99\n2;5.00\n",
    DataCategory.DERIVED_DATA: b"month;revenue\n2026-11;24.99\n",
    DataCategory.LOGS: b"2026-11-30T10:00Z login globex-admin\n",
    DataCategory.MONITORING_DATA: b"availability;99.95\n",
    DataCategory.BACKUPS: b"backup-manifest: 14 snapshots\n",
    DataCategory.CONFIGURATION_DATA: b'{"vms": 3, "network": "10.0.0.0/24"}\n',
}


def at(month: int, day: int, hour: int = 0) -> dt.datetime:
    """An instant of December 2026 (or a later month of 2027 for months 1-11) in Berlin."""
    year = 2026 if month == 12 else 2027
    return dt.datetime(year, month, day, hour, tzinfo=BERLIN)


def export(category: DataCategory, when: dt.datetime, data: bytes | None = None) -> DataExport:
    """The export of ``category``'s payload (or of ``data``) as CSV at ``when``."""
    return DataExport.of(
        category,
        PAYLOADS[category] if data is None else data,
        format="CSV",
        location=f"s3://globex-export/{category.value.replace(' ', '-')}.csv",
        at=when,
    )


def opened(*, keyed: bool = False, **given: object) -> TransferProcedure:
    """Globex's transfer to Stratus Cloud, opened on 1 December 2026 at 09:00 in Berlin."""
    arguments: dict[str, object] = {
        "receiver": "Stratus Cloud",
        "receiver_kind": ReceiverKind.PROVIDER,
        "who": WHO,
        "when": at(12, 1, 9),
        **given,
    }
    return TransferProcedure.initiate(
        AGREEMENT,
        keyed=keyed,
        key=KEY if keyed else None,
        **arguments,  # type: ignore[arg-type]
    )


def exported(procedure: TransferProcedure | None = None) -> TransferProcedure:
    """Every category exported on 2 December (one an hour from 10:00) and the export closed."""
    p = opened() if procedure is None else procedure
    for hour, category in enumerate(DataCategory, start=10):
        p = p.record_export(export(category, at(12, 2, hour)), who=WHO)
    return p.finish_export(who=WHO, when=at(12, 2, 17))


FIRST_PLAN = TransitionPlan(
    cut_over_start=at(12, 12, 22),
    cut_over_end=at(12, 13, 4),
    parallel_run_until=at(12, 13, 2),
    rollback="Point DNS back to ACME Cloud, which runs beside Stratus until 02:00",
)


def cut(procedure: TransferProcedure | None = None) -> TransferProcedure:
    """Planned on 3 December, run in parallel from 5 December, cut over at 23:00 on 12 December."""
    p = exported() if procedure is None else procedure
    p = p.plan_transition(FIRST_PLAN, who=WHO, when=at(12, 3, 9))
    p = p.start_parallel_run(who=WHO, when=at(12, 5, 9))
    return p.cut_over(who=WHO, when=at(12, 12, 23))


def sums(**differing: bytes) -> dict[DataCategory, str]:
    """The receiver's checksums: of the payloads, except where ``differing`` gives its bytes."""
    found = {c: export_checksum(PAYLOADS[c]) for c in DataCategory}
    for name, data in differing.items():
        found[DataCategory(name.replace("_", " "))] = export_checksum(data)
    return found


def accepted() -> TransferProcedure:
    """Cut over and accepted on 14 December at 09:00."""
    return cut().accept(sums(), who=RECEIVER, when=at(12, 14, 9))


class TestExportChecksum:
    """export_checksum: the SHA-256 of an export's bytes."""

    def test_hex_digest(self) -> None:
        """Gives the SHA-256 digest of the bytes in lower-case hex."""
        assert export_checksum(b"abc") == (
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        )

    def test_bytearray_and_memoryview(self) -> None:
        """Gives the same digest for bytes, a bytearray and a memoryview of them."""
        data = b"order_id;amount\n"
        assert export_checksum(bytearray(data)) == export_checksum(data)
        assert export_checksum(memoryview(data)) == export_checksum(data)

    def test_refuses_text(self) -> None:
        """Refuses text: it has no checksum until it is encoded."""
        with pytest.raises(ValidationError) as caught:
            export_checksum("abc")  # type: ignore[arg-type]
        assert [p.path for p in caught.value.problems] == ["$.data"]
        assert caught.value.problems[0].expected == "bytes (encode text first)"


class TestDataExport:
    """DataExport: one category exported, with its checksum, size and place."""

    def test_of_computes_checksum_and_size(self) -> None:
        """Computes the checksum and the size in bytes from the data."""
        made = DataExport.of(
            DataCategory.LOGS, b"\x00\x01\x02", format="JSON", location="sftp://x/l", at=at(12, 2)
        )
        assert made.sha256 == export_checksum(b"\x00\x01\x02")
        assert made.size == 3

    def test_size_of_a_wide_memoryview_counts_bytes(self) -> None:
        """Counts bytes, not items, for a memoryview of wider items."""
        data = memoryview(bytes(8)).cast("I")
        made = DataExport.of(DataCategory.LOGS, data, format="CSV", location="x", at=at(12, 2))
        assert made.size == 8

    def test_refuses_bad_fields_with_paths(self) -> None:
        """Refuses a checksum that is not SHA-256 hex, a negative size and an empty place."""
        with pytest.raises(ValidationError) as caught:
            DataExport(
                category=DataCategory.LOGS,
                format="CSV",
                sha256="ABC",
                size=-1,
                location=" ",
                at=at(12, 2),
            )
        assert [p.path for p in caught.value.problems] == ["$.sha256", "$.size", "$.location"]
        assert caught.value.problems[0].expected == "a SHA-256 checksum: 64 hexadecimal digits"

    def test_upper_case_checksum_is_kept_in_lower_case(self) -> None:
        """Takes a checksum printed in upper case, and keeps it as export_checksum writes it."""
        checksum = export_checksum(PAYLOADS[DataCategory.LOGS])
        made = attrs.evolve(export(DataCategory.LOGS, at(12, 2)), sha256=checksum.upper())
        assert made.sha256 == checksum
        assert from_json(DataExport, to_json(made)) == made

    def test_refuses_a_naive_instant(self) -> None:
        """Refuses an export made at a naive instant."""
        with pytest.raises(ValidationError) as caught:
            export(DataCategory.LOGS, dt.datetime(2026, 12, 2))
        assert [p.path for p in caught.value.problems] == ["$.at"]


class TestTransitionPlan:
    """TransitionPlan: the cut-over window, the parallel run inside it, the way back."""

    def test_window_must_end_after_it_starts(self) -> None:
        """Refuses a window that ends when it starts."""
        with pytest.raises(ValidationError) as caught:
            TransitionPlan(cut_over_start=at(12, 12), cut_over_end=at(12, 12), rollback="DNS")
        assert [p.path for p in caught.value.problems] == ["$.cut_over_end"]

    @pytest.mark.parametrize("until", [at(12, 11, 23), at(12, 13, 5)])
    def test_parallel_run_ends_inside_the_window(self, until: dt.datetime) -> None:
        """Refuses a parallel run ending before the window opens or after it closes."""
        with pytest.raises(ValidationError) as caught:
            attrs.evolve(FIRST_PLAN, parallel_run_until=until)
        assert [p.path for p in caught.value.problems] == ["$.parallel_run_until"]
        assert caught.value.problems[0].expected.startswith("an instant inside the cut-over")

    @pytest.mark.parametrize("until", [at(12, 12, 22), at(12, 13, 4), None])
    def test_parallel_run_up_to_the_window_edges(self, until: dt.datetime | None) -> None:
        """Accepts a parallel run ending at either edge of the window, or none."""
        assert attrs.evolve(FIRST_PLAN, parallel_run_until=until).parallel_run_until == until


class TestInitiate:
    """TransferProcedure.initiate: the scope from the terms in force, the export begun."""

    def test_scope_from_the_terms(self) -> None:
        """Takes the agreement, formats, zone and services from the terms; all six categories."""
        p = opened()
        scope = p.scope
        assert p.id == "transfer-csa-2026-011"
        assert p.state == "exporting"
        assert (scope.agreement_id, scope.agreement_version) == ("csa-2026-011", 1)
        assert (scope.customer_id, scope.provider) == ("globex", "ACME Cloud")
        assert scope.export_formats == ("CSV", "JSON")
        assert scope.timezone == "Europe/Berlin"
        assert scope.service_ids == ("iaas-compute", "iaas-storage")
        assert scope.categories == tuple(DataCategory)
        assert scope.receiver_kind is ReceiverKind.PROVIDER
        assert scope.opened_at == at(12, 1, 9)
        assert p.pending == tuple(DataCategory)
        assert [e.event for e in p.lifecycle.entries] == ["begin_export"]

    def test_opening_instant_in_the_agreements_zone(self) -> None:
        """Records the opening in the agreement's zone, whatever zone ``when`` came in."""
        p = opened(when=dt.datetime(2026, 12, 1, 8, tzinfo=dt.UTC))
        assert p.scope.opened_at.tzinfo == BERLIN
        assert p.scope.opened_at == at(12, 1, 9)

    def test_categories_chosen_in_category_order(self) -> None:
        """Keeps the categories given, in DataCategory order, for an in-house transfer."""
        p = opened(
            receiver="Globex IT",
            receiver_kind="in-house",
            categories=["logs", DataCategory.CUSTOMER_DATA],
        )
        assert p.scope.categories == (DataCategory.CUSTOMER_DATA, DataCategory.LOGS)
        assert p.scope.receiver_kind is ReceiverKind.IN_HOUSE

    def test_refuses_bad_arguments_with_paths(self) -> None:
        """Refuses an empty receiver, an unknown kind and bad categories, each at its path."""
        with pytest.raises(ValidationError) as caught:
            opened(
                receiver=" ", receiver_kind="broker", categories=["logs", "source code", "logs"]
            )
        assert [p.path for p in caught.value.problems] == [
            "$.receiver",
            "$.receiver_kind",
            "$.categories[1]",
            "$.categories[2]",
        ]
        assert caught.value.problems[1].expected == "a receiver kind: 'provider', 'in-house'"
        assert caught.value.problems[3].expected == "each category once"

    @pytest.mark.parametrize("categories", [[], "logs"])
    def test_refuses_no_categories_or_text(self, categories: object) -> None:
        """Refuses an empty list of categories, and one category given as text."""
        with pytest.raises(ValidationError) as caught:
            opened(categories=categories)
        assert [p.path for p in caught.value.problems] == ["$.categories"]

    def test_refuses_an_opening_before_the_agreement(self) -> None:
        """Refuses a transfer opened before the agreement starts."""
        with pytest.raises(ValidationError) as caught:
            opened(when=dt.datetime(2026, 3, 31, tzinfo=BERLIN))
        assert [p.path for p in caught.value.problems] == ["$.when"]
        assert caught.value.problems[0].expected == (
            "an instant while the agreement runs (from 2026-04-01T00:00:00+02:00)"
        )

    def test_refuses_an_opening_after_the_agreement_ended(self) -> None:
        """Refuses a transfer opened at the agreement's end."""
        ended = attrs.evolve(AGREEMENT, end=at(12, 1))
        with pytest.raises(ValidationError) as caught:
            TransferProcedure.initiate(
                ended, receiver="Stratus", receiver_kind="provider", who=WHO, when=at(12, 1)
            )
        assert [p.path for p in caught.value.problems] == ["$.when"]

    def test_refuses_a_naive_instant_and_no_agreement(self) -> None:
        """Refuses something that is no agreement and a naive opening instant together."""
        with pytest.raises(ValidationError) as caught:
            TransferProcedure.initiate(
                "csa-2026-011",  # type: ignore[arg-type]
                receiver="Stratus",
                receiver_kind="provider",
                who=WHO,
                when=dt.datetime(2026, 12, 1),
            )
        assert [p.path for p in caught.value.problems] == ["$.agreement", "$.when"]


class TestRejectedFirstExport:
    """The hand-computed case: the receiver rejects the first export, then accepts the second."""

    def test_the_whole_transfer_and_the_exit(self) -> None:  # noqa: PLR0915 - one story
        """Refuses the mismatch, rejects, re-exports, accepts and exits to the confirmation."""
        p = cut()
        assert p.state == "cut_over"
        assert p.parallel_run_started == at(12, 5, 9)
        assert p.cut_over_at == at(12, 12, 23)
        # The receiver got the customer data one byte short: its checksum differs.
        short = PAYLOADS[DataCategory.CUSTOMER_DATA][:-1]
        received = sums(customer_data=short)
        before = to_json(p)
        with pytest.raises(InvalidTransition) as caught:
            p.accept(received, who=RECEIVER, when=at(12, 13, 8))
        assert caught.value.reason == (
            f"the receiver's checksum of 'customer data' ({export_checksum(short)})"
            f" differs from the export's ({export_checksum(PAYLOADS[DataCategory.CUSTOMER_DATA])})"
            ": record a rejection instead"
        )
        assert to_json(p) == before

        p = p.reject(
            "customer data checksum differs (one byte short)",
            [DataCategory.CUSTOMER_DATA],
            who=RECEIVER,
            when=at(12, 13, 8),
        )
        assert p.state == "exporting"
        assert p.pending == (DataCategory.CUSTOMER_DATA,)
        assert DataCategory.CUSTOMER_DATA not in p.exports
        assert len(p.exports) == 5
        assert p.plan is None
        assert p.cut_over_at is None
        assert p.parallel_run_started is None
        assert p.rejections == (
            Rejection(
                reason="customer data checksum differs (one byte short)",
                categories=(DataCategory.CUSTOMER_DATA,),
                at=at(12, 13, 8),
            ),
        )
        with pytest.raises(InvalidTransition) as caught:
            p.finish_export(who=WHO, when=at(12, 13, 9))
        assert caught.value.reason == (
            "every category is exported first (still to export: customer data)"
        )

        again = export(DataCategory.CUSTOMER_DATA, at(12, 14, 10))
        p = p.record_export(again, who=WHO)
        p = p.finish_export(who=WHO, when=at(12, 14, 11))
        second = TransitionPlan(
            cut_over_start=at(12, 19, 22),
            cut_over_end=at(12, 20, 4),
            rollback="Point DNS back to ACME Cloud",
        )
        p = p.plan_transition(second, who=WHO, when=at(12, 15, 9))
        assert p.plan == second
        p = p.cut_over(who=WHO, when=at(12, 19, 23))
        p = p.accept(sums(), who=RECEIVER, when=at(12, 21, 9))
        assert p.state == "accepted"
        assert p.accepted
        assert p.accepted_at == at(12, 21, 9)
        assert p.acceptance == {c: e.sha256 for c, e in p.exports.items()}
        assert p.exports[DataCategory.CUSTOMER_DATA] == again
        assert len(p.export_history) == 7
        assert p.exit_id is None

        # Only now does the source's exit begin: the customer's notice on 22 December.
        p, leaving = p.start_exit(AGREEMENT, notice=dt.date(2026, 12, 22), who=WHO)
        assert p.state == "exit_started"
        assert p.is_exit_started
        assert p.exit_id == leaving.id == "exit-csa-2026-011"
        assert p.lifecycle.entries[-1].when == at(12, 22)
        assert leaving.state == "notice_period"
        assert leaving.plan.initiated_by.value == "customer"
        assert leaving.plan.effective_at == at(1, 22)
        assert verify(p.lifecycle) is None

        # The exit then runs to its written confirmation.
        leaving = leaving.take_effect(who=WHO, when=at(1, 22))
        leaving = leaving.record_retrieval("CSV", who=WHO, when=at(1, 23))
        leaving = leaving.confirm_not_needed(who=WHO, when=at(1, 25))
        leaving = leaving.record_release(["rr-globex-1"], who=WHO, when=at(1, 26))
        for category in DataCategory:
            leaving = leaving.delete(category, "crypto-shred", who=WHO, when=at(1, 27))
        leaving = leaving.update_records(
            configuration=["ci-globex-env"],
            capacity=["capacity-plan-2027"],
            financial=["invoice-globex-final"],
            who=WHO,
            when=at(1, 28),
        )
        closed, confirmation = leaving.issue_confirmation(who=WHO, when=at(1, 29))
        assert closed.is_closed
        assert confirmation.problems(closed) == []
        assert confirmation == ExitConfirmation.of(closed)

    def test_entries_in_order(self) -> None:
        """Records every step of the story in the order taken."""
        p = cut().reject("unreadable", ["logs"], who=RECEIVER, when=at(12, 13, 8))
        p = p.record_export(export(DataCategory.LOGS, at(12, 14)), who=WHO)
        p = p.finish_export(who=WHO, when=at(12, 14, 1))
        assert [e.event for e in p.lifecycle.entries] == [
            "begin_export",
            *["record_export"] * 6,
            "finish_export",
            "plan",
            "start_parallel_run",
            "cut_over",
            "reject",
            "record_export",
            "finish_export",
        ]


class TestNoExitBeforeAcceptance:
    """start_exit: the only way from a transfer to an exit, and only once accepted."""

    @pytest.mark.parametrize(
        "build",
        [
            opened,
            exported,
            lambda: exported().plan_transition(FIRST_PLAN, who=WHO, when=at(12, 3)),
            cut,
            lambda: opened().cancel("customer stays", who=WHO, when=at(12, 2)),
        ],
    )
    def test_refused_before_acceptance(self, build: object) -> None:
        """Refuses to start the exit in every state before acceptance; nothing changes."""
        p: TransferProcedure = build()  # type: ignore[operator]
        before = to_json(p)
        with pytest.raises(InvalidTransition) as caught:
            p.start_exit(AGREEMENT, notice=dt.date(2027, 1, 5), who=WHO)
        assert caught.value.state == p.state
        assert caught.value.event == "start_exit"
        assert caught.value.reason == (
            "the source's exit starts only once the receiver has accepted"
        )
        assert to_json(p) == before

    def test_refused_after_the_exit_started(self) -> None:
        """Refuses to start a second exit from the same transfer."""
        p, _ = accepted().start_exit(AGREEMENT, notice=dt.date(2026, 12, 15), who=WHO)
        with pytest.raises(InvalidTransition):
            p.start_exit(AGREEMENT, notice=dt.date(2026, 12, 16), who=WHO)

    def test_refuses_another_agreement(self) -> None:
        """Refuses to exit an agreement the transfer does not move."""
        other = attrs.evolve(AGREEMENT, id="csa-2026-999")
        with pytest.raises(ValidationError) as caught:
            accepted().start_exit(other, notice=dt.date(2026, 12, 15), who=WHO)
        assert [p.path for p in caught.value.problems] == ["$.agreement.id"]

    def test_refuses_something_else(self) -> None:
        """Refuses something that is no agreement, at $.agreement."""
        with pytest.raises(ValidationError) as caught:
            accepted().start_exit("csa-2026-011", notice=dt.date(2026, 12, 15), who=WHO)  # type: ignore[arg-type]
        assert [p.path for p in caught.value.problems] == ["$.agreement"]

    def test_refuses_another_customer(self) -> None:
        """Refuses an agreement of the same id held by another customer."""
        other = attrs.evolve(AGREEMENT, customer_id="initech")
        with pytest.raises(ValidationError) as caught:
            accepted().start_exit(other, notice=dt.date(2026, 12, 15), who=WHO)
        assert [p.path for p in caught.value.problems] == ["$.agreement.customer_id"]

    def test_refuses_a_notice_before_the_acceptance(self) -> None:
        """Refuses a notice dated the day of the acceptance but before its hour."""
        p = accepted()
        with pytest.raises(ValidationError) as caught:
            p.start_exit(AGREEMENT, notice=dt.date(2026, 12, 14), who=WHO)
        assert [q.path for q in caught.value.problems] == ["$.notice"]
        assert caught.value.problems[0].expected == (
            "a notice no earlier than the receiver's acceptance (2026-12-14T09:00:00+01:00)"
        )
        assert p.state == "accepted"

    @pytest.mark.parametrize("notice", [dt.date(1, 1, 1), dt.date(1900, 1, 1)])
    def test_refuses_a_notice_years_before_the_acceptance(self, notice: dt.date) -> None:
        """Refuses a notice dated in year 1 or 1900 at $.notice (no OverflowError)."""
        p = accepted()
        with pytest.raises(ValidationError) as caught:
            p.start_exit(AGREEMENT, notice=notice, who=WHO)
        assert [(q.path, q.got) for q in caught.value.problems] == [
            ("$.notice", notice.isoformat())
        ]
        assert p.state == "accepted"

    @pytest.mark.parametrize(
        ("given", "path"),
        [
            ({"exit_id": 5}, "$.exit_id"),
            ({"exit_id": "Exit Globex"}, "$.exit_id"),
            ({"exit_keyed": "yes"}, "$.exit_keyed"),
            ({"exit_keyed": True, "exit_key": "a key"}, "$.exit_key"),
            ({"exit_keyed": True}, "$.exit_key"),
        ],
    )
    def test_exit_options_refused_at_their_own_names(
        self, given: dict[str, object], path: str
    ) -> None:
        """Refuses a bad exit id, keyed flag or key at the parameter's name, not the exit's."""
        p = accepted()
        with pytest.raises(ValidationError) as caught:
            p.start_exit(AGREEMENT, notice=at(12, 15), who=WHO, **given)  # type: ignore[arg-type]
        assert [q.path for q in caught.value.problems] == [path]
        assert p.state == "accepted"

    def test_exit_options_pass_through(self) -> None:
        """Gives the exit its id, a keyed trail and the customer's reason."""
        _, leaving = accepted().start_exit(
            AGREEMENT,
            notice=at(12, 15, 10),
            who=WHO,
            reason="material breach",
            exit_id="exit-globex-2026",
            exit_keyed=True,
            exit_key=KEY,
        )
        assert leaving.id == "exit-globex-2026"
        assert leaving.lifecycle.keyed
        assert leaving.plan.reason is not None
        assert leaving.plan.reason.value == "material breach"
        assert verify(leaving.lifecycle, key=KEY) is None


class TestReading:
    """What a procedure tells: the agreement, the parties, the acceptance, why a step fails."""

    def test_before_acceptance(self) -> None:
        """Names the agreement, customer and receiver; no acceptance and no exit yet."""
        p = exported()
        assert (p.agreement_id, p.customer_id, p.receiver) == (
            "csa-2026-011",
            "globex",
            "Stratus Cloud",
        )
        assert not p.accepted
        assert p.accepted_at is None
        assert p.acceptance == {}
        assert p.exit_id is None
        assert p.plan is None
        assert not p.is_cancelled

    def test_refusal_foretells(self) -> None:
        """Says why a step would be refused, and None for one that would be applied."""
        p = exported()
        assert p.refusal("finish_export", who=WHO, when=at(12, 3)) == (
            "no transition for 'finish_export' out of 'exported' (allowed: plan, cancel)"
        )
        assert p.refusal("cancel", who=WHO, when=at(12, 3), data={"reason": "no"}) is None


class TestSteps:
    """The steps' guards: formats, scope, windows, the parallel run, cancellation."""

    def test_export_in_an_unlisted_format_is_refused(self) -> None:
        """Refuses an export in a format the exit terms do not list."""
        made = attrs.evolve(export(DataCategory.LOGS, at(12, 2)), format="XML")
        with pytest.raises(InvalidTransition) as caught:
            opened().record_export(made, who=WHO)
        assert caught.value.reason == (
            "the data is exported in an agreed format ('CSV', 'JSON'), not 'XML' (string)"
        )

    def test_export_of_a_category_out_of_scope_is_refused(self) -> None:
        """Refuses an export of a category the transfer does not move."""
        p = opened(categories=["customer data"])
        with pytest.raises(InvalidTransition) as caught:
            p.record_export(export(DataCategory.LOGS, at(12, 2)), who=WHO)
        assert caught.value.reason == (
            "the category must be one the transfer moves ('customer data'), not 'logs' (string)"
        )

    def test_export_again_replaces(self) -> None:
        """Keeps only the latest export of a category as the one standing."""
        p = opened().record_export(export(DataCategory.LOGS, at(12, 2)), who=WHO)
        later = export(DataCategory.LOGS, at(12, 3), b"more logs\n")
        p = p.record_export(later, who=WHO)
        assert p.exports == {DataCategory.LOGS: later}
        assert len(p.export_history) == 2

    def test_export_refuses_something_else(self) -> None:
        """Refuses an export that is not a DataExport, at $.export."""
        with pytest.raises(ValidationError) as caught:
            opened().record_export({"category": "logs"}, who=WHO)  # type: ignore[arg-type]
        assert [p.path for p in caught.value.problems] == ["$.export"]

    def test_finish_with_a_subset(self) -> None:
        """Finishes once the categories in scope are exported, others never asked for."""
        p = opened(categories=["customer data"])
        p = p.record_export(export(DataCategory.CUSTOMER_DATA, at(12, 2)), who=WHO)
        assert p.finish_export(who=WHO, when=at(12, 2, 1)).state == "exported"

    def test_plan_window_in_the_past_is_refused(self) -> None:
        """Refuses a plan whose window opened before the plan is recorded."""
        with pytest.raises(InvalidTransition) as caught:
            exported().plan_transition(FIRST_PLAN, who=WHO, when=at(12, 12, 23))
        assert caught.value.reason == (
            "the cut-over window is planned ahead: it opens at 2026-12-12T22:00:00+01:00,"
            " before the plan is recorded (2026-12-12T23:00:00+01:00)"
        )

    def test_replanning_replaces(self) -> None:
        """Replaces the plan with a later one before the cut-over."""
        later = attrs.evolve(FIRST_PLAN, parallel_run_until=None)
        p = exported().plan_transition(FIRST_PLAN, who=WHO, when=at(12, 3))
        p = p.plan_transition(later, who=WHO, when=at(12, 4))
        assert p.state == "planned"
        assert p.plan == later

    def test_plan_refuses_something_else(self) -> None:
        """Refuses a plan that is not a TransitionPlan, at $.plan."""
        with pytest.raises(ValidationError) as caught:
            exported().plan_transition("tonight", who=WHO, when=at(12, 3))  # type: ignore[arg-type]
        assert [p.path for p in caught.value.problems] == ["$.plan"]

    def test_parallel_run_needs_one_planned(self) -> None:
        """Refuses a parallel run the plan does not have."""
        plan = attrs.evolve(FIRST_PLAN, parallel_run_until=None)
        p = exported().plan_transition(plan, who=WHO, when=at(12, 3))
        with pytest.raises(InvalidTransition) as caught:
            p.start_parallel_run(who=WHO, when=at(12, 4))
        assert caught.value.reason == "the transition plan has no parallel run"

    def test_parallel_run_not_after_it_ends(self) -> None:
        """Refuses to start a parallel run at the instant it was planned to end."""
        p = exported().plan_transition(FIRST_PLAN, who=WHO, when=at(12, 3))
        with pytest.raises(InvalidTransition) as caught:
            p.start_parallel_run(who=WHO, when=at(12, 13, 2))
        assert caught.value.reason == ("the plan's parallel run ends at 2026-12-13T02:00:00+01:00")

    @pytest.mark.parametrize("when", [at(12, 12, 21), at(12, 13, 4)])
    def test_cut_over_outside_the_window_is_refused(self, when: dt.datetime) -> None:
        """Refuses a cut-over before the window or at its end."""
        p = exported().plan_transition(FIRST_PLAN, who=WHO, when=at(12, 3))
        with pytest.raises(InvalidTransition) as caught:
            p.cut_over(who=WHO, when=when)
        assert caught.value.reason == (
            "the cut-over window runs from 2026-12-12T22:00:00+01:00 up to"
            " 2026-12-13T04:00:00+01:00"
        )

    def test_cut_over_after_the_parallel_run_ended_is_refused(self) -> None:
        """Refuses a cut-over, inside the window, once the parallel run under way has ended.

        The parallel run straddles the switch: the source runs beside the receiver up
        to the cut-over and stays up after it, to the run's end, for the rollback.
        """
        p = exported().plan_transition(FIRST_PLAN, who=WHO, when=at(12, 3))
        running = p.start_parallel_run(who=WHO, when=at(12, 5, 9))
        late = dt.datetime(2026, 12, 13, 2, 0, 1, tzinfo=BERLIN)
        with pytest.raises(InvalidTransition) as caught:
            running.cut_over(who=WHO, when=late)
        assert caught.value.reason == (
            "the parallel run ended at 2026-12-13T02:00:00+01:00: the cut-over comes while"
            " both sides still run (call the transfer off and open it again)"
        )
        assert running.state == "parallel_run"
        assert running.cut_over(who=WHO, when=at(12, 13, 2)).state == "cut_over"  # at its end
        assert p.cut_over(who=WHO, when=late).state == "cut_over"  # no parallel run begun

    def test_cut_over_at_the_window_start(self) -> None:
        """Cuts over at the very start of the window, without a parallel run."""
        p = exported().plan_transition(FIRST_PLAN, who=WHO, when=at(12, 3))
        assert p.cut_over(who=WHO, when=at(12, 12, 22)).state == "cut_over"

    def test_accept_needs_every_category(self) -> None:
        """Refuses an acceptance that leaves out a category's checksum."""
        given = sums()
        del given[DataCategory.BACKUPS]
        with pytest.raises(InvalidTransition) as caught:
            cut().accept(given, who=RECEIVER, when=at(12, 14))
        assert caught.value.reason is not None
        assert caught.value.reason.startswith("the receiver gives a checksum for each category")

    def test_accept_refuses_malformed_checksums(self) -> None:
        """Refuses a key that is no category and a checksum that is not SHA-256 hex."""
        with pytest.raises(ValidationError) as caught:
            cut().accept({"source code": "x" * 64, "logs": "ABC"}, who=RECEIVER, when=at(12, 14))
        assert [p.path for p in caught.value.problems] == [
            "$.checksums['source code']",
            "$.checksums['source code']",
            "$.checksums['logs']",
        ]

    def test_accept_paths_name_the_category_as_text(self) -> None:
        """Names a category given as a member by its value in the path, never by its repr."""
        given: dict[DataCategory, str] = {**sums(), DataCategory.BACKUPS: "x" * 64}
        with pytest.raises(ValidationError) as caught:
            cut().accept(given, who=RECEIVER, when=at(12, 14))
        assert [p.path for p in caught.value.problems] == ["$.checksums['backups']"]
        assert "DataCategory" not in str(caught.value)

    def test_accept_refuses_keys_that_are_not_text(self) -> None:
        """Refuses a key that is not text at ``$.checksums``, whatever it is."""
        with pytest.raises(ValidationError) as caught:
            cut().accept({None: "0" * 64, ("logs",): "0" * 64}, who=RECEIVER, when=at(12, 14))  # type: ignore[dict-item]
        assert [p.path for p in caught.value.problems] == ["$.checksums", "$.checksums"]
        assert [p.got for p in caught.value.problems] == ["null", "('logs',) (array)"]

    def test_accept_upper_case_checksums(self) -> None:
        """Accepts checksums in upper-case hex; the trail keeps them in lower case."""
        p = cut().accept({c: s.upper() for c, s in sums().items()}, who=RECEIVER, when=at(12, 14))
        assert p.state == "accepted"
        assert dict(p.acceptance) == sums()
        assert from_json(TransferProcedure, to_json(p)) == p

    def test_accept_refuses_a_list(self) -> None:
        """Refuses checksums given as a list."""
        with pytest.raises(ValidationError) as caught:
            cut().accept(["a"], who=RECEIVER, when=at(12, 14))  # type: ignore[arg-type]
        assert [p.path for p in caught.value.problems] == ["$.checksums"]

    def test_reject_refuses_bad_arguments(self) -> None:
        """Refuses a rejection without a reason or categories."""
        with pytest.raises(ValidationError) as caught:
            cut().reject("", [], who=RECEIVER, when=at(12, 14))
        assert [p.path for p in caught.value.problems] == ["$.reason", "$.categories"]

    def test_reject_refuses_a_category_out_of_scope(self) -> None:
        """Refuses to send back a category the transfer does not move."""
        p = opened(categories=["customer data"])
        p = p.record_export(export(DataCategory.CUSTOMER_DATA, at(12, 2)), who=WHO)
        p = p.finish_export(who=WHO, when=at(12, 2, 1))
        p = cut(p)
        with pytest.raises(InvalidTransition) as caught:
            p.reject("logs missing", ["logs"], who=RECEIVER, when=at(12, 14))
        assert caught.value.reason is not None
        assert "('customer data'), not 'logs'" in caught.value.reason

    def test_cancel_after_acceptance(self) -> None:
        """Calls off an accepted transfer: no exit, the source keeps everything."""
        p = accepted().cancel("the customer keeps both", who=WHO, when=at(12, 15))
        assert p.is_cancelled
        assert p.exit_id is None
        with pytest.raises(InvalidTransition):
            p.cancel("again", who=WHO, when=at(12, 16))

    def test_cancel_needs_a_reason(self) -> None:
        """Refuses a cancellation without a reason."""
        with pytest.raises(ValidationError) as caught:
            opened().cancel(" ", who=WHO, when=at(12, 2))
        assert [p.path for p in caught.value.problems] == ["$.reason"]


class TestRawEvents:
    """Raw events through apply: the guards refuse what the step methods would not send."""

    def test_begin_export_only_at_the_opening(self) -> None:
        """Refuses a replayed opening at another instant than the scope's."""
        p = opened()
        instance = TRANSFER_LIFECYCLE.begin(id=p.id, context=p.lifecycle.context)
        with pytest.raises(InvalidTransition) as caught:
            instance.apply("begin_export", who=WHO, when=at(12, 1, 10))
        assert caught.value.reason == (
            "the transfer opened at 2026-12-01T09:00:00+01:00: the export begins then"
        )

    def test_data_where_none_is_carried(self) -> None:
        """Refuses data on an event that carries none."""
        with pytest.raises(InvalidTransition) as caught:
            opened().apply("finish_export", who=WHO, when=at(12, 2), data={"note": "done"})
        assert caught.value.reason == "the event carries no data (it holds 'note')"

    def test_wrong_keys(self) -> None:
        """Refuses an event whose data lacks a key it must hold."""
        with pytest.raises(InvalidTransition) as caught:
            opened().apply("record_export", who=WHO, when=at(12, 2), data={"category": "logs"})
        assert caught.value.reason == (
            "the event's data must hold exactly 'category', 'format', 'location', 'sha256',"
            " 'size' (it holds 'category')"
        )

    @pytest.mark.parametrize(
        ("field", "value", "reason"),
        [
            ("sha256", "abc", "'sha256' must be 64 lower-case hexadecimal digits, not 'abc'"),
            ("size", -1, "'size' must be a count of bytes, not -1"),
            ("size", True, "'size' must be a count of bytes, not True"),
            ("location", "", "'location' must say where the export is, not ''"),
        ],
    )
    def test_export_data(self, field: str, value: object, reason: str) -> None:
        """Refuses raw export data the method's record would refuse."""
        data = {
            "category": "logs",
            "format": "CSV",
            "sha256": "0" * 64,
            "size": 1,
            "location": "x",
            field: value,
        }
        with pytest.raises(InvalidTransition) as caught:
            opened().apply("record_export", who=WHO, when=at(12, 2), data=data)
        assert caught.value.reason is not None
        assert caught.value.reason.startswith(reason)

    @pytest.mark.parametrize("value", [["CSV"], {"CSV": 1}])
    def test_export_format_that_is_not_text(self, value: object) -> None:
        """Refuses a raw format that is a list or an object (no TypeError from the look-up)."""
        data = {
            "category": "logs",
            "format": value,
            "sha256": "0" * 64,
            "size": 1,
            "location": "x",
        }
        p = opened()
        with pytest.raises(InvalidTransition) as caught:
            p.apply("record_export", who=WHO, when=at(12, 2), data=data)
        assert caught.value.reason is not None
        assert caught.value.reason.startswith("the data is exported in an agreed format")
        assert p.refusal("record_export", who=WHO, when=at(12, 2), data=data) == (
            caught.value.reason
        )

    def test_a_plan_that_is_not_one(self) -> None:
        """Refuses a raw plan whose window ends before it starts."""
        data = {
            "cut_over_start": "2026-12-12T22:00:00+01:00",
            "cut_over_end": "2026-12-12T21:00:00+01:00",
            "parallel_run_until": None,
            "rollback": "DNS",
        }
        with pytest.raises(InvalidTransition) as caught:
            exported().apply("plan", who=WHO, when=at(12, 3), data=data)
        assert caught.value.reason is not None
        assert caught.value.reason.startswith(
            "the transition plan is invalid (expected an instant"
        )

    @pytest.mark.parametrize(
        ("data", "reason"),
        [
            ({"checksums": ["x"]}, "'checksums' must map each category to its checksum"),
            (
                {"checksums": {c.value: "x" for c in DataCategory}},
                "the receiver's checksum of 'customer data' must be 64 lower-case hexadecimal",
            ),
        ],
    )
    def test_raw_acceptance(self, data: dict[str, object], reason: str) -> None:
        """Refuses raw checksums that are not a mapping, or not checksums."""
        with pytest.raises(InvalidTransition) as caught:
            cut().apply("accept", who=RECEIVER, when=at(12, 14), data=data)
        assert caught.value.reason is not None
        assert caught.value.reason.startswith(reason)

    @pytest.mark.parametrize(
        ("categories", "reason"),
        [
            ([], "'categories' must list one or more categories"),
            ("logs", "'categories' must list one or more categories"),
            (["logs", "logs"], "'categories' names each category once"),
        ],
    )
    def test_raw_rejection(self, categories: object, reason: str) -> None:
        """Refuses raw rejections naming no, or repeated, categories."""
        data = {"reason": "bad", "categories": categories}
        with pytest.raises(InvalidTransition) as caught:
            cut().apply("reject", who=RECEIVER, when=at(12, 14), data=data)
        assert caught.value.reason is not None
        assert caught.value.reason.startswith(reason)

    def test_raw_rejection_without_reason(self) -> None:
        """Refuses a raw rejection that gives no reason."""
        data = {"reason": "", "categories": ["logs"]}
        with pytest.raises(InvalidTransition) as caught:
            cut().apply("reject", who=RECEIVER, when=at(12, 14), data=data)
        assert caught.value.reason == "a rejection says why, not '' (string)"

    def test_raw_exit_needs_an_id(self) -> None:
        """Refuses a raw start_exit whose exit id is not an id."""
        with pytest.raises(InvalidTransition) as caught:
            accepted().apply("start_exit", who=WHO, when=at(12, 15), data={"exit_id": "no id"})
        assert (
            caught.value.reason
            == "'exit_id' must be the exit procedure's id, not 'no id' (string)"
        )

    def test_raw_cancel_needs_a_reason(self) -> None:
        """Refuses a raw cancellation without a reason."""
        with pytest.raises(InvalidTransition) as caught:
            opened().apply("cancel", who=WHO, when=at(12, 2), data={"reason": None})
        assert caught.value.reason == "a cancellation says why, not null"

    def test_no_plan_in_force(self) -> None:
        """Refuses a cut-over or parallel run of a trail begun at ``planned`` without a plan."""
        context = opened().lifecycle.context
        instance = TRANSFER_LIFECYCLE.begin(id="t-3", context=context, origin="planned")
        for event in ("cut_over", "start_parallel_run"):
            with pytest.raises(InvalidTransition) as caught:
                instance.apply(event, who=WHO, when=at(12, 13))
            assert caught.value.reason == "no transition plan is in force"

    def test_no_export_standing(self) -> None:
        """Refuses an acceptance of a trail begun at ``cut_over`` without exports."""
        context = opened().lifecycle.context
        instance = TRANSFER_LIFECYCLE.begin(id="t-4", context=context, origin="cut_over")
        with pytest.raises(InvalidTransition) as caught:
            instance.apply("accept", who=WHO, when=at(12, 13), data={"checksums": sums()})
        assert caught.value.reason == "'customer data' has no export standing"

    def test_a_context_without_scope(self) -> None:
        """Refuses every event of an instance whose context holds no scope."""
        instance = TRANSFER_LIFECYCLE.begin(id="transfer-x", context={"plan": {}})
        with pytest.raises(InvalidTransition) as caught:
            instance.apply("begin_export", who=WHO, when=at(12, 1))
        assert caught.value.reason is not None
        assert caught.value.reason.startswith("the instance's context holds no valid transfer")


class TestDocument:
    """TransferProcedure as a document: exact round trips, replayed and checked on reading."""

    @pytest.mark.parametrize("build", [opened, exported, cut, accepted])
    def test_round_trip(self, build: object) -> None:
        """Reads back what it writes, equal and written the same."""
        p: TransferProcedure = build()  # type: ignore[operator]
        text = to_json(p)
        back = from_json(TransferProcedure, text)
        assert back == p
        assert to_json(back) == text
        assert text.startswith('{"type":"cloudsms.transfer-procedure","schema_version":1,')

    def test_read_with_a_cold_cache(self) -> None:
        """Reads a procedure back when no scope was parsed before (a fresh process)."""
        p = exported()
        text = to_json(p)
        transfer._FRAMES.clear()
        back = from_json(TransferProcedure, text)
        assert back.scope == p.scope
        assert back.finish_export is not None

    def test_round_trip_keyed(self) -> None:
        """Reads back a keyed trail and verifies it with its key."""
        p = opened(keyed=True)
        back = from_json(TransferProcedure, to_json(p))
        assert back == p
        assert verify(back.lifecycle, key=KEY) is None

    def test_round_trip_after_the_exit(self) -> None:
        """Reads back a transfer whose exit started, with the exit's id."""
        p, leaving = accepted().start_exit(AGREEMENT, notice=dt.date(2026, 12, 15), who=WHO)
        back = from_json(TransferProcedure, to_json(p))
        assert back.exit_id == leaving.id

    def test_a_tampered_checksum_is_refused(self) -> None:
        """Refuses a document whose export checksum was changed after the fact."""
        text = to_json(exported())
        old = export_checksum(PAYLOADS[DataCategory.LOGS])
        with pytest.raises(ValidationError):
            from_json(TransferProcedure, text.replace(old, "0" * 64))

    def test_bound_to_its_id(self) -> None:
        """Refuses a procedure holding another procedure's trail."""
        with pytest.raises(ValidationError) as caught:
            TransferProcedure(id="transfer-other", lifecycle=opened().lifecycle)
        assert [p.path for p in caught.value.problems] == ["$.lifecycle.id"]

    def test_refuses_an_origin_and_a_context_without_scope(self) -> None:
        """Refuses a trail begun later than the opening, and a context without scope."""
        instance = TRANSFER_LIFECYCLE.begin(id="t-1", context={"other": 1}, origin="planned")
        with pytest.raises(ValidationError) as caught:
            TransferProcedure(id="t-1", lifecycle=instance)
        assert [p.path for p in caught.value.problems] == [
            "$.lifecycle.origin",
            "$.lifecycle.context",
        ]

    def test_refuses_a_context_with_a_bad_scope(self) -> None:
        """Refuses a scope that is not one, at its path inside the context."""
        context = {"scope": {"agreement_id": "csa-1"}}
        instance = TRANSFER_LIFECYCLE.begin(id="t-2", context=context)
        with pytest.raises(ValidationError) as caught:
            TransferProcedure(id="t-2", lifecycle=instance)
        assert all(p.path.startswith("$.lifecycle.context.scope") for p in caught.value.problems)

    def test_refuses_another_lifecycle(self) -> None:
        """Refuses an instance of the exit procedure's lifecycle."""
        leaving = ExitProcedure.initiate(AGREEMENT, notice=dt.date(2026, 12, 1), who=WHO)
        with pytest.raises(ValidationError) as caught:
            TransferProcedure(id=leaving.id, lifecycle=leaving.lifecycle)
        assert [p.path for p in caught.value.problems] == ["$.lifecycle"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """Run ``cloudsms`` with ``args`` in this process, from the repository (tests/_cli_run.py)."""
    return in_process(*args, cwd=ROOT)


class TestCommandLine:
    """The commands that read any lifecycle or document read a transfer.

    Reading a saved transfer runs in a fresh interpreter, where nothing has imported
    the procedure yet and the registries find it by name; the others in this process.
    """

    def test_lifecycle_diagram(self) -> None:
        """``cloudsms lifecycle diagram transfer`` prints the lifecycle's Mermaid diagram."""
        done = run("lifecycle", "diagram", "transfer")
        assert (done.returncode, done.stderr) == (0, "")
        assert done.stdout == TRANSFER_LIFECYCLE.to_mermaid() + "\n"

    def test_audit_verify_and_document_validate(self, tmp_path: Path) -> None:
        """``audit verify`` finds the trail whole and ``document validate`` reads the document."""
        path = tmp_path / "transfer.json"
        p, _ = accepted().start_exit(AGREEMENT, notice=dt.date(2026, 12, 15), who=WHO)
        path.write_text(to_json(p), encoding="utf-8")
        verified = fresh("audit", "verify", str(path), cwd=ROOT)
        assert (verified.returncode, verified.stderr) == (0, "")
        assert verified.stdout.startswith(
            "transfer.json: every trail holds (1 lifecycle instance)"
        )
        assert f"transfer 'transfer-csa-2026-011', {len(p.lifecycle.entries)} entries" in (
            verified.stdout
        )
        validated = fresh("document", "validate", str(path), cwd=ROOT)
        assert (validated.returncode, validated.stderr) == (0, "")
        assert validated.stdout == (
            "transfer.json: valid cloudsms.transfer-procedure, schema version 1,"
            " id 'transfer-csa-2026-011'\n"
        )

    def test_audit_verify_finds_a_changed_checksum(self, tmp_path: Path) -> None:
        """``audit verify`` exits 1 on a trail whose export checksum was changed afterwards."""
        path = tmp_path / "transfer.json"
        old = export_checksum(PAYLOADS[DataCategory.LOGS])
        path.write_text(to_json(exported()).replace(old, "0" * 64), encoding="utf-8")
        done = run("audit", "verify", str(path))
        assert done.returncode == 1
        assert "transfer 'transfer-csa-2026-011', 8 entries: broken at entry 3" in done.stdout
