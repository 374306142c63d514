"""Regenerate the pictures of ``docs/analysis.md`` (``docs/images/*.png``) from its own samples.

The analyst's tutorial (issue 20, S12) shows Python samples that build figures from
the example registers in ``examples/conformity/``. This script runs those samples in
order, in one namespace, from the project root (where their relative paths point),
and saves each figure they bind to a name in `FIGURES`, so the pictures on the page
are what its code draws. It needs the extra ``analysis`` (pandas and matplotlib).

Usage (from the project root)::

    python tasks/figures.py [--out DIR]

``--out`` writes the pictures elsewhere (default: ``docs/images``); the tests use it to
check that the samples run and every picture is drawn.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "analysis.md"
OUT = ROOT / "docs" / "images"

FIGURES = {
    "heatmap": "coverage-matrix.png",
    "processes": "process-coverage.png",
    "by_process": "assessment-processes.png",
    "freshness": "evidence-freshness.png",
    "priorities": "improvements.png",
}
"""The names the samples bind figures to, and the file each is saved as."""

DPI = 80
"""Dots per inch of the saved pictures: sharp enough on the page, small in the repository."""

_SAMPLE = re.compile(r"^```python\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def samples(page: Path = PAGE) -> list[str]:
    """The Python samples of ``page`` (its ```python blocks), in order."""
    return _SAMPLE.findall(page.read_text(encoding="utf-8"))


def draw(page: Path = PAGE) -> dict[str, object]:
    """Run ``page``'s samples from the project root; the figures bound to `FIGURES`' names."""
    namespace: dict[str, object] = {"__name__": "analysis_samples"}
    with contextlib.chdir(ROOT):
        for number, code in enumerate(samples(page), start=1):
            exec(compile(code, f"{page.name} sample {number}", "exec"), namespace)  # noqa: S102
    missing = [name for name in FIGURES if name not in namespace]
    if missing:
        message = f"{page.name} binds no figure to {', '.join(missing)}"
        raise SystemExit(message)
    return {name: namespace[name] for name in FIGURES}


def main(argv: list[str] | None = None) -> int:
    """Draw the figures and save them into ``--out``; print each file written."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="where to write the PNG files")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, figure in draw().items():
        target = args.out / FIGURES[name]
        # No "Software" entry: the bytes do not change with matplotlib's version string.
        figure.savefig(target, dpi=DPI, metadata={"Software": None})  # type: ignore[attr-defined]
        print(target.relative_to(ROOT) if target.is_relative_to(ROOT) else target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
