"""Amendments of a cloud service agreement (S07, issue 12 part 4): consent, notice, terms_on."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import attrs
import jsonschema
import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from cloudsms.agreements import (
    Amendment,
    AmendmentRule,
    AppliedAmendment,
    CloudServiceAgreement,
    Notice,
    Priority,
    PriorityScale,
    TermKind,
    amend,
    terms_on,
)
from cloudsms.errors import Problem, ValidationError
from cloudsms.money import Money
from cloudsms.parties import Acknowledgement
from cloudsms.serialization import from_json, json_schema, to_json
from cloudsms.testing._agreements import (
    amended_agreements,
    amendment_rules,
    amendments,
    cloud_service_agreements,
)
from test_agreements import AGREEMENT, CHARGE, START

from conftest import examples

DAY = dt.timedelta(days=1)
PROPOSED = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
TEN_YEARS = relativedelta(years=10)
LONGER = Amendment(
    term=TermKind.RECORD_KEEPING, value=TEN_YEARS, proposed_at=PROPOSED, proposed_by="globex"
)
DEARER = Amendment(
    term=TermKind.RECURRING_CHARGES,
    value=(attrs.evolve(CHARGE, amount=Money("900.00", "EUR")),),
    proposed_at=PROPOSED,
    proposed_by="acme-cloud",
)
PRICE_RULE = AmendmentRule(term=TermKind.RECURRING_CHARGES, notice=relativedelta(days=30))
RULED = attrs.evolve(AGREEMENT, amendment_rules=(PRICE_RULE,))


def consent(version: str = "2", at: dt.datetime = PROPOSED, **changes: Any) -> Acknowledgement:
    """The customer's acceptance of ``version`` of AGREEMENT at ``at``, with ``changes``."""
    fields: dict[str, Any] = {
        "party_id": AGREEMENT.customer_id,
        "terms_id": AGREEMENT.id,
        "version": version,
        "accepted_at": at,
    }
    return Acknowledgement(**{**fields, **changes})


def notice(effective_at: dt.datetime, **changes: Any) -> Notice:
    """The provider's notice to the customer, sent at PROPOSED, with ``changes``."""
    fields: dict[str, Any] = {
        "sent_by": "acme-cloud",
        "sent_to": {AGREEMENT.customer_id},
        "sent_at": PROPOSED,
        "effective_at": effective_at,
    }
    return Notice(**{**fields, **changes})


def refusal(agreement: CloudServiceAgreement, amendment: Any, **approval: Any) -> list[Problem]:
    """The problems `amend` refuses with, after checking nothing changed."""
    before = to_json(agreement)
    with pytest.raises(ValidationError) as error:
        amend(agreement, amendment, **approval)
    assert to_json(agreement) == before  # nothing changed
    return list(error.value.problems)


class TestConsent:
    """Changes with the customer's consent, and every way a consent is wrong."""

    def test_consent_makes_the_next_version(self) -> None:
        given_at = PROPOSED + 2 * DAY
        amended = amend(AGREEMENT, LONGER, consent=consent(at=given_at))
        assert amended.version == 2
        assert amended.record_keeping == TEN_YEARS
        assert AGREEMENT.record_keeping == relativedelta(years=6)
        (applied,) = amended.amendments
        assert applied.amendment == LONGER
        assert applied.version == 2
        assert applied.effective_at == given_at
        assert applied.consent == consent(at=given_at)
        assert applied.notice is None
        assert applied.previous == "P6Y"
        # every other term is the same
        assert (
            attrs.evolve(
                amended, version=1, record_keeping=AGREEMENT.record_keeping, amendments=()
            )
            == AGREEMENT
        )

    def test_without_consent_refused(self) -> None:
        assert refusal(AGREEMENT, LONGER) == [
            Problem(
                "$.consent",
                f"the customer's acknowledgement of version 2 of agreement {AGREEMENT.id!r}",
                "none",
            )
        ]

    def test_without_consent_for_a_ruled_term_names_the_notice_too(self) -> None:
        assert refusal(RULED, DEARER) == [
            Problem(
                "$.consent",
                f"the customer's acknowledgement of version 2 of agreement {AGREEMENT.id!r}, "
                "or a notice of at least P30D from the provider",
                "none",
            )
        ]

    def test_consent_by_another_party_refused(self) -> None:
        assert refusal(AGREEMENT, LONGER, consent=consent(party_id="initech")) == [
            Problem("$.consent.party_id", "the agreement's customer ('globex')", "'initech'")
        ]

    def test_consent_to_another_agreement_refused(self) -> None:
        assert refusal(AGREEMENT, LONGER, consent=consent(terms_id="csa-other")) == [
            Problem("$.consent.terms_id", f"the agreement's id ({AGREEMENT.id!r})", "'csa-other'")
        ]

    @pytest.mark.parametrize("version", ["1", "3", "v2", "2.0"])
    def test_consent_to_another_version_refused(self, version: str) -> None:
        assert refusal(AGREEMENT, LONGER, consent=consent(version=version)) == [
            Problem("$.consent.version", "the proposed version ('2')", repr(version))
        ]

    def test_consent_to_the_current_version_of_an_amended_agreement_refused(self) -> None:
        v2 = amend(AGREEMENT, LONGER, consent=consent())
        again = attrs.evolve(LONGER, value=relativedelta(years=7))
        assert refusal(v2, again, consent=consent()) == [
            Problem("$.consent.version", "the proposed version ('3')", "'2'")
        ]
        assert amend(v2, again, consent=consent("3")).version == 3

    def test_consent_before_the_proposal_refused(self) -> None:
        early = PROPOSED - DAY
        assert refusal(AGREEMENT, LONGER, consent=consent(at=early)) == [
            Problem(
                "$.consent.accepted_at",
                "an acceptance no earlier than the proposal (2026-06-01T00:00:00+00:00)",
                early.isoformat(),
            )
        ]

    def test_consent_and_notice_together_refused(self) -> None:
        both = {"consent": consent(), "notice": notice(PROPOSED + 40 * DAY)}
        assert refusal(RULED, DEARER, **both) == [
            Problem("$.notice", "either a consent or a notice, not both", "both")
        ]

    def test_not_an_acknowledgement_refused(self) -> None:
        assert refusal(AGREEMENT, LONGER, consent="yes") == [
            Problem("$.consent", "an Acknowledgement", "'yes' (string)")
        ]

    def test_wrong_value_refused_under_value(self) -> None:
        problems = refusal(AGREEMENT, attrs.evolve(LONGER, value="ten years"), consent=consent())
        assert [p.path for p in problems] == ["$.value"]
        charges = attrs.evolve(DEARER, value=({"service_id": "crm-service"},))
        paths = [p.path for p in refusal(AGREEMENT, charges, consent=consent())]
        assert paths == ["$.value[0].amount", "$.value[0].period"]

    def test_value_breaking_an_agreement_rule_refused(self) -> None:
        other = attrs.evolve(CHARGE, service_id="mail-service")
        problems = refusal(AGREEMENT, attrs.evolve(DEARER, value=(other,)), consent=consent())
        assert [p.path for p in problems] == ["$.value[0].service_id"]

    def test_value_breaking_a_rule_on_another_term_refused_there(self) -> None:
        only_p2 = PriorityScale(
            priorities=(Priority(id="P2", name="High", description="A major function fails"),)
        )
        change = Amendment(
            term=TermKind.PRIORITIES, value=only_p2, proposed_at=PROPOSED, proposed_by="globex"
        )
        problems = refusal(AGREEMENT, change, consent=consent())
        assert [p.path for p in problems] == ["$.slas[0].targets[1].priority"]

    def test_consent_before_the_start_takes_effect_at_the_start(self) -> None:
        early = START - 10 * DAY
        amended = amend(
            AGREEMENT, attrs.evolve(LONGER, proposed_at=early), consent=consent(at=early)
        )
        assert amended.amendments[0].effective_at == START
        assert terms_on(amended, START) == amended

    def test_not_an_agreement_or_amendment_refused(self) -> None:
        with pytest.raises(ValidationError) as error:
            amend("csa", LONGER, consent=consent())  # type: ignore[arg-type]
        assert [p.path for p in error.value.problems] == ["$.agreement"]
        with pytest.raises(ValidationError) as error:
            amend(AGREEMENT, {"term": "slas"}, consent=consent())  # type: ignore[arg-type]
        assert [p.path for p in error.value.problems] == ["$.amendment"]


class TestNotice:
    """Changes by notice: only for ruled terms, only with enough notice."""

    def test_enough_notice_takes_effect_when_it_ends(self) -> None:
        effective = PROPOSED + 30 * DAY
        amended = amend(RULED, DEARER, notice=notice(effective))
        assert amended.recurring_charges[0].amount == Money("900.00", "EUR")
        assert amended.amendments[0].effective_at == effective
        assert amended.amendments[0].notice == notice(effective)
        assert amended.amendments[0].consent is None
        assert terms_on(amended, effective - dt.timedelta(microseconds=1)) == RULED
        assert terms_on(amended, effective) == amended

    def test_too_little_notice_refused(self) -> None:
        short = PROPOSED + 30 * DAY - dt.timedelta(seconds=1)
        assert refusal(RULED, DEARER, notice=notice(short)) == [
            Problem(
                "$.notice.effective_at",
                "at least P30D of notice for term 'recurring_charges': "
                "no earlier than 2026-07-01T00:00:00+00:00",
                short.isoformat(),
            )
        ]

    def test_notice_in_months_counts_calendar_months(self) -> None:
        monthly = attrs.evolve(
            AGREEMENT,
            amendment_rules=(
                AmendmentRule(term=TermKind.RECURRING_CHARGES, notice=relativedelta(months=1)),
            ),
        )
        jan31 = dt.datetime(2027, 1, 31, tzinfo=dt.UTC)
        proposal = attrs.evolve(DEARER, proposed_at=jan31)
        feb28 = dt.datetime(2027, 2, 28, tzinfo=dt.UTC)
        sent = {"sent_at": jan31}
        assert amend(monthly, proposal, notice=notice(feb28, **sent)).version == 2
        problems = refusal(monthly, proposal, notice=notice(feb28 - DAY, **sent))
        assert [p.path for p in problems] == ["$.notice.effective_at"]

    def test_notice_for_a_term_without_a_rule_refused(self) -> None:
        assert refusal(RULED, LONGER, notice=notice(PROPOSED + 400 * DAY)) == [
            Problem(
                "$.notice",
                "no notice: term 'record_keeping' changes only with the customer's consent "
                "(no amendment rule allows a notice)",
                "a notice",
            )
        ]

    def test_notice_without_any_rule_refused(self) -> None:
        problems = refusal(AGREEMENT, DEARER, notice=notice(PROPOSED + 400 * DAY))
        assert [p.path for p in problems] == ["$.notice"]

    def test_notice_from_the_customer_or_to_someone_else_refused(self) -> None:
        effective = PROPOSED + 40 * DAY
        from_customer = attrs.evolve(DEARER, proposed_by="globex")
        problems = refusal(RULED, from_customer, notice=notice(effective, sent_by="globex"))
        assert [p.path for p in problems] == ["$.notice.sent_by"]
        problems = refusal(RULED, DEARER, notice=notice(effective, sent_by="someone"))
        assert [p.path for p in problems] == ["$.notice.sent_by"]
        problems = refusal(RULED, DEARER, notice=notice(effective, sent_to={"initech"}))
        assert problems == [
            Problem(
                "$.notice.sent_to", "a notice to the agreement's customer ('globex')", "initech"
            )
        ]

    def test_notice_sent_before_the_proposal_refused(self) -> None:
        early = PROPOSED - DAY
        problems = refusal(RULED, DEARER, notice=notice(PROPOSED + 40 * DAY, sent_at=early))
        assert [p.path for p in problems] == ["$.notice.sent_at"]

    def test_a_later_consent_cannot_take_effect_before_a_pending_notice(self) -> None:
        effective = PROPOSED + 30 * DAY
        v2 = amend(RULED, DEARER, notice=notice(effective))
        problems = refusal(v2, LONGER, consent=consent("3", at=PROPOSED + DAY))
        assert problems == [
            Problem(
                "$.amendment",
                "an amendment taking effect no earlier than the last one "
                "(2026-07-01T00:00:00+00:00)",
                (PROPOSED + DAY).isoformat(),
            )
        ]
        at_once = amend(v2, LONGER, consent=consent("3", at=effective))
        assert terms_on(at_once, effective) == at_once


class TestTermsOn:
    """The terms in force across several amendments and at their instants."""

    def chain(
        self,
    ) -> tuple[CloudServiceAgreement, list[CloudServiceAgreement], list[dt.datetime]]:
        """Three amendments: two of record keeping, one of the price, with their instants."""
        t2, t3, t4 = PROPOSED + DAY, PROPOSED + 30 * DAY, PROPOSED + 60 * DAY
        v2 = amend(RULED, LONGER, consent=consent("2", at=t2))
        v3 = amend(v2, DEARER, notice=notice(t3))
        seven = attrs.evolve(LONGER, value=relativedelta(years=7), proposed_at=t3)
        v4 = amend(v3, seven, consent=consent("4", at=t4))
        return v4, [RULED, v2, v3, v4], [t2, t3, t4]

    def test_each_version_at_and_around_its_instant(self) -> None:
        latest, versions, instants = self.chain()
        assert terms_on(latest, START) == RULED
        for index, instant in enumerate(instants):
            assert terms_on(latest, instant - dt.timedelta(microseconds=1)) == versions[index]
            assert terms_on(latest, instant) == versions[index + 1]
        assert terms_on(latest, instants[-1] + 1000 * DAY) is latest

    def test_the_rebuilt_versions_hold_the_values_of_their_time(self) -> None:
        latest, _, instants = self.chain()
        before = terms_on(latest, instants[0] - DAY)
        assert before.record_keeping == relativedelta(years=6)
        assert before.recurring_charges[0].amount == Money("850.00", "EUR")
        middle = terms_on(latest, instants[1])
        assert (middle.version, middle.record_keeping) == (3, TEN_YEARS)
        assert middle.recurring_charges[0].amount == Money("900.00", "EUR")
        assert latest.record_keeping == relativedelta(years=7)

    def test_in_another_zone_the_same_instant(self) -> None:
        latest, versions, instants = self.chain()
        berlin = instants[1].astimezone(dt.timezone(dt.timedelta(hours=2)))
        assert terms_on(latest, berlin) == versions[2]

    def test_before_the_start_refused(self) -> None:
        with pytest.raises(ValidationError) as error:
            terms_on(AGREEMENT, START - dt.timedelta(microseconds=1))
        assert [p.path for p in error.value.problems] == ["$.instant"]

    def test_naive_instant_refused(self) -> None:
        with pytest.raises(ValidationError) as error:
            terms_on(AGREEMENT, dt.datetime(2026, 5, 1))
        assert [p.path for p in error.value.problems] == ["$.instant"]

    def test_round_trip_of_every_version(self) -> None:
        latest, versions, _ = self.chain()
        for version in versions:
            assert from_json(CloudServiceAgreement, to_json(version)) == version
        read = from_json(CloudServiceAgreement, to_json(latest))
        assert read.amendments == latest.amendments
        assert terms_on(read, PROPOSED) == RULED


class TestHistoryRules:
    """The agreement's own rules on its amendment history."""

    def applied(self, version: int, at: dt.datetime) -> AppliedAmendment:
        return AppliedAmendment(
            amendment=LONGER, version=version, effective_at=at, previous="P6Y", consent=consent()
        )

    def test_versions_must_lead_to_the_agreement_version(self) -> None:
        with pytest.raises(ValidationError) as error:
            attrs.evolve(AGREEMENT, version=3, amendments=(self.applied(2, PROPOSED),))
        assert error.value.problems == (
            Problem("$.amendments[0].version", "version 3 (the history ends at version 3)", "2"),
        )

    def test_effects_in_order_and_after_the_start(self) -> None:
        with pytest.raises(ValidationError) as error:
            attrs.evolve(
                AGREEMENT,
                version=3,
                amendments=(self.applied(2, PROPOSED), self.applied(3, START - DAY)),
            )
        assert [p.path for p in error.value.problems] == [
            "$.amendments[1].effective_at",
            "$.amendments[1].effective_at",
        ]

    def test_applied_amendment_needs_one_approval(self) -> None:
        with pytest.raises(ValidationError) as error:
            AppliedAmendment(amendment=LONGER, version=2, effective_at=PROPOSED, previous=None)
        assert error.value.problems == (
            Problem("$.consent", "either a consent or a notice, exactly one", "neither"),
        )

    def test_rules_unique_by_term(self) -> None:
        with pytest.raises(ValidationError) as error:
            attrs.evolve(AGREEMENT, amendment_rules=(PRICE_RULE, PRICE_RULE))
        assert [p.path for p in error.value.problems] == ["$.amendment_rules[1].term"]

    def test_a_version_1_document_without_the_new_fields_reads(self) -> None:
        data = to_json(AGREEMENT)
        assert '"amendment_rules"' in data
        body = json.loads(data)
        del body["amendment_rules"], body["amendments"]
        assert from_json(CloudServiceAgreement, json.dumps(body)) == AGREEMENT


class TestProperties:
    """Laws over drawn agreements and amendments."""

    @settings(max_examples=examples(25), deadline=None)
    @given(cloud_service_agreements(), amendments(), st.integers(0, 10_000))
    def test_terms_before_an_amendment_are_the_old_terms(
        self, agreement: CloudServiceAgreement, amendment: Amendment, hours: int
    ) -> None:
        at = agreement.effective_from + dt.timedelta(hours=hours)
        amendment = attrs.evolve(amendment, proposed_at=at)
        accepted = consent(
            str(agreement.version + 1), at, party_id=agreement.customer_id, terms_id=agreement.id
        )
        amended = amend(agreement, amendment, consent=accepted)
        assert amended.version == agreement.version + 1
        if at > agreement.effective_from:
            assert terms_on(amended, at - dt.timedelta(microseconds=1)) == agreement
        assert terms_on(amended, at) == amended

    @settings(max_examples=examples(25), deadline=None)
    @given(amended_agreements())
    def test_amended_agreements_round_trip_and_rebuild(
        self, agreement: CloudServiceAgreement
    ) -> None:
        assert from_json(CloudServiceAgreement, to_json(agreement)) == agreement
        jsonschema.Draft202012Validator(json_schema(CloudServiceAgreement)).validate(
            json.loads(to_json(agreement))
        )
        first = agreement.version - len(agreement.amendments)
        assert terms_on(agreement, agreement.effective_from).version >= first
        for applied in agreement.amendments:
            now = terms_on(agreement, applied.effective_at)
            assert now.version >= applied.version
            assert from_json(CloudServiceAgreement, to_json(now)) == now

    @settings(max_examples=examples(25), deadline=None)
    @given(st.one_of(amendments(), amendment_rules()))
    def test_records_round_trip(self, value: Amendment | AmendmentRule) -> None:
        assert from_json(type(value), to_json(value)) == value
