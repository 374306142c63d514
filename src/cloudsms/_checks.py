"""Small field checks the model classes share, each returning the problems it finds."""

from __future__ import annotations

import re

from cloudsms.errors import Problem, describe

__all__ = ["ID", "id_problems", "optional_text_problems", "text_problems"]

ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
"""What an id looks like: letters, digits and . _ : - , at most 64, not starting with a sign."""


def id_problems(value: object, path: str) -> list[Problem]:
    """``[]`` for a well-formed id, else the problem at ``path``."""
    if isinstance(value, str) and ID.fullmatch(value):
        return []
    return [Problem(path, "an id of letters, digits and . _ : - (at most 64)", describe(value))]


def text_problems(value: object, path: str) -> list[Problem]:
    """``[]`` for a non-empty string, else the problem at ``path``."""
    if isinstance(value, str) and value.strip():
        return []
    return [Problem(path, "a non-empty string", describe(value))]


def optional_text_problems(value: object, path: str) -> list[Problem]:
    """``[]`` for ``None`` or a non-empty string, else the problem at ``path``."""
    return (
        []
        if value is None
        else [
            p._replace(expected="a non-empty string or null") for p in text_problems(value, path)
        ]
    )
