"""benchmarks/conformity.py measures what it says: its register, its plain loop (S12)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from cloudsms.conformity import ClauseStatus, assess

if TYPE_CHECKING:
    from types import ModuleType

FOLDER = Path(__file__).resolve().parents[1] / "benchmarks"


def bench() -> ModuleType:
    """benchmarks/conformity.py as a module (it imports section.py beside it)."""
    sys.path.insert(0, str(FOLDER))
    try:
        spec = importlib.util.spec_from_file_location(
            "_conformity_bench", FOLDER / "conformity.py"
        )
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(FOLDER))
    return module


def test_the_benchmark_register_and_its_plain_loop() -> None:
    """A small register of the benchmark's kind: every status occurs; the loop agrees."""
    module = bench()
    register = module.build(300)
    assert len(register) == 300
    result = assess(register, as_of=module.AS_OF)
    assert len(result.clauses) == 229
    statuses = {r.status for r in result.clauses}
    assert statuses == set(ClauseStatus)
    missing = {r.clause_number for r in result.clauses if r.status is ClauseStatus.MISSING}
    assert {"8.1", "6.6.2", "4.5.5.1"} <= missing  # no evidence for them or above them
    assert module._agree(result, module.plain_loop(register, result.as_of))
