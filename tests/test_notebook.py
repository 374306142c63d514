"""examples/conformity.ipynb, executed from top to bottom as a reader runs it (issue 20, S12).

The notebook is committed without outputs; this test executes a copy with nbclient in
a fresh kernel of this interpreter (a kernel spec written for the test, so no other
Python on the machine is picked up), in examples/ as a reader opens it, and checks
that every cell ran, nothing was written to standard error, and each of its five
figures is a non-empty PNG. Skipped, with the reason, when the extra ``analysis`` or
the notebook runner (test extra: nbclient, nbformat, ipykernel) is missing.
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "examples" / "conformity.ipynb"
PNG = b"\x89PNG\r\n\x1a\n"
FIGURES = 5
"""The heatmap, coverage by process (reference and assessment), freshness, improvements."""


def test_committed_without_outputs() -> None:
    """The file holds code, no outputs and no execution counts (the test makes them)."""
    document = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    code = [c for c in document["cells"] if c["cell_type"] == "code"]
    assert code
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in code)


@pytest.fixture
def kernel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A kernel spec named for this test that starts this interpreter's ipykernel."""
    pytest.importorskip("ipykernel", reason="the notebook runner needs ipykernel (test extra)")
    name = "cloudsms-notebook-test"
    spec = tmp_path / "kernels" / name
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    document = {"argv": argv, "display_name": name, "language": "python"}
    (spec / "kernel.json").write_text(json.dumps(document), encoding="utf-8")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")  # no deprecation notice from jupyter_core
    return name


def executed(kernel: str) -> Any:
    """The notebook executed in ``kernel``, run in examples/ as a reader opens it."""
    for module in ("pandas", "matplotlib"):
        pytest.importorskip(module, reason=f"the notebook needs {module} (extra 'analysis')")
    nbformat = pytest.importorskip("nbformat", reason="the runner needs nbformat (test extra)")
    nbclient = pytest.importorskip("nbclient", reason="the runner needs nbclient (test extra)")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        notebook,
        timeout=300,
        kernel_name=kernel,
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    client.execute()
    return notebook


def test_runs_and_draws_its_figures(kernel: str) -> None:
    """Every code cell runs; nothing goes to standard error; five non-empty PNG figures."""
    notebook = executed(kernel)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1))
    outputs = [o for c in code for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert [o.text for o in outputs if o.get("name") == "stderr"] == []
    images = [
        base64.b64decode(o.data["image/png"]) for o in outputs if "image/png" in o.get("data", {})
    ]
    assert len(images) == FIGURES
    for image in images:
        assert image.startswith(PNG)
        assert len(image) > 10_000
    printed = "".join(o.text for o in outputs if o.get("name") == "stdout")
    assert "Conformity assessment of register acme-sms-2026" in printed
    assert "links that do not hold: []" in printed
    assert "Unknown (citations not known, never counted as covered): S14 S15" in printed


def test_the_tutorial_pictures_regenerate(tmp_path: Path) -> None:
    """tasks/figures.py runs docs/analysis.md's samples and writes its five pictures.

    Run into a temporary folder in a fresh interpreter (the samples run from the
    project root, as the page says); the pictures it writes are the ones the page
    shows and docs/images holds.
    """
    for module in ("pandas", "matplotlib"):
        pytest.importorskip(module, reason=f"the pictures need {module} (extra 'analysis')")
    done = subprocess.run(
        [sys.executable, str(ROOT / "tasks" / "figures.py"), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert (done.returncode, done.stderr) == (0, "")
    written = sorted(p.name for p in tmp_path.iterdir())
    page = (ROOT / "docs" / "analysis.md").read_text(encoding="utf-8")
    shown = sorted(re.findall(r"\]\(images/([a-z-]+\.png)\)", page))
    committed = sorted(p.name for p in (ROOT / "docs" / "images").glob("*.png"))
    assert written == shown == committed
    assert len(written) == FIGURES
    for name in written:
        data = (tmp_path / name).read_bytes()
        assert data.startswith(PNG)
        assert len(data) > 10_000
