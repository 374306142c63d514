"""A notebook-style tour of the reference data: what the TR's scenarios cite and cover.

Run it with ``python examples/reference_tour.py``. It needs nothing beyond cloudsms; if
pandas is installed it also shows the citations as a DataFrame pivot.
"""

from __future__ import annotations

from collections import Counter

from cloudsms import reference
from cloudsms.errors import ValidationError


def most_cited_clauses(top: int = 5) -> list[tuple[str, int]]:
    """The clauses cited directly by the most scenarios."""
    counts = Counter(c.clause_number for c in reference.citations())
    return counts.most_common(top)


def coverage_by_process_group() -> dict[str, set[str]]:
    """For each process group, the scenarios covering at least one of its processes."""
    groups: dict[str, set[str]] = {}
    for clause in reference.clauses():
        if clause.is_process and clause.process_group is not None:
            covering = {s.id for s in reference.scenarios_citing(clause.number)}
            groups.setdefault(clause.process_group.value, set()).update(covering)
    return groups


def main() -> None:
    """Print the tour."""
    print("Most cited clauses:")
    for number, count in most_cited_clauses():
        print(f"  {number:<5} {reference.clause(number).title:<40} {count} scenarios")

    print("\nScenarios per process group:")
    for group, ids in coverage_by_process_group().items():
        print(f"  {group:<22} {len(ids):>2}: {' '.join(sorted(ids))}")

    print("\nHow S04's citation of the whole of clause 4 reaches 4.4.2:")
    for entry in reference.coverage_of("4.4.2"):
        how = "directly" if entry.direct else f"via {entry.via}"
        print(f"  {entry.scenario_id} {how}")

    ours = reference.load(
        {
            "type": "cloudsms.reference-overlay",
            "schema_version": 1,
            "origin": "example overlay",
            "citations": [
                {"scenario_id": "S14", "clause_number": "5"},
                {"scenario_id": "S14", "clause_number": "9.2"},
            ],
        }
    )
    print("\nWith an overlay, S14 cites:", ours.matrix()["S14"])
    print("The shipped set still says:", reference.matrix()["S14"])

    try:
        reference.load(
            {
                "type": "cloudsms.reference-overlay",
                "schema_version": 1,
                "citations": [{"scenario_id": "S14", "clause_number": "6.9"}],
            }
        )
    except ValidationError as err:
        print("\nA bad overlay is refused:", *err.errors, sep="\n  ")

    try:
        import pandas as pd  # noqa: PLC0415 - optional
    except ImportError:
        print("\n(pandas is not installed: skipping the DataFrame view)")
        return
    frame = pd.DataFrame(reference.to_records())
    print(frame.pivot_table(index="phase", values="clause_number", aggfunc="count"))


if __name__ == "__main__":
    main()
