"""The package facade: lazy names, cheap imports, typed and versioned."""

from __future__ import annotations

import importlib
import importlib.metadata
import subprocess
import sys

import pytest

import cloudsms
from cloudsms import errors, reference

PUBLIC_MODULES = [
    "cloudsms",
    "cloudsms.catalogue",
    "cloudsms.cli",
    "cloudsms.configuration",
    "cloudsms.context",
    "cloudsms.errors",
    "cloudsms.lifecycle",
    "cloudsms.money",
    "cloudsms.parties",
    "cloudsms.periods",
    "cloudsms.planning",
    "cloudsms.reference",
    "cloudsms.requirements",
    "cloudsms.serialization",
    "cloudsms.services",
    "cloudsms.testing",
    "cloudsms.units",
]


def isort_key(name: str) -> tuple[int, str]:
    """Sort as ruff's RUF022 does: CONSTANTS, then Classes, then functions."""
    if name.isupper():
        return (0, name)
    return (1 if name[0].isupper() else 2, name)


def modules_after(statement: str) -> set[str]:
    """The modules a fresh interpreter holds after running ``statement``."""
    code = f"import sys; {statement}; print(' '.join(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return set(result.stdout.split())


class TestImportCost:
    """Importing cloudsms loads little; the reference data waits for the first query."""

    def test_import_cloudsms_loads_no_dependency(self) -> None:
        """Imports neither the reference package nor attrs, cattrs or pint."""
        loaded = modules_after("import cloudsms")
        assert not {"cloudsms.reference", "attrs", "attr", "cattrs", "pint"} & loaded

    def test_import_reference_loads_neither_cattrs_nor_pint(self) -> None:
        """Imports cloudsms.reference without cattrs or pint."""
        loaded = modules_after("import cloudsms.reference")
        assert "cloudsms.reference" in loaded
        assert not {"cattrs", "pint"} & loaded

    def test_first_query_still_without_cattrs_or_pint(self) -> None:
        """Answers a query without importing cattrs or pint."""
        loaded = modules_after("import cloudsms; cloudsms.scenarios_citing('6.1')")
        assert not {"cattrs", "pint"} & loaded

    def test_data_is_read_at_the_first_query(self) -> None:
        """Reads no data file at import."""
        code = (
            "import cloudsms.reference as r; print(r.shipped.cache_info().currsize); "
            "r.clause('6.1'); print(r.shipped.cache_info().currsize)"
        )
        result = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        assert result.stdout.split() == ["0", "1"]


class TestFacade:
    """cloudsms.__all__ is the public API, resolved on first access."""

    @pytest.mark.parametrize("name", PUBLIC_MODULES)
    def test_all_is_sorted(self, name: str) -> None:
        """Keeps each public module's __all__ sorted and resolvable."""
        module = importlib.import_module(name)
        assert module.__all__ == sorted(module.__all__, key=isort_key)
        for attribute in module.__all__:
            assert getattr(module, attribute) is not None

    def test_lazy_names_are_the_real_objects(self) -> None:
        """Resolves each name to the object in its home module."""
        assert cloudsms.ReferenceSet is reference.ReferenceSet
        assert cloudsms.ValidationError is errors.ValidationError
        assert cloudsms.load_reference is reference.load

    def test_dir_lists_the_api(self) -> None:
        """Lists the public names and the version in dir()."""
        assert set(cloudsms.__all__) | {"__version__"} == set(dir(cloudsms))

    def test_unknown_attribute(self) -> None:
        """Raises AttributeError for a name it does not have."""
        with pytest.raises(AttributeError, match="no attribute 'nope'"):
            _ = cloudsms.nope

    def test_version_matches_the_distribution(self) -> None:
        """Reports the version the installed distribution carries."""
        assert cloudsms.__version__ == importlib.metadata.version("cloudsms")

    def test_typed(self) -> None:
        """Ships the py.typed marker."""
        assert (importlib.resources.files("cloudsms") / "py.typed").is_file()
