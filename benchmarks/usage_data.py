"""The usage-record benchmark's data and its pydantic v2 model, without cloudsms.

10,000 usage records (a fee, a latency, a window), varied so that no cache sees one
value twice, as compact JSON bytes; and an equivalent pydantic v2 model of them. Kept
apart from cloudsms so that pydantic's side runs in an interpreter that never
imported cloudsms (benchmarks/fresh.py). Kept without postponed annotations, so
pydantic reads the model's annotations as they are.
"""

import datetime as dt
import json
from decimal import Decimal
from typing import Any

RECORDS = 10_000


def documents() -> list[dict[str, Any]]:
    """The records as plain dicts."""
    base = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    units = ("ms", "s", "GiB", "vcpu*hour", "request/s")
    return [
        {
            "fee": {"amount": f"{i % 5000}.{i % 100:02d}", "currency": ("EUR", "USD")[i % 2]},
            "latency": f"{i % 977} {units[i % len(units)]}",
            "window": {
                "start": (base + dt.timedelta(minutes=i)).isoformat(),
                "end": (base + dt.timedelta(minutes=i, days=30)).isoformat(),
            },
        }
        for i in range(RECORDS)
    ]


def payload() -> bytes:
    """The records as compact JSON bytes, the input of both loads."""
    return json.dumps(documents(), separators=(",", ":")).encode()


def pydantic_adapter() -> Any:  # noqa: ANN401 - pydantic's TypeAdapter
    """An equivalent pydantic v2 model: decimal amount, text quantity, two aware datetimes."""
    import pydantic  # noqa: PLC0415 - a bench dependency

    class PMoney(pydantic.BaseModel):
        model_config = pydantic.ConfigDict(extra="forbid", frozen=True)
        amount: Decimal
        currency: str = pydantic.Field(pattern="^[A-Z]{3}$")

    class PPeriod(pydantic.BaseModel):
        model_config = pydantic.ConfigDict(extra="forbid", frozen=True)
        start: pydantic.AwareDatetime
        end: pydantic.AwareDatetime

    class PUsage(pydantic.BaseModel):
        model_config = pydantic.ConfigDict(extra="forbid", frozen=True)
        fee: PMoney
        latency: str
        window: PPeriod

    return pydantic.TypeAdapter(list[PUsage])
