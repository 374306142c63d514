"""cloudsms.reports.plots: the figures of a conformity review (issue 20, S12).

Each figure is checked by what it draws (the heatmap's array is the matrix's kinds,
the bars are the counts) and by saving it as PNG bytes; none touches pyplot or
matplotlib's global settings. Skipped without matplotlib (the extra ``analysis``).
"""

from __future__ import annotations

import io
import subprocess
import sys
from typing import Any

import pytest
from tests.conftest import overlay

from cloudsms import reference
from cloudsms.errors import ValidationError
from cloudsms.reports import plots
from cloudsms.reports.plots import COVERAGE_ORDER, plot_coverage_matrix, plot_process_coverage

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

    @pytest.mark.parametrize("value", [[], "6.1", [reference.clause("6.1")], None])
    def test_refuses_other_values(self, value: object) -> None:
        """Anything but a non-empty sequence of ProcessCoverage is named by path."""
        with pytest.raises(ValidationError) as info:
            plot_process_coverage(value)
        assert info.value.problems[0].path in {"$.value", "$.value[0]"}


def test_missing_matplotlib(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without matplotlib: an ImportError naming the extra."""
    for name in ("matplotlib", "matplotlib.figure", "matplotlib.colors", "matplotlib.patches"):
        monkeypatch.setitem(sys.modules, name, None)
    for draw, value in (
        (plot_coverage_matrix, reference.coverage_matrix()),
        (plot_process_coverage, reference.process_coverage()),
    ):
        with pytest.raises(ImportError) as info:
            draw(value)
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
