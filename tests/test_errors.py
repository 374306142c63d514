"""Tests of cloudsms.errors: messages, structure and pickling."""

from __future__ import annotations

import pickle

import pytest

from cloudsms.errors import CloudSMSError, Problem, UnknownReference, ValidationError, describe


class TestValidationError:
    """ValidationError lists every problem with its path."""

    def test_is_a_value_error_and_a_cloudsms_error(self) -> None:
        """Is caught both as ValueError and as CloudSMSError."""
        err = ValidationError.single("$.a", "a string", "5 (integer)")
        assert isinstance(err, ValueError)
        assert isinstance(err, CloudSMSError)

    def test_errors_read_expected_got_at_path(self) -> None:
        """Renders each problem as 'expected <what>, got <what> @ <path>'."""
        err = ValidationError(
            [Problem("$.x[3].y", "an integer", "'a' (string)"), Problem("$.z", "a b", "c")]
        )
        assert err.errors == [
            "expected an integer, got 'a' (string) @ $.x[3].y",
            "expected a b, got c @ $.z",
        ]
        assert err.paths == ["$.x[3].y", "$.z"]

    def test_message_counts_problems(self) -> None:
        """Names the subject and the number of problems in its message."""
        err = ValidationError([Problem("$", "a", "b"), Problem("$.c", "d", "e")], subject="doc")
        assert str(err).splitlines()[0] == "Doc is invalid (2 problems):"

    def test_pickles(self) -> None:
        """Survives a pickle round trip with its problems and subject."""
        err = ValidationError([Problem("$.a", "b", "c")], subject="overlay")
        back = pickle.loads(pickle.dumps(err))
        assert (back.problems, back.subject, str(back)) == (err.problems, "overlay", str(err))


class TestUnknownReference:
    """UnknownReference names what was looked for and suggests close matches."""

    def test_is_a_lookup_error(self) -> None:
        """Is caught as LookupError but is not a KeyError."""
        err = UnknownReference("scenario", "S99")
        assert isinstance(err, LookupError)
        assert not isinstance(err, KeyError)

    def test_message_with_one_suggestion(self) -> None:
        """Suggests a single close match plainly."""
        assert str(UnknownReference("clause", "6.7", suggestions=("6.6",))) == (
            "unknown clause '6.7'; did you mean 6.6?"
        )

    def test_pickles(self) -> None:
        """Survives a pickle round trip with all attributes."""
        err = UnknownReference("clause", "6.7", suggestions=("6.6",), scope="edition x")
        back = pickle.loads(pickle.dumps(err))
        assert (back.kind, back.key, back.suggestions, back.scope) == (
            "clause",
            "6.7",
            ("6.6",),
            "edition x",
        )
        assert str(back) == str(err)


class TestDescribe:
    """describe() shows a received value with its JSON type."""

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            (True, "True (boolean)"),
            (1.5, "1.5 (number)"),
            ([], "[] (array)"),
            ({}, "{} (object)"),
            ("a", "'a' (string)"),
            (b"x", "b'x' (bytes)"),
        ],
    )
    def test_names_the_type(self, value: object, expected: str) -> None:
        """Names booleans, numbers, arrays and objects as JSON does."""
        assert describe(value) == expected
