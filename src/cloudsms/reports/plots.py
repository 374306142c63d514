"""Plots of a conformity review, as matplotlib figures (issue 20; S12, every scenario's coverage).

An edge of the package for analysts and auditors: the clause-by-scenario coverage
heatmap (`plot_coverage_matrix`), the coverage of each process by the scenarios or
by a register's evidence (`plot_process_coverage`), how long each piece of evidence
holds (`plot_evidence_freshness`) and the improvements by priority
(`plot_improvements`). Each draws into the ``ax`` given, or into a new
`matplotlib.figure.Figure` made without pyplot (no global state, no window, any
backend), and returns the figure: a notebook shows it inline, a script saves it
(``figure.savefig("coverage.png")``). matplotlib comes from the optional extra
``analysis``, imported only when a plot is asked for; without it an ImportError says
``pip install 'cloudsms[analysis]'``.

Each refuses what it cannot draw with a `ValidationError` under its own subject
(``Coverage heatmap``, ``Process coverage chart``, ``Evidence freshness chart``,
``Improvement chart``), naming the argument's path: ``$.ax`` for anything but a
matplotlib ``Axes`` (or None), ``$.as_of`` for a day or instant that cannot be read,
``$.include_closed`` for anything but a bool.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from cloudsms._foundation.exact import plain
from cloudsms.conformity import Assessment, ClauseStatus, EvidenceRegister
from cloudsms.errors import Problem, ValidationError, describe
from cloudsms.improvement import ImprovementRegister
from cloudsms.reference import CoverageKind, CoverageMatrix, ProcessCoverage
from cloudsms.reports.frames import evidence_state, read_as_of
from cloudsms.reports.monitoring import _extra

if TYPE_CHECKING:
    import datetime as dt

    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "COVERAGE_COLOURS",
    "COVERAGE_ORDER",
    "EVIDENCE_COLOURS",
    "STATUS_COLOURS",
    "plot_coverage_matrix",
    "plot_evidence_freshness",
    "plot_improvements",
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

STATUS_COLOURS = {
    ClauseStatus.COVERED: "#1b7837",
    ClauseStatus.STALE: "#f1a340",
    ClauseStatus.MISSING: "#b2182b",
}
"""The colour of each clause status in `plot_process_coverage` of an assessment."""

EVIDENCE_COLOURS = {
    "valid": "#1b7837",
    "expired": "#f1a340",
    "not_collected": "#bdbdbd",
}
"""The colour of each state of evidence in `plot_evidence_freshness`."""

_TITLE_WIDTH = 36

_HEATMAP = "Coverage heatmap"
_PROCESSES = "Process coverage chart"
_FRESHNESS = "Evidence freshness chart"
_IMPROVEMENTS = "Improvement chart"


def _check_axes(ax: object, wanted_by: str, subject: str) -> None:
    """Refuse ``ax`` at ``$.ax`` unless it is None or a matplotlib ``Axes``."""
    if ax is None:
        return
    axes = _extra("matplotlib.axes", wanted_by)
    if not isinstance(ax, axes.Axes):
        raise ValidationError.single(
            "$.ax", "a matplotlib Axes or None", describe(ax), subject=subject
        )


def _new_axes(ax: Axes | None, size: tuple[float, float], wanted_by: str) -> Axes:
    """``ax`` (checked by `_check_axes` first), or the axes of a new Figure made without pyplot."""
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
        ValidationError: ``matrix`` is not a `CoverageMatrix` (``$.matrix``), or ``ax``
            is not a matplotlib Axes (``$.ax``).
    """
    if not isinstance(matrix, CoverageMatrix):
        raise ValidationError.single(
            "$.matrix", "a CoverageMatrix", describe(matrix), subject=_HEATMAP
        )
    _check_axes(ax, "plot_coverage_matrix", _HEATMAP)
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

    Given an `Assessment` (`cloudsms.conformity.assess`), each process in scope has
    a bar of the distinct clauses of its subtree that the scenarios in scope reach,
    split into ``covered``, ``stale`` and ``missing`` (`STATUS_COLOURS`); processes
    no scenario in scope reaches are left out.

    Raises:
        ImportError: matplotlib is not installed (``pip install 'cloudsms[analysis]'``).
        ValidationError: ``value`` is neither an `Assessment` with a process in scope
            nor a non-empty sequence of `ProcessCoverage` (``$.value``, ``$.value[1]``),
            or ``ax`` is not a matplotlib Axes (``$.ax``).
    """
    if isinstance(value, Assessment):
        return _assessed_processes(value, ax)
    items = _process_items(value)
    _check_axes(ax, "plot_process_coverage", _PROCESSES)
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
    subject = _PROCESSES
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


def _assessed_processes(assessment: Assessment, ax: Axes | None) -> Figure:
    """Covered, stale and missing clauses per process in scope, stacked."""
    status = {row.clause_number: row.status for row in assessment.clauses}
    processes = [p for p in assessment.processes if p.total]
    if not processes:
        raise ValidationError.single(
            "$.value",
            "an Assessment with a process in scope",
            "an assessment whose scope reaches no process",
            subject=_PROCESSES,
        )
    _check_axes(ax, "plot_process_coverage", _PROCESSES)
    counts = {kind: [0] * len(processes) for kind in STATUS_COLOURS}
    for index, p in enumerate(processes):
        for number, found in status.items():
            if number == p.clause_number or number.startswith(p.clause_number + "."):
                counts[found][index] += 1
    ax = _new_axes(ax, (7.5, max(3.0, 0.35 * len(processes) + 1.2)), "plot_process_coverage")
    positions = list(range(len(processes)))
    left = [0] * len(processes)
    for kind, colour in STATUS_COLOURS.items():
        ax.barh(positions, counts[kind], left=list(left), color=colour, label=kind.value)
        left = [a + b for a, b in zip(left, counts[kind], strict=True)]
    ax.set_yticks(positions, labels=[_short(f"{p.clause_number} {p.title}") for p in processes])
    ax.invert_yaxis()
    ticker = _extra("matplotlib.ticker", "plot_process_coverage")
    ax.xaxis.set_major_locator(ticker.MaxNLocator(integer=True))
    ax.set_xlim(0, max(p.total for p in processes) + 0.5)
    ax.set_xlabel("clauses of the process the scope reaches")
    ax.set_title(f"Evidence by process, {assessment.register_id} as of {assessment.as_of.date()}")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return _figure_of(ax, "plot_process_coverage")


def plot_evidence_freshness(
    register: EvidenceRegister,
    *,
    as_of: dt.date | dt.datetime,
    ids: Iterable[str] | None = None,
    ax: Axes | None = None,
) -> Figure:
    """How long each piece of evidence holds: a bar from its collection to its expiry.

    One bar per evidence of the register (or of ``ids``, in the order given), from
    ``collected_at`` to the end of its ``valid_until`` day in the register's zone,
    coloured by its state at ``as_of`` (`EVIDENCE_COLOURS`: ``valid``, ``expired``,
    ``not_collected`` when collected later), hatched and drawn to the right edge
    where it does not expire. A dashed line marks ``as_of`` (a date is read as its
    start in the register's zone, as `cloudsms.conformity.assess` reads it). Times
    are drawn as wall times in the register's zone; each bar is labelled with the
    evidence id and the clauses it supports.

    Raises:
        ImportError: matplotlib is not installed (``pip install 'cloudsms[analysis]'``).
        ValidationError: ``register`` is not an `EvidenceRegister` (``$.register``),
            ``as_of`` is neither a date nor an aware datetime (``$.as_of``), an id is
            not in the register (``$.ids[0]``), there is no evidence to draw, or ``ax``
            is not a matplotlib Axes (``$.ax``).
    """
    subject = "plot_evidence_freshness"
    if not isinstance(register, EvidenceRegister):
        raise ValidationError.single(
            "$.register", "an EvidenceRegister", describe(register), subject=_FRESHNESS
        )
    instant = read_as_of(as_of, register, _FRESHNESS)
    chosen = _chosen_evidence(register, ids)
    _check_axes(ax, subject, _FRESHNESS)
    dates = _extra("matplotlib.dates", subject)
    patches = _extra("matplotlib.patches", subject)
    ax = _new_axes(ax, (8.0, max(2.5, 0.3 * len(chosen) + 1.5)), subject)
    zone = register.zone

    def wall(instant_: dt.datetime) -> float:
        local = instant_.astimezone(zone).replace(tzinfo=None)
        return float(dates.date2num(local))

    expiries = [None if e.valid_until is None else register.day_end(e.valid_until) for e in chosen]
    states = [
        evidence_state(e.collected_at, end, instant)
        for e, end in zip(chosen, expiries, strict=True)
    ]
    starts = [wall(e.collected_at) for e in chosen]
    ends = [None if end is None else wall(end) for end in expiries]
    marked = wall(instant)
    latest = max([marked, *starts, *(end for end in ends if end is not None)])
    earliest = min([marked, *starts])
    edge = latest + max(30.0, (latest - earliest) * 0.08)
    positions = list(range(len(chosen)))
    widths = [
        (edge if end is None else end) - start for start, end in zip(starts, ends, strict=True)
    ]
    bars = ax.barh(
        positions,
        widths,
        left=starts,
        color=[EVIDENCE_COLOURS[state] for state in states],
        edgecolor="#404040",
        linewidth=0.5,
    )
    for bar, end in zip(bars, ends, strict=True):
        if end is None:
            bar.set_hatch("//")
    ax.axvline(marked, linestyle="--", color="black", linewidth=1)
    ax.set_yticks(positions, labels=[_short(f"{e.id} ({' '.join(e.supports)})") for e in chosen])
    ax.invert_yaxis()
    ax.set_xlim(earliest - max(10.0, (latest - earliest) * 0.03), edge)
    locator = dates.AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(dates.ConciseDateFormatter(locator))
    handles = [
        patches.Patch(facecolor=colour, edgecolor="#404040", label=state.replace("_", " "))
        for state, colour in EVIDENCE_COLOURS.items()
    ]
    handles.append(
        patches.Patch(facecolor="white", edgecolor="#404040", hatch="//", label="no expiry")
    )
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    shown = instant.astimezone(zone)
    ax.set_title(f"Evidence of {register.id} as of {shown:%Y-%m-%d %H:%M} ({register.timezone})")
    ax.set_xlabel(f"wall time in {register.timezone}")
    return _figure_of(ax, subject)


def _chosen_evidence(register: EvidenceRegister, ids: Iterable[str] | None) -> list[Any]:
    """The evidence to draw: all, or those of ``ids`` in that order."""
    subject = _FRESHNESS
    if ids is None:
        chosen = list(register.evidence)
    else:
        if isinstance(ids, str) or not isinstance(ids, Iterable):
            raise ValidationError.single(
                "$.ids", "an iterable of evidence ids", describe(ids), subject=subject
            )
        by_id = {e.id: e for e in register.evidence}
        wanted = list(ids)
        problems = [
            Problem(f"$.ids[{index}]", "the id of evidence in the register", describe(ident))
            for index, ident in enumerate(wanted)
            if ident not in by_id
        ]
        if problems:
            raise ValidationError(problems, subject=subject)
        chosen = [by_id[ident] for ident in wanted]
    if not chosen:
        raise ValidationError.single(
            "$.register", "a register with evidence to draw", "no evidence", subject=subject
        )
    return chosen


def plot_improvements(
    register: ImprovementRegister, *, include_closed: bool = False, ax: Axes | None = None
) -> Figure:
    """The ranked improvements, best on top, each bar split by criterion.

    One bar per improvement of `ImprovementRegister.ranked` (closed ones too with
    ``include_closed``), its length the weighted score (0 to 5) and its segments each
    criterion's share of it, in the policy's order (the legend under the axes names
    each criterion by its key and weight), so the bar shows why it ranks where it
    does; the score, rounded once to two places, is written after the bar.

    Raises:
        ImportError: matplotlib is not installed (``pip install 'cloudsms[analysis]'``).
        ValidationError: ``register`` is not an `ImprovementRegister` (``$.register``),
            has no assessed improvement to rank, ``include_closed`` is not a bool
            (``$.include_closed``), or ``ax`` is not a matplotlib Axes (``$.ax``).
    """
    subject = "plot_improvements"
    if not isinstance(register, ImprovementRegister):
        raise ValidationError.single(
            "$.register", "an ImprovementRegister", describe(register), subject=_IMPROVEMENTS
        )
    if not isinstance(include_closed, bool):
        raise ValidationError.single(
            "$.include_closed", "true or false", describe(include_closed), subject=_IMPROVEMENTS
        )
    _check_axes(ax, subject, _IMPROVEMENTS)
    ranked = register.ranked(include_closed=include_closed)
    if not ranked:
        raise ValidationError.single(
            "$.register",
            "a register with an assessed improvement to rank",
            "none ranked",
            subject=_IMPROVEMENTS,
        )
    ax = _new_axes(ax, (8.0, max(2.5, 0.4 * len(ranked) + 1.5)), subject)
    colormap = _extra("matplotlib", subject).colormaps["tab10"]
    positions = list(range(len(ranked)))
    left = [0.0] * len(ranked)
    for index, criterion in enumerate(register.policy.criteria):
        shares = [float(r.contributions[index].share) for r in ranked]
        ax.barh(
            positions,
            shares,
            left=list(left),
            color=colormap(index % 10),
            label=f"{criterion.key} (weight {plain(criterion.weight)})",
        )
        left = [a + b for a, b in zip(left, shares, strict=True)]
    for position, r, end in zip(positions, ranked, left, strict=True):
        ax.annotate(
            f"{r.display_score}",
            (end, position),
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
        )
    labels = [
        _short(f"{r.rank}. {r.id} {r.improvement.title}" + (" (closed)" if r.closed else ""))
        for r in ranked
    ]
    ax.set_yticks(positions, labels=labels)
    ax.invert_yaxis()
    ax.set_xlim(0, 5.6)
    ax.set_xlabel("weighted score (0 to 5), by criterion")
    ax.set_title(f"Improvements of {register.id} by priority")
    ax.legend(loc="upper center", bbox_to_anchor=(0.4, -0.2), ncols=2, frameon=False)
    return _figure_of(ax, subject)
