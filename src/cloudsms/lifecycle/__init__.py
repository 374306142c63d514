"""Lifecycles declared as data, and the values that move through them.

The core every lifecycle of cloudsms uses — the service lifecycle of S05, incidents,
changes and releases of S09, onboarding (S08), the exit procedure (S13) — so that
each is a queryable transition table, refuses illegal events without changing
anything, and keeps a canonical, serialisable history of who did what and when
(ISO/IEC 20000-1:2011 4.3.3, control of records; 9.2 and 9.3). A guard sees the
instance and the `Attempt` being made, including the instance's persisted context.
Every history is a hash chain (`verify`): an audit trail that shows what happened,
in what order, and that nothing was changed afterwards.
"""

from cloudsms.lifecycle._chain import CHAIN_FORMAT, MIN_KEY_BYTES, ChainBreak
from cloudsms.lifecycle._core import (
    ACTOR_ID,
    Attempt,
    Guard,
    HistoryEntry,
    Lifecycle,
    LifecycleInstance,
    Trail,
    Transition,
    advance,
    lifecycle_named,
    register_lifecycle,
    registered_lifecycles,
    verify,
)

__all__ = [
    "ACTOR_ID",
    "CHAIN_FORMAT",
    "MIN_KEY_BYTES",
    "Attempt",
    "ChainBreak",
    "Guard",
    "HistoryEntry",
    "Lifecycle",
    "LifecycleInstance",
    "Trail",
    "Transition",
    "advance",
    "lifecycle_named",
    "register_lifecycle",
    "registered_lifecycles",
    "verify",
]
