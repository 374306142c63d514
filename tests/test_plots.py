"""cloudsms.reports.plots: the figures of a conformity review (issue 20, S12).

Each figure is checked by what it draws (the heatmap's array is the matrix's kinds,
the bars are the counts) and by saving it as PNG bytes; none touches pyplot or
matplotlib's global settings. Skipped without matplotlib (the extra ``analysis``).
"""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
from typing import Any

import pytest
from tests.conftest import overlay

from cloudsms import reference
from cloudsms.conformity import assess
from cloudsms.errors import ValidationError
from cloudsms.improvement import ImprovementRegister, default_policy
from cloudsms.reports import plots
from cloudsms.reports.plots import (
    COVERAGE_ORDER,
    EVIDENCE_COLOURS,
    STATUS_COLOURS,
    plot_coverage_matrix,
    plot_evidence_freshness,
    plot_improvements,
    plot_process_coverage,
)
from test_frames import AS_OF, assessment, evidence_register, improvement_register

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def _matplotlib() -> None:
    pytest.importorskip("matplotlib")


def png(figure: Any) -> bytes:
    """The figure saved as PNG, checked to be a PNG of some size."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=50)
    data = buffer.getvalue()
    assert data.startswith(PNG)
    assert len(data) > 2000
    return data


class TestCoverageHeatmap:
    """plot_coverage_matrix draws the matrix's kinds, one cell per clause and scenario."""

    def test_the_array_is_the_kinds(self) -> None:
        """The image's array holds each cell's index in COVERAGE_ORDER, row by clause."""
        m = reference.coverage_matrix()
        figure = plot_coverage_matrix(m)
        (ax,) = figure.axes
        (image,) = ax.images
        drawn = image.get_array().tolist()
        assert drawn == [
            [COVERAGE_ORDER.index(c.kind) for c in m.row(clause.number)] for clause in m.clauses
        ]
        assert [t.get_text() for t in ax.get_xticklabels()] == [s.id for s in m.scenarios]
        assert [t.get_text() for t in ax.get_yticklabels()] == [c.number for c in m.clauses]
        png(figure)

    def test_legend_names_the_four_kinds(self) -> None:
        """The legend has direct, inherited, none and unknown, coloured as the cells."""
        figure = plot_coverage_matrix(reference.coverage_matrix())
        legend = figure.axes[0].get_legend()
        assert [t.get_text() for t in legend.get_texts()] == [k.value for k in COVERAGE_ORDER]
        colors = pytest.importorskip("matplotlib.colors")
        assert [colors.to_hex(h.get_facecolor()) for h in legend.legend_handles] == [
            plots.COVERAGE_COLOURS[k] for k in COVERAGE_ORDER
        ]

    def test_into_given_axes(self) -> None:
        """Draws into the axes given and returns their figure."""
        figure_module = pytest.importorskip("matplotlib.figure")
        figure = figure_module.Figure()
        left, right = figure.subplots(1, 2)
        edition = reference.load(
            overlay(
                clauses=[
                    {
                        "edition": "20000-1:2018",
                        "number": "8",
                        "title": "Operation",
                        "parent": None,
                    }
                ],
                citations=[
                    {"scenario_id": "S03", "edition": "20000-1:2018", "clause_number": "8"}
                ],
            )
        ).coverage_matrix(edition="20000-1:2018")
        assert plot_coverage_matrix(edition, ax=right) is figure
        assert not left.images
        assert right.images[0].get_array().tolist()[0][2] == COVERAGE_ORDER.index(
            reference.CoverageKind.DIRECT
        )
        assert "20000-1:2018" in right.get_title()

    def test_into_a_subfigure(self) -> None:
        """Drawn into the axes of a subfigure, it returns the figure holding it."""
        figure_module = pytest.importorskip("matplotlib.figure")
        figure = figure_module.Figure()
        (sub,) = figure.subfigures(1, 1, squeeze=False)[0]
        ax = sub.add_subplot()
        assert plot_coverage_matrix(reference.coverage_matrix(), ax=ax) is figure

    def test_refuses_other_values(self) -> None:
        """Only a CoverageMatrix: anything else is named at $.matrix."""
        with pytest.raises(ValidationError) as info:
            plot_coverage_matrix(reference.matrix())  # type: ignore[arg-type]
        assert [p.path for p in info.value.problems] == ["$.matrix"]


class TestProcessCoverage:
    """plot_process_coverage: scenarios per process, direct then inherited."""

    def test_bars_are_the_counts(self) -> None:
        """Each process has a direct bar and an inherited bar stacked after it."""
        refs = reference.load(
            overlay(citations=[{"scenario_id": "S01", "clause_number": "6", "position": 3}])
        )
        processes = refs.process_coverage()
        figure = plot_process_coverage(processes)
        ax = figure.axes[0]
        direct, inherited = ax.containers
        assert [b.get_width() for b in direct] == [len(p.direct) for p in processes]
        assert [b.get_width() for b in inherited] == [
            len(p.scenario_ids) - len(p.direct) for p in processes
        ]
        assert [b.get_x() for b in inherited] == [len(p.direct) for p in processes]
        at = [p.clause.number for p in processes].index("6.1")
        assert inherited[at].get_width() == 1  # S01 through clause 6
        assert "S14, S15" in ax.get_xlabel()
        labels = [t.get_text() for t in ax.get_yticklabels()]
        assert labels[at] == "6.1 Service level management"
        assert labels[0].startswith("5 Design and transition")
        assert labels[0].endswith("…")
        png(figure)

    def test_no_unknown_scenario(self) -> None:
        """With citations for S14 and S15 from an overlay, the label names no unknown ones."""
        cited = [{"scenario_id": sid, "clause_number": "9.2"} for sid in ("S14", "S15")]
        refs = reference.load(overlay(citations=cited))
        ax = plot_process_coverage(refs.process_coverage()).axes[0]
        assert ax.get_xlabel() == "scenarios covering the process"

    @pytest.mark.parametrize("value", [[], "6.1", [reference.clause("6.1")], None])
    def test_refuses_other_values(self, value: object) -> None:
        """Anything but a non-empty sequence of ProcessCoverage is named by path."""
        with pytest.raises(ValidationError) as info:
            plot_process_coverage(value)
        assert info.value.problems[0].path in {"$.value", "$.value[0]"}


class TestAssessedProcesses:
    """plot_process_coverage of an Assessment: covered, stale and missing clauses per process."""

    def test_bars_are_the_clause_counts(self) -> None:
        """S07 reaches 6.1 (stale), 7.1 and 9.2 (missing): one bar each, split by status."""
        a = assessment()
        figure = plot_process_coverage(a)
        ax = figure.axes[0]
        covered, stale, missing = ax.containers
        in_scope = [p for p in a.processes if p.total]
        assert [p.clause_number for p in in_scope] == ["6.1", "7.1", "9.2"]
        assert [b.get_width() for b in covered] == [p.covered for p in in_scope] == [0, 0, 0]
        assert [b.get_width() for b in stale] == [1, 0, 0]
        assert [b.get_width() for b in missing] == [0, 1, 1]
        assert [t.get_text() for t in ax.get_legend().get_texts()] == [
            k.value for k in STATUS_COLOURS
        ]
        png(figure)

    def test_nothing_in_scope(self) -> None:
        """An assessment of S14 alone reaches no process: refused, not drawn empty."""
        only_unknown = assess(evidence_register(), ["S14"], as_of=AS_OF)
        with pytest.raises(ValidationError) as info:
            plot_process_coverage(only_unknown)
        assert [p.path for p in info.value.problems] == ["$.value"]


class TestEvidenceFreshness:
    """plot_evidence_freshness: a bar per evidence from collection to expiry."""

    def test_bars_and_states(self) -> None:
        """Bars start at collection and end at the end of the valid_until day, in Auckland."""
        dates = pytest.importorskip("matplotlib.dates")
        colors = pytest.importorskip("matplotlib.colors")
        register = evidence_register()
        figure = plot_evidence_freshness(register, as_of=AS_OF)
        ax = figure.axes[0]
        (bars,) = ax.containers
        assert len(bars) == 4
        # EV-POL: collected 2026-01-11 01:00 in Auckland (12:00 UTC), expires 2027-01-01 00:00.
        pol = bars[0]
        assert pol.get_x() == pytest.approx(dates.date2num(dt.datetime(2026, 1, 11, 1)))
        assert pol.get_x() + pol.get_width() == pytest.approx(
            dates.date2num(dt.datetime(2027, 1, 1))
        )
        assert [colors.to_hex(b.get_facecolor()) for b in bars] == [
            EVIDENCE_COLOURS[s] for s in ("valid", "expired", "not_collected", "valid")
        ]
        assert [b.get_hatch() for b in bars] == [None, None, "//", "//"]
        (line,) = ax.get_lines()
        assert line.get_xdata()[0] == pytest.approx(dates.date2num(dt.datetime(2026, 9, 1)))
        assert [t.get_text() for t in ax.get_yticklabels()][:2] == ["EV-POL (4)", "EV-SLM (6.1)"]
        png(figure)

    def test_chosen_ids(self) -> None:
        """``ids`` draws those evidence only, in that order; an unknown id is named."""
        figure = plot_evidence_freshness(
            evidence_register(), as_of=AS_OF, ids=["EV-CAP", "EV-POL"]
        )
        labels = [t.get_text() for t in figure.axes[0].get_yticklabels()]
        assert labels == ["EV-CAP (6.5)", "EV-POL (4)"]
        with pytest.raises(ValidationError) as info:
            plot_evidence_freshness(evidence_register(), as_of=AS_OF, ids=["EV-POL", "EV-9"])
        assert [p.path for p in info.value.problems] == ["$.ids[1]"]
        with pytest.raises(ValidationError):
            plot_evidence_freshness(evidence_register(), as_of=AS_OF, ids=[])
        with pytest.raises(ValidationError) as info:
            plot_evidence_freshness(evidence_register(), as_of=AS_OF, ids="EV-POL")
        assert [p.path for p in info.value.problems] == ["$.ids"]

    @pytest.mark.parametrize(
        ("register", "as_of", "path"),
        [
            ("reg", AS_OF, "$.register"),
            (None, "2026-09-01", "$.as_of"),
            (None, dt.datetime(2026, 9, 1), "$.as_of"),  # naive
        ],
    )
    def test_refusals(self, register: object, as_of: object, path: str) -> None:
        """A register that is not one, or an as_of that is neither a date nor aware."""
        given = register or evidence_register()
        with pytest.raises(ValidationError) as info:
            plot_evidence_freshness(given, as_of=as_of)  # type: ignore[arg-type]
        assert [p.path for p in info.value.problems] == [path]


class TestImprovements:
    """plot_improvements: ranked scores stacked by criterion."""

    def test_segments_are_the_contributions(self) -> None:
        """imp-a (4.5) above imp-b (2.33...); each segment the criterion's share."""
        register = improvement_register()
        figure = plot_improvements(register)
        ax = figure.axes[0]
        assert len(ax.containers) == 3
        ranked = register.ranked()
        for index, container in enumerate(ax.containers):
            assert [b.get_width() for b in container] == pytest.approx(
                [float(r.contributions[index].share) for r in ranked]
            )
        ends = [sum(c[i].get_width() for c in ax.containers) for i in range(len(ranked))]
        assert ends == pytest.approx([4.5, 14 / 6])
        assert [t.get_text() for t in ax.texts] == ["4.50", "2.33"]
        assert [t.get_text() for t in ax.get_yticklabels()] == [
            "1. imp-a Improvement imp-a",
            "2. imp-b Improvement imp-b",
        ]
        assert [t.get_text() for t in ax.get_legend().get_texts()] == [
            "objectives (weight 3)",
            "capability (weight 2)",
            "requirements (weight 1)",
        ]
        png(figure)

    def test_closed_ones_when_asked(self) -> None:
        """``include_closed`` ranks the withdrawn imp-c too, marked closed."""
        figure = plot_improvements(improvement_register(), include_closed=True)
        labels = [t.get_text() for t in figure.axes[0].get_yticklabels()]
        assert labels[0] == "1. imp-c Improvement imp-c (closed)"

    def test_refusals(self) -> None:
        """Not a register, or nothing ranked."""
        with pytest.raises(ValidationError) as info:
            plot_improvements("register")  # type: ignore[arg-type]
        assert [p.path for p in info.value.problems] == ["$.register"]
        empty = ImprovementRegister(id="none", policy=default_policy(), improvements=())
        with pytest.raises(ValidationError) as info:
            plot_improvements(empty)
        assert [p.path for p in info.value.problems] == ["$.register"]


DRAWINGS = {
    "Coverage heatmap": lambda **kw: plot_coverage_matrix(reference.coverage_matrix(), **kw),
    "Process coverage chart": lambda **kw: plot_process_coverage(
        reference.process_coverage(), **kw
    ),
    "Process coverage chart (assessment)": lambda **kw: plot_process_coverage(assessment(), **kw),
    "Evidence freshness chart": lambda **kw: plot_evidence_freshness(
        evidence_register(), as_of=AS_OF, **kw
    ),
    "Improvement chart": lambda **kw: plot_improvements(improvement_register(), **kw),
}
"""Each plot by the subject of its refusals, drawn from the test data."""


class TestAxesAndSubjects:
    """Every plot checks ``ax`` and refuses under its own subject."""

    @pytest.mark.parametrize("ax", ["nope", 3, object()])
    @pytest.mark.parametrize("name", sorted(DRAWINGS))
    def test_ax_is_axes_or_none(self, name: str, ax: object) -> None:
        """Anything but a matplotlib Axes is refused at $.ax (no AttributeError)."""
        with pytest.raises(ValidationError) as info:
            DRAWINGS[name](ax=ax)
        assert [p.path for p in info.value.problems] == ["$.ax"]
        assert info.value.subject == name.partition(" (")[0]

    @pytest.mark.parametrize("name", sorted(DRAWINGS))
    def test_a_figure_not_an_axes(self, name: str) -> None:
        """A Figure given as ``ax`` is refused too: it is not an Axes."""
        from matplotlib.figure import Figure  # noqa: PLC0415 - the extra

        with pytest.raises(ValidationError) as info:
            DRAWINGS[name](ax=Figure())
        assert [p.path for p in info.value.problems] == ["$.ax"]

    def test_subjects(self) -> None:
        """A refusal reads as the plot's, never as a function name or an assessment."""
        cases = [
            (lambda: plot_coverage_matrix("m"), "Coverage heatmap is invalid"),  # type: ignore[arg-type]
            (lambda: plot_process_coverage([]), "Process coverage chart is invalid"),
            (
                lambda: plot_evidence_freshness(evidence_register(), as_of="x"),  # type: ignore[arg-type]
                "Evidence freshness chart is invalid",
            ),
            (lambda: plot_improvements("r"), "Improvement chart is invalid"),  # type: ignore[arg-type]
        ]
        for call, start in cases:
            with pytest.raises(ValidationError) as info:
                call()
            assert str(info.value).startswith(start), str(info.value)

    @pytest.mark.parametrize("as_of", ["x", dt.datetime(2026, 9, 1), 20260901])
    def test_as_of_is_the_charts(self, as_of: object) -> None:
        """A bad ``as_of`` is named at $.as_of under the chart's subject."""
        with pytest.raises(ValidationError) as info:
            plot_evidence_freshness(evidence_register(), as_of=as_of)  # type: ignore[arg-type]
        assert [p.path for p in info.value.problems] == ["$.as_of"]
        assert info.value.subject == "Evidence freshness chart"

    @pytest.mark.parametrize("value", ["yes", 1, None])
    def test_include_closed_is_a_bool(self, value: object) -> None:
        """``include_closed="yes"`` is refused, not read as true."""
        with pytest.raises(ValidationError) as info:
            plot_improvements(improvement_register(), include_closed=value)  # type: ignore[arg-type]
        assert [p.path for p in info.value.problems] == ["$.include_closed"]
        assert info.value.subject == "Improvement chart"


def test_missing_matplotlib(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without matplotlib: an ImportError naming the extra."""
    names = ("figure", "colors", "patches", "dates", "ticker")
    for name in ("matplotlib", *(f"matplotlib.{n}" for n in names)):
        monkeypatch.setitem(sys.modules, name, None)
    for draw, call in (
        (plot_coverage_matrix, lambda: plot_coverage_matrix(reference.coverage_matrix())),
        (plot_process_coverage, lambda: plot_process_coverage(reference.process_coverage())),
        (
            plot_evidence_freshness,
            lambda: plot_evidence_freshness(evidence_register(), as_of=AS_OF),
        ),
        (plot_improvements, lambda: plot_improvements(improvement_register())),
    ):
        with pytest.raises(ImportError) as info:
            call()
        assert str(info.value) == (
            f"{draw.__name__} needs matplotlib, which is not installed: "
            "pip install 'cloudsms[analysis]'"
        )


def test_no_pyplot_and_no_global_state() -> None:
    """In a fresh interpreter: no pyplot imported, rcParams unchanged, PNGs written."""
    code = """
import io, sys
import matplotlib
before = matplotlib.rcParams.copy()
from cloudsms import reference
from cloudsms.reports.plots import plot_coverage_matrix, plot_process_coverage
for figure in (plot_coverage_matrix(reference.coverage_matrix()),
               plot_process_coverage(reference.process_coverage())):
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=30)
    assert buffer.getvalue().startswith(b"\\x89PNG")
assert "matplotlib.pyplot" not in sys.modules
assert matplotlib.rcParams.copy() == before
print("ok")
"""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
