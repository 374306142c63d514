"""cloudsms.parties.actors: pseudonymous actor ids, and the directory that maps them to people."""

from __future__ import annotations

import json
import pickle
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cloudsms import parties
from cloudsms.errors import UnknownReference, ValidationError
from cloudsms.parties import (
    ACTOR_ID,
    Actor,
    ActorDirectory,
    Contact,
    actor_id_problems,
    is_actor_id,
)
from cloudsms.serialization import from_dict, from_json, json_schema, to_dict, to_json
from cloudsms.testing import actor_directories, actor_ids, actors

EXPECTED = "an actor id: 'actor:' then an id of letters, digits and . _ : - (at most 64)"
DANA = Actor(
    id="actor:4d1e",
    party_id="acme",
    contact=Contact(name="Dana Wolf", email="dana.wolf@acme.example"),
    role="customer administrator",
)
LEE = Actor(id="actor:4d1f", party_id="acme")
DESK = Actor(id="actor:9b07", party_id="provider", role="service desk agent")
ROBOT = Actor(id="actor:billing-run", party_id="provider")
DIRECTORY = ActorDirectory(actors=(DANA, DESK, LEE, ROBOT))


def refusal(build: Any) -> ValidationError:
    """The ValidationError that ``build()`` raises."""
    with pytest.raises(ValidationError) as caught:
        build()
    return caught.value


class TestActorIds:
    """``actor:`` and an id of the kit's grammar; never a name or an e-mail address."""

    @pytest.mark.parametrize(
        "text",
        ["actor:7f3a9c", "actor:desk-7", "actor:a", "actor:svc.ops_2:x", "actor:" + "a" * 64],
    )
    def test_accepts(self, text: str) -> None:
        """Accepts the prefix and a well-formed id, up to 64 characters after it."""
        assert is_actor_id(text)
        assert actor_id_problems(text, "$.who") == []

    @pytest.mark.parametrize(
        ("text", "why"),
        [
            ("dana.wolf@example.com", "no 'actor:' prefix, an '@' as in an e-mail address"),
            ("actor:dana@example.com", "an '@' as in an e-mail address"),
            ("Dana Wolf", "no 'actor:' prefix, white space as in a name"),
            ("actor:Dana Wolf", "white space as in a name"),
            ("desk-7", "no 'actor:' prefix"),
            ("Actor:desk-7", "no 'actor:' prefix"),
            ("actor:", "an id part outside the grammar"),
            ("actor:-desk", "an id part outside the grammar"),
            ("actor:" + "a" * 65, "an id part outside the grammar"),
            ("actor:desk\n", "white space as in a name"),
            ("Dana!", "no 'actor:' prefix, an id part outside the grammar"),
        ],
    )
    def test_refuses_without_showing_the_text(self, text: str, why: str) -> None:
        """Refuses at the path, says what is wrong, and never repeats the text."""
        assert not is_actor_id(text)
        (problem,) = actor_id_problems(text, "$.history[3].who")
        assert problem.path == "$.history[3].who"
        assert problem.expected == EXPECTED
        assert problem.got == f"<redacted> (string: {why})"

    @pytest.mark.parametrize(("value", "got"), [(7, "7 (integer)"), (None, "null")])
    def test_refuses_what_is_not_text(self, value: object, got: str) -> None:
        """Refuses a value that is not text, describing it (nothing personal to hide)."""
        assert not is_actor_id(value)
        (problem,) = actor_id_problems(value, "$.id")
        assert (problem.expected, problem.got) == (EXPECTED, got)

    def test_pattern_is_the_kit_id_after_the_prefix(self) -> None:
        """ACTOR_ID is ``actor:`` then the kit's id pattern, whole."""
        assert ACTOR_ID.pattern == "actor:" + r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}"

    @given(actor_ids())
    def test_drawn_ids_are_actor_ids(self, text: str) -> None:
        """Every drawn actor id is accepted, and none holds an '@' or a space."""
        assert is_actor_id(text)
        assert "@" not in text
        assert " " not in text

    @given(st.text(max_size=80))
    def test_check_agrees_with_predicate(self, text: str) -> None:
        """The problems are empty exactly when the predicate holds, and never show the text."""
        problems = actor_id_problems(text, "$.who")
        assert (problems == []) == is_actor_id(text)
        for problem in problems:
            assert problem.got.startswith("<redacted> (string: ")


class TestActor:
    """An actor id with the party it acts for, and optionally a contact and a role."""

    def test_fields(self) -> None:
        """Keeps its id, party, contact and role; contact and role are optional."""
        assert DANA.contact is not None
        assert (DANA.id, DANA.party_id, DANA.contact.name, DANA.role) == (
            "actor:4d1e",
            "acme",
            "Dana Wolf",
            "customer administrator",
        )
        assert (ROBOT.contact, ROBOT.role) == (None, None)

    def test_refuses_an_email_as_id(self) -> None:
        """Refuses an e-mail address as the id, at $.id, without showing it."""
        error = refusal(lambda: Actor(id="dana.wolf@acme.example", party_id="acme"))
        assert error.subject == "Actor"
        assert error.errors == [
            (
                f"expected {EXPECTED}, got <redacted> (string: no 'actor:' prefix, "
                "an '@' as in an e-mail address) @ $.id"
            )
        ]
        assert "dana" not in str(error)

    def test_refuses_a_name_as_id(self) -> None:
        """Refuses a name with a space as the id, at $.id."""
        error = refusal(lambda: Actor(id="actor:Dana Wolf", party_id="acme"))
        assert error.paths == ["$.id"]
        assert "Dana" not in str(error)

    def test_refuses_a_missing_prefix(self) -> None:
        """Refuses an id without the 'actor:' prefix, at $.id."""
        error = refusal(lambda: Actor(id="desk-7", party_id="provider"))
        assert [p.got for p in error.problems] == ["<redacted> (string: no 'actor:' prefix)"]

    def test_every_problem_at_its_field(self) -> None:
        """Reports each bad field at its own path, all at once."""
        error = refusal(lambda: Actor(id="x y", party_id="", contact="dana", role=" "))
        assert error.paths == ["$.id", "$.party_id", "$.contact", "$.role"]
        assert error.errors[2] == "expected a Contact or null, got 'dana' (string) @ $.contact"

    def test_a_bad_contact_in_a_document(self) -> None:
        """A document's bad contact address is reported under $.contact, redacted."""
        data = {"id": "actor:4d1e", "party_id": "acme", "contact": {"name": "Dana", "email": "d"}}
        with pytest.raises(ValidationError) as caught:
            from_dict(Actor, data)
        assert caught.value.errors == [
            (
                "expected an email address such as 'name@example.com', or null, "
                "got <redacted> @ $.contact.email"
            )
        ]

    def test_pickles(self) -> None:
        """Survives pickling unchanged."""
        assert pickle.loads(pickle.dumps(DANA)) == DANA


class TestActorDirectory:
    """Actors by id: look-ups, a party's actors, and erasure."""

    def test_ids_are_unique(self) -> None:
        """Refuses an actor id used twice, at the repeat's id."""
        twin = Actor(id=DANA.id, party_id="globex")
        error = refusal(lambda: ActorDirectory(actors=(DANA, DESK, twin)))
        assert error.subject == "ActorDirectory"
        assert error.errors == [
            "expected an id used once, got 'actor:4d1e' (string) @ $.actors[2].id"
        ]

    def test_refuses_what_is_not_an_actor(self) -> None:
        """Refuses an item that is not an Actor, at its index."""
        error = refusal(lambda: ActorDirectory(actors=[DANA, "actor:9b07"]))
        assert error.errors == ["expected an Actor, got 'actor:9b07' (string) @ $.actors[1]"]

    def test_actor(self) -> None:
        """Finds an actor by its id."""
        assert DIRECTORY.actor("actor:9b07") == DESK

    def test_unknown_actor_suggests_close_ids(self) -> None:
        """An unknown id raises UnknownReference naming the closest known ids."""
        with pytest.raises(UnknownReference) as caught:
            DIRECTORY.actor("actor:9b08")
        assert caught.value.kind == "actor"
        assert caught.value.key == "actor:9b08"
        assert caught.value.suggestions[0] == "actor:9b07"
        assert str(caught.value).startswith("unknown actor 'actor:9b08'; did you mean actor:9b07")

    def test_the_shared_prefix_makes_no_match(self) -> None:
        """Close matches compare what follows 'actor:', so an unlike id gets none."""
        with pytest.raises(UnknownReference) as caught:
            DIRECTORY.actor("actor:zzzz")
        assert caught.value.suggestions == ()

    def test_actor_refuses_a_name_without_showing_it(self) -> None:
        """Asking for an e-mail address is a ValidationError that does not repeat it."""
        error = refusal(lambda: DIRECTORY.actor("dana.wolf@acme.example"))
        assert error.subject == "actor query"
        assert error.paths == ["$.actor_id"]
        assert "dana" not in str(error)

    def test_resolve(self) -> None:
        """Resolves a trail's who to its actor, or to None when nothing maps it."""
        assert DIRECTORY.resolve("actor:4d1e") == DANA
        assert DIRECTORY.resolve("actor:gone") is None
        assert DIRECTORY.resolve("desk") is None  # a who recorded before actor ids

    def test_resolve_refuses_what_is_not_text(self) -> None:
        """Refuses a who that is not text, at $.who."""
        error = refusal(lambda: DIRECTORY.resolve(5))  # type: ignore[arg-type]
        assert error.errors == ["expected a string, got 5 (integer) @ $.who"]

    def test_of_party(self) -> None:
        """Lists a party's actors in directory order, and none for an unknown party."""
        assert DIRECTORY.of_party("acme") == (DANA, LEE)
        assert DIRECTORY.of_party("provider") == (DESK, ROBOT)
        assert DIRECTORY.of_party("globex") == ()

    def test_of_party_refuses_a_bad_id(self) -> None:
        """Refuses a malformed party id, at $.party_id."""
        error = refusal(lambda: DIRECTORY.of_party(""))
        assert error.paths == ["$.party_id"]

    def test_erasure_removes_the_party_and_keeps_the_others(self) -> None:
        """Erasing a party leaves none of its actors and every other actor in order."""
        erased = DIRECTORY.without_party("acme")
        assert erased.actors == (DESK, ROBOT)
        assert erased.of_party("acme") == ()
        assert erased.resolve(DANA.id) is None
        with pytest.raises(UnknownReference):
            erased.actor(DANA.id)
        assert DIRECTORY.actor(DANA.id) == DANA  # a new directory: the old one is unchanged

    def test_erasing_an_absent_party(self) -> None:
        """Erasing a party with no actors returns an equal directory."""
        assert DIRECTORY.without_party("globex") == DIRECTORY

    def test_erasing_several_parties(self) -> None:
        """Erases a customer and its users in one call."""
        user = Actor(id="actor:u1", party_id="u-wile")
        directory = ActorDirectory(actors=(*DIRECTORY.actors, user))
        assert directory.without_parties(["acme", "u-wile"]).actors == (DESK, ROBOT)

    def test_erasure_refuses_bad_arguments(self) -> None:
        """Refuses a party id list given as one string, and a bad id at its index."""
        error = refusal(lambda: DIRECTORY.without_parties("acme"))
        assert error.errors == ["expected a list of party ids, got 'acme' (string) @ $.party_ids"]
        error = refusal(lambda: DIRECTORY.without_parties(["acme", ""]))
        assert error.paths == ["$.party_ids[1]"]
        error = refusal(lambda: DIRECTORY.without_party(None))  # type: ignore[arg-type]
        assert error.paths == ["$.party_ids[0]"]

    def test_the_empty_directory(self) -> None:
        """An empty directory resolves nothing and erases nothing."""
        empty = ActorDirectory()
        assert empty.resolve("actor:x") is None
        assert empty.without_party("acme") == empty


class TestDocuments:
    """Actors and directories go to JSON and back unchanged."""

    def test_round_trip_by_hand(self) -> None:
        """Writes a directory as JSON and reads back an equal one."""
        text = to_json(DIRECTORY)
        assert from_json(ActorDirectory, text) == DIRECTORY
        assert json.loads(text)["actors"][3] == {
            "id": "actor:billing-run",
            "party_id": "provider",
            "contact": None,
            "role": None,
        }

    def test_reads_a_document_with_defaults_left_out(self) -> None:
        """Reads an actor written with its id and party only."""
        assert from_dict(Actor, {"id": "actor:9b07", "party_id": "provider"}) == Actor(
            id="actor:9b07", party_id="provider"
        )

    def test_bad_document(self) -> None:
        """Reports an e-mail id (redacted) and a repeated id, each at its path."""
        data = to_dict(DIRECTORY)
        data["actors"][1]["id"] = "desk@provider.example"
        with pytest.raises(ValidationError) as caught:
            from_dict(ActorDirectory, data)
        assert caught.value.paths == ["$.actors[1].id"]
        assert "desk@" not in str(caught.value)
        data["actors"][1]["id"] = DANA.id
        with pytest.raises(ValidationError) as caught:
            from_dict(ActorDirectory, data)
        assert caught.value.errors == [
            "expected an id used once, got 'actor:4d1e' (string) @ $.actors[1].id"
        ]

    def test_schema_names_the_fields(self) -> None:
        """The JSON Schema of an actor requires its id and party."""
        schema = json_schema(Actor)
        body = schema["$defs"][schema["$ref"].rsplit("/", 1)[1]] if "$ref" in schema else schema
        assert set(body["required"]) == {"id", "party_id"}

    @given(actor_directories())
    def test_round_trip(self, directory: ActorDirectory) -> None:
        """Any directory reads its own JSON back unchanged."""
        assert from_json(ActorDirectory, to_json(directory)) == directory
        assert from_dict(ActorDirectory, to_dict(directory)) == directory


class TestProperties:
    """Erasure and look-ups on drawn directories."""

    @given(actor_directories(), st.data())
    def test_erasure(self, directory: ActorDirectory, data: st.DataObject) -> None:
        """Erasing a party leaves none of its actors, and every other actor as it was."""
        parties_known = sorted({a.party_id for a in directory.actors}) or ["nobody"]
        party = data.draw(st.sampled_from(parties_known))
        erased = directory.without_party(party)
        assert erased.of_party(party) == ()
        assert erased.actors == tuple(a for a in directory.actors if a.party_id != party)
        for actor in directory.actors:
            expected = None if actor.party_id == party else actor
            assert erased.resolve(actor.id) == expected

    @given(actor_directories())
    def test_every_actor_resolves_to_itself(self, directory: ActorDirectory) -> None:
        """Each actor is found by its id, and its party lists it."""
        for actor in directory.actors:
            assert directory.actor(actor.id) == actor
            assert directory.resolve(actor.id) == actor
            assert actor in directory.of_party(actor.party_id)

    @given(actor_directories(party_ids=("acme", "globex")))
    def test_erasing_everyone_empties_the_directory(self, directory: ActorDirectory) -> None:
        """Erasing every party leaves no actor; erasing is idempotent."""
        assert directory.without_parties(["acme", "globex"]).actors == ()
        once = directory.without_party("acme")
        assert once.without_party("acme") == once

    @given(actors(party_ids=("acme",)))
    def test_actors_of_given_parties(self, actor: Actor) -> None:
        """Draws actors of the given parties only, with well-formed ids."""
        assert actor.party_id == "acme"
        assert is_actor_id(actor.id)

    @given(st.from_type(ActorDirectory))
    def test_registered_for_from_type(self, directory: ActorDirectory) -> None:
        """Draws directories through st.from_type."""
        assert isinstance(directory, ActorDirectory)


def test_exported_from_parties() -> None:
    """cloudsms.parties exports the actor records and helpers."""
    for name in ("ACTOR_ID", "Actor", "ActorDirectory", "actor_id_problems", "is_actor_id"):
        assert name in parties.__all__
