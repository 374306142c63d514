"""Plots of a conformity review, as matplotlib figures (issue 20; S12, every scenario's coverage).

An edge of the package for analysts and auditors: the clause-by-scenario coverage
heatmap (`plot_coverage_matrix`) and the coverage of each process
(`plot_process_coverage`). Each draws into the ``ax`` given, or into a new
`matplotlib.figure.Figure` made without pyplot (no global state, no window, any
backend), and returns the figure: a notebook shows it inline, a script saves it
(``figure.savefig("coverage.png")``). matplotlib comes from the optional extra
``analysis``, imported only when a plot is asked for; without it an ImportError says
``pip install 'cloudsms[analysis]'``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from cloudsms.errors import Problem, ValidationError, describe
from cloudsms.reference import CoverageKind, CoverageMatrix, ProcessCoverage
from cloudsms.reports.monitoring import _extra

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "COVERAGE_COLOURS",
    "COVERAGE_ORDER",
    "plot_coverage_matrix",
    "plot_process_coverage",
]

COVERAGE_ORDER = (
    CoverageKind.DIRECT,
    CoverageKind.INHERITED,
    CoverageKind.NONE,
    CoverageKind.UNKNOWN,
)
"""The kinds in the heatmap's order: a cell's value in the drawn array is its index here."""

COVERAGE_COLOURS = {
    CoverageKind.DIRECT: "#1b7837",
    CoverageKind.INHERITED: "#a6dba0",
    CoverageKind.NONE: "#f2f2f2",
    CoverageKind.UNKNOWN: "#fdb863",
}
"""The colour of each kind of cell (and of the matching bars of `plot_process_coverage`)."""

_TITLE_WIDTH = 36


def _new_axes(ax: Axes | None, size: tuple[float, float], wanted_by: str) -> Axes:
    """``ax``, or the axes of a new Figure made without pyplot."""
    module = _extra("matplotlib.figure", wanted_by)
    if ax is not None:
        return ax
    return module.Figure(figsize=size, layout="constrained").add_subplot()  # type: ignore[no-any-return]


def _figure_of(ax: Axes, wanted_by: str) -> Figure:
    """The top figure ``ax`` is drawn in (through any subfigures)."""
    module = _extra("matplotlib.figure", wanted_by)
    root: Any = ax.figure
    while not isinstance(root, module.Figure):
        root = root.figure
    return root  # type: ignore[no-any-return]


def _short(text: str, width: int = _TITLE_WIDTH) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def plot_coverage_matrix(matrix: CoverageMatrix, *, ax: Axes | None = None) -> Figure:
    """The coverage matrix as a heatmap: a row per clause, a column per scenario.

    Each cell is coloured by its kind (`COVERAGE_COLOURS`: direct, inherited
    through a cited ancestor, none, unknown), with a legend of the four kinds. The
    array drawn holds each cell's index in `COVERAGE_ORDER`, so the picture can be
    checked against the matrix. Rows are labelled with the clause numbers, columns
    with the scenario ids.

    Raises:
        ImportError: matplotlib is not installed (``pip install 'cloudsms[analysis]'``).
        ValidationError: ``matrix`` is not a `CoverageMatrix` (``$.matrix``).
    """
    if not isinstance(matrix, CoverageMatrix):
        raise ValidationError.single(
            "$.matrix", "a CoverageMatrix", describe(matrix), subject="plot_coverage_matrix"
        )
    colors = _extra("matplotlib.colors", "plot_coverage_matrix")
    patches = _extra("matplotlib.patches", "plot_coverage_matrix")
    rows = len(matrix.clauses)
    ax = _new_axes(ax, (7.5, max(4.0, 0.17 * rows + 1.5)), "plot_coverage_matrix")
    code = {kind: index for index, kind in enumerate(COVERAGE_ORDER)}
    values = [[code[c.kind] for c in matrix.row(clause.number)] for clause in matrix.clauses]
    cmap = colors.ListedColormap([COVERAGE_COLOURS[k] for k in COVERAGE_ORDER])
    ax.imshow(
        values,
        cmap=cmap,
        vmin=-0.5,
        vmax=len(COVERAGE_ORDER) - 0.5,
        aspect="auto",
        interpolation="nearest",
    )
    ax.set_xticks(range(len(matrix.scenarios)), labels=[s.id for s in matrix.scenarios])
    ax.set_yticks(range(rows), labels=[c.number for c in matrix.clauses])
    ax.tick_params(
        axis="x",
        labelrotation=90,
        labelsize=8,
        top=True,
        labeltop=True,
        bottom=False,
        labelbottom=False,
    )
    ax.tick_params(axis="y", labelsize=7)
    ax.set_xticks([x - 0.5 for x in range(1, len(matrix.scenarios))], minor=True)
    ax.set_yticks([y - 0.5 for y in range(1, rows)], minor=True)
    ax.grid(which="minor", color="white", linewidth=0.5)
    ax.tick_params(which="minor", length=0)
    handles = [
        patches.Patch(facecolor=COVERAGE_COLOURS[k], edgecolor="grey", label=k.value)
        for k in COVERAGE_ORDER
    ]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    ax.set_title(f"Coverage of ISO/IEC {matrix.edition} by scenario")
    return _figure_of(ax, "plot_coverage_matrix")


def plot_process_coverage(value: object, *, ax: Axes | None = None) -> Figure:
    """Coverage by process, as horizontal bars: one bar per process.

    Given `ProcessCoverage` values (`cloudsms.reference.process_coverage`), each
    bar counts the scenarios that cite the process (``direct``) and, stacked after
    them, those that reach it only through a cited ancestor (``inherited``); the
    axis label names the scenarios whose citations are unknown.

    Raises:
        ImportError: matplotlib is not installed (``pip install 'cloudsms[analysis]'``).
        ValidationError: ``value`` is not a sequence of `ProcessCoverage`
            (``$.value`` or ``$.value[1]``), or holds none.
    """
    items = _process_items(value)
    ax = _new_axes(ax, (7.5, max(3.0, 0.35 * len(items) + 1.2)), "plot_process_coverage")
    labels = [_short(f"{p.clause.number} {p.clause.title}") for p in items]
    direct = [len(p.direct) for p in items]
    inherited = [len(p.scenario_ids) - len(p.direct) for p in items]
    positions = list(range(len(items)))
    ax.barh(positions, direct, color=COVERAGE_COLOURS[CoverageKind.DIRECT], label="direct")
    ax.barh(
        positions,
        inherited,
        left=direct,
        color=COVERAGE_COLOURS[CoverageKind.INHERITED],
        label="inherited",
    )
    ax.set_yticks(positions, labels=labels)
    ax.invert_yaxis()
    unknown = sorted({sid for p in items for sid in p.unknown}, key=lambda s: int(s[1:]))
    xlabel = "scenarios covering the process"
    if unknown:
        xlabel += f" (citations unknown: {', '.join(unknown)})"
    ax.set_xlabel(xlabel)
    ax.set_title(f"Coverage by process, ISO/IEC {items[0].clause.edition}")
    ax.set_xlim(0, max(1, *(d + i for d, i in zip(direct, inherited, strict=True))) + 0.5)
    ticker = _extra("matplotlib.ticker", "plot_process_coverage")
    ax.xaxis.set_major_locator(ticker.MaxNLocator(integer=True))
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return _figure_of(ax, "plot_process_coverage")


def _process_items(value: object) -> list[ProcessCoverage]:
    """``value`` as a non-empty list of `ProcessCoverage`; anything else refused."""
    subject = "plot_process_coverage"
    expected = "a sequence of ProcessCoverage"
    if not isinstance(value, Iterable) or isinstance(value, str | bytes | Mapping):
        raise ValidationError.single("$.value", expected, describe(value), subject=subject)
    items = list(value)
    if not items:
        raise ValidationError.single(
            "$.value", expected + " (at least one)", "none", subject=subject
        )
    problems = [
        Problem(f"$.value[{index}]", "a ProcessCoverage", describe(item))
        for index, item in enumerate(items)
        if not isinstance(item, ProcessCoverage)
    ]
    if problems:
        raise ValidationError(problems, subject=subject)
    return items
