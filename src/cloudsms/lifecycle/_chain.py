r"""The hash chain of a lifecycle's history: canonical bytes, links, genesis and checks.

Each `HistoryEntry` carries ``hash = SHA-256(previous hash || canonical bytes of the
entry)``, the previous hash taken as its 32 raw bytes. The first entry's previous
hash is the *genesis*: the SHA-256 of a canonical JSON object naming the chain's
format, the lifecycle, the instance's id, its origin and its persisted context, so
an entry cannot be moved to another instance, and neither the id, the origin nor the
context can be edited without breaking the chain. With a key, every link is
HMAC-SHA-256 under that key instead, so only its holder can recompute the chain (the
genesis stays a plain SHA-256: it is public). The head of a trail is its last
entry's hash, or the genesis while the history is empty.

The canonical bytes of an entry are ASCII JSON (a subset of UTF-8): the keys
``data, event, source, target, when, who, zone`` in that (sorted) order, no spaces,
``json.dumps``'s escaping (every character outside ASCII as a ``\uXXXX`` escape),
``when`` as the instant in UTC with microseconds (``2026-03-02T09:00:00.000000+00:00``)
and ``zone`` as the key of the zone it was recorded in (``Europe/Berlin``, or an
offset such as ``+00:00``), so that an edited zone breaks the chain as an edited
instant does. docs/lifecycles.md gives test vectors.

Serves every lifecycle of cloudsms (S05, S06, S08, S09, S13 to S15): records whose
integrity can be shown (ISO/IEC 20000-1:2011 4.3.3, control of records; 4.5.4.2,
internal audit).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
from json.encoder import encode_basestring_ascii as _quote
from typing import TYPE_CHECKING, Protocol

import attrs

from cloudsms._foundation.instants import zone_key
from cloudsms.errors import Problem, ValidationError

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["CHAIN_FORMAT", "MIN_KEY_BYTES", "ChainBreak"]

CHAIN_FORMAT = "cloudsms.trail/1"
"""The name of the chain's format, bound into every genesis."""

MIN_KEY_BYTES = 16
"""The shortest key an HMAC chain accepts, in bytes (32 random bytes are advised)."""

HASH = re.compile(r"[0-9a-f]{64}")
"""A SHA-256 or HMAC-SHA-256 value as written: 64 lower-case hexadecimal digits."""


@attrs.frozen
class ChainBreak:
    """Where a trail stops being verifiable, and why: what `cloudsms.lifecycle.verify` finds.

    ``index`` is the first entry whose hash does not follow (0 for the first entry),
    or the number of entries when every entry holds but the trail does not reach
    the expected head. ``problem`` says what is wrong, in words.
    """

    index: int
    problem: str

    def __str__(self) -> str:
        return f"entry {self.index}: {self.problem}"


def genesis(lifecycle: str, instance_id: str, origin: str | None, context_json: str) -> str:
    """The hash a chain starts from: its format, lifecycle, instance id, origin and context."""
    text = (
        f'{{"chain":"{CHAIN_FORMAT}","context":{context_json},"id":{json.dumps(instance_id)},'
        f'"lifecycle":{json.dumps(lifecycle)},"origin":{json.dumps(origin)}}}'
    )
    return hashlib.sha256(text.encode()).hexdigest()


def entry_bytes(  # noqa: PLR0917 - an entry's six parts, in the hot path
    who: str, when: dt.datetime, event: str, source: str, target: str, data_json: str
) -> bytes:
    """An entry's canonical bytes (see the module's docstring); ``data_json`` is canonical."""
    instant = when.astimezone(dt.UTC).isoformat(timespec="microseconds")
    return (  # _quote is json.dumps of one string, without its dispatch
        f'{{"data":{data_json},"event":{_quote(event)},"source":{_quote(source)},'
        f'"target":{_quote(target)},"when":"{instant}","who":{_quote(who)},'
        f'"zone":{_quote(zone_key(when.tzinfo))}}}'
    ).encode()


def link(previous: str, canonical: bytes, key: bytes | None) -> str:
    """The hash of an entry given the one before (hex) and its canonical bytes."""
    message = bytes.fromhex(previous) + canonical
    if key is None:
        return hashlib.sha256(message).hexdigest()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def key_problems(key: object, *, keyed: bool) -> list[Problem]:
    """Problems of a key given for a trail (never showing the key): ``[]`` when it fits.

    A keyed trail needs bytes of at least `MIN_KEY_BYTES`; an unkeyed one takes none.
    """
    if not keyed:
        if key is None:
            return []
        return [Problem("$.key", "no key: this trail is a plain SHA-256 chain", "a key")]
    if isinstance(key, bytes | bytearray) and len(key) >= MIN_KEY_BYTES:
        return []
    if key is None:
        got = "no key"
    elif isinstance(key, bytes | bytearray):
        got = f"{len(key)} bytes"
    else:
        got = f"a {type(key).__name__} (not shown)"
    expected = f"the trail's key: bytes, at least {MIN_KEY_BYTES} of them (HMAC-SHA-256 trail)"
    return [Problem("$.key", expected, got)]


def checked_key(key: object, *, keyed: bool, subject: str) -> bytes | None:
    """``key`` as bytes (None for an unkeyed trail), or a ValidationError that never shows it."""
    problems = key_problems(key, keyed=keyed)
    if problems:
        raise ValidationError(problems, subject=subject)
    return bytes(key) if isinstance(key, bytes | bytearray) else None


class Linked(Protocol):
    """What a chain check reads of an entry: its parts and its stored hash."""

    @property
    def who(self) -> str: ...
    @property
    def when(self) -> dt.datetime: ...
    @property
    def event(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def target(self) -> str: ...
    @property
    def data_json(self) -> str: ...
    @property
    def hash(self) -> str: ...


def first_break(
    start: str, entries: Sequence[Linked], key: bytes | None, *, offset: int = 0
) -> ChainBreak | None:
    """The first entry whose hash does not follow from ``start`` and the entries before."""
    previous = start
    for index, entry in enumerate(entries, offset):
        computed = link(
            previous,
            entry_bytes(
                entry.who, entry.when, entry.event, entry.source, entry.target, entry.data_json
            ),
            key,
        )
        if not hmac.compare_digest(computed, entry.hash):
            problem = _mismatch(index, entry.hash)
            if key is not None and entry.hash:
                problem += "; or the key is not the one this trail was written with"
            return ChainBreak(index, problem)
        previous = computed
    return None


def _mismatch(index: int, stored: str) -> str:
    if not stored:
        return "it carries no hash"
    if index == 0:
        return (
            "its hash does not follow from the genesis and its content: it was edited, "
            "moved from another instance, or the instance's id, origin or context was edited"
        )
    return (
        "its hash does not follow from the entry before and its content: it was edited, "
        "or an entry before it was inserted, removed or reordered"
    )


def head_break(head: str, hashes: Sequence[str], expected: str, start: str) -> ChainBreak | None:
    """A break when the trail does not reach ``expected`` (a head stored elsewhere).

    The trail reaches it when ``expected`` is its head, the genesis or an entry's hash
    (the trail has grown since the head was taken). Otherwise entries were removed
    from its end, or it is another trail.
    """
    if expected in {head, start} or expected in hashes:
        return None
    return ChainBreak(
        len(hashes),
        "the trail does not reach the expected head: entries were removed from its end, "
        "or this is another trail",
    )
