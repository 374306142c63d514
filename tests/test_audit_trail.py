"""The audit trail of every lifecycle (issue 13): test vectors, tampering, keys, constant time."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cloudsms.errors import ValidationError
from cloudsms.lifecycle import (
    Attempt,
    ChainBreak,
    HistoryEntry,
    Lifecycle,
    LifecycleInstance,
    Trail,
    Transition,
    verify,
)
from cloudsms.parties import COMPLAINT_LIFECYCLE
from cloudsms.serialization import from_json, to_json

BERLIN = ZoneInfo("Europe/Berlin")
TOKYO = ZoneInfo("Asia/Tokyo")
KEY = b"cloudsms test key, not a secret!"

TICKET = Lifecycle(
    name="ticket",
    states=("new", "open", "assigned", "resolved"),
    initial="new",
    finals=("resolved",),
    transitions=(
        Transition(source="new", event="open", target="open"),
        Transition(source="open", event="assign", target="assigned"),
        Transition(source="assigned", event="resolve", target="resolved"),
    ),
)
CONTEXT = {"queue": "ops"}

GENESIS_TEXT = (
    '{"chain":"cloudsms.trail/1","context":{"queue":"ops"},"id":"T-1",'
    '"lifecycle":"ticket","origin":null}'
)
VECTORS = (
    (
        (
            '{"data":{},"event":"open","source":"new","target":"open",'
            '"when":"2026-03-02T08:00:00.000000+00:00","who":"actor:desk-1","zone":"Europe/Berlin"}'
        ),
        "c26585cf6776e8cd9168333ee90469c28b7a3f419c28091ab3851e27c3cfc57a",
    ),
    (
        (
            '{"data":{"team":"network"},"event":"assign","source":"open","target":"assigned",'
            '"when":"2026-03-02T10:30:00.250000+00:00","who":"actor:ops-7","zone":"+00:00"}'
        ),
        "6b7ac477279a86a8ceaba5f10933e92991e3fac679562e581adcfdf4149dec02",
    ),
    (
        (
            '{"data":{"minutes":45,"note":"Ger\\u00e4t getauscht"},"event":"resolve",'
            '"source":"assigned","target":"resolved","when":"2026-03-02T23:00:00.000000+00:00",'
            '"who":"actor:ops-7","zone":"Asia/Tokyo"}'
        ),
        "8eda4ba6f63198cb78d9cc4a92e87ba131553e3255b9613d8df677550a9c8109",
    ),
)


def walk(
    instance_id: str = "T-1", *, keyed: bool = False, key: bytes | None = None
) -> LifecycleInstance:
    """The three events of the test vectors."""
    trail = TICKET.begin(id=instance_id, context=CONTEXT, keyed=keyed)
    trail = trail.apply(
        "open", who="actor:desk-1", when=dt.datetime(2026, 3, 2, 9, tzinfo=BERLIN), key=key
    )
    trail = trail.apply(
        "assign",
        who="actor:ops-7",
        when=dt.datetime(2026, 3, 2, 10, 30, 0, 250000, tzinfo=dt.UTC),
        data={"team": "network"},
        key=key,
    )
    return trail.apply(
        "resolve",
        who="actor:ops-7",
        when=dt.datetime(2026, 3, 3, 8, tzinfo=TOKYO),
        data={"note": "Gerät getauscht", "minutes": 45},
        key=key,
    )


def rebuilt(entry: HistoryEntry, **changes: object) -> HistoryEntry:
    """An entry with some parts changed and its stored hash kept (a forgery)."""
    parts: dict[str, object] = {
        "who": entry.who,
        "when": entry.when,
        "event": entry.event,
        "source": entry.source,
        "target": entry.target,
        "data_json": entry.data_json,
        "hash": entry.hash,
    }
    parts.update(changes)
    return HistoryEntry(**parts)  # type: ignore[arg-type]


def break_of(entries: list[HistoryEntry], instance_id: str = "T-1") -> str:
    """The path of the first hash problem `resume` reports for ``entries``."""
    with pytest.raises(ValidationError) as caught:
        TICKET.resume(entries, id=instance_id, context=CONTEXT)
    hashes = [p.path for p in caught.value.problems if p.path.endswith(".hash")]
    assert len(hashes) == 1
    return hashes[0]


class TestVectors:
    """The documented bytes and hashes, recomputed here with hashlib alone."""

    def test_genesis(self) -> None:
        """The genesis is the SHA-256 of the documented text."""
        assert TICKET.begin(id="T-1", context=CONTEXT).head == (
            hashlib.sha256(GENESIS_TEXT.encode()).hexdigest()
        )

    def test_entries(self) -> None:
        """Each entry's canonical bytes and hash are the vector's; each link is recomputed."""
        trail = walk()
        previous = hashlib.sha256(GENESIS_TEXT.encode()).hexdigest()
        for entry, (text, digest) in zip(trail.entries, VECTORS, strict=True):
            assert entry.canonical() == text.encode("ascii")
            assert entry.hash == digest
            recomputed = hashlib.sha256(bytes.fromhex(previous) + text.encode()).hexdigest()
            assert recomputed == digest
            previous = digest
        assert trail.head == VECTORS[-1][1]

    def test_keyed_links_are_hmac(self) -> None:
        """A keyed trail links with HMAC-SHA-256 under the key; the genesis stays public."""
        trail = walk(keyed=True, key=KEY)
        previous = hashlib.sha256(GENESIS_TEXT.encode()).hexdigest()
        for entry, (text, plain) in zip(trail.entries, VECTORS, strict=True):
            mac = hmac.new(KEY, bytes.fromhex(previous) + text.encode(), hashlib.sha256)
            assert entry.hash == mac.hexdigest() != plain
            previous = entry.hash

    def test_the_zone_is_covered(self) -> None:
        """The same instant recorded in another zone is another entry, with another hash."""
        berlin = TICKET.begin(id="T-1").apply(
            "open", who="actor:a", when=dt.datetime(2026, 3, 2, 9, tzinfo=BERLIN)
        )
        utc = TICKET.begin(id="T-1").apply(
            "open", who="actor:a", when=dt.datetime(2026, 3, 2, 8, tzinfo=dt.UTC)
        )
        assert berlin.entries[0].when == utc.entries[0].when  # Python: the same instant
        assert berlin.head != utc.head


class TestTampering:
    """Every kind of tampering is found at the first entry that no longer follows."""

    def test_edit(self) -> None:
        """Changed data breaks the chain at that entry."""
        entries = list(walk().entries)
        entries[1] = rebuilt(entries[1], data_json='{"team":"storage"}')
        assert break_of(entries) == "$.history[1].hash"

    def test_edited_zone(self) -> None:
        """The same instant moved to another zone breaks the chain too."""
        entries = list(walk().entries)
        moved = entries[0].when.astimezone(dt.UTC)
        entries[0] = rebuilt(entries[0], when=moved)
        assert break_of(entries) == "$.history[0].hash"

    def test_delete(self) -> None:
        """A removed entry breaks the chain at the entry after it."""
        first, _, third = walk().entries
        with pytest.raises(ValidationError) as caught:
            TICKET.resume([first, third], id="T-1", context=CONTEXT)
        assert "$.history[1].hash" in caught.value.paths

    def test_reorder(self) -> None:
        """Swapped entries break the chain at the first of them."""
        first, second, third = walk().entries
        with pytest.raises(ValidationError) as caught:
            TICKET.resume([first, third, second], id="T-1", context=CONTEXT)
        assert caught.value.paths[0] == "$.history[1].hash"

    def test_insert(self) -> None:
        """An entry copied from another trail of the same lifecycle does not follow."""
        other = walk("T-9").entries
        first, _, third = walk().entries
        with pytest.raises(ValidationError) as caught:
            TICKET.resume([first, other[1], third], id="T-1", context=CONTEXT)
        assert caught.value.paths[0] == "$.history[1].hash"

    def test_moved_to_another_instance(self) -> None:
        """A whole history moved to another id breaks at entry 0 (the genesis differs)."""
        assert break_of(list(walk().entries), "T-2") == "$.history[0].hash"

    def test_edited_context(self) -> None:
        """The context is bound by the genesis."""
        with pytest.raises(ValidationError) as caught:
            TICKET.resume(walk().entries, id="T-1", context={"queue": "sales"})
        assert caught.value.paths == ["$.history[0].hash"]

    def test_truncation_needs_a_head_kept_elsewhere(self) -> None:
        """A trail cut at its end still holds; only an expected head finds the cut."""
        full = walk()
        heads = [TICKET.begin(id="T-1", context=CONTEXT).head, *(e.hash for e in full.entries)]
        cut = TICKET.resume(full.entries[:2], id="T-1", context=CONTEXT)
        assert verify(cut) is None
        found = verify(cut, expected_head=full.head)
        assert isinstance(found, ChainBreak)
        assert found.index == 2
        assert "removed from its end" in found.problem
        for head in heads[:3]:  # heads the cut trail reaches, the genesis included
            assert verify(cut, expected_head=head) is None
        assert verify(full, expected_head=heads[1].upper()) is None  # hex in either case

    def test_documents_refuse_a_forgery(self) -> None:
        """A stored complaint whose entry was edited is refused at that entry's hash."""
        handled = COMPLAINT_LIFECYCLE.begin(id="C-1").apply(
            "handle",
            who="actor:desk",
            when=dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC),
            data={"response": "Refunded"},
        )
        document = json.loads(to_json(handled))
        document["history"][0]["who"] = "actor:boss"
        with pytest.raises(ValidationError) as caught:
            from_json(LifecycleInstance, json.dumps(document))
        assert caught.value.paths == ["$.history[0].hash"]


class TestKeys:
    """Keyed trails: only the key's holder can write or confirm them."""

    def test_verified_with_its_key(self) -> None:
        """The right key verifies; a wrong key breaks at entry 0."""
        trail = walk(keyed=True, key=KEY)
        assert verify(trail, key=KEY) is None
        wrong = verify(trail, key=b"x" * 32)
        assert wrong is not None
        assert wrong.index == 0

    def test_read_without_the_key_is_unconfirmed(self) -> None:
        """Without the key a keyed trail is replayed, unconfirmed; verify with it finds an edit."""
        entries = list(walk(keyed=True, key=KEY).entries)
        entries[2] = rebuilt(entries[2], data_json='{"minutes":5}')
        loaded = TICKET.resume(entries, id="T-1", context=CONTEXT, keyed=True)
        found = verify(loaded, key=KEY)
        assert found is not None
        assert found.index == 2
        with pytest.raises(ValidationError) as caught:
            TICKET.resume(entries, id="T-1", context=CONTEXT, keyed=True, key=KEY)
        assert caught.value.paths == ["$.history[2].hash"]

    def test_apply_checks_the_key_against_the_last_entry(self) -> None:
        """A wrong key is refused at once; nothing is applied."""
        opened = TICKET.begin(id="T-1", keyed=True).apply(
            "open", who="actor:a", when=dt.datetime(2026, 3, 2, tzinfo=dt.UTC), key=KEY
        )
        with pytest.raises(ValidationError) as caught:
            opened.apply(
                "assign", who="actor:a", when=dt.datetime(2026, 3, 2, tzinfo=dt.UTC), key=b"y" * 32
            )
        assert caught.value.paths == ["$.key"]

    @pytest.mark.parametrize(
        ("keyed", "key", "got"),
        [
            (True, None, "no key"),
            (True, b"short", "5 bytes"),
            (True, "a text key of some length", "a str (not shown)"),
            (False, KEY, "a key"),
        ],
    )
    def test_key_problems(self, keyed: bool, key: object, got: str) -> None:
        """A missing, short, mistyped or unexpected key is refused at $.key, never shown."""
        instance = TICKET.begin(id="T-1", keyed=keyed)
        with pytest.raises(ValidationError) as caught:
            verify(instance, key=key)  # type: ignore[arg-type]
        assert [(p.path, p.got) for p in caught.value.problems] == [("$.key", got)]

    @given(
        key=st.binary(min_size=16, max_size=48).map(lambda b: b"KEY-" + b),
        wrong=st.binary(min_size=16, max_size=48),
    )
    def test_the_key_never_appears(self, key: bytes, wrong: bytes) -> None:
        """No message, repr or document shows the key, in any spelling."""
        trail = walk(keyed=True, key=key)
        complaint = COMPLAINT_LIFECYCLE.begin(id="C-1", keyed=True).apply(
            "handle",
            who="actor:desk",
            when=trail.entries[0].when,
            data={"response": "ok"},
            key=key,
        )
        spellings = {key.hex(), repr(key), key.decode("latin-1")}
        seen = [repr(trail), str(trail.entries), to_json(complaint), str(verify(trail, key=wrong))]
        for attempt in (
            lambda: trail.apply("open", who="actor:a", when=trail.entries[-1].when, key=wrong),
            lambda: TICKET.begin(id="T-1").apply(
                "open", who="actor:a", when=trail.entries[0].when, key=key
            ),
            lambda: TICKET.resume(trail.entries, id="T-1", keyed=True, key=wrong),
        ):
            with pytest.raises(ValidationError) as caught:
                attempt()
            seen += [str(caught.value), repr(caught.value.problems)]
        assert not any(s in text for s in spellings for text in seen)


class TestConstantTime:
    """Applying an event checks the new entry only; a trail is shared, not copied."""

    def test_guards_run_once_per_event(self) -> None:
        """N events call the guard N times: the history is not replayed on each event."""
        calls: list[int] = []

        def counted(instance: LifecycleInstance, _: Attempt) -> None:
            calls.append(len(instance.entries))

        loop = Lifecycle(
            name="loop",
            states=("a", "b", "z"),
            initial="a",
            finals=("z",),
            transitions=(
                Transition(source="a", event="go", target="b", guard="counted"),
                Transition(source="b", event="go", target="a", guard="counted"),
                Transition(source="b", event="stop", target="z"),
            ),
            guards={"counted": counted},
        )
        instance = loop.begin(id="L-1")
        when = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        for _ in range(200):
            instance = instance.apply("go", who="actor:a", when=when)
        assert calls == list(range(200))
        calls.clear()
        loop.resume(instance.entries, id="L-1")  # reading replays the guards once each
        assert calls == list(range(200))

    def test_branches_keep_their_own_histories(self) -> None:
        """Two events applied to one instance give two trails; neither sees the other's."""
        when = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        opened = TICKET.begin(id="T-1").apply("open", who="actor:a", when=when)
        one = opened.apply("assign", who="actor:one", when=when)
        two = opened.apply("assign", who="actor:two", when=when)
        assert (len(opened.entries), one.entries[-1].who, two.entries[-1].who) == (
            1,
            "actor:one",
            "actor:two",
        )
        assert verify(one) is None
        assert verify(two) is None
        assert one.head != two.head

    def test_a_trail_reads_as_a_tuple(self) -> None:
        """Indexing, slicing, iteration and equality behave as a tuple's."""
        trail = walk().entries
        assert isinstance(trail, Trail)
        assert trail == tuple(trail)
        assert trail[:2] == (trail[0], trail[1])
        assert trail[-1] is trail[2]
        with pytest.raises(IndexError):
            trail[3]


class TestAdopt:
    """Histories recorded without a chain are replayed and sealed."""

    def test_seals_a_hand_built_history(self) -> None:
        """Entries without hashes get the chain `apply` would have given them."""
        plain = [rebuilt(entry, hash="") for entry in walk().entries]
        adopted = TICKET.adopt(plain, id="T-1", context=CONTEXT)
        assert adopted == walk()
        assert [e.hash for e in adopted.entries] == [digest for _, digest in VECTORS]

    def test_replays_the_guards(self) -> None:
        """A history its lifecycle would refuse is refused, with nothing sealed."""
        first, _, third = walk().entries
        with pytest.raises(ValidationError) as caught:
            TICKET.adopt([first, third], id="T-1", context=CONTEXT)
        assert caught.value.paths == ["$.history[1].source"]

    def test_a_keyed_adoption_needs_its_key(self) -> None:
        """Sealing a keyed trail without the key is refused."""
        with pytest.raises(ValidationError) as caught:
            TICKET.adopt(walk().entries, id="T-1", keyed=True)
        assert caught.value.paths == ["$.key"]


class TestActors:
    """Who acts is a pseudonymous actor id, never a name or an e-mail."""

    @pytest.mark.parametrize("who", ["ops", "Alice Smith", "alice@example.com", "actor:", ""])
    def test_refused(self, who: str) -> None:
        """Anything but ``actor:<id>`` is refused at $.who, with nothing applied."""
        with pytest.raises(ValidationError) as caught:
            TICKET.begin(id="T-1").apply(
                "open", who=who, when=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
            )
        assert caught.value.paths == ["$.who"]


class TestReviewFindings:
    """Found by a review as a new user: each stays fixed."""

    def test_an_unconfirmed_keyed_trail_still_needs_its_hashes(self) -> None:
        """Read without its key, a keyed trail's entries must still carry a hash."""
        entries = [rebuilt(entry, hash="") for entry in walk(keyed=True, key=KEY).entries]
        with pytest.raises(ValidationError) as caught:
            TICKET.resume(entries, id="T-1", context=CONTEXT, keyed=True)
        assert caught.value.paths == [f"$.history[{i}].hash" for i in range(3)]

    def test_a_relabelled_plain_trail_fails_for_the_key_holder(self) -> None:
        """A plain trail read as keyed is unconfirmed; its key's holder finds it broken."""
        relabelled = TICKET.resume(walk().entries, id="T-1", context=CONTEXT, keyed=True)
        found = verify(relabelled, key=KEY)
        assert found is not None
        assert found.index == 0
        assert "the key is not the one" in found.problem

    def test_advance_takes_the_key(self) -> None:
        """A record holding a keyed trail moves with advance(..., key=)."""
        from cloudsms.lifecycle import advance  # noqa: PLC0415
        from cloudsms.parties import Complaint  # noqa: PLC0415

        when = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
        complaint = Complaint(
            id="C-1",
            customer_id="acme",
            received_at=when,
            summary="Slow",
            lifecycle=COMPLAINT_LIFECYCLE.begin(id="C-1", keyed=True),
        )
        handled = advance(
            complaint, "handle", who="actor:desk", when=when, data={"response": "ok"}, key=KEY
        )
        assert handled.state == "handled"
        assert verify(handled.lifecycle, key=KEY) is None

    def test_an_expected_head_is_never_shown(self) -> None:
        """A key passed as the expected head by mistake does not appear in the message."""
        with pytest.raises(ValidationError) as caught:
            verify(walk(), expected_head=KEY.decode())
        assert KEY.decode() not in str(caught.value)

    def test_event_data_is_never_shown(self) -> None:
        """Refused event data (which may hold personal data) is described, not shown."""
        with pytest.raises(ValidationError) as caught:
            HistoryEntry(
                who="actor:a",
                when=dt.datetime(2026, 3, 2, tzinfo=dt.UTC),
                event="open",
                source="new",
                target="open",
                data_json='{"name": "Jane Doe"}',
            )
        assert "Jane" not in str(caught.value)


class TestVersionTwoUpgrade:
    """A version-2 body is upgraded only when it is one: nothing dropped or laundered."""

    @staticmethod
    def body(**instance: object) -> dict[str, object]:
        """A version-2 complaint whose instance holds ``instance``'s keys besides the usual."""
        return {
            "type": "cloudsms.complaint",
            "schema_version": 2,
            "id": "c-1",
            "customer_id": "acme",
            "received_at": "2026-03-02T09:00:00+00:00",
            "summary": "Slow",
            "lifecycle": {
                "lifecycle": "complaint",
                "state": "handled",
                "context": {},
                "history": [
                    {
                        "who": "desk",
                        "when": "2026-03-02T10:00:00+00:00",
                        "event": "handle",
                        "source": "received",
                        "target": "handled",
                        "data": {"response": "Fixed"},
                    }
                ],
                **instance,
            },
        }

    def test_a_version_3_body_in_disguise_is_refused(self) -> None:
        """A version-2 instance carrying an id is refused, not re-sealed over its edits."""
        from cloudsms.parties import Complaint  # noqa: PLC0415

        with pytest.raises(ValidationError) as caught:
            from_dict_(Complaint, self.body(id="other"))
        assert caught.value.paths == ["$.lifecycle.id"]

    def test_unknown_keys_are_refused(self) -> None:
        """An unknown key of the instance or of an entry is refused, not dropped."""
        from cloudsms.parties import Complaint  # noqa: PLC0415

        document = self.body(extra=1)
        document["lifecycle"]["history"][0]["hash"] = "0" * 64  # type: ignore[index]
        with pytest.raises(ValidationError) as caught:
            from_dict_(Complaint, document)
        assert sorted(caught.value.paths) == ["$.lifecycle.extra", "$.lifecycle.history[0].hash"]

    def test_entry_problems_have_their_paths(self) -> None:
        """A naive instant in a version-2 entry is reported at its entry."""
        from cloudsms.parties import Complaint  # noqa: PLC0415

        document = self.body()
        document["lifecycle"]["history"][0]["when"] = "2026-03-02T10:00:00"  # type: ignore[index]
        with pytest.raises(ValidationError) as caught:
            from_dict_(Complaint, document)
        assert caught.value.paths == ["$.lifecycle.history[0].when"]


def from_dict_(kind: type, data: dict[str, object]) -> object:
    """`cloudsms.serialization.from_dict`, imported where used."""
    from cloudsms.serialization import from_dict  # noqa: PLC0415

    return from_dict(kind, data)


class TestRecordsBindTheirTrails:
    """A record refuses a trail bound to another id: trails cannot move between records."""

    def test_a_complaint_refuses_another_complaints_trail(self) -> None:
        """A trail moved from complaint c-7 into complaint c-8 is refused at lifecycle.id."""
        from cloudsms.parties import Complaint  # noqa: PLC0415

        when = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
        first = Complaint(id="c-7", customer_id="acme", received_at=when, summary="Slow")
        assert first.lifecycle.id == "c-7"  # the default instance is bound to the record
        document = json.loads(to_json(first))
        document["id"] = "c-8"
        with pytest.raises(ValidationError) as caught:
            from_json(Complaint, json.dumps(document))
        assert caught.value.paths == ["$.lifecycle.id"]
        with pytest.raises(ValidationError):
            Complaint(
                id="c-8",
                customer_id="acme",
                received_at=when,
                summary="Slow",
                lifecycle=COMPLAINT_LIFECYCLE.begin(id="c-7"),
            )
