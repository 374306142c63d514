"""Shared by the generators in tasks/: write a data file, or check it is up to date."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path


def write_or_check(target: Path, text: str, *, check: bool, source: str, summary: str) -> int:
    """Write ``text`` to ``target``; with ``check``, only compare. Returns an exit status."""
    if check:
        if target.read_text(encoding="utf-8") != text:
            print(f"{target} is out of date with {source}: regenerate it")
            return 1
        print(f"{target} matches {source}")
        return 0
    target.write_text(text, encoding="utf-8")
    print(f"wrote {summary} to {target}")
    return 0
