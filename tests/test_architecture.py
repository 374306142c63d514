"""The import contract of pyproject.toml holds, bites, and matches docs/architecture.md.

`lint-imports` (import-linter) reads the contract from pyproject.toml: five layers
(edges, procedures, model, kit, foundations) and the forbidden imports beside them. These
tests run it on this checkout's source, run it again on a copy with deliberate violations
to prove each contract fails when broken, and check that the lists the contract and the
architecture page keep by hand name every module of the package.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"
SOURCE = ROOT / "src"
PACKAGE = SOURCE / "cloudsms"
ARCHITECTURE = ROOT / "docs" / "architecture.md"

# The line the console script runs, so the test does not depend on where scripts live.
LINT_IMPORTS = "from importlinter.cli import lint_imports_command; lint_imports_command()"


def lint_imports(source: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run lint-imports with this repository's contract on the package under `source`."""
    environment = {
        **os.environ,
        "PYTHONPATH": str(source),
        "NO_COLOR": "1",
        "COLUMNS": "200",  # no wrapped lines in the report
    }
    return subprocess.run(
        [sys.executable, "-c", LINT_IMPORTS, "--no-logo", "--no-cache", str(PYPROJECT)],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def contracts() -> dict[str, dict[str, Any]]:
    """The contracts of pyproject.toml by id."""
    with PYPROJECT.open("rb") as file:
        settings = tomllib.load(file)["tool"]["importlinter"]
    return {contract["id"]: contract for contract in settings["contracts"]}


def layer_names(layer: str) -> list[str]:
    """The module names of one layer of the layers contract, without the parentheses."""
    return [name.strip().strip("()") for name in re.split(r"[:|]", layer)]


def children() -> set[str]:
    """The modules and subpackages directly inside src/cloudsms."""
    names = {path.stem for path in PACKAGE.glob("*.py") if path.name != "__init__.py"}
    names |= {path.parent.name for path in PACKAGE.glob("*/__init__.py")}
    return names


def test_the_contract_holds_on_this_checkout(tmp_path: Path) -> None:
    """Every contract is kept by the source of this checkout."""
    result = lint_imports(SOURCE, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Contracts: {len(contracts())} kept, 0 broken." in result.stdout


# Each deliberate violation: the file of the copy it goes into (appended inside a
# function: an import that runs late counts like any other) and what it imports.
VIOLATIONS = {
    "levels.py": "import cloudsms.reports",  # the model imports an edge
    "money.py": "import hypothesis",  # a runtime module imports hypothesis
    "reference/__init__.py": "import pint",  # reference imports pint
    "_kit/__init__.py": "import cloudsms.services",  # the kit imports the model
    "cli.py": "import cloudsms.testing",  # the runtime imports cloudsms.testing
    "__init__.py": "import cattrs",  # the facade imports cattrs
}


def module_name(file: str) -> str:
    """The dotted name of a file of the package: ``_kit/__init__.py`` is ``cloudsms._kit``."""
    parts = ["cloudsms", *file.removesuffix(".py").split("/")]
    return ".".join(part for part in parts if part != "__init__")


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, int]]:
    """The report of lint-imports on a copy of the package with every violation above.

    Returns the report and, for each violating file, the line of its bad import.
    """
    scratch = tmp_path_factory.mktemp("violations")
    copy = scratch / "src" / "cloudsms"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    lines = {}
    for relative, statement in VIOLATIONS.items():
        path = copy / relative
        text = path.read_text(encoding="utf-8")
        addition = f"\n\ndef _deliberate_violation():\n    {statement}\n"
        path.write_text(text + addition, encoding="utf-8")
        lines[relative] = len((text + addition).splitlines())
    # A new module that chose no layer.
    (copy / "stray.py").write_text('"""In no layer."""\n', encoding="utf-8")
    result = lint_imports(scratch / "src", scratch)
    assert result.returncode == 1, result.stdout + result.stderr
    return result.stdout, lines


@pytest.mark.parametrize(
    ("file", "message"),
    [
        ("levels.py", "cloudsms.levels is not allowed to import cloudsms.reports"),
        ("_kit/__init__.py", "cloudsms._kit is not allowed to import cloudsms.services"),
        ("reference/__init__.py", "cloudsms.reference is not allowed to import pint"),
        ("money.py", "cloudsms.money is not allowed to import hypothesis"),
        ("cli.py", "cloudsms.cli is not allowed to import cloudsms.testing"),
        ("__init__.py", "cloudsms is not allowed to import cattrs"),
    ],
)
def test_a_violation_is_reported_with_its_line(
    broken: tuple[str, dict[str, int]], file: str, message: str
) -> None:
    """Each deliberate import is reported, naming the importer, the imported and the line."""
    report, lines = broken
    assert message in report
    imported = VIOLATIONS[file].removeprefix("import ")
    assert f"{module_name(file)} -> {imported} (l.{lines[file]})" in report


def test_every_contract_breaks_on_the_violations(broken: tuple[str, dict[str, int]]) -> None:
    """No contract is left kept by the violations: each of them guards something."""
    report, _ = broken
    for contract in contracts().values():
        assert f"{contract['name']} BROKEN" in report
    assert f"Contracts: 0 kept, {len(contracts())} broken." in report


def test_a_module_outside_the_layers_is_reported(broken: tuple[str, dict[str, int]]) -> None:
    """The layers contract is exhaustive: a new module must be given its layer."""
    report, _ = broken
    assert "The following modules are not listed as layers:" in report
    assert "- cloudsms.stray" in report


def test_the_layers_name_every_module_of_the_package() -> None:
    """Every child of cloudsms is in a layer, and every required layer exists."""
    declared = {name for layer in contracts()["layers"]["layers"] for name in layer_names(layer)}
    required = {
        name.strip()
        for layer in contracts()["layers"]["layers"]
        for name in re.split(r"[:|]", layer)
        if not name.strip().startswith("(")
    }
    assert children() <= declared
    assert required <= children()


def test_the_model_contract_names_every_model_module() -> None:
    """The model's forbidden contract lists exactly the model layer's modules that exist.

    A module a later issue adds (agreements, operations, ...) is optional in the layers
    contract; when it lands it must also join the model's forbidden contract.
    """
    model_layer = next(
        layer for layer in contracts()["layers"]["layers"] if "catalogue" in layer_names(layer)
    )
    existing = {f"cloudsms.{name}" for name in layer_names(model_layer) if name in children()}
    assert set(contracts()["model-below-procedures"]["source_modules"]) == existing


def test_the_architecture_page_names_every_module_of_the_package() -> None:
    """docs/architecture.md's diagram shows every module of the package in its layer."""
    page = ARCHITECTURE.read_text(encoding="utf-8")
    diagram = page.split("```text", 1)[1].split("```", 1)[0]
    for layer in contracts()["layers"]["layers"]:
        for name in layer_names(layer):
            assert re.search(rf"(?<![\w.]){re.escape(name)}\b", diagram), name
